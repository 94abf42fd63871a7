"""API shapes of the supervisor's op queue (the sync wire types themselves are ``sync.wire``)."""

from __future__ import annotations

from datetime import datetime
from typing import Any, Literal

from server.lib.schema import Input, Schema
from sync.registry import OpKind


class OpRecordOut(Schema):
    op_id: str
    device_id: str
    seq: int
    name: str
    version: int
    payload: dict[str, Any]
    hlc: str
    wall_time: datetime
    event_time: datetime
    received_at: datetime
    user_id: int | None
    warehouse_id: int | None
    status: str
    code: str
    message: str
    message_zh: str
    result: dict[str, Any]
    exceptions: list[dict[str, Any]]
    resolved_at: datetime | None
    resolved_by: int | None
    resolution: str


class OpResolve(Input):
    """``apply``: run a held op now (its original time and device); ``close``: done, nothing to apply."""

    action: Literal["apply", "close"]
    note: str = ""


class OpSpecOut(Schema):
    name: str
    kind: OpKind
    version: int
    min_version: int
    description: str
