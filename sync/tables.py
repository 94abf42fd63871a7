"""The sync engine's tables, declared on the application's ``MetaData`` (so one Alembic history and
one naming convention cover them) without ``sync`` importing the application.

- ``sync_devices``: per device, the last applied sequence number (SPEC.md §5.2), updated in the
  same transaction as the ops' effects — the Replicache ``lastMutationID`` rule.
- ``sync_ops``: every op ever pushed, with its one outcome; the replay answer for retries and the
  supervisor's queue of rejected, excepted and held ops (nothing is dropped).
- ``sync_scopes``: one version counter per scope (0 = the global catalog, otherwise a warehouse
  id). Allocating versions locks the row until commit, so versions become visible in order and a
  pull cursor never skips a slow transaction's change (invariant I10; SPEC.md §6.4).
- ``sync_changes``: the change feed pulls read, a row per (scope, version).
- ``sync_meta``: the feed epoch, which tells cursors of another database apart.
"""

from __future__ import annotations

from sqlalchemy import (
    BigInteger,
    Boolean,
    Column,
    Index,
    Integer,
    MetaData,
    String,
    Table,
    Text,
    UniqueConstraint,
)

from sync.sql_types import BigIntPK, JsonDoc, UTCDateTime


class SyncTables:
    """The five tables, bound to one ``MetaData``; build it once per application."""

    def __init__(self, metadata: MetaData) -> None:
        self.devices = Table(
            "sync_devices",
            metadata,
            Column("device_id", String(64), primary_key=True),
            Column("last_applied_seq", BigInteger, nullable=False, default=0),
            Column("last_hlc", String(96), nullable=False, default=""),
            Column("updated_at", UTCDateTime(), nullable=False),
        )
        self.ops = Table(
            "sync_ops",
            metadata,
            Column("id", BigIntPK, primary_key=True, autoincrement=True),
            Column("op_id", String(64), nullable=False, unique=True),
            Column("device_id", String(64), nullable=False),
            Column("seq", BigInteger, nullable=False),
            Column("name", String(96), nullable=False),
            Column("version", Integer, nullable=False),
            Column("payload", JsonDoc, nullable=False),
            Column("payload_hash", String(64), nullable=False),
            Column("hlc", String(96), nullable=False),
            Column("wall_time", UTCDateTime(), nullable=False),
            Column("event_time", UTCDateTime(), nullable=False),
            Column("received_at", UTCDateTime(), nullable=False),
            Column("user_id", BigInteger, nullable=True),
            Column("warehouse_id", BigInteger, nullable=True),
            Column("status", String(32), nullable=False),
            Column("code", String(64), nullable=False, default=""),
            Column("message", Text, nullable=False, default=""),
            Column("message_zh", Text, nullable=False, default=""),
            Column("result", JsonDoc, nullable=False),
            Column("exceptions", JsonDoc, nullable=False),
            Column("resolved_at", UTCDateTime(), nullable=True),
            Column("resolved_by", BigInteger, nullable=True),
            Column("resolution", Text, nullable=False, default=""),
            UniqueConstraint("device_id", "seq"),
            Index("ix_sync_ops_status_warehouse", "status", "warehouse_id"),
        )
        self.scopes = Table(
            "sync_scopes",
            metadata,
            Column("scope_id", BigInteger, primary_key=True, autoincrement=False),
            Column("version", BigInteger, nullable=False, default=0),
            Column("min_version", BigInteger, nullable=False, default=0),
        )
        self.changes = Table(
            "sync_changes",
            metadata,
            Column("id", BigIntPK, primary_key=True, autoincrement=True),
            Column("scope_id", BigInteger, nullable=False),
            Column("version", BigInteger, nullable=False),
            Column("entity", String(48), nullable=False),
            Column("key", String(128), nullable=False),
            Column("deleted", Boolean, nullable=False, default=False),
            Column("data", JsonDoc, nullable=True),
            Column("changed_at", UTCDateTime(), nullable=False),
            UniqueConstraint("scope_id", "version"),
        )
        self.meta = Table(
            "sync_meta",
            metadata,
            Column("key", String(64), primary_key=True),
            Column("value", String(256), nullable=False),
        )
