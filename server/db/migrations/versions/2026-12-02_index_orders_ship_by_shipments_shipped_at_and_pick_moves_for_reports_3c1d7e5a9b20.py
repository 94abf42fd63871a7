"""index orders by ship-by, shipments by shipped-at and moves by reason and time, for the reports

Revision ID: 3c1d7e5a9b20
Revises: 645ab07a11a8
Create Date: 2026-12-02 08:00:00.000000
"""

from __future__ import annotations

from collections.abc import Sequence

from alembic import op

revision: str = '3c1d7e5a9b20'
down_revision: str | None = '645ab07a11a8'
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    with op.batch_alter_table('orders', schema=None) as batch_op:
        batch_op.create_index('ix_orders_ship_by', ['ship_by'], unique=False)
    with op.batch_alter_table('shipments', schema=None) as batch_op:
        batch_op.create_index('ix_shipments_shipped_at', ['shipped_at'], unique=False)
    with op.batch_alter_table('stock_moves', schema=None) as batch_op:
        batch_op.create_index('ix_stock_moves_reason_occurred', ['reason', 'occurred_at'], unique=False)


def downgrade() -> None:
    with op.batch_alter_table('stock_moves', schema=None) as batch_op:
        batch_op.drop_index('ix_stock_moves_reason_occurred')
    with op.batch_alter_table('shipments', schema=None) as batch_op:
        batch_op.drop_index('ix_shipments_shipped_at')
    with op.batch_alter_table('orders', schema=None) as batch_op:
        batch_op.drop_index('ix_orders_ship_by')
