"""Web Push end to end on loopback: a notification queued in a transaction reaches a fake push
service encrypted for the subscriber and signed with the served VAPID key; the push service's
answers drive retries (503, 429 + Retry-After, no answer), removal (404, 410) and giving up.
On SQLite and PostgreSQL."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import UTC, datetime, timedelta

import pytest
from sqlalchemy import func, select

from server.notify.delivery import MAX_ATTEMPTS, retry_after, retry_delay
from server.notify.models import MessageStatus, PushMessage, PushNotification, PushSubscription
from server.notify.outbox import Audience, queue_notification
from server.notify.worker import prune
from tests.factories import bearer
from tests.integration.notify.helpers import T0, Client, Factory, messages, queue, subscribed_phone
from tests.integration.notify.push_service import Browser, PushService, push_service, push_worker, verify_vapid


@pytest.fixture
def service() -> Iterator[PushService]:
    with push_service() as s:
        yield s


async def test_a_queued_notification_arrives_encrypted_signed_and_with_its_headers(
    client: Client, session_factory: Factory
) -> None:
    with push_service() as one, push_service() as two:
        phone = await subscribed_phone(client, session_factory, one, "phone-a")
        other = await subscribed_phone(client, session_factory, two, "phone-b")
        key = (await client.get("/api/push/key", headers=bearer(phone.token))).json()["application_server_key"]
        async with session_factory() as s, s.begin():
            await queue_notification(
                s,
                kind="urgent_order",
                audience=Audience(roles=("supervisor",)),
                title_en="Urgent order TB-1001",
                title_zh="加急订单 TB-1001",
                body_en="VIP buyer; carrier pickup at 17:00",
                body_zh="VIP 买家；快递 17:00 揽收",
                url="/orders/1001",
                urgency="high",
                topic="urgent-orders",
                ttl=900,
                now=T0,
            )

        async def change_that_fails() -> None:
            async with session_factory() as s, s.begin():
                await queue_notification(
                    s, kind="urgent_order", audience=Audience(roles=("supervisor",)), title_en="x", title_zh="x"
                )
                raise RuntimeError

        with pytest.raises(RuntimeError):  # a change that rolls back takes its notification with it
            await change_that_fails()

        async with push_worker(session_factory) as worker:
            report = await worker.run_once(T0)
            assert report.fanned_out == 1
            assert len(report.delivery.sent) == 2
            assert (await worker.run_once(T0 + timedelta(minutes=5))).delivery.handled == 0

    for service, browser in ((one, phone.browser), (two, other.browser)):
        (push,) = service.received
        assert browser.decrypt(push) == {
            "kind": "urgent_order",
            "title": {"en": "Urgent order TB-1001", "zh": "加急订单 TB-1001"},
            "body": {"en": "VIP buyer; carrier pickup at 17:00", "zh": "VIP 买家；快递 17:00 揽收"},
            "url": "/orders/1001",
            "tag": "urgent-orders",
            "at": "2026-12-01T02:00:00Z",
            "count": 1,
            "urgency": "high",
        }
        # each push service sees its own origin as the audience: the claims are not shared between calls
        verify_vapid(push, key, audience=service.origin)
        assert push.headers["ttl"] == "900"
        assert push.headers["urgency"] == "high"
        assert push.headers["topic"] == "urgent-orders"
    async with session_factory() as s:
        assert await s.scalar(select(func.count()).select_from(PushNotification)) == 1
        subscription = await s.scalar(select(PushSubscription).where(PushSubscription.user_id == phone.user_id))
        assert subscription is not None and subscription.last_sent_at == T0


async def test_503_is_retried_with_backoff_and_sent_exactly_once(
    client: Client, session_factory: Factory, service: PushService
) -> None:
    phone = await subscribed_phone(client, session_factory, service, "busy")
    service.script("busy", (503, {}), (503, {}))
    await queue(session_factory)
    schedule: list[datetime] = []
    async with push_worker(session_factory) as worker:
        now = T0
        for _ in range(6):
            await worker.run_once(now)
            (message,) = await messages(session_factory)
            if message.status is MessageStatus.sent:
                break
            assert message.status is MessageStatus.failed
            assert message.last_status == 503
            schedule.append(message.next_attempt_at)
            assert (await worker.run_once(message.next_attempt_at - timedelta(seconds=1))).delivery.handled == 0
            now = message.next_attempt_at
        assert (await worker.run_once(now + timedelta(hours=1))).delivery.handled == 0
    assert schedule == [T0 + timedelta(seconds=30), T0 + timedelta(seconds=90)]
    (message,) = await messages(session_factory)
    assert (message.status, message.attempts, message.sent_at) == (MessageStatus.sent, 3, T0 + timedelta(seconds=90))
    pushes = service.to("busy")
    assert len(pushes) == 3
    payloads = [phone.browser.decrypt(p) for p in pushes]
    assert payloads[0] == payloads[1] == payloads[2]  # a retry resends the same message, never a new one


async def test_429_waits_as_long_as_retry_after_says(
    client: Client, session_factory: Factory, service: PushService
) -> None:
    await subscribed_phone(client, session_factory, service, "throttled")
    service.script("throttled", (429, {"Retry-After": "120"}))
    await queue(session_factory)
    async with push_worker(session_factory) as worker:
        assert len((await worker.run_once(T0)).delivery.retrying) == 1
        (message,) = await messages(session_factory)
        assert (message.last_status, message.next_attempt_at) == (429, T0 + timedelta(seconds=120))
        assert (await worker.run_once(T0 + timedelta(seconds=119))).delivery.handled == 0
        assert len((await worker.run_once(T0 + timedelta(seconds=120))).delivery.sent) == 1
    assert len(service.to("throttled")) == 2


async def test_404_and_410_delete_the_subscription(
    client: Client, session_factory: Factory, service: PushService
) -> None:
    gone = await subscribed_phone(client, session_factory, service, "gone")
    expired = await subscribed_phone(client, session_factory, service, "expired")
    kept = await subscribed_phone(client, session_factory, service, "kept")
    service.script("gone", (410, {}))
    service.script("expired", (404, {}))
    await queue(session_factory)
    async with push_worker(session_factory) as worker:
        report = (await worker.run_once(T0)).delivery
        assert len(report.gone) == 2 and len(report.sent) == 1
        async with session_factory() as s:
            left = (await s.execute(select(PushSubscription.id, PushSubscription.user_id))).all()
        assert [user_id for _, user_id in left] == [kept.user_id]
        # the gone subscriptions' messages went with them
        assert [m.subscription_id for m in await messages(session_factory)] == [left[0][0]]
        await queue(session_factory, at=T0 + timedelta(minutes=5), title_en="Another", title_zh="又一个")
        await worker.run_once(T0 + timedelta(minutes=5))
    assert len(service.to("gone")) == len(service.to("expired")) == 1  # never tried again
    assert len(service.to("kept")) == 2
    assert gone.user_id != expired.user_id


async def test_no_answer_is_retried_and_other_refusals_die_at_once(
    client: Client, session_factory: Factory, service: PushService
) -> None:
    phone = await subscribed_phone(client, session_factory, service, "refused")
    service.script("refused", (400, {}))
    closed = Browser.make(service, "nowhere")
    closed.endpoint = "http://127.0.0.1:9/push/nowhere"  # the discard port: nothing listens
    answer = await client.post("/api/push/subscriptions", json=closed.subscription_json(), headers=bearer(phone.token))
    assert answer.status_code == 201
    await queue(session_factory)
    async with push_worker(session_factory) as worker:
        report = (await worker.run_once(T0)).delivery
    assert len(report.dead) == 1 and len(report.retrying) == 1
    by_status = {m.status: m for m in await messages(session_factory)}
    assert by_status[MessageStatus.dead].last_status == 400
    unreachable = by_status[MessageStatus.failed]
    assert unreachable.last_status is None
    assert unreachable.last_error
    assert unreachable.next_attempt_at == T0 + timedelta(seconds=30)


async def test_a_message_dies_after_the_last_attempt(
    client: Client, session_factory: Factory, service: PushService
) -> None:
    await subscribed_phone(client, session_factory, service, "down")
    service.script("down", *[(502, {})] * MAX_ATTEMPTS)
    await queue(session_factory)
    now = T0
    async with push_worker(session_factory) as worker:
        for _ in range(MAX_ATTEMPTS):
            await worker.run_once(now)
            (message,) = await messages(session_factory)
            now = message.next_attempt_at
    (message,) = await messages(session_factory)
    assert (message.status, message.attempts, message.last_status) == (MessageStatus.dead, MAX_ATTEMPTS, 502)
    assert len(service.to("down")) == MAX_ATTEMPTS


def test_backoff_and_retry_after_parsing() -> None:
    assert [retry_delay(n).total_seconds() for n in range(1, 9)] == [30, 60, 120, 240, 480, 960, 1800, 1800]
    now = datetime(2026, 12, 1, 2, 0, tzinfo=UTC)
    assert retry_after("90", now) == timedelta(seconds=90)
    assert retry_after("Tue, 01 Dec 2026 02:05:00 GMT", now) == timedelta(minutes=5)
    assert retry_after("0", now) == timedelta(seconds=1)
    assert retry_after("999999", now) == timedelta(hours=6)
    assert retry_after("soon", now) is None
    assert retry_after(None, now) is None


async def test_message_rows_record_what_was_sent(
    client: Client, session_factory: Factory, service: PushService
) -> None:
    await subscribed_phone(client, session_factory, service, "rec")
    await queue(session_factory)
    async with push_worker(session_factory) as worker:
        await worker.run_once(T0)
    async with session_factory() as s:
        message = (await s.scalars(select(PushMessage))).one()
    assert (message.kind, message.count, message.urgency.value, message.ttl, message.topic) == (
        "urgent_order",
        1,
        "high",
        600,
        "urgent_order",
    )


async def test_finished_work_is_pruned_after_a_week(
    client: Client, session_factory: Factory, service: PushService
) -> None:
    phone = await subscribed_phone(client, session_factory, service, "old")
    answer = await client.put(
        "/api/push/preferences", json={"quiet_start": "00:00", "quiet_end": "23:59"}, headers=bearer(phone.token)
    )
    assert answer.status_code == 200
    await queue(session_factory, critical=True)  # goes out through quiet hours
    await queue(session_factory, kind="daily_report")  # held: quiet almost all day
    async with push_worker(session_factory) as worker:
        assert len((await worker.run_once(T0)).delivery.sent) == 1
    await prune(session_factory, T0 + timedelta(days=8))
    async with session_factory() as s:
        assert await s.scalar(select(func.count()).select_from(PushMessage)) == 0
        left = (await s.scalars(select(PushNotification.kind))).all()
    assert left == ["daily_report"]  # still waiting for its phone
