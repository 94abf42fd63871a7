"""When a count's variance needs a supervisor (盘点差异审批阈值), per warehouse (ADR-0013).

A count that disagrees with the books by more than the warehouse's threshold — in base units, or
in value at the SKU's standard cost — posts nothing until a supervisor approves it: one careless
scan of a case barcode as a unit should not write off a pallet. Small variances still adjust at
once, as they always did. A warehouse without a settings row uses the defaults below; a limit of
0 is off, and both at 0 means counts never wait.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Annotated

import msgspec
from sqlalchemy.ext.asyncio import AsyncSession

from server.auth.identity import AuthUser
from server.catalog.models import Sku
from server.lib.schema import Input, Schema
from server.warehouse.count_models import CountSettings
from server.warehouse.services.warehouses import get_warehouse

DEFAULT_MAX_UNITS = 10
"""|variance| above 10 base units waits for approval."""
DEFAULT_MAX_VALUE_MINOR = 50_000
"""… or above ¥500 at standard cost."""
DEFAULT_CURRENCY = "CNY"

_CACHE = "warehouse.count_thresholds"


@dataclass(frozen=True, slots=True)
class Thresholds:
    max_units: int
    max_value_minor: int
    currency: str


DEFAULT_THRESHOLDS = Thresholds(DEFAULT_MAX_UNITS, DEFAULT_MAX_VALUE_MINOR, DEFAULT_CURRENCY)


@dataclass(frozen=True, slots=True)
class Assessed:
    """A variance measured against the thresholds."""

    variance: int
    value_minor: int | None
    """``variance`` × standard cost; ``None`` when the SKU has no cost."""
    currency: str
    over_units: bool
    over_value: bool

    @property
    def needs_approval(self) -> bool:
        return self.over_units or self.over_value


def assess(thresholds: Thresholds, sku: Sku, variance: int) -> Assessed:
    """Whether ``variance`` of ``sku`` exceeds the thresholds (strictly above a limit; 0 is off).

    A SKU costed in another currency than the limit's is judged by units alone: converting
    currencies is finance's job, not the count's.
    """
    cost = sku.standard_cost_minor
    value = variance * cost if cost > 0 else None
    over_units = thresholds.max_units > 0 and abs(variance) > thresholds.max_units
    over_value = (
        value is not None
        and thresholds.max_value_minor > 0
        and sku.currency == thresholds.currency
        and abs(value) > thresholds.max_value_minor
    )
    return Assessed(variance, value, sku.currency if value is not None else "", over_units, over_value)


async def thresholds_of(session: AsyncSession, warehouse_id: int) -> Thresholds:
    """The warehouse's thresholds, read once per transaction (a push of fifty counts reads one row)."""
    cache: dict[int, Thresholds] = session.info.setdefault(_CACHE, {})
    if warehouse_id not in cache:
        row = await session.get(CountSettings, warehouse_id)
        cache[warehouse_id] = (
            DEFAULT_THRESHOLDS
            if row is None
            else Thresholds(row.max_variance_units, row.max_variance_value_minor, row.currency)
        )
    return cache[warehouse_id]


# --- the supervisor's endpoint ------------------------------------------------------------------

Units = Annotated[int, msgspec.Meta(ge=0, le=2**31 - 1)]
Money = Annotated[int, msgspec.Meta(ge=0, le=10**15)]
Currency = Annotated[str, msgspec.Meta(pattern=r"^[A-Z]{3}$")]


class CountSettingsInput(Input):
    max_variance_units: Units
    """A count whose |counted − expected| is above this many base units waits for approval; 0: no unit limit."""
    max_variance_value_minor: Money
    """… or whose |variance| × standard cost is above this many minor units (分); 0: no value limit."""
    currency: Currency = DEFAULT_CURRENCY


class CountSettingsOut(Schema):
    warehouse_id: int
    max_variance_units: int
    max_variance_value_minor: int
    currency: str
    is_default: bool
    """No settings saved for this warehouse: these are the defaults."""
    updated_by_user_id: int | None


async def get_count_settings(session: AsyncSession, user: AuthUser, warehouse_id: int) -> CountSettingsOut:
    await get_warehouse(session, user, warehouse_id)  # scope (403), then existence (404)
    row = await session.get(CountSettings, warehouse_id)
    if row is None:
        return CountSettingsOut(
            warehouse_id=warehouse_id,
            max_variance_units=DEFAULT_MAX_UNITS,
            max_variance_value_minor=DEFAULT_MAX_VALUE_MINOR,
            currency=DEFAULT_CURRENCY,
            is_default=True,
            updated_by_user_id=None,
        )
    return _out(row)


async def save_count_settings(
    session: AsyncSession, user: AuthUser, warehouse_id: int, data: CountSettingsInput
) -> CountSettingsOut:
    """Replace the warehouse's thresholds; counts arriving from now on are judged by them (a count
    already waiting keeps waiting: a person decides it either way)."""
    await get_warehouse(session, user, warehouse_id)
    row = await session.get(CountSettings, warehouse_id)
    if row is None:
        row = CountSettings(warehouse_id=warehouse_id)
        session.add(row)
    row.max_variance_units = data.max_variance_units
    row.max_variance_value_minor = data.max_variance_value_minor
    row.currency = data.currency
    row.updated_by_user_id = user.id
    await session.flush()
    session.info.pop(_CACHE, None)
    return _out(row)


def _out(row: CountSettings) -> CountSettingsOut:
    return CountSettingsOut(
        warehouse_id=row.warehouse_id,
        max_variance_units=row.max_variance_units,
        max_variance_value_minor=row.max_variance_value_minor,
        currency=row.currency,
        is_default=False,
        updated_by_user_id=row.updated_by_user_id,
    )
