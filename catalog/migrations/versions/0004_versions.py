"""version counters: the catalog's (bumped by every import that changes it) and each chat session's
(a save that lost a race with another writer is refused instead of overwriting its turn)

Revision ID: 0004
Revises: 0003
"""
import sqlalchemy as sa
from alembic import op

revision = "0004"
down_revision = "0003"
branch_labels = None
depends_on = None


def upgrade() -> None:
    state = op.create_table(
        "catalog_state",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("version", sa.Integer(), nullable=False, server_default="0"),
        sa.PrimaryKeyConstraint("id"),
    )
    op.bulk_insert(state, [{"id": 1, "version": 0}])
    # recreate="never": on SQLite a rebuilt chat_sessions would take its turns with it (ON DELETE CASCADE)
    with op.batch_alter_table("chat_sessions", recreate="never") as batch:
        batch.add_column(sa.Column("version", sa.Integer(), nullable=False, server_default="0"))


def downgrade() -> None:
    with op.batch_alter_table("chat_sessions", recreate="never") as batch:
        batch.drop_column("version")
    op.drop_table("catalog_state")
