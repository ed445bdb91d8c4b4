"""Fixtures for the framework-free `wechat` package: real payloads and official vectors."""

import json
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest

PAYLOADS = Path(__file__).resolve().parent.parent / "payloads"
VECTORS = Path(__file__).resolve().parent.parent / "vectors" / "crypto-vectors.json"


@pytest.fixture
def payload() -> Callable[[str], bytes]:
    """Read `tests/payloads/<name>` as the raw bytes a webhook would receive."""

    def read(name: str) -> bytes:
        return (PAYLOADS / name).read_bytes()

    return read


@pytest.fixture(scope="session")
def vectors() -> dict[str, Any]:
    """WeChat's official known-answer vectors for signatures and message crypto."""
    data: dict[str, Any] = json.loads(VECTORS.read_text(encoding="utf-8"))
    return data
