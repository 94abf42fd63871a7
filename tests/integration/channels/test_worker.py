"""The outbox worker for real: a shipment confirmation written by the shipping flow reaches a fake
Taobao on 127.0.0.1, signed with the channel's own credentials; a failing row does not stop the
loop; the app starts the worker only when asked and stops it cleanly; ``cangku outbox deliver``
does one pass. On SQLite and PostgreSQL."""

from __future__ import annotations

import asyncio
import hashlib
import logging
from collections.abc import Iterator
from dataclasses import replace
from datetime import timedelta
from typing import Any

import httpx
import pytest
from litestar.testing import AsyncTestClient
from sqlalchemy import update

from server.channels import worker as worker_module
from server.channels.models import ChannelCredentials
from server.channels.senders.registry import ChannelDispatcher
from server.channels.worker import BATCH, OutboxWorker
from server.cli import _outbox
from server.db.types import utcnow
from server.fulfilment.shipping import service
from server.fulfilment.shipping.models import ChannelOutbox, OutboxKind, OutboxStatus
from server.fulfilment.shipping.outbox import enqueue
from server.orders.adapters.pdd import PddAdapter
from server.orders.adapters.taobao_top import TaobaoTopAdapter
from server.orders.models import Channel
from server.settings import Settings
from tests.integration.channels.platform_server import Platform, platform_server
from tests.integration.shipping.helpers import Factory, make_packed_order, outbox_rows

SECRET = "top-secret-0123456789"
SESSION = "6102a-session-key-abcdef"
OK = {"logistics_offline_send_response": {"shipping": {"is_success": True}}}


@pytest.fixture
def platform() -> Iterator[Platform]:
    with platform_server() as p:
        p.answers((200, OK))
        yield p


async def _shipped_taobao_order(factory: Factory, base_url: str) -> tuple[int, str]:
    """A parcel shipped through the real flow; the shop's keys point at the fake Taobao."""
    async with factory() as s, s.begin():
        packed = await make_packed_order(s)
        s.add(
            ChannelCredentials(
                channel_id=packed.channel_id,
                document={
                    "app_key": "23456789",
                    "app_secret": SECRET,
                    "session": SESSION,
                    "base_url": base_url + "/router",
                },
            )
        )
        created = await service.create_shipment(s, await service.get_order(s, packed.order_id), None)
    async with factory() as s, s.begin():
        await service.ship(s, created, None)
    return packed.channel_id, packed.order_no


async def _refusing_pdd_row(factory: Factory, base_url: str) -> int:
    """An earlier row whose platform refuses it for good."""
    async with factory() as s, s.begin():
        channel = Channel(code="PDD1", name="拼多多店", platform="pdd")
        s.add(channel)
        await s.flush()
        s.add(
            ChannelCredentials(
                channel_id=channel.id,
                document={"client_id": "c", "client_secret": "pdd-secret-xyz", "access_token": "pdd-token-xyz",
                          "base_url": base_url + "/pdd"},
            )
        )  # fmt: skip
        call = PddAdapter().shipment_confirmation("240101-1", "101", "YT1", [])
        row = enqueue(s, channel.id, OutboxKind.shipment_confirmation, call, now=utcnow() - timedelta(minutes=1))
        await s.flush()
        return row.id


def _answer(seen: Any) -> tuple[int, Any]:
    if seen.path == "/pdd":
        return 200, {"error_response": {"error_code": 10019, "error_msg": "access_token已过期"}}
    return 200, OK


async def _until(predicate: Any, seconds: float = 10.0) -> None:
    for _ in range(int(seconds / 0.05)):
        if await predicate():
            return
        await asyncio.sleep(0.05)
    raise AssertionError("the worker did not get there in time")


async def test_the_worker_delivers_a_shipment_confirmation_and_survives_a_failing_row(
    session_factory: Factory, platform: Platform, caplog: pytest.LogCaptureFixture
) -> None:
    caplog.set_level(logging.INFO)
    for name in ("cangku", "httpx", "httpcore"):  # not the database driver's DEBUG: it prints every parameter
        caplog.set_level(logging.DEBUG, logger=name)
    platform.answer = _answer
    dead_id = await _refusing_pdd_row(session_factory, platform.url)
    channel_id, order_no = await _shipped_taobao_order(session_factory, platform.url)

    async with httpx.AsyncClient(timeout=5) as http:
        worker = OutboxWorker(session_factory, ChannelDispatcher(session_factory, http), every=0.05, publish_every=0)
        worker.start()

        async def settled() -> bool:
            return all(r.status in (OutboxStatus.sent, OutboxStatus.dead) for r in await outbox_rows(session_factory))

        await _until(settled)
        await worker.stop()

    dead, sent = await outbox_rows(session_factory)
    assert (dead.id, dead.status, dead.attempts) == (dead_id, OutboxStatus.dead, 1)
    assert dead.last_error == "PermanentFailure: pdd pdd.logistics.online.send: 10019 access_token已过期"
    assert (sent.channel_id, sent.status, sent.attempts, sent.last_error) == (channel_id, OutboxStatus.sent, 1, "")
    [taobao] = [seen for seen in platform.seen if seen.path == "/router"]
    form = taobao.form
    assert (form["method"], form["tid"], form["session"], form["app_key"]) == (
        "taobao.logistics.offline.send",
        order_no,
        SESSION,
        "23456789",
    )
    text = "".join(k + v for k, v in sorted(form.items()) if k != "sign")
    assert form["sign"] == hashlib.md5((SECRET + text + SECRET).encode()).hexdigest().upper()
    assert worker.passes >= 1
    for secret in (SECRET, SESSION, "pdd-secret-xyz", "pdd-token-xyz"):
        assert secret not in caplog.text
    assert order_no not in caplog.text  # no order data in the logs either, only row ids
    assert f"outbox row {sent.id} (channel {channel_id}, taobao taobao.logistics.offline.send) sent" in caplog.text


async def test_a_failing_pass_does_not_stop_the_loop(
    session_factory: Factory, platform: Platform, monkeypatch: pytest.MonkeyPatch
) -> None:
    calls = 0

    async def broken_publish(*_args: Any) -> list[Any]:
        nonlocal calls
        calls += 1
        raise RuntimeError("database went away")

    monkeypatch.setattr(worker_module, "publish_all", broken_publish)
    async with httpx.AsyncClient(timeout=5) as http:
        worker = OutboxWorker(session_factory, ChannelDispatcher(session_factory, http), every=0.05, publish_every=0.01)
        worker.start()
        await _until(lambda: _true_after(lambda: calls >= 2))
        await _shipped_taobao_order(session_factory, platform.url)  # arrives after the failures

        async def sent() -> bool:
            return [r.status for r in await outbox_rows(session_factory)] == [OutboxStatus.sent]

        await _until(sent)
        await worker.stop()
    assert worker._task is None


async def _true_after(check: Any) -> bool:
    return bool(check())


async def test_a_row_waiting_for_credentials_goes_once_they_are_saved(
    session_factory: Factory, platform: Platform, client: AsyncTestClient[Any]
) -> None:
    from server.auth.models import Role
    from tests.factories import bearer, make_user

    channel_id, _ = await _shipped_taobao_order(session_factory, platform.url)
    async with session_factory() as s, s.begin():
        await s.execute(update(ChannelCredentials).values(document={"app_key": "23456789", "base_url": platform.url}))
        manager = bearer((await make_user(s, [Role.manager], all_warehouses=True))[1])
    async with httpx.AsyncClient(timeout=5) as http:
        worker = OutboxWorker(session_factory, ChannelDispatcher(session_factory, http), publish_every=0)
        report = await worker.run_once()
        [row] = await outbox_rows(session_factory)
        assert (report.retrying, row.status) == ([row.id], OutboxStatus.failed)
        assert row.last_error.startswith("CredentialsMissing: channel")
        assert row.next_attempt_at > utcnow() + timedelta(seconds=30)

        saved = await client.put(
            f"/api/channels/{channel_id}/credentials",
            json={"app_secret": SECRET, "session": SESSION},
            headers=manager,
        )
        assert saved.status_code == 200, saved.text
        assert (await worker.run_once()).sent == [row.id]
    assert platform.seen[-1].form["session"] == SESSION


async def test_the_app_runs_the_worker_only_when_asked(
    session_factory: Factory, settings: Settings, platform: Platform
) -> None:
    from server.app import create_app

    await _shipped_taobao_order(session_factory, platform.url)
    async with AsyncTestClient(app=create_app(settings)):  # the suite's settings: no worker
        await asyncio.sleep(0.3)
    [row] = await outbox_rows(session_factory)
    assert row.status is OutboxStatus.pending

    app = create_app(replace(settings, outbox_worker=True, outbox_interval_seconds=1, stock_publish_interval_seconds=0))
    async with AsyncTestClient(app=app):

        async def sent() -> bool:
            return [r.status for r in await outbox_rows(session_factory)] == [OutboxStatus.sent]

        await _until(sent)
    assert len(platform.seen) == 1


async def test_cangku_outbox_deliver_does_one_pass(
    session_factory: Factory, settings: Settings, platform: Platform
) -> None:
    channel_id, _ = await _shipped_taobao_order(session_factory, platform.url)
    async with session_factory() as s, s.begin():  # more than one batch in all
        for n in range(BATCH + 2):
            call = TaobaoTopAdapter().shipment_confirmation(f"40{n}", "YTO", f"YT{n}", [])
            enqueue(s, channel_id, OutboxKind.shipment_confirmation, call)
    assert await _outbox("deliver", settings) == 0
    assert {r.status for r in await outbox_rows(session_factory)} == {OutboxStatus.sent}
    assert len(platform.seen) == BATCH + 3

    async with session_factory() as s, s.begin():
        await s.execute(update(ChannelOutbox).values(status=OutboxStatus.pending, next_attempt_at=utcnow()))
    platform.answers((200, {"error_response": {"code": 27, "msg": "Invalid session"}}))
    assert await _outbox("deliver", settings) == 1  # a row died: the exit code says so
