"""The wire types of sync protocol 1 (SPEC.md §3–§7): what a device sends and what it gets back.

Everything a client needs to speak the protocol is here and in SPEC.md; field names are the JSON
names. Structs forbid unknown fields on the way in so a typo in a client is an error, not a
silently ignored value (SPEC.md §9.1).
"""

from __future__ import annotations

from datetime import datetime
from enum import StrEnum
from typing import Any, Literal

import msgspec

PROTOCOL_VERSION = 1
"""Bumped only for changes an old client cannot ignore (SPEC.md §10)."""

MAX_OPS_PER_PUSH = 500
"""Large enough for a 100-op batch with room to merge retries; small enough to bound a transaction."""

MAX_PULL_LIMIT = 1000
DEFAULT_PULL_LIMIT = 1000


class _In(msgspec.Struct, forbid_unknown_fields=True, kw_only=True):
    """Incoming: unknown fields are an error (a misspelt field must not be dropped silently)."""


class _Out(msgspec.Struct, kw_only=True, omit_defaults=True):
    """Outgoing: clients must ignore fields they do not know (SPEC.md §10.2)."""


class OpStatus(StrEnum):
    """The outcomes of an op (SPEC.md §5.3). Every op gets exactly one, once."""

    applied = "applied"
    applied_with_exception = "applied_with_exception"
    rejected = "rejected"
    held = "held"
    unknown = "unknown"
    """Only in a replay: the sequence number was applied but its record no longer exists."""


class Op(_In, kw_only=True):
    """One fact or request recorded on a device (SPEC.md §4)."""

    op_id: str = msgspec.field()
    seq: int
    name: str
    version: int = 1
    payload: dict[str, Any]
    hlc: str
    wall_time: datetime


class PushRequest(_In, kw_only=True):
    """SPEC.md §5.1."""

    protocol: int
    device_id: str
    warehouse_id: int
    client_version: str = ""
    ops: list[Op]


class RaisedException(_Out, kw_only=True):
    """A follow-up the server opened because of an op: a count task, a put-back task, a flag."""

    kind: str
    message: str
    message_zh: str = ""
    ref: dict[str, Any] = msgspec.field(default_factory=dict)


class OpResult(_Out, kw_only=True):
    """SPEC.md §5.3. ``replayed`` is true when this is the stored answer to an op seen before."""

    op_id: str
    seq: int
    status: OpStatus
    code: str = ""
    message: str = ""
    message_zh: str = ""
    result: dict[str, Any] = msgspec.field(default_factory=dict)
    exceptions: list[RaisedException] = msgspec.field(default_factory=list)
    replayed: bool = False


class PushResponse(_Out, kw_only=True):
    protocol: int = PROTOCOL_VERSION
    device_id: str
    last_applied_seq: int
    results: list[OpResult]
    server_time: datetime


class PullRequest(_In, kw_only=True):
    """SPEC.md §6.1. ``cursor`` is opaque: send back exactly what the last page returned."""

    protocol: int
    device_id: str
    warehouse_id: int
    cursor: str | None = None
    limit: int = DEFAULT_PULL_LIMIT
    acked_seq: int = 0


class Change(_Out, kw_only=True):
    """One row of the device's local store to put or delete (SPEC.md §6.3)."""

    entity: str
    key: str
    op: Literal["put", "del"]
    data: dict[str, Any] | None = None


class PullResponse(_Out, kw_only=True):
    """SPEC.md §6.2."""

    protocol: int = PROTOCOL_VERSION
    cursor: str
    changes: list[Change]
    has_more: bool
    reset: bool = False
    snapshot: bool = False
    snapshot_complete: bool = False
    last_applied_seq: int
    resend_from: int | None = None
    server_time: datetime


class ErrorDetail(_Out, kw_only=True):
    """The body of every protocol error (SPEC.md §8): ``code`` is what a client switches on."""

    status: int
    code: str
    message: str
    message_zh: str = ""
    field: str | None = None
    detail: dict[str, Any] | None = None


__all__ = (
    "DEFAULT_PULL_LIMIT",
    "MAX_OPS_PER_PUSH",
    "MAX_PULL_LIMIT",
    "PROTOCOL_VERSION",
    "Change",
    "ErrorDetail",
    "Op",
    "OpResult",
    "OpStatus",
    "PullRequest",
    "PullResponse",
    "PushRequest",
    "PushResponse",
    "RaisedException",
)
