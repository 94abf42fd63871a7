"""Op kinds, their handlers and their upgrades (SPEC.md §7): what each op name means, per version.

Domains register an ``OpSpec`` per op name. The engine looks the op up, upgrades an old version's
payload step by step, decodes it into the handler's msgspec type and calls the handler inside the
push transaction. Facts (something physically happened) are never refused — their handlers turn
surprises into exceptions for a person; requests (asking for something) may be refused with
``OpRejected`` (SPEC.md §7.1).
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable, Mapping
from dataclasses import dataclass, field
from datetime import datetime
from enum import StrEnum
from typing import Any

import msgspec
from sqlalchemy.ext.asyncio import AsyncSession

from sync.wire import Op, RaisedException


class OpKind(StrEnum):
    fact = "fact"
    request = "request"


class OpRejected(Exception):
    """A request refused, or a payload that cannot mean anything; the op is marked ``rejected``."""

    def __init__(self, code: str, message: str, *, message_zh: str = "", detail: dict[str, Any] | None = None) -> None:
        super().__init__(message)
        self.code = code
        self.message = message
        self.message_zh = message_zh
        self.detail = detail or {}


@dataclass(frozen=True, slots=True)
class OpContext:
    """Everything a handler may know about the op beyond its payload."""

    session: AsyncSession
    op: Op
    device_id: str
    user_id: int
    warehouse_id: int
    event_time: datetime
    """When it happened, from the HLC stamp; the receive time when the stamp was not trusted."""
    received_at: datetime
    clock_flagged: bool

    @property
    def idempotency_key(self) -> str:
        """A ledger key unique to this op (suffix it when one op posts several moves)."""
        return f"op:{self.op.op_id}"


@dataclass(slots=True)
class Outcome:
    """What a handler did: a small result for the device and the exceptions it raised for people."""

    result: dict[str, Any] = field(default_factory=dict)
    exceptions: list[RaisedException] = field(default_factory=list)


Handler = Callable[[OpContext, Any], Awaitable[Outcome]]
BatchHandler = Callable[[list[OpContext], list[Any]], Awaitable[list[Outcome]]]
"""Applies consecutive ops together — of every name whose spec names this same function — with
the outcomes their handlers would give one by one in order; raising anything sends the push down
the one-by-one path."""
Upgrader = Callable[[dict[str, Any]], dict[str, Any]]
Prelock = Callable[[list[OpContext], list[Any]], Awaitable[None]]
"""Given every op of a push that will run (decoded), lock what they will touch in one global order
before the first runs, so concurrent pushes wait for each other instead of deadlocking."""


@dataclass(frozen=True, slots=True)
class OpSpec:
    """One op name. ``upgraders[v]`` turns a version-``v`` payload into version ``v + 1``."""

    name: str
    kind: OpKind
    version: int
    payload_type: type[msgspec.Struct]
    handler: Handler
    upgraders: Mapping[int, Upgrader] = field(default_factory=dict)
    min_version: int = 1
    description: str = ""
    batch_handler: BatchHandler | None = None


class UnknownOp(Exception):
    pass


class OpVersionTooNew(Exception):
    """The device speaks a newer version than this server: hold the op until the server catches up."""


class OpVersionTooOld(Exception):
    """No upgrade path keeps the op's meaning: the client must update before pushing (SPEC.md §10.3)."""

    def __init__(self, name: str, version: int, min_version: int) -> None:
        super().__init__(f"{name} version {version} is older than the oldest supported ({min_version})")
        self.name = name
        self.version = version
        self.min_version = min_version


class InvalidPayload(Exception):
    pass


class Registry:
    """The op names this server understands."""

    def __init__(self, *, prelock: Prelock | None = None) -> None:
        self._specs: dict[str, OpSpec] = {}
        self.prelock = prelock

    def register(self, spec: OpSpec) -> None:
        if spec.name in self._specs:
            msg = f"op {spec.name} registered twice"
            raise ValueError(msg)
        missing = [v for v in range(spec.min_version, spec.version) if v not in spec.upgraders]
        if missing:
            msg = f"op {spec.name}: no upgrader from version(s) {missing}"
            raise ValueError(msg)
        self._specs[spec.name] = spec

    def specs(self) -> list[OpSpec]:
        return sorted(self._specs.values(), key=lambda s: s.name)

    def get(self, name: str) -> OpSpec:
        spec = self._specs.get(name)
        if spec is None:
            raise UnknownOp(name)
        return spec

    def check_version(self, op: Op) -> OpSpec:
        """The spec for ``op``; raises for unknown names and unsupported versions."""
        spec = self.get(op.name)
        if op.version > spec.version:
            raise OpVersionTooNew(op.name)
        if op.version < spec.min_version:
            raise OpVersionTooOld(op.name, op.version, spec.min_version)
        return spec

    def decode(self, spec: OpSpec, op: Op) -> Any:
        """Upgrade the payload to the current version and decode it into the handler's type."""
        payload = dict(op.payload)
        for version in range(op.version, spec.version):
            payload = spec.upgraders[version](payload)
        try:
            return msgspec.convert(payload, spec.payload_type, strict=True)
        except msgspec.ValidationError as exc:
            raise InvalidPayload(str(exc)) from exc
