"""HTTP face of the supervisor's exceptions queue (``sync.review``)."""

from __future__ import annotations

from typing import Annotated

from litestar import Controller, get, post
from litestar.params import Parameter
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from server.auth.guards import requires
from server.auth.identity import AuthUser
from server.auth.permissions import Permission
from server.db.transaction import run_in_transaction
from server.lib.pagination import PageParams
from server.supervision import work_items
from server.supervision.queue import exception_queue
from server.supervision.schemas import ItemKind, Queue, ResolveInput, WorkExceptionOut

Review = [requires(Permission.sync_review)]


class SupervisionController(Controller):
    path = "/api/supervision"
    tags = ["supervision"]  # noqa: RUF012

    @get("/exceptions", operation_id="ListExceptions", guards=Review)
    async def exceptions(
        self,
        db_session: AsyncSession,
        current_user: AuthUser,
        page: PageParams,
        warehouse_id: int | None = None,
        kind: Annotated[ItemKind | None, Parameter(description="only items of this kind")] = None,
    ) -> Queue:
        """Everything waiting for a person, oldest first: count variances, held, rejected and excepted
        ops, shortages (short picks, orders waiting for stock) and negative bins. Each item lists
        the requests that settle it; settled items drop off."""
        return await exception_queue(db_session, current_user, page, warehouse_id=warehouse_id, kind=kind)

    @post(
        "/work-exceptions/{exception_id:int}/resolve",
        operation_id="ResolveWorkException",
        guards=Review,
        status_code=200,
    )
    async def resolve(
        self,
        session_factory: async_sessionmaker[AsyncSession],
        current_user: AuthUser,
        exception_id: int,
        data: ResolveInput,
    ) -> WorkExceptionOut:
        """Close a work exception with a note (nothing is deleted)."""
        return await run_in_transaction(
            session_factory, lambda s: work_items.resolve(s, current_user, exception_id, data)
        )


CONTROLLERS: list[type] = [SupervisionController]
