"""Quality control (质检): release inspected goods out of quarantine, or reject them.

Goods that need inspection wait in a quarantine bin, which the stock states count as pending
inspection (not sellable). The inspector's verdict moves them through the ledger: passed goods to
a storage, pick or receiving bin (then they are available); failed goods to a returns bin (held
for the supplier, still not sellable) or to the warehouse's @LOSS location (scrapped). The
inspection row records who decided, and names the move, so the ledger and the verdict agree.
"""

from __future__ import annotations

import msgspec
from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from server.auth.identity import AuthUser
from server.inbound.bins import require_bin, require_default_bin
from server.inbound.keys import key_reused, request_digest
from server.inbound.models import QcInspection, QcResult
from server.inbound.schemas import QcInspectionOut, QcReleaseIn
from server.lib.errors import NotFound
from server.warehouse.ledger.models import MoveReason
from server.warehouse.ledger.service import MoveRequest, NegativePolicy, post_move
from server.warehouse.models import Location, LocationType
from server.warehouse.virtual_locations import virtual_location

PASSED_TYPES = frozenset({LocationType.storage, LocationType.pick, LocationType.receiving})
FAILED_TYPES = frozenset({LocationType.returns, LocationType.loss})


async def release(session: AsyncSession, user: AuthUser, data: QcReleaseIn, key: str) -> tuple[QcInspectionOut, bool]:
    """Record the verdict and move the goods; answers (inspection, replayed). Run in ``run_in_transaction``."""
    source = await session.get(Location, data.location_id)
    if source is None:
        raise NotFound(
            f"location {data.location_id} not found",
            message_zh="库位不存在",
            field="location_id",
            code="location_not_found",
        )
    user.require_warehouse(source.warehouse_id)
    digest = request_digest(request=msgspec.structs.replace(data, idempotency_key=None))
    earlier = await session.scalar(select(QcInspection).where(QcInspection.idempotency_key == key))
    if earlier is not None:
        if earlier.request_digest != digest:
            raise key_reused(key)
        return inspection_out(earlier, replayed=True), True

    warehouse_id = source.warehouse_id
    await require_bin(
        session,
        source.id,
        warehouse_id=warehouse_id,
        types={LocationType.quarantine},
        field="location_id",
        what="inspected goods",
    )
    target = await _target(session, warehouse_id, data)
    reason = MoveReason.release if data.result is QcResult.passed else _failed_reason(target)
    inspection = QcInspection(
        warehouse_id=warehouse_id,
        sku_id=data.sku_id,
        lot_id=data.lot_id,
        qty=data.qty,
        result=data.result,
        from_location_id=source.id,
        to_location_id=target.id,
        reference=data.reference,
        note=data.note,
        inspected_by_user_id=user.id,
        idempotency_key=key,
        request_digest=digest,
    )
    session.add(inspection)
    await session.flush()
    posted = await post_move(
        session,
        MoveRequest(
            sku_id=data.sku_id,
            lot_id=data.lot_id,
            from_location_id=source.id,
            to_location_id=target.id,
            qty=data.qty,
            reason=reason,
            idempotency_key=f"qc:{key}",
            reference=data.reference or f"QC-{inspection.id}",
            actor_user_id=user.id,
            device_id=user.device_id,
        ),
        negative=NegativePolicy.refuse,
    )
    inspection.move_id = posted.move_id
    await session.flush()
    return inspection_out(inspection, replayed=False), False


async def _target(session: AsyncSession, warehouse_id: int, data: QcReleaseIn) -> Location:
    passed = data.result is QcResult.passed
    if data.to_location_id is not None:
        return await require_bin(
            session,
            data.to_location_id,
            warehouse_id=warehouse_id,
            types=PASSED_TYPES if passed else FAILED_TYPES,
            field="to_location_id",
            what="passed goods" if passed else "failed goods",
        )
    if passed:
        return await require_default_bin(session, warehouse_id, LocationType.receiving, "to_location_id")
    return await virtual_location(session, warehouse_id, LocationType.loss)


def _failed_reason(target: Location) -> MoveReason:
    """Scrapped when written off to @LOSS; otherwise held in returns for the supplier (a transfer)."""
    return MoveReason.scrap if target.type is LocationType.loss else MoveReason.transfer


def inspection_out(row: QcInspection, *, replayed: bool) -> QcInspectionOut:
    return QcInspectionOut(
        id=row.id,
        warehouse_id=row.warehouse_id,
        sku_id=row.sku_id,
        lot_id=row.lot_id,
        qty=row.qty,
        result=row.result,
        from_location_id=row.from_location_id,
        to_location_id=row.to_location_id,
        move_id=row.move_id,
        reference=row.reference,
        note=row.note,
        inspected_by_user_id=row.inspected_by_user_id,
        idempotency_key=row.idempotency_key,
        replayed=replayed,
        created_at=row.created_at,
    )
