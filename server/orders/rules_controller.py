"""HTTP face of the order rules (审单, 策略分仓, 快递) and of running them: process and what-if."""

from __future__ import annotations

from typing import Annotated, Any

import msgspec
from litestar import Controller, get, post, put
from litestar.params import Parameter
from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from server.auth.guards import requires
from server.auth.identity import AuthUser
from server.auth.permissions import Permission
from server.db.types import utcnow
from server.lib.errors import DomainError
from server.lib.schema import Input, Schema
from server.orders import actions
from server.orders.models import Order, OrderRuleSet, OrderStatus
from server.orders.processing import RULE_TYPES, WhatIf, load_rules, process_paid, what_if
from server.orders.schemas import OrderOut, ProcessInput, ProcessOut, WhatIfInput
from server.orders.urgency import UNSHIPPED, Flag, UrgencySettings, urgent
from server.orders.views import order_out

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


class OrderActionInput(Input):
    reason: Annotated[str, msgspec.Meta(max_length=500)] = ""


class OrderActionController(Controller):
    path = "/api/orders"
    tags = ["orders"]  # noqa: RUF012

    @post("/{order_id:int}/hold", operation_id="HoldOrder", guards=Write, status_code=200)
    async def hold(
        self, db_session: AsyncSession, current_user: AuthUser, order_id: int, data: OrderActionInput
    ) -> OrderOut:
        """Hold for a person (审单拦截); the reason shows on the order."""
        reason = data.reason or "held by a person"
        return order_out(await actions.hold(db_session, order_id, actor=current_user.id, reason=reason))

    @post("/{order_id:int}/release", operation_id="ReleaseOrder", guards=Write, status_code=200)
    async def release(
        self, db_session: AsyncSession, current_user: AuthUser, order_id: int, data: OrderActionInput
    ) -> OrderOut:
        """Back to paid: the next processing run reviews and routes it again."""
        return order_out(await actions.release(db_session, order_id, actor=current_user.id, reason=data.reason))

    @post("/{order_id:int}/cancel", operation_id="CancelOrder", guards=Write, status_code=200)
    async def cancel(
        self, db_session: AsyncSession, current_user: AuthUser, order_id: int, data: OrderActionInput
    ) -> OrderOut:
        """Cancel before picking; reserved stock goes back to available at once."""
        return order_out(await actions.cancel(db_session, order_id, actor=current_user.id, reason=data.reason))


class UrgentOrderOut(Schema):
    order: OrderOut
    flags: list[Flag]


class UrgentOrderController(Controller):
    path = "/api/orders/urgent"
    tags = ["orders"]  # noqa: RUF012

    @get("/", operation_id="ListUrgentOrders", guards=Read)
    async def urgent_orders(
        self,
        db_session: AsyncSession,
        promotion: bool = False,
        late_margin_minutes: int = 240,
        cut_off: Annotated[list[str] | None, Parameter(description="carrier pickup times HH:MM")] = None,
        cut_off_minutes: int = 60,
        limit: int = 200,
    ) -> list[UrgentOrderOut]:
        """Unshipped orders that must move now — VIP, ship-by today, carrier cut-off near, the
        platform's late-shipment deadline at risk, paid but out of stock — nearest deadline first."""
        settings = UrgencySettings(
            promotion=promotion,
            late_margin_minutes=late_margin_minutes,
            cut_offs=cut_off or ["17:00"],
            cut_off_minutes=cut_off_minutes,
        )
        orders = list(await db_session.scalars(select(Order).where(Order.status.in_(sorted(UNSHIPPED)))))
        flagged = urgent(orders, utcnow(), settings)[: max(1, min(limit, 1000))]
        return [UrgentOrderOut(order=order_out(order), flags=found) for order, found in flagged]


class OrderProcessingController(Controller):
    path = "/api/orders"
    tags = ["orders"]  # noqa: RUF012

    @post("/process", operation_id="ProcessOrders", guards=Write, status_code=200)
    async def process(self, db_session: AsyncSession, current_user: AuthUser, data: ProcessInput) -> ProcessOut:
        """Review, route, reserve and choose a carrier for paid orders, most urgent first; with
        ``merge``, orders of one buyer and address are merged first (合单)."""
        report = await process_paid(db_session, order_ids=data.order_ids, actor=current_user.id, merge=data.merge)
        return ProcessOut(
            routed=report.routed, held=report.held, orders=report.orders, merged=report.merged, split=report.split
        )

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
