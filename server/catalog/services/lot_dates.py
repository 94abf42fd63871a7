"""The date rules of a lot (批次): order of the dates, and expiry from the SKU's shelf life.

FEFO picking (近效期先出) sorts on ``expires_on``; a lot of an expiry-controlled SKU without one
would sort last and be shipped after its real expiry, so such a lot is refused. The shelf life
counts whole days after the manufacture date (made 1 March with 30 days' shelf life → expires
31 March).
"""

from __future__ import annotations

from datetime import date, timedelta

from server.lib.errors import ValidationFailed


def resolve_expiry(
    *,
    manufactured_on: date | None,
    expires_on: date | None,
    shelf_life_days: int | None,
    expiry_controlled: bool,
) -> date | None:
    """The lot's expiry date: given, or computed from the shelf life; refuses dates out of order."""
    if expires_on is None and manufactured_on is not None and shelf_life_days is not None:
        try:
            expires_on = manufactured_on + timedelta(days=shelf_life_days)
        except OverflowError:
            raise ValidationFailed(
                "manufactured_on plus the shelf life is past the last representable date",
                message_zh="生产日期加保质期超出日期范围",
                field="manufactured_on",
                code="lot_dates_out_of_range",
            ) from None
    if manufactured_on is not None and expires_on is not None and manufactured_on > expires_on:
        raise ValidationFailed(
            f"expires_on {expires_on} is before manufactured_on {manufactured_on}",
            message_zh="到期日期早于生产日期",
            field="expires_on",
            code="lot_dates_out_of_order",
        )
    if expires_on is None and expiry_controlled:
        raise ValidationFailed(
            "this SKU is expiry-controlled: give expires_on, or manufactured_on with a shelf life on the SKU",
            message_zh="该 SKU 需效期管理：请填写到期日期，或在 SKU 设置保质期并填写生产日期",
            field="expires_on",
            code="expiry_required",
        )
    return expires_on
