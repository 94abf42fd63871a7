"""``GET /api/reports/{report}``: JSON with the filter options, CSV downloads, and every refusal."""

from __future__ import annotations

from typing import Any

import pytest
from litestar import Litestar
from litestar.testing import AsyncTestClient
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from server.reports.registry import REPORTS
from tests.reports.order_world import NOW, World, sales_world

Client = AsyncTestClient[Litestar]
Factory = async_sessionmaker[AsyncSession]
RANGE = {"date_from": "2026-11-28", "date_to": "2026-12-01"}


@pytest.fixture
async def world(session_factory: Factory, monkeypatch: pytest.MonkeyPatch) -> World:
    monkeypatch.setattr("server.reports.controller.utcnow", lambda: NOW)
    async with session_factory() as s, s.begin():
        return await sales_world(s)


async def _json(client: Client, path: str, headers: dict[str, str], **params: Any) -> dict[str, Any]:
    response = await client.get(path, params=params, headers=headers)
    assert response.status_code == 200, response.text
    assert response.headers["content-type"].startswith("application/json")
    body: dict[str, Any] = response.json()
    return body


async def test_sales_as_json_with_filters_and_options(client: Client, world: World) -> None:
    body = await _json(client, "/api/reports/sales", world.admin, **RANGE)

    assert set(body) == {
        "report",
        "title_en",
        "title_zh",
        "filters",
        "generated_at",
        "tiles",
        "charts",
        "tables",
        "options",
    }
    assert (body["report"], body["title_zh"]) == ("sales", "销售报表")
    assert body["filters"] == {
        "date_from": "2026-11-28",
        "date_to": "2026-12-01",
        "timezone": "Asia/Shanghai",
        "warehouse_id": None,
        "platform": None,
        "channel_id": None,
    }
    gmv = body["tiles"][0]
    assert gmv == {"key": "gmv", "label_en": "GMV", "label_zh": "成交额", "value": 49_700, "unit": "fen"}
    assert [t["key"] for t in body["tables"]] == ["by_day", "by_platform", "by_shop"]
    options = body["options"]
    assert [o["value"] for o in options["warehouses"]] == [str(world.w1), str(world.w2)]
    assert [(o["value"], o["label_zh"]) for o in options["platforms"]] == [
        ("jd", "京东"),
        ("pdd", "拼多多"),
        ("taobao", "淘宝/天猫"),
    ]
    assert {o["label_zh"] for o in options["channels"]} == {"天猫旗舰店", "拼多多店", "京东自营"}


async def test_query_filters_reach_the_report(client: Client, world: World) -> None:
    one = await _json(client, "/api/reports/sales", world.admin, warehouse_id=world.w1, **RANGE)
    pdd = await _json(client, "/api/reports/sales", world.admin, platform="pdd", **RANGE)
    shop = await _json(client, "/api/reports/sales", world.admin, channel_id=world.tb, limit=1, **RANGE)

    assert (one["filters"]["warehouse_id"], one["tiles"][0]["value"]) == (world.w1, 39_000)
    assert (pdd["filters"]["platform"], pdd["tiles"][0]["value"]) == ("pdd", 11_000)
    assert (shop["filters"]["channel_id"], shop["tiles"][0]["value"]) == (world.tb, 38_700)


async def test_a_manager_sees_their_warehouses_only(client: Client, world: World) -> None:
    body = await _json(client, "/api/reports/sales", world.manager, **RANGE)

    assert body["tiles"][0]["value"] == 39_000  # warehouse 1's orders, as if asked for it
    assert [o["value"] for o in body["options"]["warehouses"]] == [str(world.w1)]


async def test_the_range_defaults_to_the_last_seven_local_days(client: Client, world: World) -> None:
    body = await _json(client, "/api/reports/fulfilment", world.admin)

    assert (body["filters"]["date_from"], body["filters"]["date_to"]) == ("2026-11-26", "2026-12-02")
    by_day = next(t for t in body["tables"] if t["key"] == "by_day")
    assert len(by_day["rows"]) == 7


async def test_sales_table_as_csv_for_excel(client: Client, world: World) -> None:
    response = await client.get(
        "/api/reports/sales", params={"format": "csv", "table": "by_shop", "limit": 1, **RANGE}, headers=world.admin
    )

    assert response.status_code == 200, response.text
    assert response.headers["content-type"] == "text/csv; charset=utf-8"
    assert response.headers["content-disposition"] == (
        'attachment; filename="cangku-sales-by_shop-2026-11-28_2026-12-01.csv"'
    )
    assert response.content.startswith(b"\xef\xbb\xbf")
    lines = response.content.decode("utf-8-sig").split("\r\n")
    assert lines[0] == (
        "店铺编码,店铺,平台,订单数,成交额(元),退款订单数,退款金额(元),净成交额(元),客单价(元),成交额占比"
    )
    # Every shop, though the JSON would stop at ``limit``; fen become yuan with two decimals.
    assert lines[1:] == [
        "TB,天猫旗舰店,taobao,7,387.00,1,40.00,347.00,55.29,77.9",
        "PDD,拼多多店,pdd,2,110.00,1,30.00,80.00,55.00,22.1",
        "",
    ]


async def test_csv_headers_in_english_and_the_first_table_by_default(client: Client, world: World) -> None:
    response = await client.get(
        "/api/reports/sales", params={"format": "csv", "lang": "en", **RANGE}, headers=world.admin
    )

    assert response.status_code == 200, response.text
    assert 'filename="cangku-sales-by_day-2026-11-28_2026-12-01.csv"' in response.headers["content-disposition"]
    lines = response.content.decode("utf-8-sig").splitlines()
    assert lines[0] == ("Date,Orders,GMV (CNY),Refunded orders,Refunds (CNY),Net sales (CNY),Average order value (CNY)")
    assert lines[1] == "2026-11-28,3,165.00,0,0.00,165.00,55.00"
    assert len(lines) == 1 + 4


async def test_unknown_report_is_a_bilingual_404(client: Client, world: World) -> None:
    response = await client.get("/api/reports/profit", params=RANGE, headers=world.admin)

    assert response.status_code == 404, response.text
    body = response.json()
    assert (body["code"], body["field"]) == ("unknown_report", "report")
    assert "sales" in body["message"] and "报表" in body["message_zh"]


async def test_unknown_table_is_a_400_naming_the_tables(client: Client, world: World) -> None:
    response = await client.get(
        "/api/reports/sales", params={"format": "csv", "table": "by_moon", **RANGE}, headers=world.admin
    )

    assert response.status_code == 400, response.text
    body = response.json()
    assert (body["code"], body["field"]) == ("unknown_table", "table")
    assert body["detail"]["tables"] == ["by_day", "by_platform", "by_shop"]
    assert body["message_zh"]


@pytest.mark.parametrize(
    ("params", "field"),
    [
        ({"date_from": "2026-12-01", "date_to": "2026-11-28"}, "date_from"),  # reversed
        ({"date_from": "2025-11-30", "date_to": "2026-12-01"}, "date_from"),  # 367 days
    ],
)
async def test_a_bad_range_is_refused(client: Client, world: World, params: dict[str, str], field: str) -> None:
    response = await client.get("/api/reports/sales", params=params, headers=world.admin)

    assert response.status_code == 422, response.text
    body = response.json()
    assert (body["code"], body["field"]) == ("validation_error", field)
    assert body["message_zh"]


async def test_a_whole_year_is_allowed(client: Client, world: World) -> None:
    body = await _json(client, "/api/reports/sales", world.admin, date_from="2025-12-01", date_to="2026-12-01")

    assert len(body["tables"][0]["rows"]) == 366
    assert body["tiles"][0]["value"] == 49_700 + 99_000  # S0, on 27 Nov, is in this range


async def test_refusals_for_input_and_scope(client: Client, world: World) -> None:
    outside = await client.get("/api/reports/sales", params={"warehouse_id": world.w2}, headers=world.manager)
    picker = await client.get("/api/reports/sales", headers=world.picker)
    anonymous = await client.get("/api/reports/sales")
    bad_date = await client.get("/api/reports/sales", params={"date_from": "28/11/2026"}, headers=world.admin)
    bad_format = await client.get("/api/reports/sales", params={"format": "xlsx"}, headers=world.admin)
    bad_lang = await client.get("/api/reports/sales", params={"format": "csv", "lang": "fr"}, headers=world.admin)
    too_many = await client.get("/api/reports/sales", params={"limit": 0}, headers=world.admin)

    assert outside.status_code == 403, outside.text
    assert outside.json()["code"] == "warehouse_out_of_scope"
    assert picker.status_code == 403, picker.text
    assert anonymous.status_code == 401, anonymous.text
    for refused in (bad_date, bad_format, bad_lang, too_many):
        assert refused.status_code == 400, refused.text
    assert bad_format.json()["field"] == "format"


async def test_the_today_page_still_answers(client: Client, world: World) -> None:
    body = await _json(client, "/api/reports/today", world.admin)

    assert body["date"] == "2026-12-02"


@pytest.mark.parametrize("report", sorted(REPORTS))
async def test_every_registered_report_answers_in_the_one_shape(client: Client, world: World, report: str) -> None:
    body = await _json(client, f"/api/reports/{report}", world.admin, **RANGE)
    csv = await client.get(f"/api/reports/{report}", params={"format": "csv", **RANGE}, headers=world.admin)

    assert body["report"] == report
    assert body["filters"]["date_from"] == "2026-11-28"
    assert body["tables"] and body["options"]["warehouses"]
    assert csv.status_code == 200, csv.text
    assert csv.content.startswith(b"\xef\xbb\xbf")
    assert f"cangku-{report}-{body['tables'][0]['key']}-" in csv.headers["content-disposition"]
