"""Lot date rules: order, expiry from shelf life, expiry required (no database)."""

from __future__ import annotations

from datetime import date

import pytest

from server.catalog.services.lot_dates import resolve_expiry
from server.lib.errors import ValidationFailed

pytestmark = pytest.mark.unit


def test_expiry_is_computed_from_shelf_life_when_missing() -> None:
    assert resolve_expiry(
        manufactured_on=date(2026, 3, 1), expires_on=None, shelf_life_days=30, expiry_controlled=True
    ) == date(2026, 3, 31)


def test_given_expiry_wins_over_shelf_life() -> None:
    assert resolve_expiry(
        manufactured_on=date(2026, 3, 1), expires_on=date(2026, 6, 1), shelf_life_days=30, expiry_controlled=True
    ) == date(2026, 6, 1)


def test_expiry_before_manufacture_is_refused() -> None:
    with pytest.raises(ValidationFailed) as caught:
        resolve_expiry(
            manufactured_on=date(2026, 3, 2), expires_on=date(2026, 3, 1), shelf_life_days=None, expiry_controlled=False
        )
    assert caught.value.code == "lot_dates_out_of_order"
    assert caught.value.field == "expires_on"


def test_same_day_manufacture_and_expiry_is_allowed() -> None:
    day = date(2026, 3, 1)
    assert resolve_expiry(manufactured_on=day, expires_on=day, shelf_life_days=None, expiry_controlled=True) == day


def test_expiry_controlled_lot_without_any_expiry_is_refused() -> None:
    with pytest.raises(ValidationFailed) as caught:
        resolve_expiry(manufactured_on=date(2026, 3, 1), expires_on=None, shelf_life_days=None, expiry_controlled=True)
    assert caught.value.code == "expiry_required"


def test_lot_without_dates_is_fine_when_expiry_is_not_controlled() -> None:
    assert resolve_expiry(manufactured_on=None, expires_on=None, shelf_life_days=90, expiry_controlled=False) is None


def test_shelf_life_past_the_calendar_is_refused_not_crashed() -> None:
    with pytest.raises(ValidationFailed) as caught:
        resolve_expiry(manufactured_on=date(9999, 12, 1), expires_on=None, shelf_life_days=365, expiry_controlled=True)
    assert caught.value.code == "lot_dates_out_of_range"
