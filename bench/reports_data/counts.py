"""Cycle counts (循环盘点) every working day, their variances, and the bins that went below zero.

Each warehouse's counters count a few dozen pick faces a day (one count task each, half blind).
Most counts match the books; about one in ten finds a unit or three off and adjusts at once (a
``count_adjustment`` move to or from @LOSS); a few find more than the warehouse's threshold and wait
for a supervisor (``count_variances``): approved (adjusted as of the count), rejected, or — in the last
days — still pending with an open exception. At the end every bin left below zero gets an open
count task and an exception, as the ledger's negative-stock policy opens them.
"""

from __future__ import annotations

import random
from datetime import date, datetime, timedelta

from bench.reports_data.shape import END, local_midnight
from bench.reports_data.shelves import Shelves
from bench.reports_data.sink import Sink, template
from bench.reports_data.world import SiteIds, World
from server.tasks.models import ExceptionStatus, LineStatus, Task, TaskKind, TaskLine, TaskStatus, WorkException
from server.warehouse.count_models import BinCount, CountOutcome, CountVariance, VarianceStatus
from server.warehouse.count_variances import AWAITING_APPROVAL
from server.warehouse.ledger.models import NO_LOT, MoveReason

PENDING_DAYS = 5
"""Variances found in the last days are still waiting for a supervisor."""


class Counts:
    def __init__(self, sink: Sink, shelves: Shelves, world: World, rng: random.Random, per_day: int) -> None:
        self.sink, self.shelves, self.world, self.rng, self.per_day = sink, shelves, world, rng, per_day
        self.counted = 0

    def day(self, day: date) -> None:
        if day.weekday() == 6 or (day.month == 2 and 12 <= day.day <= 24):
            return
        for site in self.world.sites:
            n = max(1, round(self.per_day * self.rng.uniform(0.5, 1.5)))
            self._task(site, day, n)

    def _task(self, site: SiteIds, day: date, n: int) -> None:
        rng, sink, shelves = self.rng, self.sink, self.shelves
        counter = rng.choice(site.people["counter"])
        start = local_midnight(day) + timedelta(hours=9 + rng.uniform(0, 4))
        if start + timedelta(minutes=4 * n) > END:
            return
        task_id = sink.next_id(Task)
        at = start
        for line_no, k in enumerate(rng.sample(site.skus, min(n, len(site.skus))), start=1):
            at += timedelta(minutes=rng.uniform(1, 4))
            slot, sku = site.slots[k], k + 1
            entries = [e for e in shelves.entries(slot.face, sku) if e[1] != 0] or [[NO_LOT, 0]]
            lot, books = rng.choice(entries)
            self._count(site, slot.face, sku, lot, books, at, counter)
            sink.add(
                TaskLine,
                {
                    "id": sink.next_id(TaskLine),
                    "task_id": task_id,
                    "warehouse_id": site.warehouse_id,
                    "line_no": line_no,
                    "location_id": slot.face,
                    "sku_id": None,
                    "lot_id": None,
                    "qty": 0,
                    "done_qty": 1,
                    "status": LineStatus.done,
                    "completed_by_user_id": counter,
                    "completed_at": at,
                },
            )
        sink.add(
            Task,
            template(Task, start)
            | {
                "id": task_id,
                "warehouse_id": site.warehouse_id,
                "kind": TaskKind.bin_count,
                "status": TaskStatus.done,
                "reference": f"count-plan:{day:%Y%m%d}",
                "reason": "cycle count",
                "assignee_user_id": counter,
                "claimed_at": start,
                "completed_at": at,
                "blind": rng.random() < 0.5,
                "created_at": start - timedelta(hours=1),
                "updated_at": at,
            },
        )

    def _count(self, site: SiteIds, location: int, sku: int, lot: int, books: int, at: datetime, user: int) -> None:
        rng, sink = self.rng, self.sink
        r = rng.random()
        count_id = sink.next_id(BinCount)
        self.counted += 1
        move_id: int | None = None
        variance_row = None
        if r < 0.84 and books >= 0:
            counted, outcome = books, CountOutcome.matched
        elif r < 0.95 or books < 0:
            counted = max(0, books + rng.choice((-3, -2, -1, -1, 1, 1, 2)))
            outcome = CountOutcome.adjusted if counted != books else CountOutcome.matched
            if counted != books:
                move_id = self._adjust(site, location, sku, lot, counted - books, at, user)
        elif r < 0.99:
            counted = books + rng.randint(11, 40) * (1 if books < 11 or rng.random() < 0.4 else -1)
            recent = END - at < timedelta(days=PENDING_DAYS)
            status = (
                VarianceStatus.pending if recent
                else VarianceStatus.approved if rng.random() < 0.75 else VarianceStatus.rejected
            )  # fmt: skip
            outcome = {
                VarianceStatus.pending: CountOutcome.awaiting_approval,
                VarianceStatus.approved: CountOutcome.adjusted,
                VarianceStatus.rejected: CountOutcome.rejected,
            }[status]
            variance_row = self._variance(site, count_id, location, sku, books, counted, status, at)
            if status is VarianceStatus.approved:
                move_id = self._adjust(site, location, sku, lot, counted - books, at, user)
                variance_row["adjustment"] = counted - books
                variance_row["adjustment_move_id"] = move_id
        else:
            counted, outcome = max(0, books + rng.randint(1, 5)), CountOutcome.recount
        sink.add(
            BinCount,
            {
                "id": count_id,
                "location_id": location,
                "sku_id": sku,
                "lot_id": lot or None,
                "lot_key": lot or NO_LOT,
                "counted_qty": counted,
                "ledger_qty": books,
                "adjustment_move_id": move_id,
                "outcome": outcome,
                "counted_at": at,
                "user_id": user,
                "device_id": self.world.devices[user],
                "op_id": f"bench-count-{count_id}",
                "recorded_at": at,
            },
        )
        if variance_row is not None:
            sink.add(CountVariance, variance_row)

    def _adjust(self, site: SiteIds, location: int, sku: int, lot: int, delta: int, at: datetime, user: int) -> int:
        source, target = (site.loss, location) if delta > 0 else (location, site.loss)
        return self.shelves.move(sku, lot, source, target, abs(delta), MoveReason.count_adjustment, at, user, "count")

    def _variance(
        self,
        site: SiteIds,
        count_id: int,
        location: int,
        sku: int,
        books: int,
        counted: int,
        status: VarianceStatus,
        at: datetime,
    ) -> dict[str, object]:
        rng, sink = self.rng, self.sink
        variance = counted - books
        cost = self.world.catalog.cost[sku - 1]
        value = variance * cost if cost else None
        decided = None if status is VarianceStatus.pending else at + timedelta(hours=rng.uniform(1, 48))
        supervisor = rng.choice(site.people["supervisor"])
        exception_id = sink.next_id(WorkException)
        sink.add(
            WorkException,
            {
                "id": exception_id,
                "warehouse_id": site.warehouse_id,
                "kind": AWAITING_APPROVAL,
                "status": ExceptionStatus.open if decided is None else ExceptionStatus.resolved,
                "message": f"count variance awaiting approval: bin {location} counted {counted}, books {books}",
                "message_zh": f"盘点差异待审批：实盘 {counted}，账面 {books}",
                "refs": {"location_id": location, "sku_id": sku, "bin_count_id": count_id},
                "op_id": f"bench-count-{count_id}",
                "task_id": None,
                "created_at": at,
                "resolved_at": decided,
                "resolved_by_user_id": supervisor if decided else None,
                "resolution": "" if decided is None else status.value,
            },
        )
        return {
            "id": sink.next_id(CountVariance),
            "bin_count_id": count_id,
            "warehouse_id": site.warehouse_id,
            "status": status,
            "expected_qty": books,
            "variance": variance,
            "value_minor": value,
            "currency": "CNY",
            "over_units": abs(variance) > 10,
            "over_value": value is not None and abs(value) > 50_000,
            "exception_id": exception_id,
            "decided_at": decided,
            "decided_by_user_id": supervisor if decided else None,
            "reason": "" if decided is None else "checked the bin",
            "adjustment": 0,
            "adjustment_move_id": None,
            "recount_task_id": None,
            "superseded_by_count_id": None,
            "created_at": at,
        }

    def negatives(self) -> int:
        """Open a count task and an exception for every level left below zero; answers how many."""
        rng, sink = self.rng, self.sink
        warehouse_of = {loc: site for site in self.world.sites for loc in (s.face for s in site.slots.values())}
        found = 0
        for (location, sku), entries in self.shelves.stock.items():
            site = warehouse_of.get(location)
            if site is None or not any(e[1] < 0 for e in entries):
                continue
            found += 1
            at = END - timedelta(hours=rng.uniform(1, 72))
            task_id = sink.next_id(Task)
            sink.add(
                Task,
                template(Task, at)
                | {
                    "id": task_id,
                    "warehouse_id": site.warehouse_id,
                    "kind": TaskKind.bin_count,
                    "status": TaskStatus.open,
                    "reference": f"bin:{location}",
                    "reason": "a pick took the bin below zero",
                    "priority": 5,
                    "created_at": at,
                    "updated_at": at,
                },
            )
            sink.add(
                TaskLine,
                template(TaskLine, at)
                | {
                    "id": sink.next_id(TaskLine),
                    "task_id": task_id,
                    "warehouse_id": site.warehouse_id,
                    "line_no": 1,
                    "location_id": location,
                    "sku_id": sku,
                },
            )
            sink.add(
                WorkException,
                template(WorkException, at)
                | {
                    "id": sink.next_id(WorkException),
                    "warehouse_id": site.warehouse_id,
                    "kind": "negative_stock",
                    "message": f"bin {location} went below zero; count task {task_id} opened",
                    "message_zh": f"库位库存为负，已生成盘点任务 {task_id}",
                    "refs": {"location_id": location, "sku_id": sku},
                    "task_id": task_id,
                    "created_at": at,
                },
            )
        return found
