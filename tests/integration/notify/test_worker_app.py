"""The push worker as deployed: started by the app's lifespan only when asked, delivering on its own;
a damaged key keeps push off but the app up; ``cangku push deliver`` does one pass. SQLite and
PostgreSQL."""

from __future__ import annotations

import argparse
import asyncio
import logging
from dataclasses import replace

import pytest
from litestar.testing import AsyncTestClient
from sqlalchemy import update

from server.app import create_app
from server.cli import _push
from server.db.types import utcnow
from server.notify.models import VapidKey
from server.settings import Settings
from tests.factories import bearer
from tests.integration.notify.helpers import Client, Factory, queue, subscribed_phone
from tests.integration.notify.push_service import CONTACT, push_service, verify_vapid


async def test_the_app_runs_the_worker_when_asked(session_factory: Factory, settings: Settings) -> None:
    app = create_app(replace(settings, push_worker=True, push_interval_seconds=1, push_contact=CONTACT))
    with push_service() as service:
        async with AsyncTestClient(app=app) as client:
            phone = await subscribed_phone(client, session_factory, service, "live")
            key = (await client.get("/api/push/key", headers=bearer(phone.token))).json()["application_server_key"]
            await queue(session_factory, at=utcnow())
            for _ in range(100):
                if service.received:
                    break
                await asyncio.sleep(0.05)
        (push,) = service.received
    assert phone.browser.decrypt(push)["title"]["en"] == "Urgent order"
    verify_vapid(push, key, audience=service.origin)


async def test_a_damaged_key_keeps_push_off_and_the_app_up(session_factory: Factory, settings: Settings) -> None:
    async with AsyncTestClient(app=create_app(settings)) as client:
        with push_service() as service:
            phone = await subscribed_phone(client, session_factory, service, "x")
        assert (await client.get("/api/push/key", headers=bearer(phone.token))).status_code == 200
    async with session_factory() as s, s.begin():
        await s.execute(update(VapidKey).values(public_key="A" * 87))
    records: list[logging.LogRecord] = []

    class Keep(logging.Handler):  # not caplog: Litestar's logging setup replaces the root logger's handlers
        def emit(self, record: logging.LogRecord) -> None:
            records.append(record)

    handler = Keep(logging.ERROR)
    logging.getLogger("cangku.notify").addHandler(handler)
    try:
        async with AsyncTestClient(app=create_app(replace(settings, push_worker=True))) as client:
            assert (await client.get("/api/health")).status_code == 200
    finally:
        logging.getLogger("cangku.notify").removeHandler(handler)
    assert any("push notifications are OFF" in r.getMessage() and "reset-key" in r.getMessage() for r in records)
    code = await _push(argparse.Namespace(action="deliver", yes=False), settings)
    assert code == 2


async def test_cangku_push_deliver_does_one_pass(
    client: Client, session_factory: Factory, settings: Settings, capsys: pytest.CaptureFixture[str]
) -> None:
    with push_service() as service:
        phone = await subscribed_phone(client, session_factory, service, "cli")
        await queue(session_factory, 3, at=utcnow())
        code = await _push(argparse.Namespace(action="deliver", yes=False), replace(settings, push_contact=CONTACT))
    assert code == 0
    assert "fanned out 3, composed 1, sent 1" in capsys.readouterr().out
    (push,) = service.received
    assert phone.browser.decrypt(push)["count"] == 3
    assert await _push(argparse.Namespace(action="reset-key", yes=False), settings) == 2
    assert await _push(argparse.Namespace(action="reset-key", yes=True), settings) == 0
    assert "1 subscriptions dropped" in capsys.readouterr().out
