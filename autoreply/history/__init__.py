"""Who changed which rule or lookup table, when and from where; and putting one back.

A rule's version is the whole rule (keywords, replies, articles) in the rules file's
form, so restoring it is importing it through the same validation as any file. A lookup
table's version is only what one change did to its entries (a sync that changes ten keys
of 100,000 stores ten), and an earlier state is the current one with the later changes
undone. Every writer records: the admin, the importers, `tables.store` (files, commands,
syncs). Nothing on the webhook's push path does (tests/test_layering.py keeps it so).
"""
