"""Logging for every process (gunicorn's master and workers, commands, the worker):
one time zone (UTC, ISO 8601) in every line, the request id on every line, and JSON
lines for log collectors with DJANGO_LOG_FORMAT=json."""

import logging
import time
from typing import Any

from pythonjsonlogger.json import JsonFormatter

from autoreply import request_id

PLAIN = "%(asctime)s %(levelname)s [%(process)d] %(name)s id=%(request_id)s: %(message)s"
FIELDS = "%(asctime)s %(levelname)s %(process)d %(name)s %(request_id)s %(message)s"


class UTCFormatter(logging.Formatter):
    converter = time.gmtime
    default_time_format = "%Y-%m-%dT%H:%M:%S"
    default_msec_format = "%s.%03dZ"


class UTCJsonFormatter(JsonFormatter):
    converter = time.gmtime
    default_time_format = "%Y-%m-%dT%H:%M:%S"
    default_msec_format = "%s.%03dZ"


class RequestIdFilter(logging.Filter):
    def filter(self, record: logging.LogRecord) -> bool:
        record.request_id = request_id.current.get()
        return True


def config(level: str, style: str) -> dict[str, Any]:
    """A dictConfig for Django's LOGGING and gunicorn's logconfig_dict alike."""
    if style not in ("plain", "json"):
        raise ValueError(f"DJANGO_LOG_FORMAT={style!r}: expected plain or json")
    formatter = (
        {"()": UTCJsonFormatter, "fmt": FIELDS, "rename_fields": {"asctime": "time"}}
        if style == "json"
        else {"()": UTCFormatter, "format": PLAIN}
    )
    handler = {"class": "logging.StreamHandler", "formatter": "app", "filters": ["request_id"]}
    return {
        "version": 1,
        "disable_existing_loggers": False,
        "filters": {"request_id": {"()": RequestIdFilter}},
        "formatters": {"app": formatter},
        "handlers": {"console": handler},
        "root": {"handlers": ["console"], "level": level},
        "loggers": {
            # gunicorn's own loggers write through the same handler, not theirs.
            "gunicorn.error": {"handlers": ["console"], "level": "INFO", "propagate": False},
            "gunicorn.access": {"handlers": ["console"], "level": "INFO", "propagate": False},
        },
    }
