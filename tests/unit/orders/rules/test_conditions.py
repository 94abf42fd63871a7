"""Each condition true and false, what it says about itself in both languages, and its JSON."""

from __future__ import annotations

from typing import Any

import msgspec
import pytest

from server.orders.rules.conditions import (
    AddressContains,
    AddressIncomplete,
    AllOf,
    AnyOf,
    BuyerIn,
    BuyerMessageContains,
    BuyerMessagePresent,
    ChannelIn,
    Condition,
    LineCountAtLeast,
    Not,
    PaidAtLeast,
    PaidBelow,
    PlatformIn,
    Presale,
    ProvinceIn,
    RegionIn,
    SellerFlagIn,
    SellerMemoContains,
    SellerMemoPresent,
    SkuIn,
    TagIn,
    UnitsAtLeast,
    UnknownSku,
    Vip,
    WeightAtLeastG,
    amount,
    describe,
    describe_all,
    matches,
)
from tests.unit.orders.rules.build import line, order

pytestmark = pytest.mark.unit

CASES: list[tuple[Condition, dict[str, Any], bool]] = [
    (BuyerMessagePresent(), {"buyer_message": "请发顺丰"}, True),
    (BuyerMessagePresent(), {"buyer_message": "  "}, False),
    (SellerMemoPresent(), {"seller_memo": "送赠品"}, True),
    (SellerMemoPresent(), {"seller_memo": ""}, False),
    (BuyerMessageContains(keywords=["顺丰", "sf"]), {"buyer_message": "请发SF谢谢"}, True),
    (BuyerMessageContains(keywords=["顺丰"]), {"buyer_message": "请尽快发货"}, False),
    (SellerMemoContains(keywords=["赠品"]), {"seller_memo": "加送赠品一份"}, True),
    (SellerMemoContains(keywords=["赠品"]), {"seller_memo": "已核对"}, False),
    (SellerFlagIn(flags=[1, 4]), {"seller_flag": 4}, True),
    (SellerFlagIn(flags=[1, 4]), {"seller_flag": 2}, False),
    (SellerFlagIn(flags=[1, 4]), {"seller_flag": None}, False),
    (PaidAtLeast(minor=50000), {"paid_minor": 50000}, True),
    (PaidAtLeast(minor=50000), {"paid_minor": 49999}, False),
    (PaidBelow(minor=1000), {"paid_minor": 999}, True),
    (PaidBelow(minor=1000), {"paid_minor": 1000}, False),
    (ProvinceIn(provinces=["浙江"]), {"province": "浙江省"}, True),
    (ProvinceIn(provinces=["上海市"]), {"province": "上海"}, True),
    (ProvinceIn(provinces=["广西"]), {"province": "广西壮族自治区"}, True),
    (ProvinceIn(provinces=["新疆维吾尔自治区"]), {"province": "Xinjiang"}, True),
    (ProvinceIn(provinces=["浙江", "上海"]), {"province": "江苏省"}, False),
    (ProvinceIn(provinces=["山西"]), {"province": "陕西省"}, False),
    (RegionIn(regions=["华东"]), {"province": "上海市"}, True),
    (RegionIn(regions=["华南", "西南"]), {"province": "广西壮族自治区"}, True),
    (RegionIn(regions=["华东"]), {"province": "广东省"}, False),
    (RegionIn(regions=["华东"]), {"province": ""}, False),
    (AddressContains(keywords=["学校", "部队"]), {"address": "某某大学学校东门"}, True),
    (AddressContains(keywords=["转运", "集运"]), {"address": "集运仓 A12"}, True),
    (AddressContains(keywords=["新疆"]), {"province": "新疆维吾尔自治区", "address": "人民路 1 号"}, True),
    (AddressContains(keywords=["学校", "部队", "转运", "集运"]), {}, False),
    (AddressIncomplete(), {"city": ""}, True),
    (AddressIncomplete(), {"province": " "}, True),
    (AddressIncomplete(), {"address": ""}, True),
    (AddressIncomplete(), {"district": ""}, False),
    (TagIn(tags=["加急"]), {"tags": ["赠品", "加急"]}, True),
    (TagIn(tags=["加急"]), {"tags": ["赠品"]}, False),
    (ChannelIn(channel_ids=[3, 7]), {}, True),
    (ChannelIn(channel_ids=[3]), {}, False),
    (PlatformIn(platforms=["Taobao", "jd"]), {}, True),
    (PlatformIn(platforms=["pdd"]), {}, False),
    (SkuIn(sku_codes=["SKU-2"]), {"lines": [line(1), line(2)]}, True),
    (SkuIn(sku_codes=["SKU-9"]), {"lines": [line(1), line(2)]}, False),
    (UnknownSku(), {"lines": [line(1), line(None, code="NEW-1")]}, True),
    (UnknownSku(), {}, False),
    (Presale(), {"presale": True}, True),
    (Presale(), {"presale": False}, False),
    (Presale(value=False), {"presale": False}, True),
    (Vip(), {"vip": True}, True),
    (Vip(), {"vip": False}, False),
    (Vip(value=False), {"vip": True}, False),
    (LineCountAtLeast(count=2), {"lines": [line(1), line(2)]}, True),
    (LineCountAtLeast(count=3), {"lines": [line(1), line(2)]}, False),
    (UnitsAtLeast(units=5), {"lines": [line(1, 2), line(2, 3)]}, True),
    (UnitsAtLeast(units=6), {"lines": [line(1, 2), line(2, 3)]}, False),
    (WeightAtLeastG(grams=5000), {"lines": [line(1, 2, weight_g=1500), line(2, 1, weight_g=2000)]}, True),
    (WeightAtLeastG(grams=5001), {"lines": [line(1, 2, weight_g=1500), line(2, 1, weight_g=2000)]}, False),
    (BuyerIn(buyer_ids=["scalper_9", "tb_buyer_1"]), {}, True),
    (BuyerIn(buyer_ids=["scalper_9"]), {}, False),
    (Not(condition=Vip()), {"vip": False}, True),
    (Not(condition=Vip()), {"vip": True}, False),
    (AnyOf(conditions=[Vip(), PaidAtLeast(minor=100000)]), {"paid_minor": 100000}, True),
    (AnyOf(conditions=[Vip(), PaidAtLeast(minor=100000)]), {"paid_minor": 99999}, False),
    (AllOf(conditions=[Vip(), Presale()]), {"vip": True, "presale": True}, True),
    (AllOf(conditions=[Vip(), Presale()]), {"vip": True, "presale": False}, False),
]


@pytest.mark.parametrize(("condition", "overrides", "expected"), CASES)
def test_matches(condition: Condition, overrides: dict[str, Any], expected: bool) -> None:
    assert matches(condition, order(**overrides)) is expected


def test_every_condition_type_is_tested_true_and_false() -> None:
    outcomes: dict[str, set[bool]] = {}
    for condition, _, expected in CASES:
        outcomes.setdefault(type(condition).__name__, set()).add(expected)
    assert len(outcomes) == 25
    assert {name for name, seen in outcomes.items() if seen != {True, False}} == set()


@pytest.mark.parametrize(
    ("condition", "en", "zh"),
    [
        (BuyerMessagePresent(), "buyer left a message", "买家有留言"),
        (SellerMemoPresent(), "seller memo present", "有卖家备注"),
        (SellerFlagIn(flags=[1, 2]), "seller flag 1 (red) or 2 (yellow)", "卖家旗帜为 1（红）、2（黄）"),
        (PaidAtLeast(minor=50000), "paid ≥ 500.00", "实付 ≥ 500.00"),
        (PaidBelow(minor=150099), "paid < 1,500.99", "实付 < 1,500.99"),
        (
            ProvinceIn(provinces=["浙江省", "上海市", "Jiangsu"]),
            "ships to 浙江, 上海 or 江苏",
            "收货省份为 浙江、上海、江苏",
        ),
        (RegionIn(regions=["华东"]), "region 华东 (上海, 江苏, 浙江…)", "地区为 华东（上海、江苏、浙江…）"),
        (RegionIn(regions=["华中"]), "region 华中 (湖北, 湖南, 河南)", "地区为 华中（湖北、湖南、河南）"),
        (AddressContains(keywords=["学校", "部队"]), "address contains 学校 or 部队", "地址含「学校」或「部队」"),
        (
            AddressIncomplete(),
            "address incomplete (province, city or street missing)",
            "地址不完整（缺省、市或详细地址）",
        ),
        (TagIn(tags=["加急"]), "tagged 加急", "带标签「加急」"),
        (ChannelIn(channel_ids=[3, 7]), "from channel 3 or 7", "来自店铺 3、7"),
        (SkuIn(sku_codes=["A", "B"]), "contains SKU A or B", "含商品 A、B"),
        (Presale(value=False), "not a presale order", "非预售订单"),
        (Vip(), "VIP buyer", "VIP 买家"),
        (WeightAtLeastG(grams=5000), "weight ≥ 5,000 g", "重量 ≥ 5,000 克"),
        (BuyerIn(buyer_ids=["a", "b"]), "buyer is on a list of 2", "买家在名单中（共 2 个）"),
        (Not(condition=Vip()), "not (VIP buyer)", "非（VIP 买家）"),
        (
            AnyOf(conditions=[BuyerMessagePresent(), SellerMemoPresent()]),
            "(buyer left a message or seller memo present)",
            "（买家有留言 或 有卖家备注）",
        ),
    ],
)
def test_describe(condition: Condition, en: str, zh: str) -> None:
    assert describe(condition) == (en, zh)


@pytest.mark.parametrize(
    ("condition", "overrides", "en", "zh"),
    [
        (
            AddressContains(keywords=["学校", "部队", "转运"]),
            {"address": "xx 转运仓（学校旁）"},
            "address contains 学校 or 转运",
            "地址含「学校」或「转运」",
        ),
        (
            RegionIn(regions=["华东", "华南"]),
            {"province": "浙江省"},
            "ships to 浙江, in region 华东",
            "收货省份为 浙江，属华东",
        ),
        (ProvinceIn(provinces=["浙江", "上海"]), {"province": "浙江省"}, "ships to 浙江", "收货省份为 浙江"),
        (PaidAtLeast(minor=50000), {"paid_minor": 62000}, "paid 620.00 ≥ 500.00", "实付 620.00 ≥ 500.00"),
        (SellerFlagIn(flags=[1, 4]), {"seller_flag": 4}, "seller flag 4 (blue)", "卖家旗帜为 4（蓝）"),
        (
            AddressIncomplete(),
            {"city": "", "address": ""},
            "address incomplete: no city, street",
            "地址不完整：缺市、详细地址",
        ),
        (
            UnknownSku(),
            {"lines": [line(1), line(None, code="NEW-1")]},
            "unknown SKU code NEW-1",
            "未匹配的商品编码 NEW-1",
        ),
        (
            AnyOf(conditions=[Vip(), BuyerMessagePresent(), SellerMemoPresent()]),
            {"buyer_message": "周末送"},
            "buyer left a message",
            "买家有留言",
        ),
        (
            WeightAtLeastG(grams=5000),
            {"lines": [line(1, 3, weight_g=2000)]},
            "weighs 6,000 g ≥ 5,000 g",
            "重 6,000 克 ≥ 5,000 克",
        ),
    ],
)
def test_describe_what_matched_in_the_order(condition: Condition, overrides: dict[str, Any], en: str, zh: str) -> None:
    facts = order(**overrides)
    assert matches(condition, facts)
    assert describe(condition, facts) == (en, zh)


def test_describe_all_joins_with_and() -> None:
    facts = order(buyer_message="急", paid_minor=60000)
    both: list[Condition] = [BuyerMessagePresent(), PaidAtLeast(minor=50000)]
    assert describe_all(both, facts) == (
        "buyer left a message and paid 600.00 ≥ 500.00",
        "买家有留言，且实付 600.00 ≥ 500.00",
    )
    assert describe_all([]) == ("every order", "所有订单")


def test_amount_formats_minor_units_exactly() -> None:
    assert [amount(m) for m in (0, 5, 1999, 123456789, -250)] == ["0.00", "0.05", "19.99", "1,234,567.89", "-2.50"]


def test_conditions_round_trip_as_json() -> None:
    text = (
        '[{"type":"any_of","conditions":[{"type":"not","condition":{"type":"vip","value":true}},'
        '{"type":"region_in","regions":["华东","东北"]}]},'
        '{"type":"address_contains","keywords":["学校","部队","转运","集运"]},'
        '{"type":"seller_flag_in","flags":[1,5]},{"type":"paid_below","minor":100}]'
    )
    decoded = msgspec.json.decode(text, type=list[Condition])
    assert decoded == [
        AnyOf(conditions=[Not(condition=Vip()), RegionIn(regions=["华东", "东北"])]),
        AddressContains(keywords=["学校", "部队", "转运", "集运"]),
        SellerFlagIn(flags=[1, 5]),
        PaidBelow(minor=100),
    ]
    assert msgspec.json.encode(decoded).decode() == text


@pytest.mark.parametrize(
    ("text", "error"),
    [
        ('{"type":"province_is","provinces":["浙江"]}', "Invalid value 'province_is' - at `$.type`"),
        ('{"type":"province_in","province":["浙江"]}', "Object contains unknown field `province`"),
        ('{"type":"region_in","regions":["江南"]}', "Invalid enum value '江南' - at `$.regions[0]`"),
        ('{"type":"address_contains","keywords":[""]}', "Expected `str` of length >= 1 - at `$.keywords[0]`"),
        ('{"type":"seller_flag_in","flags":[6]}', "Expected `int` <= 5 - at `$.flags[0]`"),
        ('{"type":"any_of","conditions":[]}', "Expected `array` of length >= 1 - at `$.conditions`"),
    ],
)
def test_a_misspelt_condition_is_refused_with_its_place(text: str, error: str) -> None:
    with pytest.raises(msgspec.ValidationError) as caught:
        msgspec.json.decode(text, type=Condition)
    assert str(caught.value) == error
