"""``queue_notification``: the one way a domain asks for a push, inside its own transaction.

The row commits or rolls back with the change it reports (an order flagged urgent, a count awaiting
approval): a notification about something that did not happen is never sent, and one about
something that did is never lost. Nothing here talks to the network.
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from datetime import datetime

import msgspec
from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from server.db.types import utcnow
from server.lib.errors import ValidationFailed
from server.notify.models import PushNotification, Urgency

TITLE_MAX = 100
BODY_MAX = 300
URL_MAX = 500
"""Chinese is three bytes a character in UTF-8: with these limits both languages' texts, the URL and
the JSON around them stay under the ~4 KB a push message may carry after encryption."""
TTL_MAX = 28 * 24 * 3600
TOPIC = re.compile(r"^[A-Za-z0-9_-]{1,32}$")
"""RFC 8030 §5.4: at most 32 characters of the URL-safe base64 alphabet."""
KIND = re.compile(r"^[a-z][a-z0-9_.]{0,47}$")


class Audience(msgspec.Struct, kw_only=True, frozen=True):
    """Who should hear about it: these users, and/or everyone holding one of ``roles`` who may see
    ``warehouse_id`` (every warehouse when ``None``). A phone bound to another warehouse is skipped."""

    user_ids: tuple[int, ...] = ()
    roles: tuple[str, ...] = ()
    warehouse_id: int | None = None


class KindText(msgspec.Struct, kw_only=True, frozen=True):
    """How several notifications of one kind read as one summary. ``{count}`` is replaced."""

    summary_en: str
    summary_zh: str
    url: str | None = None
    """Where a summary opens; ``None``: the notifications' own URL when they share one, else ``/``."""


GENERIC = KindText(summary_en="{count} new notifications", summary_zh="{count} 条新通知")
KINDS: dict[str, KindText] = {
    "urgent_order": KindText(summary_en="{count} urgent orders", summary_zh="{count} 个加急订单", url="/#/urgent"),
    "urgent_cut_off": KindText(
        summary_en="{count} carrier pickups soon", summary_zh="{count} 个快递即将揽收", url="/#/urgent"
    ),
    "sync_exception": KindText(
        summary_en="{count} sync exceptions", summary_zh="{count} 个同步异常", url="/#/supervisor"
    ),
    "count_variance": KindText(
        summary_en="{count} counts awaiting approval", summary_zh="{count} 个盘点差异待审批", url="/#/supervisor"
    ),
    "low_stock": KindText(
        summary_en="{count} SKUs low on stock", summary_zh="{count} 个 SKU 库存不足", url="/#/reports/stock"
    ),
    "expiring_lot": KindText(
        summary_en="{count} lots expiring soon", summary_zh="{count} 个批次即将过期", url="/#/reports/stock"
    ),
}
"""Summaries open the PWA's list for the kind (hash routes: the shell routes by itself)."""


def register_kind(kind: str, text: KindText) -> None:
    """A domain names its kind's summary wording once (at import)."""
    KINDS[kind] = text


def kind_text(kind: str) -> KindText:
    return KINDS.get(kind, GENERIC)


def default_topic(kind: str) -> str:
    """Messages of one kind share a Topic, so a push service holding an undelivered summary for an
    offline phone replaces it with the newer one instead of queueing both."""
    return re.sub(r"[^A-Za-z0-9_-]", "-", kind)[:32]


def _invalid(field: str, message: str, message_zh: str) -> ValidationFailed:
    return ValidationFailed(message, message_zh=message_zh, field=field)


def _check_text(field: str, value: str, limit: int) -> None:
    if len(value) > limit:
        raise _invalid(field, f"{field} is longer than {limit} characters", f"{field} 超过 {limit} 个字符")


def _check(
    kind: str,
    audience: Audience,
    texts: Iterable[tuple[str, str, int]],
    urgency: str,
    topic: str,
    ttl: int,
) -> Urgency:
    if not KIND.match(kind):
        raise _invalid("kind", "kind must be lower-case letters, digits, _ or .", "kind 只能含小写字母、数字、_ 或 .")
    if not audience.user_ids and not audience.roles:
        raise _invalid("audience", "name users or roles to notify", "请指定接收通知的用户或角色")
    for field, value, limit in texts:
        _check_text(field, value, limit)
    try:
        level = Urgency(urgency)
    except ValueError as exc:
        raise _invalid(
            "urgency", "urgency must be very-low, low, normal or high", "urgency 须为 very-low、low、normal 或 high"
        ) from exc
    if not TOPIC.match(topic):
        raise _invalid("topic", "topic must be 1-32 of A-Z a-z 0-9 - _", "topic 须为 1-32 个字母、数字、- 或 _")
    if not 0 <= ttl <= TTL_MAX:
        raise _invalid("ttl", f"ttl must be 0 to {TTL_MAX} seconds", f"ttl 须在 0 到 {TTL_MAX} 秒之间")
    return level


async def queue_notification(
    session: AsyncSession,
    *,
    kind: str,
    audience: Audience,
    title_en: str,
    title_zh: str,
    body_en: str = "",
    body_zh: str = "",
    url: str = "/",
    urgency: str | Urgency = Urgency.normal,
    topic: str | None = None,
    ttl: int = 3600,
    critical: bool = False,
    dedupe_key: str | None = None,
    now: datetime | None = None,
) -> PushNotification:
    """Add a notification to the outbox in the caller's transaction.

    ``topic`` defaults to the kind's; ``critical`` ones go out through quiet hours; ``dedupe_key``
    makes a repeat (the same order flagged again by the next check) a no-op that answers the first row.
    """
    topic = topic or default_topic(kind)
    level = _check(
        kind,
        audience,
        [
            ("title_en", title_en, TITLE_MAX),
            ("title_zh", title_zh, TITLE_MAX),
            ("body_en", body_en, BODY_MAX),
            ("body_zh", body_zh, BODY_MAX),
            ("url", url, URL_MAX),
        ],
        str(urgency),
        topic,
        ttl,
    )
    if not url.startswith("/"):
        raise _invalid("url", "url must be a path in the app (starting with /)", "url 须为应用内路径（以 / 开头）")
    if dedupe_key is not None:
        found = await session.scalar(select(PushNotification).where(PushNotification.dedupe_key == dedupe_key))
        if found is not None:
            return found
    row = PushNotification(
        kind=kind,
        audience={
            "user_ids": list(audience.user_ids),
            "roles": list(audience.roles),
            "warehouse_id": audience.warehouse_id,
        },
        title_en=title_en,
        title_zh=title_zh,
        body_en=body_en,
        body_zh=body_zh,
        url=url,
        urgency=level,
        topic=topic,
        ttl=ttl,
        critical=critical,
        dedupe_key=dedupe_key,
        created_at=now or utcnow(),
    )
    session.add(row)
    return row
