"""The value readers file imports added to ``values``: one-cell addresses and times in a stated zone."""

from __future__ import annotations

from datetime import UTC, datetime
from zoneinfo import ZoneInfo

import pytest

from server.orders.values import AddressParts, BadValue, china_time, local_time, split_address

pytestmark = pytest.mark.unit


@pytest.mark.parametrize(
    ("text", "parts"),
    [
        (
            "浙江省 杭州市 西湖区 文三路100号 某小区1幢(310012)",
            AddressParts("浙江省", "杭州市", "西湖区", "", "文三路100号 某小区1幢", "310012"),
        ),
        ("上海 上海市 浦东新区 某路2号（200120）", AddressParts("上海", "上海市", "浦东新区", "", "某路2号", "200120")),
        ("北京 北京市 朝阳区", AddressParts("北京", "北京市", "朝阳区", "", "", "")),
        ("广东省 东莞市 长安镇乌沙村1号(000000)", AddressParts("广东省", "东莞市", "", "", "长安镇乌沙村1号", "")),
        ("浙江省 杭州市  某路3号", AddressParts("浙江省", "杭州市", "", "", "某路3号", "")),
        # Province-administered counties: an empty city level, or the county in the city slot.
        (
            "湖北省  仙桃市 郑场镇 某路8号(433000)",
            AddressParts("湖北省", "仙桃市", "仙桃市", "", "郑场镇 某路8号", "433000"),
        ),
        ("湖北省 仙桃市 郑场镇 某路8号", AddressParts("湖北省", "仙桃市", "仙桃市", "郑场镇", "某路8号", "")),
        ("河南省 济源市 济源市 某路9号", AddressParts("河南省", "济源市", "济源市", "", "某路9号", "")),
        ("湖北省 仙桃市 某路8号", AddressParts("湖北省", "仙桃市", "仙桃市", "", "某路8号", "")),
        ("湖北省 省直辖县级行政区划 天门市 某路1号", AddressParts("湖北省", "天门市", "天门市", "", "某路1号", "")),
        # Not "省 市 区 …": kept whole rather than split wrongly; a bracket that is not a zip stays.
        ("文三路 100号 3幢", AddressParts(address="文三路 100号 3幢")),
        ("某路1号(近地铁站)", AddressParts(address="某路1号(近地铁站)")),
        ("浙江省 杭州市西湖区文三路1号", AddressParts(province="浙江省", address="杭州市西湖区文三路1号")),
        ("", AddressParts()),
    ],
)
def test_split_address(text: str, parts: AddressParts) -> None:
    assert split_address(text) == parts


@pytest.mark.parametrize(
    ("text", "zone", "expected"),
    [
        ("2024-03-01 08:00:00", "Asia/Shanghai", datetime(2024, 3, 1, 0, 0, tzinfo=UTC)),
        ("2024/3/1 8:05", "Asia/Shanghai", datetime(2024, 3, 1, 0, 5, tzinfo=UTC)),
        ("2024-07-01 12:00", "America/New_York", datetime(2024, 7, 1, 16, 0, tzinfo=UTC)),
        ("2024-03-01T09:00:00", "UTC", datetime(2024, 3, 1, 9, 0, tzinfo=UTC)),
        ("2024-03-01T09:00:00+08:00", "UTC", datetime(2024, 3, 1, 1, 0, tzinfo=UTC)),
        ("2024-03-01T09:00:00Z", "Asia/Shanghai", datetime(2024, 3, 1, 9, 0, tzinfo=UTC)),
        ("2024/03/01", "Asia/Shanghai", datetime(2024, 2, 29, 16, 0, tzinfo=UTC)),
    ],
)
def test_local_time(text: str, zone: str, expected: datetime) -> None:
    assert local_time(text, ZoneInfo(zone)) == expected


def test_local_time_empty_sentinel_and_garbage() -> None:
    assert local_time("", ZoneInfo("UTC")) is None
    assert local_time("0000-00-00 00:00:00", ZoneInfo("UTC")) is None
    with pytest.raises(BadValue) as caught:
        local_time("昨天", ZoneInfo("UTC"), field="下单时间")
    assert caught.value.message_zh == "下单时间：时间格式错误"


def test_china_time_still_refuses_what_it_refused() -> None:
    with pytest.raises(BadValue):
        china_time("2024-03-01T09:00:00+08:00")
