"""workflows/ stays a pure library: it imports no web, database or queue package, nor any
part of the application (ARCHITECTURE.md: dependencies point one way)."""

from __future__ import annotations

import ast
from pathlib import Path

import workflows

FORBIDDEN = {
    "flask",
    "flask_appbuilder",
    "flask_babel",
    "sqlalchemy",
    "rq",
    "redis",
    "app",
    "plugins",
}
ROOT = Path(workflows.__file__).resolve().parent


def _imports(path: Path) -> set[str]:
    found = set()
    for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
        if isinstance(node, ast.Import):
            found |= {alias.name.split(".")[0] for alias in node.names}
        elif isinstance(node, ast.ImportFrom) and node.module and node.level == 0:
            found.add(node.module.split(".")[0])
    return found


def test_no_forbidden_imports():
    modules = sorted(ROOT.rglob("*.py"))
    assert modules
    for path in modules:
        assert not (_imports(path) & FORBIDDEN), path.name


def test_modules_stay_small():
    for path in ROOT.rglob("*.py"):
        assert len(path.read_text(encoding="utf-8").splitlines()) <= 300, path.name
