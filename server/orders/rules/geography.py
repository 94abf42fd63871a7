"""China's 34 provincial-level divisions: one name each, the regions managers think in, and how far apart they are.

Platforms spell the same province several ways (Taobao "浙江省", PDD "浙江", Douyin "广西壮族自治区",
Shopify "Zhejiang" or "ZJ"), and a manager types whichever comes to mind. Every comparison goes
through ``province_key`` so a rule written with "上海" matches an order to "上海市".

Distances are between provincial capitals: parcels are sorted through hubs in or near the capital,
and a rule engine choosing between a handful of warehouses needs ranking, not kilometres to the door.
"""

from __future__ import annotations

import math
from functools import lru_cache

CAPITALS: dict[str, tuple[float, float]] = {
    # Municipalities (直辖市)
    "北京": (39.904, 116.407),
    "天津": (39.084, 117.201),
    "上海": (31.230, 121.474),
    "重庆": (29.563, 106.551),
    # Provinces (省), by capital
    "河北": (38.042, 114.515),  # 石家庄
    "山西": (37.871, 112.549),  # 太原
    "辽宁": (41.806, 123.432),  # 沈阳
    "吉林": (43.817, 125.324),  # 长春
    "黑龙江": (45.803, 126.535),  # 哈尔滨
    "江苏": (32.060, 118.797),  # 南京
    "浙江": (30.274, 120.155),  # 杭州
    "安徽": (31.821, 117.227),  # 合肥
    "福建": (26.074, 119.296),  # 福州
    "江西": (28.682, 115.858),  # 南昌
    "山东": (36.651, 117.120),  # 济南
    "河南": (34.746, 113.625),  # 郑州
    "湖北": (30.593, 114.305),  # 武汉
    "湖南": (28.228, 112.939),  # 长沙
    "广东": (23.129, 113.264),  # 广州
    "海南": (20.044, 110.199),  # 海口
    "四川": (30.573, 104.066),  # 成都
    "贵州": (26.647, 106.630),  # 贵阳
    "云南": (24.880, 102.833),  # 昆明
    "陕西": (34.341, 108.940),  # 西安
    "甘肃": (36.061, 103.834),  # 兰州
    "青海": (36.617, 101.778),  # 西宁
    "台湾": (25.033, 121.565),  # 台北
    # Autonomous regions (自治区)
    "内蒙古": (40.842, 111.749),  # 呼和浩特
    "广西": (22.817, 108.367),  # 南宁
    "西藏": (29.652, 91.172),  # 拉萨
    "宁夏": (38.487, 106.231),  # 银川
    "新疆": (43.825, 87.617),  # 乌鲁木齐
    # Special administrative regions (特别行政区)
    "香港": (22.320, 114.169),
    "澳门": (22.199, 113.544),
}
"""Latitude and longitude of each division's capital, keyed by its short name."""

REGIONS: dict[str, tuple[str, ...]] = {
    "华东": ("上海", "江苏", "浙江", "安徽", "福建", "江西", "山东", "台湾"),
    "华南": ("广东", "广西", "海南", "香港", "澳门"),
    "华北": ("北京", "天津", "河北", "山西", "内蒙古"),
    "华中": ("湖北", "湖南", "河南"),
    "西南": ("重庆", "四川", "贵州", "云南", "西藏"),
    "西北": ("陕西", "甘肃", "青海", "宁夏", "新疆"),
    "东北": ("辽宁", "吉林", "黑龙江"),
}
"""The seven geographic regions (七大地理分区) every division belongs to exactly one of."""

REGION_OF: dict[str, str] = {province: region for region, members in REGIONS.items() for province in members}

_LATIN: dict[str, str] = {
    "beijing": "北京", "bj": "北京",
    "tianjin": "天津", "tj": "天津",
    "shanghai": "上海", "sh": "上海",
    "chongqing": "重庆", "cq": "重庆",
    "hebei": "河北", "he": "河北",
    "shanxi": "山西", "sx": "山西",
    "liaoning": "辽宁", "ln": "辽宁",
    "jilin": "吉林", "jl": "吉林",
    "heilongjiang": "黑龙江", "hl": "黑龙江",
    "jiangsu": "江苏", "js": "江苏",
    "zhejiang": "浙江", "zj": "浙江",
    "anhui": "安徽", "ah": "安徽",
    "fujian": "福建", "fj": "福建",
    "jiangxi": "江西", "jx": "江西",
    "shandong": "山东", "sd": "山东",
    "henan": "河南", "ha": "河南",
    "hubei": "湖北", "hb": "湖北",
    "hunan": "湖南", "hn": "湖南",
    "guangdong": "广东", "gd": "广东",
    "hainan": "海南", "hi": "海南",
    "sichuan": "四川", "sc": "四川",
    "guizhou": "贵州", "gz": "贵州",
    "yunnan": "云南", "yn": "云南",
    "shaanxi": "陕西", "sn": "陕西",
    "gansu": "甘肃", "gs": "甘肃",
    "qinghai": "青海", "qh": "青海",
    "taiwan": "台湾", "tw": "台湾",
    "inner mongolia": "内蒙古", "nei mongol": "内蒙古", "neimenggu": "内蒙古", "nm": "内蒙古",
    "guangxi": "广西", "gx": "广西",
    "tibet": "西藏", "xizang": "西藏", "xz": "西藏",
    "ningxia": "宁夏", "nx": "宁夏",
    "xinjiang": "新疆", "xj": "新疆",
    "hong kong": "香港", "hongkong": "香港", "hk": "香港",
    "macau": "澳门", "macao": "澳门", "aomen": "澳门", "mo": "澳门",
}  # fmt: skip
"""Pinyin/English names and ISO 3166-2:CN codes, as Western carts (Shopify, WooCommerce) write them."""

_LATIN_SUFFIXES = (" province", " sheng", " shi", " municipality", " autonomous region", " sar", " s.a.r.")


@lru_cache(maxsize=4096)
def province_key(text: str) -> str:
    """The short name ("浙江") for any spelling of a division; anything unrecognised (a foreign state,
    a typo) comes back stripped, so it still matches itself exactly."""
    name = text.strip()
    if name.startswith("中国") and len(name) > 2:
        name = name[2:]
    for short in CAPITALS:
        # No short name is a prefix of another, so "广西壮族自治区" and "上海市" find theirs.
        if name.startswith(short):
            return short
    latin = name.casefold().replace("_", " ").replace("-", " ").strip()
    latin = latin.removeprefix("cn ").strip()
    for suffix in _LATIN_SUFFIXES:
        latin = latin.removesuffix(suffix)
    return _LATIN.get(latin, name)


def region_of(province: str) -> str | None:
    return REGION_OF.get(province_key(province))


def distance_km(a: str, b: str) -> float | None:
    """Great-circle distance between two divisions' capitals; ``None`` when either is not a Chinese division."""
    here = CAPITALS.get(province_key(a))
    there = CAPITALS.get(province_key(b))
    if here is None or there is None:
        return None
    lat1, lon1 = map(math.radians, here)
    lat2, lon2 = map(math.radians, there)
    h = math.sin((lat2 - lat1) / 2) ** 2 + math.cos(lat1) * math.cos(lat2) * math.sin((lon2 - lon1) / 2) ** 2
    return 2 * 6371.0 * math.asin(math.sqrt(h))
