"""Applying a push (SPEC.md §5): ops in sequence order, each exactly once, all in the caller's transaction.

The device's ``last_applied_seq`` moves in the same transaction as the ops' effects, so a response
lost after commit is harmless: the retry finds the ops applied and gets their stored results.

Two modes. The fast one runs every handler directly in the push transaction. If a handler raises
anything (a refused request, a bug), the engine cannot know what that handler had already written,
so it raises ``NeedsIsolation``; the caller rolls back and runs the batch again isolated, each op in
its own savepoint, where a failing op is rolled back alone and recorded ``rejected``.
"""

from __future__ import annotations

import hashlib
import logging
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any

import msgspec
from sqlalchemy import bindparam, select, text, update
from sqlalchemy.ext.asyncio import AsyncSession

from sync import feed
from sync.db_errors import is_transient
from sync.errors import (
    ClientTooOld,
    DeviceMismatch,
    MalformedBatch,
    OpIdConflict,
    ProtocolUnsupported,
    SequenceGap,
    SequenceReused,
)
from sync.hlc import MAX_DRIFT, ClockFlag, InvalidStamp, Placement, Stamp, event_time
from sync.registry import (
    InvalidPayload,
    OpContext,
    OpRejected,
    OpSpec,
    OpVersionTooNew,
    OpVersionTooOld,
    Outcome,
    Prelock,
    Registry,
    UnknownOp,
)
from sync.sql_types import UTCDateTime
from sync.tables import SyncTables
from sync.wire import (
    MAX_OPS_PER_PUSH,
    PROTOCOL_VERSION,
    Op,
    OpResult,
    OpStatus,
    PushRequest,
    PushResponse,
    RaisedException,
)

log = logging.getLogger(__name__)


class NeedsIsolation(Exception):
    """Roll back and call ``apply_push`` again with ``isolate=True``."""


@dataclass(frozen=True, slots=True)
class DeviceContext:
    """Who pushes, as the server knows it now (not as the device believes)."""

    device_id: str
    user_id: int
    warehouse_id: int | None
    revoked: bool
    registered_at: datetime | None = None
    """No event of this device can predate it (less the allowed drift): SPEC.md §4.3 rule 5."""


def content_hash(op: Op) -> str:
    """What "the same op" means (SPEC.md §5.5): every field but the id, canonically encoded."""
    body = msgspec.json.encode(
        [op.seq, op.name, op.version, op.payload, op.hlc, op.wall_time.isoformat()], order="sorted"
    )
    return hashlib.sha256(body).hexdigest()


def check_batch(request: PushRequest, device: DeviceContext) -> None:
    """SPEC.md §5.1: the batch-level rules, checked before anything is read or written."""
    if request.protocol != PROTOCOL_VERSION:
        raise ProtocolUnsupported(
            f"protocol {request.protocol} is not spoken here (this server speaks {PROTOCOL_VERSION})",
            message_zh="同步协议版本不受支持，请更新应用",
            detail={"supported": [PROTOCOL_VERSION]},
        )
    if request.device_id != device.device_id:
        raise DeviceMismatch(
            "the push names another device than the one this token belongs to", message_zh="设备与登录凭证不符"
        )
    ops = request.ops
    if len(ops) > MAX_OPS_PER_PUSH:
        raise MalformedBatch(f"at most {MAX_OPS_PER_PUSH} ops per push", message_zh="单次推送操作过多")
    for index, op in enumerate(ops):
        if op.seq < 1 or (index and op.seq != ops[0].seq + index):
            raise MalformedBatch(
                f"ops.{index}.seq: sequence numbers in a batch must be consecutive from 1 upwards",
                message_zh="批次内序号必须连续",
                detail={"field": f"ops.{index}.seq"},
            )
        if not 8 <= len(op.op_id) <= 64:
            raise MalformedBatch(
                f"ops.{index}.op_id must be 8–64 characters",
                message_zh="操作 ID 长度须为 8–64",
                detail={"field": f"ops.{index}.op_id"},
            )
    if len({op.op_id for op in ops}) != len(ops):
        raise MalformedBatch("the same op_id appears twice in one batch", message_zh="批次内操作 ID 重复")


async def apply_push(
    session: AsyncSession,
    tables: SyncTables,
    registry: Registry,
    device: DeviceContext,
    request: PushRequest,
    *,
    now: datetime,
    isolate: bool = False,
) -> PushResponse:
    """Apply ``request`` in the caller's transaction and answer one result per op, in order."""
    check_batch(request, device)
    last_applied, last_hlc = await _lock_device(session, tables, device.device_id, now)
    ops = request.ops
    seen = [op for op in ops if op.seq <= last_applied]
    fresh = [op for op in ops if op.seq > last_applied]
    results: dict[str, OpResult] = await _replayed(session, tables, device.device_id, seen)
    if fresh:
        if fresh[0].seq != last_applied + 1:
            raise SequenceGap(expected=last_applied + 1, got=fresh[0].seq)
        await _refuse_known_ids(session, tables, fresh)
        placements: list[Placement | None] = []
        previous: datetime | None = None
        for op in fresh:
            placement = _keep_order(_place(op, last_hlc, device.registered_at, now), previous)
            placements.append(placement)
            previous = placement.event_time if placement is not None else previous
            if placement is not None and placement.trusted:  # only trusted stamps raise the floor
                last_hlc = max(last_hlc, op.hlc)
        runnable = _runnable(registry, device, request, fresh, placements)
        ready = [item for item in runnable if item is not None]
        if registry.prelock is not None and ready:
            await _prelock(
                session, registry.prelock, [_context(session, device, request, i, now) for i in ready], ready
            )
        rows = []
        index = 0
        while index < len(fresh):
            run = [] if isolate else _batch_run(runnable, index)
            if len(run) > 1:
                answered = await _apply_batch(session, device, request, run, now=now)
            else:
                answered = [
                    await _apply_one(
                        session, registry, device, request, fresh[index], placements[index], now=now, isolate=isolate
                    )
                ]
            for result, row in answered:
                results[result.op_id] = result
                rows.append(row)
            index += len(answered)
        await session.execute(tables.ops.insert(), rows)
        last_applied = fresh[-1].seq
        await session.execute(
            update(tables.devices)
            .where(tables.devices.c.device_id == device.device_id)
            .values(last_applied_seq=last_applied, last_hlc=last_hlc, updated_at=now)
        )
    return PushResponse(
        device_id=device.device_id,
        last_applied_seq=last_applied,
        results=[results[op.op_id] for op in ops],
        server_time=now,
    )


_CREATE_DEVICE_ROW = text(
    "INSERT INTO sync_devices (device_id, last_applied_seq, last_hlc, updated_at) "
    "VALUES (:device_id, 0, '', :now) ON CONFLICT (device_id) DO NOTHING"
).bindparams(bindparam("now", type_=UTCDateTime()))


async def _lock_device(session: AsyncSession, tables: SyncTables, device_id: str, now: datetime) -> tuple[int, str]:
    """Create the device's sync row if new and lock it: concurrent pushes of one device serialize here."""
    await session.execute(_CREATE_DEVICE_ROW, {"device_id": device_id, "now": now})
    row = (
        await session.execute(
            select(tables.devices.c.last_applied_seq, tables.devices.c.last_hlc)
            .where(tables.devices.c.device_id == device_id)
            .with_for_update()
        )
    ).one()
    return int(row[0]), str(row[1])


async def _replayed(
    session: AsyncSession, tables: SyncTables, device_id: str, ops: Sequence[Op]
) -> dict[str, OpResult]:
    """Stored results for ops already applied (SPEC.md §5.5); refuses ids or content that differ."""
    if not ops:
        return {}
    t = tables.ops
    rows = (
        await session.execute(
            select(
                t.c.seq,
                t.c.op_id,
                t.c.payload_hash,
                t.c.status,
                t.c.code,
                t.c.message,
                t.c.message_zh,
                t.c.result,
                t.c.exceptions,
            ).where(t.c.device_id == device_id, t.c.seq.in_([op.seq for op in ops]))
        )
    ).all()
    by_seq = {row.seq: row for row in rows}
    results: dict[str, OpResult] = {}
    for op in ops:
        row = by_seq.get(op.seq)
        if row is None:  # applied, but the record is gone (a database repaired by hand): say so, never guess
            results[op.op_id] = OpResult(
                op_id=op.op_id,
                seq=op.seq,
                status=OpStatus.unknown,
                code="outcome_unknown",
                message="the server applied this sequence number but holds no record of its outcome",
                message_zh="服务器已处理该序号，但没有保存其结果",
                replayed=True,
            )
            continue
        if row.op_id != op.op_id:
            raise SequenceReused(
                f"sequence {op.seq} was already applied for op {row.op_id}, not {op.op_id}: this device lost "
                "its state; register it again as a new device",
                message_zh="设备本地数据已丢失，请重新注册设备",
                detail={"seq": op.seq},
            )
        if row.payload_hash != content_hash(op):
            raise _conflict(op)
        results[op.op_id] = OpResult(
            op_id=op.op_id,
            seq=op.seq,
            status=OpStatus(row.status),
            code=row.code,
            message=row.message,
            message_zh=row.message_zh,
            result=row.result,
            exceptions=msgspec.convert(row.exceptions, list[RaisedException]),
            replayed=True,
        )
    return results


def _conflict(op: Op) -> OpIdConflict:
    return OpIdConflict(
        f"op {op.op_id} was already received with different content",
        message_zh="同一操作 ID 的内容不一致",
        detail={"op_id": op.op_id, "seq": op.seq},
    )


async def _refuse_known_ids(session: AsyncSession, tables: SyncTables, ops: Sequence[Op]) -> None:
    t = tables.ops
    known = (await session.execute(select(t.c.op_id).where(t.c.op_id.in_([op.op_id for op in ops])))).scalars().first()
    if known is not None:
        raise _conflict(next(op for op in ops if op.op_id == known))


def _place(op: Op, last_hlc: str, registered_at: datetime | None, now: datetime) -> Placement | None:
    """The op's place in time (SPEC.md §4.3), or ``None`` when its stamp cannot be read.

    The floor is the later of the device's last trusted stamp and its registration (less the
    allowed drift): a healthy device's HLC never goes below either.
    """
    try:
        stamp = Stamp.parse(op.hlc)
    except InvalidStamp:
        return None
    floors = [registered_at - MAX_DRIFT] if registered_at is not None else []
    if last_hlc:
        floors.append(Stamp.parse(last_hlc).time)
    return event_time(stamp, now, floor=max(floors) if floors else None)


def _keep_order(placement: Placement | None, previous: datetime | None) -> Placement | None:
    """Ops of one device are in seq order, so their event times must be too: several ops placed at
    the same receive time or floor (distrusted clocks) are spread a microsecond apart, or a count
    and the move recorded after it would look simultaneous."""
    if placement is None or previous is None or placement.event_time > previous:
        return placement
    return Placement(previous + timedelta(microseconds=1), placement.flag)


_CLOCK_MESSAGES = {
    ClockFlag.ahead: (
        "the device clock was more than 5 minutes ahead ({hlc}); ordered by receive time",
        "设备时钟超前 5 分钟以上，按服务器接收时间排序",
    ),
    ClockFlag.behind: (
        "the device clock went back before its previous event ({hlc}); ordered after that event",
        "设备时钟回拨（早于其上一个事件），按上一个事件之后排序",
    ),
}


@dataclass(frozen=True, slots=True)
class _Batched:
    op: Op
    placement: Placement
    spec: OpSpec
    payload: Any


def _runnable(
    registry: Registry,
    device: DeviceContext,
    request: PushRequest,
    ops: Sequence[Op],
    placements: Sequence[Placement | None],
) -> list[_Batched | None]:
    """Each op decoded, if its handler will run: a readable stamp, a known name and version, a
    valid payload, a device allowed to apply it (``None`` otherwise: the one-by-one path decides
    held and rejected ops)."""
    if device.revoked or device.warehouse_id != request.warehouse_id:
        return [None] * len(ops)
    runnable: list[_Batched | None] = []
    for op, placement in zip(ops, placements, strict=True):
        item = None
        if placement is not None:
            try:
                spec = registry.check_version(op)
                item = _Batched(op, placement, spec, registry.decode(spec, op))
            except (UnknownOp, OpVersionTooNew, OpVersionTooOld, InvalidPayload):
                pass
        runnable.append(item)
    return runnable


def _batch_run(runnable: Sequence[_Batched | None], start: int) -> list[_Batched]:
    """The consecutive runnable ops from ``start`` that one batch handler applies together (ops of
    several names may share one: moves and picks do)."""
    run: list[_Batched] = []
    for item in runnable[start:]:
        if item is None or item.spec.batch_handler is None:
            break
        if run and item.spec.batch_handler is not run[0].spec.batch_handler:
            break
        run.append(item)
    return run


async def _prelock(session: AsyncSession, prelock: Prelock, contexts: list[OpContext], ready: list[_Batched]) -> None:
    """Take the push's locks up front; if that fails for good, go on without (the handlers lock as
    they go, only less tidily): a bug here must not fail every retry and wedge the device."""
    savepoint = await session.begin_nested()
    try:
        await prelock(contexts, [item.payload for item in ready])
    except Exception as exc:
        if is_transient(exc):
            raise
        log.exception("taking a push's locks up front failed; applying without")
        await savepoint.rollback()
    else:
        await savepoint.commit()


def _context(
    session: AsyncSession, device: DeviceContext, request: PushRequest, item: _Batched, now: datetime
) -> OpContext:
    return OpContext(
        session=session,
        op=item.op,
        device_id=device.device_id,
        user_id=device.user_id,
        warehouse_id=request.warehouse_id,
        event_time=item.placement.event_time,
        received_at=now,
        clock_flagged=not item.placement.trusted,
    )


async def _apply_batch(
    session: AsyncSession, device: DeviceContext, request: PushRequest, run: list[_Batched], *, now: datetime
) -> list[tuple[OpResult, dict[str, Any]]]:
    """A run of ops through their shared batch handler (same outcomes as one by one, fewer
    statements); any failure re-runs the push isolated, one op at a time (SPEC.md §5.6)."""
    contexts = [_context(session, device, request, item, now) for item in run]
    handler = run[0].spec.batch_handler
    assert handler is not None
    try:
        outcomes = await handler(contexts, [item.payload for item in run])
    except Exception as exc:
        if is_transient(exc):
            raise
        log.warning("batch of %s fell back to one by one: %r", run[0].op.name, exc)
        raise NeedsIsolation(run[0].op.op_id) from exc
    return [
        _record(device, request, item.op, item.placement, OpStatus.applied, "", "", "", outcome, now=now)
        for item, outcome in zip(run, outcomes, strict=True)
    ]


async def _apply_one(
    session: AsyncSession,
    registry: Registry,
    device: DeviceContext,
    request: PushRequest,
    op: Op,
    placement: Placement | None,
    *,
    now: datetime,
    isolate: bool,
) -> tuple[OpResult, dict[str, Any]]:
    outcome, status, code, message, message_zh = Outcome(), OpStatus.applied, "", "", ""
    event_at = placement.event_time if placement is not None else now
    flag = placement.flag if placement is not None else None
    if placement is None:
        status, code, message, message_zh = (
            OpStatus.rejected,
            "invalid_hlc",
            f"not an HLC stamp: {op.hlc[:80]!r} (expected <13-digit ms>-<4 hex>-<node>)",
            "时间戳格式错误",
        )
    else:
        status, code, message, message_zh, outcome = await _dispatch(
            session,
            registry,
            device,
            request,
            op,
            event_at=event_at,
            flagged=flag is not None,
            now=now,
            isolate=isolate,
        )
    return _record(device, request, op, placement, status, code, message, message_zh, outcome, now=now)


def _record(
    device: DeviceContext,
    request: PushRequest,
    op: Op,
    placement: Placement | None,
    status: OpStatus,
    code: str,
    message: str,
    message_zh: str,
    outcome: Outcome,
    *,
    now: datetime,
) -> tuple[OpResult, dict[str, Any]]:
    """The op's single outcome: its result for the device and its ``sync_ops`` row."""
    event_at = placement.event_time if placement is not None else now
    flag = placement.flag if placement is not None else None
    exceptions = list(outcome.exceptions)
    if flag is not None:
        text_en, text_zh = _CLOCK_MESSAGES[flag]
        exceptions.append(
            RaisedException(
                kind=flag.value,
                message=text_en.format(hlc=op.hlc),
                message_zh=text_zh,
                ref={"hlc": op.hlc, "received_at": now.isoformat(), "placed_at": event_at.isoformat()},
            )
        )
    if status is OpStatus.applied and exceptions:
        status = OpStatus.applied_with_exception
    result = OpResult(
        op_id=op.op_id,
        seq=op.seq,
        status=status,
        code=code,
        message=message,
        message_zh=message_zh,
        result=outcome.result,
        exceptions=exceptions,
    )
    row = {
        "op_id": op.op_id,
        "device_id": device.device_id,
        "seq": op.seq,
        "name": op.name[:96],
        "version": op.version,
        "payload": op.payload,
        "payload_hash": content_hash(op),
        "hlc": op.hlc[:96],
        "wall_time": op.wall_time,
        "event_time": event_at,
        "received_at": now,
        "user_id": device.user_id,
        "warehouse_id": request.warehouse_id,
        "status": status.value,
        "code": code,
        "message": message,
        "message_zh": message_zh,
        "result": outcome.result,
        "exceptions": msgspec.to_builtins(exceptions),
        "resolution": "",
    }
    return result, row


async def _dispatch(
    session: AsyncSession,
    registry: Registry,
    device: DeviceContext,
    request: PushRequest,
    op: Op,
    *,
    event_at: datetime,
    flagged: bool,
    now: datetime,
    isolate: bool,
) -> tuple[OpStatus, str, str, str, Outcome]:
    """Held, rejected without running, or run: SPEC.md §5.3 and §7.2."""
    if device.revoked:
        return (
            OpStatus.held,
            "device_revoked",
            "the device was revoked; a supervisor decides",
            "设备已停用，待主管处理",
            Outcome(),
        )
    if device.warehouse_id != request.warehouse_id:
        return (
            OpStatus.held,
            "device_moved",
            f"recorded for warehouse {request.warehouse_id}, the device now belongs to {device.warehouse_id}",
            "设备已调往其他仓库，待主管处理",
            Outcome(),
        )
    try:
        spec = registry.check_version(op)
        payload = registry.decode(spec, op)
    except UnknownOp:
        return OpStatus.rejected, "unknown_op", f"no op named {op.name!r}", "未知的操作类型", Outcome()
    except OpVersionTooNew:
        return (
            OpStatus.held,
            "op_version_unknown",
            f"{op.name} v{op.version} is newer than this server",
            "操作版本高于服务器，待升级后处理",
            Outcome(),
        )
    except OpVersionTooOld as exc:
        raise ClientTooOld(
            str(exc),
            message_zh="应用版本过旧，请更新后再同步（未同步的数据会保留）",
            detail={"op": op.name, "min_version": exc.min_version},
        ) from exc
    except InvalidPayload as exc:
        return OpStatus.rejected, "invalid_payload", str(exc), "操作数据无效", Outcome()
    context = OpContext(
        session=session,
        op=op,
        device_id=device.device_id,
        user_id=device.user_id,
        warehouse_id=request.warehouse_id,
        event_time=event_at,
        received_at=now,
        clock_flagged=flagged,
    )
    if not isolate:
        try:
            return OpStatus.applied, "", "", "", await spec.handler(context, payload)
        except Exception as exc:
            if is_transient(exc):
                raise  # the caller retries the whole push
            raise NeedsIsolation(op.op_id) from exc
    saved = feed.mark(session)
    savepoint = await session.begin_nested()
    try:
        outcome = await spec.handler(context, payload)
    except OpRejected as exc:
        await savepoint.rollback()
        feed.restore(session, saved)
        return OpStatus.rejected, exc.code, exc.message, exc.message_zh, Outcome(result=exc.detail)
    except Exception as exc:  # a poison op: recorded, never retried for ever (SPEC.md §5.6)
        if is_transient(exc):
            raise
        log.exception("sync handler for %s failed on op %s", op.name, op.op_id)
        await savepoint.rollback()
        feed.restore(session, saved)
        return (
            OpStatus.rejected,
            "handler_failed",
            f"{type(exc).__name__}: {exc}"[:500],
            "服务器处理失败，已记录",
            Outcome(),
        )
    await savepoint.commit()
    return OpStatus.applied, "", "", "", outcome


class NotHeld(Exception):
    """Only a held op can be applied later; every other op already has its one outcome."""


async def release_held(
    session: AsyncSession, tables: SyncTables, registry: Registry, op_id: str, *, now: datetime
) -> OpResult:
    """Apply a held op as if it had been applied when received (its HLC still orders it: SPEC.md §5.7).

    The op keeps its single outcome: ``held`` becomes the outcome of running it now, and the row
    records that a supervisor released it.
    """
    t = tables.ops
    row = (await session.execute(select(t).where(t.c.op_id == op_id).with_for_update())).one_or_none()
    if row is None or row.status != OpStatus.held.value:
        raise NotHeld(op_id)
    op = Op(
        op_id=row.op_id,
        seq=row.seq,
        name=row.name,
        version=row.version,
        payload=row.payload,
        hlc=row.hlc,
        wall_time=row.wall_time,
    )
    device = DeviceContext(device_id=row.device_id, user_id=row.user_id, warehouse_id=row.warehouse_id, revoked=False)
    request = PushRequest(protocol=PROTOCOL_VERSION, device_id=row.device_id, warehouse_id=row.warehouse_id, ops=[op])
    # Placed where it was placed when received, with the same clock flag (SPEC.md §4.3).
    flags = [ClockFlag(e["kind"]) for e in row.exceptions if e.get("kind") in set(ClockFlag)]
    placement = Placement(row.event_time, flags[0] if flags else None)
    result, fresh = await _apply_one(
        session, registry, device, request, op, placement, now=row.received_at, isolate=True
    )
    await session.execute(
        update(t)
        .where(t.c.op_id == op_id)
        .values(
            status=fresh["status"],
            code=fresh["code"],
            message=fresh["message"],
            message_zh=fresh["message_zh"],
            result=fresh["result"],
            exceptions=fresh["exceptions"],
            resolution="released",
        )
    )
    return result
