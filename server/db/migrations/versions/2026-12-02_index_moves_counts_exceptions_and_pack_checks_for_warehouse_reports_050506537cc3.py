"""index moves, counts, pick exceptions and pack checks for the warehouse reports

The fulfilment, productivity, stock and counts reports read ranges of time: on PostgreSQL the
orders carry a covering index (id INCLUDE channel, paid, ship-by) a month of parcels joins to; pick and shipment moves (the
existing (reason, occurred_at) index now also carries the bin, picker, SKU and quantity on
PostgreSQL, so a range of picks is an index-only scan), bin counts by count time, pick-error
exceptions by kind and time, failed pack checks by status and time.

Revision ID: 050506537cc3
Revises: 35d75092fe60
Create Date: 2026-12-02 10:00:00.000000
"""

from __future__ import annotations

from collections.abc import Sequence

from alembic import op

revision: str = '050506537cc3'
down_revision: str | None = '35d75092fe60'
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

MOVE_COLUMNS = ['from_location_id', 'actor_user_id', 'sku_id', 'qty']
ORDER_FACTS = ['channel_id', 'paid_at', 'ship_by']


def _postgresql() -> bool:
    return op.get_bind().dialect.name == 'postgresql'


def upgrade() -> None:
    with op.batch_alter_table('stock_moves', schema=None) as batch_op:
        batch_op.drop_index('ix_stock_moves_reason_occurred')
        batch_op.create_index(
            'ix_stock_moves_reason_occurred', ['reason', 'occurred_at'], unique=False, postgresql_include=MOVE_COLUMNS
        )
    with op.batch_alter_table('bin_counts', schema=None) as batch_op:
        batch_op.create_index('ix_bin_counts_counted_at', ['counted_at'], unique=False)
    with op.batch_alter_table('work_exceptions', schema=None) as batch_op:
        batch_op.create_index('ix_work_exceptions_kind_created', ['kind', 'created_at'], unique=False)
    with op.batch_alter_table('parcel_verifications', schema=None) as batch_op:
        batch_op.create_index('ix_parcel_verifications_status_verified', ['status', 'verified_at'], unique=False)
    if _postgresql():
        op.create_index('ix_orders_report_facts', 'orders', ['id'], unique=False, postgresql_include=ORDER_FACTS)


def downgrade() -> None:
    if _postgresql():
        op.drop_index('ix_orders_report_facts', table_name='orders')
    with op.batch_alter_table('parcel_verifications', schema=None) as batch_op:
        batch_op.drop_index('ix_parcel_verifications_status_verified')
    with op.batch_alter_table('work_exceptions', schema=None) as batch_op:
        batch_op.drop_index('ix_work_exceptions_kind_created')
    with op.batch_alter_table('bin_counts', schema=None) as batch_op:
        batch_op.drop_index('ix_bin_counts_counted_at')
    with op.batch_alter_table('stock_moves', schema=None) as batch_op:
        batch_op.drop_index('ix_stock_moves_reason_occurred')
        batch_op.create_index('ix_stock_moves_reason_occurred', ['reason', 'occurred_at'], unique=False)
