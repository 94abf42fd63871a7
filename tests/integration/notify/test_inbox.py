"""The notification centre: every person a notification is meant for finds it in their inbox — with
or without a subscribed phone, in quiet hours or not — and reads or marks only their own. SQLite and
PostgreSQL."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import timedelta
from typing import Any

import pytest
from sqlalchemy import func, select

from server.auth.models import Role
from server.notify.inbox_models import InboxItem
from server.notify.outbox import Audience
from server.notify.worker import prune
from tests.factories import bearer, make_user, make_warehouse
from tests.integration.notify.helpers import T0, Client, Factory, queue, subscribed_phone
from tests.integration.notify.push_service import PushService, push_service, push_worker

URL = "/api/notifications"


@pytest.fixture
def service() -> Iterator[PushService]:
    with push_service() as s:
        yield s


async def _inbox(client: Client, token: str, **params: int) -> dict[str, Any]:
    answer = await client.get(URL, params=params, headers=bearer(token))
    assert answer.status_code == 200, answer.text
    body: dict[str, Any] = answer.json()
    return body


async def test_everyone_meant_gets_an_inbox_row_phone_or_not(
    client: Client, session_factory: Factory, service: PushService
) -> None:
    async with session_factory() as s, s.begin():
        here, there = (await make_warehouse(s)).warehouse, (await make_warehouse(s)).warehouse
        _, no_phone = await make_user(s, [Role.supervisor], warehouses=[here])
        _, picker = await make_user(s, [Role.picker], warehouses=[here])
        _, elsewhere = await make_user(s, [Role.supervisor], warehouses=[there])
        _, head_office = await make_user(s, [Role.supervisor], all_warehouses=True)
        gone, _ = await make_user(s, [Role.supervisor], warehouses=[here])
        gone.active = False
    phone = await subscribed_phone(client, session_factory, service, "night", warehouses=[here])
    quiet = await client.put(
        "/api/push/preferences", json={"quiet_start": "00:00", "quiet_end": "23:59"}, headers=bearer(phone.token)
    )
    assert quiet.status_code == 200
    await queue(session_factory, audience=Audience(roles=("supervisor",), warehouse_id=here.id), url="/#/order/7")

    async with push_worker(session_factory) as worker:
        report = await worker.run_once(T0)

    assert report.delivery.handled == 0  # the one phone is in quiet hours: no push
    for token in (no_phone, phone.token, head_office):
        body = await _inbox(client, token)
        assert body["unread"] == 1
        (item,) = body["items"]
        assert item["title_en"] == "Urgent order" and item["title_zh"] == "加急订单"
        assert (item["kind"], item["url"], item["urgency"], item["read_at"]) == (
            "urgent_order",
            "/#/order/7",
            "high",
            None,
        )
        assert set(item) == {
            "id", "kind", "title_en", "title_zh", "body_en", "body_zh", "url", "urgency", "created_at", "read_at"
        }  # fmt: skip
    for token in (picker, elsewhere):
        assert await _inbox(client, token) == {"items": [], "unread": 0}
    async with session_factory() as s:
        assert await s.scalar(select(func.count()).select_from(InboxItem)) == 3  # not the deactivated user


async def test_listing_catching_up_and_marking_read(
    client: Client, session_factory: Factory, service: PushService
) -> None:
    async with session_factory() as s, s.begin():
        me, token = await make_user(s, [Role.supervisor])
        other, other_token = await make_user(s, [Role.supervisor])
    for n in range(5):
        await queue(session_factory, audience=Audience(user_ids=(me.id,)), title_en=f"n{n}", title_zh=f"n{n}")
    await queue(session_factory, audience=Audience(user_ids=(other.id,)), title_en="theirs", title_zh="theirs")
    async with push_worker(session_factory) as worker:
        await worker.run_once(T0)

    newest = await _inbox(client, token, limit=2)
    everything = await _inbox(client, token)
    ids = [item["id"] for item in everything["items"]]
    after = await _inbox(client, token, after_id=ids[4], limit=3)  # after n0, oldest first

    assert [i["title_en"] for i in newest["items"]] == ["n4", "n3"]
    assert (newest["unread"], len(ids)) == (5, 5)
    assert ids == sorted(ids, reverse=True)
    assert [i["title_en"] for i in after["items"]] == ["n1", "n2", "n3"]
    theirs = (await _inbox(client, other_token))["items"][0]["id"]

    read_two = await client.post(f"{URL}/read", json={"ids": [ids[0], ids[1], theirs]}, headers=bearer(token))
    assert read_two.status_code == 200, read_two.text
    assert read_two.json() == {"unread": 3}
    assert (await _inbox(client, other_token))["unread"] == 1  # someone else's id is ignored
    listed = await _inbox(client, token)
    assert [i["read_at"] is not None for i in listed["items"]] == [True, True, False, False, False]
    read_all = await client.post(f"{URL}/read", json={"all": True}, headers=bearer(token))
    assert read_all.json() == {"unread": 0}

    for bad in ({}, {"ids": [1], "all": True}, {"ids": "all"}, {"everything": True}):
        refused = await client.post(f"{URL}/read", json=bad, headers=bearer(token))
        assert refused.status_code in (400, 422), (bad, refused.text)
    for params in ({"limit": 201}, {"limit": 0}, {"after_id": -1}):
        assert (await client.get(URL, params=params, headers=bearer(token))).status_code == 400


async def test_old_inbox_rows_are_pruned(session_factory: Factory, service: PushService) -> None:
    async with session_factory() as s, s.begin():
        me, _ = await make_user(s, [Role.supervisor])
    await queue(session_factory, audience=Audience(user_ids=(me.id,)), at=T0)
    async with push_worker(session_factory) as worker:
        await worker.run_once(T0)

    await prune(session_factory, T0 + timedelta(days=29))
    async with session_factory() as s:
        assert await s.scalar(select(func.count()).select_from(InboxItem)) == 1
    await prune(session_factory, T0 + timedelta(days=31))
    async with session_factory() as s:
        assert await s.scalar(select(func.count()).select_from(InboxItem)) == 0
