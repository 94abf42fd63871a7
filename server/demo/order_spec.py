"""The demo's orders of the day as plain data: two shops, about forty paid orders, as their platforms
would hand them to the order pool (``NormalizedOrder``).

Pure, like the catalog and the stock plan. Every order asks only for SKUs the Hangzhou warehouse
can ship in full and that nothing else of the demo touches (not reserved by the stock plan, not in
a bin it freezes, no lot near or past its date), so each one routes, reserves and waves the same
way on every load. The RNG draws never depend on the clock: only the times do, spread over today
(Asia/Shanghai) up to ``now`` so the manager's "today" page shows them.
"""

from __future__ import annotations

import random
from collections import defaultdict
from dataclasses import dataclass
from datetime import UTC, date, datetime, time, timedelta
from zoneinfo import ZoneInfo

from server.demo.catalog_spec import CatalogSpec, SkuSpec
from server.demo.stock_plan import PlacementKind, StockPlan
from server.orders.normalized import NormalizedLine, NormalizedOrder, PlatformStatus, Receiver
from server.orders.values import allocate

ORDER_WAREHOUSE = "HZ01"
ORDERS = 40
SAFE_UNTIL = timedelta(days=45)
"""A SKU with a lot expiring before today + this is left out: FEFO would reserve the old lot."""
MIN_SELLABLE = 12
"""Units a SKU needs on Hangzhou's shelves to be ordered (at most 3 per order, each SKU once)."""
HOLD_KEYWORDS = ("改地址", "换地址", "开发票")
"""What the demo's review rule holds an order for: a person must read these messages."""


@dataclass(frozen=True, slots=True)
class ChannelSpec:
    code: str
    name: str
    platform: str


TMALL = ChannelSpec("TMALL-FLAGSHIP", "仓库优选天猫旗舰店", "taobao")
JD = ChannelSpec("JD-POP", "仓库优选京东旗舰店", "jd")
CHANNELS: tuple[ChannelSpec, ...] = (TMALL, JD)


@dataclass(frozen=True, slots=True)
class DemoOrder:
    channel: str
    """``ChannelSpec.code``."""
    kind: str
    """What it shows: ``single``, ``multi``, ``qty``, ``vip``, ``presale``, ``held``, ``message``, ``sf``."""
    order: NormalizedOrder


# (province, city, district, street): mostly 江浙沪, none in 华南/西南 (the rules send those to Guangzhou).
ADDRESSES: tuple[tuple[str, str, str, str], ...] = (
    ("浙江省", "杭州市", "西湖区", "文三路"),
    ("浙江省", "杭州市", "滨江区", "江南大道"),
    ("浙江省", "宁波市", "鄞州区", "天童南路"),
    ("浙江省", "温州市", "鹿城区", "车站大道"),
    ("上海", "上海市", "浦东新区", "张杨路"),
    ("上海", "上海市", "徐汇区", "漕溪北路"),
    ("江苏省", "南京市", "鼓楼区", "中山北路"),
    ("江苏省", "苏州市", "姑苏区", "人民路"),
    ("江苏省", "无锡市", "梁溪区", "中山路"),
    ("安徽省", "合肥市", "蜀山区", "长江西路"),
    ("山东省", "青岛市", "市南区", "香港中路"),
    ("福建省", "厦门市", "思明区", "湖滨南路"),
    ("北京", "北京市", "朝阳区", "建国路"),
    ("天津", "天津市", "和平区", "南京路"),
    ("湖北省", "武汉市", "洪山区", "珞喻路"),
    ("河南省", "郑州市", "金水区", "花园路"),
    ("陕西省", "西安市", "雁塔区", "小寨东路"),
    ("辽宁省", "沈阳市", "和平区", "南京北街"),
)
SURNAMES = "王李张刘陈杨黄赵吴周徐孙马朱胡郭何林"
NICKS = ("小米粥", "快乐的鱼", "星河灿烂", "阿狸不吃草", "柠檬不萌", "一只橘猫", "晴天娃娃", "大白兔", "夏天的风")
MESSAGES = ("请尽快发货，谢谢", "麻烦包装好一点，送人的")
HOLD_MESSAGE = "麻烦帮我改地址：改到公司，文一西路 969 号，谢谢"
SF_MESSAGE = "急用，请发顺丰"
VIP_BUYER = "喵***酱"

KINDS: tuple[str, ...] = (
    ("vip", "presale", "held", "sf", *("message",) * len(MESSAGES))
    + ("multi",) * 11
    + ("qty",) * 4
    + ("single",) * (ORDERS - 4 - len(MESSAGES) - 11 - 4)
)


def orderable_skus(catalog: CatalogSpec, plan: StockPlan, today: date) -> list[SkuSpec]:
    """SKUs the Hangzhou warehouse can ship that no other part of the demo touches, by code."""
    sellable: dict[str, int] = defaultdict(int)
    frozen = set(plan.frozen_bins)
    touched = {r.sku for r in plan.reservations}
    for p in plan.placements:
        if (p.warehouse, p.bin) in frozen:
            touched.add(p.sku)
        if p.warehouse == ORDER_WAREHOUSE and p.kind is PlacementKind.receipt:
            sellable[p.sku] += p.qty
    return sorted(
        (
            sku
            for sku in catalog.skus()
            if not sku.is_kit
            and sku.code not in touched
            and sellable.get(sku.code, 0) >= MIN_SELLABLE
            and all(lot.expires_on >= today + SAFE_UNTIL for lot in sku.lots)
        ),
        key=lambda sku: sku.code,
    )


def plan_orders(rng: random.Random, catalog: CatalogSpec, plan: StockPlan, now: datetime) -> tuple[DemoOrder, ...]:
    """The day's orders, paid between local midnight and ``now``, oldest first."""
    zone = ZoneInfo("Asia/Shanghai")
    local_now = now.astimezone(zone)
    midnight = datetime.combine(local_now.date(), time(0), tzinfo=zone).astimezone(UTC)
    day_so_far = now.astimezone(UTC) - midnight
    candidates = orderable_skus(catalog, plan, local_now.date())
    kinds = rng.sample(KINDS, len(KINDS))
    line_counts = [_line_count(rng, kind) for kind in kinds]
    skus = iter(rng.sample(candidates, sum(line_counts)))
    moments = sorted(rng.uniform(0.02, 0.98) for _ in kinds)
    messages = iter(MESSAGES)
    orders: list[DemoOrder] = []
    for number, (kind, lines, moment) in enumerate(zip(kinds, line_counts, moments, strict=True), start=1):
        channel = JD if kind != "vip" and rng.random() < 0.3 else TMALL
        paid_at = midnight + day_so_far * moment
        order_no = _order_no(rng, channel, number)
        chosen = [next(skus) for _ in range(lines)]
        qtys = [
            rng.choice((2, 2, 3)) if kind == "qty" else rng.choice((1, 1, 1, 2)) if lines > 1 else 1 for _ in chosen
        ]
        message = {"held": HOLD_MESSAGE, "sf": SF_MESSAGE, "message": next(messages, "")}.get(kind, "")
        orders.append(
            DemoOrder(
                channel=channel.code,
                kind=kind,
                order=_order(rng, channel, order_no, kind, chosen, qtys, paid_at, message, midnight, zone),
            )
        )
    return tuple(orders)


def _line_count(rng: random.Random, kind: str) -> int:
    if kind in ("multi", "vip"):
        return rng.choice((2, 2, 3, 4))
    return rng.choice((1, 2)) if kind == "presale" else 1


def _order_no(rng: random.Random, channel: ChannelSpec, number: int) -> str:
    if channel.platform == "taobao":  # a Taobao tid: 19 digits
        return f"{rng.randint(1, 4)}{rng.randint(10**15, 10**16 - 1)}{number:02d}"
    return f"3{rng.randint(10**9, 10**10 - 1)}{number:02d}"  # a JD orderId: 13 digits


def _price(rng: random.Random, sku: SkuSpec) -> int:
    """List price in fen: cost × 1.8–3, rounded up to the yuan, less ten fen (¥129.90)."""
    yuan = sku.standard_cost_minor * rng.choice((180, 220, 250, 300)) // 100 // 100 + 1
    return yuan * 100 - 10


def _order(
    rng: random.Random,
    channel: ChannelSpec,
    order_no: str,
    kind: str,
    skus: list[SkuSpec],
    qtys: list[int],
    paid_at: datetime,
    message: str,
    midnight: datetime,
    zone: ZoneInfo,
) -> NormalizedOrder:
    prices = [_price(rng, sku) for sku in skus]
    gross = [price * qty for price, qty in zip(prices, qtys, strict=True)]
    goods = sum(gross)
    discount = 2_000 if goods >= 20_000 else 0  # 满200减20, shared over the lines as the platform does
    line_discounts = allocate(discount, gross)
    shipping = 600 if channel.platform == "jd" and goods < 9_900 else 0
    province, city, district, street = rng.choice(ADDRESSES)
    presale = kind == "presale"
    ordered_at = paid_at - (timedelta(days=5) if presale else timedelta(seconds=rng.randint(20, 900)))
    lines = [
        NormalizedLine(
            platform_line_id=f"{order_no}{n:02d}" if channel.platform == "taobao" else str(n),
            sku_code=sku.code,
            title=sku.name_zh,
            spec=";".join(f"{k}:{v}" for k, v in sku.attributes.items()),
            platform_sku_id=_platform_sku(channel, sku),
            qty=qty,
            unit_price_minor=price,
            discount_minor=cut,
            paid_minor=price * qty - cut,
        )
        for n, (sku, qty, price, cut) in enumerate(zip(skus, qtys, prices, line_discounts, strict=True), start=1)
    ]
    return NormalizedOrder(
        platform=channel.platform,
        platform_order_no=order_no,
        status=PlatformStatus.paid,
        created_at=ordered_at,
        paid_at=paid_at,
        updated_at=paid_at,
        goods_minor=goods,
        shipping_minor=shipping,
        discount_minor=discount,
        paid_minor=goods - discount + shipping,
        buyer_id=VIP_BUYER if kind == "vip" else _buyer(rng, channel),
        buyer_message=message,
        seller_flag=1 if kind == "vip" else None,
        ship_by=datetime.combine(midnight.astimezone(zone).date(), time(20), tzinfo=zone).astimezone(UTC)
        if presale
        else None,
        presale=presale,
        tags=["VIP"] if kind == "vip" else ["预售"] if presale else [],
        receiver=Receiver(
            name=f"{rng.choice(SURNAMES)}**",
            phone=f"1{rng.choice('3589')}{rng.randint(0, 9)}****{rng.randint(0, 9999):04d}",
            province=province,
            city=city,
            district=district,
            address=f"{street}***号",
        ),
        lines=lines,
        raw_amounts={"payment": _yuan(goods - discount + shipping)},
    )


def _yuan(fen: int) -> str:
    """As the platform writes money (``"129.90"``), without a float in between."""
    return f"{fen // 100}.{fen % 100:02d}"


def _platform_sku(channel: ChannelSpec, sku: SkuSpec) -> str:
    """A stable platform SKU id per (shop, SKU): Taobao ``num_iid/sku_id``, JD a skuId."""
    seed = sum(ord(c) * 31**i for i, c in enumerate(sku.code)) % 10**9
    if channel.platform == "taobao":
        return f"6{seed % 10**8:08d}{len(sku.code):02d}/5{seed:09d}"
    return f"10{seed:09d}"


def _buyer(rng: random.Random, channel: ChannelSpec) -> str:
    if channel.platform == "jd":
        return f"jd_***{rng.randint(0, 9999):04d}"
    nick = rng.choice(NICKS)
    return f"{nick[0]}***{nick[-1]}"
