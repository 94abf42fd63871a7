"""The house plan's dependency rules, checked on the source tree.

- ``sync/`` never imports ``server`` (it is a library a third party could use);
- only ``server/warehouse/ledger`` writes ``stock_moves`` and ``stock_levels``.
"""

from __future__ import annotations

import ast
import re
from pathlib import Path

import pytest

pytestmark = pytest.mark.unit

ROOT = Path(__file__).resolve().parents[2]
LEDGER = ROOT / "server" / "warehouse" / "ledger"
STOCK_WRITE = re.compile(
    r"(insert|update|delete)\(\s*(StockMove|StockLevel)\b"
    r"|\b(StockMove|StockLevel)\("
    r"|(INSERT\s+INTO|UPDATE|DELETE\s+FROM)\s+stock_(moves|levels)",
    re.IGNORECASE,
)


def _python_files(folder: Path) -> list[Path]:
    return [p for p in folder.rglob("*.py") if "migrations" not in p.parts]


def _imported_modules(path: Path) -> set[str]:
    tree = ast.parse(path.read_text(encoding="utf-8"))
    names: set[str] = set()
    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            names.update(alias.name for alias in node.names)
        elif isinstance(node, ast.ImportFrom) and node.module:
            names.add(node.module)
    return names


def test_sync_never_imports_server() -> None:
    offenders = {
        str(path.relative_to(ROOT)): sorted(m for m in _imported_modules(path) if m.split(".")[0] == "server")
        for path in _python_files(ROOT / "sync")
    }
    assert {k: v for k, v in offenders.items() if v} == {}


def test_only_the_ledger_writes_stock() -> None:
    offenders = [
        f"{path.relative_to(ROOT)}: {match.group(0)}"
        for path in _python_files(ROOT / "server")
        if LEDGER not in path.parents
        for match in STOCK_WRITE.finditer(path.read_text(encoding="utf-8"))
    ]
    assert offenders == []


def test_stock_write_pattern_catches_a_write() -> None:
    """The rule above is not vacuous."""
    assert STOCK_WRITE.search("await session.execute(update(StockLevel).values(on_hand=0))")
    assert STOCK_WRITE.search("session.add(StockMove(sku_id=1))")
    assert STOCK_WRITE.search("INSERT INTO stock_levels (id) VALUES (1)")
    assert not STOCK_WRITE.search("select(StockLevel.on_hand)")
