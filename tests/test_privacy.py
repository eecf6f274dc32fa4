"""The interaction log names nobody: shopper ids are stored as keyed pseudonyms (catalog/privacy.py)."""

from __future__ import annotations

import dataclasses
from pathlib import Path

from sqlalchemy import select, text

from assistant.agent import ShoppingAssistant
from catalog.db import current_revision, open_catalog
from catalog.models import Interaction
from catalog.repository import CatalogRepository
from catalog.writer import sync_catalog
from tests.catalog_fixtures import small_store


def stored_user_ids(repo: CatalogRepository) -> list[str | None]:
    with repo.db.session() as s:
        return list(s.scalars(select(Interaction.user_id).order_by(Interaction.id)))


def catalog(url: str) -> CatalogRepository:
    db = open_catalog(url)
    with db.session() as s:
        sync_catalog(s, small_store(), progress=False)
    return CatalogRepository(db)


def test_the_log_keeps_a_pseudonym_not_the_id(db_url: str) -> None:
    repo = catalog(db_url)
    pid = repo.find_ids(limit=1)[0]
    repo.log_interaction("like", pid, user_id="Roni.Levi@example.com", session_id="s1")
    repo.log_interaction("view", pid, user_id="  roni.levi@EXAMPLE.com ", session_id="s2")
    repo.log_interaction("view", pid, user_id="someone-else", session_id="s3")
    repo.log_interaction("view", pid, session_id="s4")
    first, second, other, guest = stored_user_ids(repo)
    assert first is not None and first.startswith("p_") and len(first) == 42
    assert "roni" not in first.lower() and "example" not in first.lower()
    assert second == first == repo.user_pseudonym("roni.levi@example.com")  # one shopper, whatever the case
    assert other not in (None, first) and guest is None


def test_each_catalog_has_its_own_key(tmp_path: Path) -> None:
    a = catalog(f"sqlite:///{tmp_path / 'a.db'}")
    b = catalog(f"sqlite:///{tmp_path / 'b.db'}")
    assert a.user_pseudonym("ann@example.com") != b.user_pseudonym("ann@example.com")
    # and the key is kept: a second process on the same database agrees with the first
    again = CatalogRepository(open_catalog(f"sqlite:///{tmp_path / 'a.db'}"))
    assert again.user_pseudonym("ann@example.com") == a.user_pseudonym("ann@example.com")


def test_history_follows_the_shopper_whatever_the_case_of_their_id(tmp_path: Path) -> None:
    from tests.test_search import build, generated_store, searcher_for

    repo = build(f"sqlite:///{tmp_path / 'c.db'}", generated_store())
    searcher = searcher_for(repo)
    bought = repo.find_ids(limit=2)
    for pid in bought:
        repo.log_interaction("purchase", pid, user_id="ann@example.com")
    history = searcher.user_history("ANN@Example.com")
    assert set(history.product_ids) == set(bought)
    assert searcher.user_history("bob@example.com").product_ids == []


def test_deleting_a_shopper_removes_what_they_did_as_a_guest_in_their_conversation(db_url: str) -> None:
    repo = catalog(db_url)
    bot = ShoppingAssistant.from_config(db_url, llm="rules", search="catalog")
    reply = bot.chat("bags", session_id="conv")  # a guest so far
    bot.feedback("like", reply.products[0].id, session_id="conv")
    later = bot.chat("jackets", session_id="conv", user_id="ann@example.com")  # signs in and carries on
    bot.feedback("like", later.products[0].id, session_id="conv", user_id="ann@example.com")
    bot.feedback("like", reply.products[0].id, session_id="elsewhere")  # someone else's conversation
    exported = bot.sessions.export_user("ann@example.com")
    # their two likes, and what their two searches showed them (impressions), all in their conversation
    assert [e["session_id"] for e in exported["events"] if e["event"] == "like"] == ["conv", "conv"]
    shown = [e for e in exported["events"] if e["event"] == "impression"]
    assert len(shown) == len(reply.products) + len(later.products) and {e["session_id"] for e in shown} == {"conv"}
    assert bot.sessions.delete_user("ann@example.com") == {"sessions": 1, "turns": 2, "events": 2 + len(shown)}
    assert [u for u in stored_user_ids(repo)] == [None]  # only the other conversation's like is left


def test_upgrading_to_0005_pseudonymises_the_ids_already_logged(sqlite_url: str) -> None:
    from alembic import command

    from tests.catalog_fixtures import catalog_at_revision

    engine, cfg = catalog_at_revision(sqlite_url, "0004")
    engine.dispose()
    db = open_catalog(sqlite_url, migrate=False)
    with db.session() as s:  # (no orders: their table at 0004 lacks a column of today's model)
        sync_catalog(s, dataclasses.replace(small_store(), orders=[]), progress=False)
    with db.engine.begin() as conn:
        pid = conn.execute(text("SELECT min(id) FROM products")).scalar()
        for user in ("Ann@Example.com", "bob", None):
            conn.execute(text("INSERT INTO interactions (event, product_id, user_id) VALUES ('purchase', :p, :u)"), {"p": pid, "u": user})
    db.close()
    repo = CatalogRepository(open_catalog(sqlite_url))
    assert current_revision(repo.db.engine) == "0006"
    assert stored_user_ids(repo) == [repo.user_pseudonym("ann@example.com"), repo.user_pseudonym("bob"), None]
    repo.log_interaction("like", pid, user_id="bob")
    repo.db.close()
    # down and up again: the events are kept, and hashed once only (the key survives the downgrade)
    with engine.begin() as conn:
        cfg.attributes["connection"] = conn
        command.downgrade(cfg, "0004")
        assert conn.execute(text("SELECT count(*) FROM interactions")).scalar() == 4
        conn.execute(text("INSERT INTO interactions (event, product_id, user_id) VALUES ('view', :p, 'Carol')"), {"p": pid})
    repo = CatalogRepository(open_catalog(sqlite_url))
    assert current_revision(repo.db.engine) == "0006"
    ann, bob, carol = (repo.user_pseudonym(u) for u in ("ann@example.com", "bob", "carol"))
    assert stored_user_ids(repo) == [ann, bob, None, bob, carol]


def test_a_shopper_is_one_shopper_whatever_the_case_of_a_non_ascii_id(db_url: str) -> None:
    catalog(db_url)
    bot = ShoppingAssistant.from_config(db_url, llm="rules", search="catalog")
    reply = bot.chat("bags", session_id="s1", user_id="Åsa@shop.se")
    bot.feedback("like", reply.products[0].id, session_id="s1", user_id="Åsa@shop.se")
    assert [c["id"] for c in bot.sessions.export_user("åsa@SHOP.se")["sessions"]] == ["s1"]
    assert bot.sessions.delete_user("åsa@shop.se") == {"sessions": 1, "turns": 1, "events": 1 + len(reply.products)}
    assert not bot.sessions.exists("s1")
