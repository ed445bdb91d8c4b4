"""Start-up checks of the outbound API's settings (autoreply.E201-E202)."""

from urllib.parse import urlsplit

from django.core.checks import Error, register

from autoreply.conf import setting


@register()
def check_api_base_url(app_configs, **kwargs):  # type: ignore[no-untyped-def]
    url = setting("WECHAT_API_BASE_URL")
    parts = urlsplit(url)
    if parts.scheme not in ("http", "https") or not parts.hostname:
        return [
            Error(
                f"WECHAT_API_BASE_URL is {url!r}.",
                hint="Set it to https://api.weixin.qq.com (the default) or a stand-in's "
                "http://127.0.0.1:PORT.",
                id="autoreply.E201",
            )
        ]
    return []


@register()
def check_send_retry(app_configs, **kwargs):  # type: ignore[no-untyped-def]
    seconds = setting("AUTOREPLY_SEND_RETRY_SECONDS")
    if not 0 < seconds <= 60:
        return [
            Error(
                f"AUTOREPLY_SEND_RETRY_SECONDS is {seconds:g}s.",
                hint="The first retry's wait, doubled each time: use more than 0, at most 60.",
                id="autoreply.E202",
            )
        ]
    return []
