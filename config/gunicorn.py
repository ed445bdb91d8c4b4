"""gunicorn settings for `bin/serve` and production; each can be overridden by env."""

import multiprocessing
import os

bind = os.environ.get("AUTOREPLY_BIND", "127.0.0.1:8000")
workers = int(os.environ.get("WEB_CONCURRENCY", multiprocessing.cpu_count() * 2 + 1))
# Threads: pushes of one worker that are stored at the same moment share one durable
# commit (autoreply/webhook/batching.py), and connections are kept alive between pushes.
# WEB_THREADS=1 makes the workers sync: measured in bench/, 10–25% fewer pushes per
# second and more of PostgreSQL's CPU per push (a commit each), for a lower p99.
threads = int(os.environ.get("WEB_THREADS", 16))
worker_class = "gthread" if threads > 1 else "sync"
# Longer than WECHAT_REPLY_DEADLINE: the app answers `success` itself before this.
timeout = 30
accesslog = "-"
# The path without its query string: WeChat's signature, nonce and openid ride in it.
access_log_format = '%(h)s "%(m)s %(U)s %(H)s" %(s)s %(b)s %(M)sms'
# The same UTC, request-id-stamped lines (or JSON) as the app's own (config/logs.py).
logger_class = "config.logs.GunicornLogger"


def post_worker_init(worker):  # type: ignore[no-untyped-def]
    """Each worker loads the accounts' rules before it takes a request."""
    from django.db import connections

    from autoreply.webhook.registry import registry

    registry.warm()
    connections.close_all()  # this thread's: the request threads open their own


def on_starting(server):  # type: ignore[no-untyped-def]
    """Bad settings stop the start: Django's system checks run as `manage.py` runs them,
    before any worker forks (gunicorn prints the error and exits 1)."""
    import django
    from django.core import checks

    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings")
    django.setup()
    serious = [m for m in checks.run_checks() if m.is_serious() and not m.is_silenced()]
    if serious:
        raise RuntimeError(
            "autoreply's settings do not pass its checks:\n" + "\n".join(map(str, serious))
        )
