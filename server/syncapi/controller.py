"""Routes of the sync protocol (SPEC.md §5–§7) and of the supervisor's op queue."""

from __future__ import annotations

import asyncio
from collections.abc import AsyncGenerator
from typing import Annotated, Any

from litestar import Controller, Request, get, post
from litestar.params import Body
from litestar.response import ServerSentEvent, ServerSentEventMessage
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from server.auth.guards import requires
from server.auth.identity import AuthUser
from server.auth.permissions import Permission
from server.db.engine import write_gate
from server.db.transaction import run_in_transaction
from server.lib.pagination import Page, PageParams
from server.syncapi import review, service
from server.syncapi.devices import bearer_token, device_for_push, device_warehouse
from server.syncapi.schemas import OpRecordOut, OpResolve, OpSpecOut
from server.syncapi.tables import POKE_HUB
from server.syncapi.wire_body import decode_body
from sync.registry import OpKind
from sync.wire import PullRequest, PullResponse, PushRequest, PushResponse

POKE_HEARTBEAT_SECONDS = 25.0
"""Below the 30–60 s idle timeouts of common proxies, so the stream is not cut while quiet."""


class SyncController(Controller):
    path = "/api/sync"
    tags = ["sync"]  # noqa: RUF012

    @post(
        "/push",
        operation_id="SyncPush",
        status_code=200,
        opt={"exclude_from_auth": True},
        description="SPEC.md §5. Authenticated inside: a revoked device's ops are held, not refused.",
    )
    async def push(
        self,
        request: Request[Any, Any, Any],
        session_factory: async_sessionmaker[AsyncSession],
    ) -> PushResponse:
        """The body is a ``PushRequest``; it is read after the token, so a stranger learns nothing."""
        # Through the write gate: on SQLite every transaction begins IMMEDIATE, and a read racing
        # the writers outside the gate waited in SQLite's busy loop for up to 20 s (bench/sync).
        async with write_gate(session_factory), session_factory() as session:
            device = await device_for_push(session, bearer_token(request))
        return await service.push(session_factory, device, decode_body(await request.body(), PushRequest))

    @post("/pull", operation_id="SyncPull", status_code=200, guards=[requires(Permission.sync_use)])
    async def pull(
        self, data: PullRequest, current_user: AuthUser, session_factory: async_sessionmaker[AsyncSession]
    ) -> PullResponse:
        """SPEC.md §6: one page of changes (or of a snapshot) after ``cursor``."""
        return await run_in_transaction(session_factory, lambda s: service.pull_page(s, current_user.device_id, data))

    @get("/poke", operation_id="SyncPoke", guards=[requires(Permission.sync_use)])
    async def poke(self, current_user: AuthUser, db_session: AsyncSession) -> ServerSentEvent:
        """SPEC.md §7.3: a server-sent event stream; each ``poke`` event means "pull now"."""
        _, warehouse_id = await device_warehouse(db_session, current_user.device_id)

        async def events() -> AsyncGenerator[ServerSentEventMessage, None]:
            with POKE_HUB.subscribe(warehouse_id) as queue:
                yield ServerSentEventMessage(event="ready", data="pull")
                while True:
                    try:
                        await asyncio.wait_for(queue.get(), timeout=POKE_HEARTBEAT_SECONDS)
                    except TimeoutError:
                        yield ServerSentEventMessage(comment="heartbeat")
                        continue
                    yield ServerSentEventMessage(event="poke", data="pull")

        return ServerSentEvent(events())

    @get("/ops", operation_id="ListSyncOps", guards=[requires(Permission.sync_review)])
    async def list_ops(
        self,
        current_user: AuthUser,
        db_session: AsyncSession,
        page: PageParams,
        status: str | None = None,
        warehouse_id: int | None = None,
        device_id: str | None = None,
        unresolved: bool = True,
    ) -> Page[OpRecordOut]:
        """The supervisor's queue: rejected, excepted and held ops (status filter), newest first."""
        return await review.list_ops(
            db_session,
            current_user,
            page,
            status=status,
            warehouse_id=warehouse_id,
            device_id=device_id,
            unresolved=unresolved,
        )

    @post(
        "/ops/{op_id:str}/resolve",
        operation_id="ResolveSyncOp",
        status_code=200,
        guards=[requires(Permission.sync_review)],
    )
    async def resolve_op(
        self,
        op_id: str,
        data: Annotated[OpResolve, Body()],
        current_user: AuthUser,
        session_factory: async_sessionmaker[AsyncSession],
    ) -> OpRecordOut:
        """Apply a held op now, or close any op in the queue with a note (nothing is deleted)."""
        return await run_in_transaction(session_factory, lambda s: review.resolve(s, current_user, op_id, data))

    @get("/op-specs", operation_id="ListOpSpecs", guards=[requires(Permission.sync_use)])
    async def op_specs(self) -> list[OpSpecOut]:
        """The op names and versions this server applies (SPEC.md §7)."""
        from server.syncapi.registry import registry

        return [
            OpSpecOut(name=s.name, kind=s.kind, version=s.version, min_version=s.min_version, description=s.description)
            for s in registry().specs()
        ]


__all__ = ("OpKind", "SyncController")
