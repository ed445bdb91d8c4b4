"""The process's one WeChat API client (one connection pool), for the configured base URL."""

import threading

from autoreply.conf import setting
from wechat import api

_lock = threading.Lock()
_clients: dict[str, api.Client] = {}


def client() -> api.Client:
    """The shared client for WECHAT_API_BASE_URL (one per URL: tests change it)."""
    base_url = setting("WECHAT_API_BASE_URL")
    with _lock:
        if base_url not in _clients:
            _clients[base_url] = api.Client(base_url)
        return _clients[base_url]
