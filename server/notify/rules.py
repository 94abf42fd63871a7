"""Push rules in effect, and a manager changing them (ADR-0020).

For a kind and a warehouse the rule in effect is the warehouse's own row, else the installation's
row, else the built-in defaults of ``rule_kinds``: a whole row wins, fields are not mixed between
levels (what the settings screen shows is exactly what runs). Every rule is read once per
transaction (``session.info``), so a sync push of fifty ops with exceptions reads the table once.
"""

from __future__ import annotations

import logging
import re
from dataclasses import dataclass
from datetime import datetime
from typing import Any

import msgspec
from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from server.auth.identity import AuthUser
from server.auth.models import Role
from server.lib.errors import DomainError, Forbidden, NotFound
from server.lib.schema import Input
from server.notify.models import Urgency
from server.notify.rule_kinds import SPECS, KindSpec, RuleKind
from server.notify.rule_models import ALL_WAREHOUSES, PushRule
from server.notify.schemas import ParamHelpOut, RuleInput, RuleOut
from server.warehouse.models import Warehouse

log = logging.getLogger("cangku.notify")

_CACHE = "notify.rule_book"
ROLE_NAMES = frozenset(r.value for r in Role)


@dataclass(frozen=True, slots=True)
class Rule:
    """One kind's settings in effect for one scope."""

    kind: RuleKind
    enabled: bool
    roles: tuple[str, ...]
    params: Any
    """An instance of the kind's parameter Struct."""
    urgency: Urgency
    critical: bool
    source: str
    """``built_in``, ``default`` or ``warehouse``."""
    updated_at: datetime | None = None
    updated_by_user_id: int | None = None


def built_in(spec: KindSpec) -> Rule:
    return Rule(
        kind=spec.kind,
        enabled=spec.enabled,
        roles=spec.roles,
        params=spec.default_params(),
        urgency=spec.urgency,
        critical=spec.critical,
        source="built_in",
    )


def _from_row(spec: KindSpec, row: PushRule) -> Rule:
    try:
        params = spec.parse_params(row.params or {})
    except msgspec.ValidationError as exc:  # saved by an older version: run on defaults, say so
        log.warning(
            "push rule %s (warehouse %s) has unreadable params (%s); using defaults", row.kind, row.warehouse_id, exc
        )
        params = spec.default_params()
    return Rule(
        kind=spec.kind,
        enabled=row.enabled,
        roles=tuple(r for r in row.roles or () if r in ROLE_NAMES),
        params=params,
        urgency=row.urgency,
        critical=row.critical,
        source="default" if row.warehouse_id is None else "warehouse",
        updated_at=row.updated_at,
        updated_by_user_id=row.updated_by_user_id,
    )


class RuleBook:
    """Every rule row, read once; answers the rule in effect for any kind and warehouse."""

    def __init__(self, rows: list[PushRule]) -> None:
        self._rules: dict[tuple[RuleKind, int], Rule] = {}
        for row in rows:
            try:
                spec = SPECS[RuleKind(row.kind)]
            except ValueError:  # a kind no longer in the code: ignored, kept for a downgrade
                continue
            self._rules[(spec.kind, row.warehouse_key)] = _from_row(spec, row)

    def rule(self, kind: RuleKind, warehouse_id: int | None) -> Rule:
        if warehouse_id is not None and (kind, warehouse_id) in self._rules:
            return self._rules[(kind, warehouse_id)]
        return self._rules.get((kind, ALL_WAREHOUSES)) or built_in(SPECS[kind])

    def enabled_anywhere(self, kind: RuleKind) -> bool:
        """Whether any scope has ``kind`` on: a worker skips the query of a kind nobody wants."""
        return self.rule(kind, None).enabled or any(
            r.enabled for (k, key), r in self._rules.items() if k is kind and key != ALL_WAREHOUSES
        )

    def overridden_in(self, kind: RuleKind) -> list[int]:
        return sorted(key for (k, key) in self._rules if k is kind and key != ALL_WAREHOUSES)


async def rule_book(session: AsyncSession) -> RuleBook:
    cached = session.info.get(_CACHE)
    if isinstance(cached, RuleBook):
        return cached
    book = RuleBook(list(await session.scalars(select(PushRule))))
    session.info[_CACHE] = book
    return book


async def rule_for(session: AsyncSession, kind: RuleKind, warehouse_id: int | None) -> Rule:
    return (await rule_book(session)).rule(kind, warehouse_id)


# --- the manager's side ----------------------------------------------------------------------------


def spec_of(kind: str) -> KindSpec:
    try:
        return SPECS[RuleKind(kind)]
    except ValueError:
        raise NotFound(
            f"no push rule of kind {kind!r}; known: {', '.join(SPECS)}",
            message_zh=f"提醒规则类型 {kind} 不存在",
            field="kind",
            code="push_rule_not_found",
        ) from None


def _invalid(field: str, message: str, message_zh: str) -> DomainError:
    return DomainError(message, message_zh=message_zh, field=field, code="invalid_push_rule")


_PATH = re.compile(r"at `\$\.([A-Za-z_]\w*)")
_UNKNOWN = re.compile(r"unknown field `([^`]*)`")


def _param_error(kind: str, exc: msgspec.ValidationError) -> DomainError:
    text = str(exc)
    found = _UNKNOWN.search(text) or _PATH.search(text)
    name = found.group(1) if found else ""
    return _invalid(
        f"params.{name}" if name else "params",
        f"{kind} params: {text}",
        f"提醒规则参数无效（{name or 'params'}）：{text}",
    )


def check_params(spec: KindSpec, raw: dict[str, Any]) -> Input:
    try:
        return spec.parse_params(raw)
    except msgspec.ValidationError as exc:
        raise _param_error(spec.kind.value, exc) from exc


def check_roles(roles: list[str]) -> list[str]:
    unknown = [r for r in roles if r not in ROLE_NAMES]
    if unknown:
        raise _invalid(
            "roles",
            f"unknown roles {unknown}; known: {', '.join(sorted(ROLE_NAMES))}",
            f"角色不存在：{', '.join(unknown)}",
        )
    if not roles:
        raise _invalid(
            "roles", "name at least one role to notify (or disable the rule)", "请至少指定一个接收角色（或停用该规则）"
        )
    return list(dict.fromkeys(roles))


def check_urgency(value: str) -> Urgency:
    try:
        return Urgency(value)
    except ValueError:
        raise _invalid(
            "urgency", "urgency must be very-low, low, normal or high", "urgency 须为 very-low、low、normal 或 high"
        ) from None


async def _scope(session: AsyncSession, user: AuthUser, warehouse_id: int | None, *, writing: bool) -> None:
    """A warehouse's rules are its managers'; the installation's default is for someone who sees
    every warehouse, because it applies to all of them."""
    if warehouse_id is None:
        if writing and not user.all_warehouses:
            raise Forbidden(
                "the default push rules apply to every warehouse: give warehouse_id to change one warehouse's",
                message_zh="默认提醒规则适用于所有仓库；请指定 warehouse_id 修改单个仓库的规则",
                field="warehouse_id",
                code="push_rule_default_needs_all_warehouses",
            )
        return
    if await session.get(Warehouse, warehouse_id) is None:
        raise NotFound(f"no warehouse {warehouse_id}", message_zh="仓库不存在", field="warehouse_id")
    user.require_warehouse(warehouse_id)


def rule_out(book: RuleBook, spec: KindSpec, warehouse_id: int | None) -> RuleOut:
    rule = book.rule(spec.kind, warehouse_id)
    return RuleOut(
        kind=spec.kind.value,
        group=spec.group,
        label_en=spec.label_en,
        label_zh=spec.label_zh,
        description_en=spec.description_en,
        description_zh=spec.description_zh,
        warehouse_id=warehouse_id,
        source=rule.source,
        enabled=rule.enabled,
        roles=list(rule.roles),
        params=msgspec.to_builtins(rule.params),
        urgency=rule.urgency.value,
        critical=rule.critical,
        params_schema=spec.params_schema(),
        params_help=[ParamHelpOut(p.name, p.label_en, p.label_zh, p.help_en, p.help_zh) for p in spec.params_help],
        built_in={
            "enabled": spec.enabled,
            "roles": list(spec.roles),
            "params": msgspec.to_builtins(spec.default_params()),
            "urgency": spec.urgency.value,
            "critical": spec.critical,
        },
        overridden_in=book.overridden_in(spec.kind),
        updated_at=rule.updated_at,
        updated_by_user_id=rule.updated_by_user_id,
    )


async def list_rules(session: AsyncSession, user: AuthUser, warehouse_id: int | None) -> list[RuleOut]:
    await _scope(session, user, warehouse_id, writing=False)
    book = await rule_book(session)
    return [rule_out(book, spec, warehouse_id) for spec in SPECS.values()]


async def save_rule(session: AsyncSession, user: AuthUser, kind: str, data: RuleInput) -> RuleOut:
    """Write the scope's row from the rule in effect there plus ``data``; everything is checked
    before anything is written."""
    spec = spec_of(kind)
    await _scope(session, user, data.warehouse_id, writing=True)
    current = (await rule_book(session)).rule(spec.kind, data.warehouse_id)
    params = check_params(spec, {**msgspec.to_builtins(current.params), **(data.params or {})})
    roles = check_roles(data.roles) if data.roles is not None else list(current.roles)
    urgency = check_urgency(data.urgency) if data.urgency is not None else current.urgency
    key = data.warehouse_id if data.warehouse_id is not None else ALL_WAREHOUSES
    row = await session.scalar(
        select(PushRule).where(PushRule.kind == spec.kind.value, PushRule.warehouse_key == key).with_for_update()
    )
    if row is None:
        row = PushRule(kind=spec.kind.value, warehouse_id=data.warehouse_id, warehouse_key=key)
        session.add(row)
    row.enabled = current.enabled if data.enabled is None else data.enabled
    row.roles = roles
    row.params = msgspec.to_builtins(params)
    row.urgency = urgency
    row.critical = current.critical if data.critical is None else data.critical
    row.updated_by_user_id = user.id
    await session.flush()
    session.info.pop(_CACHE, None)
    return rule_out(await rule_book(session), spec, data.warehouse_id)


async def delete_rule(session: AsyncSession, user: AuthUser, kind: str, warehouse_id: int | None) -> None:
    """Drop a scope's row: a warehouse falls back to the installation's rule, the installation to
    the built-in defaults."""
    spec = spec_of(kind)
    await _scope(session, user, warehouse_id, writing=True)
    key = warehouse_id if warehouse_id is not None else ALL_WAREHOUSES
    row = await session.scalar(select(PushRule).where(PushRule.kind == spec.kind.value, PushRule.warehouse_key == key))
    if row is None:
        raise NotFound(
            "these settings are not saved (they already are the defaults)",
            message_zh="该范围没有保存的设置（已是默认值）",
            code="push_rule_not_found",
        )
    await session.delete(row)
    await session.flush()
    session.info.pop(_CACHE, None)
