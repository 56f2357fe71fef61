"""The analysis core stays pure: no editor protocol, network, process or file-system imports."""

from __future__ import annotations

import ast
from pathlib import Path

import pytest

import ospec.core

CORE = Path(ospec.core.__file__).parent
FORBIDDEN = {
    "pygls",
    "lsprotocol",
    "httpx",
    "starlette",
    "uvicorn",
    "sqlite3",
    "socket",
    "subprocess",
    "pathlib",
    "os",
    "shutil",
    "io",
    "urllib",
}


def imports(path: Path) -> set[str]:
    found: set[str] = set()
    for node in ast.walk(ast.parse(path.read_text())):
        if isinstance(node, ast.Import):
            found |= {alias.name.split(".")[0] for alias in node.names}
        elif isinstance(node, ast.ImportFrom) and node.level == 0 and node.module:
            found.add(node.module.split(".")[0])
    return found


@pytest.mark.parametrize("module", sorted(CORE.glob("*.py")), ids=lambda p: p.name)
def test_core_module_has_no_protocol_or_io_imports(module: Path) -> None:
    assert not imports(module) & FORBIDDEN


def test_no_builtin_open_in_core() -> None:
    for module in CORE.glob("*.py"):
        calls = [
            n
            for n in ast.walk(ast.parse(module.read_text()))
            if isinstance(n, ast.Call) and isinstance(n.func, ast.Name) and n.func.id == "open"
        ]
        assert not calls, module.name
