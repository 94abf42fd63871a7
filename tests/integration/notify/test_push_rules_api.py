"""The push rules as a manager edits them: built-in defaults on a fresh install, the installation's
default and one warehouse's override, refusals that name the field, and who may. SQLite and
PostgreSQL."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

import pytest
from sqlalchemy import func, select

from server.auth.models import Role
from server.notify.rule_models import PushRule
from tests.factories import bearer, make_user, make_warehouse
from tests.integration.notify.helpers import Client, Factory

URL = "/api/push/rules"
KINDS = [
    "urgent_vip",
    "urgent_ship_by_today",
    "urgent_cut_off",
    "urgent_late_risk",
    "urgent_stock_out",
    "sync_exception",
    "count_variance",
    "low_stock",
    "expiring_lot",
]


@dataclass
class World:
    here: int
    there: int
    boss: dict[str, str]
    """A manager of every warehouse."""
    local: dict[str, str]
    """A manager of ``here`` only."""
    supervisor: dict[str, str]


@pytest.fixture
async def world(session_factory: Factory) -> World:
    async with session_factory() as s, s.begin():
        here, there = (await make_warehouse(s)).warehouse, (await make_warehouse(s)).warehouse
        _, boss = await make_user(s, [Role.manager], all_warehouses=True)
        _, local = await make_user(s, [Role.manager], warehouses=[here])
        _, supervisor = await make_user(s, [Role.supervisor], warehouses=[here])
    return World(here.id, there.id, bearer(boss), bearer(local), bearer(supervisor))


async def _rules(client: Client, headers: dict[str, str], **params: Any) -> dict[str, dict[str, Any]]:
    answer = await client.get(URL, params=params, headers=headers)
    assert answer.status_code == 200, answer.text
    return {item["kind"]: item for item in answer.json()}


async def test_a_fresh_install_shows_every_kind_with_its_built_in_defaults(client: Client, world: World) -> None:
    rules = await _rules(client, world.boss)

    assert list(rules) == KINDS
    assert {kind: r["source"] for kind, r in rules.items()} == dict.fromkeys(KINDS, "built_in")
    assert all(r["enabled"] and r["label_en"] and r["label_zh"] and r["description_zh"] for r in rules.values())
    assert rules["urgent_vip"]["roles"] == ["supervisor", "manager"]
    assert rules["urgent_vip"]["urgency"] == "high"
    assert rules["sync_exception"]["roles"] == rules["count_variance"]["roles"] == ["supervisor"]
    assert rules["low_stock"]["roles"] == rules["expiring_lot"]["roles"] == ["manager"]
    assert rules["expiring_lot"]["params"] == {"within_days": 30}
    assert rules["low_stock"]["params"] == {"min_units": 5, "days_of_cover": None, "lookback_days": 14}
    assert rules["urgent_cut_off"]["params"] == {"cut_off_minutes": 60, "cut_offs": ["17:00"]}
    assert rules["urgent_late_risk"]["params"] == {"late_margin_minutes": 240, "promotion": False}
    schema = rules["expiring_lot"]["params_schema"]
    assert "within_days" in str(schema)
    (within,) = rules["expiring_lot"]["params_help"]
    assert (within["name"], bool(within["label_zh"]), bool(within["help_en"])) == ("within_days", True, True)
    assert rules["expiring_lot"]["built_in"]["params"] == {"within_days": 30}
    assert rules["expiring_lot"]["overridden_in"] == []


async def test_a_warehouse_override_wins_there_and_only_there(
    client: Client, session_factory: Factory, world: World
) -> None:
    saved = await client.put(
        f"{URL}/expiring_lot",
        json={"warehouse_id": world.here, "params": {"within_days": 7}, "roles": ["supervisor", "manager"]},
        headers=world.local,
    )
    default = await client.put(f"{URL}/low_stock", json={"enabled": False}, headers=world.boss)

    assert saved.status_code == 200, saved.text
    assert (saved.json()["source"], saved.json()["params"], saved.json()["roles"]) == (
        "warehouse",
        {"within_days": 7},
        ["supervisor", "manager"],
    )
    assert saved.json()["urgency"] == "low"  # not given: kept as it was in effect
    assert default.status_code == 200, default.text
    here = await _rules(client, world.boss, warehouse_id=world.here)
    there = await _rules(client, world.boss, warehouse_id=world.there)
    everywhere = await _rules(client, world.boss)
    assert (here["expiring_lot"]["source"], here["expiring_lot"]["params"]["within_days"]) == ("warehouse", 7)
    assert (there["expiring_lot"]["source"], there["expiring_lot"]["params"]["within_days"]) == ("built_in", 30)
    assert everywhere["expiring_lot"]["overridden_in"] == [world.here]
    for scope in (here, there, everywhere):  # the default applies wherever no override is
        assert (scope["low_stock"]["source"], scope["low_stock"]["enabled"]) == ("default", False)

    again = await client.put(
        f"{URL}/expiring_lot", json={"warehouse_id": world.here, "params": {"within_days": 10}}, headers=world.local
    )
    assert again.json()["params"] == {"within_days": 10}
    async with session_factory() as s:
        assert await s.scalar(select(func.count()).select_from(PushRule)) == 2  # updated, not added

    reset = await client.delete(f"{URL}/expiring_lot", params={"warehouse_id": world.here}, headers=world.local)
    assert reset.status_code == 204, reset.text
    assert (await _rules(client, world.boss, warehouse_id=world.here))["expiring_lot"]["source"] == "built_in"
    twice = await client.delete(f"{URL}/expiring_lot", params={"warehouse_id": world.here}, headers=world.local)
    assert twice.status_code == 404
    assert twice.json()["code"] == "push_rule_not_found"


@pytest.mark.parametrize(
    ("kind", "body", "field"),
    [
        ("expiring_lot", {"params": {"within_days": 0}}, "params.within_days"),
        ("expiring_lot", {"params": {"within_days": "soon"}}, "params.within_days"),
        ("expiring_lot", {"params": {"days": 3}}, "params.days"),
        ("urgent_cut_off", {"params": {"cut_offs": ["25:00"]}}, "params.cut_offs"),
        ("urgent_cut_off", {"params": {"cut_offs": []}}, "params.cut_offs"),
        ("urgent_vip", {"params": {"anything": 1}}, "params.anything"),
        ("sync_exception", {"params": {"statuses": ["applied"]}}, "params.statuses"),
        ("low_stock", {"roles": ["boss"]}, "roles"),
        ("low_stock", {"roles": []}, "roles"),
        ("low_stock", {"urgency": "asap"}, "urgency"),
    ],
)
async def test_bad_settings_are_refused_naming_the_field_and_nothing_is_saved(
    client: Client, session_factory: Factory, world: World, kind: str, body: dict[str, Any], field: str
) -> None:
    answer = await client.put(f"{URL}/{kind}", json=body, headers=world.boss)

    assert answer.status_code == 400, answer.text
    error = answer.json()
    assert (error["code"], error["field"]) == ("invalid_push_rule", field)
    assert error["message"] and error["message_zh"]
    async with session_factory() as s:
        assert await s.scalar(select(func.count()).select_from(PushRule)) == 0


async def test_unknown_kinds_fields_and_warehouses_are_refused(client: Client, world: World) -> None:
    unknown = await client.put(f"{URL}/urgent_everything", json={"enabled": False}, headers=world.boss)
    typo = await client.put(f"{URL}/low_stock", json={"enabld": False}, headers=world.boss)
    nowhere = await client.put(f"{URL}/low_stock", json={"warehouse_id": 999_999}, headers=world.boss)

    assert unknown.status_code == 404
    assert (unknown.json()["code"], unknown.json()["field"]) == ("push_rule_not_found", "kind")
    assert unknown.json()["message_zh"]
    assert typo.status_code == 400, typo.text
    assert nowhere.status_code == 404
    assert nowhere.json()["field"] == "warehouse_id"


async def test_only_managers_set_rules_and_only_for_their_warehouses(client: Client, world: World) -> None:
    supervisor = await client.get(URL, headers=world.supervisor)
    default = await client.put(f"{URL}/low_stock", json={"enabled": False}, headers=world.local)
    elsewhere = await client.put(
        f"{URL}/low_stock", json={"warehouse_id": world.there, "enabled": False}, headers=world.local
    )
    look_elsewhere = await client.get(URL, params={"warehouse_id": world.there}, headers=world.local)
    own = await client.put(f"{URL}/low_stock", json={"warehouse_id": world.here, "enabled": False}, headers=world.local)

    assert supervisor.status_code == 403
    assert supervisor.json()["detail"] == {"permission": "push.rules"}
    assert default.status_code == 403
    assert default.json()["code"] == "push_rule_default_needs_all_warehouses"
    assert default.json()["message_zh"]
    assert elsewhere.status_code == look_elsewhere.status_code == 403
    assert elsewhere.json()["code"] == "warehouse_out_of_scope"
    assert own.status_code == 200, own.text
    assert own.json()["enabled"] is False
