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
    orders: int
    waves: int
    pick_tasks: int
    """Open pick tasks: what the demo picker finds on the phone."""
    count_tasks: int
    """Open count tasks: what the demo counter finds."""
    purchase_orders: int
    logins: tuple[DemoLogin, ...]

    @property
    def activity(self) -> str:
        """The day's work on the floor in one line, for the console."""
        return (
            f"demo orders: {self.orders}, waves: {self.waves}, pick tasks: {self.pick_tasks}, "
            f"count tasks: {self.count_tasks}"
        )


class DemoDataRefused(Conflict):
    """Demo data goes only into a database without users: never mixed into a real installation."""

    code = "demo_data_refused"
