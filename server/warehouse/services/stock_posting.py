"""The API's way into the ledger: idempotency keys, warehouse scope, then ``post_moves``.

A phone on shaky Wi-Fi must be able to send the same request again without moving stock twice, so
the API refuses a move without an idempotency key instead of inventing one. Who moved the stock is
the logged-in user and their device, never a field of the body.
"""

from __future__ import annotations

from collections.abc import Sequence

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from server.auth.identity import AuthUser
from server.lib.errors import ValidationFailed
from server.warehouse.ledger.schemas import MoveInput
from server.warehouse.ledger.service import MoveRequest, NegativePolicy, PostedMove, post_moves
from server.warehouse.models import Location

MAX_KEY = 128


def _key_error(message: str, message_zh: str, field: str, code: str) -> ValidationFailed:
    return ValidationFailed(message, message_zh=message_zh, field=field, code=code)


def move_requests(
    moves: Sequence[MoveInput], *, batch: bool, header_key: str | None, user: AuthUser
) -> list[MoveRequest]:
    """Ledger requests with their keys: the move's own, else the header's (``<header>:<index>`` in a batch)."""
    requests: list[MoveRequest] = []
    for index, move in enumerate(moves):
        field = f"moves.{index}.idempotency_key" if batch else "idempotency_key"
        key = move.idempotency_key
        if key is None and header_key:
            key = f"{header_key}:{index}" if batch else header_key
        if not key:
            raise _key_error(
                "give an idempotency_key (or an Idempotency-Key header) so that a retry cannot post twice",
                "请提供幂等键（idempotency_key 或 Idempotency-Key 请求头），以便安全重试",
                field,
                "idempotency_key_required",
            )
        if len(key) > MAX_KEY:
            raise _key_error(
                f"idempotency key is longer than {MAX_KEY} characters",
                f"幂等键不能超过 {MAX_KEY} 个字符",
                field if move.idempotency_key else "Idempotency-Key",
                "invalid_idempotency_key",
            )
        requests.append(
            MoveRequest(
                sku_id=move.sku_id,
                lot_id=move.lot_id,
                from_location_id=move.from_location_id,
                to_location_id=move.to_location_id,
                qty=move.qty,
                reason=move.reason,
                reference=move.reference,
                occurred_at=move.occurred_at,
                idempotency_key=key,
                actor_user_id=user.id,
                device_id=user.device_id,
            )
        )
    return requests


async def require_locations_in_scope(session: AsyncSession, user: AuthUser, location_ids: set[int]) -> None:
    """403 unless every named location that exists is in one of the user's warehouses.

    Locations that do not exist are left to the ledger, which names the field.
    """
    if user.visible_warehouses() is None:
        return
    rows = await session.execute(
        select(Location.warehouse_id).where(Location.id.in_(location_ids)).distinct().order_by(Location.warehouse_id)
    )
    for (warehouse_id,) in rows:
        user.require_warehouse(warehouse_id)


async def post_api_moves(session: AsyncSession, user: AuthUser, requests: Sequence[MoveRequest]) -> list[PostedMove]:
    """Scope check, then the ledger with negative stock refused; run inside ``run_in_transaction``."""
    ids = {r.from_location_id for r in requests} | {r.to_location_id for r in requests}
    await require_locations_in_scope(session, user, ids)
    return await post_moves(session, requests, negative=NegativePolicy.refuse)
