"""import jobs keep their error as a message id with parameters, so the web shows it in the reader's language

Revision ID: 0014_i18n_job_messages
Revises: 0013_search_tiers
Create Date: 2026-11-25

`import_job.error` stays the English sentence (the API and the CLI show it); `error_message` is the same
sentence as {"msgid", "params"} (schemas.messages.Message), NULL for errors written before this revision.
"""
from typing import Sequence, Union

import sqlalchemy as sa
from alembic import op

revision: str = "0014_i18n_job_messages"
down_revision: Union[str, Sequence[str], None] = "0013_search_tiers"
branch_labels: Union[str, Sequence[str], None] = None
depends_on: Union[str, Sequence[str], None] = None


def upgrade() -> None:
    with op.batch_alter_table("import_job") as batch:
        batch.add_column(sa.Column("error_message", sa.JSON(), nullable=True))


def downgrade() -> None:
    with op.batch_alter_table("import_job") as batch:
        batch.drop_column("error_message")
