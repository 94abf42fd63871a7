"""The garbage collector's thresholds for a server process.

CPython collects the young generation every 700 net allocations of container objects. An order
batch (1,000 orders with their lines, reservations and events as ORM objects) allocates far more
than that while the objects are still in use, so they survive into the older generations and the
old generation fills with what is garbage a moment later; full collections then walk the whole
heap again and again. Measured with ``bench.orders`` on PostgreSQL (100,000 orders): 28 s of 71 s
of review/route/reserve went to the collector at the default thresholds, 2.6 s at 50,000/20/20.
Memory held by not-yet-collected cycles stays small (a few MB between young collections).
"""

from __future__ import annotations

import gc

from server.settings import Settings

OLDER_THRESHOLDS = (20, 20)


def tune_gc(settings: Settings) -> tuple[int, ...]:
    """Applies the configured young-generation threshold; answers the thresholds now in force."""
    if settings.gc_young_threshold > 0:
        gc.set_threshold(settings.gc_young_threshold, *OLDER_THRESHOLDS)
    return gc.get_threshold()
