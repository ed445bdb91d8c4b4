"""The architecture as the folders show it, kept by a test: imports run one way.

config -> autoreply -> wechat. Inside autoreply, the webhook (the hot path) uses rules
and lookups but never the admin or the files; rules and lookups know nothing of the
webhook, the admin or the files; nothing imports config; and no module imports itself
back through another.
"""

import ast
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent
PACKAGES = ("autoreply", "wechat")
GRAB_BAGS = {"utils", "helpers", "common", "tools", "misc"}

# A package (by dotted prefix) and the packages it must never import.
FORBIDDEN = {
    "wechat": ("django", "autoreply", "config"),
    "autoreply": ("config",),
    "autoreply.webhook": (
        "autoreply.admin",
        "autoreply.files",
        "autoreply.reports",
        "autoreply.history",  # nothing on the push path records history
    ),
    "autoreply.rules": (
        "autoreply.webhook",
        "autoreply.admin",
        "autoreply.files",
        "autoreply.history",
    ),
    "autoreply.lookups": (
        "autoreply.webhook",
        "autoreply.admin",
        "autoreply.files",
        "autoreply.rules",
    ),
    "autoreply.reports": ("autoreply.webhook", "autoreply.admin", "autoreply.files"),
    "autoreply.files": ("autoreply.webhook", "autoreply.admin"),
    "autoreply.outbound": ("autoreply.admin", "autoreply.files"),
    "autoreply.history": ("autoreply.webhook", "autoreply.admin"),
}


def module_name(path: Path) -> str:
    parts = path.relative_to(ROOT).with_suffix("").parts
    return ".".join(parts[:-1] if parts[-1] == "__init__" else parts)


def sources() -> list[Path]:
    return sorted(
        path
        for package in PACKAGES
        for path in (ROOT / package).rglob("*.py")
        if "migrations" not in path.parts
    )


def imports(path: Path) -> set[str]:
    """Every module `path` imports, at any depth (a local import is still a dependency)."""
    here = module_name(path)
    found: set[str] = set()
    for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
        if isinstance(node, ast.Import):
            found.update(alias.name for alias in node.names)
        elif isinstance(node, ast.ImportFrom) and node.module:
            found.add(node.module)
            # `from autoreply.rules import matching` imports autoreply.rules.matching
            found.update(f"{node.module}.{alias.name}" for alias in node.names)
    return {name for name in found if name != here}


def within(name: str, prefix: str) -> bool:
    return name == prefix or name.startswith(prefix + ".")


GRAPH = {module_name(path): imports(path) for path in sources()}


@pytest.mark.parametrize("module", sorted(GRAPH))
def test_imports_run_one_way(module):
    for package, forbidden in FORBIDDEN.items():
        if within(module, package):
            wrong = {name for name in GRAPH[module] for f in forbidden if within(name, f)}
            assert not wrong, f"{module} imports {sorted(wrong)}; {package} must not"


def test_there_are_no_import_cycles():
    known = GRAPH.keys()
    edges = {m: {n for n in names if n in known and n != m} for m, names in GRAPH.items()}
    # A package's __init__ importing its own submodules is how Django's admin registers.
    for module in edges:
        edges[module] = {n for n in edges[module] if not within(n, module)}
    state: dict[str, int] = {}
    path: list[str] = []

    def visit(module: str) -> None:
        state[module] = 1
        path.append(module)
        for name in sorted(edges[module]):
            if state.get(name) == 1:
                cycle = [*path[path.index(name) :], name]
                raise AssertionError("import cycle: " + " -> ".join(cycle))
            if name not in state:
                visit(name)
        path.pop()
        state[module] = 2

    for module in sorted(edges):
        if module not in state:
            visit(module)


def test_no_grab_bag_modules():
    bags = [str(p.relative_to(ROOT)) for p in sources() if p.stem in GRAB_BAGS]
    assert not bags, f"name a module for what it owns, not {bags}"


def test_every_package_documented_in_the_layout():
    packages = {p.parent.name for p in (ROOT / "autoreply").glob("*/__init__.py")}
    assert packages >= {
        "webhook",
        "rules",
        "files",
        "lookups",
        "admin",
        "reports",
        "outbound",
        "history",
    }
