"""The channel outbox: platform calls written with the change they report, delivered later with retries.

Why an outbox: confirming a shipment to Taobao inside the request would either hold the database
transaction open over a slow HTTP call, or confirm a shipment whose transaction then rolls back. So
the change and the row describing the call commit together, and ``deliver_due`` sends the rows
afterwards. A row is never deleted: it ends ``sent`` or ``dead`` (a person looks), and every failure
keeps its message.

Delivery is at least once. A worker first *claims* due rows in a short transaction (``attempts``+1,
``next_attempt_at`` pushed one lease ahead; on PostgreSQL ``FOR UPDATE SKIP LOCKED`` lets other
workers take other rows instead of waiting), then calls the sender with no transaction open, then
records the outcome. If the process dies in between, the lease runs out and the row is due again.
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from datetime import datetime, timedelta
from functools import partial
from typing import Any

import msgspec
from sqlalchemy import select, update
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from server.db.transaction import run_in_transaction
from server.db.types import utcnow
from server.fulfilment.shipping.models import ChannelOutbox, OutboxKind, OutboxStatus
from server.orders.adapters.base import OutboundCall

Sender = Callable[[OutboundCall], Awaitable[None]]
"""Makes the platform call; returns on success, raises on failure (``PermanentFailure`` if retrying
cannot help). Injected so the HTTP clients, with their credentials, live elsewhere."""


class Outgoing(msgspec.Struct, kw_only=True, frozen=True):
    """One claimed row as a ``RowSender`` sees it: the call, and whose credentials sign it."""

    row_id: int
    channel_id: int
    kind: OutboxKind
    call: OutboundCall


RowSender = Callable[[Outgoing], Awaitable[None]]
"""A ``Sender`` that is told the row's channel and kind: the real senders (``server.channels``)
sign with the channel's own credentials, and treat "already shipped" differently from a stock update."""

MAX_ATTEMPTS = 10
FIRST_RETRY = timedelta(minutes=1)
MAX_RETRY = timedelta(hours=6)
LEASE = timedelta(minutes=5)
"""How long a claimed row is left to its worker before another may take it: longer than any sane
platform call, short enough that a crashed worker's rows go out the same quarter hour."""
BATCH = 50
ERROR_LIMIT = 2000


class PermanentFailure(Exception):
    """The platform refused the call for good (order closed, bad credentials): retrying cannot help."""


class DeliveryReport(msgspec.Struct, kw_only=True):
    """Row ids by outcome of one ``deliver_due`` run."""

    sent: list[int] = msgspec.field(default_factory=list)
    retrying: list[int] = msgspec.field(default_factory=list)
    dead: list[int] = msgspec.field(default_factory=list)


def retry_delay(attempts: int) -> timedelta:
    """Wait after the ``attempts``-th failure: 1 min, doubling, at most 6 h — a platform down for an
    hour is tried a handful of times, not hammered."""
    return min(FIRST_RETRY * (1 << max(attempts - 1, 0)), MAX_RETRY)


def enqueue(
    session: AsyncSession,
    channel_id: int,
    kind: OutboxKind,
    call: OutboundCall,
    *,
    reference: str = "",
    dedupe_key: str | None = None,
    now: datetime | None = None,
) -> ChannelOutbox:
    """Add a call to the outbox in the caller's transaction (it commits or rolls back with the change)."""
    now = now or utcnow()
    row = ChannelOutbox(
        channel_id=channel_id,
        kind=kind,
        payload=msgspec.to_builtins(call),
        reference=reference,
        dedupe_key=dedupe_key,
        status=OutboxStatus.pending,
        attempts=0,
        next_attempt_at=now,
        created_at=now,
    )
    session.add(row)
    return row


class _Claimed(msgspec.Struct, frozen=True):
    id: int
    attempts: int
    payload: dict[str, Any]
    channel_id: int
    kind: OutboxKind


async def _claim(session: AsyncSession, now: datetime, limit: int, lease: timedelta) -> list[_Claimed]:
    statement = (
        select(
            ChannelOutbox.id,
            ChannelOutbox.attempts,
            ChannelOutbox.payload,
            ChannelOutbox.channel_id,
            ChannelOutbox.kind,
        )
        .where(
            ChannelOutbox.status.in_((OutboxStatus.pending, OutboxStatus.failed)),
            ChannelOutbox.next_attempt_at <= now,
        )
        .order_by(ChannelOutbox.next_attempt_at, ChannelOutbox.id)
        .limit(limit)
    )
    if session.get_bind().dialect.name == "postgresql":
        statement = statement.with_for_update(skip_locked=True)
    rows = (await session.execute(statement)).all()
    if not rows:
        return []
    await session.execute(
        update(ChannelOutbox)
        .where(ChannelOutbox.id.in_([r.id for r in rows]))
        .values(attempts=ChannelOutbox.attempts + 1, next_attempt_at=now + lease)
    )
    return [_Claimed(r.id, r.attempts + 1, r.payload, r.channel_id, r.kind) for r in rows]


async def _settle(session: AsyncSession, claimed: _Claimed, values: dict[str, Any]) -> None:
    """Record an outcome, unless another worker re-claimed the row after our lease ran out (its
    ``attempts`` moved on): that worker's outcome is the one that counts."""
    await session.execute(
        update(ChannelOutbox)
        .where(
            ChannelOutbox.id == claimed.id,
            ChannelOutbox.attempts == claimed.attempts,
            ChannelOutbox.status.in_((OutboxStatus.pending, OutboxStatus.failed)),
        )
        .values(**values)
    )


def _outcome(claimed: _Claimed, error: BaseException | None, now: datetime) -> tuple[str, dict[str, Any]]:
    if error is None:
        return "sent", {"status": OutboxStatus.sent, "sent_at": now, "last_error": ""}
    message = f"{type(error).__name__}: {error}"[:ERROR_LIMIT]
    if isinstance(error, PermanentFailure | msgspec.ValidationError) or claimed.attempts >= MAX_ATTEMPTS:
        return "dead", {"status": OutboxStatus.dead, "last_error": message}
    retry_at = now + retry_delay(claimed.attempts)
    return "retrying", {"status": OutboxStatus.failed, "next_attempt_at": retry_at, "last_error": message}


async def deliver_due(
    factory: async_sessionmaker[AsyncSession],
    sender: Sender,
    now: datetime,
    *,
    limit: int = BATCH,
    lease: timedelta = LEASE,
) -> DeliveryReport:
    """Send up to ``limit`` rows due at ``now`` with a sender that needs only the call (tests, tools);
    see ``deliver_rows``."""

    async def send(row: Outgoing) -> None:
        await sender(row.call)

    return await deliver_rows(factory, send, now, limit=limit, lease=lease)


async def deliver_rows(
    factory: async_sessionmaker[AsyncSession],
    sender: RowSender,
    now: datetime,
    *,
    limit: int = BATCH,
    lease: timedelta = LEASE,
) -> DeliveryReport:
    """Send up to ``limit`` rows due at ``now``; failures wait ``retry_delay`` and die after
    ``MAX_ATTEMPTS``. The outbox worker (``server.channels.worker``) calls this every few seconds."""
    claimed = await run_in_transaction(factory, partial(_claim, now=now, limit=limit, lease=lease))
    report = DeliveryReport()
    for row in claimed:
        error: Exception | None = None
        try:
            call = msgspec.convert(row.payload, OutboundCall)
            await sender(Outgoing(row_id=row.id, channel_id=row.channel_id, kind=row.kind, call=call))
        except Exception as exc:  # any failure is recorded on the row; the loop goes on with the next
            error = exc
        outcome, values = _outcome(row, error, now)
        await run_in_transaction(factory, partial(_settle, claimed=row, values=values))
        getattr(report, outcome).append(row.id)
    return report
