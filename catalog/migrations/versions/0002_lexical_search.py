"""lexical search: SQLite FTS5 (BM25) or PostgreSQL tsvector + GIN over name and search_text

Revision ID: 0002
Revises: 0001
"""
from alembic import op

revision = "0002"
down_revision = "0001"
branch_labels = None
depends_on = None


def upgrade() -> None:
    dialect = op.get_bind().dialect.name
    if dialect == "sqlite":
        op.execute(
            "CREATE VIRTUAL TABLE product_fts USING fts5(name, search_text, content='products', "
            "content_rowid='id', tokenize='porter unicode61 remove_diacritics 2')"
        )
        op.execute(
            "CREATE TRIGGER products_fts_ai AFTER INSERT ON products BEGIN "
            "INSERT INTO product_fts(rowid, name, search_text) VALUES (new.id, new.name, new.search_text); END"
        )
        op.execute(
            "CREATE TRIGGER products_fts_ad AFTER DELETE ON products BEGIN "
            "INSERT INTO product_fts(product_fts, rowid, name, search_text) "
            "VALUES ('delete', old.id, old.name, old.search_text); END"
        )
        op.execute(
            "CREATE TRIGGER products_fts_au AFTER UPDATE OF name, search_text ON products BEGIN "
            "INSERT INTO product_fts(product_fts, rowid, name, search_text) "
            "VALUES ('delete', old.id, old.name, old.search_text); "
            "INSERT INTO product_fts(rowid, name, search_text) VALUES (new.id, new.name, new.search_text); END"
        )
        op.execute("INSERT INTO product_fts(product_fts) VALUES ('rebuild')")
    elif dialect == "postgresql":
        op.execute(
            "ALTER TABLE products ADD COLUMN search_tsv tsvector GENERATED ALWAYS AS ("
            "setweight(to_tsvector('english', coalesce(name, '')), 'A') || "
            "setweight(to_tsvector('english', coalesce(search_text, '')), 'B')) STORED"
        )
        op.execute("CREATE INDEX ix_products_search_tsv ON products USING GIN (search_tsv)")
    # Other databases: lexical search falls back to LIKE matching (see catalog.lexical).


def downgrade() -> None:
    dialect = op.get_bind().dialect.name
    if dialect == "sqlite":
        for trig in ("products_fts_ai", "products_fts_ad", "products_fts_au"):
            op.execute(f"DROP TRIGGER IF EXISTS {trig}")
        op.execute("DROP TABLE IF EXISTS product_fts")
    elif dialect == "postgresql":
        op.execute("DROP INDEX IF EXISTS ix_products_search_tsv")
        op.execute("ALTER TABLE products DROP COLUMN IF EXISTS search_tsv")
