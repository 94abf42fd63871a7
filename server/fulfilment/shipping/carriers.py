"""快递 carriers as seen from the warehouse: who issues the waybill number (电子面单号) for a parcel.

A carrier with an API (Cainiao's ``cainiao.waybill.ii.get``, a carrier's own) answers with the
number, the sort/route code printed big on the label (大头笔 / 三段码) and print data; a carrier
without one hands the merchant a range of numbers (号段) to use in order. ``LocalWaybillGenerator``
is the second kind: it counts through a per-carrier range in ``waybill_counters`` inside the
shipment's own transaction, so concurrent shipments never share a number and a rolled-back shipment
gives its number back. Tests use it too, so the whole flow runs without a network.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime
from typing import Any, Protocol, cast

import msgspec
from sqlalchemy import Insert, Table
from sqlalchemy.dialects.postgresql import insert as pg_insert
from sqlalchemy.dialects.sqlite import insert as sqlite_insert
from sqlalchemy.ext.asyncio import AsyncSession

from server.db.types import utcnow
from server.fulfilment.shipping.models import WaybillCounter
from server.lib.errors import Conflict
from server.orders.rules.geography import province_key


class ShipmentFacts(msgspec.Struct, frozen=True, kw_only=True):
    """What a carrier needs to issue a waybill. The receiver is as stored — masked, with the platform's
    keys (``oaid``…) that Cainiao accepts instead of plaintext — and never decrypted here."""

    order_id: int
    platform_order_no: str
    parcel_no: int = 1
    warehouse_id: int
    sender_province: str = ""
    sender_city: str = ""
    receiver_province: str = ""
    receiver_city: str = ""
    receiver_district: str = ""
    receiver: dict[str, Any] = msgspec.field(default_factory=dict)
    weight_g: int | None = None
    item_count: int = 0


class Waybill(msgspec.Struct, frozen=True, kw_only=True):
    """A carrier's answer: the number, its sort code, and anything else it wants printed."""

    waybill_no: str
    sort_code: str = ""
    print_fields: dict[str, str] = msgspec.field(default_factory=dict)
    """``issued_by`` is ``local`` for numbers from our own counter, so the label can say so."""


class CarrierAdapter(Protocol):
    """One carrier's way of issuing waybill numbers."""

    @property
    def code(self) -> str:
        """Our code for the carrier (``YTO``, ``SF``…), as carrier rules and orders store it."""
        ...

    @property
    def name(self) -> str:
        """What the label prints (``圆通速递``)."""
        ...

    async def issue_waybill(self, session: AsyncSession, facts: ShipmentFacts) -> Waybill:
        """A new number for this parcel, inside the caller's transaction (a local counter's increment
        rolls back with it; an API carrier's number is simply not used if the transaction fails)."""
        ...


class WaybillRangeExhausted(Conflict):
    code = "waybill_range_exhausted"


CARRIER_NAMES: dict[str, str] = {
    "LOCAL": "自配送",
    "SF": "顺丰速运",
    "YTO": "圆通速递",
    "ZTO": "中通快递",
    "STO": "申通快递",
    "YUNDA": "韵达快递",
    "JTSD": "极兔速递",
    "EMS": "中国邮政EMS",
    "JD": "京东快递",
    "DBL": "德邦快递",
}
"""Label names for the codes carrier rules usually hold; an unknown code prints as itself."""


def luhn_check_digit(digits: str) -> str:
    """The Luhn (mod 10) digit for ``digits``: catches every single wrong digit and most swapped
    neighbours, the two mistakes of a number typed from a smudged label."""
    total = 0
    for position, char in enumerate(reversed(digits)):
        value = int(char)
        if position % 2 == 0:  # the digit next to the check digit is doubled
            value *= 2
            if value > 9:
                value -= 9
        total += value
    return str((10 - total % 10) % 10)


def has_valid_check_digit(number: str, prefix: str = "") -> bool:
    """Whether a locally issued number (``prefix`` + serial + check digit) is well formed."""
    if not number.startswith(prefix):
        return False
    body = number[len(prefix) :]
    return len(body) >= 2 and body.isdigit() and luhn_check_digit(body[:-1]) == body[-1]


def local_sort_code(facts: ShipmentFacts) -> str:
    """The destination as sorters read it (``浙江 杭州``): without the carrier's sorting table this is
    the best 大头笔 we can print, and it is still what a person sorting by hand looks at."""
    province = province_key(facts.receiver_province) if facts.receiver_province else ""
    city = facts.receiver_city.strip().removesuffix("市")
    if city == province:  # 直辖市: "上海 上海" says nothing twice
        city = facts.receiver_district.strip()
    return " ".join(part for part in (province, city) if part)


async def next_serial(session: AsyncSession, carrier_code: str, *, start: int = 1, now: datetime | None = None) -> int:
    """The next serial of ``carrier_code``'s counter (``start`` on first use), in one statement.

    ``INSERT … ON CONFLICT DO UPDATE … RETURNING`` locks the counter row until the caller's
    transaction ends: on PostgreSQL a concurrent shipment waits on it and then reads the new value;
    on SQLite ``BEGIN IMMEDIATE`` already serialises writers. A first use by two at once is one
    insert and one update, never two rows.
    """
    table = cast(Table, WaybillCounter.__table__)
    values = {"carrier_code": carrier_code, "last_value": start, "updated_at": now or utcnow()}
    increment = {"last_value": table.c.last_value + 1, "updated_at": values["updated_at"]}
    statement: Insert
    if session.get_bind().dialect.name == "postgresql":
        statement = (
            pg_insert(table).values(values).on_conflict_do_update(index_elements=["carrier_code"], set_=increment)
        )
    else:
        statement = (
            sqlite_insert(table).values(values).on_conflict_do_update(index_elements=["carrier_code"], set_=increment)
        )
    value = await session.scalar(statement.returning(table.c.last_value))
    if value is None:  # pragma: no cover - RETURNING always answers for an upsert
        msg = "waybill counter upsert returned nothing"
        raise AssertionError(msg)
    return int(value)


@dataclass(frozen=True)
class LocalWaybillGenerator:
    """Numbers from our own counter: ``prefix`` + ``digits``-digit serial + Luhn check digit.

    For carriers without an API (own delivery, a depot that assigned a 号段 starting at ``start``)
    and for tests. Numbers are unique per carrier code, because the counter is.
    """

    code: str
    name: str
    prefix: str = ""
    start: int = 1
    digits: int = 11
    print_fields: dict[str, str] = field(default_factory=dict)

    async def issue_waybill(self, session: AsyncSession, facts: ShipmentFacts) -> Waybill:
        serial = await next_serial(session, self.code, start=self.start)
        if serial >= 10**self.digits:
            raise WaybillRangeExhausted(
                f"carrier {self.code} has used all {self.digits}-digit waybill numbers",
                message_zh=f"快递 {self.code} 的单号段已用完",
                detail={"carrier_code": self.code},
            )
        body = f"{serial:0{self.digits}d}"
        return Waybill(
            waybill_no=f"{self.prefix}{body}{luhn_check_digit(body)}",
            sort_code=local_sort_code(facts),
            print_fields={**self.print_fields, "issued_by": "local"},
        )


DEFAULT_CARRIER_CODE = "LOCAL"
"""What an order without a chosen carrier ships with: the merchant's own delivery (自配送)."""

CARRIERS: dict[str, CarrierAdapter] = {
    DEFAULT_CARRIER_CODE: LocalWaybillGenerator(DEFAULT_CARRIER_CODE, CARRIER_NAMES[DEFAULT_CARRIER_CODE], prefix="LC"),
}
"""Carrier adapters by code. API adapters (Cainiao, carriers' own) register here as they are written."""


def register_carrier(adapter: CarrierAdapter) -> None:
    """Make ``adapter`` the one issuing numbers for its code (replacing the local stand-in)."""
    CARRIERS[adapter.code] = adapter


def carrier_for(code: str) -> CarrierAdapter:
    """The adapter for ``code``; the default for an empty code; a local counter for a code that has no
    adapter yet, so shipping never stops for want of one — its labels say the number is local."""
    code = code.strip()
    if not code:
        return CARRIERS[DEFAULT_CARRIER_CODE]
    found = CARRIERS.get(code)
    if found is not None:
        return found
    return LocalWaybillGenerator(code, CARRIER_NAMES.get(code, code))
