"""The sync engine's tables on the application's metadata (one Alembic history), the process's
poke hub, and the change feed installed on every session — importing this module wires them."""

from __future__ import annotations

from server.db.base import Base
from sync import feed
from sync.poke import PokeHub
from sync.tables import SyncTables

SYNC_TABLES = SyncTables(Base.metadata)
POKE_HUB = PokeHub()
"""Devices connected to this worker process; other workers reach them through PostgreSQL NOTIFY."""

feed.configure(SYNC_TABLES, on_commit=POKE_HUB.publish)
