"""the interaction log keeps a keyed pseudonym of each shopper id, never the id itself (catalog/privacy.py)

Upgrading makes the catalog's key and rewrites the ids already logged. Downgrading drops the key; the
pseudonyms stay (the ids they came from are not kept anywhere), so history logged before the
downgrade no longer matches its shopper.

Revision ID: 0005
Revises: 0004
"""
import sqlalchemy as sa
from alembic import op

from catalog.privacy import new_log_key, pseudonymize

revision = "0005"
down_revision = "0004"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.add_column("catalog_state", sa.Column("log_key", sa.String(length=64), nullable=True))
    conn = op.get_bind()
    key = new_log_key()
    if conn.execute(sa.text("SELECT count(*) FROM catalog_state WHERE id = 1")).scalar():
        conn.execute(sa.text("UPDATE catalog_state SET log_key = :k WHERE id = 1"), {"k": key})
    else:
        conn.execute(sa.text("INSERT INTO catalog_state (id, version, log_key) VALUES (1, 0, :k)"), {"k": key})
    ids = [r[0] for r in conn.execute(sa.text("SELECT DISTINCT user_id FROM interactions WHERE user_id IS NOT NULL"))]
    for raw in ids:
        conn.execute(sa.text("UPDATE interactions SET user_id = :p WHERE user_id = :u"), {"p": pseudonymize(key, raw), "u": raw})


def downgrade() -> None:
    with op.batch_alter_table("catalog_state", recreate="never") as batch:
        batch.drop_column("log_key")
