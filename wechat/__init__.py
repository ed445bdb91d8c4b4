"""WeChat Official Account wire protocol: signatures, message crypto, inbound XML, replies.

Framework-free on purpose: nothing here imports Django (a test enforces it), so the
protocol can be tested, benchmarked and simulated without a settings module.
"""
