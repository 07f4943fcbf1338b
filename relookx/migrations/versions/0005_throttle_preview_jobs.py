"""auth throttle and preview jobs: sign-in limits per username and address; the webui's job queue

Revision ID: 0005
Revises: 0004
Create Date: 2026-12-03 07:00:00
"""
import sqlalchemy as sa
import sqlmodel
from alembic import op

revision = '0005'
down_revision = '0004'
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

    op.create_table('previewjob',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('webui', sqlmodel.sql.sqltypes.AutoString(length=64), nullable=False),
    sa.Column('user_id', sa.Integer(), nullable=False),
    sa.Column('status', sqlmodel.sql.sqltypes.AutoString(), nullable=False),
    sa.Column('cancel_requested', sa.Boolean(), nullable=False),
    sa.Column('progress', sa.Float(), nullable=False),
    sa.Column('message', sqlmodel.sql.sqltypes.AutoString(), nullable=False),
    sa.Column('preview_id', sa.Integer(), nullable=True),
    sa.Column('error', sqlmodel.sql.sqltypes.AutoString(), nullable=False),
    sa.Column('created_at', sqlmodel.sql.sqltypes.UTCDateTime(), nullable=False),
    sa.Column('heartbeat_at', sqlmodel.sql.sqltypes.UTCDateTime(), nullable=False),
    sa.Column('finished_at', sqlmodel.sql.sqltypes.UTCDateTime(), nullable=True),
    sa.ForeignKeyConstraint(['user_id'], ['user.id'], ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id')
    )
    with op.batch_alter_table('previewjob', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_previewjob_user_id'), ['user_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_previewjob_webui'), ['webui'], unique=False)


def downgrade() -> None:
    with op.batch_alter_table('previewjob', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_previewjob_webui'))
        batch_op.drop_index(batch_op.f('ix_previewjob_user_id'))
    op.drop_table('previewjob')
    with op.batch_alter_table('auththrottle', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_auththrottle_key'))
    op.drop_table('auththrottle')
