"""From outbox rows to messages: fan-out, then burst control.

Fan-out turns each queued notification into one delivery per live subscription its audience
matches (roles and warehouse scope are read now, not when the phone subscribed: a picker promoted
to supervisor starts hearing supervisors' news at once, a deactivated user stops).

Composing turns a subscription's waiting deliveries into messages under three rules:

- **One kind, one message per window.** The first notification of a kind goes at once; the ones
  after it within ``window`` wait, and when the window has passed they go as one summary ("12
  urgent orders"). A thousand queued together are one message.
- **At most ``per_minute`` messages a minute per phone**, all kinds together; what the budget does
  not allow waits and is folded into that kind's next message.
- **Quiet hours** (the owner's): only critical deliveries are composed; the rest wait until the
  quiet hours end and then go as a summary.

A message in flight (sending or waiting to retry) for a subscription and kind holds back that kind:
its retry should not race a newer summary to the phone.
"""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from typing import Any

import msgspec
from sqlalchemy import func, insert, or_, select, update
from sqlalchemy.ext.asyncio import AsyncSession

from server.auth.models import Device, User, UserWarehouse
from server.notify.inbox import record_inbox
from server.notify.locking import skip_locked
from server.notify.models import (
    DeliveryStatus,
    MessageStatus,
    PushDelivery,
    PushMessage,
    PushNotification,
    PushPreferences,
    PushSubscription,
    Urgency,
)
from server.notify.outbox import default_topic, kind_text
from server.notify.quiet import in_quiet_hours

FANOUT_BATCH = 500
MINUTE = timedelta(minutes=1)
URGENCY_ORDER = [Urgency.very_low, Urgency.low, Urgency.normal, Urgency.high]


@dataclass(frozen=True, slots=True)
class Limits:
    window: timedelta = timedelta(seconds=60)
    per_minute: int = 3


@dataclass(frozen=True, slots=True)
class _Target:
    id: int
    user_id: int
    roles: frozenset[str]
    all_warehouses: bool
    warehouses: frozenset[int]
    warehouse_id: int | None


async def _targets(session: AsyncSession, now: datetime) -> list[_Target]:
    """Subscriptions that can still be sent to: an active user, no revoked device, not expired."""
    rows = (
        await session.execute(
            select(
                PushSubscription.id,
                PushSubscription.user_id,
                PushSubscription.warehouse_id,
                User.roles,
                User.all_warehouses,
            )
            .join(User, User.id == PushSubscription.user_id)
            .outerjoin(Device, Device.id == PushSubscription.device_id)
            .where(
                User.active.is_(True),
                Device.revoked_at.is_(None),
                or_(PushSubscription.expires_at.is_(None), PushSubscription.expires_at > now),
            )
            .order_by(PushSubscription.id)
        )
    ).all()
    scopes: dict[int, set[int]] = defaultdict(set)
    user_ids = sorted({r.user_id for r in rows})
    if user_ids:
        for user_id, warehouse_id in (
            await session.execute(
                select(UserWarehouse.user_id, UserWarehouse.warehouse_id).where(UserWarehouse.user_id.in_(user_ids))
            )
        ).all():
            scopes[user_id].add(warehouse_id)
    return [
        _Target(
            id=r.id,
            user_id=r.user_id,
            roles=frozenset(r.roles or ()),
            all_warehouses=bool(r.all_warehouses),
            warehouses=frozenset(scopes[r.user_id]),
            warehouse_id=r.warehouse_id,
        )
        for r in rows
    ]


def matches(audience: dict[str, Any], target: _Target) -> bool:
    warehouse_id = audience.get("warehouse_id")
    if warehouse_id is not None and target.warehouse_id not in (None, warehouse_id):
        return False  # this phone works in another site
    if target.user_id in (audience.get("user_ids") or ()):
        return True
    if not target.roles.intersection(audience.get("roles") or ()):
        return False
    return warehouse_id is None or target.all_warehouses or warehouse_id in target.warehouses


async def fan_out(session: AsyncSession, now: datetime, limit: int = FANOUT_BATCH) -> int:
    """Fan out up to ``limit`` queued notifications (and record them in their people's inboxes);
    answers how many were taken."""
    notes = (
        await session.scalars(
            skip_locked(
                select(PushNotification)
                .where(PushNotification.fanned_out_at.is_(None))
                .order_by(PushNotification.id)
                .limit(limit),
                session,
                of=PushNotification,
            )
        )
    ).all()
    if not notes:
        return 0
    targets = await _targets(session, now)
    rows: list[dict[str, Any]] = []
    for note in notes:
        chosen = [t for t in targets if matches(note.audience, t)]
        note.fanned_out_at = now
        note.recipients = len(chosen)
        rows.extend(
            {
                "notification_id": note.id,
                "subscription_id": t.id,
                "kind": note.kind,
                "critical": note.critical,
                "status": DeliveryStatus.waiting,
                "created_at": note.created_at,
            }
            for t in chosen
        )
    if rows:
        await session.execute(insert(PushDelivery), rows)
    await record_inbox(session, notes)  # every person meant, subscribed or not
    await session.flush()
    return len(notes)


@dataclass(slots=True)
class _Waiting:
    kind: str
    critical: int = 0
    other: int = 0
    oldest: datetime | None = None


@dataclass(slots=True)
class _Recent:
    last_minute: int = 0
    last_of_kind: dict[str, datetime] = field(default_factory=dict)
    in_flight: set[str] = field(default_factory=set)


async def _waiting(session: AsyncSession) -> dict[int, dict[str, _Waiting]]:
    rows = (
        await session.execute(
            select(
                PushDelivery.subscription_id,
                PushDelivery.kind,
                PushDelivery.critical,
                func.count(),
                func.min(PushDelivery.created_at),
            )
            .where(PushDelivery.status == DeliveryStatus.waiting)
            .group_by(PushDelivery.subscription_id, PushDelivery.kind, PushDelivery.critical)
        )
    ).all()
    waiting: dict[int, dict[str, _Waiting]] = defaultdict(dict)
    for subscription_id, kind, critical, count, oldest in rows:
        entry = waiting[subscription_id].setdefault(kind, _Waiting(kind))
        if critical:
            entry.critical += count
        else:
            entry.other += count
        entry.oldest = oldest if entry.oldest is None else min(entry.oldest, oldest)
    return waiting


async def _recent(session: AsyncSession, ids: list[int], now: datetime, limits: Limits) -> dict[int, _Recent]:
    since = now - max(limits.window, MINUTE)
    rows = (
        await session.execute(
            select(PushMessage.subscription_id, PushMessage.kind, PushMessage.status, PushMessage.created_at).where(
                PushMessage.subscription_id.in_(ids),
                or_(
                    PushMessage.created_at > since,
                    PushMessage.status.in_((MessageStatus.pending, MessageStatus.failed)),
                ),
            )
        )
    ).all()
    recent: dict[int, _Recent] = defaultdict(_Recent)
    for subscription_id, kind, status, created_at in rows:
        entry = recent[subscription_id]
        if created_at > now - MINUTE:
            entry.last_minute += 1
        if kind not in entry.last_of_kind or created_at > entry.last_of_kind[kind]:
            entry.last_of_kind[kind] = created_at
        if status in (MessageStatus.pending, MessageStatus.failed):
            entry.in_flight.add(kind)
    return recent


async def compose(session: AsyncSession, now: datetime, limits: Limits) -> list[int]:
    """Compose what the rules allow now; answers the new message ids."""
    waiting = await _waiting(session)
    if not waiting:
        return []
    rows = await session.execute(
        skip_locked(
            select(PushSubscription.id, PushSubscription.user_id)
            .where(PushSubscription.id.in_(sorted(waiting)))
            .order_by(PushSubscription.id),
            session,
            of=PushSubscription,
        )
    )
    locked: dict[int, int] = {subscription_id: user_id for subscription_id, user_id in rows}
    if not locked:
        return []
    preferences = {
        p.user_id: p
        for p in await session.scalars(
            select(PushPreferences).where(PushPreferences.user_id.in_(sorted(set(locked.values()))))
        )
    }
    recent = await _recent(session, sorted(locked), now, limits)
    composed: list[int] = []
    for subscription_id, user_id in sorted(locked.items()):
        pref = preferences.get(user_id)
        quiet = pref is not None and in_quiet_hours(pref.quiet_start, pref.quiet_end, pref.timezone, now)
        seen = recent[subscription_id]
        budget = limits.per_minute - seen.last_minute
        far = now + timedelta(days=3650)
        kinds = sorted(waiting[subscription_id].values(), key=lambda w: (w.critical == 0, w.oldest or far, w.kind))
        for entry in kinds:
            if budget <= 0:
                break
            if entry.kind in seen.in_flight:
                continue
            last = seen.last_of_kind.get(entry.kind)
            if last is not None and now - last < limits.window:
                continue
            if quiet and not entry.critical:
                continue
            composed.append(await _compose_one(session, subscription_id, entry.kind, only_critical=quiet, now=now))
            budget -= 1
    return composed


async def _compose_one(
    session: AsyncSession, subscription_id: int, kind: str, *, only_critical: bool, now: datetime
) -> int:
    message = PushMessage(
        subscription_id=subscription_id,
        kind=kind,
        count=0,
        payload="",
        urgency=Urgency.normal,
        topic=default_topic(kind),
        ttl=0,
        status=MessageStatus.pending,
        attempts=0,
        next_attempt_at=now,
        created_at=now,
    )
    session.add(message)
    await session.flush()
    condition = [
        PushDelivery.subscription_id == subscription_id,
        PushDelivery.kind == kind,
        PushDelivery.status == DeliveryStatus.waiting,
    ]
    if only_critical:
        condition.append(PushDelivery.critical.is_(True))
    await session.execute(
        update(PushDelivery).where(*condition).values(status=DeliveryStatus.composed, message_id=message.id)
    )
    carried = (
        select(PushNotification)
        .join(PushDelivery, PushDelivery.notification_id == PushNotification.id)
        .where(PushDelivery.message_id == message.id)
    )
    stats = (
        await session.execute(
            carried.with_only_columns(
                func.count(),
                func.max(PushNotification.ttl),
                func.count(PushNotification.url.distinct()),
                func.min(PushNotification.url),
                func.count(PushNotification.topic.distinct()),
                func.min(PushNotification.topic),
            )
        )
    ).one()
    count, ttl, urls, url, topics, topic = stats
    levels = set((await session.scalars(carried.with_only_columns(PushNotification.urgency).distinct())).all())
    latest = (await session.scalars(carried.order_by(PushNotification.id.desc()).limit(1))).one()
    message.count = int(count)
    message.ttl = int(ttl)
    message.urgency = max(levels, key=URGENCY_ORDER.index)
    message.topic = topic if topics == 1 else default_topic(kind)
    message.payload = payload_json(latest, int(count), url if urls == 1 else None, message.topic, message.urgency)
    await session.flush()
    return message.id


def payload_json(latest: PushNotification, count: int, shared_url: str | None, tag: str, urgency: Urgency) -> str:
    """``{kind, title {en, zh}, body {en, zh}, url, tag, at, count, urgency}``: what the service worker
    shows; ``urgency`` (the message's, as sent in the Urgency header) decides whether a replacement buzzes.
    One notification reads as itself; several as the kind's summary, naming the latest."""
    if count == 1:
        title = {"en": latest.title_en, "zh": latest.title_zh}
        body = {"en": latest.body_en, "zh": latest.body_zh}
        url = latest.url
    else:
        text = kind_text(latest.kind)
        title = {"en": text.summary_en.format(count=count), "zh": text.summary_zh.format(count=count)}
        body = {"en": f"Latest: {latest.title_en}", "zh": f"最新：{latest.title_zh}"}
        url = shared_url or text.url or "/"
    document = {
        "kind": latest.kind,
        "title": title,
        "body": body,
        "url": url,
        "tag": tag,
        "at": latest.created_at.isoformat().replace("+00:00", "Z"),
        "count": count,
        "urgency": str(urgency),
    }
    return msgspec.json.encode(document).decode("utf-8")
