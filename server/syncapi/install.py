"""Installing the sync change feed on the process's sessions: one explicit call at start.

Every path that opens sessions goes through ``server.db.engine.create_session_factory``, which calls
this, so a write to a synced row can never miss the feed (a device would then never learn of it).
Calling it again is harmless.
"""

from __future__ import annotations

from server.syncapi.entities import install_tracking
from server.syncapi.tables import POKE_HUB, SYNC_TABLES
from sync import feed


def install_change_feed() -> None:
    feed.configure(SYNC_TABLES, on_commit=POKE_HUB.publish)
    install_tracking()
