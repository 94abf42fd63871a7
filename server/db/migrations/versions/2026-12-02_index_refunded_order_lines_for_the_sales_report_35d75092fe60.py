"""index the refunded order lines (partial) for the sales report's refunds

Revision ID: 35d75092fe60
Revises: 54f3a05047c3
Create Date: 2026-12-02 09:00:00.000000
"""

from __future__ import annotations

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = '35d75092fe60'
down_revision: str | None = '54f3a05047c3'
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    # Refunded lines are a few in a hundred: a partial index keeps the sales report from reading
    # every order line to find them (SQLite has partial indexes too).
    with op.batch_alter_table('order_lines', schema=None) as batch_op:
        batch_op.create_index(
            'ix_order_lines_refunded',
            ['origin_order_id', 'paid_minor'],
            unique=False,
            postgresql_where=sa.text("refund = 'refunded'"),
            sqlite_where=sa.text("refund = 'refunded'"),
        )


def downgrade() -> None:
    with op.batch_alter_table('order_lines', schema=None) as batch_op:
        batch_op.drop_index('ix_order_lines_refunded')
