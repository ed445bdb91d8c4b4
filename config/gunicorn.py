"""gunicorn settings for `bin/serve` and production; each can be overridden by env."""

import multiprocessing
import os

bind = os.environ.get("AUTOREPLY_BIND", "127.0.0.1:8000")
workers = int(os.environ.get("WEB_CONCURRENCY", multiprocessing.cpu_count() * 2 + 1))
# Longer than WECHAT_REPLY_DEADLINE: the app answers `success` itself before this.
timeout = 30
accesslog = "-"
access_log_format = '%(h)s "%(r)s" %(s)s %(b)s %(M)sms'
