"""One paging shape for every list endpoint: ``?limit=&offset=`` in, ``{items,total,limit,offset}`` out."""

from __future__ import annotations

from collections.abc import Callable, Sequence
from typing import Annotated, Any, Generic, TypeVar

import msgspec
from litestar.params import Parameter
from sqlalchemy import Select, func, select
from sqlalchemy.ext.asyncio import AsyncSession

T = TypeVar("T")

MAX_LIMIT = 500
DEFAULT_LIMIT = 50


class Page(msgspec.Struct, Generic[T], kw_only=True):
    """A page of a list; ``total`` counts every row matching the filters."""

    items: list[T]
    total: int
    limit: int
    offset: int


class PageParams(msgspec.Struct, frozen=True):
    limit: int = DEFAULT_LIMIT
    offset: int = 0


def provide_page_params(
    limit: Annotated[int, Parameter(ge=1, le=MAX_LIMIT, description="page size (1–500)")] = DEFAULT_LIMIT,
    offset: Annotated[int, Parameter(ge=0, description="rows to skip")] = 0,
) -> PageParams:
    """Dependency shared by every list handler so the limits are the same everywhere."""
    return PageParams(limit=limit, offset=offset)


async def paginate(
    session: AsyncSession,
    statement: Select[Any],
    page: PageParams,
    convert: Callable[[Any], T],
) -> Page[T]:
    """Count and fetch one page of ``statement`` (which must already carry its ORDER BY)."""
    total = await session.scalar(select(func.count()).select_from(statement.order_by(None).subquery()))
    rows: Sequence[Any] = (await session.execute(statement.limit(page.limit).offset(page.offset))).all()
    items = [convert(row[0] if len(row) == 1 else row) for row in rows]
    return Page(items=items, total=int(total or 0), limit=page.limit, offset=page.offset)
