"""Tracking: carriers' scans (揽收/运输/派送/签收) pushed to us, and parcels that have gone quiet.

Kuaidi100 pushes a parcel's whole history every time it changes (FORMATS.md §6.1), newest first, and
re-pushes when we do not acknowledge. So ingestion is idempotent on (shipment, time, text): the
same push twice stores nothing new. The parcel's status follows the push's ``lastResult.state``
unless the push is older than what we already know, or the parcel already reached an end
(签收/退回) — a late "在途" must not un-deliver a parcel.

A carrier scan for a parcel nobody pressed "ship" for means it left anyway: it is shipped then (the
order becomes shipped and the channel is told), because an unconfirmed shipment is what earns the
platform's late-shipment penalty.

Delays (``find_delayed``): no news for 24 hours (72 to 新疆/西藏/青海, where a truck leg alone takes
days), or past the promised delivery time.
"""

from __future__ import annotations

import hashlib
import hmac
from datetime import datetime, timedelta
from typing import Any, cast
from zoneinfo import ZoneInfo

import msgspec
from sqlalchemy import Insert, Table, and_, func, or_, select
from sqlalchemy.dialects.postgresql import insert as pg_insert
from sqlalchemy.dialects.sqlite import insert as sqlite_insert
from sqlalchemy.ext.asyncio import AsyncSession

from server.db.types import utcnow
from server.fulfilment.shipping.models import (
    FINAL,
    IN_WAREHOUSE,
    ON_THE_WAY,
    Shipment,
    ShipmentStatus,
    TrackingEvent,
    TrackingState,
)
from server.fulfilment.shipping.service import get_order, ship, shipments_of
from server.lib.errors import Forbidden, ValidationFailed
from server.orders.lifecycle import change_status
from server.orders.models import Order, OrderStatus
from server.orders.rules.geography import province_key
from server.orders.values import BadValue, china_time

SOURCE_KUAIDI100 = "kuaidi100"
QUIET_HOURS = 24
REMOTE_QUIET_HOURS = 72
REMOTE_PROVINCES = frozenset({"新疆", "西藏", "青海"})
SHANGHAI = ZoneInfo("Asia/Shanghai")

St = ShipmentStatus
T = TrackingState
KUAIDI100_STATES: dict[str, tuple[TrackingState, ShipmentStatus]] = {
    "0": (T.in_transit, St.in_transit),  # 在途
    "1": (T.picked_up, St.in_transit),  # 揽收
    "2": (T.exception, St.exception),  # 疑难
    "3": (T.delivered, St.delivered),  # 签收
    "4": (T.returned, St.returned),  # 退签: back with the sender, signed for
    "5": (T.delivering, St.delivering),  # 派件
    "6": (T.returned, St.returned),  # 退回: on its way back
    "7": (T.in_transit, St.in_transit),  # 转单: handed to another carrier
    "8": (T.customs, St.in_transit),  # 清关
    "10": (T.customs, St.in_transit),  # 待清关
    "11": (T.customs, St.in_transit),  # 清关中
    "12": (T.customs, St.in_transit),  # 已清关
    "13": (T.exception, St.exception),  # 清关异常
    "14": (T.refused, St.exception),  # 拒签: a person decides (call the buyer, or let it come back)
}
"""Kuaidi100 ``state`` → (the event's state, the parcel's status)."""

KUAIDI100_WORDS: dict[str, str] = {
    "在途": "0",
    "揽收": "1",
    "疑难": "2",
    "签收": "3",
    "退签": "4",
    "派件": "5",
    "退回": "6",
    "转单": "7",
    "清关": "8",
    "待清关": "10",
    "清关中": "11",
    "已清关": "12",
    "清关异常": "13",
    "拒签": "14",
}
"""An item's own ``status`` word → state code: older items carry a word, not the push's state."""


KUAIDI100_COM: dict[str, str] = {
    "shunfeng": "SF",
    "yuantong": "YTO",
    "zhongtong": "ZTO",
    "shentong": "STO",
    "yunda": "YUNDA",
    "jtexpress": "JTSD",
    "ems": "EMS",
    "jd": "JD",
    "debangkuaidi": "DBL",
    "debangwuliu": "DBL",
}
"""Kuaidi100's lowercase carrier codes (``com``) → ours, for the carriers ``CARRIER_NAMES`` knows.
[UNV] recalled, not checked against Kuaidi100's code list: only used to tell apart shipments of
different carriers that share a waybill number."""


class SignatureRefused(Forbidden):
    code = "bad_signature"


class Kuaidi100Item(msgspec.Struct, rename="camel"):
    context: str = ""
    time: str = ""
    ftime: str = ""
    status: str = ""
    area_code: str = ""
    area_name: str = ""


class Kuaidi100Result(msgspec.Struct, rename="camel"):
    message: str = ""
    state: str | int = ""
    ischeck: str | int = ""
    com: str = ""
    nu: str = ""
    data: list[Kuaidi100Item] = msgspec.field(default_factory=list)


class Kuaidi100Push(msgspec.Struct, rename="camel"):
    status: str = ""
    """``polling``, ``shutdown`` (signed for, monitoring ended), ``abort`` (gave up), ``updateall``."""
    message: str = ""
    auto_check: str | int = ""
    com_old: str = ""
    com_new: str = ""
    last_result: Kuaidi100Result = msgspec.field(default_factory=Kuaidi100Result)


class TrackingIngest(msgspec.Struct, kw_only=True):
    """What one push did: ``shipment_id`` is ``None`` for a waybill we do not know (acknowledged all the
    same, or Kuaidi100 would re-push it for days)."""

    shipment_id: int | None
    inserted: int = 0
    status: ShipmentStatus | None = None
    note: str = ""


def sign_kuaidi100(param: str, salt: str) -> str:
    """Kuaidi100's signature: MD5 of ``param`` + salt, upper-case hex (MD5 is theirs, not our choice)."""
    return hashlib.md5((param + salt).encode(), usedforsecurity=False).hexdigest().upper()


def verify_kuaidi100(param: str, sign: str, salt: str) -> bool:
    """True when no salt is configured (the subscription did not ask for signing); else constant-time."""
    if not salt:
        return True
    return hmac.compare_digest(sign_kuaidi100(param, salt), sign.strip().upper())


def _decode(param: str) -> Kuaidi100Push:
    try:
        return msgspec.json.decode(param, type=Kuaidi100Push)
    except msgspec.ValidationError as exc:
        raise ValidationFailed(f"param: {exc}", message_zh="推送内容格式错误", field="param") from exc
    except msgspec.DecodeError as exc:
        raise ValidationFailed("param is not JSON", message_zh="推送内容不是有效的 JSON", field="param") from exc


class _Event(msgspec.Struct, frozen=True):
    occurred_at: datetime
    state: TrackingState
    raw_state: str
    context: str
    area: str


def _events(push: Kuaidi100Push) -> list[_Event]:
    """The push's items as events; the newest (first) takes the push's ``state``, the others their word."""
    newest_state = str(push.last_result.state).strip()
    events: list[_Event] = []
    for index, item in enumerate(push.last_result.data):
        field = f"param.lastResult.data[{index}].ftime"
        try:
            at = china_time(item.ftime or item.time, field=field)
        except BadValue as exc:
            raise ValidationFailed(exc.message, message_zh=exc.message_zh, field=field) from exc
        if at is None:
            raise ValidationFailed(f"{field}: missing", message_zh=f"{field}：缺少时间", field=field)
        raw = newest_state if index == 0 and newest_state else KUAIDI100_WORDS.get(item.status.strip(), "")
        state = KUAIDI100_STATES[raw][0] if raw in KUAIDI100_STATES else TrackingState.unknown
        events.append(_Event(at, state, raw or item.status.strip()[:16], item.context, item.area_name[:128]))
    return events


async def _find_shipment(session: AsyncSession, waybill_no: str, kuaidi100_coms: set[str]) -> Shipment | None:
    """By waybill number, which is unique per carrier only: when carriers share a number, Kuaidi100's
    carrier code decides; when it cannot (a carrier missing from ``KUAIDI100_COM``), the newest wins."""
    ours = {KUAIDI100_COM.get(com, com.upper()) for com in kuaidi100_coms}
    await session.flush()
    statement = (
        select(Shipment)
        .where(Shipment.waybill_no == waybill_no)
        .order_by(Shipment.id.desc())
        .with_for_update()
        .execution_options(populate_existing=True)
    )
    found = list(await session.scalars(statement))
    matching = [s for s in found if s.carrier_code in ours]
    candidates = matching or found
    return candidates[0] if candidates else None


async def _insert_events(session: AsyncSession, shipment_id: int, events: list[_Event], now: datetime) -> int:
    rows: dict[tuple[datetime, str], dict[str, Any]] = {}
    for event in events:
        digest = hashlib.sha256(event.context.encode()).hexdigest()
        rows.setdefault(
            (event.occurred_at, digest),
            {
                "shipment_id": shipment_id,
                "occurred_at": event.occurred_at,
                "state": event.state,
                "raw_state": event.raw_state,
                "context": event.context,
                "context_hash": digest,
                "area": event.area,
                "source": SOURCE_KUAIDI100,
                "received_at": now,
            },
        )
    if not rows:
        return 0
    table = cast(Table, TrackingEvent.__table__)
    keys = ["shipment_id", "occurred_at", "context_hash"]
    statement: Insert
    if session.get_bind().dialect.name == "postgresql":
        statement = pg_insert(table).values(list(rows.values())).on_conflict_do_nothing(index_elements=keys)
    else:
        statement = sqlite_insert(table).values(list(rows.values())).on_conflict_do_nothing(index_elements=keys)
    return len((await session.execute(statement.returning(table.c.id))).all())


async def _deliver_order(session: AsyncSession, shipment: Shipment) -> None:
    """The order is delivered when every parcel of it is; a platform that said so first already moved it."""
    order = await get_order(session, shipment.order_id, lock=True)
    parcels = await shipments_of(session, order.id)
    if order.status is OrderStatus.shipped and all(p.status is St.delivered for p in parcels):
        change_status(
            session,
            order,
            OrderStatus.delivered,
            actor=None,
            reason=f"signed for ({shipment.carrier_code} {shipment.waybill_no})",
            kind="delivered",
            shipment_id=shipment.id,
        )


async def _apply(
    session: AsyncSession, shipment: Shipment, push: Kuaidi100Push, events: list[_Event], now: datetime
) -> str:
    """Move the parcel (and its order) along with the push, unless the push is stale or the parcel done;
    answers a note when it could not."""
    newest = max(events, key=lambda e: e.occurred_at) if events else None
    raw = str(push.last_result.state).strip()
    mapped = KUAIDI100_STATES.get(raw)
    target: ShipmentStatus | None = mapped[1] if mapped else None
    note = newest.context if newest is not None else ""
    if push.status == "abort" and target not in FINAL:  # e.g. "3天查询无记录": the number is unknown to the carrier
        target, note = St.exception, push.message or note
    stale = newest is not None and shipment.last_event_at is not None and newest.occurred_at < shipment.last_event_at
    if newest is not None and (shipment.last_event_at is None or newest.occurred_at > shipment.last_event_at):
        shipment.last_event_at = newest.occurred_at
    if target is None or stale or shipment.status in FINAL:
        return ""
    if shipment.status in IN_WAREHOUSE:
        order = await get_order(session, shipment.order_id)
        if order.status not in (OrderStatus.packed, OrderStatus.shipped, OrderStatus.delivered):
            # Intercepted or cancelled after packing, yet scanned: a person must call the carrier back.
            return f"carrier scanned a parcel of an order that is {order.status.value}: not shipped"
        handed_over = min((e.occurred_at for e in events), default=now)
        await ship(session, shipment, None, now=handed_over, reason="the carrier scanned it (tracking)")
    shipment.status = target
    shipment.updated_at = now
    if target in (St.exception, St.returned):
        shipment.status_note = note
    if target is St.delivered:
        shipment.delivered_at = newest.occurred_at if newest is not None else now
        await _deliver_order(session, shipment)
    return ""


async def ingest_kuaidi100(
    session: AsyncSession, param: str, sign: str, *, salt: str, now: datetime | None = None
) -> TrackingIngest:
    """Store a Kuaidi100 push (form fields ``param`` and ``sign``) and move the parcel along with it."""
    if not verify_kuaidi100(param, sign, salt):
        raise SignatureRefused("signature does not match", message_zh="签名校验失败", field="sign")
    now = now or utcnow()
    push = _decode(param)
    waybill_no = push.last_result.nu.strip()
    if not waybill_no:
        raise ValidationFailed(
            "param.lastResult.nu: missing waybill number", message_zh="缺少快递单号", field="param.lastResult.nu"
        )
    events = _events(push)
    coms = {code.strip().lower() for code in (push.last_result.com, push.com_new, push.com_old) if code.strip()}
    shipment = await _find_shipment(session, waybill_no, coms)
    if shipment is None:
        return TrackingIngest(shipment_id=None, note=f"unknown waybill {waybill_no}")
    inserted = await _insert_events(session, shipment.id, events, now)
    note = await _apply(session, shipment, push, events, now)
    return TrackingIngest(shipment_id=shipment.id, inserted=inserted, status=shipment.status, note=note)


class Delay(msgspec.Struct, kw_only=True):
    """A parcel on its way that needs a look, with why in both languages."""

    shipment_id: int
    order_id: int
    platform_order_no: str
    carrier_code: str
    waybill_no: str
    status: ShipmentStatus
    receiver_province: str
    shipped_at: datetime | None
    last_event_at: datetime | None
    expected_by: datetime | None
    quiet_hours: int
    """Whole hours since the last scan (or since shipping, before the first scan)."""
    reasons: list[str]
    """``not_picked_up``, ``no_tracking_update``, ``past_expected_delivery``."""
    reason: str
    reason_zh: str


def _reasons(
    shipment: Shipment, quiet_hours: int, threshold: int, now: datetime
) -> tuple[list[str], list[str], list[str]]:
    codes: list[str] = []
    en: list[str] = []
    zh: list[str] = []
    if quiet_hours >= threshold:
        if shipment.last_event_at is None:
            codes.append("not_picked_up")
            en.append(f"no carrier scan {quiet_hours} h after shipping")
            zh.append(f"发货后 {quiet_hours} 小时仍无揽收记录")
        else:
            codes.append("no_tracking_update")
            en.append(f"no tracking update for {quiet_hours} h")
            zh.append(f"已 {quiet_hours} 小时无物流更新")
    if shipment.expected_by is not None and shipment.expected_by < now:
        promised = shipment.expected_by.astimezone(SHANGHAI).strftime("%Y-%m-%d %H:%M")
        codes.append("past_expected_delivery")
        en.append(f"not delivered by {promised} (Beijing time)")
        zh.append(f"超过预计送达时间 {promised}")
    return codes, en, zh


async def find_delayed(
    session: AsyncSession,
    now: datetime,
    *,
    quiet_hours: int = QUIET_HOURS,
    remote_quiet_hours: int = REMOTE_QUIET_HOURS,
) -> list[Delay]:
    """Parcels on their way with no news for too long or past their promised time, longest quiet first."""
    last_news = func.coalesce(Shipment.last_event_at, Shipment.shipped_at, type_=Shipment.last_event_at.type)
    statement = (
        select(Shipment, Order.platform_order_no, Order.receiver_province)
        .join(Order, Order.id == Shipment.order_id)
        .where(
            Shipment.status.in_(ON_THE_WAY),
            or_(
                last_news <= now - timedelta(hours=min(quiet_hours, remote_quiet_hours)),
                and_(Shipment.expected_by.is_not(None), Shipment.expected_by < now),
            ),
        )
        .order_by(last_news, Shipment.id)
    )
    delays: list[Delay] = []
    for shipment, order_no, province in (await session.execute(statement)).all():
        since = shipment.last_event_at or shipment.shipped_at or now
        quiet = int((now - since).total_seconds() // 3600)
        threshold = remote_quiet_hours if province_key(province) in REMOTE_PROVINCES else quiet_hours
        codes, en, zh = _reasons(shipment, quiet, threshold, now)
        if not codes:
            continue
        delays.append(
            Delay(
                shipment_id=shipment.id,
                order_id=shipment.order_id,
                platform_order_no=order_no,
                carrier_code=shipment.carrier_code,
                waybill_no=shipment.waybill_no,
                status=shipment.status,
                receiver_province=province,
                shipped_at=shipment.shipped_at,
                last_event_at=shipment.last_event_at,
                expected_by=shipment.expected_by,
                quiet_hours=quiet,
                reasons=codes,
                reason="; ".join(en),
                reason_zh="；".join(zh),
            )
        )
    return delays
