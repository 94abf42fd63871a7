"""Burst control and quiet hours: a thousand urgent orders are one push, a steady stream is one push a
window, a phone gets at most a few pushes a minute, and quiet hours hold all but critical news until
they end. Who receives what follows roles and warehouse scope as they are now. SQLite and PostgreSQL."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import UTC, datetime, timedelta

import pytest
from sqlalchemy import select, update

from server.auth.models import Device, Role, User
from server.notify.compose import Limits
from server.notify.models import DeliveryStatus, PushDelivery, PushNotification, PushSubscription
from server.notify.outbox import Audience
from tests.factories import bearer, make_warehouse
from tests.integration.notify.helpers import T0, Client, Factory, messages, queue, subscribed_phone
from tests.integration.notify.push_service import Browser, PushService, push_service, push_worker


@pytest.fixture
def service() -> Iterator[PushService]:
    with push_service() as s:
        yield s


async def test_a_burst_of_a_thousand_is_one_summary(
    client: Client, session_factory: Factory, service: PushService
) -> None:
    phone = await subscribed_phone(client, session_factory, service, "burst")
    await queue(session_factory, 1000)
    async with push_worker(session_factory) as worker:
        report = await worker.run_once(T0)
        assert report.fanned_out == 1000
        assert len(report.delivery.sent) == 1
        for minutes in (1, 2, 10):
            assert (await worker.run_once(T0 + timedelta(minutes=minutes))).delivery.handled == 0
    (push,) = service.to("burst")
    payload = phone.browser.decrypt(push)
    assert payload["count"] == 1000
    assert payload["title"] == {"en": "1000 urgent orders", "zh": "1000 个加急订单"}
    assert payload["body"] == {"en": "Latest: Urgent order 1000", "zh": "最新：加急订单 1000"}
    assert payload["url"] == "/orders/1"  # they all pointed there
    assert push.headers["topic"] == payload["tag"] == "urgent_order"  # the push service collapses repeats
    assert push.headers["urgency"] == payload["urgency"] == "high"  # the phone buzzes for a replacement


async def test_a_steady_stream_goes_out_once_a_window_and_nothing_is_lost(
    client: Client, session_factory: Factory, service: PushService
) -> None:
    """1,000 notifications over ten minutes, the worker passing every 15 s: the first goes at once,
    then one summary a minute."""
    phone = await subscribed_phone(client, session_factory, service, "stream")
    async with push_worker(session_factory, Limits(window=timedelta(seconds=60), per_minute=3)) as worker:
        for step in range(40):
            now = T0 + timedelta(seconds=15 * step)
            await queue(session_factory, 25, at=now, url=f"/orders/{step}")
            await worker.run_once(now)
        await worker.run_once(T0 + timedelta(minutes=20))
    counts = [phone.browser.decrypt(p)["count"] for p in service.to("stream")]
    assert counts[0] == 25
    assert len(counts) <= 12
    assert sum(counts) == 1000
    summary = phone.browser.decrypt(service.to("stream")[1])
    assert summary["url"] == "/#/urgent"  # different orders: the kind's list
    async with session_factory() as s:
        assert (await s.scalars(select(PushDelivery.status).distinct())).all() == [DeliveryStatus.composed]


async def test_at_most_a_few_pushes_a_minute_the_rest_fold_into_the_next(
    client: Client, session_factory: Factory, service: PushService
) -> None:
    phone = await subscribed_phone(client, session_factory, service, "limited")
    for kind in ("kind_a", "kind_b", "kind_c", "kind_d", "kind_e"):
        await queue(session_factory, 2, kind=kind)
    async with push_worker(session_factory, Limits(window=timedelta(seconds=60), per_minute=3)) as worker:
        assert len((await worker.run_once(T0)).composed) == 3
        assert (await worker.run_once(T0 + timedelta(seconds=59))).composed == []
        await queue(session_factory, 1, kind="kind_a", at=T0 + timedelta(seconds=59))
        assert len((await worker.run_once(T0 + timedelta(seconds=61))).composed) == 3
    kinds = [(d["kind"], d["count"]) for d in (phone.browser.decrypt(p) for p in service.to("limited"))]
    assert sorted(kinds[:3]) == [("kind_a", 2), ("kind_b", 2), ("kind_c", 2)]  # sent side by side
    assert sorted(kinds[3:]) == [("kind_a", 1), ("kind_d", 2), ("kind_e", 2)]
    titles = {d["kind"]: d["title"] for d in (phone.browser.decrypt(p) for p in service.to("limited")[3:])}
    assert titles["kind_d"] == {"en": "2 new notifications", "zh": "2 条新通知"}  # no wording registered
    assert titles["kind_a"] == {"en": "Urgent order", "zh": "加急订单"}  # one reads as itself


async def test_quiet_hours_hold_all_but_critical_until_they_end(
    client: Client, session_factory: Factory, service: PushService
) -> None:
    phone = await subscribed_phone(client, session_factory, service, "night")
    answer = await client.put(
        "/api/push/preferences",
        json={"quiet_start": "22:00", "quiet_end": "07:00", "timezone": "Asia/Shanghai"},
        headers=bearer(phone.token),
    )
    assert answer.status_code == 200, answer.text
    night = datetime(2026, 12, 1, 15, 0, tzinfo=UTC)  # 23:00 in Shanghai
    morning = datetime(2026, 12, 1, 23, 0, tzinfo=UTC)  # 07:00 in Shanghai
    await queue(session_factory, 3, at=night)
    await queue(session_factory, at=night, kind="stock_alarm", title_en="Cold room", title_zh="冷库", critical=True)
    async with push_worker(session_factory) as worker:
        report = await worker.run_once(night)
        assert len(report.delivery.sent) == 1
        (critical,) = [phone.browser.decrypt(p) for p in service.to("night")]
        assert critical["title"] == {"en": "Cold room", "zh": "冷库"}
        assert (await worker.run_once(morning - timedelta(minutes=1))).delivery.handled == 0
        assert len((await worker.run_once(morning)).delivery.sent) == 1
    held = phone.browser.decrypt(service.to("night")[1])
    assert (held["kind"], held["count"]) == ("urgent_order", 3)


async def test_audience_follows_roles_warehouses_and_the_phone_s_site(
    client: Client, session_factory: Factory, service: PushService
) -> None:
    async with session_factory() as s, s.begin():
        here, there = (await make_warehouse(s)).warehouse, (await make_warehouse(s)).warehouse
    here_id, there_id = here.id, there.id
    await subscribed_phone(client, session_factory, service, "boss-here", warehouses=[here])
    await subscribed_phone(client, session_factory, service, "boss-there", warehouses=[there])
    await subscribed_phone(client, session_factory, service, "picker", [Role.picker], warehouses=[here])
    named = await subscribed_phone(client, session_factory, service, "named", [Role.finance])
    manager = await subscribed_phone(
        client, session_factory, service, "manager", [Role.manager], warehouses=[here, there]
    )
    # the same manager's second phone works in the other site: news about this one skips it
    second = Browser.make(service, "manager-there").subscription_json(warehouse_id=there_id)
    answer = await client.post("/api/push/subscriptions", json=second, headers=bearer(manager.token))
    assert answer.status_code == 201, answer.text
    retired = await subscribed_phone(client, session_factory, service, "retired", warehouses=[here])
    async with session_factory() as s, s.begin():
        await s.execute(update(User).where(User.id == retired.user_id).values(active=False))
    await queue(
        session_factory,
        audience=Audience(roles=("supervisor", "manager"), user_ids=(named.user_id,), warehouse_id=here_id),
    )
    async with push_worker(session_factory) as worker:
        await worker.run_once(T0)
    assert sorted(r.path.rsplit("/", 1)[1] for r in service.received) == ["boss-here", "manager", "named"]
    async with session_factory() as s:
        assert (await s.scalars(select(PushNotification.recipients))).one() == 3


async def test_a_revoked_device_hears_nothing(client: Client, session_factory: Factory, service: PushService) -> None:
    phone = await subscribed_phone(client, session_factory, service, "lost")
    async with session_factory() as s, s.begin():
        s.add(Device(id="pda-lost", user_id=phone.user_id, name="PDA", revoked_at=T0))
        await s.flush()
        await s.execute(update(PushSubscription).values(device_id="pda-lost"))
    await queue(session_factory)
    async with push_worker(session_factory) as worker:
        await worker.run_once(T0)
    assert service.received == []
    assert await messages(session_factory) == []
