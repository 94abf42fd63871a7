"""The notification centre: one inbox row per person a notification was meant for.

Written at fan-out, beside the deliveries, from the same audience rules but per *user*, not per
subscription: a supervisor whose phone never subscribed (or whose push service is unreachable,
or who is in quiet hours) still finds it in the PWA's list. A phone bound to another warehouse
does not matter here either — the person may see that warehouse, so they are told.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any

from sqlalchemy import delete, func, insert, select, update
from sqlalchemy.ext.asyncio import AsyncSession

from server.auth.identity import AuthUser
from server.auth.models import User, UserWarehouse
from server.lib.errors import ValidationFailed
from server.notify.inbox_models import InboxItem
from server.notify.models import PushNotification
from server.notify.schemas import InboxItemOut, InboxOut, ReadInput

INBOX_KEEP = timedelta(days=30)
MAX_LIMIT = 200


@dataclass(frozen=True, slots=True)
class _Person:
    id: int
    roles: frozenset[str]
    all_warehouses: bool
    warehouses: frozenset[int]


async def _people(session: AsyncSession) -> list[_Person]:
    rows = (await session.execute(select(User.id, User.roles, User.all_warehouses).where(User.active.is_(True)))).all()
    scopes: dict[int, set[int]] = defaultdict(set)
    for user_id, warehouse_id in await session.execute(select(UserWarehouse.user_id, UserWarehouse.warehouse_id)):
        scopes[user_id].add(warehouse_id)
    return [_Person(r.id, frozenset(r.roles or ()), bool(r.all_warehouses), frozenset(scopes[r.id])) for r in rows]


def meant_for(audience: dict[str, Any], person: _Person) -> bool:
    if person.id in (audience.get("user_ids") or ()):
        return True
    if not person.roles.intersection(audience.get("roles") or ()):
        return False
    warehouse_id = audience.get("warehouse_id")
    return warehouse_id is None or person.all_warehouses or warehouse_id in person.warehouses


async def record_inbox(session: AsyncSession, notes: Sequence[PushNotification]) -> int:
    """One inbox row per active user each notification's audience names; answers how many."""
    if not notes:
        return 0
    people = await _people(session)
    rows = [
        {
            "user_id": person.id,
            "notification_id": note.id,
            "kind": note.kind,
            "title_en": note.title_en,
            "title_zh": note.title_zh,
            "body_en": note.body_en,
            "body_zh": note.body_zh,
            "url": note.url,
            "urgency": note.urgency,
            "created_at": note.created_at,
        }
        for note in notes
        for person in people
        if meant_for(note.audience, person)
    ]
    if rows:
        await session.execute(insert(InboxItem), rows)
    return len(rows)


async def prune_inbox(session: AsyncSession, now: datetime) -> None:
    await session.execute(delete(InboxItem).where(InboxItem.created_at < now - INBOX_KEEP))


def _out(row: InboxItem) -> InboxItemOut:
    return InboxItemOut(
        id=row.id,
        kind=row.kind,
        title_en=row.title_en,
        title_zh=row.title_zh,
        body_en=row.body_en,
        body_zh=row.body_zh,
        url=row.url,
        urgency=row.urgency.value,
        created_at=row.created_at,
        read_at=row.read_at,
    )


async def unread(session: AsyncSession, user_id: int) -> int:
    count = await session.scalar(
        select(func.count()).select_from(InboxItem).where(InboxItem.user_id == user_id, InboxItem.read_at.is_(None))
    )
    return int(count or 0)


async def list_inbox(session: AsyncSession, user: AuthUser, *, after_id: int, limit: int) -> InboxOut:
    """``after_id`` 0: the newest ``limit``, newest first (opening the list). Otherwise what came
    after ``after_id``, oldest first (catching up from the last one seen, in the order it came)."""
    statement = select(InboxItem).where(InboxItem.user_id == user.id)
    if after_id:
        statement = statement.where(InboxItem.id > after_id).order_by(InboxItem.id)
    else:
        statement = statement.order_by(InboxItem.id.desc())
    rows = await session.scalars(statement.limit(max(1, min(limit, MAX_LIMIT))))
    return InboxOut(items=[_out(row) for row in rows], unread=await unread(session, user.id))


async def mark_read(session: AsyncSession, user: AuthUser, data: ReadInput, now: datetime) -> int:
    """Mark the caller's own rows read (ids of other people's rows are ignored); answers the unread count."""
    if data.all == (data.ids is not None):
        raise ValidationFailed(
            'send either "ids" or "all": true', message_zh='请提供 "ids" 或 "all": true（二选一）', field="ids"
        )
    statement = update(InboxItem).where(InboxItem.user_id == user.id, InboxItem.read_at.is_(None))
    if data.ids is not None:
        statement = statement.where(InboxItem.id.in_(sorted(set(data.ids))))
    await session.execute(statement.values(read_at=now))
    return await unread(session, user.id)
