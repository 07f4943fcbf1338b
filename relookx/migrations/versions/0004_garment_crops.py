"""garment crops and the photo analysis note

Revision ID: 0004
Revises: 0003
Create Date: 2026-12-03 09:00:00
"""
import sqlalchemy as sa
import sqlmodel
from alembic import op

revision = '0004'
down_revision = '0003'
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table('garment', schema=None) as batch_op:
        batch_op.add_column(sa.Column('crop_key', sqlmodel.sql.sqltypes.AutoString(length=64), nullable=False,
                                      server_default=''))
    with op.batch_alter_table('photo', schema=None) as batch_op:
        batch_op.add_column(sa.Column('note', sa.Text(), nullable=False, server_default=''))


def downgrade() -> None:
    with op.batch_alter_table('photo', schema=None) as batch_op:
        batch_op.drop_column('note')
    with op.batch_alter_table('garment', schema=None) as batch_op:
        batch_op.drop_column('crop_key')
