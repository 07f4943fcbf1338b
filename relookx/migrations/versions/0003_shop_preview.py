"""shop and preview: cache, sites, wishlist, previews, products of a recommendation

Revision ID: 0003
Revises: 0002
Create Date: 2026-11-25 13:13:00.830300
"""
import sqlalchemy as sa
import sqlmodel
from alembic import op

revision = '0003'
down_revision = '0002'
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table('httpcacheentry',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('key', sqlmodel.sql.sqltypes.AutoString(length=64), nullable=False),
    sa.Column('url', sqlmodel.sql.sqltypes.AutoString(), nullable=False),
    sa.Column('status', sa.Integer(), nullable=False),
    sa.Column('headers', sa.JSON(), nullable=False),
    sa.Column('body', sa.Text(), nullable=False),
    sa.Column('fetched_at', sqlmodel.sql.sqltypes.UTCDateTime(), nullable=False),
    sa.Column('expires_at', sqlmodel.sql.sqltypes.UTCDateTime(), nullable=False),
    sa.PrimaryKeyConstraint('id')
    )
    with op.batch_alter_table('httpcacheentry', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_httpcacheentry_key'), ['key'], unique=True)

    op.create_table('shopsite',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('base_url', sqlmodel.sql.sqltypes.AutoString(length=500), nullable=False),
    sa.Column('platform', sqlmodel.sql.sqltypes.AutoString(), nullable=False),
    sa.Column('currency', sqlmodel.sql.sqltypes.AutoString(), nullable=False),
    sa.Column('name', sqlmodel.sql.sqltypes.AutoString(), nullable=False),
    sa.Column('note', sqlmodel.sql.sqltypes.AutoString(), nullable=False),
    sa.Column('detected_at', sqlmodel.sql.sqltypes.UTCDateTime(), nullable=False),
    sa.PrimaryKeyConstraint('id')
    )
    with op.batch_alter_table('shopsite', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_shopsite_base_url'), ['base_url'], unique=True)

    op.create_table('preview',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('user_id', sa.Integer(), nullable=False),
    sa.Column('photo_id', sa.Integer(), nullable=True),
    sa.Column('photo_number', sa.Integer(), nullable=True),
    sa.Column('recommendation_id', sa.Integer(), nullable=True),
    sa.Column('piece', sa.JSON(), nullable=False),
    sa.Column('mode', sqlmodel.sql.sqltypes.AutoString(), nullable=False),
    sa.Column('backend', sqlmodel.sql.sqltypes.AutoString(), nullable=False),
    sa.Column('image_key', sqlmodel.sql.sqltypes.AutoString(), nullable=False),
    sa.Column('image_format', sqlmodel.sql.sqltypes.AutoString(), nullable=False),
    sa.Column('params', sa.JSON(), nullable=False),
    sa.Column('warnings', sa.JSON(), nullable=False),
    sa.Column('seconds', sa.Float(), nullable=False),
    sa.Column('created_at', sqlmodel.sql.sqltypes.UTCDateTime(), nullable=False),
    sa.ForeignKeyConstraint(['photo_id'], ['photo.id'], ondelete='SET NULL'),
    sa.ForeignKeyConstraint(['recommendation_id'], ['recommendation.id'], ondelete='SET NULL'),
    sa.ForeignKeyConstraint(['user_id'], ['user.id'], ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id')
    )
    with op.batch_alter_table('preview', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_preview_photo_id'), ['photo_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_preview_user_id'), ['user_id'], unique=False)

    op.create_table('wishlistitem',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('user_id', sa.Integer(), nullable=False),
    sa.Column('url', sqlmodel.sql.sqltypes.AutoString(length=2000), nullable=False),
    sa.Column('product', sa.JSON(), nullable=False),
    sa.Column('recommendation_id', sa.Integer(), nullable=True),
    sa.Column('added_at', sqlmodel.sql.sqltypes.UTCDateTime(), nullable=False),
    sa.ForeignKeyConstraint(['recommendation_id'], ['recommendation.id'], ondelete='SET NULL'),
    sa.ForeignKeyConstraint(['user_id'], ['user.id'], ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id'),
    sa.UniqueConstraint('user_id', 'url', name='uq_wishlist_user_url')
    )
    with op.batch_alter_table('wishlistitem', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_wishlistitem_user_id'), ['user_id'], unique=False)

    with op.batch_alter_table('chatmessage', schema=None) as batch_op:
        batch_op.add_column(sa.Column('preview_id', sa.Integer(), nullable=True))

    with op.batch_alter_table('recommendation', schema=None) as batch_op:
        batch_op.add_column(sa.Column('products', sa.JSON(), nullable=False, server_default='[]'))



def downgrade() -> None:
    with op.batch_alter_table('recommendation', schema=None) as batch_op:
        batch_op.drop_column('products')

    with op.batch_alter_table('chatmessage', schema=None) as batch_op:
        batch_op.drop_column('preview_id')

    with op.batch_alter_table('wishlistitem', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_wishlistitem_user_id'))

    op.drop_table('wishlistitem')
    with op.batch_alter_table('preview', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_preview_user_id'))
        batch_op.drop_index(batch_op.f('ix_preview_photo_id'))

    op.drop_table('preview')
    with op.batch_alter_table('shopsite', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_shopsite_base_url'))

    op.drop_table('shopsite')
    with op.batch_alter_table('httpcacheentry', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_httpcacheentry_key'))

    op.drop_table('httpcacheentry')
