"""The change feed pulls read (SPEC.md §6.4): every write to a synced row records a change, and the
changes of a transaction get their versions as the very last thing before it commits.

Why versions are allocated at commit time under a row lock: a sequence number taken early can
commit late, and a pull that already read past it would skip that change for ever (pitfall 12 of
SYNC-ANCHORS, invariant I10). Locking the scope's counter row from allocation to commit means a
higher version is never visible before a lower one. Allocating last keeps that lock short.

Domains record changes in two ways: ``record()`` for rows they write with SQL (stock levels), and
``track()`` for ORM models, whose inserts, updates and deletes are picked up at flush time.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from sqlalchemy import event, insert, text
from sqlalchemy.ext.asyncio import AsyncSession
from sqlalchemy.orm import Session

from sync.bulk_insert import BULK_ROWS, unnest_insert
from sync.sql_types import utcnow
from sync.tables import SyncTables

GLOBAL_SCOPE = 0
"""Scope of the catalog (SKUs, barcodes, lots): every device pulls it. Warehouse scopes are ids."""

POKE_CHANNEL = "cangku_sync"
_PENDING = "sync.pending_changes"
_COMMITTED = "sync.committed_scopes"

ChangeKey = tuple[int, str, str]
Serializer = Callable[[Any], "TrackedChange | list[TrackedChange] | None"]


@dataclass(frozen=True, slots=True)
class TrackedChange:
    scope_id: int
    entity: str
    key: str
    data: dict[str, Any] | None


@dataclass
class _Config:
    tables: SyncTables | None = None
    serializers: dict[type, Serializer] | None = None
    on_commit: Callable[[set[int]], None] | None = None


_config = _Config(serializers={})


def configure(tables: SyncTables, *, on_commit: Callable[[set[int]], None] | None = None) -> None:
    """Install the feed on every SQLAlchemy session of this process (idempotent)."""
    _config.tables = tables
    _config.on_commit = on_commit
    if not event.contains(Session, "before_commit", _before_commit):
        event.listen(Session, "after_flush", _after_flush)
        event.listen(Session, "before_commit", _before_commit)
        event.listen(Session, "after_commit", _after_commit)
        event.listen(Session, "after_rollback", _after_rollback)


def track(model: type, serializer: Serializer) -> None:
    """Record a change whenever a row of ``model`` is inserted, updated or deleted through the ORM.

    ``serializer(obj)`` answers the change (its data is ignored for deletes) or ``None`` to skip; it
    may answer a list whose first change is the row's own and the rest are rows that follow it (the
    lines of a task that closed), which it may read through ``object_session(obj)``.
    """
    assert _config.serializers is not None
    _config.serializers[model] = serializer


def record(session: AsyncSession | Session, scope_id: int, entity: str, key: str, data: dict[str, Any] | None) -> None:
    """Record that ``entity``/``key`` now holds ``data`` (``None``: deleted). Last write in a transaction wins."""
    if _config.tables is None:  # the change would be lost silently: devices would never learn of it
        raise RuntimeError("the sync change feed is not installed: call feed.configure() at start")
    pending = _pending(_sync_session(session))
    pending.pop((scope_id, entity, key), None)  # re-insert so the dict keeps last-write order
    pending[(scope_id, entity, key)] = data


def mark(session: AsyncSession) -> dict[ChangeKey, dict[str, Any] | None]:
    """A copy of the pending changes, to ``restore`` when a savepoint is rolled back."""
    return dict(_pending(session.sync_session))


def restore(session: AsyncSession, saved: dict[ChangeKey, dict[str, Any] | None]) -> None:
    pending = _pending(session.sync_session)
    pending.clear()
    pending.update(saved)


def _sync_session(session: AsyncSession | Session) -> Session:
    return session.sync_session if isinstance(session, AsyncSession) else session


def _pending(session: Session) -> dict[ChangeKey, dict[str, Any] | None]:
    pending: dict[ChangeKey, dict[str, Any] | None] = session.info.setdefault(_PENDING, {})
    return pending


def _after_flush(session: Session, _flush_context: Any) -> None:
    serializers = _config.serializers
    if not serializers:
        return
    for objects, deleted in ((session.new, False), (session.dirty, False), (session.deleted, True)):
        for obj in objects:
            serializer = serializers.get(type(obj))
            if serializer is None:
                continue
            answer = serializer(obj)
            changes = [answer] if isinstance(answer, TrackedChange) else list(answer or [])
            for index, change in enumerate(changes):
                gone = deleted and index == 0  # the row itself was deleted; rows that follow it say so
                record(session, change.scope_id, change.entity, change.key, None if gone else change.data)


def _before_commit(session: Session) -> None:
    if session.in_nested_transaction():
        return
    pending = session.info.get(_PENDING)
    if session.dirty or session.new or session.deleted:
        session.flush()  # the ORM's own final flush comes after this hook; its changes must be in
        pending = session.info.get(_PENDING)
    if not pending or _config.tables is None:
        return
    scopes = write_changes(session, _config.tables, pending, utcnow())
    pending.clear()
    session.info[_COMMITTED] = scopes


def write_changes(
    session: Session, tables: SyncTables, pending: dict[ChangeKey, dict[str, Any] | None], now: datetime
) -> set[int]:
    """Allocate versions per scope (scope ids ascending: the lock order) and insert the changes."""
    by_scope: dict[int, list[tuple[str, str, dict[str, Any] | None]]] = {}
    for (scope_id, entity, key), data in pending.items():
        by_scope.setdefault(scope_id, []).append((entity, key, data))
    rows: list[dict[str, Any]] = []
    for scope_id in sorted(by_scope):
        changes = by_scope[scope_id]
        top = session.execute(_ALLOCATE, {"scope_id": scope_id, "count": len(changes)}).scalar_one()
        first = top - len(changes) + 1
        rows.extend(
            {
                "scope_id": scope_id,
                "version": first + i,
                "entity": entity,
                "key": key,
                "deleted": data is None,
                "data": data,
                "changed_at": now,
            }
            for i, (entity, key, data) in enumerate(changes)
        )
    postgres = session.get_bind().dialect.name == "postgresql"
    if postgres and len(rows) >= BULK_ROWS:  # a wave build's thousands of changes: one statement
        session.execute(unnest_insert(tables.changes, rows))
    else:
        session.execute(insert(tables.changes), rows)
    if postgres:
        # Delivered at commit, to every worker process listening (SPEC.md §7 poke).
        session.execute(
            text("SELECT pg_notify(:channel, :scopes)"), {"channel": POKE_CHANNEL, "scopes": _csv(by_scope)}
        )
    return set(by_scope)


_ALLOCATE = text(
    "INSERT INTO sync_scopes (scope_id, version, min_version) VALUES (:scope_id, :count, 0) "
    "ON CONFLICT (scope_id) DO UPDATE SET version = sync_scopes.version + excluded.version "
    "RETURNING version"
)


def _csv(scopes: Iterable[int]) -> str:
    return ",".join(str(s) for s in sorted(scopes))


def _after_commit(session: Session) -> None:
    scopes = session.info.pop(_COMMITTED, None)
    if scopes and _config.on_commit is not None:
        _config.on_commit(scopes)


def _after_rollback(session: Session) -> None:
    if not session.in_transaction():  # the outer transaction ended; a savepoint's caller restores its own
        session.info.pop(_PENDING, None)
        session.info.pop(_COMMITTED, None)
