"""WeChat's delivery, retries included, and a steady load of it, for the outage tests.

WeChat waits 5 s for a 200; without one (a timeout, a dropped connection, another
status) it sends the identical request again, up to 3 times."""

import http.client
import itertools
import threading
import time
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field
from urllib.parse import urlencode

from tests.gunicorn_server import post
from tests.wechat_client import next_msg_id, signed_query, text

RETRIES = 3
WINDOW = 5.0


@dataclass
class Delivery:
    msg_id: int
    content: str
    attempts: list[tuple[int | None, bytes, float]] = field(default_factory=list)

    @property
    def answered(self) -> bool:
        return bool(self.attempts) and self.attempts[-1][0] == 200

    @property
    def answer(self) -> bytes:
        return self.attempts[-1][1]

    @property
    def worst(self) -> float:
        return max(seconds for _, _, seconds in self.attempts)


def deliver(base: str, slug: str, content: str, from_user: str = "oLoad") -> Delivery:
    """One push as WeChat sends it: the identical request again until a 200, up to 3 times."""
    msg_id = next_msg_id()
    body = text(content.format(msg_id=msg_id), MsgId=msg_id, from_user=from_user)
    query = urlencode(signed_query("spamtest", nonce=f"n{msg_id}"))
    delivery = Delivery(msg_id, content.format(msg_id=msg_id))
    for _ in range(1 + RETRIES):
        started = time.monotonic()
        try:
            status, answer = post(f"{base}/wechat/{slug}/?{query}", body, timeout=WINDOW)
        except (OSError, http.client.HTTPException):  # dropped, refused, or no answer in time
            status, answer = None, b""
        delivery.attempts.append((status, answer, time.monotonic() - started))
        if status == 200:
            break
    return delivery


def steady_load(
    bases: list[str],
    slug: str,
    seconds: float,
    senders: int = 4,
    limit: int = 3000,
    gap: float = 0.02,
) -> "Load":
    """Start `senders` threads pushing, `gap` s apart, for `seconds` or `limit` pushes."""
    return Load(bases, slug, seconds, senders, limit, gap)


class Load:
    def __init__(
        self, bases: list[str], slug: str, seconds: float, senders: int, limit: int, gap: float
    ) -> None:
        self.gap = gap
        self.deliveries: list[Delivery] = []
        self._count = itertools.count()
        self._until = time.monotonic() + seconds
        self._limit = limit
        self._lock = threading.Lock()
        self._pool = ThreadPoolExecutor(senders)
        self._futures = [
            self._pool.submit(self._send, bases[n % len(bases)], slug) for n in range(senders)
        ]

    def _send(self, base: str, slug: str) -> None:
        while time.monotonic() < self._until and next(self._count) < self._limit:
            delivery = deliver(base, slug, "load {msg_id}")
            with self._lock:
                self.deliveries.append(delivery)
            time.sleep(self.gap)

    def wait(self) -> list[Delivery]:
        for future in self._futures:
            future.result(timeout=120)
        self._pool.shutdown()
        return self.deliveries
