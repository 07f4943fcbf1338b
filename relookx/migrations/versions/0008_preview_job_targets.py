"""preview job targets: what each webui job renders, so an interrupted one can be run again

Jobs queued before this revision have no target (`photo_number` is NULL): they are never offered again.

Revision ID: 0008
Revises: 0007
Create Date: 2026-12-03 09:30:00
"""
import sqlalchemy as sa
import sqlmodel
from alembic import op

revision = '0008'
down_revision = '0007'
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table('previewjob', schema=None) as batch_op:
        batch_op.add_column(sa.Column('photo_number', sa.Integer(), nullable=True))
        batch_op.add_column(sa.Column('recommendation_id', sa.Integer(), nullable=True))
        batch_op.add_column(sa.Column('piece', sa.JSON(), nullable=False, server_default='{}'))
        batch_op.add_column(sa.Column('mode', sqlmodel.sql.sqltypes.AutoString(), nullable=False,
                                      server_default='photo'))
        batch_op.add_column(sa.Column('options', sa.JSON(), nullable=False, server_default='{}'))
        batch_op.add_column(sa.Column('dismissed', sa.Boolean(), nullable=False, server_default=sa.false()))


def downgrade() -> None:
    with op.batch_alter_table('previewjob', schema=None) as batch_op:
        for name in ('dismissed', 'options', 'mode', 'piece', 'recommendation_id', 'photo_number'):
            batch_op.drop_column(name)
