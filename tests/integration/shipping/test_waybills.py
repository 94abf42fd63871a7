"""Waybill numbers from the local counter: the format, the check digit, and no number issued twice —
not under concurrency (on PostgreSQL really in parallel), and not after a rollback gave one back."""

from __future__ import annotations

import asyncio

import pytest
from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from server.db.transaction import run_in_transaction
from server.fulfilment.shipping import service
from server.fulfilment.shipping.carriers import (
    CARRIERS,
    DEFAULT_CARRIER_CODE,
    LocalWaybillGenerator,
    ShipmentFacts,
    Waybill,
    WaybillRangeExhausted,
    carrier_for,
    has_valid_check_digit,
    local_sort_code,
    luhn_check_digit,
)
from server.fulfilment.shipping.models import Shipment, WaybillCounter
from tests.conftest import Backend
from tests.integration.shipping.helpers import Factory, make_packed_order

FACTS = ShipmentFacts(
    order_id=1, platform_order_no="3000001", warehouse_id=1, receiver_province="浙江省", receiver_city="杭州市"
)


def test_luhn_check_digit_matches_the_textbook_example_and_catches_typos() -> None:
    assert luhn_check_digit("7992739871") == "3"
    assert has_valid_check_digit("LC000000000018", "LC")
    assert not has_valid_check_digit("LC000000000019", "LC")  # one digit wrong
    assert not has_valid_check_digit("LC000000000081", "LC")  # neighbours swapped
    assert not has_valid_check_digit("YT000000000018", "LC")  # someone else's prefix


def test_sort_code_is_the_destination_province_and_city() -> None:
    assert local_sort_code(FACTS) == "浙江 杭州"
    municipality = ShipmentFacts(
        order_id=1,
        platform_order_no="1",
        warehouse_id=1,
        receiver_province="上海市",
        receiver_city="上海市",
        receiver_district="浦东新区",
    )
    assert local_sort_code(municipality) == "上海 浦东新区"


def test_carrier_lookup_uses_the_registry_then_the_default_then_a_local_stand_in() -> None:
    assert carrier_for("") is CARRIERS[DEFAULT_CARRIER_CODE]
    yto = carrier_for("YTO")
    assert (yto.code, yto.name) == ("YTO", "圆通速递")
    assert (carrier_for("KUAYUE").code, carrier_for("KUAYUE").name) == ("KUAYUE", "KUAYUE")


async def test_numbers_count_up_per_carrier_with_prefix_and_check_digit(session_factory: Factory) -> None:
    local = CARRIERS[DEFAULT_CARRIER_CODE]
    depot = LocalWaybillGenerator("ZTO", "中通快递", start=73_000_000_000, digits=12)
    async with session_factory() as s, s.begin():
        first = await local.issue_waybill(s, FACTS)
        second = await local.issue_waybill(s, FACTS)
        ranged = await depot.issue_waybill(s, FACTS)
    assert first == Waybill(waybill_no="LC000000000018", sort_code="浙江 杭州", print_fields={"issued_by": "local"})
    assert second.waybill_no == "LC000000000026"
    assert ranged.waybill_no == "073000000000" + luhn_check_digit("073000000000")
    async with session_factory() as s:
        counters = {c.carrier_code: c.last_value for c in await s.scalars(select(WaybillCounter))}
    assert counters == {"LOCAL": 2, "ZTO": 73_000_000_000}


async def test_a_rolled_back_shipment_gives_its_number_back(session_factory: Factory) -> None:
    carrier = carrier_for("YTO")
    async with session_factory() as s, s.begin():
        await carrier.issue_waybill(s, FACTS)

    async def issue_then_fail() -> None:
        async with session_factory() as s, s.begin():
            assert (await carrier.issue_waybill(s, FACTS)).waybill_no == "000000000026"
            raise RuntimeError("printer jammed")

    with pytest.raises(RuntimeError, match="printer jammed"):
        await issue_then_fail()
    async with session_factory() as s, s.begin():
        assert (await carrier.issue_waybill(s, FACTS)).waybill_no == "000000000026"


async def test_an_exhausted_range_is_refused(session_factory: Factory) -> None:
    tiny = LocalWaybillGenerator("TINY", "小快递", start=99, digits=2)
    async with session_factory() as s, s.begin():
        assert (await tiny.issue_waybill(s, FACTS)).waybill_no == "99" + luhn_check_digit("99")
        with pytest.raises(WaybillRangeExhausted) as refused:
            await tiny.issue_waybill(s, FACTS)
    assert (refused.value.status, refused.value.code) == (409, "waybill_range_exhausted")


async def test_forty_concurrent_issues_get_forty_consecutive_numbers(
    session_factory: Factory, backend: Backend
) -> None:
    carrier = carrier_for("STO")

    async def issue(_: int) -> str:
        async def work(s: AsyncSession) -> str:
            waybill = await carrier.issue_waybill(s, FACTS)
            await asyncio.sleep(0.005)  # hold the counter's row lock a moment: the others must wait, not reuse
            return waybill.waybill_no

        return await run_in_transaction(session_factory, work)

    numbers = await asyncio.gather(*(issue(i) for i in range(40)))
    assert sorted(numbers) == [f"{n:011d}{luhn_check_digit(f'{n:011d}')}" for n in range(1, 41)]


async def test_concurrent_shipments_of_different_orders_never_share_a_waybill(session_factory: Factory) -> None:
    async with session_factory() as s, s.begin():
        first = await make_packed_order(s, carrier_code="JTSD")
        orders = [first] + [
            await make_packed_order(s, carrier_code="JTSD", warehouse_id=first.warehouse_id) for _ in range(19)
        ]

    async def create(order_id: int) -> int:
        async def work(s: AsyncSession) -> int:
            order = await service.get_order(s, order_id)
            return (await service.create_shipment(s, order, None)).id

        return await run_in_transaction(session_factory, work)

    await asyncio.gather(*(create(o.order_id) for o in orders))
    async with session_factory() as s:
        waybills = list(await s.scalars(select(Shipment.waybill_no).where(Shipment.carrier_code == "JTSD")))
    assert sorted(waybills) == [f"{n:011d}{luhn_check_digit(f'{n:011d}')}" for n in range(1, 21)]
