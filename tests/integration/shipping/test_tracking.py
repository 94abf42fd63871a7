"""Kuaidi100 pushes: stored once however often they come, mapped onto the parcel's status, the order
delivered on 签收, signatures checked; and parcels gone quiet listed with the reason."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest
from sqlalchemy import select

from server.fulfilment.shipping import service
from server.fulfilment.shipping.models import Shipment, ShipmentStatus, TrackingEvent, TrackingState
from server.fulfilment.shipping.tracking import (
    Delay,
    SignatureRefused,
    TrackingIngest,
    find_delayed,
    ingest_kuaidi100,
    sign_kuaidi100,
    verify_kuaidi100,
)
from server.lib.errors import ValidationFailed
from server.orders.lifecycle import change_status
from server.orders.models import OrderStatus
from tests.integration.shipping.helpers import (
    T0,
    Factory,
    event_kinds,
    kuaidi100_param,
    make_packed_order,
    order,
    outbox_rows,
    shipment,
)

NOW = T0 + timedelta(days=1)
PICKUP = ("2026-11-11 18:00:00", "【杭州市】浙江杭州西湖区公司 已揽收", "揽收")
HUB = ("2026-11-12 02:30:00", "【杭州市】已到达 浙江杭州转运中心", "在途")
OUT = ("2026-11-12 09:10:00", "【杭州市】西湖区公司 派件员 张师傅 正在派件", "派件")
SIGNED = ("2026-11-12 14:05:00", "【杭州市】已签收，签收人凭取件码签收", "签收")


def utc(beijing: str) -> datetime:
    return datetime.fromisoformat(beijing).replace(tzinfo=UTC) - timedelta(hours=8)


async def _shipment(factory: Factory, *, ship: bool = True, province: str = "浙江省") -> tuple[int, int, str]:
    """(order id, shipment id, waybill no) of a parcel, shipped at T0 unless ``ship`` is false."""
    async with factory() as s, s.begin():
        packed = await make_packed_order(s, province=province)
        created = await service.create_shipment(s, await service.get_order(s, packed.order_id), None)
        if ship:
            await service.ship(s, created, None, now=T0)
        return packed.order_id, created.id, created.waybill_no


async def _push(factory: Factory, param: str, sign: str = "", salt: str = "") -> TrackingIngest:
    async with factory() as s, s.begin():
        return await ingest_kuaidi100(s, param, sign, salt=salt, now=NOW)


async def _events(factory: Factory, shipment_id: int) -> list[tuple[datetime, TrackingState, str, str]]:
    async with factory() as s:
        return [(e.occurred_at, e.state, e.raw_state, e.context) for e in await service.tracking_events(s, shipment_id)]


async def test_a_pickup_push_is_stored_and_puts_the_parcel_in_transit(session_factory: Factory) -> None:
    _, shipment_id, waybill = await _shipment(session_factory)

    result = await _push(session_factory, kuaidi100_param(waybill, "1", [PICKUP]))

    assert result == TrackingIngest(shipment_id=shipment_id, inserted=1, status=ShipmentStatus.in_transit)
    async with session_factory() as s:
        [event] = await s.scalars(select(TrackingEvent))
    assert (event.occurred_at, event.state, event.raw_state, event.area, event.source) == (
        datetime(2026, 11, 11, 10, 0, tzinfo=UTC),
        TrackingState.picked_up,
        "1",
        "浙江,杭州市",
        "kuaidi100",
    )
    row = await shipment(session_factory, shipment_id)
    assert (row.status, row.last_event_at) == (ShipmentStatus.in_transit, utc(PICKUP[0]))


async def test_the_same_history_pushed_again_is_stored_once(session_factory: Factory) -> None:
    _, shipment_id, waybill = await _shipment(session_factory)
    first = kuaidi100_param(waybill, "1", [PICKUP])
    later = kuaidi100_param(waybill, "5", [OUT, HUB, PICKUP])

    inserted = [(await _push(session_factory, p)).inserted for p in (first, first, later, later)]

    assert inserted == [1, 0, 2, 0]
    assert await _events(session_factory, shipment_id) == [
        (utc(OUT[0]), TrackingState.delivering, "5", OUT[1]),
        (utc(HUB[0]), TrackingState.in_transit, "0", HUB[1]),
        (utc(PICKUP[0]), TrackingState.picked_up, "1", PICKUP[1]),
    ]
    assert (await shipment(session_factory, shipment_id)).status is ShipmentStatus.delivering


@pytest.mark.parametrize(
    ("state", "expected", "note"),
    [
        ("0", ShipmentStatus.in_transit, ""),
        ("1", ShipmentStatus.in_transit, ""),
        ("5", ShipmentStatus.delivering, ""),
        ("3", ShipmentStatus.delivered, ""),
        ("2", ShipmentStatus.exception, "地址不详，联系不上收件人"),
        ("14", ShipmentStatus.exception, "地址不详，联系不上收件人"),
        ("4", ShipmentStatus.returned, "地址不详，联系不上收件人"),
        ("6", ShipmentStatus.returned, "地址不详，联系不上收件人"),
        ("8", ShipmentStatus.in_transit, ""),
        ("99", ShipmentStatus.shipped, ""),
    ],
)
async def test_kuaidi100_states_map_onto_the_parcel_status(
    session_factory: Factory, state: str, expected: ShipmentStatus, note: str
) -> None:
    _, shipment_id, waybill = await _shipment(session_factory)
    await _push(
        session_factory, kuaidi100_param(waybill, state, [("2026-11-11 20:00:00", "地址不详，联系不上收件人", "")])
    )
    row = await shipment(session_factory, shipment_id)
    assert (row.status, row.status_note) == (expected, note)


async def test_signed_for_delivers_the_order(session_factory: Factory) -> None:
    order_id, shipment_id, waybill = await _shipment(session_factory)

    await _push(session_factory, kuaidi100_param(waybill, "3", [SIGNED, OUT, HUB, PICKUP]))

    row = await shipment(session_factory, shipment_id)
    assert (row.status, row.delivered_at, row.last_event_at) == (
        ShipmentStatus.delivered,
        utc(SIGNED[0]),
        utc(SIGNED[0]),
    )
    assert (await order(session_factory, order_id)).status is OrderStatus.delivered
    assert await event_kinds(session_factory, order_id) == ["shipment_created", "shipped", "delivered"]


async def test_an_older_push_or_a_late_scan_after_delivery_does_not_move_the_parcel_back(
    session_factory: Factory,
) -> None:
    _, shipment_id, waybill = await _shipment(session_factory)
    await _push(session_factory, kuaidi100_param(waybill, "5", [OUT, HUB, PICKUP]))
    stale = await _push(session_factory, kuaidi100_param(waybill, "0", [HUB, PICKUP]))
    assert (stale.inserted, stale.status) == (0, ShipmentStatus.delivering)

    await _push(session_factory, kuaidi100_param(waybill, "3", [SIGNED, OUT]))
    late = ("2026-11-12 20:00:00", "【杭州市】快件已到达 杭州转运中心", "在途")
    after = await _push(session_factory, kuaidi100_param(waybill, "0", [late, SIGNED]))
    assert (after.inserted, after.status) == (1, ShipmentStatus.delivered)
    assert (await shipment(session_factory, shipment_id)).last_event_at == utc(late[0])


async def test_a_carrier_scan_ships_a_parcel_nobody_confirmed(session_factory: Factory) -> None:
    order_id, shipment_id, waybill = await _shipment(session_factory, ship=False)

    result = await _push(session_factory, kuaidi100_param(waybill, "1", [PICKUP]))

    assert result.status is ShipmentStatus.in_transit
    assert (await shipment(session_factory, shipment_id)).shipped_at == utc(PICKUP[0])
    assert (await order(session_factory, order_id)).status is OrderStatus.shipped
    [row] = await outbox_rows(session_factory)
    assert row.payload["params"]["out_sid"] == waybill


async def test_a_carrier_scan_does_not_ship_an_intercepted_order(session_factory: Factory) -> None:
    order_id, shipment_id, waybill = await _shipment(session_factory, ship=False)
    async with session_factory() as s, s.begin():
        change_status(s, await service.get_order(s, order_id), OrderStatus.review, actor=None, reason="address changed")

    result = await _push(session_factory, kuaidi100_param(waybill, "1", [PICKUP]))

    assert (result.inserted, result.status, result.note) == (
        1,
        ShipmentStatus.created,
        "carrier scanned a parcel of an order that is review: not shipped",
    )
    assert [state for _, state, _, _ in await _events(session_factory, shipment_id)] == [TrackingState.picked_up]
    assert (await order(session_factory, order_id)).status is OrderStatus.review
    assert await outbox_rows(session_factory) == []


async def test_abort_marks_the_parcel_for_a_person(session_factory: Factory) -> None:
    _, shipment_id, waybill = await _shipment(session_factory)
    await _push(session_factory, kuaidi100_param(waybill, "0", [], status="abort", message="3天查询无记录"))
    row = await shipment(session_factory, shipment_id)
    assert (row.status, row.status_note) == (ShipmentStatus.exception, "3天查询无记录")


async def test_an_unknown_waybill_is_acknowledged_and_ignored(session_factory: Factory) -> None:
    result = await _push(session_factory, kuaidi100_param("YT9999999999", "0", [HUB]))
    assert result == TrackingIngest(shipment_id=None, note="unknown waybill YT9999999999")


def test_the_signature_is_upper_case_md5_of_param_and_salt() -> None:
    assert sign_kuaidi100("", "") == "D41D8CD98F00B204E9800998ECF8427E"  # MD5 of nothing
    assert verify_kuaidi100('{"a":1}', sign_kuaidi100('{"a":1}', "s3cret").lower(), "s3cret")
    assert not verify_kuaidi100('{"a":2}', sign_kuaidi100('{"a":1}', "s3cret"), "s3cret")
    assert verify_kuaidi100('{"a":1}', "", "")  # no salt configured: pushes are not signed


async def test_a_push_with_a_wrong_or_missing_signature_is_refused(session_factory: Factory) -> None:
    _, shipment_id, waybill = await _shipment(session_factory)
    param = kuaidi100_param(waybill, "1", [PICKUP])
    for sign in ("", sign_kuaidi100(param, "other salt")):
        with pytest.raises(SignatureRefused) as refused:
            await _push(session_factory, param, sign, salt="s3cret")
        assert (refused.value.status, refused.value.code, refused.value.field) == (403, "bad_signature", "sign")
    assert await _events(session_factory, shipment_id) == []

    accepted = await _push(session_factory, param, sign_kuaidi100(param, "s3cret"), salt="s3cret")
    assert accepted.inserted == 1


@pytest.mark.parametrize(
    ("param", "field"),
    [
        ("not json", "param"),
        ('{"lastResult": {"nu": ""}}', "param.lastResult.nu"),
        ('{"lastResult": {"nu": "1", "data": [{"ftime": "yesterday"}]}}', "param.lastResult.data[0].ftime"),
        ('{"lastResult": {"nu": "1", "data": [{"context": "no time"}]}}', "param.lastResult.data[0].ftime"),
        ('{"lastResult": {"nu": 1}}', "param"),
    ],
)
async def test_a_malformed_push_names_the_field(session_factory: Factory, param: str, field: str) -> None:
    with pytest.raises(ValidationFailed) as refused:
        await _push(session_factory, param)
    assert (refused.value.status, refused.value.field) == (422, field)


async def test_quiet_parcels_are_listed_with_the_reason(session_factory: Factory) -> None:
    ids: dict[str, int] = {}
    for name, province in (
        ("never_scanned", "浙江省"),
        ("quiet", "广东省"),
        ("remote", "新疆维吾尔自治区"),
        ("late", "浙江省"),
        ("fresh", "浙江省"),
        ("delivered", "浙江省"),
        ("unshipped", "浙江省"),
    ):
        ids[name] = (await _shipment(session_factory, province=province, ship=name != "unshipped"))[1]
    async with session_factory() as s, s.begin():
        rows = {r.id: r for r in await s.scalars(select(Shipment))}
        rows[ids["quiet"]].last_event_at = T0 + timedelta(hours=2)
        rows[ids["remote"]].last_event_at = T0 + timedelta(hours=2)
        rows[ids["late"]].last_event_at = T0 + timedelta(hours=20)
        rows[ids["late"]].expected_by = T0 + timedelta(hours=24)
        rows[ids["fresh"]].last_event_at = T0 + timedelta(hours=29)
        rows[ids["delivered"]].status = ShipmentStatus.delivered
        for name in ("quiet", "remote", "late", "fresh"):
            rows[ids[name]].status = ShipmentStatus.in_transit

    async with session_factory() as s:
        at_30h = await find_delayed(s, T0 + timedelta(hours=30))
        at_80h = await find_delayed(s, T0 + timedelta(hours=80))

    assert [(d.shipment_id, d.reasons, d.quiet_hours) for d in at_30h] == [
        (ids["never_scanned"], ["not_picked_up"], 30),
        (ids["quiet"], ["no_tracking_update"], 28),
        (ids["late"], ["past_expected_delivery"], 10),
    ]
    first = at_30h[0]
    assert (first.reason, first.reason_zh, first.status, first.shipped_at) == (
        "no carrier scan 30 h after shipping",
        "发货后 30 小时仍无揽收记录",
        ShipmentStatus.shipped,
        T0,
    )
    late = at_30h[2]
    assert (late.reason, late.reason_zh) == (
        "not delivered by 2026-11-12 10:00 (Beijing time)",
        "超过预计送达时间 2026-11-12 10:00",
    )
    assert [(d.shipment_id, d.reasons, d.quiet_hours) for d in at_80h] == [
        (ids["never_scanned"], ["not_picked_up"], 80),
        (ids["quiet"], ["no_tracking_update"], 78),
        (ids["remote"], ["no_tracking_update"], 78),
        (ids["late"], ["no_tracking_update", "past_expected_delivery"], 60),
        (ids["fresh"], ["no_tracking_update"], 51),
    ]
    remote = at_80h[2]
    assert isinstance(remote, Delay)
    assert (remote.receiver_province, remote.reason_zh) == ("新疆维吾尔自治区", "已 78 小时无物流更新")


async def test_kuaidi100s_carrier_code_tells_apart_two_carriers_with_the_same_number(session_factory: Factory) -> None:
    async with session_factory() as s, s.begin():
        ids: dict[str, int] = {}
        for carrier in ("YTO", "ZTO"):
            packed = await make_packed_order(s, carrier_code=carrier)
            created = await service.create_shipment(s, await service.get_order(s, packed.order_id), None)
            await service.ship(s, created, None, now=T0)
            ids[carrier] = created.id
            assert created.waybill_no == "000000000018"

    zto = await _push(session_factory, kuaidi100_param("000000000018", "1", [PICKUP], com="zhongtong"))
    yto = await _push(session_factory, kuaidi100_param("000000000018", "5", [OUT], com="yuantong"))

    assert (zto.shipment_id, yto.shipment_id) == (ids["ZTO"], ids["YTO"])
    assert (await shipment(session_factory, ids["ZTO"])).status is ShipmentStatus.in_transit
    assert (await shipment(session_factory, ids["YTO"])).status is ShipmentStatus.delivering


async def test_a_first_push_that_is_already_signed_for_ships_and_delivers(session_factory: Factory) -> None:
    """Shipping and delivering in one transaction: neither change may be lost to the other's re-read."""
    order_id, shipment_id, waybill = await _shipment(session_factory, ship=False)

    await _push(session_factory, kuaidi100_param(waybill, "3", [SIGNED, OUT, HUB, PICKUP]))

    row = await shipment(session_factory, shipment_id)
    assert (row.status, row.shipped_at, row.delivered_at, row.last_event_at) == (
        ShipmentStatus.delivered,
        utc(PICKUP[0]),
        utc(SIGNED[0]),
        utc(SIGNED[0]),
    )
    assert (await order(session_factory, order_id)).status is OrderStatus.delivered
    assert await event_kinds(session_factory, order_id) == ["shipment_created", "shipped", "delivered"]
    assert len(await outbox_rows(session_factory)) == 1
