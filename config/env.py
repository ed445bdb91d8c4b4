"""Typed readers for settings that come from environment variables (12-factor)."""

import os
import secrets
from pathlib import Path

from django.core.exceptions import ImproperlyConfigured

LOOPBACK_HOSTS = frozenset({"127.0.0.1", "localhost", "[::1]", "::1"})
TRUE = {"1", "true", "yes", "on"}
FALSE = {"0", "false", "no", "off", ""}


def flag(name: str, default: bool) -> bool:
    """`1`/`0`, `true`/`false`, `yes`/`no`, `on`/`off`, any case."""
    raw = os.environ.get(name)
    if raw is None:
        return default
    value = raw.strip().lower()
    if value in TRUE:
        return True
    if value in FALSE:
        return False
    raise ImproperlyConfigured(f"{name}={raw!r}: expected 1/0, true/false, yes/no or on/off.")


def number(name: str, default: float, *, minimum: float = 0) -> float:
    raw = os.environ.get(name)
    if raw is None or not raw.strip():
        return default
    try:
        value = float(raw)
    except ValueError:
        raise ImproperlyConfigured(f"{name}={raw!r}: expected a number.") from None
    if value < minimum:
        raise ImproperlyConfigured(f"{name}={raw!r}: must be at least {minimum:g}.")
    return value


def integer(name: str, default: int, *, minimum: int = 0) -> int:
    value = number(name, default, minimum=minimum)
    if value != int(value):
        raise ImproperlyConfigured(f"{name}={value!r}: expected a whole number.")
    return int(value)


def choice(name: str, default: str, allowed: tuple[str, ...]) -> str:
    value = os.environ.get(name) or default
    if value not in allowed:
        raise ImproperlyConfigured(f"{name}={value!r}: expected one of {', '.join(allowed)}.")
    return value


def words(name: str, default: str) -> list[str]:
    """A comma-separated list, blanks dropped."""
    return [w.strip() for w in os.environ.get(name, default).split(",") if w.strip()]


def secret_key(name: str, fallback_file: Path, *, required: bool) -> str:
    """The env var, else (unless `required`) a key generated once for this checkout and
    kept (mode 600) in `fallback_file`: never a default written in code, and every worker
    of the checkout shares it. Several nodes need one key set on each: `required`."""
    if os.environ.get(name):
        return os.environ[name]
    if required:
        raise ImproperlyConfigured(
            f"{name} is not set. In production (DJANGO_DEBUG off, DJANGO_ALLOWED_HOSTS naming "
            "a real host) every node must be given the same key, or admin logins break "
            "between nodes: generate one with `python -c 'import secrets; "
            f"print(secrets.token_urlsafe(50))'` and set {name} to it on every node."
        )
    if not fallback_file.exists():
        fallback_file.parent.mkdir(parents=True, exist_ok=True)
        try:
            fd = os.open(fallback_file, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
        except FileExistsError:  # another process won the race; use its key
            pass
        else:
            with os.fdopen(fd, "w") as f:
                f.write(secrets.token_urlsafe(50))
    return fallback_file.read_text().strip()


def text(name: str, default: str) -> str:
    return os.environ.get(name) or default
