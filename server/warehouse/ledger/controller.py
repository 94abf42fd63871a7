"""HTTP face of the ledger: post and list moves, levels, stock states, reservations, verify, valuation.

Posting runs in its own retried transaction (``run_in_transaction``: deadlocks and idempotency-key
races are retried whole), which is why that handler takes ``session_factory`` and not ``db_session``.
"""

from __future__ import annotations

from datetime import datetime
from typing import Annotated, Any

import msgspec
from litestar import Controller, Response, get, post
from litestar.params import Body, Dependency, HeaderParameter, Parameter
from litestar.status_codes import HTTP_200_OK, HTTP_201_CREATED
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from server.auth.guards import requires
from server.auth.identity import AuthUser
from server.auth.permissions import Permission
from server.db.transaction import run_in_transaction
from server.lib.pagination import Page, PageParams, paginate
from server.warehouse.ledger.models import MoveReason, StockMove
from server.warehouse.ledger.schemas import (
    LevelDifferenceOut,
    PostedMoveOut,
    ReservationInput,
    ReservationOut,
    StockLevelOut,
    StockMoveOut,
    StockStateOut,
    StockValuationOut,
    VerifyReportOut,
    decode_moves,
)
from server.warehouse.ledger.stock_states import to_stock_state
from server.warehouse.ledger.verify import verify_ledger
from server.warehouse.services import stock_posting, stock_queries, stock_reservations, valuation

MOVES_BODY = Body(
    title="One move, or a batch",
    description=(
        "Either one move {sku_id, lot_id?, from_location_id, to_location_id, qty, reason, reference?, "
        'occurred_at?, idempotency_key?} or {"moves": [move, ...]} (at most 500, posted atomically). '
        'Without idempotency_key, the Idempotency-Key header is used ("<header>:<index>" in a batch).'
    ),
)


def _move_out(m: StockMove) -> StockMoveOut:
    return StockMoveOut(
        id=m.id,
        sku_id=m.sku_id,
        lot_id=m.lot_id,
        from_location_id=m.from_location_id,
        to_location_id=m.to_location_id,
        qty=m.qty,
        reason=MoveReason(m.reason),
        reference=m.reference,
        actor_user_id=m.actor_user_id,
        device_id=m.device_id,
        occurred_at=m.occurred_at,
        recorded_at=m.recorded_at,
        idempotency_key=m.idempotency_key,
    )


def _state_out(row: Any) -> StockStateOut:
    return StockStateOut(**msgspec.structs.asdict(to_stock_state(tuple(row))))


class StockController(Controller):
    path = "/api/stock"
    tags = ["stock"]  # noqa: RUF012

    @post("/moves", operation_id="PostStockMoves", guards=[requires(Permission.stock_move)])
    async def post_moves(
        self,
        data: Annotated[dict[str, Any], MOVES_BODY],
        current_user: AuthUser,
        session_factory: Annotated[async_sessionmaker[AsyncSession], Dependency(skip_validation=True)],
        idempotency_key: Annotated[
            str | None, HeaderParameter(name="Idempotency-Key", description="retry key for moves that carry none")
        ] = None,
    ) -> Response[list[PostedMoveOut]]:
        """Post moves through the ledger (negative stock refused). 201 if anything new was posted, 200 if
        every move was a replay of an earlier request with the same key."""
        moves, batch = decode_moves(data)
        requests = stock_posting.move_requests(moves, batch=batch, header_key=idempotency_key, user=current_user)
        posted = await run_in_transaction(
            session_factory, lambda s: stock_posting.post_api_moves(s, current_user, requests)
        )
        body = [PostedMoveOut(**msgspec.structs.asdict(p)) for p in posted]
        fresh = any(not p.replayed for p in posted)
        return Response(body, status_code=HTTP_201_CREATED if fresh else HTTP_200_OK)

    @get("/moves", operation_id="ListStockMoves", guards=[requires(Permission.stock_read)])
    async def list_moves(
        self,
        db_session: AsyncSession,
        current_user: AuthUser,
        page: PageParams,
        sku_id: int | None = None,
        lot_id: int | None = None,
        location_id: Annotated[int | None, Parameter(description="moves from or to this location")] = None,
        warehouse_id: Annotated[int | None, Parameter(description="moves from or to this warehouse")] = None,
        reason: MoveReason | None = None,
        reference: str | None = None,
        occurred_after: Annotated[datetime | None, Parameter(description="inclusive")] = None,
        occurred_before: Annotated[datetime | None, Parameter(description="exclusive")] = None,
    ) -> Page[StockMoveOut]:
        """The ledger, newest first, limited to the caller's warehouses."""
        statement = await stock_queries.moves_query(
            db_session,
            current_user,
            sku_id=sku_id,
            lot_id=lot_id,
            location_id=location_id,
            warehouse_id=warehouse_id,
            reason=reason,
            reference=reference,
            occurred_after=occurred_after,
            occurred_before=occurred_before,
        )
        return await paginate(db_session, statement, page, _move_out)

    @get("/levels", operation_id="ListStockLevels", guards=[requires(Permission.stock_read)])
    async def list_levels(
        self,
        db_session: AsyncSession,
        current_user: AuthUser,
        page: PageParams,
        warehouse_id: int | None = None,
        location_id: int | None = None,
        sku_id: int | None = None,
        lot_id: int | None = None,
        nonzero: Annotated[bool, Parameter(description="hide levels with nothing on hand or reserved")] = True,
    ) -> Page[StockLevelOut]:
        statement = await stock_queries.levels_query(
            db_session,
            current_user,
            warehouse_id=warehouse_id,
            location_id=location_id,
            sku_id=sku_id,
            lot_id=lot_id,
            nonzero=nonzero,
        )
        return await paginate(db_session, statement, page, stock_queries.level_out)

    @get("/states", operation_id="ListStockStates", guards=[requires(Permission.stock_read)])
    async def list_states(
        self,
        db_session: AsyncSession,
        current_user: AuthUser,
        page: PageParams,
        sku_id: int | None = None,
        warehouse_id: int | None = None,
    ) -> Page[StockStateOut]:
        """On hand, reserved, available, in transit, pending inspection and frozen per SKU and warehouse."""
        statement = stock_queries.states_query(current_user, sku_id=sku_id, warehouse_id=warehouse_id)
        return await paginate(db_session, statement, page, _state_out)

    @post(
        "/reservations",
        operation_id="ReserveStock",
        guards=[requires(Permission.stock_reserve)],
        status_code=HTTP_200_OK,
    )
    async def reserve(self, db_session: AsyncSession, current_user: AuthUser, data: ReservationInput) -> ReservationOut:
        """Lock sellable stock at a bin for an order; 409 ``insufficient_stock`` beyond what is free."""
        return await stock_reservations.reserve_stock(db_session, current_user, data)

    @post(
        "/reservations/release",
        operation_id="ReleaseStock",
        guards=[requires(Permission.stock_reserve)],
        status_code=HTTP_200_OK,
    )
    async def release(self, db_session: AsyncSession, current_user: AuthUser, data: ReservationInput) -> ReservationOut:
        return await stock_reservations.release_stock(db_session, current_user, data)


class LedgerController(Controller):
    path = "/api/ledger"
    tags = ["stock"]  # noqa: RUF012

    @post("/verify", operation_id="VerifyLedger", guards=[requires(Permission.ledger_verify)], status_code=HTTP_200_OK)
    async def verify(self, db_session: AsyncSession) -> VerifyReportOut:
        """Recompute every level from the moves; any difference is a bug to report (expected: none)."""
        report = await verify_ledger(db_session)
        return VerifyReportOut(
            ok=report.ok,
            levels_checked=report.levels_checked,
            moves_counted=report.moves_counted,
            differences=[LevelDifferenceOut(**msgspec.structs.asdict(d)) for d in report.differences],
        )


class FinanceController(Controller):
    path = "/api/finance"
    tags = ["finance"]  # noqa: RUF012

    @get("/stock-valuation", operation_id="GetStockValuation", guards=[requires(Permission.finance_read)])
    async def stock_valuation(
        self, db_session: AsyncSession, current_user: AuthUser, page: PageParams, warehouse_id: int | None = None
    ) -> StockValuationOut:
        """Stock value at standard cost per warehouse and currency, with per-SKU lines (paged)."""
        return await valuation.stock_valuation(db_session, current_user, page, warehouse_id=warehouse_id)


LEDGER_CONTROLLERS: list[type] = [StockController, LedgerController, FinanceController]
