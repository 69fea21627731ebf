"""sequence records: FASTA/GenBank imports, voucher links, QC flags, version history

Revision ID: 0002_sequences
Revises: 0001_catalogue_core
Create Date: 2026-11-24 08:13:43.392125
"""
from typing import Sequence, Union

import sqlalchemy as sa
import sqlmodel
from alembic import op


revision: str = '0002_sequences'
down_revision: Union[str, Sequence[str], None] = '0001_catalogue_core'
branch_labels: Union[str, Sequence[str], None] = None
depends_on: Union[str, Sequence[str], None] = None


def upgrade() -> None:
    op.create_table('sequence_record',
    sa.Column('record_id', sqlmodel.sql.sqltypes.AutoString(length=100), nullable=False),
    sa.Column('accession_base', sqlmodel.sql.sqltypes.AutoString(length=100), nullable=False),
    sa.Column('version', sa.Integer(), nullable=True),
    sa.Column('name', sqlmodel.sql.sqltypes.AutoString(length=100), nullable=True),
    sa.Column('molecule_type', sqlmodel.sql.sqltypes.AutoString(length=20), nullable=False),
    sa.Column('topology', sqlmodel.sql.sqltypes.AutoString(length=10), nullable=False),
    sa.Column('division', sqlmodel.sql.sqltypes.AutoString(length=10), nullable=True),
    sa.Column('locus_date', sqlmodel.sql.sqltypes.AutoString(length=11), nullable=True),
    sa.Column('marker', sqlmodel.sql.sqltypes.AutoString(length=30), nullable=True),
    sa.Column('length', sa.Integer(), nullable=False),
    sa.Column('checksum', sqlmodel.sql.sqltypes.AutoString(length=32), nullable=False),
    sa.Column('gc_content', sa.Float(), nullable=True),
    sa.Column('ambiguous_fraction', sa.Float(), nullable=False),
    sa.Column('organism', sqlmodel.sql.sqltypes.AutoString(length=300), nullable=True),
    sa.Column('specimen_voucher', sqlmodel.sql.sqltypes.AutoString(length=300), nullable=True),
    sa.Column('culture_collection', sqlmodel.sql.sqltypes.AutoString(length=300), nullable=True),
    sa.Column('bio_material', sqlmodel.sql.sqltypes.AutoString(length=300), nullable=True),
    sa.Column('geo_loc_name', sqlmodel.sql.sqltypes.AutoString(length=300), nullable=True),
    sa.Column('lat_lon', sqlmodel.sql.sqltypes.AutoString(length=60), nullable=True),
    sa.Column('collection_date', sqlmodel.sql.sqltypes.AutoString(length=40), nullable=True),
    sa.Column('collected_by', sqlmodel.sql.sqltypes.AutoString(length=300), nullable=True),
    sa.Column('db_xref', sqlmodel.sql.sqltypes.AutoString(length=300), nullable=True),
    sa.Column('voucher', sqlmodel.sql.sqltypes.AutoString(length=300), nullable=True),
    sa.Column('qc_flags', sqlmodel.sql.sqltypes.AutoString(length=100), nullable=False),
    sa.Column('is_current', sa.Boolean(), nullable=False),
    sa.Column('definition', sa.Text(), nullable=True),
    sa.Column('sequence', sa.Text(), nullable=False),
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('taxon_id', sa.Integer(), nullable=True),
    sa.Column('accession_id', sa.Integer(), nullable=True),
    sa.Column('batch_id', sa.Integer(), nullable=True),
    sa.Column('lineage', sa.JSON(), nullable=True),
    sa.Column('keywords', sa.JSON(), nullable=True),
    sa.Column('features', sa.JSON(), nullable=True),
    sa.Column('references', sa.JSON(), nullable=True),
    sa.Column('content_hash', sqlmodel.sql.sqltypes.AutoString(length=32), nullable=False),
    sa.Column('created_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('updated_at', sa.DateTime(timezone=True), nullable=False),
    sa.ForeignKeyConstraint(['accession_id'], ['accession.id'], name=op.f('fk_sequence_record_accession_id_accession')),
    sa.ForeignKeyConstraint(['batch_id'], ['import_batch.id'], name=op.f('fk_sequence_record_batch_id_import_batch')),
    sa.ForeignKeyConstraint(['taxon_id'], ['taxon.id'], name=op.f('fk_sequence_record_taxon_id_taxon')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_sequence_record'))
    )
    with op.batch_alter_table('sequence_record', schema=None) as batch_op:
        batch_op.create_index('ix_sequence_record_accession_base', ['accession_base'], unique=False, sqlite_where=sa.text('version IS NOT NULL'), postgresql_where=sa.text('version IS NOT NULL'))
        batch_op.create_index('ix_sequence_record_accession_id', ['accession_id'], unique=False, sqlite_where=sa.text('accession_id IS NOT NULL'), postgresql_where=sa.text('accession_id IS NOT NULL'))
        batch_op.create_index(batch_op.f('ix_sequence_record_checksum'), ['checksum'], unique=False)
        batch_op.create_index(batch_op.f('ix_sequence_record_record_id'), ['record_id'], unique=True)
        batch_op.create_index('ix_sequence_record_taxon_marker', ['taxon_id', 'marker'], unique=False)



def downgrade() -> None:
    with op.batch_alter_table('sequence_record', schema=None) as batch_op:
        batch_op.drop_index('ix_sequence_record_taxon_marker')
        batch_op.drop_index(batch_op.f('ix_sequence_record_record_id'))
        batch_op.drop_index(batch_op.f('ix_sequence_record_checksum'))
        batch_op.drop_index('ix_sequence_record_accession_id', sqlite_where=sa.text('accession_id IS NOT NULL'), postgresql_where=sa.text('accession_id IS NOT NULL'))
        batch_op.drop_index('ix_sequence_record_accession_base', sqlite_where=sa.text('version IS NOT NULL'), postgresql_where=sa.text('version IS NOT NULL'))

    op.drop_table('sequence_record')
