"""Start-up checks of the webhook's settings, with stable ids."""

from django.core.checks import Error, register

from autoreply.conf import setting
from autoreply.lookups import sync
from autoreply.outbound import checks as outbound_checks  # noqa: F401  (registers them)

WECHAT_WINDOW_SECONDS = 5  # WeChat drops the connection after this and retries
MAX_RETENTION_DAYS = 3660  # ten years: beyond that a day partition per day is not the tool


@register()
def check_deadline(app_configs, **kwargs):  # type: ignore[no-untyped-def]
    deadline = setting("WECHAT_REPLY_DEADLINE")
    if not 0 < deadline < WECHAT_WINDOW_SECONDS:
        return [
            Error(
                f"WECHAT_REPLY_DEADLINE is {deadline:g}s.",
                hint=f"Set it between 0 and {WECHAT_WINDOW_SECONDS} seconds (exclusive): "
                "WeChat gives up on an answer after 5 seconds.",
                id="autoreply.E001",
            )
        ]
    return []


@register()
def check_refresh(app_configs, **kwargs):  # type: ignore[no-untyped-def]
    refresh = setting("AUTOREPLY_REFRESH_SECONDS")
    if not 0 <= refresh <= 1:
        return [
            Error(
                f"AUTOREPLY_REFRESH_SECONDS is {refresh:g}s.",
                hint="Rule changes must reach every worker within a second: use 0 to 1.",
                id="autoreply.E002",
            )
        ]
    return []


@register()
def check_lookup_sources(app_configs, **kwargs):  # type: ignore[no-untyped-def]
    """autoreply.E101-E103: AUTOREPLY_LOOKUP_SOURCES is readable and every source complete."""
    return sync.parse(setting(sync.SETTING))[1]


@register()
def check_retention(app_configs, **kwargs):  # type: ignore[no-untyped-def]
    days = setting("AUTOREPLY_RETENTION_DAYS")
    if not isinstance(days, int) or not 0 <= days <= MAX_RETENTION_DAYS:
        return [
            Error(
                f"AUTOREPLY_RETENTION_DAYS is {days!r}.",
                hint=f"Set the days messages are kept, 1 to {MAX_RETENTION_DAYS}, "
                "or 0 to keep them forever.",
                id="autoreply.E301",
            )
        ]
    return []
