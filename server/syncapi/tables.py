"""The sync engine's tables on the application's metadata (one Alembic history) and the process's
poke hub. Nothing is wired on import: ``server.syncapi.install`` installs the change feed."""

from __future__ import annotations

from server.db.base import Base
from sync.poke import PokeHub
from sync.tables import SyncTables

SYNC_TABLES = SyncTables(Base.metadata)
POKE_HUB = PokeHub()
"""Devices connected to this worker process; other workers reach them through PostgreSQL NOTIFY."""
