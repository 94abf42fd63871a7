"""A day of orders from the shops, each taken as far through the warehouse as ``END`` allows.

An order is paid minutes after it is placed, routed to its region's warehouse, waved, picked (a
move per scanned unit, from the pick face into the wave's staging bin), packed and shipped (a move
per lot from staging to @CUSTOMER, a shipment with its waybill), delivered days later. The warehouse
falls behind on promotion days, stops for Spring Festival and now and then misses a ship-by; some
buyers cancel after paying, some send a line back (a refund: the return is received and put back or
scrapped). Orders placed near ``END`` stop where they are: paid, held for review, routed with stock
reserved, in a wave, picked or packed.
"""

from __future__ import annotations

import random
from bisect import bisect
from datetime import date, datetime, timedelta
from typing import Any

from bench.reports_data.restock import Restock
from bench.reports_data.shape import (
    BUYER_MESSAGES,
    END,
    LINES_PER_ORDER,
    LOCAL,
    QTY,
    Shop,
    hours_of,
    local_midnight,
    peak,
)
from bench.reports_data.shelves import Portion, Shelves
from bench.reports_data.sink import Sink, template
from bench.reports_data.waves import Waves
from bench.reports_data.world import SiteIds, World
from server.fulfilment.models import ParcelVerification, VerificationStatus
from server.fulfilment.shipping.models import Shipment, ShipmentStatus
from server.orders.models import Order, OrderEvent, OrderLine, OrderReservation, OrderStatus
from server.orders.normalized import PlatformStatus, RefundState
from server.tasks.models import ExceptionStatus, WorkException
from server.warehouse.ledger.models import MoveReason

S = OrderStatus
H = timedelta(hours=1)
FESTIVAL = (date(2026, 2, 12), date(2026, 2, 24))
"""Couriers stop for Spring Festival: nothing is picked between these days."""
STOCK_OUT = "held: no warehouse can ship this order: awaiting stock"
READ_MESSAGE = "held: read the buyer's message"
WORK_START, WORK_END = 8, 23
"""Local hours the warehouse picks in."""


def draw(rng: random.Random, values: list[Any], cum: list[float]) -> Any:
    """One of ``values`` by cumulative weights ``cum`` (``random.choices`` without its list)."""
    return values[bisect(cum, rng.random() * cum[-1], 0, len(cum) - 1)]


def _cumulative(pairs: tuple[tuple[Any, float], ...]) -> tuple[list[Any], list[float]]:
    values, cum, total = [], [], 0.0
    for value, weight in pairs:
        total += weight
        values.append(value)
        cum.append(total)
    return values, cum


class Orders:
    def __init__(
        self, sink: Sink, shelves: Shelves, restock: Restock, waves: Waves, world: World, rng: random.Random
    ) -> None:
        self.sink, self.shelves, self.restock, self.waves, self.world, self.rng = (
            sink, shelves, restock, waves, world, rng
        )  # fmt: skip
        self.shops, self.shop_cum = _cumulative(tuple((pair, pair[0].share) for pair in world.shops))
        self.sites, self.site_cum = _cumulative(tuple((site, site.spec.share) for site in world.sites))
        self.lines_n, self.lines_cum = _cumulative(LINES_PER_ORDER)
        self.qty_n, self.qty_cum = _cumulative(QTY)
        self.carriers = [_cumulative(site.spec.carriers) for site in world.sites]
        self.order_template = template(Order, END)
        self.waybills = 0
        self.lines = 0
        self.orders = 0
        self.receivers = {
            site.spec.code: [_receiver(province) for province in site.spec.provinces] for site in world.sites
        }

    def day(self, day: date, count: int) -> None:
        rng = self.rng
        midnight = local_midnight(day)
        hours = list(hours_of(day))
        hour_cum = _cumulative(tuple(enumerate(hours)))[1]
        picked_hours = rng.choices(range(24), cum_weights=hour_cum, k=count)
        shops = rng.choices(self.shops, cum_weights=self.shop_cum, k=count)
        sites = rng.choices(self.sites, cum_weights=self.site_cum, k=count)
        times = [midnight + timedelta(hours=h, seconds=rng.uniform(0, 3600)) for h in picked_hours]
        for ordered_at, (shop, channel_id), site in sorted(zip(times, shops, sites, strict=True), key=lambda t: t[0]):
            if ordered_at < END:
                self.order(day, ordered_at, shop, channel_id, site)

    def order(self, day: date, ordered_at: datetime, shop: Shop, channel_id: int, site: SiteIds) -> None:
        rng, sink, catalog = self.rng, self.sink, self.world.catalog
        order_id = sink.next_id(Order)
        self.orders += 1
        n_lines = draw(rng, self.lines_n, self.lines_cum)
        skus: list[int] = []
        for _ in range(n_lines * 2):
            k = draw(rng, site.skus, site.cum_weights)
            if k not in skus:
                skus.append(k)
                if len(skus) == n_lines:
                    break
        promo = peak(day) > 0 or (day.month, day.day) in ((6, 18), (12, 12))
        lines = []
        goods = discount = 0
        for k in skus:
            qty = draw(rng, self.qty_n, self.qty_cum)
            price = catalog.price[k]
            off = (qty * price * rng.randint(5, 30) // 100) if promo or rng.random() < 0.2 else 0
            goods += qty * price
            discount += off
            lines.append([k, qty, price, off, RefundState.none])
        units = sum(line[1] for line in lines)
        line_ids = [sink.next_id(OrderLine) for _ in lines]
        number = f"{shop.number_prefix}{day:%y%m%d}{order_id:09d}"
        paying = ordered_at + timedelta(seconds=rng.uniform(5, 900))
        paid_at: datetime | None = paying
        age = END - ordered_at
        r = rng.random()
        status, platform_status = S.paid, PlatformStatus.paid
        to_warehouse = False
        hold, warehouse, carrier = "", None, ""
        updated = paid_at
        message = rng.choice(BUYER_MESSAGES) if rng.random() < 0.08 else ""
        cancel_rate = 0.03 if shop.platform == "pdd" else 0.02
        if (age < timedelta(minutes=30) and r < 0.3) or paying >= END:
            status, platform_status, paid_at = S.pending_payment, PlatformStatus.pending_payment, None
        elif r < 0.015:  # closed unpaid
            status, platform_status, paid_at = S.cancelled, PlatformStatus.cancelled, None
            updated = ordered_at + timedelta(minutes=rng.uniform(15, 60 * 24))
        elif r < 0.015 + cancel_rate and age > 12 * H:  # refunded before it shipped
            status, platform_status = S.cancelled, PlatformStatus.cancelled
            updated = ordered_at + timedelta(hours=rng.uniform(0.2, 10))
            for line in lines:
                line[4] = RefundState.refunded
        elif r > 0.997 and age < timedelta(days=5):  # nothing left to sell: held for stock
            status, hold = S.review, STOCK_OUT
        else:
            to_warehouse = True
        ship_by = paid_at + timedelta(hours=shop.ship_within_h) if paid_at and shop.ship_within_h else None
        shipment_rows: list[dict[str, Any]] = []
        if to_warehouse and paid_at is not None:
            carrier_names, carrier_cum = self.carriers[site.index]
            carrier = "JD" if shop.platform == "jd" else draw(rng, carrier_names, carrier_cum)
            warehouse = site.warehouse_id
            status, platform_status, hold, updated = self._fulfil(
                site, order_id, number, paid_at, day, lines, line_ids, units, carrier, bool(message), shipment_rows
            )
            if status in (S.paid, S.review):
                warehouse, carrier = None, ""
        row = dict(self.order_template)
        row.update(
            id=order_id,
            channel_id=channel_id,
            platform_order_no=number,
            status=status,
            hold_reason=hold,
            platform_status=platform_status,
            ordered_at=ordered_at,
            paid_at=paid_at,
            platform_updated_at=updated,
            goods_minor=goods,
            discount_minor=discount,
            paid_minor=goods - discount if paid_at else 0,
            buyer_id=f"tb{rng.randrange(10**9):09d}",
            buyer_message=message,
            ship_by=ship_by,
            presale=(day.month, day.day) < (11, 11) and peak(day) > 0 and rng.random() < 0.3,
            tags={"tags": ["vip"]} if rng.random() < 0.01 else {"tags": []},
            receiver_province=(receiver := rng.choice(self.receivers[site.spec.code]))["province"],
            receiver=receiver,
            warehouse_id=warehouse,
            carrier_code=carrier,
            shipping_cost_minor=rng.randint(350, 1200) if carrier else None,
            created_at=ordered_at,
            updated_at=updated or ordered_at,
        )
        sink.add(Order, row)
        for line_no, ((k, qty, price, off, refund), line_id) in enumerate(zip(lines, line_ids, strict=True), start=1):
            sink.add(
                OrderLine,
                {
                    "id": line_id,
                    "order_id": order_id,
                    "origin_order_id": order_id,
                    "line_no": line_no,
                    "platform_line_id": f"{number}{line_no:02d}",
                    "sku_code": catalog.codes[k],
                    "sku_id": k + 1,
                    "title": catalog.names[k],
                    "spec": "",
                    "platform_sku_id": "",
                    "qty": qty,
                    "unit_price_minor": price,
                    "discount_minor": off,
                    "paid_minor": qty * price - off,
                    "refund": refund,
                },
            )
        self.lines += len(lines)
        for shipment in shipment_rows:
            sink.add(Shipment, shipment)
        self._events(order_id, status, ordered_at, paid_at, updated, shipment_rows)

    def _fulfil(
        self,
        site: SiteIds,
        order_id: int,
        number: str,
        paid_at: datetime,
        day: date,
        lines: list[list[Any]],
        line_ids: list[int],
        units: int,
        carrier: str,
        has_message: bool,
        shipments: list[dict[str, Any]],
    ) -> tuple[OrderStatus, PlatformStatus, str, datetime]:
        """Take a paid order as far as it got by ``END``; answers (status, platform status, hold, updated)."""
        rng = self.rng
        routed_at = paid_at + timedelta(minutes=rng.uniform(1, 15))
        if has_message and rng.random() < 0.6:  # held for a person to read the message
            routed_at += timedelta(hours=rng.uniform(0.5, 5))
            if routed_at > END:
                return S.review, PlatformStatus.paid, READ_MESSAGE, paid_at
        if routed_at > END:
            return S.paid, PlatformStatus.paid, "", paid_at
        lead = rng.uniform(1.0, 7.0) + peak(day) * rng.uniform(0.3, 1.2)
        if rng.random() < 0.03:  # a short pick, a wrong label, a sick day: this one waits
            lead += rng.uniform(30, 70)
        pick_at = _working(routed_at + timedelta(hours=lead), rng)
        ship_at = pick_at + timedelta(hours=rng.uniform(0.5, 4))
        wave_at = max(routed_at, pick_at - timedelta(hours=rng.uniform(0.5, 2)))
        if wave_at > END:
            self._reserve(site, order_id, lines, line_ids, routed_at)
            return S.routed, PlatformStatus.paid, "", routed_at
        wave = self.waves.join(site, order_id, units, carrier, pick_at, wave_at)
        if pick_at > END:
            for k, qty, *_ in lines:
                slot = site.slots[k]
                _, pick_line = self.waves.line(wave, slot.zone, slot.face, k + 1, 0)
                self.waves.planned(pick_line, qty)
            self._reserve(site, order_id, lines, line_ids, routed_at)
            return S.in_wave, PlatformStatus.paid, "", wave_at
        picked: dict[int, list[Portion]] = {}
        for k, qty, *_ in lines:
            picked[k] = self._pick(site, wave, k, qty, pick_at)
        packer = rng.choice(site.people["packer"])
        if rng.random() < 0.4:
            self._pack_check(site, number, lines, packer, ship_at - timedelta(minutes=rng.uniform(5, 40)))
        if ship_at > END:
            return (S.picked if rng.random() < 0.5 else S.packed), PlatformStatus.paid, "", pick_at
        self.waybills += 1
        waybill = f"{carrier}{self.waybills:012d}"
        for k, qty, *_ in lines:
            self.shelves.carry(k + 1, wave.staging, site.customer, qty, MoveReason.shipment, ship_at, packer, waybill)
        delivered_at = ship_at + timedelta(hours=rng.uniform(20, 96))
        delivered = delivered_at < END
        weight = sum(self.world.catalog.weight_g[k] * qty for k, qty, *_ in lines)
        shipments.append(
            {
                "id": self.sink.next_id(Shipment),
                "order_id": order_id,
                "parcel_no": 1,
                "warehouse_id": site.warehouse_id,
                "carrier_code": carrier,
                "waybill_no": waybill,
                "sort_code": "",
                "print_fields": {},
                "weight_g": weight + 80,
                "item_count": units,
                "status": ShipmentStatus.delivered if delivered else ShipmentStatus.in_transit,
                "status_note": "",
                "created_by_user_id": packer,
                "labelled_at": ship_at - timedelta(minutes=rng.uniform(5, 40)),
                "shipped_at": ship_at,
                "delivered_at": delivered_at if delivered else None,
                "last_event_at": delivered_at if delivered else ship_at + timedelta(hours=6),
                "expected_by": ship_at + timedelta(hours=72),
                "created_at": ship_at - timedelta(minutes=rng.uniform(40, 60)),
                "updated_at": delivered_at if delivered else ship_at,
            }
        )
        if rng.random() < 0.025:  # the buyer sends a line back (售后退货)
            line = rng.choice(lines)
            back_at = ship_at + timedelta(hours=rng.uniform(72, 288))
            line[4] = RefundState.refunded if back_at < END else RefundState.requested
            if back_at < END:
                self.restock.send_back(site, site.slots[line[0]], picked[line[0]], back_at, f"RMA-{number}")
        if delivered:
            return S.delivered, PlatformStatus.completed, "", delivered_at
        return S.shipped, PlatformStatus.shipped, "", ship_at

    def _pick(self, site: SiteIds, wave: Any, k: int, qty: int, at: datetime) -> list[Portion]:
        """Pick ``qty`` of SKU ``k`` off its face into the wave's staging bin, a move per scan."""
        slot, shelves, rng = site.slots[k], self.shelves, self.rng
        mis_scan = rng.random() < 0.0005 and not self.world.catalog.dated[k]
        if not mis_scan:
            self.restock.replenish(site, slot, qty, at)
        portions = shelves.plan(slot.face, k + 1, qty, negative_lot=0)
        scan_at = at
        for lot, part in portions:
            task, line = self.waves.line(wave, slot.zone, slot.face, k + 1, lot)
            scans = [1] * part if part <= 4 else [part]
            for scan in scans:
                move_id = shelves.move(
                    k + 1, lot, slot.face, wave.staging, scan, MoveReason.pick, scan_at, task.picker, wave.code, op=True
                )
                self.waves.picked(task, line, scan, scan_at)
                if rng.random() < 0.002:  # the phone flagged the scan: wrong SKU or lot, or beyond the line
                    self._wrong_pick(site, move_id, task.id, slot.face, k + 1, scan_at)
                scan_at += timedelta(seconds=rng.uniform(4, 20))
        return portions

    def _wrong_pick(self, site: SiteIds, move_id: int, task_id: int, location: int, sku: int, at: datetime) -> None:
        kind = "wrong_item" if self.rng.random() < 0.6 else "over_pick"
        self.sink.add(
            WorkException,
            template(WorkException, at)
            | {
                "id": self.sink.next_id(WorkException),
                "warehouse_id": site.warehouse_id,
                "kind": kind,
                "status": ExceptionStatus.resolved,
                "message": f"{kind.replace('_', ' ')} on task {task_id}",
                "message_zh": "拣货商品与任务行不符" if kind == "wrong_item" else "超拣",
                "refs": {"task_id": task_id, "location_id": location, "sku_id": sku},
                "op_id": f"m{move_id}",
                "task_id": None,  # its wave's task is written when the wave is over: named in refs
                "created_at": at + timedelta(seconds=self.rng.uniform(1, 1800)),
                "resolved_at": at + timedelta(hours=2),
                "resolution": "put back and picked again",
            },
        )

    def _pack_check(self, site: SiteIds, number: str, lines: list[list[Any]], packer: int, at: datetime) -> None:
        """A pack check (复核) of the parcel; one in two hundred finds a unit more or less."""
        expected = {str(k + 1): qty for k, qty, *_ in lines}
        scanned = dict(expected)
        wrong = self.rng.random() < 0.005
        if wrong:
            sku = next(iter(scanned))
            scanned[sku] = max(0, scanned[sku] + self.rng.choice((-1, 1)))
        self.sink.add(
            ParcelVerification,
            {
                "id": self.sink.next_id(ParcelVerification),
                "warehouse_id": site.warehouse_id,
                "reference": number,
                "task_id": None,
                "status": VerificationStatus.mismatch if wrong else VerificationStatus.matched,
                "expected": expected,
                "scanned": scanned,
                "user_id": packer,
                "device_id": self.world.devices[packer],
                "op_id": "",
                "verified_at": at,
            },
        )

    def _reserve(self, site: SiteIds, order_id: int, lines: list[list[Any]], line_ids: list[int], at: datetime) -> None:
        for (k, qty, *_), line_id in zip(lines, line_ids, strict=True):
            slot = site.slots[k]
            self.restock.replenish(site, slot, qty, min(at, END))
            for lot, part in self.shelves.reserve(slot.face, k + 1, qty):
                self.sink.add(
                    OrderReservation,
                    {
                        "id": self.sink.next_id(OrderReservation),
                        "order_id": order_id,
                        "order_line_id": line_id,
                        "warehouse_id": site.warehouse_id,
                        "location_id": slot.face,
                        "sku_id": k + 1,
                        "lot_id": lot or None,
                        "qty": part,
                        "created_at": at,
                    },
                )

    def _events(
        self,
        order_id: int,
        status: OrderStatus,
        ordered_at: datetime,
        paid_at: datetime | None,
        updated: datetime | None,
        shipments: list[dict[str, Any]],
    ) -> None:
        """The events the reports may read: the import, and the ends of the road (cancelled, shipped, delivered)."""
        first = S.paid if paid_at else S.pending_payment
        events = [(paid_at or ordered_at, "imported", first, first)]
        if status is S.cancelled:
            events.append((updated or ordered_at, "status", first, S.cancelled))
        for shipment in shipments:
            events.append((shipment["shipped_at"], "shipped", S.packed, S.shipped))
            if shipment["delivered_at"] is not None:
                events.append((shipment["delivered_at"], "delivered", S.shipped, S.delivered))
        for at, kind, before, after in events:
            self.sink.add(
                OrderEvent,
                {
                    "id": self.sink.next_id(OrderEvent),
                    "order_id": order_id,
                    "at": at,
                    "kind": kind,
                    "from_status": before.value,
                    "to_status": after.value,
                    "actor_user_id": None,
                    "reason": "",
                    "detail": {},
                },
            )


def _receiver(province: str) -> dict[str, str]:
    """A receiver as platforms hand them over: masked (one object per province, shared by its orders)."""
    return {"name": "张**", "phone": "138****0000", "province": province, "address": "***"}


def _working(at: datetime, rng: random.Random) -> datetime:
    """The first picking moment at or after ``at`` (08:00–23:00 local; nothing over Spring Festival)."""
    local = at + LOCAL
    day = local.date()
    if FESTIVAL[0] <= day <= FESTIVAL[1]:
        return local_midnight(FESTIVAL[1] + timedelta(days=1)) + timedelta(hours=WORK_START + rng.uniform(0, 48))
    if local.hour < WORK_START:
        return local_midnight(day) + timedelta(hours=WORK_START + rng.uniform(0, 2))
    if local.hour >= WORK_END:
        return local_midnight(day + timedelta(days=1)) + timedelta(hours=WORK_START + rng.uniform(0, 2))
    return at
