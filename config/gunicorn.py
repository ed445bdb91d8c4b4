"""gunicorn settings for `bin/serve` and production; each can be overridden by env."""

import gc
import multiprocessing
import os
import subprocess
import sys
from pathlib import Path

bind = os.environ.get("AUTOREPLY_BIND", "127.0.0.1:8000")
workers = int(os.environ.get("WEB_CONCURRENCY", multiprocessing.cpu_count() * 2 + 1))
# gevent: each connection is served by a greenlet, and the pushes of one worker that are
# stored at the same moment share one durable commit (autoreply/webhook/batching.py).
# Measured in bench/ against 16 threads (gthread): 30-60% more pushes per second, a third
# less of PostgreSQL's CPU per push (larger shared commits) and a lower p99, since a
# switch between greenlets costs no lock handoff. WEB_THREADS=N asks for N threads
# instead (gthread; 1: sync workers, a commit each).
threads = int(os.environ.get("WEB_THREADS", 0))
if threads:
    worker_class = "gthread" if threads > 1 else "sync"
else:
    worker_class = "gevent"
    # Connections one worker serves at once; beyond, they wait to be accepted.
    worker_connections = int(os.environ.get("WEB_CONNECTIONS", 16))
# gunicorn's C parser for HTTP/1 (gunicorn_h1c, by gunicorn's author; requirements.txt):
# its pure-Python one was a tenth of a worker's CPU per push (bench/README). "fast"
# rather than "auto", so that a node missing it fails to start instead of running slower.
http_parser = "fast"
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
    from gevent import monkey

    from autoreply import lent_connections
    from autoreply.webhook.registry import registry

    registry.warm()
    # The rules just loaded live as long as the worker: out of the collector's sight, its
    # full collections under load stop walking them (measured in bench/: pauses of
    # 70-170 ms gone, p99 lower). They are still freed as usual when the registry drops them.
    gc.collect()
    gc.freeze()
    connections.close_all()  # this greenlet's (or thread's): the requests use their own
    if monkey.is_module_patched("threading"):  # gevent: a greenlet per client connection
        lent_connections.lend_from_now_on()


def on_starting(server):  # type: ignore[no-untyped-def]
    """Bad settings stop the start: Django's system checks (`manage.py check`) run before
    any worker forks (gunicorn prints the error and exits 1).

    In a process of their own, so that the master imports nothing of Django: each gevent
    worker patches the standard library as it starts, and whatever was made before that
    in the master would be shared by its greenlets (Django's per-thread connections) or
    block all of them (a lock). The master itself stays unpatched: gevent's handling of
    SIGCHLD would hide its dead workers from it."""
    manage = Path(__file__).resolve().parent.parent / "manage.py"  # settings' BASE_DIR
    result = subprocess.run(  # noqa: S603  (this interpreter, our manage.py)
        [sys.executable, str(manage), "check"], capture_output=True, text=True, check=False
    )
    if result.returncode != 0:
        raise RuntimeError("autoreply's settings do not pass its checks:\n" + result.stderr)
