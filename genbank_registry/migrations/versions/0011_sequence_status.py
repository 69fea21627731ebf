"""sequence records get a publication status

Revision ID: 0011_sequence_status
Revises: 0009_search_speed
Create Date: 2026-11-24 08:45:53.337211
"""
from typing import Sequence, Union

import sqlalchemy as sa
import sqlmodel
from alembic import op


revision: str = '0011_sequence_status'
down_revision: Union[str, Sequence[str], None] = '0009_search_speed'
branch_labels: Union[str, Sequence[str], None] = None
depends_on: Union[str, Sequence[str], None] = None


def upgrade() -> None:
    with op.batch_alter_table('sequence_record', schema=None) as batch_op:
        batch_op.add_column(sa.Column('publication_status', sqlmodel.sql.sqltypes.AutoString(length=20), server_default='published', nullable=False))



def downgrade() -> None:
    with op.batch_alter_table('sequence_record', schema=None) as batch_op:
        batch_op.drop_column('publication_status')

