"""What the demo loader reports: its progress callback, its summary, and its one refusal."""

from __future__ import annotations

from collections.abc import Callable

import msgspec

from server.demo.logins import DemoLogin
from server.lib.errors import Conflict

ProgressCallback = Callable[[str], None]
"""Called with short human messages ("SKUs 1200/2000") so a console can show a long load moving."""


class DemoSummary(msgspec.Struct, frozen=True, kw_only=True):
    """Row counts after the load (read back from the database) and the logins to print."""

    warehouses: int
    bins: int
    skus: int
    barcodes: int
    lots: int
    moves: int
    users: int
    reservations: int
    logins: tuple[DemoLogin, ...]


class DemoDataRefused(Conflict):
    """Demo data goes only into a database without users: never mixed into a real installation."""

    code = "demo_data_refused"
