"""API shapes of the exceptions queue."""

from __future__ import annotations

from datetime import datetime
from enum import StrEnum
from typing import Annotated, Any

import msgspec

from server.lib.schema import Input, Schema


class ItemKind(StrEnum):
    count_variance = "count_variance"
    """A count above the warehouse's threshold waiting for approval (盘点差异待审批)."""
    held_op = "held_op"
    """An op kept unapplied: a revoked or moved device, an op version this server does not know."""
    rejected_op = "rejected_op"
    """An op refused (bad payload, unknown reference, a refused request, a handler failure)."""
    exception = "exception"
    """An op applied with follow-ups (over-pick, wrong item, over-receipt, clock flags…), or a work
    exception raised outside sync."""
    shortage = "shortage"
    """A short pick, or a paid order held waiting for stock."""
    negative_bin = "negative_bin"
    """A stock level below zero: the books are wrong until the bin is counted."""


class Text(Schema):
    en: str
    zh: str


class Action(Schema):
    """A request the PWA sends as is to act on an item: ``method path`` with ``body``, the person's
    note (if any) put in ``body[note_field]``."""

    name: str
    label: Text
    method: str
    path: str
    body: dict[str, Any] | None = None
    note_field: str | None = None
    note_required: bool = False
    danger: bool = False


class Refs(Schema, omit_defaults=True):
    task_id: int | None = None
    location_id: int | None = None
    location_code: str | None = None
    sku_id: int | None = None
    sku_code: str | None = None
    lot_number: str | None = None
    order_id: int | None = None
    order_no: str | None = None
    reference: str | None = None
    """The task's document: a wave code, an order number, a purchase order."""
    op_id: str | None = None
    op_name: str | None = None
    count_variance_id: int | None = None
    exception_id: int | None = None
    qty: int | None = None


class Item(Schema, kw_only=True):
    id: str
    """Stable across fetches: ``op:<op_id>``, ``variance:<id>``, ``work:<id>``, ``order:<id>``, ``level:<id>``."""
    kind: ItemKind
    title: Text
    detail: Text
    at: datetime
    """When it happened (the count, the op's event, the hold, the level's last change)."""
    warehouse_id: int | None
    user_id: int | None = None
    username: str | None = None
    device_id: str | None = None
    device_name: str | None = None
    refs: Refs
    actions: list[Action]


class Queue(Schema):
    items: list[Item]
    total: int
    limit: int
    offset: int
    counts: dict[str, int]
    """Items per kind (all of them, not just this page)."""
    generated_at: datetime


class ResolveInput(Input):
    note: Annotated[str, msgspec.Meta(max_length=500)] = ""


class WorkExceptionOut(Schema):
    id: int
    kind: str
    status: str
    resolved_at: datetime | None
    resolved_by_user_id: int | None
    resolution: str
