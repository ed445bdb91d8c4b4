"""The background tasks, run by `manage.py worker` (procrastinate, in PostgreSQL)."""

from typing import Any

from procrastinate import BaseRetryStrategy, RetryDecision
from procrastinate.contrib.django import app

from autoreply import retention
from autoreply.conf import setting
from autoreply.outbound import sending

QUEUE = "outbound"


class Backoff(BaseRetryStrategy):
    """Retry RetryLater only (the send decided it is worth it), doubling the wait."""

    def get_retry_decision(self, *, exception: BaseException, job: Any) -> RetryDecision | None:
        if not isinstance(exception, sending.RetryLater):
            return None
        wait = setting("AUTOREPLY_SEND_RETRY_SECONDS") * 2 ** min(job.attempts, 10)
        return RetryDecision(retry_in={"seconds": wait})


@app.task(queue=QUEUE, retry=Backoff(), name="autoreply.outbound.send")
def send(outbound_ids: list[int]) -> None:
    """Send one message's follow-ups in order, in one job: no wait for the queue between
    them. A retry starts again from the first not yet sent (sent ones are skipped)."""
    for outbound_id in outbound_ids:
        sending.deliver(outbound_id)


@app.periodic(cron="17 * * * *")  # hourly; any worker defers it, procrastinate runs it once
@app.task(queue=QUEUE, name="autoreply.age_messages")
def age_messages(timestamp: int) -> None:
    """Partitions for the days ahead; messages and sends past AUTOREPLY_RETENTION_DAYS out."""
    retention.age()
