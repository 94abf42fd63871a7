"""Shipping over HTTP: create with label, print, ship, a Kuaidi100 push without a login, the delay list;
and who may do what."""

from __future__ import annotations

from dataclasses import replace
from datetime import UTC, datetime, timedelta

from litestar import Litestar
from litestar.testing import AsyncTestClient
from sqlalchemy import update

from server.auth.models import Role
from server.fulfilment.shipping.models import Shipment
from server.fulfilment.shipping.tracking import sign_kuaidi100
from server.orders.models import OrderStatus
from server.settings import Settings
from tests.factories import bearer, make_user
from tests.integration.shipping.helpers import Factory, Packed, kuaidi100_param, make_packed_order, order, outbox_rows

Client = AsyncTestClient[Litestar]
PICKUP = ("2026-11-11 18:00:00", "【杭州市】浙江杭州西湖区公司 已揽收", "揽收")


async def _world(factory: Factory, *roles: Role) -> tuple[Packed, list[dict[str, str]]]:
    async with factory() as s, s.begin():
        packed = await make_packed_order(s)
        headers = [bearer((await make_user(s, [role], all_warehouses=True))[1]) for role in roles]
    return packed, headers


async def test_create_print_ship_and_track_over_http(client: Client, session_factory: Factory) -> None:
    packed, [manager] = await _world(session_factory, Role.manager)

    created = await client.post(f"/api/orders/{packed.order_id}/shipments", json={"weight_g": 800}, headers=manager)
    assert created.status_code == 201, created.text
    body = created.json()
    shipment_id = body["id"]
    assert {k: body[k] for k in ("order_id", "parcel_no", "carrier_code", "waybill_no", "status", "weight_g")} == {
        "order_id": packed.order_id,
        "parcel_no": 1,
        "carrier_code": "YTO",
        "waybill_no": "000000000018",
        "status": "created",
        "weight_g": 800,
    }
    assert body["label_url"] == f"/api/shipments/{shipment_id}/label.pdf"

    label = await client.get(body["label_url"], headers=manager)
    assert label.status_code == 200, label.text
    assert label.headers["content-type"] == "application/pdf"
    assert label.headers["content-disposition"] == 'inline; filename="YTO-000000000018.pdf"'
    assert label.content.startswith(b"%PDF-")
    assert (await client.get(f"/api/shipments/{shipment_id}", headers=manager)).json()["status"] == "labelled"

    shipped = await client.post(
        f"/api/shipments/{shipment_id}/ship", json={"expected_by": "2026-11-14T18:00:00+08:00"}, headers=manager
    )
    assert shipped.status_code == 200, shipped.text
    assert (shipped.json()["status"], shipped.json()["expected_by"]) == ("shipped", "2026-11-14T10:00:00Z")
    assert (await order(session_factory, packed.order_id)).status is OrderStatus.shipped
    assert [r.payload["method"] for r in await outbox_rows(session_factory)] == ["taobao.logistics.offline.send"]

    param = kuaidi100_param("000000000018", "1", [PICKUP])
    pushed = await client.post("/api/tracking/kuaidi100", data={"param": param})  # no token: Kuaidi100 cannot log in
    assert pushed.status_code == 200, pushed.text
    assert pushed.json() == {"result": True, "returnCode": "200", "message": "成功"}

    detail = (await client.get(f"/api/shipments/{shipment_id}", headers=manager)).json()
    assert detail["status"] == "in_transit"
    assert [(e["occurred_at"], e["state"], e["raw_state"], e["source"]) for e in detail["events"]] == [
        ("2026-11-11T10:00:00Z", "picked_up", "1", "kuaidi100")
    ]


async def test_a_push_for_an_unknown_waybill_is_acknowledged(client: Client, session_factory: Factory) -> None:
    pushed = await client.post("/api/tracking/kuaidi100", data={"param": kuaidi100_param("YT1", "0", [PICKUP])})
    assert pushed.json() == {"result": True, "returnCode": "200", "message": "unknown waybill YT1"}


async def test_a_push_with_a_bad_signature_is_refused_when_a_salt_is_set(
    settings: Settings, session_factory: Factory
) -> None:
    from server.app import create_app

    salted = create_app(replace(settings, kuaidi100_salt="s3cret"))
    param = kuaidi100_param("YT1", "0", [PICKUP])
    async with AsyncTestClient(app=salted) as client:
        await _signed_and_forged(client, param)


async def _signed_and_forged(client: Client, param: str) -> None:

    forged = await client.post("/api/tracking/kuaidi100", data={"param": param, "sign": sign_kuaidi100(param, "x")})
    assert forged.status_code == 403
    assert (forged.json()["code"], forged.json()["field"]) == ("bad_signature", "sign")
    signed = await client.post(
        "/api/tracking/kuaidi100", data={"param": param, "sign": sign_kuaidi100(param, "s3cret")}
    )
    assert signed.status_code == 200


async def test_refusals_have_a_code_and_a_chinese_message(client: Client, session_factory: Factory) -> None:
    async with session_factory() as s, s.begin():
        picked = await make_packed_order(s, status=OrderStatus.picked)
    _, [manager] = await _world(session_factory, Role.manager)

    not_packed = await client.post(f"/api/orders/{picked.order_id}/shipments", json={}, headers=manager)
    assert not_packed.status_code == 409
    assert not_packed.json()["code"] == "order_not_packed"
    assert not_packed.json()["message_zh"] == f"订单 {picked.order_no} 状态为 picked，尚未打包，不能发货"
    missing = await client.post("/api/orders/999999/shipments", json={}, headers=manager)
    assert (missing.status_code, missing.json()["code"]) == (404, "not_found")
    heavy = await client.post(f"/api/orders/{picked.order_id}/shipments", json={"weight_g": -1}, headers=manager)
    assert (heavy.status_code, heavy.json()["field"]) == (400, "weight_g")


async def test_who_may_do_what(client: Client, session_factory: Factory) -> None:
    packed, [manager, finance, packer] = await _world(session_factory, Role.manager, Role.finance, Role.packer)
    url = f"/api/orders/{packed.order_id}/shipments"

    assert (await client.post(url, json={})).status_code == 401
    assert (await client.post(url, json={}, headers=finance)).status_code == 403  # reads orders, ships nothing
    shipment_id = (await client.post(url, json={}, headers=packer)).json()["id"]  # the packer prints the label
    assert (await client.get(f"/api/shipments/{shipment_id}/label.pdf", headers=packer)).status_code == 200
    assert (await client.get(f"/api/shipments/{shipment_id}/label.pdf", headers=finance)).status_code == 403
    assert (await client.post(f"/api/shipments/{shipment_id}/ship", json={}, headers=finance)).status_code == 403
    assert (await client.post(f"/api/shipments/{shipment_id}/ship", json={}, headers=packer)).status_code == 200
    assert (await client.get("/api/shipments/delayed", headers=packer)).status_code == 403  # a manager's list
    assert (await client.get("/api/shipments/delayed", headers=manager)).status_code == 200


async def test_the_delay_list_over_http(client: Client, session_factory: Factory) -> None:
    packed, [manager] = await _world(session_factory, Role.manager)
    shipment_id = (await client.post(f"/api/orders/{packed.order_id}/shipments", json={}, headers=manager)).json()["id"]
    await client.post(f"/api/shipments/{shipment_id}/ship", json={}, headers=manager)
    two_days_ago = datetime.now(UTC) - timedelta(hours=49, minutes=30)
    async with session_factory() as s, s.begin():
        await s.execute(update(Shipment).where(Shipment.id == shipment_id).values(shipped_at=two_days_ago))

    page = (await client.get("/api/shipments/delayed", headers=manager)).json()
    assert (page["total"], page["limit"], page["offset"]) == (1, 50, 0)
    [item] = page["items"]
    assert (item["shipment_id"], item["waybill_no"], item["reasons"], item["quiet_hours"]) == (
        shipment_id,
        "000000000018",
        ["not_picked_up"],
        49,
    )
    assert item["reason_zh"] == "发货后 49 小时仍无揽收记录"
    assert (await client.get("/api/shipments/delayed?quiet_hours=72", headers=manager)).json()["total"] == 0
