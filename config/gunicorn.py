"""gunicorn settings for `bin/serve` and production; each can be overridden by env."""

import multiprocessing
import os

bind = os.environ.get("AUTOREPLY_BIND", "127.0.0.1:8000")
workers = int(os.environ.get("WEB_CONCURRENCY", multiprocessing.cpu_count() * 2 + 1))
# Longer than WECHAT_REPLY_DEADLINE: the app answers `success` itself before this.
timeout = 30
accesslog = "-"
# The path without its query string: a webhook's query holds signature, nonce, openid and
# msg_signature, which anyone reading the log could otherwise replay. A time on each line.
access_log_format = '%(t)s %(h)s "%(m)s %(U)s %(H)s" %(s)s %(b)s %(M)sms'
