"""order merge and split

Revision ID: 9e28f858f736
Revises: 8e65bed1d4fe
Create Date: 2026-12-01 04:06:01.065748

Written by hand for SQLite's sake. Batch mode copies a table and drops the old one, and with
``foreign_keys=ON`` dropping a table deletes its rows first — cascading into every table that
references it with ON DELETE CASCADE. So ``orders`` (referenced by lines, events, reservations,
waves, shipments) only gets plain ``ADD COLUMN``s, and the copy of ``order_lines`` (needed to
swap its unique constraint) keeps the reservations that reference its rows aside and puts them back.
"""

from __future__ import annotations

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op
from sqlalchemy import Text
from sqlalchemy.dialects import postgresql

revision: str = '9e28f858f736'
down_revision: str | None = '8e65bed1d4fe'
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

ID = sa.BigInteger().with_variant(sa.Integer(), 'sqlite')
JSON = sa.JSON().with_variant(postgresql.JSONB(astext_type=Text()), 'postgresql')


def _sqlite() -> bool:
    return op.get_bind().dialect.name == 'sqlite'


def upgrade() -> None:
    if _sqlite():
        op.execute('ALTER TABLE orders ADD COLUMN merged_into_id INTEGER '
                   'CONSTRAINT fk_orders_merged_into_id_orders REFERENCES orders (id)')
        op.execute("ALTER TABLE orders ADD COLUMN own_values JSON DEFAULT '{}' NOT NULL")
        op.execute('ALTER TABLE orders ADD COLUMN split_from_id INTEGER '
                   'CONSTRAINT fk_orders_split_from_id_orders REFERENCES orders (id)')
        op.execute("ALTER TABLE orders ADD COLUMN split_parts INTEGER DEFAULT '0' NOT NULL")
        op.execute('ALTER TABLE order_lines ADD COLUMN origin_order_id INTEGER')
    else:
        op.add_column('orders', sa.Column('merged_into_id', ID, nullable=True))
        op.add_column('orders', sa.Column('own_values', JSON, server_default=sa.text("'{}'"), nullable=False))
        op.add_column('orders', sa.Column('split_from_id', ID, nullable=True))
        op.add_column('orders', sa.Column('split_parts', sa.Integer(), server_default='0', nullable=False))
        op.create_foreign_key(op.f('fk_orders_merged_into_id_orders'), 'orders', 'orders', ['merged_into_id'], ['id'])
        op.create_foreign_key(op.f('fk_orders_split_from_id_orders'), 'orders', 'orders', ['split_from_id'], ['id'])
        op.add_column('order_lines', sa.Column('origin_order_id', ID, nullable=True))
    op.create_index(op.f('ix_orders_merged_into_id'), 'orders', ['merged_into_id'], unique=False)
    op.create_index(op.f('ix_orders_split_from_id'), 'orders', ['split_from_id'], unique=False)

    # Every line so far belongs to the order that ships it.
    op.execute('UPDATE order_lines SET origin_order_id = order_id')
    if _sqlite():
        op.execute('CREATE TEMPORARY TABLE _kept_order_reservations AS SELECT * FROM order_reservations')
    with op.batch_alter_table('order_lines', schema=None) as batch_op:
        batch_op.alter_column('origin_order_id', existing_type=ID, nullable=False)
        batch_op.drop_constraint(batch_op.f('uq_order_lines_order_id_platform_line_id'), type_='unique')
        batch_op.create_index(batch_op.f('ix_order_lines_origin_order_id'), ['origin_order_id'], unique=False)
        batch_op.create_unique_constraint(
            batch_op.f('uq_order_lines_order_id_origin_order_id_platform_line_id'),
            ['order_id', 'origin_order_id', 'platform_line_id'],
        )
        batch_op.create_foreign_key(
            batch_op.f('fk_order_lines_origin_order_id_orders'), 'orders', ['origin_order_id'], ['id'],
            ondelete='CASCADE',
        )
    if _sqlite():
        op.execute('DELETE FROM order_reservations')
        op.execute('INSERT INTO order_reservations SELECT * FROM _kept_order_reservations')
        op.execute('DROP TABLE _kept_order_reservations')


def downgrade() -> None:
    if _sqlite():
        op.execute('CREATE TEMPORARY TABLE _kept_order_reservations AS SELECT * FROM order_reservations')
    with op.batch_alter_table('order_lines', schema=None) as batch_op:
        batch_op.drop_constraint(batch_op.f('fk_order_lines_origin_order_id_orders'), type_='foreignkey')
        batch_op.drop_constraint(
            batch_op.f('uq_order_lines_order_id_origin_order_id_platform_line_id'), type_='unique'
        )
        batch_op.drop_index(batch_op.f('ix_order_lines_origin_order_id'))
        batch_op.create_unique_constraint(
            batch_op.f('uq_order_lines_order_id_platform_line_id'), ['order_id', 'platform_line_id']
        )
        batch_op.drop_column('origin_order_id')
    if _sqlite():
        op.execute('DELETE FROM order_reservations')
        op.execute('INSERT INTO order_reservations SELECT * FROM _kept_order_reservations')
        op.execute('DROP TABLE _kept_order_reservations')
    op.drop_index(op.f('ix_orders_split_from_id'), table_name='orders')
    op.drop_index(op.f('ix_orders_merged_into_id'), table_name='orders')
    if _sqlite():  # plain DROP COLUMNs: no copy of the orders table (see the top)
        for column in ('split_parts', 'split_from_id', 'own_values', 'merged_into_id'):
            op.execute(f'ALTER TABLE orders DROP COLUMN {column}')
        return
    op.drop_constraint(op.f('fk_orders_split_from_id_orders'), 'orders', type_='foreignkey')
    op.drop_constraint(op.f('fk_orders_merged_into_id_orders'), 'orders', type_='foreignkey')
    op.drop_column('orders', 'split_parts')
    op.drop_column('orders', 'split_from_id')
    op.drop_column('orders', 'own_values')
    op.drop_column('orders', 'merged_into_id')
