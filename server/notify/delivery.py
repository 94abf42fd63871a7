"""Sending composed messages: claim, push with no transaction open, record the outcome.

The same lease pattern as the channel outbox (ADR-0017): claiming bumps ``attempts`` and pushes
``next_attempt_at`` a lease ahead, so a worker that dies mid-send leaves the message due again.

How the push service's answer is judged (RFC 8030 §5, and what FCM / Mozilla / Apple document):

- 201 (or any 2xx): sent.
- 404 / 410: the subscription is gone (unsubscribed, expired, app data cleared): it is deleted, and
  its waiting deliveries and messages with it.
- 429: too many; try again after ``Retry-After`` (seconds or an HTTP date), else the backoff.
- 5xx, 408, no answer at all: try again after the backoff (30 s doubling, at most 30 min).
- any other 4xx (400 bad payload, 401/403 VAPID refused, 413 too big): dead — retrying sends the
  same bytes to the same refusal; a person reads ``last_error``.
- ``MAX_ATTEMPTS`` tries without success: dead.
"""

from __future__ import annotations

import asyncio
from datetime import UTC, datetime, timedelta
from email.utils import parsedate_to_datetime
from functools import partial
from typing import Any

import msgspec
from sqlalchemy import delete, select, update
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from server.db.transaction import run_in_transaction
from server.notify.locking import skip_locked
from server.notify.models import MessageStatus, PushMessage, PushSubscription
from server.notify.transport import Answer, Outgoing, Transport

MAX_ATTEMPTS = 8
FIRST_RETRY = timedelta(seconds=30)
MAX_RETRY = timedelta(minutes=30)
MAX_RETRY_AFTER = timedelta(hours=6)
LEASE = timedelta(minutes=2)
BATCH = 50
CONCURRENCY = 8
ERROR_LIMIT = 2000
GONE = frozenset({404, 410})
RETRY = frozenset({408, 429})


class DeliveryReport(msgspec.Struct, kw_only=True):
    """Message ids by outcome."""

    sent: list[int] = msgspec.field(default_factory=list)
    retrying: list[int] = msgspec.field(default_factory=list)
    dead: list[int] = msgspec.field(default_factory=list)
    gone: list[int] = msgspec.field(default_factory=list)
    """Subscriptions deleted because the push service said 404/410."""

    def extend(self, other: DeliveryReport) -> None:
        for name in ("sent", "retrying", "dead", "gone"):
            getattr(self, name).extend(getattr(other, name))

    @property
    def handled(self) -> int:
        return len(self.sent) + len(self.retrying) + len(self.dead) + len(self.gone)


def retry_delay(attempts: int) -> timedelta:
    """Wait after the ``attempts``-th failure: 30 s, 1, 2, 4, 8, 16, 30 min."""
    return min(FIRST_RETRY * (1 << max(attempts - 1, 0)), MAX_RETRY)


def retry_after(value: str | None, now: datetime) -> timedelta | None:
    """``Retry-After`` as seconds or an HTTP date, kept within (0, 6 h]; ``None`` if absent or unreadable."""
    if not value:
        return None
    text = value.strip()
    if text.isdigit():
        wait = timedelta(seconds=int(text))
    else:
        try:
            when = parsedate_to_datetime(text)
        except (TypeError, ValueError):
            return None
        wait = (when if when.tzinfo else when.replace(tzinfo=UTC)) - now
    return min(max(wait, timedelta(seconds=1)), MAX_RETRY_AFTER)


class _Claimed(msgspec.Struct, frozen=True):
    attempts: int
    out: Outgoing


async def _claim(session: AsyncSession, now: datetime, limit: int) -> list[_Claimed]:
    rows = (
        await session.execute(
            skip_locked(
                select(
                    PushMessage.id,
                    PushMessage.attempts,
                    PushMessage.payload,
                    PushMessage.urgency,
                    PushMessage.topic,
                    PushMessage.ttl,
                    PushSubscription.id.label("subscription_id"),
                    PushSubscription.endpoint,
                    PushSubscription.p256dh,
                    PushSubscription.auth,
                )
                .join(PushSubscription, PushSubscription.id == PushMessage.subscription_id)
                .where(
                    PushMessage.status.in_((MessageStatus.pending, MessageStatus.failed)),
                    PushMessage.next_attempt_at <= now,
                )
                .order_by(PushMessage.next_attempt_at, PushMessage.id)
                .limit(limit),
                session,
                of=PushMessage,
            )
        )
    ).all()
    if not rows:
        return []
    await session.execute(
        update(PushMessage)
        .where(PushMessage.id.in_([r.id for r in rows]))
        .values(attempts=PushMessage.attempts + 1, next_attempt_at=now + LEASE)
    )
    return [
        _Claimed(
            r.attempts + 1,
            Outgoing(
                message_id=r.id,
                subscription_id=r.subscription_id,
                endpoint=r.endpoint,
                p256dh=r.p256dh,
                auth=r.auth,
                payload=r.payload,
                urgency=str(r.urgency),
                topic=r.topic,
                ttl=r.ttl,
            ),
        )
        for r in rows
    ]


def judge(
    attempts: int, answer: Answer | None, error: BaseException | None, now: datetime
) -> tuple[str, dict[str, Any]]:
    """The outcome name and the message's new values."""
    if answer is not None and 200 <= answer.status < 300:
        return "sent", {"status": MessageStatus.sent, "sent_at": now, "last_status": answer.status, "last_error": ""}
    if answer is not None and answer.status in GONE:
        return "gone", {}
    status = answer.status if answer is not None else None
    message = (answer.text if answer is not None else f"{type(error).__name__}: {error}")[:ERROR_LIMIT]
    retryable = status is None or status in RETRY or status >= 500
    if not retryable or attempts >= MAX_ATTEMPTS:
        return "dead", {"status": MessageStatus.dead, "last_status": status, "last_error": message}
    wait = (retry_after(answer.retry_after, now) if answer is not None else None) or retry_delay(attempts)
    return "retrying", {
        "status": MessageStatus.failed,
        "next_attempt_at": now + wait,
        "last_status": status,
        "last_error": message,
    }


async def _settle(
    session: AsyncSession, claimed: _Claimed, outcome: str, values: dict[str, Any], now: datetime
) -> None:
    """Record the outcome unless another worker re-claimed the message after our lease ran out."""
    message_id, subscription_id = claimed.out.message_id, claimed.out.subscription_id
    if outcome == "gone":
        await session.execute(delete(PushSubscription).where(PushSubscription.id == subscription_id))
        return
    result = await session.execute(
        update(PushMessage)
        .where(
            PushMessage.id == message_id,
            PushMessage.attempts == claimed.attempts,
            PushMessage.status.in_((MessageStatus.pending, MessageStatus.failed)),
        )
        .values(**values)
        .returning(PushMessage.id)
    )
    if outcome == "sent" and result.first() is not None:
        await session.execute(
            update(PushSubscription).where(PushSubscription.id == subscription_id).values(last_sent_at=now)
        )


async def deliver_due(
    factory: async_sessionmaker[AsyncSession], transport: Transport, now: datetime, *, limit: int = BATCH
) -> DeliveryReport:
    """Send up to ``limit`` messages due at ``now``, ``CONCURRENCY`` at a time."""
    claimed = await run_in_transaction(factory, partial(_claim, now=now, limit=limit))
    report = DeliveryReport()
    gate = asyncio.Semaphore(CONCURRENCY)

    async def one(item: _Claimed) -> tuple[_Claimed, str]:
        answer: Answer | None = None
        error: Exception | None = None
        async with gate:
            try:
                answer = await transport(item.out)
            except Exception as exc:  # no answer (network, timeout): retried like a 5xx
                error = exc
        outcome, values = judge(item.attempts, answer, error, now)
        await run_in_transaction(factory, partial(_settle, claimed=item, outcome=outcome, values=values, now=now))
        return item, outcome

    for item, outcome in await asyncio.gather(*(one(c) for c in claimed)):
        ids = item.out.subscription_id if outcome == "gone" else item.out.message_id
        getattr(report, outcome).append(ids)
    return report
