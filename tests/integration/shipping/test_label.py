"""The label PDF: one 100 × 150 mm page with the waybill as text and barcode, Chinese in the built-in
CID font, the receiver as stored (masked) and never a ciphertext."""

from __future__ import annotations

import re

from server.fulfilment.shipping import service
from server.fulfilment.shipping.label import LabelData, render_label
from server.fulfilment.shipping.models import ShipmentStatus
from tests.integration.shipping.helpers import RECEIVER, T0, Factory, make_packed_order, shipment

PAGE = re.compile(rb"/Type /Page\b(?!s)")
MEDIA_BOX = re.compile(rb"/MediaBox \[ 0 0 ([\d.]+) ([\d.]+) \]")


async def _label(factory: Factory) -> tuple[int, LabelData]:
    async with factory() as s, s.begin():
        packed = await make_packed_order(s)
        created = await service.create_shipment(s, await service.get_order(s, packed.order_id), None, weight_g=1250)
        return created.id, await service.label_data(s, created)


async def test_label_data_is_the_stored_masked_receiver_and_the_warehouse(session_factory: Factory) -> None:
    _, data = await _label(session_factory)
    assert data.waybill_no == "000000000018"
    assert (data.carrier_code, data.carrier_name, data.sort_code, data.issued_locally) == (
        "YTO",
        "圆通速递",
        "浙江 杭州",
        True,
    )
    assert (data.receiver_name, data.receiver_phone, data.receiver_address) == (
        "王**",
        "138****1234",
        "浙江省杭州市西湖区文三路***号",
    )
    assert data.sender_name.startswith("测试仓")
    assert data.sender_address == "浙江省杭州市"
    assert (data.item_count, data.weight_g, data.parcel_no) == (2, 1250, 1)


async def test_the_label_is_one_page_of_100_by_150_mm_with_the_waybill(session_factory: Factory) -> None:
    _, data = await _label(session_factory)
    pdf = render_label(data, compress=False)

    assert pdf.startswith(b"%PDF-")
    assert len(PAGE.findall(pdf)) == 1
    width, height = (float(x) for x in MEDIA_BOX.findall(pdf)[0])
    assert (round(width / 72 * 25.4), round(height / 72 * 25.4)) == (100, 150)
    assert b"(000000000018) Tj" in pdf  # the number as text under the barcode
    # Code 128 set C packs digit pairs: start, 6 pairs and the check symbol of 3 bars each, a 4-bar stop.
    assert pdf.count(b" re f") == 3 + 6 * 3 + 3 + 4
    assert b"/BaseFont /STSong-Light" in pdf  # Chinese via the built-in CID font…
    assert b"/FontFile" not in pdf  # …with no font file embedded
    assert f"({data.order_no}) Tj".encode() in pdf
    for secret in RECEIVER["encrypted"].values():
        assert secret.encode() not in pdf


def test_the_same_label_renders_to_the_same_bytes() -> None:
    data = LabelData(
        waybill_no="LC000000000018",
        carrier_code="LOCAL",
        carrier_name="自配送",
        order_no="A-1",
        item_count=1,
        sender_name="杭州仓",
    )
    compressed = render_label(data)
    assert compressed == render_label(data)
    assert compressed.startswith(b"%PDF-")
    assert len(compressed) < len(render_label(data, compress=False))


async def test_a_long_address_is_wrapped_not_lost(session_factory: Factory) -> None:
    _, data = await _label(session_factory)
    long = LabelData(**{**{f: getattr(data, f) for f in data.__struct_fields__}, "receiver_address": "很长的地址" * 40})
    pdf = render_label(long, compress=False)
    assert len(PAGE.findall(pdf)) == 1


async def test_printing_marks_the_shipment_labelled_once(session_factory: Factory) -> None:
    shipment_id, _ = await _label(session_factory)
    async with session_factory() as s, s.begin():
        service.mark_labelled(await service.get_shipment(s, shipment_id), T0)
    async with session_factory() as s, s.begin():
        service.mark_labelled(await service.get_shipment(s, shipment_id), T0.replace(hour=9))
    row = await shipment(session_factory, shipment_id)
    assert (row.status, row.labelled_at) == (ShipmentStatus.labelled, T0)
