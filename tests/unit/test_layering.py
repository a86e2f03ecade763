"""backend → sync, never the reverse: the sync core stays pure (ARCHITECTURE: "sync/ is pure")."""

from __future__ import annotations

import ast
from pathlib import Path

SYNC = Path(__file__).resolve().parents[2] / "sync"
FORBIDDEN = ("backend", "litestar", "strawberry")


def test_sync_imports_nothing_from_backend_or_the_web_stack() -> None:
    offenders = []
    for path in sorted(SYNC.glob("*.py")):
        for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
            names = []
            if isinstance(node, ast.Import):
                names = [alias.name for alias in node.names]
            elif isinstance(node, ast.ImportFrom) and node.module:
                names = [node.module]
            offenders += [f"{path.name}: {n}" for n in names if n.split(".")[0] in FORBIDDEN]
    assert offenders == []
    assert len(list(SYNC.glob("*.py"))) >= 6
