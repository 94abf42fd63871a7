"""Suppliers (供应商): who goods are bought from. Shared by every warehouse, so no scope check."""

from __future__ import annotations

from sqlalchemy import Select, func, or_, select
from sqlalchemy.ext.asyncio import AsyncSession

from server.inbound.models import Supplier
from server.inbound.schemas import SupplierCreate, SupplierUpdate
from server.lib.errors import Conflict, NotFound


def supplier_not_found(supplier_id: int, field: str = "supplier_id") -> NotFound:
    return NotFound(
        f"supplier {supplier_id} not found", message_zh="供应商不存在", field=field, code="supplier_not_found"
    )


async def get_supplier(session: AsyncSession, supplier_id: int, *, field: str = "supplier_id") -> Supplier:
    supplier = await session.get(Supplier, supplier_id)
    if supplier is None:
        raise supplier_not_found(supplier_id, field)
    return supplier


async def create_supplier(session: AsyncSession, data: SupplierCreate) -> Supplier:
    """Codes compare case-insensitively: ``acme`` and ``ACME`` on two POs would be one supplier to a person."""
    taken = await session.scalar(select(Supplier.id).where(func.lower(Supplier.code) == data.code.lower()))
    if taken is not None:
        raise Conflict(
            f"supplier code {data.code!r} is already used",
            message_zh="供应商编码已存在",
            field="code",
            code="supplier_code_taken",
        )
    supplier = Supplier(code=data.code, name=data.name, contact=data.contact, phone=data.phone, active=data.active)
    session.add(supplier)
    await session.flush()
    return supplier


async def update_supplier(session: AsyncSession, supplier_id: int, data: SupplierUpdate) -> Supplier:
    supplier = await get_supplier(session, supplier_id)
    if data.name is not None:
        supplier.name = data.name
    if data.contact is not None:
        supplier.contact = data.contact
    if data.phone is not None:
        supplier.phone = data.phone
    if data.active is not None:
        supplier.active = data.active
    await session.flush()
    return supplier


def supplier_query(*, q: str | None = None, active: bool | None = None) -> Select[Supplier]:
    statement = select(Supplier).order_by(Supplier.code)
    if q:
        pattern = f"%{q.lower()}%"
        statement = statement.where(
            or_(func.lower(Supplier.code).like(pattern), func.lower(Supplier.name).like(pattern))
        )
    if active is not None:
        statement = statement.where(Supplier.active.is_(active))
    return statement
