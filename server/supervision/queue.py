"""One queue out of six sources, oldest first.

Each source counts its items and reads only the oldest ``offset + limit`` of them (enough for the
page asked for, whatever the others hold); the merge sorts those and cuts the page, so paging is
exact without reading whole tables.
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from functools import partial

from sqlalchemy.ext.asyncio import AsyncSession

from server.auth.identity import AuthUser
from server.db.types import utcnow
from server.lib.pagination import PageParams
from server.supervision.lookups import fill_names
from server.supervision.op_items import op_items
from server.supervision.order_items import waiting_order_items
from server.supervision.schemas import Item, ItemKind, Queue
from server.supervision.scope import QueueScope
from server.supervision.stock_items import negative_bin_items, variance_items
from server.supervision.work_items import work_items

Source = Callable[[AsyncSession, QueueScope, int], Awaitable[tuple[int, list[Item]]]]

SOURCES: list[tuple[ItemKind, Source]] = [
    (ItemKind.count_variance, variance_items),
    (ItemKind.held_op, partial(op_items, kind=ItemKind.held_op)),
    (ItemKind.rejected_op, partial(op_items, kind=ItemKind.rejected_op)),
    (ItemKind.exception, partial(op_items, kind=ItemKind.exception)),
    (ItemKind.exception, work_items),
    (ItemKind.shortage, partial(op_items, kind=ItemKind.shortage)),
    (ItemKind.shortage, waiting_order_items),
    (ItemKind.negative_bin, negative_bin_items),
]


async def exception_queue(
    session: AsyncSession, user: AuthUser, page: PageParams, *, warehouse_id: int | None, kind: ItemKind | None
) -> Queue:
    scope = QueueScope.of(user, warehouse_id)
    take = page.offset + page.limit
    counts = {k.value: 0 for k in ItemKind if kind is None or k is kind}
    found: list[Item] = []
    for source_kind, source in SOURCES:
        if kind is not None and source_kind is not kind:
            continue
        total, items = await source(session, scope, take)
        counts[source_kind.value] += total
        found.extend(items)
    found.sort(key=lambda item: (item.at, item.id))
    items = found[page.offset : take]
    await fill_names(session, items)
    return Queue(
        items=items,
        total=sum(counts.values()),
        limit=page.limit,
        offset=page.offset,
        counts=counts,
        generated_at=utcnow(),
    )
