"""Province names as platforms write them, the seven regions, and distances between capitals."""

from __future__ import annotations

import pytest

from server.orders.rules.geography import CAPITALS, REGION_OF, REGIONS, distance_km, province_key, region_of

pytestmark = pytest.mark.unit


@pytest.mark.parametrize(
    ("written", "key"),
    [
        ("浙江", "浙江"),
        ("浙江省", "浙江"),
        (" 浙江省 ", "浙江"),
        ("上海", "上海"),
        ("上海市", "上海"),
        ("广西壮族自治区", "广西"),
        ("内蒙古自治区", "内蒙古"),
        ("新疆维吾尔自治区", "新疆"),
        ("宁夏回族自治区", "宁夏"),
        ("西藏自治区", "西藏"),
        ("香港特别行政区", "香港"),
        ("澳门特别行政区", "澳门"),
        ("中国台湾", "台湾"),
        ("黑龙江省", "黑龙江"),
        ("Zhejiang", "浙江"),
        ("zhejiang province", "浙江"),
        ("Shaanxi", "陕西"),
        ("Shanxi", "山西"),
        ("Inner Mongolia", "内蒙古"),
        ("Hong Kong SAR", "香港"),
        ("CN-ZJ", "浙江"),
        ("GD", "广东"),
        ("California", "California"),
        ("", ""),
    ],
)
def test_province_key_reads_every_spelling(written: str, key: str) -> None:
    assert province_key(written) == key


def test_there_are_34_divisions_each_in_exactly_one_region() -> None:
    assert len(CAPITALS) == 34
    members = [province for provinces in REGIONS.values() for province in provinces]
    assert sorted(members) == sorted(CAPITALS)
    assert len(REGION_OF) == 34


def test_no_short_name_is_a_prefix_of_another() -> None:
    names = list(CAPITALS)
    assert [(a, b) for a in names for b in names if a != b and b.startswith(a)] == []


def test_region_of_accepts_long_names() -> None:
    assert region_of("广东省") == "华南"
    assert region_of("内蒙古自治区") == "华北"
    assert region_of("California") is None


def test_distances_between_capitals() -> None:
    assert round(distance_km("北京市", "广东省") or 0) == 1889
    assert round(distance_km("上海", "广东") or 0) == 1212
    assert distance_km("广东", "广东省") == 0.0
    assert distance_km("上海", "California") is None
    assert distance_km("", "上海") is None
