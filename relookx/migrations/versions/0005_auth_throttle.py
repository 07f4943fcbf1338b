"""auth throttle: failed sign-ins and sign-up attempts per username and per address, with their locks

Revision ID: 0005
Revises: 0003
Create Date: 2026-12-03 07:00:00
"""
import sqlalchemy as sa
import sqlmodel
from alembic import op

revision = '0005'
down_revision = '0003'
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table('auththrottle',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('key', sqlmodel.sql.sqltypes.AutoString(length=200), nullable=False),
    sa.Column('failures', sa.Integer(), nullable=False),
    sa.Column('window_start', sqlmodel.sql.sqltypes.UTCDateTime(), nullable=False),
    sa.Column('locked_until', sqlmodel.sql.sqltypes.UTCDateTime(), nullable=True),
    sa.Column('updated_at', sqlmodel.sql.sqltypes.UTCDateTime(), nullable=False),
    sa.PrimaryKeyConstraint('id')
    )
    with op.batch_alter_table('auththrottle', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_auththrottle_key'), ['key'], unique=True)


def downgrade() -> None:
    with op.batch_alter_table('auththrottle', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_auththrottle_key'))
    op.drop_table('auththrottle')
