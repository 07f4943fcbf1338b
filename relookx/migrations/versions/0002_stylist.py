"""stylist: recommendations, chat messages, workflow runs

Revision ID: 0002
Revises: 0001
Create Date: 2026-11-25 12:47:22.230301
"""
import sqlalchemy as sa
import sqlmodel
from alembic import op

revision = '0002'
down_revision = '0001'
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table('recommendation',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('user_id', sa.Integer(), nullable=False),
    sa.Column('photo_id', sa.Integer(), nullable=True),
    sa.Column('photo_number', sa.Integer(), nullable=True),
    sa.Column('query', sqlmodel.sql.sqltypes.AutoString(), nullable=False),
    sa.Column('constraints', sa.JSON(), nullable=False),
    sa.Column('color_rule', sqlmodel.sql.sqltypes.AutoString(), nullable=False),
    sa.Column('piece_rule', sqlmodel.sql.sqltypes.AutoString(), nullable=False),
    sa.Column('critique', sqlmodel.sql.sqltypes.AutoString(), nullable=False),
    sa.Column('piece', sa.JSON(), nullable=False),
    sa.Column('harmony_score', sa.Float(), nullable=True),
    sa.Column('harmony_reasons', sa.JSON(), nullable=False),
    sa.Column('backend', sqlmodel.sql.sqltypes.AutoString(), nullable=False),
    sa.Column('seed', sa.Integer(), nullable=False),
    sa.Column('calls', sa.Integer(), nullable=False),
    sa.Column('timings', sa.JSON(), nullable=False),
    sa.Column('feedback', sa.Integer(), nullable=False),
    sa.Column('created_at', sqlmodel.sql.sqltypes.UTCDateTime(), nullable=False),
    sa.ForeignKeyConstraint(['photo_id'], ['photo.id'], ondelete='SET NULL'),
    sa.ForeignKeyConstraint(['user_id'], ['user.id'], ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id')
    )
    with op.batch_alter_table('recommendation', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_recommendation_photo_id'), ['photo_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_recommendation_user_id'), ['user_id'], unique=False)

    op.create_table('chatmessage',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('user_id', sa.Integer(), nullable=False),
    sa.Column('role', sqlmodel.sql.sqltypes.AutoString(), nullable=False),
    sa.Column('kind', sqlmodel.sql.sqltypes.AutoString(), nullable=False),
    sa.Column('text', sqlmodel.sql.sqltypes.AutoString(), nullable=False),
    sa.Column('status', sqlmodel.sql.sqltypes.AutoString(), nullable=False),
    sa.Column('error', sqlmodel.sql.sqltypes.AutoString(), nullable=False),
    sa.Column('recommendation_id', sa.Integer(), nullable=True),
    sa.Column('created_at', sqlmodel.sql.sqltypes.UTCDateTime(), nullable=False),
    sa.ForeignKeyConstraint(['recommendation_id'], ['recommendation.id'], ondelete='SET NULL'),
    sa.ForeignKeyConstraint(['user_id'], ['user.id'], ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id')
    )
    with op.batch_alter_table('chatmessage', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_chatmessage_user_id'), ['user_id'], unique=False)

    op.create_table('stylistrun',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('user_id', sa.Integer(), nullable=False),
    sa.Column('recommendation_id', sa.Integer(), nullable=True),
    sa.Column('backend', sqlmodel.sql.sqltypes.AutoString(), nullable=False),
    sa.Column('models', sa.JSON(), nullable=False),
    sa.Column('request', sa.JSON(), nullable=False),
    sa.Column('critique', sqlmodel.sql.sqltypes.AutoString(), nullable=False),
    sa.Column('output', sa.JSON(), nullable=False),
    sa.Column('example', sa.JSON(), nullable=False),
    sa.Column('timings', sa.JSON(), nullable=False),
    sa.Column('created_at', sqlmodel.sql.sqltypes.UTCDateTime(), nullable=False),
    sa.ForeignKeyConstraint(['recommendation_id'], ['recommendation.id'], ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['user_id'], ['user.id'], ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id')
    )
    with op.batch_alter_table('stylistrun', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_stylistrun_recommendation_id'), ['recommendation_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_stylistrun_user_id'), ['user_id'], unique=False)



def downgrade() -> None:
    with op.batch_alter_table('stylistrun', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_stylistrun_user_id'))
        batch_op.drop_index(batch_op.f('ix_stylistrun_recommendation_id'))

    op.drop_table('stylistrun')
    with op.batch_alter_table('chatmessage', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_chatmessage_user_id'))

    op.drop_table('chatmessage')
    with op.batch_alter_table('recommendation', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_recommendation_user_id'))
        batch_op.drop_index(batch_op.f('ix_recommendation_photo_id'))

    op.drop_table('recommendation')
