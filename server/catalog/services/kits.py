"""Kits (组合装): a SKU sold as a set of component SKUs; it has no stock of its own.

Setting the components replaces the whole list. Components may be kits themselves, but no kit may
contain itself through any chain (``kit_cycle``): exploding such a kit into picks would never end.
Two concurrent edits could each add one half of a cycle, so on PostgreSQL kit edits take one
transaction-scoped advisory lock (kit edits are rare; SQLite runs one writer at a time anyway).
"""

from __future__ import annotations

from dataclasses import dataclass

from sqlalchemy import delete, select, text
from sqlalchemy.ext.asyncio import AsyncSession

from server.catalog.models import KitComponent, Sku
from server.catalog.schemas import ComponentLine
from server.catalog.services.common import sku_codes, sku_or_404
from server.catalog.services.kit_graph import find_cycle
from server.lib.errors import ValidationFailed

KIT_GRAPH_LOCK = 0x6B6974_6772_6170
"""Advisory lock key for kit edits ("kitgrap" in ASCII): any fixed 64-bit number unique in the app."""


@dataclass(frozen=True, slots=True)
class KitView:
    kit: Sku
    components: list[tuple[Sku, int]]


async def kit_components(session: AsyncSession, kit_id: int) -> list[tuple[Sku, int]]:
    """The kit's components with their quantities, in the order they were set."""
    rows = await session.execute(
        select(Sku, KitComponent.qty)
        .join(KitComponent, KitComponent.component_sku_id == Sku.id)
        .where(KitComponent.kit_sku_id == kit_id)
        .order_by(KitComponent.id)
    )
    return [(sku, qty) for sku, qty in rows.all()]


async def get_kit(session: AsyncSession, kit_id: int) -> KitView:
    kit = await sku_or_404(session, kit_id)
    return KitView(kit, await kit_components(session, kit_id))


def _field(index: int) -> str:
    return f"components[{index}].component_sku_id"


def _cycle_error(path: list[int], codes: dict[int, str], index: int) -> ValidationFailed:
    chain = " → ".join(codes.get(sku_id, str(sku_id)) for sku_id in path)
    return ValidationFailed(
        f"a kit cannot contain itself: {chain}",
        message_zh=f"组合装不能包含自身：{chain}",
        field=_field(index),
        code="kit_cycle",
        detail={"cycle": path},
    )


async def _lock_kit_graph(session: AsyncSession) -> None:
    if session.get_bind().dialect.name == "postgresql":
        await session.execute(text("SELECT pg_advisory_xact_lock(:key)"), {"key": KIT_GRAPH_LOCK})


async def _reachable_edges(session: AsyncSession, kit_id: int, start: set[int]) -> dict[int, list[int]]:
    """Existing edges below ``start`` (breadth first, one query per level), not through the kit itself."""
    children: dict[int, list[int]] = {}
    seen = set(start)
    frontier = set(start)
    while frontier:
        rows = await session.execute(
            select(KitComponent.kit_sku_id, KitComponent.component_sku_id).where(KitComponent.kit_sku_id.in_(frontier))
        )
        frontier = set()
        for parent, child in rows.all():
            children.setdefault(parent, []).append(child)
            if child not in seen and child != kit_id:
                seen.add(child)
                frontier.add(child)
    return children


async def set_components(session: AsyncSession, kit_id: int, lines: list[ComponentLine]) -> KitView:
    """Replace the kit's components; refuses non-kits, unknown or repeated components, and cycles."""
    kit = await sku_or_404(session, kit_id)
    if not kit.is_kit:
        raise ValidationFailed(
            f"SKU {kit.code} is not a kit; set is_kit first",
            message_zh="该 SKU 不是组合装",
            field="sku_id",
            code="not_a_kit",
        )
    ids = [line.component_sku_id for line in lines]
    for index, component_id in enumerate(ids):
        if component_id == kit_id:
            raise _cycle_error([kit_id, kit_id], {kit_id: kit.code}, index)
        if component_id in ids[:index]:
            raise ValidationFailed(
                f"SKU {component_id} is listed twice; give it once with the total qty",
                message_zh="子件重复，请合并数量",
                field=_field(index),
                code="duplicate_component",
            )
    await _lock_kit_graph(session)
    existing = set(await session.scalars(select(Sku.id).where(Sku.id.in_(ids)))) if ids else set()
    for index, component_id in enumerate(ids):
        if component_id not in existing:
            raise ValidationFailed(
                f"SKU {component_id} does not exist",
                message_zh="子件 SKU 不存在",
                field=_field(index),
                code="unknown_component",
            )
    cycle = find_cycle(kit_id, ids, await _reachable_edges(session, kit_id, set(ids)))
    if cycle is not None:
        raise _cycle_error(cycle, await sku_codes(session, set(cycle)), ids.index(cycle[1]))
    await session.execute(delete(KitComponent).where(KitComponent.kit_sku_id == kit_id))
    session.add_all(
        KitComponent(kit_sku_id=kit_id, component_sku_id=line.component_sku_id, qty=line.qty) for line in lines
    )
    await session.flush()
    return await get_kit(session, kit_id)
