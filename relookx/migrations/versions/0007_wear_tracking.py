"""wear tracking: items and sightings, capture dates, the wear log

Existing data gets one item per current garment (same id, same fields), and every photo's capture
date starts at its upload time (the EXIF date was stripped before this revision). `python -m relookx
wardrobe find-repeats` (or the Wardrobe page's "Find repeats") then links garments seen in several
photos.

Revision ID: 0007
Revises: 0006
Create Date: 2026-12-03 06:50:00.000000
"""
import sqlalchemy as sa
import sqlmodel
from alembic import op

revision = '0007'
down_revision = '0006'
branch_labels = None
depends_on = None

_ITEM_FIELDS = ("name", "category", "color_name", "color_hex", "pattern", "material", "fit", "price",
                "price_text", "context", "description", "confidence", "source", "created_at")


def upgrade() -> None:
    op.create_table('item',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('user_id', sa.Integer(), nullable=False),
    sa.Column('name', sqlmodel.sql.sqltypes.AutoString(), nullable=False),
    sa.Column('category', sqlmodel.sql.sqltypes.AutoString(), nullable=False),
    sa.Column('color_name', sqlmodel.sql.sqltypes.AutoString(), nullable=False),
    sa.Column('color_hex', sqlmodel.sql.sqltypes.AutoString(), nullable=False),
    sa.Column('pattern', sqlmodel.sql.sqltypes.AutoString(), nullable=False),
    sa.Column('material', sqlmodel.sql.sqltypes.AutoString(), nullable=False),
    sa.Column('fit', sqlmodel.sql.sqltypes.AutoString(), nullable=False),
    sa.Column('price', sa.Float(), nullable=True),
    sa.Column('price_text', sqlmodel.sql.sqltypes.AutoString(), nullable=False),
    sa.Column('context', sqlmodel.sql.sqltypes.AutoString(), nullable=False),
    sa.Column('description', sqlmodel.sql.sqltypes.AutoString(), nullable=False),
    sa.Column('confidence', sa.Float(), nullable=False),
    sa.Column('source', sqlmodel.sql.sqltypes.AutoString(), nullable=False),
    sa.Column('created_at', sqlmodel.sql.sqltypes.UTCDateTime(), nullable=False),
    sa.ForeignKeyConstraint(['user_id'], ['user.id'], ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id')
    )
    with op.batch_alter_table('item', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_item_user_id'), ['user_id'], unique=False)

    op.create_table('wear',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('user_id', sa.Integer(), nullable=False),
    sa.Column('worn_on', sa.Date(), nullable=False),
    sa.Column('source', sqlmodel.sql.sqltypes.AutoString(), nullable=False),
    sa.Column('note', sqlmodel.sql.sqltypes.AutoString(), nullable=False),
    sa.Column('created_at', sqlmodel.sql.sqltypes.UTCDateTime(), nullable=False),
    sa.ForeignKeyConstraint(['user_id'], ['user.id'], ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id')
    )
    with op.batch_alter_table('wear', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_wear_user_id'), ['user_id'], unique=False)

    op.create_table('wearitem',
    sa.Column('wear_id', sa.Integer(), nullable=False),
    sa.Column('item_id', sa.Integer(), nullable=False),
    sa.ForeignKeyConstraint(['item_id'], ['item.id'], ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['wear_id'], ['wear.id'], ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('wear_id', 'item_id')
    )
    with op.batch_alter_table('wearitem', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_wearitem_item_id'), ['item_id'], unique=False)

    with op.batch_alter_table('garment', schema=None) as batch_op:
        batch_op.add_column(sa.Column('item_id', sa.Integer(), nullable=True))
        batch_op.add_column(sa.Column('candidate_item_id', sa.Integer(), nullable=True))
        batch_op.add_column(sa.Column('candidate_score', sa.Float(), nullable=True))
        batch_op.create_index(batch_op.f('ix_garment_item_id'), ['item_id'], unique=False)
        batch_op.create_foreign_key('fk_garment_item_id_item', 'item', ['item_id'], ['id'], ondelete='SET NULL')
        batch_op.create_foreign_key('fk_garment_candidate_item_id_item', 'item', ['candidate_item_id'], ['id'],
                                    ondelete='SET NULL')

    with op.batch_alter_table('photo', schema=None) as batch_op:
        batch_op.add_column(sa.Column('taken_at', sqlmodel.sql.sqltypes.UTCDateTime(), nullable=True))

    # One item per existing garment, with the garment's id, so the link is a plain copy of the id.
    fields = ", ".join(_ITEM_FIELDS)
    op.execute(f"INSERT INTO item (id, user_id, {fields}) SELECT id, user_id, {fields} FROM garment")
    op.execute("UPDATE garment SET item_id = id")
    op.execute("UPDATE photo SET taken_at = created_at WHERE taken_at IS NULL")
    if op.get_bind().dialect.name == "postgresql":  # explicit ids do not advance the serial sequence
        op.execute("SELECT setval(pg_get_serial_sequence('item', 'id'), COALESCE(MAX(id), 0) + 1, false) "
                   "FROM item")


def downgrade() -> None:
    with op.batch_alter_table('photo', schema=None) as batch_op:
        batch_op.drop_column('taken_at')
    with op.batch_alter_table('garment', schema=None) as batch_op:
        batch_op.drop_constraint('fk_garment_candidate_item_id_item', type_='foreignkey')
        batch_op.drop_constraint('fk_garment_item_id_item', type_='foreignkey')
        batch_op.drop_index(batch_op.f('ix_garment_item_id'))
        batch_op.drop_column('candidate_score')
        batch_op.drop_column('candidate_item_id')
        batch_op.drop_column('item_id')
    op.drop_table('wearitem')
    op.drop_table('wear')
    op.drop_table('item')
