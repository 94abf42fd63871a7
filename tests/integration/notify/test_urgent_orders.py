"""Urgent-order flags become pushes to the warehouse's supervisors and managers (the built-in push
rules): once per order and set of reasons, and a flood of them is one summary per phone. SQLite and
PostgreSQL."""

from __future__ import annotations

from datetime import timedelta

from sqlalchemy import func, select

from server.auth.models import Role
from server.notify.models import PushNotification
from server.notify.urgent_orders import Site, notify_urgent_orders
from server.orders.models import Order, OrderStatus
from tests.factories import make_warehouse
from tests.integration.notify.helpers import T0, Client, Factory, subscribed_phone
from tests.integration.notify.push_service import push_service, push_worker


def _order(order_id: int, warehouse_id: int, *, vip: bool, paid_hours_ago: float) -> Order:
    return Order(
        id=order_id,
        platform_order_no=f"TB-{order_id}",
        status=OrderStatus.paid,
        tags={"tags": ["VIP"] if vip else []},
        paid_at=T0 - timedelta(hours=paid_hours_ago),
        ship_by=None,
        hold_reason="",
        warehouse_id=warehouse_id,
    )


async def test_urgent_orders_reach_the_warehouse_supervisors(client: Client, session_factory: Factory) -> None:
    async with session_factory() as s, s.begin():
        here, there = (await make_warehouse(s)).warehouse, (await make_warehouse(s)).warehouse
    with push_service() as service:
        boss = await subscribed_phone(client, session_factory, service, "boss", warehouses=[here])
        await subscribed_phone(client, session_factory, service, "other-site", warehouses=[there])
        await subscribed_phone(client, session_factory, service, "picker", [Role.picker], warehouses=[here])
        orders = [
            _order(1, here.id, vip=True, paid_hours_ago=1),
            _order(2, here.id, vip=False, paid_hours_ago=46),
            _order(3, here.id, vip=False, paid_hours_ago=1),  # not urgent
        ]
        for _ in range(2):  # the check runs again a minute later: nothing new to say
            async with session_factory() as s, s.begin():
                await notify_urgent_orders(s, orders, {here.id: Site(here.code, "Asia/Shanghai")}, now=T0)
        async with session_factory() as s:
            assert await s.scalar(select(func.count()).select_from(PushNotification)) == 2
        async with push_worker(session_factory) as worker:
            await worker.run_once(T0)
        (push,) = service.received
    payload = boss.browser.decrypt(push)
    assert payload["title"] == {"en": "2 urgent orders", "zh": "2 个加急订单"}
    assert payload["url"] == "/#/urgent"
    assert payload["body"]["en"].startswith("Latest: Urgent order TB-")


async def test_one_urgent_order_reads_as_itself(client: Client, session_factory: Factory) -> None:
    async with session_factory() as s, s.begin():
        here = (await make_warehouse(s)).warehouse
    with push_service() as service:
        boss = await subscribed_phone(client, session_factory, service, "boss", warehouses=[here])
        async with session_factory() as s, s.begin():
            order = _order(9, here.id, vip=True, paid_hours_ago=46)
            await notify_urgent_orders(s, [order], {here.id: Site(here.code, "Asia/Shanghai")}, now=T0)
        async with push_worker(session_factory) as worker:
            await worker.run_once(T0)
        (push,) = service.received
    payload = boss.browser.decrypt(push)
    assert payload["title"] == {"en": "Urgent order TB-9", "zh": "加急订单 TB-9"}
    assert payload["body"]["en"].startswith("VIP buyer; late-shipment deadline at")
    assert payload["body"]["zh"].startswith("VIP 买家；发货时限为")
    assert payload["url"] == "/#/order/9"
    assert push.headers["urgency"] == "high"
