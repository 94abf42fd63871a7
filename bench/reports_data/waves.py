"""Waves (波次) and their pick tasks, filled as orders are picked and written once they are over.

Orders of one warehouse, carrier and kind (one unit or several) picked in the same hour share a
wave of at most 200 orders; a wave has one pick task per zone, assigned to one picker, with one line
per (bin, SKU, lot) — the units of all its orders summed, as ``server.fulfilment.waves`` builds them.
A wave is written a week after its hour (no order joins it later); the waves still open at the end
are the work in progress the reports see: lines open, tasks claimed, waves picking.
"""

from __future__ import annotations

import random
from dataclasses import dataclass, field
from datetime import datetime, timedelta

from bench.reports_data.shape import EARLY_SHIFT_ENDS, LOCAL
from bench.reports_data.sink import Sink, template
from bench.reports_data.world import SiteIds
from server.fulfilment.models import Wave, WaveKind, WaveOrder, WaveStatus, WaveTask
from server.tasks.models import LineStatus, Task, TaskKind, TaskLine, TaskStatus

WAVE_ORDERS = 200
LOCAL_HOURS = int(LOCAL.total_seconds()) // 3600
KEEP_OPEN = timedelta(days=7)


@dataclass(slots=True)
class PickLine:
    id: int
    line_no: int
    location: int
    sku: int
    lot: int
    qty: int = 0
    done: int = 0
    completed_at: datetime | None = None


@dataclass(slots=True)
class PickTask:
    id: int
    zone: str
    picker: int
    lines: dict[tuple[int, int, int], PickLine] = field(default_factory=dict)
    first: datetime | None = None
    last: datetime | None = None


@dataclass(slots=True)
class OpenWave:
    id: int
    code: str
    site: SiteIds
    kind: WaveKind
    carrier: str
    staging: int
    created_at: datetime
    hour: int
    orders: list[int] = field(default_factory=list)
    units: int = 0
    tasks: dict[str, PickTask] = field(default_factory=dict)


class Waves:
    def __init__(self, sink: Sink, rng: random.Random) -> None:
        self.sink = sink
        self.rng = rng
        self.current: dict[tuple[int, int, WaveKind, str], OpenWave] = {}
        self.full: list[OpenWave] = []

    def join(
        self, site: SiteIds, order_id: int, units: int, carrier: str, pick_at: datetime, created: datetime
    ) -> OpenWave:
        kind = WaveKind.single if units == 1 else WaveKind.multi
        hour = int(pick_at.timestamp()) // 3600
        key = (site.index, hour, kind, carrier)
        wave = self.current.get(key)
        if wave is None or len(wave.orders) >= WAVE_ORDERS:
            if wave is not None:
                self.full.append(wave)
            wave_id = self.sink.next_id(Wave)
            wave = OpenWave(
                id=wave_id,
                code=f"W{site.spec.code}-{wave_id:07d}",
                site=site,
                kind=kind,
                carrier=carrier,
                staging=self.rng.choice(site.staging),
                created_at=created,
                hour=hour,
            )
            self.current[key] = wave
        wave.orders.append(order_id)
        wave.units += units
        wave.created_at = min(wave.created_at, created)
        return wave

    def line(self, wave: OpenWave, zone: str, location: int, sku: int, lot: int) -> tuple[PickTask, PickLine]:
        """The wave's pick line for ``(location, sku, lot)`` (its task made on first use)."""
        task = wave.tasks.get(zone)
        if task is None:
            pickers = wave.site.people["picker"]
            late = (wave.hour + LOCAL_HOURS) % 24 >= EARLY_SHIFT_ENDS
            on_shift = pickers[late::2]  # even numbers work early, odd ones late
            task = PickTask(self.sink.next_id(Task), zone, self.rng.choice(on_shift))
            wave.tasks[zone] = task
        key = (location, sku, lot)
        found = task.lines.get(key)
        if found is None:
            found = PickLine(self.sink.next_id(TaskLine), len(task.lines) + 1, location, sku, lot)
            task.lines[key] = found
        return task, found

    @staticmethod
    def picked(task: PickTask, line: PickLine, qty: int, at: datetime) -> None:
        line.qty += qty
        line.done += qty
        line.completed_at = at if line.completed_at is None or at > line.completed_at else line.completed_at
        task.first = at if task.first is None or at < task.first else task.first
        task.last = at if task.last is None or at > task.last else task.last

    @staticmethod
    def planned(line: PickLine, qty: int) -> None:
        line.qty += qty

    def close_before(self, moment: datetime) -> None:
        """Write the waves whose hour is more than a week before ``moment``."""
        cut = int((moment - KEEP_OPEN).timestamp()) // 3600
        for key in [k for k, wave in self.current.items() if wave.hour < cut]:
            self._write(self.current.pop(key))
        keep = []
        for wave in self.full:
            if wave.hour < cut:
                self._write(wave)
            else:
                keep.append(wave)
        self.full = keep

    def close_all(self) -> None:
        for wave in [*self.full, *self.current.values()]:
            self._write(wave)
        self.full, self.current = [], {}

    def _write(self, wave: OpenWave) -> None:
        sink, site = self.sink, wave.site
        open_lines = False
        task_rows = []
        for zone, task in wave.tasks.items():
            done = all(line.done >= line.qty for line in task.lines.values())
            started = task.first is not None
            open_lines = open_lines or not done
            status = TaskStatus.done if done else TaskStatus.claimed if started else TaskStatus.open
            claimed = task.first - timedelta(minutes=3) if task.first is not None else None
            task_rows.append(
                template(Task, wave.created_at)
                | {
                    "id": task.id,
                    "warehouse_id": site.warehouse_id,
                    "kind": TaskKind.pick,
                    "status": status,
                    "reference": wave.code,
                    "reason": f"wave {wave.code}, zone {zone}",
                    "priority": 10 if wave.kind is WaveKind.single else 5,
                    "to_location_id": wave.staging,
                    "assignee_user_id": task.picker if started else None,
                    "claimed_at": claimed,
                    "completed_at": task.last if done else None,
                    "source_op_id": "",
                    "blind": False,
                    "created_at": wave.created_at,
                    "updated_at": task.last or wave.created_at,
                }
            )
        sink.add(
            Wave,
            {
                "id": wave.id,
                "warehouse_id": site.warehouse_id,
                "code": wave.code,
                "kind": wave.kind,
                "status": WaveStatus.picking if open_lines else WaveStatus.picked,
                "carrier_code": wave.carrier,
                "cut_off": None,
                "order_count": len(wave.orders),
                "unit_count": wave.units,
                "created_by_user_id": None,
                "created_at": wave.created_at,
            },
        )
        for position, order_id in enumerate(wave.orders, start=1):
            sink.add(
                WaveOrder,
                {"id": sink.next_id(WaveOrder), "wave_id": wave.id, "order_id": order_id, "position": position},
            )
        for row in task_rows:
            sink.add(Task, row)
        for task in wave.tasks.values():
            for line in task.lines.values():
                finished = line.done >= line.qty
                sink.add(
                    TaskLine,
                    {
                        "id": line.id,
                        "task_id": task.id,
                        "warehouse_id": site.warehouse_id,
                        "line_no": line.line_no,
                        "location_id": line.location,
                        "sku_id": line.sku,
                        "lot_id": line.lot or None,
                        "qty": line.qty,
                        "done_qty": line.done,
                        "status": LineStatus.done if finished else LineStatus.open,
                        "completed_by_user_id": task.picker if finished else None,
                        "completed_at": line.completed_at if finished else None,
                    },
                )
            sink.add(WaveTask, {"id": sink.next_id(WaveTask), "wave_id": wave.id, "task_id": task.id})
