"""The order state machine (issue 4 §2): which status may follow which, each change an event.

pending payment → paid → review (held, with a reason) → routed → in wave → picked → packed →
shipped → delivered; cancel from anywhere before shipping. 合单: paid, held or routed orders may be
merged into another's parcel and wait as ``merged`` until it ships (or they are taken out again).
A change outside this table is a bug or a race (two people acting on one order) and is refused
with 409, never applied half-way.
"""

from __future__ import annotations

from typing import Any

from sqlalchemy.ext.asyncio import AsyncSession

from server.db.types import utcnow
from server.lib.errors import DomainError
from server.orders.models import Order, OrderEvent, OrderStatus

S = OrderStatus
NEXT: dict[OrderStatus, frozenset[OrderStatus]] = {
    S.pending_payment: frozenset({S.paid, S.cancelled}),
    S.paid: frozenset({S.review, S.routed, S.cancelled, S.shipped, S.merged}),
    S.review: frozenset({S.paid, S.routed, S.cancelled, S.shipped, S.merged}),
    S.routed: frozenset({S.review, S.in_wave, S.paid, S.cancelled, S.shipped, S.merged}),
    S.in_wave: frozenset({S.picked, S.review, S.cancelled}),
    S.picked: frozenset({S.packed, S.review, S.cancelled}),
    S.packed: frozenset({S.shipped, S.review, S.cancelled}),
    S.shipped: frozenset({S.delivered}),
    S.delivered: frozenset(),
    S.cancelled: frozenset(),
    S.merged: frozenset({S.paid, S.routed, S.shipped}),
}
"""``shipped`` straight from paid/review/routed: the merchant shipped it outside Cangku (the platform
says so). ``review`` from later steps: intercepted (拦截) — a refund request, a changed address.
``merged`` → ``shipped`` with its host's parcel; → ``paid`` or ``routed`` (with the reservations its
lines held) when taken out again (拆出) — before anything else happens to it on its own."""

OPEN = frozenset({S.pending_payment, S.paid, S.review, S.routed, S.in_wave, S.picked, S.packed, S.merged})
"""Not yet shipped nor cancelled: what the platform may still change."""


class TransitionRefused(DomainError):
    status = 409
    code = "order_status_conflict"


def record(order: Order, kind: str, *, actor: int | None = None, reason: str = "", **detail: Any) -> OrderEvent:
    """An event without a change of status (imported, updated by its platform, a line refunded)."""
    return OrderEvent(**record_values(order.id, order.status, kind, actor=actor, reason=reason, **detail))


def record_values(
    order_id: int, status: OrderStatus, kind: str, *, actor: int | None = None, reason: str = "", **detail: Any
) -> dict[str, Any]:
    """``record`` as values, for a batch that inserts its events in one statement (an import)."""
    return {
        "order_id": order_id,
        "at": utcnow(),
        "kind": kind,
        "from_status": status.value,
        "to_status": status.value,
        "actor_user_id": actor,
        "reason": reason,
        "detail": detail,
    }


def change_status(
    session: AsyncSession,
    order: Order,
    to: OrderStatus,
    *,
    actor: int | None,
    reason: str,
    kind: str = "status",
    hold_reason: str = "",
    **detail: Any,
) -> OrderEvent:
    """Move ``order`` to ``to`` and record who, when and why; refuses a move the table forbids."""
    event = OrderEvent(
        **transition(order, to, actor=actor, reason=reason, kind=kind, hold_reason=hold_reason, **detail)
    )
    session.add(event)
    return event


def transition(
    order: Order,
    to: OrderStatus,
    *,
    actor: int | None,
    reason: str,
    kind: str = "status",
    hold_reason: str = "",
    **detail: Any,
) -> dict[str, Any]:
    """``change_status`` without the session: moves ``order`` and answers its event as values, for
    a batch that writes thousands of events in one INSERT (routing a promotion's orders)."""
    if to not in NEXT[order.status]:
        raise TransitionRefused(
            f"order {order.platform_order_no} cannot go from {order.status} to {to}",
            message_zh=f"订单状态不能从 {order.status.value} 变为 {to.value}",
            detail={"order_id": order.id, "from": order.status.value, "to": to.value},
        )
    event = {
        "order_id": order.id,
        "at": utcnow(),
        "kind": kind,
        "from_status": order.status.value,
        "to_status": to.value,
        "actor_user_id": actor,
        "reason": reason,
        "detail": detail,
    }
    order.status = to
    order.hold_reason = hold_reason if to is S.review else ""
    return event
