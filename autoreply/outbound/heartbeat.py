"""The worker's heartbeat: each worker process writes when it was last alive; /healthz reads."""

import logging
import os
import socket
import threading
from datetime import datetime

from django.db import DatabaseError, connection
from django.db.models import Max
from django.utils import timezone

from autoreply.models import WorkerHeartbeat

logger = logging.getLogger(__name__)

INTERVAL = 10.0  # seconds between beats


def beat(worker: str) -> None:
    WorkerHeartbeat.objects.update_or_create(worker=worker, defaults={"seen_at": timezone.now()})


def last() -> datetime | None:
    """When any worker was last alive, or None if none ever was."""
    seen: datetime | None = WorkerHeartbeat.objects.aggregate(last=Max("seen_at"))["last"]
    return seen


def start(stop: threading.Event) -> threading.Thread:
    """Beat every INTERVAL seconds in a daemon thread until `stop` is set."""
    name = f"{socket.gethostname()}:{os.getpid()}"

    def run() -> None:
        while True:
            try:
                beat(name)
            except DatabaseError:
                logger.warning("worker %s: could not record its heartbeat", name, exc_info=True)
            finally:
                connection.close()  # a thread of its own: never leave its connection open
            if stop.wait(INTERVAL):
                return

    thread = threading.Thread(target=run, name="heartbeat", daemon=True)
    thread.start()
    return thread
