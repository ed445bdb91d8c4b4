"""What autoreply stores: accounts, their rules and replies, the message log, followers,
and the earlier versions of rules and lookup tables.

Validation lives in `clean()` (via autoreply.validation) so the admin and the rules-file
importer refuse the same things with the same messages.
"""

from autoreply.stored.accounts import SECRET_FIELDS, Account
from autoreply.stored.history import LookupVersion, RuleVersion
from autoreply.stored.lookups import LookupEntry, LookupTable
from autoreply.stored.outbound import AccessToken, Media, OutboundMessage
from autoreply.stored.rules import Article, Keyword, Reply, Rule
from autoreply.stored.traffic import MAX_MSG_ID, CreateDayField, Follower, Message, SignedQuery
from autoreply.stored.uploads import PendingUpload
from autoreply.stored.workers import WorkerHeartbeat

__all__ = [
    "MAX_MSG_ID",
    "SECRET_FIELDS",
    "AccessToken",
    "Account",
    "Article",
    "CreateDayField",
    "Follower",
    "Keyword",
    "LookupEntry",
    "LookupTable",
    "LookupVersion",
    "Media",
    "Message",
    "OutboundMessage",
    "PendingUpload",
    "Reply",
    "Rule",
    "RuleVersion",
    "SignedQuery",
    "WorkerHeartbeat",
]
