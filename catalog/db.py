"""Opening the catalog database and keeping its schema current (Alembic, run programmatically).

Alembic because the catalog lives in the shop's own database for years: each schema change is a
versioned, reviewable migration that upgrades SQLite and PostgreSQL alike, in a transaction.
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

from sqlalchemy import Engine, String, create_engine, event, inspect
from sqlalchemy.exc import ArgumentError, OperationalError
from sqlalchemy.ext.compiler import compiles
from sqlalchemy.orm import Session, sessionmaker
from sqlalchemy.sql.functions import FunctionElement

from catalog.config import default_db_url, normalize_db_url

MIGRATIONS = Path(__file__).parent / "migrations"


class CatalogDatabaseError(Exception):
    """The catalog database cannot be opened or upgraded; the message says what to do."""


def _alembic_config(engine: Engine):  # type: ignore[no-untyped-def]
    from alembic.config import Config

    cfg = Config()
    cfg.set_main_option("script_location", str(MIGRATIONS))
    return cfg


def upgrade(engine: Engine) -> None:
    """Create or upgrade the schema to the newest revision."""
    from alembic import command

    cfg = _alembic_config(engine)
    with engine.begin() as conn:
        cfg.attributes["connection"] = conn
        command.upgrade(cfg, "head")


def current_revision(engine: Engine) -> str | None:
    from alembic.runtime.migration import MigrationContext

    with engine.connect() as conn:
        return MigrationContext.configure(conn).get_current_revision()


class unicode_lower(FunctionElement[str]):  # noqa: N801 (an SQL function, named like one)
    """lower() that folds every letter, as Python's str.lower does: SQLite's own lower() folds only ASCII,
    so "Åsa@shop.se" and "åsa@shop.se" would be two shoppers there and one in PostgreSQL."""

    type = String()
    inherit_cache = True


@compiles(unicode_lower)
def _lower_default(element: unicode_lower, compiler: Any, **kw: Any) -> str:
    return f"lower({compiler.process(element.clauses, **kw)})"


@compiles(unicode_lower, "sqlite")
def _lower_sqlite(element: unicode_lower, compiler: Any, **kw: Any) -> str:
    return f"shopassist_lower({compiler.process(element.clauses, **kw)})"


def _python_lower(value: Any) -> Any:
    return value.lower() if isinstance(value, str) else value


class word_text(FunctionElement[str]):  # noqa: N801 (an SQL function, named like one)
    """The column's text lower case with every run of characters other than letters and digits one space, and one
    space before it (" ryker lumatech tee v neck "): a word, or words in a row, begin after a space whatever stood
    between them ("(V-Neck)", "Long-Sleeve"). With `glued`, hyphens are dropped first ("vneck", "longsleeve")."""

    type = String()
    inherit_cache = True

    def __init__(self, column: Any, glued: bool = False) -> None:
        super().__init__(column)
        self.glued = glued


@compiles(word_text)
def _word_text_default(element: word_text, compiler: Any, **kw: Any) -> str:
    low = f"lower(coalesce({compiler.process(element.clauses, **kw)}, ''))"
    if element.glued:
        low = f"replace({low}, '-', '')"
    return f"(' ' || regexp_replace({low}, '[^[:alnum:]]+', ' ', 'g') || ' ')"


@compiles(word_text, "sqlite")
def _word_text_sqlite(element: word_text, compiler: Any, **kw: Any) -> str:
    return f"shopassist_words({compiler.process(element.clauses, **kw)}, {1 if element.glued else 0})"


_NOT_ALNUM = re.compile(r"[\W_]+")


def python_word_text(value: Any, glued: Any = 0) -> str:
    """word_text in Python (SQLite's function, and the same words anywhere else)."""
    low = value.lower() if isinstance(value, str) else ""
    return f" {_NOT_ALNUM.sub(' ', low.replace('-', '') if glued else low).strip()} "


def _sqlite_pragmas(dbapi_conn, _record) -> None:  # type: ignore[no-untyped-def]
    dbapi_conn.create_function("shopassist_lower", 1, _python_lower, deterministic=True)
    dbapi_conn.create_function("shopassist_words", 2, python_word_text, deterministic=True)
    cur = dbapi_conn.cursor()
    cur.execute("PRAGMA foreign_keys=ON")
    cur.execute("PRAGMA journal_mode=WAL")
    cur.execute("PRAGMA synchronous=NORMAL")
    # A search reads ~30 products and their child rows, different ones each time: SQLite's default 2 MB page
    # cache missed on most of them at 55k products (a page read from the OS is a system call).
    cur.execute("PRAGMA cache_size=-65536")  # KiB: 64 MiB per connection, taken only as pages are read
    cur.close()


def make_engine(url: str | None = None) -> Engine:
    url = normalize_db_url(url) if url else default_db_url()
    try:
        if url.startswith("sqlite"):
            path = url.split("///", 1)[1] if "///" in url else ""
            if path and path != ":memory:":
                Path(path).expanduser().parent.mkdir(parents=True, exist_ok=True)
            engine = create_engine(url, connect_args={"timeout": 30})
            event.listen(engine, "connect", _sqlite_pragmas)
        else:
            engine = create_engine(url, pool_pre_ping=True)
    except ArgumentError as exc:
        raise CatalogDatabaseError(
            f"'{url}' is not a valid database URL ({exc}). Use e.g. sqlite:///path/catalog.db or "
            "postgresql://user:password@host:5432/dbname"
        ) from None
    except ModuleNotFoundError as exc:
        raise CatalogDatabaseError(f"the driver for '{url}' is not installed: pip install {exc.name}") from None
    return engine


class CatalogDB:
    """An open catalog: an engine with an up-to-date schema, and a session factory."""

    def __init__(self, engine: Engine):
        self.engine = engine
        self.sessions = sessionmaker(engine, expire_on_commit=False)

    @property
    def dialect(self) -> str:
        return self.engine.dialect.name

    @contextmanager
    def session(self) -> Iterator[Session]:
        """A session in one transaction: committed on success, rolled back on any error."""
        with self.sessions() as s, s.begin():
            yield s

    def close(self) -> None:
        self.engine.dispose()


def open_catalog(url: str | None = None, *, migrate: bool = True) -> CatalogDB:
    """Open (and by default create/upgrade) the catalog at `url` (default: SHOPASSIST_DB_URL or SQLite)."""
    engine = make_engine(url)
    try:
        if migrate:
            upgrade(engine)
        else:
            inspect(engine).get_table_names()
    except OperationalError as exc:
        engine.dispose()
        raise CatalogDatabaseError(
            f"cannot open the catalog database {engine.url.render_as_string(hide_password=True)}: "
            f"{str(exc.orig).strip()}. Check --db-url / SHOPASSIST_DB_URL and that the server is running."
        ) from None
    return CatalogDB(engine)
