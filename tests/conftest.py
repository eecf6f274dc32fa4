"""Shared fixtures: real SQLite and real PostgreSQL catalogs, and the path of ../shared/datasets."""

from __future__ import annotations

import os
import uuid
from collections.abc import Iterator
from pathlib import Path

import pytest

# No test may reach a model hub or send telemetry.
os.environ.setdefault("HF_HUB_OFFLINE", "1")
os.environ.setdefault("HF_HUB_DISABLE_TELEMETRY", "1")
os.environ.setdefault("ANONYMIZED_TELEMETRY", "False")
os.environ.setdefault("GRADIO_ANALYTICS_ENABLED", "False")

REPO = Path(__file__).resolve().parents[1]
SHARED_DATASETS = REPO.parent / "shared" / "datasets"
PG_URL = os.environ.get("SHOPASSIST_TEST_PG_URL")


def shared_dataset(name: str) -> Path:
    """Path of ../shared/datasets/<name>, or skip the test saying why."""
    path = SHARED_DATASETS / name
    if not path.exists():
        pytest.skip(f"needs the shared dataset {path} (absent in this checkout)")
    return path


@pytest.fixture(autouse=True)
def _isolated_home(tmp_path_factory: pytest.TempPathFactory, monkeypatch: pytest.MonkeyPatch) -> None:
    """Each test gets its own SHOPASSIST_HOME so nothing touches the user's ~/.shopassist."""
    home = tmp_path_factory.mktemp("home")
    monkeypatch.setenv("SHOPASSIST_HOME", str(home))
    monkeypatch.delenv("SHOPASSIST_DB_URL", raising=False)


def _postgres_database() -> Iterator[str]:
    import sqlalchemy as sa

    from catalog.config import normalize_db_url

    admin_url = normalize_db_url(PG_URL or "")
    name = "t_" + uuid.uuid4().hex[:12]
    admin = sa.create_engine(admin_url, isolation_level="AUTOCOMMIT")
    with admin.connect() as conn:
        conn.execute(sa.text(f'CREATE DATABASE "{name}"'))
    url = sa.make_url(admin_url).set(database=name).render_as_string(hide_password=False)
    try:
        yield url
    finally:
        with admin.connect() as conn:
            conn.execute(sa.text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
        admin.dispose()


@pytest.fixture(params=["sqlite", pytest.param("postgresql", marks=pytest.mark.postgres)])
def db_url(request: pytest.FixtureRequest, tmp_path: Path) -> Iterator[str]:
    """A fresh, empty catalog database URL: SQLite file, and PostgreSQL when SHOPASSIST_TEST_PG_URL is set."""
    if request.param == "sqlite":
        yield f"sqlite:///{tmp_path / 'catalog.db'}"
        return
    if not PG_URL:
        pytest.skip("PostgreSQL tests need SHOPASSIST_TEST_PG_URL (set by .ci/run, which starts a server)")
    yield from _postgres_database()


@pytest.fixture
def sqlite_url(tmp_path: Path) -> str:
    return f"sqlite:///{tmp_path / 'catalog.db'}"


@pytest.fixture(autouse=True)
def _block_real_llm(request: pytest.FixtureRequest, monkeypatch: pytest.MonkeyPatch) -> None:
    """Real model loads are blocked unless a test opts in with @pytest.mark.slow."""
    if request.node.get_closest_marker("slow") is not None:
        return
    try:
        import assistant.llm as llm
    except ModuleNotFoundError:  # langchain not installed: nothing to guard
        return

    def blocked(*args: object, **kwargs: object) -> None:
        raise RuntimeError("real LLM use is blocked in fast tests: mark the test @pytest.mark.slow")

    monkeypatch.setattr(llm, "default_model_path", blocked)
    monkeypatch.setattr(llm.EmbeddedChatModel, "_ensure_server", blocked)


@pytest.fixture
def bot(sqlite_url: str):  # type: ignore[no-untyped-def]
    """The small store's assistant on SQLite, rules parser, catalog search (a test file may define its own)."""
    from assistant.agent import ShoppingAssistant
    from catalog.db import open_catalog
    from catalog.writer import sync_catalog
    from tests.catalog_fixtures import small_store

    db = open_catalog(sqlite_url)
    with db.session() as s:
        sync_catalog(s, small_store(), progress=False)
    return ShoppingAssistant.from_config(sqlite_url, llm="rules", search="catalog")
