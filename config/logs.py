"""Logging for every process (gunicorn's master and workers, commands, the worker):
one time zone (UTC, ISO 8601) in every line, the request id on every line, and JSON
lines for log collectors with DJANGO_LOG_FORMAT=json."""

import logging
import os
import re
import time
from typing import Any

from gunicorn import glogging
from pythonjsonlogger.json import JsonFormatter

from autoreply import request_id

PLAIN = "%(asctime)s %(levelname)s [%(process)d] %(name)s id=%(request_id)s: %(message)s"
# httpx logs every request's URL at INFO, and WeChat's API takes the access token (a
# secret) in the URL: the HTTP client's own records stay at warnings and worse.
# procrastinate.blueprints says "Adding tasks from blueprint" on every start-up, and
# procrastinate.periodic "Registering task" for the hourly retention task.
QUIET = ("httpx", "httpcore", "procrastinate.blueprints", "procrastinate.periodic")
FIELDS = "%(asctime)s %(levelname)s %(process)d %(name)s %(request_id)s %(message)s"
# What neither format prints is not worked out for every record (the logging HOWTO's
# "Optimization"): the caller's file and line (a walk up the stack), the thread (under
# gevent, a greenlet lookup) and the multiprocessing name. A busy worker writes an
# access line per push: this was a share of its CPU beside parsing the push.
logging._srcfile = None  # documented for exactly this
logging.logThreads = False
logging.logMultiprocessing = False


class UTCFormatter(logging.Formatter):
    def converter(self, seconds: float | None) -> time.struct_time:
        return time.gmtime(seconds)

    default_time_format = "%Y-%m-%dT%H:%M:%S"
    default_msec_format = "%s.%03dZ"


class UTCJsonFormatter(JsonFormatter):
    def converter(self, seconds: float | None) -> time.struct_time:
        return time.gmtime(seconds)

    default_time_format = "%Y-%m-%dT%H:%M:%S"
    default_msec_format = "%s.%03dZ"


class RequestIdFilter(logging.Filter):
    def filter(self, record: logging.LogRecord) -> bool:
        record.request_id = request_id.current.get()
        return True


def config(level: str, style: str) -> dict[str, Any]:
    """A dictConfig for Django's LOGGING and gunicorn's logconfig_dict alike."""
    formatter(style)  # refuses an unknown style now, not at the first log line
    handler = {"class": "logging.StreamHandler", "formatter": "app", "filters": ["request_id"]}
    return {
        "version": 1,
        "disable_existing_loggers": False,
        "filters": {"request_id": {"()": RequestIdFilter}},
        "formatters": {"app": {"()": formatter, "style": style}},
        "handlers": {"console": handler},
        "root": {"handlers": ["console"], "level": level},
        "loggers": {name: {"level": "WARNING"} for name in QUIET},
    }


def formatter(style: str) -> logging.Formatter:
    """Plain lines or JSON objects, with the time in UTC (DJANGO_LOG_FORMAT)."""
    if style == "json":
        return UTCJsonFormatter(FIELDS, rename_fields={"asctime": "time"})
    if style == "plain":
        return UTCFormatter(PLAIN)
    raise ValueError(f"DJANGO_LOG_FORMAT={style!r}: expected plain or json")


ATOM = re.compile(r"%\((\w+)\)")
CHEAP_ATOMS = ("h", "m", "U", "H", "s", "b", "M")


class GunicornLogger(glogging.Logger):
    """gunicorn's logger, its error and access lines formatted like the app's: gunicorn
    still decides where they go (`--error-logfile`, `--access-logfile`)."""

    def setup(self, cfg: Any) -> None:
        super().setup(cfg)
        named = set(ATOM.findall(cfg.access_log_format))
        self._cheap = named <= set(CHEAP_ATOMS)
        style = os.environ.get("DJANGO_LOG_FORMAT", "plain")
        for log in (self.error_log, self.access_log):
            for handler in log.handlers:
                handler.setFormatter(formatter(style))
                handler.addFilter(RequestIdFilter())

    def atoms(self, resp: Any, req: Any, environ: dict[str, Any], request_time: Any) -> Any:
        """Only the atoms a format of CHEAP_ATOMS names (config/gunicorn.py's does): gunicorn's
        own builds all of them, every header and environ key included, for every request,
        which costs a busy worker more than parsing the push."""
        if not self._cheap:
            return super().atoms(resp, req, environ, request_time)
        status = resp.status
        return {
            "h": environ.get("REMOTE_ADDR", "-"),
            "m": environ.get("REQUEST_METHOD"),
            "U": environ.get("PATH_INFO"),
            "H": environ.get("SERVER_PROTOCOL"),
            "s": status.split(None, 1)[0] if isinstance(status, str) else status,
            "b": str(resp.sent) if getattr(resp, "sent", None) is not None else "-",
            "M": request_time.seconds * 1000 + request_time.microseconds // 1000,
        }
