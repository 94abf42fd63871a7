"""The sync conformance vectors (``sync/vectors/*.json``): their format check and the server's runner.

The format is written for client authors in ``sync/vectors/README.md``; this module is its Python
reading. ``format_problems`` rejects a vector with a typo before it runs (an unknown key would
otherwise switch a check off silently). ``run_vector`` builds the vector's symbolic world with the
test factories, sends every step over HTTP as a device would, and compares the answers with the
vector's partial expectations, so a failure names the vector, the step and the path that differs.
"""

from __future__ import annotations

import json
import re
from collections.abc import Iterable
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

from httpx import Response
from sqlalchemy import func, select, update
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from server.auth.models import Device, Role
from server.auth.tokens import revoke_device_tokens
from server.inbound.models import PurchaseOrder, PurchaseOrderLine, PurchaseOrderStatus
from server.syncapi.tables import SYNC_TABLES
from server.tasks.models import ExceptionStatus, Task, TaskKind, TaskLine, TaskStatus, WorkException
from server.tasks.service import LineSpec, open_task
from server.warehouse.ledger.models import MoveReason, StockLevel
from server.warehouse.ledger.service import MoveRequest, NegativePolicy, post_moves
from server.warehouse.ledger.verify import verify_ledger
from server.warehouse.models import PHYSICAL_TYPES, Location, LocationType
from sync.hlc import Stamp
from tests.factories import WarehouseFixture, make_bin, make_sku, make_warehouse
from tests.sync_support import Client, SimDevice, make_device

Factory = async_sessionmaker[AsyncSession]
Json = Any
"""A decoded JSON value (vectors are plain JSON: dicts, lists, strings, ints, booleans, null)."""

VECTOR_DIR = Path(__file__).resolve().parents[1] / "sync" / "vectors"
MAX_PAGES = 20
STOCK_AGE = timedelta(days=2)
"""Initial stock predates every op, so no count's "as of" arithmetic ever sees it move."""
DEVICE_AGE = timedelta(days=1)
"""Devices are registered before any op they record (SPEC.md §4.3 rule 5 flags earlier stamps)."""

_REF = re.compile(r"\$([A-Za-z][A-Za-z0-9_]*)")
_OFFSET = re.compile(r"^([+-]?)(\d+)(ms|s|m|h|d)$")
_UNITS = {"ms": "milliseconds", "s": "seconds", "m": "minutes", "h": "hours", "d": "days"}
_NAME = re.compile(r"^[a-z0-9_]+$")
_FAULT = re.compile(r"^[FI][0-9]+$")
_VARIABLE = re.compile(r"@[A-Za-z_][A-Za-z0-9_]*")


def vector_paths() -> list[Path]:
    return sorted(VECTOR_DIR.glob("*.json"))


def load_vector(path: Path) -> dict[str, Json]:
    data: dict[str, Json] = json.loads(path.read_text(encoding="utf-8"))
    return data


def parse_offset(text: str) -> timedelta:
    """``"-60m"`` → −60 minutes (README §3.2)."""
    match = _OFFSET.match(text)
    if match is None:
        msg = f"not a time offset: {text!r} (expected e.g. -60m, +30s, 0s)"
        raise ValueError(msg)
    sign, amount, unit = match.groups()
    delta = timedelta(**{_UNITS[unit]: int(amount)})
    return -delta if sign == "-" else delta


# --- format check ---------------------------------------------------------------------------------

Shape = tuple[frozenset[str], frozenset[str]]
"""(required keys, optional keys) of one kind of object."""


def _keys(required: str = "", optional: str = "") -> Shape:
    return frozenset(required.split()), frozenset(optional.split())


_SETUP_SHAPES: dict[str, Shape] = {
    "warehouses": _keys("ref"),
    "bins": _keys("ref warehouse", "type frozen"),
    "skus": _keys("ref", "lot_controlled"),
    "stock": _keys("bin sku qty"),
    "tasks": _keys("ref warehouse kind lines", "status to reference"),
    "purchase_orders": _keys("ref warehouse lines", "tolerance_pct status"),
    "devices": _keys("ref warehouse", "role"),
}
_LINE_SHAPES = {"tasks": _keys("ref bin sku qty"), "purchase_orders": _keys("sku qty")}
_ACTIONS: dict[str, dict[str, str]] = {
    "cancel_task": {"task": "task"},
    "revoke_device": {"device": "device"},
    "move_device": {"device": "device", "warehouse": "warehouse"},
}
_NEW_OP = _keys("op_id seq name version payload at", "hlc")
_REPEAT_OP = _keys("repeat", "seq name version payload hlc wall_time")
_PUSH = _keys("ops", "protocol warehouse_id client_version")
_PULL = _keys(optional="cursor acked_seq limit warehouse_id pages")
_PUSH_EXPECT = _keys(optional="status last_applied_seq results code detail")
_RESULT_EXPECT = _keys(optional="status code replayed result exceptions")
_EXCEPTION_EXPECT = _keys("kind", "ref")
_PULL_EXPECT = _keys(
    optional="status code detail reset snapshot snapshot_complete has_more last_applied_seq resend_from "
    "changes no_other_changes store"
)
_CHANGE_EXPECT = _keys("entity key op", "data")
_FINAL = _keys(optional="stock open_tasks open_exceptions ops")
_FINAL_STOCK = _keys("bin sku on_hand")
_TOP = _keys("name description spec setup steps", "faults final")
_SETUP = _keys(optional=" ".join(_SETUP_SHAPES))
_TASK_KINDS = {kind.value for kind in TaskKind}
_OP_STATUSES = {"applied", "applied_with_exception", "rejected", "held", "unknown"}
_SETUP_VALUES: dict[tuple[str, str], set[str]] = {
    ("bins", "type"): {kind.value for kind in PHYSICAL_TYPES},
    ("tasks", "kind"): _TASK_KINDS,
    ("tasks", "status"): {status.value for status in TaskStatus},
    ("purchase_orders", "status"): {status.value for status in PurchaseOrderStatus},
    ("devices", "role"): {"picker", "receiver", "counter", "packer", "supervisor"},
}
"""Setup fields with a closed set of values (README §2)."""


def _shape(obj: Json, where: str, shape: Shape) -> list[str]:
    """Missing and unknown keys of one object (not an object at all: nothing else can be checked)."""
    required, optional = shape
    if not isinstance(obj, dict):
        raise _FormatError(f"{where}: expected an object, got {obj!r}")
    problems = [f"{where}: missing {key!r}" for key in sorted(required - obj.keys())]
    problems += [f"{where}: unknown key {key!r}" for key in sorted(obj.keys() - required - optional)]
    return problems


def _list(obj: Json, where: str) -> list[Json]:
    if not isinstance(obj, list):
        raise _FormatError(f"{where}: expected a list")
    return obj


class _FormatError(Exception):
    """A problem that makes the rest of the check meaningless (the vector is not even shaped right)."""


def format_problems(vector: Json, stem: str) -> list[str]:
    """Everything wrong with a vector's format (README §1–§6); empty when it may run."""
    try:
        problems = _shape(vector, "vector", _TOP)
        if problems:
            return problems
        if vector["name"] != stem or not _NAME.match(stem):
            problems.append(f"name: {vector['name']!r} must equal the file name {stem!r} ([a-z0-9_]+)")
        if not _list(vector["spec"], "spec") or not all(isinstance(s, str) for s in vector["spec"]):
            problems.append("spec: a non-empty list of SPEC.md sections")
        problems += [
            f"faults: {f!r} is not an id like F1 or I9" for f in vector.get("faults", []) if not _FAULT.match(f)
        ]
        kinds, setup_problems = _setup_refs(vector["setup"])
        problems += setup_problems
        problems += _steps_problems(_list(vector["steps"], "steps"), kinds)
        problems += _final_format_problems(vector.get("final", {}), kinds)
        problems += [f"{where}: unknown ref ${name}" for where, name in _ref_uses(vector) if name not in kinds]
    except _FormatError as exc:
        return [str(exc)]
    return problems


def _setup_refs(setup: Json) -> tuple[dict[str, str], list[str]]:
    """The refs the setup declares (ref → kind) and what is wrong with the setup."""
    problems = _shape(setup, "setup", _SETUP)
    kinds: dict[str, str] = {}
    for section, shape in _SETUP_SHAPES.items():
        for index, entry in enumerate(_list(setup.get(section, []), f"setup.{section}")):
            where = f"setup.{section}[{index}]"
            problems += _shape(entry, where, shape)
            if "ref" in entry:
                problems += _declare(kinds, entry["ref"], section.removesuffix("s"), where)
            for line_index, line in enumerate(_list(entry.get("lines", []), f"{where}.lines")):
                problems += _shape(line, f"{where}.lines[{line_index}]", _LINE_SHAPES.get(section, _keys()))
                if section == "tasks" and "ref" in line:
                    problems += _declare(kinds, line["ref"], "task_line", f"{where}.lines[{line_index}]")
    for section in ("warehouses", "devices"):
        if not setup.get(section):
            problems.append(f"setup.{section}: at least one is needed")
    for (section, key), known in _SETUP_VALUES.items():
        problems += [
            f"setup.{section}[{index}].{key}: {entry[key]!r} is not one of {sorted(known)}"
            for index, entry in enumerate(setup.get(section, []))
            if key in entry and entry[key] not in known
        ]
    problems += _setup_links(setup, kinds)
    return kinds, problems


def _declare(kinds: dict[str, str], ref: Json, kind: str, where: str) -> list[str]:
    if not isinstance(ref, str) or not _REF.fullmatch(f"${ref}"):
        return [f"{where}.ref: {ref!r} is not a ref name"]
    if ref in kinds:
        return [f"{where}.ref: {ref!r} declared twice"]
    kinds[ref] = kind
    return []


_LINKS = {"warehouse": "warehouse", "bin": "bin", "sku": "sku", "to": "bin"}


def _setup_links(setup: Json, kinds: dict[str, str]) -> list[str]:
    """Setup fields that name other refs name one of the right kind."""
    problems = []
    for section in _SETUP_SHAPES:
        for index, entry in enumerate(setup.get(section, [])):
            for item, where in [(entry, f"setup.{section}[{index}]")] + [
                (line, f"setup.{section}[{index}].lines[{n}]") for n, line in enumerate(entry.get("lines", []))
            ]:
                for key, kind in _LINKS.items():
                    if key in item and kinds.get(item[key]) != kind:
                        problems.append(f"{where}.{key}: {item[key]!r} is not a {kind} ref")
    return problems


def _steps_problems(steps: list[Json], kinds: dict[str, str]) -> list[str]:
    problems: list[str] = []
    built: set[str] = set()
    for index, step in enumerate(steps):
        where = f"steps[{index}]"
        if not isinstance(step, dict):
            problems.append(f"{where}: expected an object")
            continue
        present = [kind for kind in ("push", "pull", "action") if kind in step]
        if len(present) != 1:
            problems.append(f"{where}: needs exactly one of push, pull, action (has {present})")
            continue
        kind = present[0]
        allowed = {kind, "note"} | (
            {"device", "expect"} if kind != "action" else set(_ACTIONS.get(str(step[kind]), {}))
        )
        problems += [f"{where}: unknown key {key!r}" for key in sorted(step.keys() - allowed)]
        if kind == "action":
            problems += _action_problems(step, where, kinds)
            continue
        if kinds.get(step.get("device", "")) != "device":
            problems.append(f"{where}.device: {step.get('device')!r} is not a device ref")
        if kind == "push":
            problems += _push_problems(step, where, built)
        else:
            problems += _shape(step["pull"], f"{where}.pull", _PULL)
            pages = step["pull"].get("pages", 1)
            if pages != "all" and not (type(pages) is int and pages >= 1):
                problems.append(f"{where}.pull.pages: {pages!r} is neither a number ≥ 1 nor 'all'")
            problems += _pull_expect_problems(step.get("expect", {}), f"{where}.expect")
    return problems


def _action_problems(step: Json, where: str, kinds: dict[str, str]) -> list[str]:
    fields = _ACTIONS.get(str(step["action"]))
    if fields is None:
        return [f"{where}.action: unknown action {step['action']!r} (known: {sorted(_ACTIONS)})"]
    return [
        f"{where}.{key}: {step.get(key)!r} is not a {kind} ref"
        for key, kind in fields.items()
        if kinds.get(step.get(key, "")) != kind
    ]


def _push_problems(step: Json, where: str, built: set[str]) -> list[str]:
    problems = _shape(step["push"], f"{where}.push", _PUSH)
    ops = _list(step["push"].get("ops", []), f"{where}.push.ops")
    for index, op in enumerate(ops):
        op_where = f"{where}.push.ops[{index}]"
        if isinstance(op, dict) and "repeat" in op:
            problems += _shape(op, op_where, _REPEAT_OP)
            if op["repeat"] not in built:
                problems.append(f"{op_where}.repeat: no earlier op {op['repeat']!r}")
            continue
        problems += _shape(op, op_where, _NEW_OP)
        problems += _new_op_problems(op, op_where, built)
    expect = step.get("expect", {})
    problems += _shape(expect, f"{where}.expect", _PUSH_EXPECT)
    results = expect.get("results")
    if results is not None:
        if len(_list(results, f"{where}.expect.results")) != len(ops):
            problems.append(f"{where}.expect.results: {len(results)} entries for {len(ops)} ops")
        for index, result in enumerate(results):
            problems += _shape(result, f"{where}.expect.results[{index}]", _RESULT_EXPECT)
            if result.get("status", "applied") not in _OP_STATUSES:
                problems.append(f"{where}.expect.results[{index}].status: unknown {result['status']!r}")
            for n, raised in enumerate(_list(result.get("exceptions", []), f"{where}.expect.results[{index}]")):
                problems += _shape(raised, f"{where}.expect.results[{index}].exceptions[{n}]", _EXCEPTION_EXPECT)
    return problems


def _new_op_problems(op: Json, where: str, built: set[str]) -> list[str]:
    """Unique ids and readable times (README §3.2, §4.2)."""
    problems = []
    if op.get("op_id") in built:
        problems.append(f"{where}.op_id: {op['op_id']!r} used twice (a retry is written {{'repeat': id}})")
    built.add(str(op.get("op_id")))
    try:
        parse_offset(str(op.get("at")))
    except ValueError as exc:
        problems.append(f"{where}.at: {exc}")
    if not isinstance(op.get("payload"), dict):
        problems.append(f"{where}.payload: expected an object")
    return problems


def _pull_expect_problems(expect: Json, where: str) -> list[str]:
    problems = _shape(expect, where, _PULL_EXPECT)
    for index, change in enumerate(_list(expect.get("changes", []), f"{where}.changes")):
        problems += _shape(change, f"{where}.changes[{index}]", _CHANGE_EXPECT)
    store = expect.get("store", {})
    if not isinstance(store, dict) or not all(":" in key for key in store):
        problems.append(f"{where}.store: keys are '<entity>:<key>'")
    return problems


def _final_format_problems(final: Json, kinds: dict[str, str]) -> list[str]:
    problems = _shape(final, "final", _FINAL)
    for index, entry in enumerate(_list(final.get("stock", []), "final.stock")):
        where = f"final.stock[{index}]"
        problems += _shape(entry, where, _FINAL_STOCK)
        problems += [
            f"{where}.{key}: {entry.get(key)!r} is not a {key} ref"
            for key in ("bin", "sku")
            if kinds.get(entry.get(key, "")) != key
        ]
    for section, known in (("open_tasks", _TASK_KINDS), ("ops", _OP_STATUSES)):
        problems += [f"final.{section}: unknown {name!r}" for name in final.get(section, {}) if name not in known]
    return problems


def _ref_uses(vector: Json) -> Iterable[tuple[str, str]]:
    """(where, ref name) of every ``$ref`` in the steps and the final state."""

    def walk(value: Json, where: str) -> Iterable[tuple[str, str]]:
        if isinstance(value, dict):
            for key, item in value.items():
                yield from ((where, name) for name in _REF.findall(str(key)))
                yield from walk(item, f"{where}.{key}")
        elif isinstance(value, list):
            for index, item in enumerate(value):
                yield from walk(item, f"{where}[{index}]")
        elif isinstance(value, str):
            yield from ((where, name) for name in _REF.findall(value))

    yield from walk(vector["steps"], "steps")
    yield from walk(vector.get("final", {}), "final")


# --- refs and partial matching --------------------------------------------------------------------


@dataclass
class Refs:
    """Symbolic names → real ids (README §3.1)."""

    ids: dict[str, int | str] = field(default_factory=dict)

    def __getitem__(self, name: str) -> int | str:
        return self.ids[name]

    def int_id(self, name: str) -> int:
        value = self.ids[name]
        assert isinstance(value, int), f"${name} is not a row"
        return value

    def resolve(self, value: Json) -> Json:
        if isinstance(value, dict):
            return {self.resolve(key): self.resolve(item) for key, item in value.items()}
        if isinstance(value, list):
            return [self.resolve(item) for item in value]
        if isinstance(value, str):
            whole = _REF.fullmatch(value)
            if whole is not None:
                return self.ids[whole[1]]
            return _REF.sub(lambda m: str(self.ids[m[1]]), value)
        return value


@dataclass
class Matcher:
    """Partial comparison (README §5) with ``@variables`` bound across the whole vector."""

    bound: dict[str, Json] = field(default_factory=dict)

    def match(self, expected: Json, actual: Json, path: str) -> list[str]:
        if isinstance(expected, str) and expected.startswith("@"):
            return self._variable(expected, actual, path)
        if isinstance(expected, dict):
            return self._match_object(expected, actual, path)
        if isinstance(expected, list):
            if not isinstance(actual, list) or len(actual) != len(expected):
                return [f"{path}: expected {len(expected)} items, got {actual!r}"]
            return [
                p
                for i, (e, a) in enumerate(zip(expected, actual, strict=True))
                for p in self.match(e, a, f"{path}[{i}]")
            ]
        if type(expected) is not type(actual) or expected != actual:
            return [f"{path}: expected {expected!r}, got {actual!r}"]
        return []

    def key(self, text: Json) -> str:
        """A store key or change key with bound ``@variables`` replaced by their text (README §3.3)."""

        def value(match: re.Match[str]) -> str:
            assert match[0] in self.bound, f"{text}: {match[0]} is not bound by an earlier expectation"
            return str(self.bound[match[0]])

        return _VARIABLE.sub(value, str(text))

    def _match_object(self, expected: dict[str, Json], actual: Json, path: str) -> list[str]:
        if not isinstance(actual, dict):
            return [f"{path}: expected an object, got {actual!r}"]
        problems = []
        for key, value in expected.items():
            if key in actual:
                problems += self.match(value, actual[key], f"{path}.{key}")
            elif value is not None:
                problems.append(f"{path}.{key}: missing (expected {value!r})")
        return problems

    def _variable(self, name: str, actual: Json, path: str) -> list[str]:
        if name not in self.bound:
            self.bound[name] = actual
            return []
        if type(self.bound[name]) is not type(actual) or self.bound[name] != actual:
            return [f"{path}: expected {name} = {self.bound[name]!r} (bound earlier), got {actual!r}"]
        return []


def _defaults(result: dict[str, Json]) -> dict[str, Json]:
    """An op result with its omitted wire defaults filled in (README §5.1)."""
    return {"code": "", "replayed": False, "result": {}, "exceptions": [], **result}


# --- the world ------------------------------------------------------------------------------------


@dataclass
class VectorDevice:
    """A device of the vector: the simulated phone plus what a client tracks between requests."""

    sim: SimDevice
    believed_warehouse_id: int
    acked_seq: int = 0


@dataclass
class World:
    refs: Refs
    devices: dict[str, VectorDevice]


async def build_world(factory: Factory, setup: Json, base: datetime) -> World:
    """Create the setup's rows (README §2) and learn their ids."""
    refs = Refs()
    warehouses: dict[str, WarehouseFixture] = {}
    async with factory() as s, s.begin():
        for entry in setup["warehouses"]:
            warehouses[entry["ref"]] = await make_warehouse(s)
            refs.ids[entry["ref"]] = warehouses[entry["ref"]].warehouse.id
        for entry in setup.get("bins", []):
            location = await make_bin(
                s,
                warehouses[entry["warehouse"]],
                code=entry["ref"],
                type=LocationType(entry.get("type", "storage")),
                frozen=entry.get("frozen", False),
            )
            refs.ids[entry["ref"]] = location.id
        for entry in setup.get("skus", []):
            refs.ids[entry["ref"]] = (await make_sku(s, lot_controlled=entry.get("lot_controlled", False))).id
        await _seed_stock(s, setup.get("stock", []), refs, warehouses, base - STOCK_AGE)
        for entry in setup.get("tasks", []):
            await _make_task(s, entry, refs)
        for entry in setup.get("purchase_orders", []):
            await _make_purchase_order(s, entry, refs)
    devices = {}
    for entry in setup["devices"]:
        fixture = warehouses[entry["warehouse"]]
        sim = await make_device(
            factory, fixture.warehouse, [Role(entry.get("role", "picker"))], registered_at=base - DEVICE_AGE
        )
        devices[entry["ref"]] = VectorDevice(sim, fixture.warehouse.id)
        refs.ids[entry["ref"]] = sim.device_id
    return World(refs, devices)


async def _seed_stock(
    s: AsyncSession, stock: list[Json], refs: Refs, warehouses: dict[str, WarehouseFixture], at: datetime
) -> None:
    supplier_of = {fixture.warehouse.id: fixture.supplier.id for fixture in warehouses.values()}
    for index, entry in enumerate(stock):
        bin_id = refs.int_id(entry["bin"])
        location = await s.get(Location, bin_id)
        assert location is not None
        await post_moves(
            s,
            [
                MoveRequest(
                    sku_id=refs.int_id(entry["sku"]),
                    from_location_id=supplier_of[location.warehouse_id],
                    to_location_id=bin_id,
                    qty=entry["qty"],
                    reason=MoveReason.receipt,
                    idempotency_key=f"vector-seed:{index}",
                    occurred_at=at,
                )
            ],
            negative=NegativePolicy.refuse,
        )


async def _make_task(s: AsyncSession, entry: Json, refs: Refs) -> None:
    task = await open_task(
        s,
        warehouse_id=refs.int_id(entry["warehouse"]),
        kind=TaskKind(entry["kind"]),
        lines=[
            LineSpec(location_id=refs.int_id(line["bin"]), sku_id=refs.int_id(line["sku"]), qty=line["qty"])
            for line in entry["lines"]
        ],
        reference=entry.get("reference", ""),
        to_location_id=refs.int_id(entry["to"]) if "to" in entry else None,
    )
    task.status = TaskStatus(entry.get("status", "open"))
    await s.flush()
    refs.ids[entry["ref"]] = task.id
    line_ids = (
        await s.scalars(select(TaskLine.id).where(TaskLine.task_id == task.id).order_by(TaskLine.line_no))
    ).all()
    for line, line_id in zip(entry["lines"], line_ids, strict=True):
        refs.ids[line["ref"]] = line_id


async def _make_purchase_order(s: AsyncSession, entry: Json, refs: Refs) -> None:
    order = PurchaseOrder(
        code=f"PO-{entry['ref']}",
        warehouse_id=refs.int_id(entry["warehouse"]),
        over_receipt_tolerance_pct=entry.get("tolerance_pct", 0),
        status=PurchaseOrderStatus(entry.get("status", "open")),
    )
    s.add(order)
    await s.flush()
    s.add_all(
        PurchaseOrderLine(purchase_order_id=order.id, sku_id=refs.int_id(line["sku"]), qty_ordered=line["qty"])
        for line in entry["lines"]
    )
    await s.flush()
    refs.ids[entry["ref"]] = order.id


# --- running --------------------------------------------------------------------------------------


async def run_vector(client: Client, factory: Factory, vector: Json) -> None:
    """Build the world, run every step, then check the final state and the ledger."""
    base = datetime.now(UTC).replace(microsecond=0)
    world = await build_world(factory, vector["setup"], base)
    run = _Run(client, factory, vector["name"], base, world)
    for index, step in enumerate(vector["steps"]):
        await run.step(index, step)
    run.fail_if("final", await final_problems(factory, world.refs, vector.get("final", {})))
    async with factory() as s:
        report = await verify_ledger(s)
    run.fail_if("ledger", [f"level differs from its moves: {d}" for d in report.differences])


@dataclass
class _Run:
    client: Client
    factory: Factory
    name: str
    base: datetime
    world: World
    matcher: Matcher = field(default_factory=Matcher)
    built: dict[str, dict[str, Json]] = field(default_factory=dict)
    """Every op built so far, by op_id, so a later step can send it again (README §4.2)."""
    stamps: dict[tuple[str, int], int] = field(default_factory=dict)
    """Derived stamps so far per (device, millisecond): the next one's counter."""

    def fail_if(self, where: str, problems: list[str], response: Response | None = None) -> None:
        if problems:
            shown = f"\n  response {response.status_code}: {response.text[:3000]}" if response is not None else ""
            raise AssertionError(f"vector {self.name}, {where}:\n  " + "\n  ".join(problems) + shown)

    async def step(self, index: int, step: Json) -> None:
        where = f"step {index}" + (f" ({step['note']})" if "note" in step else "")
        if "action" in step:
            await self._action(step)
            return
        device = self.world.devices[step["device"]]
        expect = self.world.refs.resolve(step.get("expect", {}))
        if "push" in step:
            await self._push(where, device, step["push"], expect)
        else:
            await self._pull(where, device, step["pull"], expect)

    def _wire_op(self, device: VectorDevice, entry: Json) -> dict[str, Json]:
        """The op as the device sends it: derived ``hlc`` and ``wall_time`` (README §3.2, §4.2)."""
        if "repeat" in entry:
            overrides = {key: value for key, value in entry.items() if key != "repeat"}
            return {**self.built[entry["repeat"]], **self.world.refs.resolve(overrides)}
        at = self.base + parse_offset(entry["at"])
        op = {
            "op_id": entry["op_id"],
            "seq": entry["seq"],
            "name": entry["name"],
            "version": entry["version"],
            "payload": self.world.refs.resolve(entry["payload"]),
            "hlc": entry["hlc"] if "hlc" in entry else self._stamp(device, at),
            "wall_time": at.isoformat(),
        }
        self.built[op["op_id"]] = op
        return op

    def _stamp(self, device: VectorDevice, at: datetime) -> str:
        """README §3.2: the time of ``at``, a counter for ops of the same millisecond, the device's node."""
        millis = int(at.timestamp() * 1000)
        counter = self.stamps.get((device.sim.device_id, millis), 0)
        self.stamps[(device.sim.device_id, millis)] = counter + 1
        return Stamp(millis, counter, device.sim.device_id[:8]).format()

    def _body(self, device: VectorDevice, spec: Json) -> dict[str, Json]:
        return {
            "protocol": spec.get("protocol", 1),
            "device_id": device.sim.device_id,
            "warehouse_id": self.world.refs.resolve(spec.get("warehouse_id", device.believed_warehouse_id)),
        }

    def _status_problems(self, response: Response, expect: Json) -> list[str]:
        wanted = expect.get("status", 200)
        if response.status_code != wanted:
            return [f"status: expected {wanted}, got {response.status_code}"]
        if wanted == 200:
            return []
        error = {key: expect[key] for key in ("code", "detail") if key in expect}
        return self.matcher.match(error, response.json(), "error")

    async def _push(self, where: str, device: VectorDevice, spec: Json, expect: Json) -> None:
        ops = [self._wire_op(device, entry) for entry in spec["ops"]]
        body = {**self._body(device, spec), "client_version": spec.get("client_version", "vectors"), "ops": ops}
        response = await self.client.post("/api/sync/push", json=body, headers=device.sim.headers)
        problems = self._status_problems(response, expect)
        if not problems and response.status_code == 200:
            answer = response.json()
            device.acked_seq = max(device.acked_seq, answer.get("last_applied_seq", 0))
            problems = push_answer_problems(self.matcher, ops, answer, expect)
        self.fail_if(where, problems, response)

    async def _pull(self, where: str, device: VectorDevice, spec: Json, expect: Json) -> None:
        """One page, n pages, or pages until ``has_more`` is false (README §4.3)."""
        wanted = spec.get("pages", 1)
        budget = MAX_PAGES if wanted == "all" else int(wanted)
        cursor = self.world.refs.resolve(spec.get("cursor", device.sim.cursor))
        pages: list[dict[str, Json]] = []
        while len(pages) < budget:
            body = {
                **self._body(device, spec),
                "cursor": cursor,
                "limit": spec.get("limit", 1000),
                "acked_seq": spec.get("acked_seq", device.acked_seq),
            }
            response = await self.client.post("/api/sync/pull", json=body, headers=device.sim.headers)
            problems = self._status_problems(response, expect)
            if problems or response.status_code != 200:
                self.fail_if(where, problems, response)
                return
            pages.append(response.json())
            apply_page(device.sim.store, pages[-1])
            cursor = device.sim.cursor = pages[-1]["cursor"]
            if not pages[-1].get("has_more", False):
                break
        self.fail_if(where, pull_problems(self.matcher, pages, device.sim.store, expect))

    async def _action(self, step: Json) -> None:
        """A desk change between device requests (README §4.4), committed like any other writer's."""
        refs = self.world.refs
        async with self.factory() as s, s.begin():
            if step["action"] == "cancel_task":
                task = await s.get(Task, refs.int_id(step["task"]))
                assert task is not None
                task.status = TaskStatus.cancelled
                return
            device_id = str(refs[step["device"]])
            if step["action"] == "revoke_device":
                await s.execute(update(Device).where(Device.id == device_id).values(revoked_at=datetime.now(UTC)))
                await revoke_device_tokens(s, device_id)
            else:
                warehouse_id = refs.int_id(step["warehouse"])
                await s.execute(update(Device).where(Device.id == device_id).values(warehouse_id=warehouse_id))


def push_answer_problems(matcher: Matcher, ops: list[dict[str, Json]], answer: Json, expect: Json) -> list[str]:
    """A 200 push answer against README §5.1: one result per op, in order, then the partial checks."""
    problems = []
    results = answer["results"]
    if [(r["op_id"], r["seq"]) for r in results] != [(op["op_id"], op["seq"]) for op in ops]:
        problems.append(f"results: not one per op in request order: {[(r['op_id'], r['seq']) for r in results]}")
    if "last_applied_seq" in expect:
        problems += matcher.match(expect["last_applied_seq"], answer.get("last_applied_seq", 0), "last_applied_seq")
    if "results" in expect:
        problems += matcher.match(expect["results"], [_defaults(r) for r in results], "results")
    return problems


def apply_page(store: dict[tuple[str, str], dict[str, Json]], page: Json) -> None:
    """SPEC.md §6.2: a reset empties the store; puts replace rows, deletes remove them."""
    if page.get("reset"):
        store.clear()
    for change in page.get("changes", []):
        key = (change["entity"], change["key"])
        if change["op"] == "put":
            store[key] = change.get("data") or {}
        else:
            store.pop(key, None)


def pull_problems(
    matcher: Matcher, pages: list[dict[str, Json]], store: dict[tuple[str, str], dict[str, Json]], expect: Json
) -> list[str]:
    """The pages of one pull step against README §5.2."""
    first, last = pages[0], pages[-1]
    summary = {
        "status": 200,
        "reset": first.get("reset", False),
        "snapshot": first.get("snapshot", False),
        "snapshot_complete": any(page.get("snapshot_complete", False) for page in pages),
        "has_more": last.get("has_more", False),
        "last_applied_seq": last.get("last_applied_seq", 0),
        "resend_from": last.get("resend_from"),
    }
    problems = matcher.match({k: v for k, v in expect.items() if k in summary}, summary, "pull")
    received = {(c["entity"], c["key"]): c for page in pages for c in page.get("changes", [])}
    wanted = [{**change, "key": matcher.key(change["key"])} for change in expect.get("changes", [])]
    for index, change in enumerate(wanted):
        got = received.get((change["entity"], change["key"]))
        if got is None:
            problems.append(f"changes[{index}]: no change for {change['entity']} {change['key']}")
        else:
            problems += matcher.match(change, got, f"changes[{index}]")
    if expect.get("no_other_changes"):
        extra = sorted(set(received) - {(c["entity"], c["key"]) for c in wanted})
        if extra:
            problems.append(f"changes: also received {extra}")
    return problems + _store_problems(matcher, store, expect.get("store", {}))


def _store_problems(matcher: Matcher, store: dict[tuple[str, str], dict[str, Json]], wanted: Json) -> list[str]:
    problems = []
    for name, row in wanted.items():
        entity, _, key = matcher.key(name).partition(":")
        held = store.get((entity, key))
        if row is None and held is not None:
            problems.append(f"store[{name}]: expected absent, holds {held!r}")
        elif row is not None and held is None:
            problems.append(f"store[{name}]: absent, expected {row!r}")
        elif row is not None:
            problems += matcher.match(row, held, f"store[{name}]")
    return problems


async def final_problems(factory: Factory, refs: Refs, final: Json) -> list[str]:
    """The server's state after the last step (README §6)."""
    problems = []
    async with factory() as s:
        for entry in final.get("stock", []):
            on_hand = await s.scalar(
                select(func.coalesce(func.sum(StockLevel.on_hand), 0)).where(
                    StockLevel.location_id == refs.int_id(entry["bin"]), StockLevel.sku_id == refs.int_id(entry["sku"])
                )
            )
            if int(on_hand or 0) != entry["on_hand"]:
                problems.append(f"stock {entry['bin']}/{entry['sku']}: on hand {on_hand}, expected {entry['on_hand']}")
        for label, wanted, count in (
            ("open_tasks", final.get("open_tasks", {}), _open_tasks),
            ("open_exceptions", final.get("open_exceptions", {}), _open_exceptions),
            ("ops", final.get("ops", {}), _ops_with_status),
        ):
            for kind, expected in wanted.items():
                found = await count(s, kind)
                if found != expected:
                    problems.append(f"{label}.{kind}: {found}, expected {expected}")
    return problems


async def _open_tasks(s: AsyncSession, kind: str) -> int:
    query = (
        select(func.count())
        .select_from(Task)
        .where(Task.kind == TaskKind(kind), Task.status.in_((TaskStatus.open, TaskStatus.claimed)))
    )
    return int(await s.scalar(query) or 0)


async def _open_exceptions(s: AsyncSession, kind: str) -> int:
    query = (
        select(func.count())
        .select_from(WorkException)
        .where(WorkException.kind == kind, WorkException.status == ExceptionStatus.open)
    )
    return int(await s.scalar(query) or 0)


async def _ops_with_status(s: AsyncSession, status: str) -> int:
    ops = SYNC_TABLES.ops
    return int(await s.scalar(select(func.count()).select_from(ops).where(ops.c.status == status)) or 0)
