"""The channel-integration endpoints: write-only credentials (a GET never shows a secret), listings
(商品对应) one by one and from CSV (all rows or none), and the channel's outbox rows with a retry for
dead ones; and who may do what. On SQLite and PostgreSQL."""

from __future__ import annotations

from typing import Any

from litestar import Litestar
from litestar.testing import AsyncTestClient

from server.auth.models import Role
from server.fulfilment.shipping.models import ChannelOutbox, OutboxKind, OutboxStatus
from server.fulfilment.shipping.outbox import enqueue
from server.orders.adapters.taobao_top import TaobaoTopAdapter
from server.orders.models import Channel
from tests.factories import bearer, make_sku, make_user
from tests.integration.shipping.helpers import Factory, outbox_rows

Client = AsyncTestClient[Litestar]
SECRET = "APP-SECRET-5f4e3d2c1b"
SESSION = "SESSION-KEY-a1b2c3d4e5"


async def _world(factory: Factory, platform: str = "taobao") -> tuple[int, dict[str, dict[str, str]]]:
    async with factory() as s, s.begin():
        channel = Channel(code="SHOP1", name="店铺", platform=platform)
        s.add(channel)
        await make_sku(s, code="TS-BLK-M")
        await make_sku(s, code="TS-WHT-L")
        await s.flush()
        headers = {
            role.value: bearer((await make_user(s, [role], all_warehouses=True))[1])
            for role in (Role.manager, Role.admin, Role.finance, Role.packer)
        }
        return channel.id, headers


async def test_credentials_are_write_only(client: Client, session_factory: Factory) -> None:
    channel_id, who = await _world(session_factory)
    url = f"/api/channels/{channel_id}/credentials"

    empty = (await client.get(url, headers=who["finance"])).json()
    assert (empty["complete"], empty["missing"], empty["updated_at"]) == (
        False,
        ["app_key", "app_secret", "session"],
        None,
    )

    saved = await client.put(
        url,
        json={"app_key": "23456789", "app_secret": SECRET, "session": SESSION, "carrier_codes": {"SF": "SF"}},
        headers=who["manager"],
    )
    assert saved.status_code == 200, saved.text
    shown = await client.get(url, headers=who["finance"])
    for response in (saved, shown):
        assert SECRET not in response.text
        assert SESSION not in response.text
        body = response.json()
        assert (body["complete"], body["missing"], body["carrier_codes"]) == (True, [], {"SF": "SF"})
        keys = {k["name"]: (k["set"], k["value"], k["secret"]) for k in body["keys"]}
        assert keys == {
            "app_key": (True, "23456789", False),
            "app_secret": (True, None, True),
            "session": (True, None, True),
            "sign_method": (False, None, False),
            "base_url": (False, None, False),
        }
    assert SECRET not in (await client.get("/api/channels", headers=who["manager"])).text

    rotated = await client.put(url, json={"session": None, "sign_method": "hmac-sha256"}, headers=who["admin"])
    assert rotated.status_code == 200, rotated.text
    body = rotated.json()
    assert (body["complete"], body["missing"]) == (False, ["session"])
    assert {k["name"]: k["set"] for k in body["keys"]}["app_secret"] is True  # left out: kept


async def test_bad_credentials_are_refused_naming_the_field(client: Client, session_factory: Factory) -> None:
    channel_id, who = await _world(session_factory)
    url = f"/api/channels/{channel_id}/credentials"
    for payload, field in (
        ({"client_id": "x"}, "client_id"),  # a PDD key on a Taobao shop
        ({"sign_method": "sha1"}, "sign_method"),
        ({"base_url": "ftp://gw.example.com"}, "base_url"),
        ({"base_url": "https://gw.example.com/rest?session=leak"}, "base_url"),
    ):
        refused = await client.put(url, json=payload, headers=who["manager"])
        assert refused.status_code == 422, (payload, refused.text)
        assert refused.json()["field"] == field
        assert refused.json()["message_zh"]
    assert (await client.put(url, json={"nonsense": "1"}, headers=who["manager"])).status_code in (400, 422)
    assert (await client.get(url, headers=who["manager"])).json()["missing"] == ["app_key", "app_secret", "session"]

    assert (await client.put(url, json={"app_key": "k"}, headers=who["finance"])).status_code == 403
    assert (await client.get(url, headers=who["packer"])).status_code == 403
    assert (await client.get("/api/channels/999999/credentials", headers=who["manager"])).status_code == 404

    async with session_factory() as s, s.begin():
        files = Channel(code="CSV1", name="线下", platform="csv")
        s.add(files)
        await s.flush()
    no_api = await client.put(f"/api/channels/{files.id}/credentials", json={"app_key": "k"}, headers=who["manager"])
    assert (no_api.status_code, no_api.json()["code"]) == (409, "no_platform_api")


async def test_listings_one_by_one(client: Client, session_factory: Factory) -> None:
    channel_id, who = await _world(session_factory)
    url = f"/api/channels/{channel_id}/listings"
    created = await client.post(
        url, json={"platform_sku_id": "5001/6001", "sku_code": "TS-BLK-M"}, headers=who["manager"]
    )
    assert created.status_code == 200, created.text
    changed = await client.post(
        url, json={"platform_sku_id": "5001/6001", "sku_code": "TS-WHT-L", "active": False}, headers=who["manager"]
    )
    assert (changed.json()["id"], changed.json()["sku_code"], changed.json()["active"]) == (
        created.json()["id"],
        "TS-WHT-L",
        False,
    )
    unknown = await client.post(url, json={"platform_sku_id": "9", "sku_code": "NOPE"}, headers=who["manager"])
    assert (unknown.status_code, unknown.json()["field"]) == (422, "sku_code")
    assert (
        await client.post(url, json={"platform_sku_id": "9", "sku_code": "TS-BLK-M"}, headers=who["finance"])
    ).status_code == 403

    page = (await client.get(url, headers=who["finance"])).json()
    assert (page["total"], [(i["platform_sku_id"], i["sku_code"], i["active"]) for i in page["items"]]) == (
        1,
        [("5001/6001", "TS-WHT-L", False)],
    )
    gone = await client.delete(f"{url}/{created.json()['id']}", headers=who["manager"])
    assert gone.status_code == 204
    assert (await client.get(url, headers=who["finance"])).json()["total"] == 0
    assert (await client.delete(f"{url}/{created.json()['id']}", headers=who["manager"])).status_code == 404


async def test_listings_from_csv_all_or_nothing(client: Client, session_factory: Factory) -> None:
    channel_id, who = await _world(session_factory)
    url = f"/api/channels/{channel_id}/listings"
    bad = "平台SKU ID,商品编码,启用\n5001/6001,TS-BLK-M,是\n5002/6002,NOPE,是\n5001/6001,TS-WHT-L,maybe\n".encode(
        "gb18030"
    )
    refused = await client.post(f"{url}/import", content=bad, headers={**who["manager"], "Content-Type": "text/csv"})
    assert refused.status_code == 422, refused.text
    errors = [(e["row"], e["field"]) for e in refused.json()["detail"]["errors"]]
    assert sorted(errors) == [(3, "sku_code"), (4, "active"), (4, "platform_sku_id")]
    assert (await client.get(url, headers=who["manager"])).json()["total"] == 0  # nothing written

    good = "\ufeffplatform_sku_id,sku_code,active\n5001/6001,TS-BLK-M,\n5002/6002,TS-WHT-L,no\n\n".encode()
    imported = await client.post(f"{url}/import", content=good, headers={**who["manager"], "Content-Type": "text/csv"})
    assert imported.status_code == 200, imported.text
    assert imported.json() == {"created": 2, "updated": 0, "unchanged": 0}
    again = await client.post(f"{url}/import", content=good, headers={**who["manager"], "Content-Type": "text/csv"})
    assert again.json() == {"created": 0, "updated": 0, "unchanged": 2}
    page = (await client.get(url, headers=who["manager"])).json()
    assert [(i["platform_sku_id"], i["sku_code"], i["active"]) for i in page["items"]] == [
        ("5001/6001", "TS-BLK-M", True),
        ("5002/6002", "TS-WHT-L", False),
    ]
    headless = await client.post(f"{url}/import", content=b"a,b\n1,2\n", headers=who["manager"])
    assert {e["field"] for e in headless.json()["detail"]["errors"]} == {"platform_sku_id", "sku_code"}


async def test_the_outbox_list_and_retrying_dead_rows(client: Client, session_factory: Factory) -> None:
    channel_id, who = await _world(session_factory)
    async with session_factory() as s, s.begin():
        other = Channel(code="SHOP2", name="别的店", platform="taobao")
        s.add(other)
        await s.flush()
        rows: list[Any] = []
        for n, (owner, status) in enumerate(
            ((channel_id, OutboxStatus.dead), (channel_id, OutboxStatus.sent), (other.id, OutboxStatus.dead))
        ):
            row = enqueue(
                s,
                owner,
                OutboxKind.shipment_confirmation,
                TaobaoTopAdapter().shipment_confirmation(f"T{n}", "SF", "W", []),
            )
            row.status, row.attempts, row.last_error = status, 10, "PermanentFailure: 27 Invalid session"
            rows.append(row)
        await s.flush()
    dead, sent, others = (r.id for r in rows)

    listed = (await client.get(f"/api/channels/{channel_id}/outbox?status=dead", headers=who["finance"])).json()
    assert [(i["id"], i["method"], i["last_error"]) for i in listed["items"]] == [
        (dead, "taobao.logistics.offline.send", "PermanentFailure: 27 Invalid session")
    ]
    assert (await client.get(f"/api/channels/{channel_id}/outbox", headers=who["finance"])).json()["total"] == 2

    retried = await client.post(
        f"/api/channels/{channel_id}/outbox/retry", json={"ids": [dead, sent, others]}, headers=who["manager"]
    )
    assert retried.status_code == 200, retried.text
    assert retried.json() == {"rearmed": [dead]}
    by_id: dict[int, ChannelOutbox] = {r.id: r for r in await outbox_rows(session_factory)}
    assert (by_id[dead].status, by_id[dead].attempts) == (OutboxStatus.failed, 0)
    assert (by_id[sent].status, by_id[others].status) == (OutboxStatus.sent, OutboxStatus.dead)
    assert (
        await client.post(f"/api/channels/{channel_id}/outbox/retry", json={"ids": [dead]}, headers=who["finance"])
    ).status_code == 403
