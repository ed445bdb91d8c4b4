"""The app's settings: one reader, defaults as constants.

config/settings.py fills these from the environment; anything it leaves out falls
back to DEFAULTS, so tests and other projects embedding the app get sane values.
"""

from typing import Any

from django.conf import settings
from django.core.signals import setting_changed

DEFAULTS: dict[str, Any] = {
    # Seconds a request's timestamp may differ from our clock, either way; 0 = no check.
    "WECHAT_TIMESTAMP_TOLERANCE": 300,
    # Bodies above this are refused with 413 before they are read.
    "WECHAT_MAX_BODY_BYTES": 262_144,
    # Seconds we allow ourselves before answering `success` instead: WeChat gives 5.
    "WECHAT_REPLY_DEADLINE": 4.0,
    # How often (seconds) a worker checks whether rules or lookups changed.
    "AUTOREPLY_REFRESH_SECONDS": 0.5,
    # The connection the webhook uses: its statements are cut off inside WeChat's window.
    "AUTOREPLY_WEBHOOK_DATABASE": "webhook",
    # `transaction` behind PgBouncer in transaction pooling: no named prepared statements.
    "DATABASE_POOL_MODE": "session",
    # Where `manage.py sync_lookup` fills lookup tables from: table -> {"account",
    # "database_url", "query", "timeout"}, or that as JSON text (autoreply/lookups/sync.py).
    "AUTOREPLY_LOOKUP_SOURCES": {},
    # Where pushes wait, on this node's disk, while the database is away (webhook/spool.py).
    "AUTOREPLY_SPOOL_DIR": ".local/spool",
    # Where WeChat's outbound API answers (tests and the demo point it at wechat.standin).
    "WECHAT_API_BASE_URL": "https://api.weixin.qq.com",
    # A failed customer-service send is tried again after this, doubled each time (seconds).
    "AUTOREPLY_SEND_RETRY_SECONDS": 2.0,
    # Days a message (and its customer-service sends) is kept; 0 = forever (retention.py).
    "AUTOREPLY_RETENTION_DAYS": 180,
}


_read: dict[str, Any] = {}


def setting(name: str) -> Any:
    """The named setting, or its default. Read once: the webhook asks several times per
    push, and Django's lazy settings object is slow to ask (a test's change is seen)."""
    try:
        return _read[name]
    except KeyError:
        value = _read[name] = getattr(settings, name, DEFAULTS[name])
        return value


def _forget(**kwargs: Any) -> None:
    _read.clear()


setting_changed.connect(_forget, dispatch_uid="autoreply.conf")


def webhook_database() -> str:
    """The alias of the webhook's own connection (AUTOREPLY_WEBHOOK_DATABASE)."""
    return setting("AUTOREPLY_WEBHOOK_DATABASE")  # type: ignore[no-any-return]
