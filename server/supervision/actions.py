"""The existing endpoints an item's buttons call, with what each needs in its body.

Paths are those of ``server.syncapi.controller``, ``server.warehouse.count_controller``,
``server.orders.rules_controller`` and this package's own controller; a test posts every one.
"""

from __future__ import annotations

from server.supervision.schemas import Action, Text


def _op(op_id: str) -> str:
    return f"/api/sync/ops/{op_id}/resolve"


def release_op(op_id: str) -> Action:
    return Action(
        name="release",
        label=Text(en="Release (apply now)", zh="放行执行"),
        method="POST",
        path=_op(op_id),
        body={"action": "apply", "note": ""},
        note_field="note",
    )


def discard_op(op_id: str) -> Action:
    return Action(
        name="discard",
        label=Text(en="Discard", zh="丢弃"),
        method="POST",
        path=_op(op_id),
        body={"action": "close", "note": ""},
        note_field="note",
        danger=True,
    )


def close_op(op_id: str) -> Action:
    return Action(
        name="dismiss",
        label=Text(en="Mark handled", zh="标记已处理"),
        method="POST",
        path=_op(op_id),
        body={"action": "close", "note": ""},
        note_field="note",
    )


def approve_variance(variance_id: int) -> Action:
    return Action(
        name="approve",
        label=Text(en="Approve (adjust stock)", zh="批准（调整库存）"),
        method="POST",
        path=f"/api/count-variances/{variance_id}/approve",
    )


def reject_variance(variance_id: int, *, recount: bool) -> Action:
    return Action(
        name="reject_recount" if recount else "reject",
        label=Text(en="Reject and recount", zh="驳回并复盘") if recount else Text(en="Reject", zh="驳回"),
        method="POST",
        path=f"/api/count-variances/{variance_id}/reject",
        body={"reason": "", "recount": recount},
        note_field="reason",
        note_required=True,
        danger=not recount,
    )


def count_bin(warehouse_id: int, location_id: int) -> Action:
    return Action(
        name="count",
        label=Text(en="Count this bin", zh="盘点此库位"),
        method="POST",
        path="/api/count-tasks",
        body={"warehouse_id": warehouse_id, "location_ids": [location_id], "blind": True},
    )


def route_again(order_id: int) -> Action:
    return Action(
        name="route_again",
        label=Text(en="Route again", zh="重新分仓"),
        method="POST",
        path=f"/api/orders/{order_id}/release",
        body={"reason": ""},
        note_field="reason",
    )


def cancel_order(order_id: int) -> Action:
    return Action(
        name="cancel",
        label=Text(en="Cancel order", zh="取消订单"),
        method="POST",
        path=f"/api/orders/{order_id}/cancel",
        body={"reason": ""},
        note_field="reason",
        note_required=True,
        danger=True,
    )


def resolve_work_exception(exception_id: int) -> Action:
    return Action(
        name="dismiss",
        label=Text(en="Mark handled", zh="标记已处理"),
        method="POST",
        path=f"/api/supervision/work-exceptions/{exception_id}/resolve",
        body={"note": ""},
        note_field="note",
    )
