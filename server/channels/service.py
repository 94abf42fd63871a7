"""The rules behind the channel-integration endpoints: saving credentials (write-only), listings
(商品对应) one by one or from a CSV file, and re-arming outbox rows. No HTTP here."""

from __future__ import annotations

import csv
import io
from datetime import datetime
from typing import Any

import msgspec
from msgspec import UNSET
from sqlalchemy import select, update
from sqlalchemy.ext.asyncio import AsyncSession

from server.catalog.models import Sku
from server.channels.credentials import PLATFORM_KEYS, CredentialsMissing, check_base_url, keys_of, missing
from server.channels.models import ChannelCredentials, ChannelListing
from server.channels.schemas import (
    CredentialKeyOut,
    CredentialsInput,
    CredentialsOut,
    ListingImportOut,
    ListingInput,
    ListingOut,
    ListingRowError,
)
from server.db.types import utcnow
from server.fulfilment.shipping.models import ChannelOutbox, OutboxStatus
from server.lib.errors import DomainError, NotFound, ValidationFailed
from server.orders.models import Channel

MAX_LISTING_ROWS = 50_000
WAITING = (OutboxStatus.pending, OutboxStatus.failed)


async def get_channel(session: AsyncSession, channel_id: int) -> Channel:
    channel = await session.get(Channel, channel_id)
    if channel is None:
        raise NotFound(f"channel {channel_id} does not exist", message_zh="渠道不存在")
    return channel


# --- credentials ------------------------------------------------------------------------------


def credentials_out(channel: Channel, row: ChannelCredentials | None) -> CredentialsOut:
    """What is set, never a secret's value."""
    document: dict[str, Any] = dict(row.document) if row is not None else {}
    keys = [
        CredentialKeyOut(
            name=key.name,
            secret=key.secret,
            needed_for=sorted(key.needed_for),
            set=bool(document.get(key.name)),
            value=None if key.secret or not document.get(key.name) else str(document[key.name]),
            doc=key.doc,
        )
        for key in keys_of(channel.platform)
        if key.name != "carrier_codes"
    ]
    absent = missing(channel.platform, document)
    carriers = document.get("carrier_codes")
    return CredentialsOut(
        channel_id=channel.id,
        platform=channel.platform,
        complete=not absent,
        missing=absent,
        keys=keys,
        carrier_codes=dict(carriers) if isinstance(carriers, dict) else {},
        updated_at=row.updated_at if row is not None else None,
    )


def _merged(channel: Channel, document: dict[str, Any], data: CredentialsInput) -> dict[str, Any]:
    known = {key.name: key for key in keys_of(channel.platform)}
    merged = dict(document)
    for name in data.__struct_fields__:
        value = getattr(data, name)
        if value is UNSET:
            continue
        if name not in known:
            used = ", ".join(known) or "none"
            raise ValidationFailed(
                f"{name} is not used by {channel.platform} channels (their keys: {used})",
                message_zh=f"{channel.platform} 渠道不使用 {name}（可用：{used}）",
                field=name,
            )
        if isinstance(value, str):
            value = value.strip()
        if value in (None, "", {}):
            merged.pop(name, None)
            continue
        _check_value(known[name].choices, name, value)
        merged[name] = value
    return merged


def _check_value(choices: tuple[str, ...], name: str, value: Any) -> None:
    if choices and value not in choices:
        raise ValidationFailed(
            f"{name} must be one of {', '.join(choices)}", message_zh=f"{name} 只能是 {'、'.join(choices)}", field=name
        )
    if name == "base_url":
        problem = check_base_url(str(value))
        if problem:
            raise ValidationFailed(f"base_url {problem}", message_zh="base_url 不是有效的 http(s) 地址", field=name)
    if name == "shop_domain" and ("/" in str(value) or "." not in str(value)):
        raise ValidationFailed(
            "shop_domain is a host name such as example.myshopify.com",
            message_zh="shop_domain 应为域名，例如 example.myshopify.com",
            field=name,
        )


async def save_credentials(
    session: AsyncSession, channel: Channel, data: CredentialsInput, now: datetime | None = None
) -> ChannelCredentials:
    """Merge ``data`` into the channel's keys, and make the rows that were waiting for them due now
    (only those: a row in backoff for another reason, or held by a worker, keeps its time)."""
    if channel.platform not in PLATFORM_KEYS:
        raise DomainError(
            f"channel {channel.code} ({channel.platform}) has no platform API: it needs no credentials",
            message_zh="该渠道没有平台接口，无需填写凭证",
            code="no_platform_api",
            status=409,
        )
    now = now or utcnow()
    row = await session.get(ChannelCredentials, channel.id, with_for_update=True)
    document = _merged(channel, dict(row.document) if row is not None else {}, data)
    if row is None:
        row = ChannelCredentials(channel_id=channel.id, document=document, updated_at=now)
        session.add(row)
    else:
        row.document = document
        row.updated_at = now
    await session.execute(
        update(ChannelOutbox)
        .where(
            ChannelOutbox.channel_id == channel.id,
            ChannelOutbox.status.in_(WAITING),
            ChannelOutbox.last_error.startswith(f"{CredentialsMissing.__name__}:"),
        )
        .values(next_attempt_at=now)
    )
    await session.flush()
    return row


# --- listings (商品对应) ----------------------------------------------------------------------


def listing_out(listing: ChannelListing, sku_code: str) -> ListingOut:
    return ListingOut(
        id=listing.id,
        channel_id=listing.channel_id,
        platform_sku_id=listing.platform_sku_id,
        sku_id=listing.sku_id,
        sku_code=sku_code,
        active=listing.active,
        updated_at=listing.updated_at,
    )


async def _sku_ids(session: AsyncSession, codes: set[str]) -> dict[str, int]:
    found: dict[str, int] = {}
    wanted = sorted(codes)
    for start in range(0, len(wanted), 500):
        chunk = wanted[start : start + 500]
        found.update(
            (code, int(i)) for code, i in await session.execute(select(Sku.code, Sku.id).where(Sku.code.in_(chunk)))
        )
    return found


async def upsert_listing(session: AsyncSession, channel: Channel, data: ListingInput) -> ChannelListing:
    skus = await _sku_ids(session, {data.sku_code})
    if data.sku_code not in skus:
        raise ValidationFailed(
            f"no SKU {data.sku_code}", message_zh=f"商品编码 {data.sku_code} 不存在", field="sku_code"
        )
    await _upsert(session, channel.id, [(data.platform_sku_id, skus[data.sku_code], data.active)])
    listing = await session.scalar(
        select(ChannelListing).where(
            ChannelListing.channel_id == channel.id, ChannelListing.platform_sku_id == data.platform_sku_id
        )
    )
    assert listing is not None
    return listing


async def _upsert(session: AsyncSession, channel_id: int, rows: list[tuple[str, int, bool]]) -> tuple[int, int, int]:
    existing = {
        listing.platform_sku_id: listing
        for listing in await session.scalars(
            select(ChannelListing).where(ChannelListing.channel_id == channel_id).with_for_update()
        )
    }
    created = updated = unchanged = 0
    for platform_sku_id, sku_id, active in rows:
        listing = existing.get(platform_sku_id)
        if listing is None:
            listing = ChannelListing(
                channel_id=channel_id, platform_sku_id=platform_sku_id, sku_id=sku_id, active=active
            )
            session.add(listing)
            existing[platform_sku_id] = listing
            created += 1
        elif (listing.sku_id, listing.active) != (sku_id, active):
            listing.sku_id, listing.active = sku_id, active
            updated += 1
        else:
            unchanged += 1
    await session.flush()
    return created, updated, unchanged


async def delete_listing(session: AsyncSession, channel_id: int, listing_id: int) -> None:
    listing = await session.get(ChannelListing, listing_id)
    if listing is None or listing.channel_id != channel_id:
        raise NotFound(f"listing {listing_id} does not exist", message_zh="商品对应不存在")
    await session.delete(listing)


_TRUE = {"1", "true", "yes", "y", "是", "启用", ""}
_FALSE = {"0", "false", "no", "n", "否", "停用"}


def read_listing_csv(data: bytes) -> tuple[list[tuple[int, str, str, bool]], list[ListingRowError]]:
    """Rows of ``platform_sku_id,sku_code[,active]`` (a header row names them; 平台SKU ID / 商品编码 /
    启用 also work). UTF-8 (with or without BOM) or GB18030, as Excel saves CSV in China."""
    try:
        text = data.decode("utf-8-sig")
    except UnicodeDecodeError:
        text = data.decode("gb18030", errors="replace")
    reader = csv.reader(io.StringIO(text))
    header = [h.strip().lower() for h in next(reader, [])]
    aliases = {
        "platform_sku_id": ("platform_sku_id", "平台sku id", "平台skuid", "平台sku"),
        "sku_code": ("sku_code", "商品编码", "商家编码"),
        "active": ("active", "启用"),
    }
    columns = {name: next((header.index(a) for a in names if a in header), None) for name, names in aliases.items()}
    errors: list[ListingRowError] = []
    for name in ("platform_sku_id", "sku_code"):
        if columns[name] is None:
            errors.append(ListingRowError(row=1, field=name, message=f"no {name} column", message_zh=f"缺少列 {name}"))
    if errors:
        return [], errors
    rows: list[tuple[int, str, str, bool]] = []
    for number, cells in enumerate(reader, start=2):
        if number - 1 > MAX_LISTING_ROWS:
            errors.append(
                ListingRowError(
                    row=number, field="", message=f"more than {MAX_LISTING_ROWS} rows", message_zh="行数过多"
                )
            )
            break
        if not any(c.strip() for c in cells):
            continue

        def cell(name: str, cells: list[str] = cells) -> str:
            index = columns[name]
            return cells[index].strip() if index is not None and index < len(cells) else ""

        platform_sku_id, sku_code, active = cell("platform_sku_id"), cell("sku_code"), cell("active").lower()
        if not platform_sku_id or len(platform_sku_id) > 64:
            errors.append(
                _row_error(number, "platform_sku_id", "must be 1–64 characters", "平台SKU ID 须为 1–64 个字符")
            )
        if not sku_code:
            errors.append(_row_error(number, "sku_code", "is empty", "商品编码为空"))
        if active not in _TRUE | _FALSE:
            errors.append(_row_error(number, "active", f"{active!r} is not yes/no", "启用 须为 是/否"))
        rows.append((number, platform_sku_id, sku_code, active in _TRUE))
    return rows, errors


def _row_error(row: int, field: str, message: str, message_zh: str) -> ListingRowError:
    return ListingRowError(row=row, field=field, message=f"{field} {message}", message_zh=message_zh)


async def import_listings(session: AsyncSession, channel: Channel, data: bytes) -> ListingImportOut:
    """All rows or none: any bad row (or unknown SKU code, or a platform SKU twice) refuses the
    file with every error listed by row, and nothing is written."""
    rows, errors = read_listing_csv(data)
    skus = await _sku_ids(session, {code for _, _, code, _ in rows if code})
    seen: dict[str, int] = {}
    for number, platform_sku_id, sku_code, _ in rows:
        if sku_code and sku_code not in skus:
            errors.append(_row_error(number, "sku_code", f"{sku_code}: no such SKU", f"商品编码 {sku_code} 不存在"))
        if platform_sku_id in seen:
            errors.append(
                _row_error(number, "platform_sku_id", f"repeats row {seen[platform_sku_id]}", "平台SKU ID 重复")
            )
        seen.setdefault(platform_sku_id, number)
    if errors:
        raise ValidationFailed(
            f"{len(errors)} problems in the file; nothing was imported",
            message_zh=f"文件有 {len(errors)} 处错误，未导入任何数据",
            code="bad_rows",
            detail={"errors": msgspec.to_builtins(errors[:200])},
        )
    created, updated, unchanged = await _upsert(
        session, channel.id, [(psid, skus[code], active) for _, psid, code, active in rows]
    )
    return ListingImportOut(created=created, updated=updated, unchanged=unchanged)


# --- outbox -----------------------------------------------------------------------------------


async def rearm(session: AsyncSession, channel_id: int, ids: list[int], now: datetime | None = None) -> list[int]:
    """Make the channel's named dead rows due now with a fresh count of attempts (after a person
    fixed what killed them). Only dead rows: a waiting row may be held by a worker right now, and
    re-arming it could send it twice. Sent rows and other channels' rows are left alone."""
    now = now or utcnow()
    result = await session.execute(
        update(ChannelOutbox)
        .where(
            ChannelOutbox.channel_id == channel_id,
            ChannelOutbox.id.in_(ids),
            ChannelOutbox.status == OutboxStatus.dead,
        )
        .values(status=OutboxStatus.failed, attempts=0, next_attempt_at=now)
        .returning(ChannelOutbox.id)
    )
    return sorted(int(i) for i in result.scalars())
