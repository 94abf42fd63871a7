"""Users with subscribed phones, and notifications queued the way a domain queues them."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any

from litestar import Litestar
from litestar.testing import AsyncTestClient
from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from server.auth.models import Role
from server.notify.models import MessageStatus, PushMessage
from server.notify.outbox import Audience, queue_notification
from server.warehouse.models import Warehouse
from tests.factories import bearer, make_user
from tests.integration.notify.push_service import Browser, PushService

Client = AsyncTestClient[Litestar]
Factory = async_sessionmaker[AsyncSession]
T0 = datetime(2026, 12, 1, 2, 0, tzinfo=UTC)
"""10:00 in Shanghai."""


@dataclass
class Phone:
    user_id: int
    token: str
    browser: Browser


async def subscribed_phone(
    client: Client,
    factory: Factory,
    service: PushService,
    name: str,
    roles: list[Role] | None = None,
    *,
    warehouses: list[Warehouse] | None = None,
    body: dict[str, Any] | None = None,
) -> Phone:
    async with factory() as s, s.begin():
        user, token = await make_user(s, roles or [Role.supervisor], warehouses=warehouses)
    browser = Browser.make(service, name)
    answer = await client.post(
        "/api/push/subscriptions", json=browser.subscription_json(**(body or {})), headers=bearer(token)
    )
    assert answer.status_code == 201, answer.text
    return Phone(user.id, token, browser)


async def queue(factory: Factory, count: int = 1, *, at: datetime = T0, **fields: Any) -> None:
    """``count`` notifications in one transaction."""
    defaults: dict[str, Any] = {
        "kind": "urgent_order",
        "audience": Audience(roles=("supervisor",)),
        "title_en": "Urgent order",
        "title_zh": "加急订单",
        "body_en": "VIP buyer",
        "body_zh": "VIP 买家",
        "url": "/orders/1",
        "urgency": "high",
        "ttl": 600,
    }
    async with factory() as s, s.begin():
        for i in range(count):
            values = {**defaults, **fields}
            if count > 1 and "title_en" not in fields:
                values["title_en"] = f"Urgent order {i + 1}"
                values["title_zh"] = f"加急订单 {i + 1}"
            await queue_notification(s, now=at, **values)


async def messages(factory: Factory, status: MessageStatus | None = None) -> list[PushMessage]:
    async with factory() as s:
        statement = select(PushMessage).order_by(PushMessage.id)
        if status is not None:
            statement = statement.where(PushMessage.status == status)
        return list((await s.scalars(statement)).all())
