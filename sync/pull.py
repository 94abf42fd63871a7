"""Pulls (SPEC.md §6): pages of the change feed after a server-issued cursor, or a snapshot.

A cursor names the feed epoch, the warehouse it was issued for and the last version seen in the
global and the warehouse scope. Anything the server cannot continue from exactly — another epoch,
another warehouse (the device was moved: I12), versions the server has not reached (restored from a
backup) or has pruned — restarts the device with a snapshot (``reset``). A snapshot walks each
registered source in key order; its cursor records where it stopped, so an interrupted initial sync
resumes (F15), and it ends with a change cursor taken *before* the snapshot began, so changes made
while it streamed are pulled again afterwards (puts and deletes are idempotent: I13). Until the
feed has caught up with the newest versions a snapshot page was read at, the cursor fingerprints
those too: a restore to before them would otherwise leave rows on the device that no ``del`` ever
removes.
"""

from __future__ import annotations

import hashlib
import secrets
from collections.abc import Awaitable, Callable, Sequence
from dataclasses import dataclass, replace
from datetime import UTC, datetime
from typing import Any, Literal

from sqlalchemy import and_, or_, select, text
from sqlalchemy.ext.asyncio import AsyncSession

from sync.feed import GLOBAL_SCOPE
from sync.tables import SyncTables
from sync.wire import MAX_PULL_LIMIT, Change, PullResponse

SnapshotFetch = Callable[[AsyncSession, int, int, int], Awaitable[list[tuple[int, str, dict[str, Any]]]]]
"""(session, warehouse_id, after_position, limit) -> [(position, key, data)] in position order."""


@dataclass(frozen=True, slots=True)
class SnapshotSource:
    entity: str
    scope: Literal["global", "warehouse"]
    fetch: SnapshotFetch


@dataclass(frozen=True, slots=True)
class _Cursor:
    """``marks`` fingerprint the change at each version: a server restored from a backup reuses
    version numbers for *other* changes, and only the fingerprint tells them apart (F5)."""

    mode: Literal["c", "s"]
    epoch: str
    warehouse_id: int
    global_version: int
    warehouse_version: int
    global_mark: str = "-"
    warehouse_mark: str = "-"
    source: int = 0
    after: int = 0
    high: tuple[int, int, str, str] = (0, 0, "-", "-")
    """The newest (global, warehouse) versions, with their marks, that a snapshot page was read at.
    Snapshot pages show rows as they are when read, newer than the snapshot's start; if the server
    is restored to before that, rows the device holds may have vanished with no ``del`` in the feed
    (found by the floor simulation). Kept until the change position passes it."""

    @property
    def high_ahead(self) -> bool:
        return self.high[0] > self.global_version or self.high[1] > self.warehouse_version

    def encode(self) -> str:
        head = f"{self.epoch}.{self.warehouse_id}.{self.global_version}.{self.warehouse_version}"
        head += f".{self.global_mark}.{self.warehouse_mark}"
        high = ".".join(str(part) for part in self.high)
        if self.mode == "c":
            return f"c3.{head}.{high}" if self.high_ahead else f"c2.{head}"
        return f"s3.{head}.{self.source}.{self.after}.{high}"


def _decode(text_: str | None) -> _Cursor | None:
    if not text_:
        return None
    parts = text_.split(".")
    try:
        if parts[0] == "c2" and len(parts) == 7:
            return _Cursor("c", parts[1], int(parts[2]), int(parts[3]), int(parts[4]), parts[5], parts[6])
        if parts[0] == "c3" and len(parts) == 11:
            high = (int(parts[7]), int(parts[8]), parts[9], parts[10])
            return _Cursor("c", parts[1], int(parts[2]), int(parts[3]), int(parts[4]), parts[5], parts[6], high=high)
        if parts[0] == "s3" and len(parts) == 13:
            return _Cursor(
                "s",
                parts[1],
                int(parts[2]),
                int(parts[3]),
                int(parts[4]),
                parts[5],
                parts[6],
                int(parts[7]),
                int(parts[8]),
                (int(parts[9]), int(parts[10]), parts[11], parts[12]),
            )
    except ValueError:
        return None
    return None


def _fingerprint(entity: str, key: str, changed_at: datetime) -> str:
    stamp = changed_at.astimezone(UTC).strftime("%Y%m%d%H%M%S%f")
    return hashlib.sha256(f"{entity}\x1f{key}\x1f{stamp}".encode()).hexdigest()[:10]


async def _marks(
    session: AsyncSession, tables: SyncTables, global_version: int, warehouse: tuple[int, int]
) -> tuple[str, str]:
    """The fingerprints of the changes at (global scope, ``global_version``) and (warehouse scope,
    version); ``-`` for version 0 (nothing seen) and ``?`` for a change that is not there."""
    t = tables.changes
    wanted = [(GLOBAL_SCOPE, global_version), warehouse]
    found: dict[tuple[int, int], str] = {}
    conditions = [and_(t.c.scope_id == scope, t.c.version == version) for scope, version in wanted if version > 0]
    if conditions:
        rows = (
            await session.execute(
                select(t.c.scope_id, t.c.version, t.c.entity, t.c.key, t.c.changed_at).where(or_(*conditions))
            )
        ).all()
        found = {(row.scope_id, row.version): _fingerprint(row.entity, row.key, row.changed_at) for row in rows}
    marks = ["-" if version == 0 else found.get((scope, version), "?") for scope, version in wanted]
    return marks[0], marks[1]


async def feed_epoch(session: AsyncSession, tables: SyncTables) -> str:
    """This database's feed epoch, created on first use."""
    value = (await session.execute(select(tables.meta.c.value).where(tables.meta.c.key == "epoch"))).scalar()
    if value is not None:
        return str(value)
    await session.execute(
        text("INSERT INTO sync_meta (key, value) VALUES ('epoch', :v) ON CONFLICT (key) DO NOTHING"),
        {"v": secrets.token_hex(4)},
    )
    return str((await session.execute(select(tables.meta.c.value).where(tables.meta.c.key == "epoch"))).scalar_one())


async def _scope_versions(
    session: AsyncSession, tables: SyncTables, scopes: Sequence[int]
) -> dict[int, tuple[int, int]]:
    t = tables.scopes
    rows = (
        await session.execute(select(t.c.scope_id, t.c.version, t.c.min_version).where(t.c.scope_id.in_(scopes)))
    ).all()
    found = {row.scope_id: (int(row.version), int(row.min_version)) for row in rows}
    return {scope: found.get(scope, (0, 0)) for scope in scopes}


async def pull(
    session: AsyncSession,
    tables: SyncTables,
    sources: Sequence[SnapshotSource],
    *,
    device_id: str,
    warehouse_id: int,
    cursor: str | None,
    limit: int,
    acked_seq: int,
    now: datetime,
) -> PullResponse:
    """One page for the device. Call inside one read transaction with a stable snapshot (I4)."""
    limit = max(1, min(limit, MAX_PULL_LIMIT))
    epoch = await feed_epoch(session, tables)
    versions = await _scope_versions(session, tables, [GLOBAL_SCOPE, warehouse_id])
    last_applied = (
        await session.execute(select(tables.devices.c.last_applied_seq).where(tables.devices.c.device_id == device_id))
    ).scalar() or 0
    resend_from = last_applied + 1 if acked_seq > last_applied else None  # the server lost acked ops (F5)

    current = _decode(cursor)
    reset = current is None or not _continuable(current, epoch, warehouse_id, versions)
    if not reset and current is not None:
        seen = await _marks(session, tables, current.global_version, (warehouse_id, current.warehouse_version))
        reset = seen != (current.global_mark, current.warehouse_mark)  # restored from a backup: §6.2
    if not reset and current is not None and (current.mode == "s" or current.high_ahead):
        reset = not await _still_seen(session, tables, current.high, warehouse_id, versions)
    g, w = versions[GLOBAL_SCOPE][0], versions[warehouse_id][0]
    if reset:
        current = _Cursor("s", epoch, warehouse_id, g, w, *await _marks(session, tables, g, (warehouse_id, w)))
    assert current is not None
    if current.mode == "s":
        if (g, w) == (current.global_version, current.warehouse_version):
            high_marks = (current.global_mark, current.warehouse_mark)
        else:
            high_marks = await _marks(session, tables, g, (warehouse_id, w))
        current = replace(current, high=(g, w, *high_marks))  # this page is read as of these versions
        changes, next_cursor, complete = await _snapshot_page(session, sources, current, limit)
        return PullResponse(
            cursor=next_cursor.encode(),
            changes=changes,
            has_more=True,
            reset=reset,
            snapshot=True,
            snapshot_complete=complete,
            last_applied_seq=last_applied,
            resend_from=resend_from,
            server_time=now,
        )
    changes, next_cursor, has_more = await _change_page(session, tables, current, limit)
    return PullResponse(
        cursor=next_cursor.encode(),
        changes=changes,
        has_more=has_more,
        last_applied_seq=last_applied,
        resend_from=resend_from,
        server_time=now,
    )


async def _still_seen(
    session: AsyncSession,
    tables: SyncTables,
    high: tuple[int, int, str, str],
    warehouse_id: int,
    versions: dict[int, tuple[int, int]],
) -> bool:
    """Whether the server still holds everything earlier snapshot pages were read with."""
    g, w, g_mark, w_mark = high
    if g > versions[GLOBAL_SCOPE][0] or w > versions[warehouse_id][0]:
        return False
    return await _marks(session, tables, g, (warehouse_id, w)) == (g_mark, w_mark)


def _continuable(cursor: _Cursor, epoch: str, warehouse_id: int, versions: dict[int, tuple[int, int]]) -> bool:
    if cursor.epoch != epoch or cursor.warehouse_id != warehouse_id:
        return False
    (g_now, g_min), (w_now, w_min) = versions[GLOBAL_SCOPE], versions[warehouse_id]
    if cursor.global_version > g_now or cursor.warehouse_version > w_now:
        return False  # the server is behind the device: restored from an older backup
    return cursor.global_version >= g_min and cursor.warehouse_version >= w_min


async def _snapshot_page(
    session: AsyncSession, sources: Sequence[SnapshotSource], cursor: _Cursor, limit: int
) -> tuple[list[Change], _Cursor, bool]:
    changes: list[Change] = []
    source, after = cursor.source, cursor.after
    while source < len(sources) and len(changes) < limit:
        spec, wanted = sources[source], limit - len(changes)
        rows = await spec.fetch(session, cursor.warehouse_id, after, wanted)
        changes.extend(Change(entity=spec.entity, key=key, op="put", data=data) for _, key, data in rows)
        if len(rows) < wanted:
            source, after = source + 1, 0  # this source is exhausted
        else:
            after = rows[-1][0]
    if source >= len(sources):
        return changes, replace(cursor, mode="c", source=0, after=0), True
    return changes, replace(cursor, source=source, after=after), False


async def _change_page(
    session: AsyncSession, tables: SyncTables, cursor: _Cursor, limit: int
) -> tuple[list[Change], _Cursor, bool]:
    t = tables.changes
    columns = (t.c.scope_id, t.c.version, t.c.entity, t.c.key, t.c.deleted, t.c.data)
    rows = list(
        (
            await session.execute(
                select(*columns)
                .where(t.c.scope_id == GLOBAL_SCOPE, t.c.version > cursor.global_version)
                .order_by(t.c.version)
                .limit(limit + 1)
            )
        ).all()
    )
    if len(rows) <= limit and cursor.warehouse_id != GLOBAL_SCOPE:
        rows += (
            await session.execute(
                select(*columns)
                .where(t.c.scope_id == cursor.warehouse_id, t.c.version > cursor.warehouse_version)
                .order_by(t.c.version)
                .limit(limit + 1 - len(rows))
            )
        ).all()
    has_more = len(rows) > limit
    rows = rows[:limit]
    g, w = cursor.global_version, cursor.warehouse_version
    latest: dict[tuple[str, str], Change] = {}
    for row in rows:
        if row.scope_id == GLOBAL_SCOPE:
            g = max(g, row.version)
        else:
            w = max(w, row.version)
        key = (row.entity, row.key)
        latest.pop(key, None)  # a later change of the same row replaces it: full rows, idempotent
        latest[key] = Change(
            entity=row.entity, key=row.key, op="del" if row.deleted else "put", data=None if row.deleted else row.data
        )
    if (g, w) == (cursor.global_version, cursor.warehouse_version):
        return list(latest.values()), cursor, has_more
    g_mark, w_mark = await _marks(session, tables, g, (cursor.warehouse_id, w))
    moved = _Cursor("c", cursor.epoch, cursor.warehouse_id, g, w, g_mark, w_mark, high=cursor.high)
    return list(latest.values()), moved, has_more
