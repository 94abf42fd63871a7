"""How big and what shape the report benchmark's year is: sizes by scale, the calendar, the words.

Pure data and arithmetic, no database. At scale 1: 3 warehouses, 20,000 SKUs, 7 shops, about
400,000 orders with 1,000,000 lines over the 365 days ending at ``END``, and 5,000,000 stock moves.
The calendar is a Chinese merchant's: growth through the year, quiet Spring Festival weeks (couriers
stop), 618 and Double 11 (双十一) peaks with presale waves before them, evenings busier than mornings.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, date, datetime, timedelta

GENERATOR_VERSION = 1
"""Bump when the generated data changes shape: cached databases are then built again."""
SEED = 20261111

END = datetime(2026, 12, 1, 10, 0, tzinfo=UTC)
"""The data's "now": 18:00 in Shanghai on 1 December 2026. Reports are asked about days before it."""
DAYS = 365
LOCAL = timedelta(hours=8)
"""Asia/Shanghai has no daylight saving: local time is UTC + 8 h, and arithmetic stays cheap."""
FIRST_DAY = (END + LOCAL).date() - timedelta(days=DAYS - 1)

ORDERS = 400_000
MOVES = 5_000_000
SKUS = 20_000


@dataclass(frozen=True, slots=True)
class Sizes:
    scale: float
    orders: int
    moves: int
    skus: int
    counts_per_warehouse_day: int

    @classmethod
    def of(cls, scale: float) -> Sizes:
        if not 0 < scale <= 4:
            msg = f"scale must be in (0, 4], not {scale}"
            raise ValueError(msg)
        return cls(
            scale=scale,
            orders=max(200, round(ORDERS * scale)),
            moves=max(500, round(MOVES * scale)),
            skus=max(60, round(SKUS * scale)),
            counts_per_warehouse_day=max(1, round(40 * scale)),
        )


@dataclass(frozen=True, slots=True)
class Shop:
    code: str
    name: str
    platform: str
    share: float
    ship_within_h: int | None
    """The platform's promise (paid + this many hours is ``ship_by``); ``None``: no promise given."""
    number_prefix: str


SHOPS = (
    Shop("TMALL-FLAG", "天猫旗舰店", "taobao", 0.26, 48, "4"),
    Shop("TAOBAO-ENT", "淘宝企业店", "taobao", 0.10, 48, "3"),
    Shop("JD-FLAG", "京东旗舰店", "jd", 0.20, 24, "2"),
    Shop("PDD-OFFICIAL", "拼多多官方店", "pdd", 0.18, 48, "1"),
    Shop("DOUYIN-SHOP", "抖音小店", "douyin", 0.13, 48, "6"),
    Shop("DOUYIN-LIVE", "抖音直播间", "douyin", 0.07, 48, "7"),
    Shop("WEB", "官网商城", "shopify", 0.06, None, "9"),
)


@dataclass(frozen=True, slots=True)
class Site:
    code: str
    name_zh: str
    name_en: str
    province: str
    city: str
    region: str
    share: float
    provinces: tuple[str, ...]
    """Where its parcels go (routing sends each region's orders to its warehouse)."""
    carriers: tuple[tuple[str, float], ...]


SITES = (
    Site(
        "HZ01", "杭州仓", "Hangzhou DC", "浙江省", "杭州市", "华东", 0.5,
        ("浙江省", "江苏省", "上海", "安徽省", "江西省", "福建省", "山东省", "湖北省"),
        (("ZTO", 0.35), ("YTO", 0.25), ("YUNDA", 0.2), ("STO", 0.1), ("SF", 0.1)),
    ),
    Site(
        "GZ01", "广州仓", "Guangzhou DC", "广东省", "广州市", "华南", 0.3,
        ("广东省", "广西壮族自治区", "海南省", "湖南省", "四川省", "重庆", "云南省", "贵州省"),
        (("ZTO", 0.3), ("YTO", 0.3), ("SF", 0.2), ("STO", 0.2)),
    ),
    Site(
        "TJ01", "天津仓", "Tianjin DC", "天津", "天津市", "华北", 0.2,
        ("北京", "天津", "河北省", "山西省", "辽宁省", "吉林省", "黑龙江省", "内蒙古自治区", "河南省", "陕西省"),
        (("YTO", 0.35), ("ZTO", 0.35), ("YUNDA", 0.2), ("SF", 0.1)),
    ),
)  # fmt: skip

ZONES = (
    ("A", "拣货区", "Pick faces"),
    ("B", "存储区", "Reserve"),
    ("C", "食品效期区", "Dated goods"),
    ("R", "收发区", "Dock"),
)
PICKERS_PER_SHARE = 14
"""Pickers per warehouse = this × its share of the orders (7 in Hangzhou, 4 in Guangzhou, 3 in
Tianjin): at scale 1 each picks some 40 lines an hour on an ordinary day, more at Double 11."""
ROLES_PER_SITE = (("receiver", 3), ("counter", 3), ("packer", 3), ("supervisor", 1))
EARLY_SHIFT_ENDS = 15
"""Pickers work an early shift (08:00–15:00) or a late one (15:00–23:00), alternately by number."""

HOUR_WEIGHTS = (3, 1.5, 0.8, 0.5, 0.4, 0.5, 1, 2, 3.5, 5, 6, 6, 5.5, 5, 5.5, 6, 6, 5.5, 5.5, 6.5, 7.5, 8, 7.5, 5)
"""Orders by local hour: a lunch bump and the evening peak after work."""
DOUBLE_11_HOURS = tuple(w * (12 if h == 0 else 1) for h, w in enumerate(HOUR_WEIGHTS))
"""On 11 November the first hour after midnight is the busiest of the year (尾款 and flash deals)."""
WEEKDAY = (1.0, 0.97, 0.97, 0.98, 1.02, 1.08, 1.05)

LINES_PER_ORDER = ((1, 0.36), (2, 0.25), (3, 0.15), (4, 0.1), (5, 0.07), (6, 0.04), (7, 0.03))
QTY = ((1, 0.74), (2, 0.15), (3, 0.05), (4, 0.02), (5, 0.015), (6, 0.01), (10, 0.01), (12, 0.005))

CATEGORIES = (
    ("服饰", "apparel", ("纯棉T恤", "速干运动裤", "羊毛针织衫", "牛仔裤", "羽绒服", "运动袜"), False),
    ("家居", "home", ("加厚毛巾", "四件套", "收纳箱", "保温杯", "不粘锅", "抽纸"), False),
    ("数码", "electronics", ("蓝牙耳机", "充电宝", "数据线", "手机壳", "智能手环", "键盘"), False),
    ("美妆", "beauty", ("保湿面霜", "洁面乳", "口红", "防晒霜", "面膜"), True),
    ("食品", "food", ("坚果礼盒", "挂耳咖啡", "牛肉干", "燕麦片", "茶叶", "蜂蜜"), True),
    ("母婴", "baby", ("纸尿裤", "婴儿湿巾", "奶瓶", "儿童牙膏"), True),
)
"""(name, code, product kinds, dated): dated categories' SKUs carry lots with expiry dates."""
COLOURS = ("黑色", "白色", "藏青", "浅灰", "墨绿", "酒红", "米白", "卡其")
SIZES = ("S", "M", "L", "XL", "XXL", "均码", "500ml", "1L", "2kg", "10000mAh")
SHELF_LIFE_DAYS = (90, 180, 365, 730)
BUYER_MESSAGES = ("请尽快发货", "送人的，不要放价格单", "发顺丰可以吗", "请检查好再发")


def local_midnight(day: date) -> datetime:
    """00:00 of ``day`` in Shanghai, as UTC."""
    return datetime(day.year, day.month, day.day, tzinfo=UTC) - LOCAL


def day_weight(day: date, index: int) -> float:
    """Relative orders on ``day`` (the ``index``-th of the year): growth, weekday, festivals, promotions."""
    weight = (0.7 + 0.6 * index / (DAYS - 1)) * WEEKDAY[day.weekday()]
    md = (day.month, day.day)
    if md == (11, 11):
        weight *= 7
    elif md == (11, 10) or (11, 1) <= md <= (11, 3):
        weight *= 2.2
    elif (11, 4) <= md <= (11, 9):
        weight *= 1.3
    elif (11, 12) <= md <= (11, 13):
        weight *= 1.6
    elif md == (6, 18):
        weight *= 3.5
    elif (6, 1) <= md <= (6, 3) or (6, 16) <= md <= (6, 17):
        weight *= 1.6
    elif md == (12, 12):
        weight *= 2.5
    elif md == (3, 8):
        weight *= 1.5
    elif (2, 10) <= md <= (2, 24) and day.year == 2026:
        weight *= 0.35  # Spring Festival (17 February 2026): couriers stop, so do buyers
    return weight


def hours_of(day: date) -> tuple[float, ...]:
    weights = DOUBLE_11_HOURS if (day.month, day.day) == (11, 11) else HOUR_WEIGHTS
    if day == (END + LOCAL).date():  # the last day ends at END
        cut = (END + LOCAL).hour
        return tuple(w if h < cut else 0.0 for h, w in enumerate(weights))
    return weights


def daily_orders(total: int) -> list[tuple[date, int]]:
    """Each day of the year with its number of orders, adding up to ``total`` exactly."""
    days = [FIRST_DAY + timedelta(days=i) for i in range(DAYS)]
    raw = [day_weight(d, i) * sum(hours_of(d)) / sum(HOUR_WEIGHTS) for i, d in enumerate(days)]
    scale = total / sum(raw)
    counts = [int(w * scale) for w in raw]
    short = total - sum(counts)
    by_fraction = sorted(range(DAYS), key=lambda i: raw[i] * scale - counts[i], reverse=True)
    for i in by_fraction[:short]:
        counts[i] += 1
    return list(zip(days, counts, strict=True))


def peak(day: date) -> float:
    """How far behind the warehouse runs on ``day``: extra hours before an order is picked."""
    md = (day.month, day.day)
    if (11, 10) <= md <= (11, 14):
        return 36.0
    if (11, 1) <= md <= (11, 3) or md == (6, 18):
        return 14.0
    return 0.0
