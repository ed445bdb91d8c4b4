"""Run the background worker: customer-service sends and their retries (procrastinate)."""

import threading
from typing import Any

from django.core.management.base import BaseCommand
from procrastinate.contrib.django import app

from autoreply.outbound import heartbeat
from autoreply.outbound.tasks import QUEUE


class Command(BaseCommand):
    help = "Run the background worker (customer-service sends, retries) until interrupted."

    def add_arguments(self, parser: Any) -> None:
        parser.add_argument("--concurrency", type=int, default=4, help="jobs run at once")
        parser.add_argument(
            "--poll", type=float, default=0.5, help="seconds between looks for retries due"
        )

    def handle(self, *args: Any, concurrency: int, poll: float, **options: Any) -> None:
        stop = threading.Event()
        heartbeat.start(stop)
        try:
            worker_connector = app.connector.get_worker_connector()  # type: ignore[attr-defined]
            with app.replace_connector(worker_connector):
                app.run_worker(
                    queues=[QUEUE],
                    concurrency=concurrency,
                    fetch_job_polling_interval=poll,
                    install_signal_handlers=True,
                    delete_jobs="successful",
                )
        finally:
            stop.set()
