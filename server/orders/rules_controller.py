"""HTTP face of the order rules (审单, 策略分仓, 快递) and of running them: process and what-if."""

from __future__ import annotations

from typing import Any

import msgspec
from litestar import Controller, get, post, put
from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from server.auth.guards import requires
from server.auth.identity import AuthUser
from server.auth.permissions import Permission
from server.lib.errors import DomainError
from server.orders.models import Order, OrderRuleSet, OrderStatus
from server.orders.processing import RULE_TYPES, WhatIf, load_rules, process_paid, what_if
from server.orders.schemas import ProcessInput, ProcessOut, WhatIfInput

Read = [requires(Permission.orders_read)]
Write = [requires(Permission.orders_write)]


def _rules_of(kind: str, items: list[dict[str, Any]]) -> list[Any]:
    """Rules as the engine reads them; a 400 naming the offending item and field otherwise."""
    try:
        converted: list[Any] = msgspec.convert(items, RULE_TYPES[kind])
    except msgspec.ValidationError as exc:
        raise DomainError(f"{kind} rules: {exc}", message_zh="规则格式错误", field=kind, code="invalid_rules") from exc
    return converted


class OrderRulesController(Controller):
    path = "/api/order-rules"
    tags = ["orders"]  # noqa: RUF012

    @get("/", operation_id="GetOrderRules", guards=Read)
    async def get_rules(self, db_session: AsyncSession) -> dict[str, Any]:
        """Review (审单), routing (策略分仓) and carrier rules, and the carriers' rates, in order."""
        book = await load_rules(db_session)
        return {kind: msgspec.to_builtins(getattr(book, kind)) for kind in RULE_TYPES}

    @put("/{kind:str}", operation_id="SaveOrderRules", guards=Write)
    async def save_rules(
        self, db_session: AsyncSession, current_user: AuthUser, kind: str, data: list[dict[str, Any]]
    ) -> list[Any]:
        """Replace the rules of ``kind`` (``review``, ``routing``, ``carrier``, ``rates``) as a whole."""
        if kind not in RULE_TYPES:
            raise DomainError(
                f"no rules of kind {kind!r}", message_zh="规则类型不存在", field="kind", code="not_found", status=404
            )
        rules = _rules_of(kind, data)
        row = await db_session.get(OrderRuleSet, kind)
        if row is None:
            row = OrderRuleSet(kind=kind)
            db_session.add(row)
        row.document = {"items": msgspec.to_builtins(rules)}
        row.updated_by_user_id = current_user.id
        await db_session.flush()
        return list(msgspec.to_builtins(rules))


class OrderProcessingController(Controller):
    path = "/api/orders"
    tags = ["orders"]  # noqa: RUF012

    @post("/process", operation_id="ProcessOrders", guards=Write, status_code=200)
    async def process(self, db_session: AsyncSession, current_user: AuthUser, data: ProcessInput) -> ProcessOut:
        """Review, route, reserve and choose a carrier for paid orders, most urgent first."""
        report = await process_paid(db_session, order_ids=data.order_ids, actor=current_user.id)
        return ProcessOut(routed=report.routed, held=report.held, orders=report.orders)

    @post("/what-if", operation_id="OrdersWhatIf", guards=Read, status_code=200)
    async def what_if(self, db_session: AsyncSession, data: WhatIfInput) -> list[WhatIf]:
        """What the rules (saved, or the ones given) would decide for these orders now; nothing changes."""
        book = await load_rules(db_session)
        for kind in RULE_TYPES:
            given = getattr(data, kind)
            if given is not None:
                setattr(book, kind, _rules_of(kind, given))
        statement = select(Order).where(Order.status.in_([OrderStatus.paid, OrderStatus.review])).order_by(Order.id)
        if data.order_ids is not None:
            statement = select(Order).where(Order.id.in_(data.order_ids)).order_by(Order.id)
        orders = list(await db_session.scalars(statement.limit(1000)))
        return await what_if(db_session, orders, book)  # reads only: the engine works on copies
