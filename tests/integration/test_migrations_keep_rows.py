"""Upgrading a SQLite database that already holds orders keeps every row.

SQLite alters a table by copying it and dropping the old one; with foreign keys enforced, dropping
``orders`` cascade-deleted every order line and event (revision 68618d1c8ef3 copies ``orders``).
The migrations now run with enforcement off and check the references afterwards.
"""

from __future__ import annotations

import sqlite3
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import pytest

from server.db import migrate

BEFORE_ORDERS_COPY = "e2e354e36d9c"
"""The revision just before one that rebuilds ``orders`` on SQLite."""

TABLES = ("channels", "orders", "order_lines", "order_events")

pytestmark = pytest.mark.integration


def _filler(type_name: str) -> Any:
    """A value any NOT NULL column of this declared type accepts."""
    name = type_name.upper()
    if "INT" in name or "BOOL" in name or "NUMERIC" in name:
        return 1
    if "DATETIME" in name or "TIMESTAMP" in name:
        return datetime(2026, 11, 11, tzinfo=UTC).strftime("%Y-%m-%d %H:%M:%S.%f")
    if "JSON" in name:
        return "{}"
    return "x"


def _insert_one(db: sqlite3.Connection, table: str, fixed: dict[str, Any]) -> None:
    """One row with ``fixed`` values and a filler for every other required column."""
    values = dict(fixed)
    for _, column, type_name, notnull, default, pk in db.execute(f"PRAGMA table_info({table})"):
        if column in values or pk or not notnull or default is not None:
            continue
        values[column] = _filler(type_name)
    columns = ", ".join(values)
    marks = ", ".join("?" for _ in values)
    db.execute(f"INSERT INTO {table} ({columns}) VALUES ({marks})", list(values.values()))


def test_an_upgrade_that_rebuilds_orders_keeps_their_lines_and_events(tmp_path: Path) -> None:
    path = tmp_path / "old.sqlite3"
    url = f"sqlite+aiosqlite:///{path}"
    migrate.upgrade(url, BEFORE_ORDERS_COPY)
    with sqlite3.connect(path) as db:
        db.execute("PRAGMA foreign_keys=ON")
        _insert_one(db, "channels", {"id": 1, "code": "TB"})
        _insert_one(db, "orders", {"id": 1, "channel_id": 1, "platform_order_no": "P1", "status": "paid"})
        _insert_one(db, "order_lines", {"id": 1, "order_id": 1, "platform_line_id": "L1", "qty": 2})
        _insert_one(db, "order_events", {"id": 1, "order_id": 1, "kind": "imported"})

    migrate.upgrade(url)

    with sqlite3.connect(path) as db:
        counts = {table: db.execute(f"SELECT count(*) FROM {table}").fetchone()[0] for table in TABLES}
        line = db.execute("SELECT order_id, qty FROM order_lines").fetchone()
    assert counts == {"channels": 1, "orders": 1, "order_lines": 1, "order_events": 1}
    assert line == (1, 2)
