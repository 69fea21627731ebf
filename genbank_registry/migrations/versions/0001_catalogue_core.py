"""catalogue core: institutions, tasks, taxa, assessments, accessions, characterization, import batches

Revision ID: 0001_catalogue_core
Revises: 
Create Date: 2026-11-24 07:06:12.728671
"""
from typing import Sequence, Union

import sqlalchemy as sa
import sqlmodel
from alembic import op


revision: str = '0001_catalogue_core'
down_revision: Union[str, Sequence[str], None] = None
branch_labels: Union[str, Sequence[str], None] = None
depends_on: Union[str, Sequence[str], None] = None


def upgrade() -> None:
    op.create_table('import_batch',
    sa.Column('format', sqlmodel.sql.sqltypes.AutoString(length=30), nullable=False),
    sa.Column('source_filename', sqlmodel.sql.sqltypes.AutoString(length=500), nullable=False),
    sa.Column('checksum', sqlmodel.sql.sqltypes.AutoString(length=64), nullable=True),
    sa.Column('created_by', sqlmodel.sql.sqltypes.AutoString(length=120), nullable=True),
    sa.Column('status', sqlmodel.sql.sqltypes.AutoString(length=20), nullable=False),
    sa.Column('added', sa.Integer(), nullable=False),
    sa.Column('updated', sa.Integer(), nullable=False),
    sa.Column('unchanged', sa.Integer(), nullable=False),
    sa.Column('rejected', sa.Integer(), nullable=False),
    sa.Column('message', sqlmodel.sql.sqltypes.AutoString(), nullable=True),
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('started_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('finished_at', sa.DateTime(timezone=True), nullable=True),
    sa.Column('report', sa.JSON(), nullable=True),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_import_batch'))
    )
    op.create_table('institution',
    sa.Column('code', sqlmodel.sql.sqltypes.AutoString(length=16), nullable=False),
    sa.Column('is_wiews_code', sa.Boolean(), nullable=False),
    sa.Column('name_vi', sqlmodel.sql.sqltypes.AutoString(length=300), nullable=False),
    sa.Column('name_en', sqlmodel.sql.sqltypes.AutoString(length=300), nullable=False),
    sa.Column('acronym', sqlmodel.sql.sqltypes.AutoString(length=40), nullable=True),
    sa.Column('address', sqlmodel.sql.sqltypes.AutoString(length=500), nullable=True),
    sa.Column('website', sqlmodel.sql.sqltypes.AutoString(length=300), nullable=True),
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('contact_person', sqlmodel.sql.sqltypes.AutoString(length=200), nullable=True),
    sa.Column('contact_email', sqlmodel.sql.sqltypes.AutoString(length=200), nullable=True),
    sa.Column('contact_phone', sqlmodel.sql.sqltypes.AutoString(length=60), nullable=True),
    sa.Column('created_at', sa.DateTime(timezone=True), nullable=False),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_institution'))
    )
    with op.batch_alter_table('institution', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_institution_code'), ['code'], unique=True)

    op.create_table('taxon',
    sa.Column('scientific_name', sqlmodel.sql.sqltypes.AutoString(length=300), nullable=False),
    sa.Column('authorship', sqlmodel.sql.sqltypes.AutoString(length=200), nullable=True),
    sa.Column('rank', sqlmodel.sql.sqltypes.AutoString(length=20), nullable=False),
    sa.Column('taxonomic_status', sqlmodel.sql.sqltypes.AutoString(length=20), nullable=False),
    sa.Column('verified', sa.Boolean(), nullable=False),
    sa.Column('kingdom', sqlmodel.sql.sqltypes.AutoString(length=40), nullable=True),
    sa.Column('family', sqlmodel.sql.sqltypes.AutoString(length=80), nullable=True),
    sa.Column('ncbi_taxon_id', sa.Integer(), nullable=True),
    sa.Column('gbif_key', sa.Integer(), nullable=True),
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('parent_id', sa.Integer(), nullable=True),
    sa.Column('accepted_id', sa.Integer(), nullable=True),
    sa.Column('name_folded', sqlmodel.sql.sqltypes.AutoString(length=300), nullable=False),
    sa.Column('created_at', sa.DateTime(timezone=True), nullable=False),
    sa.ForeignKeyConstraint(['accepted_id'], ['taxon.id'], name=op.f('fk_taxon_accepted_id_taxon')),
    sa.ForeignKeyConstraint(['parent_id'], ['taxon.id'], name=op.f('fk_taxon_parent_id_taxon')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_taxon')),
    sa.UniqueConstraint('scientific_name', 'rank', name=op.f('uq_taxon_scientific_name_rank'))
    )
    with op.batch_alter_table('taxon', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_taxon_accepted_id'), ['accepted_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_taxon_family'), ['family'], unique=False)
        batch_op.create_index(batch_op.f('ix_taxon_name_folded'), ['name_folded'], unique=False)
        batch_op.create_index(batch_op.f('ix_taxon_parent_id'), ['parent_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_taxon_scientific_name'), ['scientific_name'], unique=False)

    op.create_table('conservation_assessment',
    sa.Column('scheme', sqlmodel.sql.sqltypes.AutoString(length=30), nullable=False),
    sa.Column('code', sqlmodel.sql.sqltypes.AutoString(length=20), nullable=False),
    sa.Column('source_document', sqlmodel.sql.sqltypes.AutoString(length=500), nullable=True),
    sa.Column('assessed_on', sa.Date(), nullable=True),
    sa.Column('remarks', sqlmodel.sql.sqltypes.AutoString(), nullable=True),
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('taxon_id', sa.Integer(), nullable=False),
    sa.ForeignKeyConstraint(['taxon_id'], ['taxon.id'], name=op.f('fk_conservation_assessment_taxon_id_taxon')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_conservation_assessment')),
    sa.UniqueConstraint('taxon_id', 'scheme', name=op.f('uq_conservation_assessment_taxon_id_scheme'))
    )
    with op.batch_alter_table('conservation_assessment', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_conservation_assessment_taxon_id'), ['taxon_id'], unique=False)

    op.create_table('gene_fund_task',
    sa.Column('code', sqlmodel.sql.sqltypes.AutoString(length=40), nullable=False),
    sa.Column('title_vi', sqlmodel.sql.sqltypes.AutoString(length=500), nullable=False),
    sa.Column('title_en', sqlmodel.sql.sqltypes.AutoString(length=500), nullable=False),
    sa.Column('legal_basis', sqlmodel.sql.sqltypes.AutoString(length=300), nullable=True),
    sa.Column('period_start', sa.Integer(), nullable=True),
    sa.Column('period_end', sa.Integer(), nullable=True),
    sa.Column('status', sqlmodel.sql.sqltypes.AutoString(length=20), nullable=False),
    sa.Column('lifecycle_stage', sqlmodel.sql.sqltypes.AutoString(length=20), nullable=False),
    sa.Column('description_vi', sqlmodel.sql.sqltypes.AutoString(), nullable=True),
    sa.Column('description_en', sqlmodel.sql.sqltypes.AutoString(), nullable=True),
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('host_institution_id', sa.Integer(), nullable=False),
    sa.Column('created_at', sa.DateTime(timezone=True), nullable=False),
    sa.ForeignKeyConstraint(['host_institution_id'], ['institution.id'], name=op.f('fk_gene_fund_task_host_institution_id_institution')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_gene_fund_task'))
    )
    with op.batch_alter_table('gene_fund_task', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_gene_fund_task_code'), ['code'], unique=True)
        batch_op.create_index(batch_op.f('ix_gene_fund_task_host_institution_id'), ['host_institution_id'], unique=False)

    op.create_table('vernacular_name',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('taxon_id', sa.Integer(), nullable=False),
    sa.Column('name', sqlmodel.sql.sqltypes.AutoString(length=300), nullable=False),
    sa.Column('lang', sqlmodel.sql.sqltypes.AutoString(length=8), nullable=False),
    sa.Column('preferred', sa.Boolean(), nullable=False),
    sa.Column('name_folded', sqlmodel.sql.sqltypes.AutoString(length=300), nullable=False),
    sa.ForeignKeyConstraint(['taxon_id'], ['taxon.id'], name=op.f('fk_vernacular_name_taxon_id_taxon')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_vernacular_name')),
    sa.UniqueConstraint('taxon_id', 'lang', 'name', name=op.f('uq_vernacular_name_taxon_id_lang_name'))
    )
    with op.batch_alter_table('vernacular_name', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_vernacular_name_name_folded'), ['name_folded'], unique=False)
        batch_op.create_index(batch_op.f('ix_vernacular_name_taxon_id'), ['taxon_id'], unique=False)

    op.create_table('accession',
    sa.Column('accenumb', sqlmodel.sql.sqltypes.AutoString(length=60), nullable=False),
    sa.Column('puid', sqlmodel.sql.sqltypes.AutoString(length=300), nullable=True),
    sa.Column('category', sqlmodel.sql.sqltypes.AutoString(length=30), nullable=False),
    sa.Column('collnumb', sqlmodel.sql.sqltypes.AutoString(length=60), nullable=True),
    sa.Column('collcode', sqlmodel.sql.sqltypes.AutoString(length=100), nullable=True),
    sa.Column('collname', sqlmodel.sql.sqltypes.AutoString(length=300), nullable=True),
    sa.Column('collinstaddress', sqlmodel.sql.sqltypes.AutoString(length=500), nullable=True),
    sa.Column('collmissid', sqlmodel.sql.sqltypes.AutoString(length=300), nullable=True),
    sa.Column('genus', sqlmodel.sql.sqltypes.AutoString(length=80), nullable=True),
    sa.Column('species', sqlmodel.sql.sqltypes.AutoString(length=80), nullable=True),
    sa.Column('spauthor', sqlmodel.sql.sqltypes.AutoString(length=200), nullable=True),
    sa.Column('subtaxa', sqlmodel.sql.sqltypes.AutoString(length=200), nullable=True),
    sa.Column('subtauthor', sqlmodel.sql.sqltypes.AutoString(length=200), nullable=True),
    sa.Column('cropname', sqlmodel.sql.sqltypes.AutoString(length=200), nullable=True),
    sa.Column('accename', sqlmodel.sql.sqltypes.AutoString(length=300), nullable=True),
    sa.Column('acqdate', sqlmodel.sql.sqltypes.AutoString(length=8), nullable=True),
    sa.Column('origcty', sqlmodel.sql.sqltypes.AutoString(length=3), nullable=True),
    sa.Column('collsite', sqlmodel.sql.sqltypes.AutoString(length=500), nullable=True),
    sa.Column('declatitude', sa.Float(), nullable=True),
    sa.Column('declongitude', sa.Float(), nullable=True),
    sa.Column('coorduncert', sa.Integer(), nullable=True),
    sa.Column('coorddatum', sqlmodel.sql.sqltypes.AutoString(length=20), nullable=True),
    sa.Column('georefmeth', sqlmodel.sql.sqltypes.AutoString(length=40), nullable=True),
    sa.Column('elevation', sa.Float(), nullable=True),
    sa.Column('colldate', sqlmodel.sql.sqltypes.AutoString(length=8), nullable=True),
    sa.Column('bredcode', sqlmodel.sql.sqltypes.AutoString(length=100), nullable=True),
    sa.Column('bredname', sqlmodel.sql.sqltypes.AutoString(length=300), nullable=True),
    sa.Column('sampstat', sa.Integer(), nullable=True),
    sa.Column('ancest', sqlmodel.sql.sqltypes.AutoString(length=1000), nullable=True),
    sa.Column('collsrc', sa.Integer(), nullable=True),
    sa.Column('donorcode', sqlmodel.sql.sqltypes.AutoString(length=40), nullable=True),
    sa.Column('donorname', sqlmodel.sql.sqltypes.AutoString(length=300), nullable=True),
    sa.Column('donor_is_person', sa.Boolean(), nullable=False),
    sa.Column('donornumb', sqlmodel.sql.sqltypes.AutoString(length=60), nullable=True),
    sa.Column('othernumb', sqlmodel.sql.sqltypes.AutoString(length=500), nullable=True),
    sa.Column('duplsite', sqlmodel.sql.sqltypes.AutoString(length=100), nullable=True),
    sa.Column('duplinstname', sqlmodel.sql.sqltypes.AutoString(length=300), nullable=True),
    sa.Column('storage', sqlmodel.sql.sqltypes.AutoString(length=60), nullable=True),
    sa.Column('mlsstat', sa.Integer(), nullable=True),
    sa.Column('remarks', sqlmodel.sql.sqltypes.AutoString(length=2000), nullable=True),
    sa.Column('historic', sa.Boolean(), nullable=False),
    sa.Column('admin_unit_recorded', sqlmodel.sql.sqltypes.AutoString(length=300), nullable=True),
    sa.Column('admin_unit_recorded_on', sa.Date(), nullable=True),
    sa.Column('district_code', sqlmodel.sql.sqltypes.AutoString(length=10), nullable=True),
    sa.Column('commune', sqlmodel.sql.sqltypes.AutoString(length=120), nullable=True),
    sa.Column('collector_names', sqlmodel.sql.sqltypes.AutoString(length=500), nullable=True),
    sa.Column('collector_contact', sqlmodel.sql.sqltypes.AutoString(length=500), nullable=True),
    sa.Column('donor_contact', sqlmodel.sql.sqltypes.AutoString(length=500), nullable=True),
    sa.Column('conservation_mode', sqlmodel.sql.sqltypes.AutoString(length=20), nullable=True),
    sa.Column('lifecycle_stage', sqlmodel.sql.sqltypes.AutoString(length=20), nullable=False),
    sa.Column('publication_status', sqlmodel.sql.sqltypes.AutoString(length=20), nullable=False),
    sa.Column('sensitivity_override', sa.Integer(), nullable=True),
    sa.Column('public_remarks', sqlmodel.sql.sqltypes.AutoString(), nullable=True),
    sa.Column('private_remarks', sqlmodel.sql.sqltypes.AutoString(), nullable=True),
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('institution_id', sa.Integer(), nullable=False),
    sa.Column('taxon_id', sa.Integer(), nullable=True),
    sa.Column('task_id', sa.Integer(), nullable=True),
    sa.Column('search_text', sqlmodel.sql.sqltypes.AutoString(), nullable=False),
    sa.Column('created_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('updated_at', sa.DateTime(timezone=True), nullable=False),
    sa.ForeignKeyConstraint(['institution_id'], ['institution.id'], name=op.f('fk_accession_institution_id_institution')),
    sa.ForeignKeyConstraint(['task_id'], ['gene_fund_task.id'], name=op.f('fk_accession_task_id_gene_fund_task')),
    sa.ForeignKeyConstraint(['taxon_id'], ['taxon.id'], name=op.f('fk_accession_taxon_id_taxon')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_accession')),
    sa.UniqueConstraint('institution_id', 'accenumb', name=op.f('uq_accession_institution_id_accenumb'))
    )
    with op.batch_alter_table('accession', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_accession_category'), ['category'], unique=False)
        batch_op.create_index(batch_op.f('ix_accession_district_code'), ['district_code'], unique=False)
        batch_op.create_index(batch_op.f('ix_accession_institution_id'), ['institution_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_accession_publication_status'), ['publication_status'], unique=False)
        batch_op.create_index('ix_accession_status_category', ['publication_status', 'category'], unique=False)
        batch_op.create_index(batch_op.f('ix_accession_task_id'), ['task_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_accession_taxon_id'), ['taxon_id'], unique=False)

    op.create_table('characterization',
    sa.Column('descriptor', sqlmodel.sql.sqltypes.AutoString(length=200), nullable=False),
    sa.Column('value', sqlmodel.sql.sqltypes.AutoString(length=500), nullable=False),
    sa.Column('unit', sqlmodel.sql.sqltypes.AutoString(length=40), nullable=True),
    sa.Column('method', sqlmodel.sql.sqltypes.AutoString(length=300), nullable=True),
    sa.Column('observed_on', sa.Date(), nullable=True),
    sa.Column('level', sqlmodel.sql.sqltypes.AutoString(length=20), nullable=False),
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('accession_id', sa.Integer(), nullable=False),
    sa.ForeignKeyConstraint(['accession_id'], ['accession.id'], name=op.f('fk_characterization_accession_id_accession'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_characterization'))
    )
    with op.batch_alter_table('characterization', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_characterization_accession_id'), ['accession_id'], unique=False)



def downgrade() -> None:
    with op.batch_alter_table('characterization', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_characterization_accession_id'))

    op.drop_table('characterization')
    with op.batch_alter_table('accession', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_accession_taxon_id'))
        batch_op.drop_index(batch_op.f('ix_accession_task_id'))
        batch_op.drop_index('ix_accession_status_category')
        batch_op.drop_index(batch_op.f('ix_accession_publication_status'))
        batch_op.drop_index(batch_op.f('ix_accession_institution_id'))
        batch_op.drop_index(batch_op.f('ix_accession_district_code'))
        batch_op.drop_index(batch_op.f('ix_accession_category'))

    op.drop_table('accession')
    with op.batch_alter_table('vernacular_name', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_vernacular_name_taxon_id'))
        batch_op.drop_index(batch_op.f('ix_vernacular_name_name_folded'))

    op.drop_table('vernacular_name')
    with op.batch_alter_table('gene_fund_task', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_gene_fund_task_host_institution_id'))
        batch_op.drop_index(batch_op.f('ix_gene_fund_task_code'))

    op.drop_table('gene_fund_task')
    with op.batch_alter_table('conservation_assessment', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_conservation_assessment_taxon_id'))

    op.drop_table('conservation_assessment')
    with op.batch_alter_table('taxon', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_taxon_scientific_name'))
        batch_op.drop_index(batch_op.f('ix_taxon_parent_id'))
        batch_op.drop_index(batch_op.f('ix_taxon_name_folded'))
        batch_op.drop_index(batch_op.f('ix_taxon_family'))
        batch_op.drop_index(batch_op.f('ix_taxon_accepted_id'))

    op.drop_table('taxon')
    with op.batch_alter_table('institution', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_institution_code'))

    op.drop_table('institution')
    op.drop_table('import_batch')
