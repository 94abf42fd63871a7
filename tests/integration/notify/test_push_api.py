"""``/api/push``: the VAPID key (made once, kept across starts, never silently replaced), subscribing
and unsubscribing with the browser's own JSON, and quiet hours; plus ``queue_notification``'s checks.
On SQLite and PostgreSQL."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import pytest
from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric import ec
from litestar.testing import AsyncTestClient
from sqlalchemy import func, select, update

from server.app import create_app
from server.auth.models import Role
from server.db.types import utcnow
from server.lib.errors import ValidationFailed
from server.notify.compose import fan_out
from server.notify.models import PushDelivery, PushNotification, PushSubscription, VapidKey
from server.notify.outbox import Audience, queue_notification
from server.settings import Settings
from tests.factories import TEST_PASSWORD, bearer, make_user, make_warehouse
from tests.integration.notify.helpers import Client, Factory, queue, subscribed_phone
from tests.integration.notify.push_service import Browser, PushService, b64url, push_service, unb64url


@pytest.fixture
def service() -> Iterator[PushService]:
    with push_service() as s:
        yield s


async def _token(factory: Factory, roles: list[Role] | None = None) -> str:
    async with factory() as s, s.begin():
        _, token = await make_user(s, roles or [Role.picker])
    return token


async def test_the_key_is_made_once_and_kept_across_app_starts(
    client: Client, session_factory: Factory, settings: Settings
) -> None:
    token = await _token(session_factory)
    first = await client.get("/api/push/key", headers=bearer(token))
    assert first.status_code == 200, first.text
    key = first.json()["application_server_key"]
    point = unb64url(key)
    assert len(point) == 65 and point[0] == 4 and "=" not in key
    ec.EllipticCurvePublicKey.from_encoded_point(ec.SECP256R1(), point)
    async with AsyncTestClient(app=create_app(settings)) as restarted:
        again = await restarted.get("/api/push/key", headers=bearer(token))
    assert again.json()["application_server_key"] == key
    async with session_factory() as s:
        assert await s.scalar(select(func.count()).select_from(VapidKey)) == 1


@pytest.mark.parametrize("damage", ["garbage", "another key"])
async def test_a_damaged_key_refuses_clearly_and_is_not_replaced(
    client: Client, session_factory: Factory, damage: str
) -> None:
    token = await _token(session_factory)
    assert (await client.get("/api/push/key", headers=bearer(token))).status_code == 200
    if damage == "garbage":
        pem = "-----BEGIN PRIVATE KEY-----\nbm90IGEga2V5\n-----END PRIVATE KEY-----\n"
    else:  # a valid key, but not the one the phones subscribed with
        pem = (
            ec.generate_private_key(ec.SECP256R1())
            .private_bytes(serialization.Encoding.PEM, serialization.PrivateFormat.PKCS8, serialization.NoEncryption())
            .decode()
        )
    async with session_factory() as s, s.begin():
        await s.execute(update(VapidKey).values(private_pem=pem))
    answer = await client.get("/api/push/key", headers=bearer(token))
    assert answer.status_code == 503
    body = answer.json()
    assert body["code"] == "push_key_unreadable"
    assert "cangku push reset-key" in body["message"] and "推送密钥" in body["message_zh"]
    async with session_factory() as s:
        assert (await s.scalars(select(VapidKey.private_pem))).one() == pem  # left for a person to restore


async def test_subscribe_update_and_unsubscribe(client: Client, session_factory: Factory, service: PushService) -> None:
    phone = await subscribed_phone(client, session_factory, service, "p1")
    renewed = Browser.make(service, "p1")  # same endpoint, new keys (the browser re-subscribed)
    again = await client.post("/api/push/subscriptions", json=renewed.subscription_json(), headers=bearer(phone.token))
    assert again.status_code == 200, again.text
    await queue(session_factory)  # waiting for p1's first owner when someone else logs in there
    async with session_factory() as s, s.begin():
        await fan_out(s, utcnow())
    other_token = await _token(session_factory)
    taken = await client.post("/api/push/subscriptions", json=renewed.subscription_json(), headers=bearer(other_token))
    assert taken.status_code == 200  # another person logged in on that browser: theirs now
    async with session_factory() as s:
        (row,) = (await s.scalars(select(PushSubscription))).all()
    assert (row.p256dh, row.user_id) == (renewed.p256dh, taken.json()["user_id"])
    assert row.user_id != phone.user_id
    async with session_factory() as s:
        assert await s.scalar(select(func.count()).select_from(PushDelivery)) == 0  # not for the new owner

    mine = await client.delete(
        "/api/push/subscriptions", params={"endpoint": renewed.endpoint}, headers=bearer(phone.token)
    )
    assert mine.status_code == 404  # not the caller's any more
    assert mine.json()["code"] == "subscription_not_found"
    gone = await client.delete(
        "/api/push/subscriptions", params={"endpoint": renewed.endpoint}, headers=bearer(other_token)
    )
    assert gone.status_code == 204
    async with session_factory() as s:
        assert await s.scalar(select(func.count()).select_from(PushSubscription)) == 0


async def test_a_device_bound_login_ties_the_subscription_to_the_device_and_its_site(
    client: Client, session_factory: Factory, service: PushService
) -> None:
    async with session_factory() as s, s.begin():
        here, there = (await make_warehouse(s)).warehouse, (await make_warehouse(s)).warehouse
        await make_user(s, [Role.picker], warehouses=[here], username="li.si")
    login = await client.post("/api/auth/login", json={"username": "li.si", "password": TEST_PASSWORD})
    plain = login.json()["token"]
    device = await client.post("/api/devices", json={"name": "PDA-3", "warehouse_id": here.id}, headers=bearer(plain))
    device_id = device.json()["id"]
    bound = await client.post(
        "/api/auth/login", json={"username": "li.si", "password": TEST_PASSWORD, "device_id": device_id}
    )
    token = bound.json()["token"]
    browser = Browser.make(service, "pda-3")
    answer = await client.post("/api/push/subscriptions", json=browser.subscription_json(), headers=bearer(token))
    assert answer.status_code == 201, answer.text
    assert (answer.json()["device_id"], answer.json()["warehouse_id"]) == (device_id, here.id)
    elsewhere = await client.post(
        "/api/push/subscriptions",
        json=Browser.make(service, "x").subscription_json(warehouse_id=there.id),
        headers=bearer(token),
    )
    assert elsewhere.status_code == 403
    assert elsewhere.json()["code"] == "warehouse_out_of_scope"


def _bad_point() -> str:
    raw = bytearray(b"\x04" + b"\x01" * 64)
    return b64url(bytes(raw))


@pytest.mark.parametrize(
    ("change", "field"),
    [
        ({"endpoint": "ftp://push.example.com/x"}, "endpoint"),
        ({"endpoint": "http://push.example.com/x"}, "endpoint"),
        ({"endpoint": "https://10.1.2.3/push/x"}, "endpoint"),
        ({"endpoint": "https://user:pw@push.example.com/x"}, "endpoint"),
        ({"keys": {"p256dh": b64url(b"\x04" + b"\x00" * 31), "auth": b64url(b"a" * 16)}}, "keys.p256dh"),
        ({"keys": {"p256dh": _bad_point(), "auth": b64url(b"a" * 16)}}, "keys.p256dh"),
        ({"keys": {"p256dh": "not base64 at all!", "auth": b64url(b"a" * 16)}}, "keys.p256dh"),
        ({"keys": {"p256dh": None, "auth": b64url(b"a" * 8)}}, "keys.auth"),
        ({"keys": {"p256dh": None, "auth": "+/+/+/+/+/+/+/+/+/+/+w"}}, "keys"),
    ],
)
async def test_bad_subscriptions_are_refused_naming_the_field(
    client: Client, session_factory: Factory, service: PushService, change: dict[str, Any], field: str
) -> None:
    token = await _token(session_factory)
    body = Browser.make(service, "bad").subscription_json()
    if "keys" in change and change["keys"]["p256dh"] is None:
        change = {"keys": {**change["keys"], "p256dh": body["keys"]["p256dh"]}}
    answer = await client.post("/api/push/subscriptions", json={**body, **change}, headers=bearer(token))
    assert answer.status_code == 422, answer.text
    error = answer.json()
    assert (error["code"], error["field"]) == ("invalid_subscription", field)
    assert error["message"] and error["message_zh"]


async def test_malformed_subscription_json_is_refused(
    client: Client, session_factory: Factory, service: PushService
) -> None:
    token = await _token(session_factory)
    body = Browser.make(service, "bad").subscription_json()
    no_keys = await client.post("/api/push/subscriptions", json={"endpoint": body["endpoint"]}, headers=bearer(token))
    assert no_keys.status_code in (400, 422)
    assert no_keys.json()["field"] == "keys"
    typo = await client.post("/api/push/subscriptions", json={**body, "endpiont": "x"}, headers=bearer(token))
    assert typo.status_code in (400, 422)


async def test_quiet_hours_preferences(client: Client, session_factory: Factory) -> None:
    token = await _token(session_factory)
    assert (await client.get("/api/push/preferences", headers=bearer(token))).json() == {
        "quiet_start": None,
        "quiet_end": None,
        "timezone": "Asia/Shanghai",
        "quiet_now": False,
    }
    saved = await client.put(
        "/api/push/preferences", json={"quiet_start": "00:00", "quiet_end": "23:59"}, headers=bearer(token)
    )
    assert saved.status_code == 200
    assert saved.json()["quiet_now"] in (True, False)
    for body, field in (
        ({"quiet_start": "24:00", "quiet_end": "07:00"}, "quiet_start"),
        ({"quiet_start": "22:00"}, "quiet_end"),
        ({"quiet_start": "22:00", "quiet_end": "07:00", "timezone": "Mars/Olympus"}, "timezone"),
    ):
        refused = await client.put("/api/push/preferences", json=body, headers=bearer(token))
        assert refused.status_code == 422
        assert refused.json()["field"] == field
        assert refused.json()["message_zh"]


async def test_queue_notification_checks_its_arguments_and_dedupes(session_factory: Factory) -> None:
    ok: dict[str, Any] = {
        "kind": "urgent_order",
        "audience": Audience(roles=("supervisor",)),
        "title_en": "t",
        "title_zh": "t",
    }
    for bad, field in (
        ({"audience": Audience()}, "audience"),
        ({"urgency": "asap"}, "urgency"),
        ({"topic": "not a topic!"}, "topic"),
        ({"url": "https://evil.example.com"}, "url"),
        ({"title_en": "x" * 101}, "title_en"),
        ({"kind": "Urgent Order"}, "kind"),
        ({"ttl": -1}, "ttl"),
    ):
        async with session_factory() as s:
            with pytest.raises(ValidationFailed) as caught:
                await queue_notification(s, **{**ok, **bad})
        assert caught.value.field == field
        assert caught.value.message_zh
    async with session_factory() as s, s.begin():
        first = await queue_notification(s, **ok, dedupe_key="urgent_order:7")
        await s.flush()
        assert await queue_notification(s, **ok, dedupe_key="urgent_order:7") is first
    async with session_factory() as s, s.begin():
        again = await queue_notification(s, **ok, dedupe_key="urgent_order:7")
        assert again.id == first.id
        assert await s.scalar(select(func.count()).select_from(PushNotification)) == 1
