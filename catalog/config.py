"""Where shopassist keeps its data, and which database it talks to."""

from __future__ import annotations

import os
from pathlib import Path


def shopassist_home() -> Path:
    """`SHOPASSIST_HOME`, default `~/.shopassist`; created on first use."""
    home = Path(os.environ.get("SHOPASSIST_HOME") or Path.home() / ".shopassist").expanduser()
    home.mkdir(parents=True, exist_ok=True)
    return home


def default_db_url() -> str:
    """`SHOPASSIST_DB_URL` if set, else a SQLite file under `SHOPASSIST_HOME`."""
    url = os.environ.get("SHOPASSIST_DB_URL")
    if url:
        return normalize_db_url(url)
    return f"sqlite:///{shopassist_home() / 'catalog.db'}"


def normalize_db_url(url: str) -> str:
    """Accept the common spellings of a PostgreSQL URL and use the psycopg 3 driver we ship."""
    if url.startswith("postgres://"):
        url = "postgresql://" + url[len("postgres://") :]
    if url.startswith("postgresql://"):
        url = "postgresql+psycopg://" + url[len("postgresql://") :]
    return url


def missing_sqlite_file(url: str) -> str | None:
    """The path of a SQLite catalog URL whose file is not there (opening it would make a new, empty catalog), else None."""
    if not url.startswith("sqlite:///") or url == "sqlite:///:memory:":
        return None
    path = url[len("sqlite:///"):]
    return None if Path(path).expanduser().exists() else path
