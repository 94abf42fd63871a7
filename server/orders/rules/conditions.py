"""Conditions a manager puts on a rule, stored as JSON she can read: ``{"type": "province_in", "provinces": ["浙江"]}``.

Each condition is a tagged Struct, so a misspelt type or field is refused when the rule set is
saved rather than silently never matching. A rule's conditions are ANDed; ``any_of``, ``all_of``
and ``not`` nest for the rest. Every condition can say what it tests in English and Chinese, and —
given the order — why it matched, which is what makes a held or routed order explainable.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Annotated, Literal, assert_never

import msgspec
from msgspec import Meta

from server.orders.rules.facts import OrderFacts
from server.orders.rules.geography import REGIONS, province_key, region_of

Keyword = Annotated[str, Meta(min_length=1)]
"""An empty keyword would be contained in every text: refused at decode."""
Region = Literal["华东", "华南", "华北", "华中", "西南", "西北", "东北"]
Count = Annotated[int, Meta(ge=0)]

FLAG_COLOURS: dict[int, tuple[str, str]] = {
    1: ("red", "红"),
    2: ("yellow", "黄"),
    3: ("green", "绿"),
    4: ("blue", "蓝"),
    5: ("purple", "紫"),
}
"""Taobao's seller flags (旗帜), which other platforms' back-ends copy."""


class _Condition(msgspec.Struct, frozen=True, kw_only=True, forbid_unknown_fields=True, tag_field="type"):
    pass


class BuyerMessagePresent(_Condition, frozen=True, tag="buyer_message_present"):
    pass


class SellerMemoPresent(_Condition, frozen=True, tag="seller_memo_present"):
    pass


class BuyerMessageContains(_Condition, frozen=True, tag="buyer_message_contains"):
    """E.g. "顺丰" for a carrier rule, "发票" for a review rule."""

    keywords: Annotated[list[Keyword], Meta(min_length=1)]


class SellerMemoContains(_Condition, frozen=True, tag="seller_memo_contains"):
    keywords: Annotated[list[Keyword], Meta(min_length=1)]


class SellerFlagIn(_Condition, frozen=True, tag="seller_flag_in"):
    flags: Annotated[list[Annotated[int, Meta(ge=1, le=5)]], Meta(min_length=1)]


class PaidAtLeast(_Condition, frozen=True, tag="paid_at_least"):
    """In the order's own minor unit (fen for CNY)."""

    minor: int


class PaidBelow(_Condition, frozen=True, tag="paid_below"):
    minor: int


class ProvinceIn(_Condition, frozen=True, tag="province_in"):
    """Any spelling of a province: "浙江", "浙江省", "Zhejiang" are the same province."""

    provinces: Annotated[list[Keyword], Meta(min_length=1)]


class RegionIn(_Condition, frozen=True, tag="region_in"):
    regions: Annotated[list[Region], Meta(min_length=1)]


class AddressContains(_Condition, frozen=True, tag="address_contains"):
    """Searched in province, city, district and street together, so "新疆" works as well as "学校"."""

    keywords: Annotated[list[Keyword], Meta(min_length=1)]


class AddressIncomplete(_Condition, frozen=True, tag="address_incomplete"):
    """Province, city or street blank: the parcel cannot be labelled. A district is not required (东莞 has none)."""


class TagIn(_Condition, frozen=True, tag="tag_in"):
    tags: Annotated[list[Keyword], Meta(min_length=1)]


class ChannelIn(_Condition, frozen=True, tag="channel_in"):
    channel_ids: Annotated[list[int], Meta(min_length=1)]


class PlatformIn(_Condition, frozen=True, tag="platform_in"):
    platforms: Annotated[list[Keyword], Meta(min_length=1)]


class SkuIn(_Condition, frozen=True, tag="sku_in"):
    """Any line carries one of these merchant codes."""

    sku_codes: Annotated[list[Keyword], Meta(min_length=1)]


class UnknownSku(_Condition, frozen=True, tag="unknown_sku"):
    """A line's merchant code matched no SKU (typo in the shop, a new product not yet in the catalogue)."""


class Presale(_Condition, frozen=True, tag="presale"):
    value: bool = True


class Vip(_Condition, frozen=True, tag="vip"):
    value: bool = True


class LineCountAtLeast(_Condition, frozen=True, tag="line_count_at_least"):
    count: Count


class UnitsAtLeast(_Condition, frozen=True, tag="units_at_least"):
    units: Count


class WeightAtLeastG(_Condition, frozen=True, tag="weight_at_least_g"):
    grams: Count


class BuyerIn(_Condition, frozen=True, tag="buyer_in"):
    """A blacklist (or a whitelist, under ``not``) of buyer ids as the platform shows them."""

    buyer_ids: Annotated[list[Keyword], Meta(min_length=1)]


class Not(_Condition, frozen=True, tag="not"):
    condition: Condition


class AnyOf(_Condition, frozen=True, tag="any_of"):
    conditions: Annotated[list[Condition], Meta(min_length=1)]


class AllOf(_Condition, frozen=True, tag="all_of"):
    """Only useful inside ``any_of`` (a rule's own list is already ANDed)."""

    conditions: Annotated[list[Condition], Meta(min_length=1)]


Condition = (
    BuyerMessagePresent
    | SellerMemoPresent
    | BuyerMessageContains
    | SellerMemoContains
    | SellerFlagIn
    | PaidAtLeast
    | PaidBelow
    | ProvinceIn
    | RegionIn
    | AddressContains
    | AddressIncomplete
    | TagIn
    | ChannelIn
    | PlatformIn
    | SkuIn
    | UnknownSku
    | Presale
    | Vip
    | LineCountAtLeast
    | UnitsAtLeast
    | WeightAtLeastG
    | BuyerIn
    | Not
    | AnyOf
    | AllOf
)


def matches(condition: Condition, facts: OrderFacts) -> bool:
    match condition:
        case BuyerMessagePresent():
            return bool(facts.buyer_message.strip())
        case SellerMemoPresent():
            return bool(facts.seller_memo.strip())
        case BuyerMessageContains(keywords=keywords):
            return bool(_found(facts.buyer_message, keywords))
        case SellerMemoContains(keywords=keywords):
            return bool(_found(facts.seller_memo, keywords))
        case SellerFlagIn(flags=flags):
            return facts.seller_flag in flags
        case PaidAtLeast(minor=minor):
            return facts.paid_minor >= minor
        case PaidBelow(minor=minor):
            return facts.paid_minor < minor
        case ProvinceIn(provinces=provinces):
            return province_key(facts.province) in {province_key(p) for p in provinces}
        case RegionIn(regions=regions):
            return region_of(facts.province) in regions
        case AddressContains(keywords=keywords):
            return bool(_found(_full_address(facts), keywords))
        case AddressIncomplete():
            return bool(_missing_address_parts(facts))
        case TagIn(tags=tags):
            return any(tag in tags for tag in facts.tags)
        case ChannelIn(channel_ids=channel_ids):
            return facts.channel_id in channel_ids
        case PlatformIn(platforms=platforms):
            return facts.platform.casefold() in {p.casefold() for p in platforms}
        case SkuIn(sku_codes=sku_codes):
            return bool(_skus_found(facts, sku_codes))
        case UnknownSku():
            return any(line.sku_id is None for line in facts.lines)
        case Presale(value=value):
            return facts.presale == value
        case Vip(value=value):
            return facts.vip == value
        case LineCountAtLeast(count=count):
            return len(facts.lines) >= count
        case UnitsAtLeast(units=units):
            return facts.units >= units
        case WeightAtLeastG(grams=grams):
            return facts.weight_g >= grams
        case BuyerIn(buyer_ids=buyer_ids):
            return facts.buyer_id in buyer_ids
        case Not(condition=inner):
            return not matches(inner, facts)
        case AnyOf(conditions=conditions):
            return any(matches(c, facts) for c in conditions)
        case AllOf(conditions=conditions):
            return all(matches(c, facts) for c in conditions)
        case _:
            assert_never(condition)


def describe(condition: Condition, facts: OrderFacts | None = None) -> tuple[str, str]:
    """(English, Chinese) text of what the condition tests — for the rule list in the UI.

    Given the order it matched, the text says what in the order matched (the keyword found, the
    province, the amount paid, which branch of an ``any_of``), for the explanation of a decision."""
    if facts is not None:
        specific = _specific(condition, facts)
        if specific is not None:
            return specific
    match condition:
        case BuyerMessagePresent():
            return "buyer left a message", "买家有留言"
        case SellerMemoPresent():
            return "seller memo present", "有卖家备注"
        case BuyerMessageContains(keywords=keywords):
            return f"buyer message contains {_or(keywords)}", f"买家留言含{_or_quoted(keywords)}"
        case SellerMemoContains(keywords=keywords):
            return f"seller memo contains {_or(keywords)}", f"卖家备注含{_or_quoted(keywords)}"
        case SellerFlagIn(flags=flags):
            return (
                f"seller flag {_or([_flag(f)[0] for f in flags])}",
                f"卖家旗帜为 {_or_zh([_flag(f)[1] for f in flags])}",
            )
        case PaidAtLeast(minor=minor):
            return f"paid ≥ {amount(minor)}", f"实付 ≥ {amount(minor)}"
        case PaidBelow(minor=minor):
            return f"paid < {amount(minor)}", f"实付 < {amount(minor)}"
        case ProvinceIn(provinces=provinces):
            names = [province_key(p) for p in provinces]
            return f"ships to {_or(names)}", f"收货省份为 {_or_zh(names)}"
        case RegionIn(regions=regions):
            en = " or ".join(f"{r} ({_first_members(r, ', ')})" for r in regions)
            zh = "或".join(f"{r}（{_first_members(r, '、')}）" for r in regions)
            return f"region {en}", f"地区为 {zh}"
        case AddressContains(keywords=keywords):
            return f"address contains {_or(keywords)}", f"地址含{_or_quoted(keywords)}"
        case AddressIncomplete():
            return "address incomplete (province, city or street missing)", "地址不完整（缺省、市或详细地址）"
        case TagIn(tags=tags):
            return f"tagged {_or(tags)}", f"带标签{_or_quoted(tags)}"
        case ChannelIn(channel_ids=channel_ids):
            ids = [str(c) for c in channel_ids]
            return f"from channel {_or(ids)}", f"来自店铺 {_or_zh(ids)}"
        case PlatformIn(platforms=platforms):
            return f"from platform {_or(platforms)}", f"来自平台 {_or_zh(platforms)}"
        case SkuIn(sku_codes=sku_codes):
            return f"contains SKU {_or(sku_codes)}", f"含商品 {_or_zh(sku_codes)}"
        case UnknownSku():
            return "a line's SKU code is unknown", "有未匹配的商品编码"
        case Presale(value=value):
            return ("presale order", "预售订单") if value else ("not a presale order", "非预售订单")
        case Vip(value=value):
            return ("VIP buyer", "VIP 买家") if value else ("not a VIP buyer", "非 VIP 买家")
        case LineCountAtLeast(count=count):
            return f"at least {count} lines", f"至少 {count} 个商品行"
        case UnitsAtLeast(units=units):
            return f"at least {units} units", f"至少 {units} 件"
        case WeightAtLeastG(grams=grams):
            return f"weight ≥ {grams:,} g", f"重量 ≥ {grams:,} 克"
        case BuyerIn(buyer_ids=buyer_ids):
            return f"buyer is on a list of {len(buyer_ids)}", f"买家在名单中（共 {len(buyer_ids)} 个）"
        case Not(condition=inner):
            en, zh = describe(inner)
            return f"not ({en})", f"非（{zh}）"
        case AnyOf(conditions=conditions):
            texts = [describe(c) for c in conditions]
            return "(" + " or ".join(t[0] for t in texts) + ")", "（" + " 或 ".join(t[1] for t in texts) + "）"
        case AllOf(conditions=conditions):
            texts = [describe(c) for c in conditions]
            return "(" + " and ".join(t[0] for t in texts) + ")", "（" + "，且".join(t[1] for t in texts) + "）"
        case _:
            assert_never(condition)


def describe_all(conditions: Sequence[Condition], facts: OrderFacts | None = None) -> tuple[str, str]:
    """A rule's conditions as one phrase (they are ANDed); a rule without conditions applies to every order."""
    if not conditions:
        return "every order", "所有订单"
    texts = [describe(c, facts) for c in conditions]
    return " and ".join(t[0] for t in texts), "，且".join(t[1] for t in texts)


def amount(minor: int) -> str:
    """Minor units as the two-decimal amount a merchant reads (50000 → "500.00"), without float rounding."""
    sign = "-" if minor < 0 else ""
    whole, cents = divmod(abs(minor), 100)
    return f"{sign}{whole:,}.{cents:02d}"


def _specific(condition: Condition, facts: OrderFacts) -> tuple[str, str] | None:
    """The order's side of a matched condition; ``None`` where the generic text already says it all."""
    province = province_key(facts.province)
    match condition:
        case BuyerMessageContains(keywords=keywords) if found := _found(facts.buyer_message, keywords):
            return f"buyer message contains {_or(found)}", f"买家留言含{_or_quoted(found)}"
        case SellerMemoContains(keywords=keywords) if found := _found(facts.seller_memo, keywords):
            return f"seller memo contains {_or(found)}", f"卖家备注含{_or_quoted(found)}"
        case AddressContains(keywords=keywords) if found := _found(_full_address(facts), keywords):
            return f"address contains {_or(found)}", f"地址含{_or_quoted(found)}"
        case SellerFlagIn() if facts.seller_flag is not None:
            en, zh = _flag(facts.seller_flag)
            return f"seller flag {en}", f"卖家旗帜为 {zh}"
        case PaidAtLeast(minor=minor):
            return (
                f"paid {amount(facts.paid_minor)} ≥ {amount(minor)}",
                f"实付 {amount(facts.paid_minor)} ≥ {amount(minor)}",
            )
        case PaidBelow(minor=minor):
            return (
                f"paid {amount(facts.paid_minor)} < {amount(minor)}",
                f"实付 {amount(facts.paid_minor)} < {amount(minor)}",
            )
        case ProvinceIn() if province:
            return f"ships to {province}", f"收货省份为 {province}"
        case RegionIn() if (region := region_of(province)) is not None:
            return f"ships to {province}, in region {region}", f"收货省份为 {province}，属{region}"
        case AddressIncomplete() if missing := _missing_address_parts(facts):
            en = ", ".join(part for part, _ in missing)
            zh = "、".join(part for _, part in missing)
            return f"address incomplete: no {en}", f"地址不完整：缺{zh}"
        case TagIn(tags=tags) if found := [tag for tag in facts.tags if tag in tags]:
            return f"tagged {_or(found)}", f"带标签{_or_quoted(found)}"
        case ChannelIn():
            return f"from channel {facts.channel_id}", f"来自店铺 {facts.channel_id}"
        case PlatformIn():
            return f"from platform {facts.platform}", f"来自平台 {facts.platform}"
        case SkuIn(sku_codes=sku_codes) if found := _skus_found(facts, sku_codes):
            return f"contains SKU {_or(found)}", f"含商品 {_or_zh(found)}"
        case UnknownSku() if codes := [line.sku_code for line in facts.lines if line.sku_id is None]:
            return f"unknown SKU code {_or(codes)}", f"未匹配的商品编码 {_or_zh(codes)}"
        case LineCountAtLeast(count=count):
            return f"{len(facts.lines)} lines ≥ {count}", f"{len(facts.lines)} 个商品行 ≥ {count}"
        case UnitsAtLeast(units=units):
            return f"{facts.units} units ≥ {units}", f"{facts.units} 件 ≥ {units}"
        case WeightAtLeastG(grams=grams):
            return f"weighs {facts.weight_g:,} g ≥ {grams:,} g", f"重 {facts.weight_g:,} 克 ≥ {grams:,} 克"
        case BuyerIn() if facts.buyer_id:
            return f"buyer {facts.buyer_id} is on the list", f"买家 {facts.buyer_id} 在名单中"
        case AnyOf(conditions=conditions) if hits := [c for c in conditions if matches(c, facts)]:
            texts = [describe(c, facts) for c in hits]
            return " or ".join(t[0] for t in texts), " 或 ".join(t[1] for t in texts)
        case AllOf(conditions=conditions):
            texts = [describe(c, facts) for c in conditions]
            return " and ".join(t[0] for t in texts), "，且".join(t[1] for t in texts)
    return None


def _found(text: str, keywords: list[str]) -> list[str]:
    """The keywords present, case-insensitively (Latin text in Shopify addresses, "SF" in a message)."""
    folded = text.casefold()
    return [keyword for keyword in keywords if keyword.casefold() in folded]


def _full_address(facts: OrderFacts) -> str:
    return " ".join((facts.province, facts.city, facts.district, facts.address))


def _missing_address_parts(facts: OrderFacts) -> list[tuple[str, str]]:
    parts = (
        (facts.province, "province", "省"),
        (facts.city, "city", "市"),
        (facts.address, "street", "详细地址"),
    )
    return [(en, zh) for value, en, zh in parts if not value.strip()]


def _skus_found(facts: OrderFacts, sku_codes: list[str]) -> list[str]:
    wanted = set(sku_codes)
    return list(dict.fromkeys(line.sku_code for line in facts.lines if line.sku_code in wanted))


def _flag(flag: int) -> tuple[str, str]:
    en, zh = FLAG_COLOURS.get(flag, (str(flag), str(flag)))
    return f"{flag} ({en})", f"{flag}（{zh}）"


def _first_members(region: str, separator: str) -> str:
    members = REGIONS[region]
    return separator.join(members[:3]) + ("…" if len(members) > 3 else "")


def _or(items: list[str]) -> str:
    return " or ".join(items) if len(items) <= 2 else ", ".join(items[:-1]) + " or " + items[-1]


def _or_zh(items: list[str]) -> str:
    return "、".join(items)


def _or_quoted(items: list[str]) -> str:
    return "或".join(f"「{item}」" for item in items)
