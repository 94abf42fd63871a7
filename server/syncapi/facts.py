"""Posting a physical fact's stock moves: the one ledger call every op handler shares.

Facts are never refused for business reasons (SPEC.md §7.1): they post below zero and through
frozen bins. A reference the ledger cannot resolve (an unknown SKU, a lot of another SKU) means the
op cannot mean anything, so it is rejected as ``invalid_reference`` rather than failing the handler.
"""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any

from sqlalchemy import select

from server.warehouse.ledger.errors import IdempotencyKeyReused, InvalidMove
from server.warehouse.ledger.models import MoveReason
from server.warehouse.ledger.service import MoveRequest, NegativePolicy, PostedMove, post_moves
from server.warehouse.models import Location
from sync.registry import OpContext, OpRejected


def fact_move(
    ctx: OpContext,
    *,
    sku_id: int,
    lot_id: int | None,
    from_location_id: int,
    to_location_id: int,
    qty: int,
    reason: MoveReason,
    reference: str,
    suffix: str = "",
) -> MoveRequest:
    """A move made by the op's device and user at the op's event time; ``suffix`` tells apart the
    several moves of one op (each needs its own idempotency key)."""
    return MoveRequest(
        sku_id=sku_id,
        lot_id=lot_id,
        from_location_id=from_location_id,
        to_location_id=to_location_id,
        qty=qty,
        reason=reason,
        reference=reference,
        idempotency_key=f"{ctx.idempotency_key}:{suffix}" if suffix else ctx.idempotency_key,
        actor_user_id=ctx.user_id,
        device_id=ctx.device_id,
        occurred_at=ctx.event_time,
    )


async def post_facts(
    ctx: OpContext, requests: list[MoveRequest], *, detail: dict[str, Any] | None = None
) -> list[PostedMove]:
    try:
        return await post_moves(ctx.session, requests, negative=NegativePolicy.allow, allow_frozen=True)
    except (InvalidMove, IdempotencyKeyReused) as exc:
        fields = {"field": exc.field} if exc.field else {}
        raise OpRejected(
            "invalid_reference", exc.message, message_zh=exc.message_zh, detail={**fields, **(detail or {})}
        ) from exc


def invalid_reference(message: str, message_zh: str, **detail: Any) -> OpRejected:
    """The op names something that does not exist here: it cannot mean anything, so it is rejected."""
    return OpRejected("invalid_reference", message, message_zh=message_zh, detail=detail)


_LOCATIONS = "sync.locations"


async def location_of(ctx: OpContext, location_id: int) -> Location | None:
    """The location, kept for the rest of the push: the session's identity map holds objects only
    weakly, so a batch of 100 scans of the same thirty bins would otherwise read them 200 times."""
    cache: dict[int, Location | None] = ctx.session.info.setdefault(_LOCATIONS, {})
    if location_id not in cache:
        cache[location_id] = await ctx.session.get(Location, location_id)
    return cache[location_id]


async def load_locations(ctx: OpContext, location_ids: Iterable[int]) -> None:
    """Read the locations not kept yet in one query and keep them for ``location_of`` (an id that
    matches no row is kept as absent)."""
    cache: dict[int, Location | None] = ctx.session.info.setdefault(_LOCATIONS, {})
    missing = sorted(set(location_ids) - cache.keys())
    if not missing:
        return
    found = {
        location.id: location
        for location in await ctx.session.scalars(select(Location).where(Location.id.in_(missing)))
    }
    for location_id in missing:
        cache[location_id] = found.get(location_id)
