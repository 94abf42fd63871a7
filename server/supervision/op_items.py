"""Items from the sync op log (``sync_ops``): held ops, rejected ops, ops applied with exceptions,
and short picks. Closing or applying an op (``POST /api/sync/ops/{op_id}/resolve``) sets its
``resolved_at``, which takes it off the queue.

An excepted count waiting for approval is left to its count variance (the variance is what a
person decides; its op stays in the log unresolved once decided), and a short pick is listed as a
shortage rather than as a generic exception.
"""

from __future__ import annotations

from typing import Any

import msgspec
from sqlalchemy import ColumnElement, String, cast, func, select
from sqlalchemy.ext.asyncio import AsyncSession

from server.supervision import actions
from server.supervision.lookups import Codes, load_codes
from server.supervision.schemas import Item, ItemKind, Text
from server.supervision.scope import QueueScope
from server.syncapi.tables import SYNC_TABLES
from server.warehouse.count_variances import AWAITING_APPROVAL
from sync.wire import OpStatus

SHORT_PICK = "fulfilment.pick_short"
OP_LABELS = {
    "warehouse.item_moved": Text(en="move", zh="移库"),
    "warehouse.bin_counted": Text(en="count", zh="盘点"),
    "fulfilment.item_picked": Text(en="pick", zh="拣货"),
    SHORT_PICK: Text(en="short pick", zh="短拣"),
    "inbound.item_received": Text(en="receipt", zh="收货"),
    "packing.parcel_verified": Text(en="pack check", zh="复核"),
    "returns.return_received": Text(en="return", zh="退货入库"),
    "tasks.task_claimed": Text(en="task claim", zh="领取任务"),
    "tasks.task_completed": Text(en="task completion", zh="完成任务"),
}
HELD_BECAUSE = {
    "device_revoked": Text(en="from a revoked device", zh="来自已停用的设备"),
    "device_moved": Text(en="from a device now in another warehouse", zh="来自已调往其他仓库的设备"),
    "op_version_unknown": Text(en="of a version this server does not know", zh="版本高于服务器"),
}


def _label(name: str) -> Text:
    return OP_LABELS.get(name, Text(en=name, zh=name))


def _int(value: Any) -> int | None:
    return value if isinstance(value, int) and not isinstance(value, bool) else None


def _where(scope: QueueScope, kind: ItemKind) -> list[ColumnElement[bool]]:
    t = SYNC_TABLES.ops
    where = [t.c.resolved_at.is_(None), scope.only(t.c.warehouse_id)]
    if kind is ItemKind.held_op:
        return [*where, t.c.status == OpStatus.held.value]
    if kind is ItemKind.rejected_op:
        return [*where, t.c.status == OpStatus.rejected.value]
    excepted = [*where, t.c.status == OpStatus.applied_with_exception.value]
    if kind is ItemKind.shortage:
        return [*excepted, t.c.name == SHORT_PICK]
    return [*excepted, t.c.name != SHORT_PICK, ~cast(t.c.exceptions, String).like(f"%{AWAITING_APPROVAL}%")]


async def op_items(session: AsyncSession, scope: QueueScope, take: int, *, kind: ItemKind) -> tuple[int, list[Item]]:
    """(how many, the ``take`` oldest) unresolved ops of ``kind``."""
    t = SYNC_TABLES.ops
    where = _where(scope, kind)
    total = int(await session.scalar(select(func.count()).select_from(t).where(*where)) or 0)
    rows = (await session.execute(select(t).where(*where).order_by(t.c.event_time, t.c.id).limit(take))).all()
    if not rows:
        return total, []
    refs = [_merged_refs(row) for row in rows]
    codes = await load_codes(
        session,
        location_ids=[r.get("location_id") for r in refs],
        sku_ids=[r.get("sku_id") for r in refs],
        lot_ids=[r.get("lot_id") for r in refs],
        task_ids=[r.get("task_id") for r in refs],
        task_line_ids=[r.get("task_line_id") for r in refs],
    )
    return total, [_item(row, kind, ref, codes) for row, ref in zip(rows, refs, strict=True)]


def _merged_refs(row: Any) -> dict[str, Any]:
    """What the op names: its payload's bin, SKU, lot and task line, else its exceptions' refs."""
    payload = row.payload if isinstance(row.payload, dict) else {}
    found: dict[str, Any] = {}
    for raised in reversed(row.exceptions or []):
        if isinstance(raised, dict) and isinstance(raised.get("ref"), dict):
            found.update(raised["ref"])
    location = payload.get("location_id", payload.get("from_location_id"))
    for key, value in (
        ("location_id", location),
        ("sku_id", payload.get("sku_id")),
        ("lot_id", payload.get("lot_id")),
        ("task_line_id", payload.get("task_line_id")),
        ("task_id", payload.get("task_id")),
        ("qty", payload.get("qty")),
    ):
        if _int(value) is not None:
            found[key] = value
    return found


def _item(row: Any, kind: ItemKind, ref: dict[str, Any], codes: Codes) -> Item:
    refs = msgspec.structs.replace(
        codes.refs(
            location_id=_int(ref.get("location_id")),
            sku_id=_int(ref.get("sku_id")),
            lot_id=_int(ref.get("lot_id")),
            task_id=_int(ref.get("task_id")),
            task_line_id=_int(ref.get("task_line_id")),
        ),
        op_id=row.op_id,
        op_name=row.name,
        exception_id=_int(ref.get("exception_id")),
        qty=_int(ref.get("qty")),
    )
    title, detail = _texts(row, kind, ref, refs.location_code or "?", refs.sku_code or "?")
    if kind is ItemKind.held_op:
        buttons = [actions.release_op(row.op_id), actions.discard_op(row.op_id)]
    else:
        buttons = [actions.close_op(row.op_id)]
    return Item(
        id=f"op:{row.op_id}",
        kind=kind,
        title=title,
        detail=detail,
        at=row.event_time,
        warehouse_id=row.warehouse_id,
        user_id=row.user_id,
        device_id=row.device_id,
        refs=refs,
        actions=buttons,
    )


def _texts(row: Any, kind: ItemKind, ref: dict[str, Any], bin_code: str, sku_code: str) -> tuple[Text, Text]:
    label = _label(row.name)
    said = Text(en=row.message, zh=row.message_zh or row.message)
    raised = [r for r in row.exceptions or [] if isinstance(r, dict)]
    told = Text(
        en="; ".join(str(r.get("message", "")) for r in raised),
        zh="；".join(str(r.get("message_zh") or r.get("message", "")) for r in raised),
    )
    if kind is ItemKind.held_op:
        why = HELD_BECAUSE.get(row.code, Text(en=row.code, zh=row.code))
        return Text(en=f"Held {label.en} {why.en}", zh=f"暂挂的{label.zh}：{why.zh}"), said
    if kind is ItemKind.rejected_op:
        return Text(en=f"Rejected {label.en}: {said.en}", zh=f"被拒绝的{label.zh}：{said.zh}"), said
    if kind is ItemKind.shortage:
        found, wanted, moved = ref.get("found_qty", "?"), ref.get("line_qty", "?"), _int(ref.get("rerouted_qty")) or 0
        title = Text(
            en=f"Short pick at bin {bin_code}: {found} of {wanted} {sku_code} found"
            + (f", {moved} re-routed" if moved else ""),
            zh=f"短拣：库位 {bin_code} 的 {sku_code} 仅找到 {found}/{wanted}"
            + (f"，{moved} 件已改派" if moved else ""),
        )
        return title, told
    first = raised[0] if raised else {}
    return (
        Text(
            en=f"{label.en}: {first.get('message') or first.get('kind') or row.code}",
            zh=f"{label.zh}：{first.get('message_zh') or first.get('message') or first.get('kind') or row.code}",
        ),
        told,
    )
