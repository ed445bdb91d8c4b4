"""Rules the whole `wechat` package keeps: no Django, no `random`, small files and functions."""

import ast
from pathlib import Path

import pytest

PACKAGE = Path(__file__).resolve().parent.parent.parent / "wechat"
SOURCES = sorted(PACKAGE.glob("*.py"))


def imported_modules(path: Path) -> set[str]:
    names: set[str] = set()
    for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
        if isinstance(node, ast.Import):
            names.update(alias.name for alias in node.names)
        elif isinstance(node, ast.ImportFrom) and node.module:
            names.add(node.module)
    return names


def test_the_package_has_sources() -> None:
    assert {path.name for path in SOURCES} >= {"errors.py", "crypto.py", "messages.py"}


@pytest.mark.parametrize("path", SOURCES, ids=lambda p: p.name)
def test_wechat_never_imports_django(path: Path) -> None:
    django = {name for name in imported_modules(path) if name.split(".")[0] == "django"}
    assert not django, f"{path.name} imports {django}: wechat must stay framework-free"


@pytest.mark.parametrize("path", SOURCES, ids=lambda p: p.name)
def test_wechat_draws_randomness_only_from_secrets(path: Path) -> None:
    assert "random" not in {name.split(".")[0] for name in imported_modules(path)}


@pytest.mark.parametrize("path", SOURCES, ids=lambda p: p.name)
def test_modules_stay_small(path: Path) -> None:
    assert len(path.read_text(encoding="utf-8").splitlines()) <= 220


@pytest.mark.parametrize("path", SOURCES, ids=lambda p: p.name)
def test_functions_stay_short(path: Path) -> None:
    tree = ast.parse(path.read_text(encoding="utf-8"))
    for node in ast.walk(tree):
        if isinstance(node, (ast.FunctionDef, ast.AsyncFunctionDef)):
            assert node.end_lineno is not None
            assert node.end_lineno - node.lineno < 30, f"{path.name}:{node.name}"
