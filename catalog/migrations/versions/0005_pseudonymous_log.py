"""the interaction log keeps a keyed pseudonym of each shopper id, never the id itself (catalog/privacy.py)

Upgrading makes the catalog's key (or reuses the one an earlier 0005 left) and rewrites the raw ids
already logged; pseudonyms already there are left as they are, so upgrading twice never hashes twice.
Downgrading keeps the key column on purpose: the pseudonyms in the log cannot be turned back into ids,
and without their key they would no longer match their shopper after the next upgrade.

Revision ID: 0005
Revises: 0004
"""
import re

import sqlalchemy as sa
from alembic import op

from catalog.privacy import PSEUDONYM_PREFIX, new_log_key, pseudonymize

revision = "0005"
down_revision = "0004"
branch_labels = None
depends_on = None

_PSEUDONYM = re.compile(rf"{PSEUDONYM_PREFIX}[0-9a-f]{{40}}")


def upgrade() -> None:
    conn = op.get_bind()
    if "log_key" not in {c["name"] for c in sa.inspect(conn).get_columns("catalog_state")}:
        op.add_column("catalog_state", sa.Column("log_key", sa.String(length=64), nullable=True))
    key = conn.execute(sa.text("SELECT log_key FROM catalog_state WHERE id = 1")).scalar()
    if not key:
        key = new_log_key()
        if conn.execute(sa.text("SELECT count(*) FROM catalog_state WHERE id = 1")).scalar():
            conn.execute(sa.text("UPDATE catalog_state SET log_key = :k WHERE id = 1"), {"k": key})
        else:
            conn.execute(sa.text("INSERT INTO catalog_state (id, version, log_key) VALUES (1, 0, :k)"), {"k": key})
    ids = [r[0] for r in conn.execute(sa.text("SELECT DISTINCT user_id FROM interactions WHERE user_id IS NOT NULL"))]
    for raw in ids:
        if not _PSEUDONYM.fullmatch(raw):  # written by a process still at 0004 during a rolling upgrade, or before
            conn.execute(sa.text("UPDATE interactions SET user_id = :p WHERE user_id = :u"), {"p": pseudonymize(key, raw), "u": raw})


def downgrade() -> None:
    """Nothing to undo that can be undone: the key column stays (see above); 0004 never reads it."""
