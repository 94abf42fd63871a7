"""Delivering the channel outbox: sent once, retried with backoff, dead after ten tries, and never lost
when a worker dies mid-call or two workers run at once."""

from __future__ import annotations

import asyncio
from datetime import timedelta

import pytest

from server.fulfilment.shipping.models import ChannelOutbox, OutboxKind, OutboxStatus
from server.fulfilment.shipping.outbox import (
    LEASE,
    MAX_ATTEMPTS,
    DeliveryReport,
    PermanentFailure,
    deliver_due,
    enqueue,
    retry_delay,
)
from server.orders.adapters.base import OutboundCall
from server.orders.models import Channel
from tests.integration.shipping.helpers import T0, Factory, outbox_rows

SECOND = timedelta(seconds=1)


def _call(i: int) -> OutboundCall:
    return OutboundCall(platform="taobao", method="taobao.logistics.offline.send", params={"tid": f"T{i}"})


async def _queue(factory: Factory, n: int = 1) -> list[int]:
    async with factory() as s, s.begin():
        channel = Channel(code="TMALL", name="天猫店", platform="taobao")
        s.add(channel)
        await s.flush()
        rows = [
            enqueue(s, channel.id, OutboxKind.shipment_confirmation, _call(i), reference=f"test:{i}", now=T0)
            for i in range(n)
        ]
        await s.flush()
        return [r.id for r in rows]


class Recorder:
    """A sender that fails the first ``failures`` calls (or for good), then records what it sent."""

    def __init__(self, failures: int = 0, error: BaseException | None = None, delay: float = 0) -> None:
        self.failures = failures
        self.error = error or ConnectionError("platform timed out")
        self.delay = delay
        self.sent: list[str] = []

    async def __call__(self, call: OutboundCall) -> None:
        if self.delay:
            await asyncio.sleep(self.delay)
        if self.failures:
            self.failures -= 1
            raise self.error
        self.sent.append(call.params["tid"])


def test_retry_delay_doubles_from_one_minute_up_to_six_hours() -> None:
    assert [retry_delay(n) for n in range(1, 12)] == [
        timedelta(minutes=m) for m in (1, 2, 4, 8, 16, 32, 64, 128, 256, 360, 360)
    ]


async def test_a_due_row_is_sent_once(session_factory: Factory) -> None:
    [row_id] = await _queue(session_factory)
    sender = Recorder()

    assert await deliver_due(session_factory, sender, T0 - SECOND) == DeliveryReport()
    assert await deliver_due(session_factory, sender, T0) == DeliveryReport(sent=[row_id])
    assert await deliver_due(session_factory, sender, T0 + timedelta(days=1)) == DeliveryReport()

    assert sender.sent == ["T0"]
    [row] = await outbox_rows(session_factory)
    assert (row.status, row.attempts, row.sent_at, row.last_error) == (OutboxStatus.sent, 1, T0, "")


async def test_failures_back_off_and_the_tenth_is_dead(session_factory: Factory) -> None:
    [row_id] = await _queue(session_factory)
    sender = Recorder(failures=100)
    now = T0
    schedule: list[tuple[int, OutboxStatus, timedelta]] = []
    for attempt in range(1, MAX_ATTEMPTS + 1):
        report = await deliver_due(session_factory, sender, now)
        [row] = await outbox_rows(session_factory)
        if attempt < MAX_ATTEMPTS:
            assert report == DeliveryReport(retrying=[row_id])
            schedule.append((row.attempts, row.status, row.next_attempt_at - now))
            assert await deliver_due(session_factory, sender, row.next_attempt_at - SECOND) == DeliveryReport()
            now = row.next_attempt_at
        else:
            assert report == DeliveryReport(dead=[row_id])

    assert schedule == [
        (n, OutboxStatus.failed, timedelta(minutes=m)) for n, m in enumerate((1, 2, 4, 8, 16, 32, 64, 128, 256), 1)
    ]
    [row] = await outbox_rows(session_factory)
    assert (row.status, row.attempts, row.sent_at) == (OutboxStatus.dead, 10, None)
    assert row.last_error == "ConnectionError: platform timed out"
    assert await deliver_due(session_factory, sender, now + timedelta(days=30)) == DeliveryReport()
    assert sender.sent == []


async def test_a_row_that_fails_twice_is_sent_on_the_third_try(session_factory: Factory) -> None:
    [row_id] = await _queue(session_factory)
    sender = Recorder(failures=2)
    await deliver_due(session_factory, sender, T0)
    await deliver_due(session_factory, sender, T0 + timedelta(minutes=1))
    report = await deliver_due(session_factory, sender, T0 + timedelta(minutes=3))
    assert report == DeliveryReport(sent=[row_id])
    [row] = await outbox_rows(session_factory)
    assert (row.status, row.attempts, row.sent_at, row.last_error) == (
        OutboxStatus.sent,
        3,
        T0 + timedelta(minutes=3),
        "",
    )


async def test_a_permanent_refusal_is_dead_at_once(session_factory: Factory) -> None:
    [row_id] = await _queue(session_factory)
    sender = Recorder(failures=1, error=PermanentFailure("isv.logistics-offline-service-error:B04 order closed"))
    assert await deliver_due(session_factory, sender, T0) == DeliveryReport(dead=[row_id])
    [row] = await outbox_rows(session_factory)
    assert (row.status, row.attempts) == (OutboxStatus.dead, 1)
    assert row.last_error == "PermanentFailure: isv.logistics-offline-service-error:B04 order closed"


async def test_a_row_whose_payload_is_no_call_is_dead_at_once(session_factory: Factory) -> None:
    [row_id] = await _queue(session_factory)
    async with session_factory() as s, s.begin():
        row = await s.get(ChannelOutbox, row_id)
        assert row is not None
        row.payload = {"platform": "taobao"}
    sender = Recorder()
    assert await deliver_due(session_factory, sender, T0) == DeliveryReport(dead=[row_id])
    [row] = await outbox_rows(session_factory)
    assert row.last_error == "ValidationError: Object missing required field `method`"
    assert sender.sent == []


class Crash(BaseException):
    """The worker process dying mid-call (not an ``Exception``: nothing may catch it)."""


async def test_a_worker_dying_mid_call_loses_nothing(session_factory: Factory) -> None:
    [row_id] = await _queue(session_factory)
    sender = Recorder(failures=1, error=Crash())

    with pytest.raises(Crash):
        await deliver_due(session_factory, sender, T0)

    [row] = await outbox_rows(session_factory)
    assert (row.status, row.attempts, row.next_attempt_at) == (OutboxStatus.pending, 1, T0 + LEASE)
    assert await deliver_due(session_factory, sender, T0 + LEASE - SECOND) == DeliveryReport()
    assert await deliver_due(session_factory, sender, T0 + LEASE) == DeliveryReport(sent=[row_id])
    assert sender.sent == ["T0"]


async def test_concurrent_workers_send_every_row_exactly_once(session_factory: Factory) -> None:
    ids = await _queue(session_factory, 12)
    sender = Recorder(delay=0.01)

    reports = await asyncio.gather(*(deliver_due(session_factory, sender, T0, limit=4) for _ in range(3)))

    assert sorted(i for r in reports for i in r.sent) == ids
    assert sorted(sender.sent) == sorted(f"T{i}" for i in range(12))
    assert {(r.status, r.attempts) for r in await outbox_rows(session_factory)} == {(OutboxStatus.sent, 1)}
