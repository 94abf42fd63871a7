"""The sync engine's tables, declared on the application's metadata (one Alembic history)."""

from __future__ import annotations

from server.db.base import Base
from sync.tables import SyncTables

SYNC_TABLES = SyncTables(Base.metadata)
