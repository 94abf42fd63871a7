"""What devices hold of a task and of a task line (SPEC.md §6.3), named once.

The sync entities serialise ORM writes with these fields, and builders that insert many tasks in
bulk statements (a wave build) record the same changes themselves: both must send devices the
same shape, so neither spells the field list on its own.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from sqlalchemy.ext.asyncio import AsyncSession

from sync import feed

TASK_ENTITY = "task"
TASK_FIELDS = ("kind", "status", "reference", "reason", "priority", "to_location_id", "assignee_user_id", "blind")
TASK_LINE_ENTITY = "task_line"
TASK_LINE_FIELDS = ("task_id", "line_no", "location_id", "sku_id", "lot_id", "qty", "done_qty", "status")


def record_inserted(
    session: AsyncSession,
    warehouse_id: int,
    entity: str,
    fields: tuple[str, ...],
    rows: Mapping[int, Mapping[str, Any]],
) -> None:
    """Feed changes for rows written by a bulk INSERT, which the ORM's flush tracking never sees."""
    for row_id, row in rows.items():
        feed.record(session, warehouse_id, entity, str(row_id), {name: row[name] for name in fields})
