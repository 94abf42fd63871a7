"""HTTP face of QC release and put-away (suggestions and the SKUs' fixed pick faces)."""

from __future__ import annotations

from typing import Annotated

from litestar import Controller, Response, delete, get, post
from litestar.params import Dependency, HeaderParameter, Parameter
from litestar.status_codes import HTTP_200_OK, HTTP_201_CREATED
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from server.auth.guards import requires
from server.auth.identity import AuthUser
from server.auth.permissions import Permission
from server.db.transaction import run_in_transaction
from server.inbound import pick_faces, putaway, qc
from server.inbound.keys import request_key
from server.inbound.models import BinAssignmentKind, SkuBinAssignment
from server.inbound.schemas import (
    PutawaySuggestionsOut,
    QcInspectionOut,
    QcReleaseIn,
    SkuBinAssignmentIn,
    SkuBinAssignmentOut,
)
from server.lib.pagination import Page, PageParams, paginate

Read = [requires(Permission.warehouse_read)]
Write = [requires(Permission.warehouse_write)]
"""QC makes stock sellable or scraps it: a supervisor's decision until there is a QC role."""


def assignment_out(a: SkuBinAssignment) -> SkuBinAssignmentOut:
    return SkuBinAssignmentOut(
        id=a.id,
        sku_id=a.sku_id,
        warehouse_id=a.warehouse_id,
        location_id=a.location_id,
        kind=BinAssignmentKind(a.kind),
        created_at=a.created_at,
    )


class QcController(Controller):
    path = "/api/qc"
    tags = ["inbound"]  # noqa: RUF012

    @post("/release", operation_id="ReleaseQc", guards=Write)
    async def release(
        self,
        data: QcReleaseIn,
        current_user: AuthUser,
        session_factory: Annotated[async_sessionmaker[AsyncSession], Dependency(skip_validation=True)],
        idempotency_key: Annotated[
            str | None, HeaderParameter(name="Idempotency-Key", description="retry key when the body carries none")
        ] = None,
    ) -> Response[QcInspectionOut]:
        """Move inspected goods out of a quarantine bin: passed to a storage/pick/receiving bin (default
        the receiving bin), failed to a returns bin or @LOSS (default: scrapped). 201 when recorded,
        200 when this repeats an earlier request with the same key."""
        key = request_key(data.idempotency_key, idempotency_key)
        out, replayed = await run_in_transaction(session_factory, lambda s: qc.release(s, current_user, data, key))
        return Response(out, status_code=HTTP_200_OK if replayed else HTTP_201_CREATED)


class PutawayController(Controller):
    path = "/api/putaway"
    tags = ["inbound"]  # noqa: RUF012

    @get("/suggest", operation_id="SuggestPutaway", guards=Read)
    async def suggest(
        self,
        db_session: AsyncSession,
        current_user: AuthUser,
        warehouse_id: int,
        sku_id: int,
        qty: Annotated[int, Parameter(ge=1, le=10_000_000)],
        lot_id: Annotated[int | None, Parameter(description="prefer bins holding this lot")] = None,
        zone_id: Annotated[int | None, Parameter(description="empty bins from this zone only")] = None,
        limit: Annotated[int, Parameter(ge=1, le=50)] = 10,
    ) -> PutawaySuggestionsOut:
        """Candidate bins best first (pick face, bins holding the SKU, empty bins of its zone by walking
        order), each with its reason in English and Chinese."""
        return await putaway.suggest(
            db_session,
            current_user,
            warehouse_id=warehouse_id,
            sku_id=sku_id,
            qty=qty,
            lot_id=lot_id,
            zone_id=zone_id,
            limit=limit,
        )

    @post("/assignments", operation_id="AssignPickFace", guards=Write)
    async def assign(
        self, db_session: AsyncSession, current_user: AuthUser, data: SkuBinAssignmentIn
    ) -> SkuBinAssignmentOut:
        """Make a bin the SKU's fixed pick face in its warehouse (one each way)."""
        return assignment_out(await pick_faces.assign(db_session, current_user, data))

    @get("/assignments", operation_id="ListPickFaces", guards=Read)
    async def list_assignments(
        self,
        db_session: AsyncSession,
        current_user: AuthUser,
        page: PageParams,
        warehouse_id: int | None = None,
        sku_id: int | None = None,
    ) -> Page[SkuBinAssignmentOut]:
        statement = pick_faces.assignment_query(current_user, warehouse_id=warehouse_id, sku_id=sku_id)
        return await paginate(db_session, statement, page, assignment_out)

    @delete("/assignments/{assignment_id:int}", operation_id="UnassignPickFace", guards=Write)
    async def unassign(self, db_session: AsyncSession, current_user: AuthUser, assignment_id: int) -> None:
        await pick_faces.unassign(db_session, current_user, assignment_id)
