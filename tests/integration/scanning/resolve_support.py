"""A small world to scan in: two warehouses, bins, SKUs with every barcode form, a lot, a tote,
an order with its waybill, a purchase order. Rows go straight into the tables (how they got there
is other suites' business)."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, date, datetime

from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from server.catalog.models import Barcode, BarcodeKind, Lot, Sku
from server.fulfilment.shipping.models import Shipment
from server.inbound.models import PurchaseOrder, Supplier
from server.orders.models import Channel, Order, OrderStatus
from server.orders.normalized import PlatformStatus
from server.warehouse.models import LocationType
from tests.factories import make_bin, make_sku, make_warehouse

Factory = async_sessionmaker[AsyncSession]

MILK_EXPIRY = date(2027, 6, 30)
ORDER_NO = "3000000000000001234"
WAYBILL = "SF1234567890123"
PO_CODE = "PO-2026-0042"


@dataclass(frozen=True)
class World:
    hz: int
    gz: int
    hz_bin: int
    gz_bin: int
    tote_bin: int
    cola: int
    cola_unit_barcode: int
    cola_case_barcode: int
    gum: int
    milk: int
    milk_lot: int
    order: int
    channel: int
    shipment: int
    purchase_order: int
    supplier: int


def barcode(sku: Sku, code: str, pack_qty: int = 1, kind: BarcodeKind = BarcodeKind.gtin) -> Barcode:
    return Barcode(sku_id=sku.id, code=code, kind=kind, pack_qty=pack_qty)


async def make_world(factory: Factory) -> World:
    async with factory() as s, s.begin():
        hz = await make_warehouse(s, code="HZ")
        gz = await make_warehouse(s, code="GZ")
        hz_bin = await make_bin(s, hz, code="A-01-03")  # barcode HZ-A-01-03
        gz_bin = await make_bin(s, gz, code="A-01-03")  # the same code in another warehouse
        tote_bin = await make_bin(s, hz, code="TOTE-0042", type=LocationType.staging)
        cola = await make_sku(s, code="COLA-330")
        gum = await make_sku(s, code="GUM-5")
        milk = await make_sku(s, code="MILK-1L", lot_controlled=True)
        unit = barcode(cola, "00036000291452")  # registered from UPC-A 036000291452
        case = barcode(cola, "10036000291459", pack_qty=24)  # the ITF-14 on the carton
        s.add_all(
            [
                unit,
                case,
                barcode(cola, "INNER-6", pack_qty=6, kind=BarcodeKind.internal),
                barcode(gum, "00042100005264"),  # registered from UPC-E 04252614
                barcode(milk, "06901234567892"),
            ]
        )
        lot = Lot(sku_id=milk.id, lot_number="L2406A", expires_on=MILK_EXPIRY)
        s.add(lot)
        channel = Channel(code="TMALL1", name="天猫旗舰店", platform="taobao")
        supplier = Supplier(code="SUP1", name="杭州饮料批发")
        s.add_all([channel, supplier])
        await s.flush()
        order = Order(
            channel_id=channel.id,
            platform_order_no=ORDER_NO,
            status=OrderStatus.picked,
            platform_status=PlatformStatus.paid,
            ordered_at=datetime(2026, 11, 11, 2, 0, tzinfo=UTC),
            warehouse_id=hz.warehouse.id,
        )
        po = PurchaseOrder(code=PO_CODE, warehouse_id=gz.warehouse.id, supplier_id=supplier.id)
        s.add_all([order, po])
        await s.flush()
        shipment = Shipment(order_id=order.id, warehouse_id=hz.warehouse.id, carrier_code="SF", waybill_no=WAYBILL)
        s.add(shipment)
        await s.flush()
        return World(
            hz=hz.warehouse.id,
            gz=gz.warehouse.id,
            hz_bin=hz_bin.id,
            gz_bin=gz_bin.id,
            tote_bin=tote_bin.id,
            cola=cola.id,
            cola_unit_barcode=unit.id,
            cola_case_barcode=case.id,
            gum=gum.id,
            milk=milk.id,
            milk_lot=lot.id,
            order=order.id,
            channel=channel.id,
            shipment=shipment.id,
            purchase_order=po.id,
            supplier=supplier.id,
        )
