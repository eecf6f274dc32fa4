"""Writer semantics: idempotent, updates exactly the changed rows, all-or-nothing on bad input."""

from __future__ import annotations

import dataclasses
from decimal import Decimal

import pytest
from sqlalchemy import func, select, text

from catalog.db import current_revision, open_catalog
from catalog.models import Order, Product, Review, Variant
from catalog.records import (
    CatalogImportError,
    LinkRecord,
    OrderLineRecord,
    OrderRecord,
    ProductRecord,
    SkippedRow,
    VariantRecord,
)
from catalog.writer import sync_catalog
from tests.catalog_fixtures import small_store


def snapshot(db) -> dict[str, object]:  # type: ignore[no-untyped-def]
    with db.session() as s:
        return {
            "products": [tuple(r) for r in s.execute(select(Product.sku, Product.name, Product.price, Product.updated_at).order_by(Product.sku))],
            "variants": s.scalar(select(func.count(Variant.id))),
            "reviews": s.scalar(select(func.count(Review.id))),
            "orders": s.scalar(select(func.count(Order.id))),
        }


def test_schema_is_migrated(db_url: str) -> None:
    db = open_catalog(db_url)
    assert current_revision(db.engine) == "0006"
    open_catalog(db_url)  # opening again is a no-op upgrade


def test_import_twice_changes_nothing(db_url: str) -> None:
    db = open_catalog(db_url)
    with db.session() as s:
        first = sync_catalog(s, small_store(), progress=False)
    assert first.products_added == 7 and first.reviews_added == 3 and first.orders_added == 1
    before = snapshot(db)
    with db.session() as s:
        second = sync_catalog(s, small_store(), progress=False)
    assert not second.changed, second
    assert second.products_unchanged == 7
    assert snapshot(db) == before


def test_edited_product_updates_exactly_that_row(db_url: str) -> None:
    db = open_catalog(db_url)
    with db.session() as s:
        sync_catalog(s, small_store(), progress=False)
    before = {sku: row for sku, *row in snapshot(db)["products"]}  # type: ignore[union-attr]
    data = small_store()
    data.products[4] = dataclasses.replace(data.products[4], price=Decimal("36.50"))
    with db.session() as s:
        stats = sync_catalog(s, data, progress=False)
    assert (stats.products_updated, stats.products_unchanged, stats.products_added) == (1, 6, 0)
    after = {sku: row for sku, *row in snapshot(db)["products"]}  # type: ignore[union-attr]
    changed = {sku for sku in before if before[sku] != after[sku]}
    assert changed == {"24-MB01"}
    assert after["24-MB01"][1] == Decimal("36.50")


def test_variant_ids_survive_update(db_url: str) -> None:
    db = open_catalog(db_url)
    with db.session() as s:
        sync_catalog(s, small_store(), progress=False)
        ids = dict(s.execute(select(Variant.sku, Variant.id)).tuples().all())
    data = small_store()
    data.products[0] = dataclasses.replace(data.products[0], name="Stellar Rain Jacket II")
    with db.session() as s:
        sync_catalog(s, data, progress=False)
        assert dict(s.execute(select(Variant.sku, Variant.id)).tuples().all()) == ids


@pytest.mark.parametrize(
    "breakage",
    ["duplicate_sku", "order_unknown_sku", "review_bad_rating", "variant_stolen"],
)
def test_bad_input_leaves_database_unchanged(db_url: str, breakage: str) -> None:
    db = open_catalog(db_url)
    with db.session() as s:
        sync_catalog(s, small_store(), progress=False)
    before = snapshot(db)
    data = small_store()
    data.products[1] = dataclasses.replace(data.products[1], name="Changed name that must not land")
    if breakage == "duplicate_sku":
        data.products.append(ProductRecord(sku="WJ01", name="Dup", price=Decimal("1")))
    elif breakage == "order_unknown_sku":
        data.orders.append(OrderRecord(number="T-1002", customer_email=None, lines=[OrderLineRecord(sku="NOPE")]))
    elif breakage == "review_bad_rating":
        data.reviews[0] = dataclasses.replace(data.reviews[0], rating=9, body="new")
    else:
        thief = ProductRecord(sku="X1", name="Thief", price=Decimal("1"), variants=[dataclasses.replace(data.products[0].variants[0])])
        data.products.append(thief)
    with pytest.raises(CatalogImportError), db.session() as s:
        sync_catalog(s, data, progress=False)
    assert snapshot(db) == before


def test_links_to_unknown_products_are_reported_not_fatal(sqlite_url: str) -> None:
    db = open_catalog(sqlite_url)
    data = small_store()
    data.links.append(LinkRecord(sku="WJ01", linked_sku="GONE", kind="upsell"))
    with db.session() as s:
        stats = sync_catalog(s, data, progress=False)
    assert stats.links_added == 2
    assert any("GONE" in row.reason for row in stats.skipped)


def test_fts_follows_updates(sqlite_url: str) -> None:
    from catalog.repository import CatalogRepository

    db = open_catalog(sqlite_url)
    with db.session() as s:
        sync_catalog(s, small_store(), progress=False)
    repo = CatalogRepository(db)
    data = small_store()
    data.products[5] = dataclasses.replace(data.products[5], name="Fusion Rucksack")
    with db.session() as s:
        sync_catalog(s, data, progress=False)
    assert [repo.get(h.product_id).sku for h in repo.lexical_search("rucksack")] == ["24-MB02"]  # type: ignore[union-attr]
    assert repo.lexical_search("backpack") == []
    with db.session() as s:
        integrity = s.execute(text("INSERT INTO product_fts(product_fts) VALUES ('integrity-check')"))
        assert integrity is not None


def test_every_changing_import_bumps_the_catalog_version(db_url: str) -> None:
    from catalog.repository import CatalogRepository

    db = open_catalog(db_url)
    repo = CatalogRepository(db)
    assert repo.change_marker()[0] == 0
    with db.session() as s:
        sync_catalog(s, small_store(), progress=False)
    first = repo.change_marker()
    assert first[0] == 1 and first[1] == 7
    with db.session() as s:
        sync_catalog(s, small_store(), progress=False)  # nothing changed: nothing for caches to redo
    assert repo.change_marker() == first
    data = small_store()
    data.products[0] = dataclasses.replace(data.products[0], price=data.products[0].price + 1)
    # an import that fails is rolled back, version included
    with pytest.raises(RuntimeError), db.session() as s:
        sync_catalog(s, data, progress=False)
        raise RuntimeError("crash before commit")
    assert repo.change_marker() == first
    with db.session() as s:
        sync_catalog(s, data, progress=False)
    assert repo.change_marker()[0] == 2


def test_upgrading_a_catalog_from_0003_keeps_its_conversations(sqlite_url: str) -> None:
    from alembic import command

    from assistant.sessions import SessionStore
    from tests.catalog_fixtures import catalog_at_revision

    engine, cfg = catalog_at_revision(sqlite_url, "0003")
    with engine.begin() as conn:
        conn.execute(text(
            "INSERT INTO chat_sessions (id, user_id, state, created_at, updated_at) "
            "VALUES ('old', 'roni@example.com', '{\"history\": [\"bags\"]}', '2026-01-01', '2026-01-01')"
        ))
    engine.dispose()
    db = open_catalog(sqlite_url)
    assert current_revision(db.engine) == "0006"
    store = SessionStore(db)
    state = store.load("old", "roni@example.com")
    assert state.history == ["bags"] and state.version == 0
    state.history.append("jackets")
    store.save(state, {"user_text": "jackets", "reply_text": "ok"})
    assert store.load("old", "roni@example.com").history == ["bags", "jackets"]
    db.close()
    # and back: SQLite must not rebuild chat_sessions, which would cascade-delete every turn
    with engine.begin() as conn:
        cfg.attributes["connection"] = conn
        command.downgrade(cfg, "0003")
        assert conn.execute(text("SELECT count(*) FROM chat_turns")).scalar() == 1
        assert conn.execute(text("SELECT count(*) FROM chat_sessions")).scalar() == 1


def test_a_full_feed_hides_what_it_no_longer_has_and_shows_it_again(db_url: str) -> None:
    from catalog.repository import CatalogRepository, ProductFilter

    db = open_catalog(db_url)
    with db.session() as s:
        sync_catalog(s, small_store(), progress=False)
    repo = CatalogRepository(db)
    data = small_store()
    gone = data.products.pop(4)  # 24-MB01: discontinued
    with db.session() as s:
        partial = sync_catalog(s, data, progress=False)  # an ordinary import adds and updates; it never hides
    assert partial.products_hidden == 0 and repo.get_by_sku(gone.sku) is not None
    assert gone.sku in {p.sku for p in repo.find(ProductFilter(), limit=None)}
    with db.session() as s:
        full = sync_catalog(s, data, progress=False, hide_missing=True)
    assert (full.products_hidden, full.products_shown_again) == (1, 0) and full.changed
    from catalog.service import catalog_counts

    counts = catalog_counts(db)  # the report says how many of the products held are off sale
    assert counts["hidden products"] == 1 and counts["products"] == len(small_store().products)
    assert gone.sku not in {p.sku for p in repo.find(ProductFilter(), limit=None)}
    with db.session() as s:  # its order and review stay
        assert s.scalar(select(func.count(Review.id))) == 3 and s.scalar(select(func.count(Order.id))) == 1
    with db.session() as s:
        back = sync_catalog(s, small_store(), progress=False, hide_missing=True)
    assert (back.products_hidden, back.products_shown_again) == (0, 1)
    assert gone.sku in {p.sku for p in repo.find(ProductFilter(), limit=None)}


def _variants_of(db, sku: str) -> list[tuple[object, ...]]:  # type: ignore[no-untyped-def]
    with db.session() as s:
        return [tuple(r) for r in s.execute(
            select(Variant.id, Variant.sku, Variant.size, Variant.color, Variant.stock_qty, Variant.in_stock)
            .join(Product, Variant.product_id == Product.id).where(Product.sku == sku).order_by(Variant.id)
        )]


def test_a_skipped_variant_row_keeps_the_catalogs_variant(db_url: str) -> None:
    """--skip-bad-rows left out a bad variant row (stock -1): its product was rewritten without it and the variant
    deleted. The row is in the file: the variant keeps its old values, and the report says so."""
    db = open_catalog(db_url)
    with db.session() as s:
        sync_catalog(s, small_store(), progress=False)
    before = _variants_of(db, "WJ02")
    with db.session() as s:
        stock_before = s.scalar(select(Product.stock_qty).where(Product.sku == "WJ02"))
    data = small_store()
    jacket = data.products[1]
    bad = jacket.variants[2]  # WJ02-L-Purple, whose row was bad
    data.products[1] = dataclasses.replace(jacket, name="Nadia Elements Shell II",
                                           variants=[v for v in jacket.variants if v is not bad])
    data.skipped.append(SkippedRow("p.csv, line 5", "negative value -1 (field 'stock_qty')", None, bad.sku))
    with db.session() as s:
        stats = sync_catalog(s, data, progress=False)
    assert stats.products_updated == 1  # the rest of the product is updated
    assert _variants_of(db, "WJ02") == before
    with db.session() as s:
        assert s.scalar(select(Product.stock_qty).where(Product.sku == "WJ02")) == stock_before
        assert s.scalar(select(Product.name).where(Product.sku == "WJ02")) == "Nadia Elements Shell II"
    assert [row.reason for row in stats.skipped] == [
        f"negative value -1 (field 'stock_qty'); '{bad.sku}' stays in the catalog as it was"
    ]
    assert stats.skipped[0].public_line() == "p.csv, line 5: negative value -1 (field 'stock_qty'); this SKU stays in the catalog as it was"
    with db.session() as s:  # the same file again changes nothing
        assert not sync_catalog(s, data, progress=False).changed
    # a row with a new SKU is simply left out, and the report does not claim the catalog has it
    data.skipped[0] = SkippedRow("p.csv, line 5", "bad", None, "WJ02-XL-Purple")
    with db.session() as s:
        stats = sync_catalog(s, data, progress=False)
    assert [row.reason for row in stats.skipped] == ["bad"]
    assert [v[1] for v in _variants_of(db, "WJ02")] == [v[1] for v in before if v[1] != bad.sku]


def test_a_skipped_row_is_in_a_full_feed_and_not_hidden(db_url: str) -> None:
    """--hide-missing --skip-bad-rows hid the product whose row was skipped ("1 hidden (not in this file)")."""
    db = open_catalog(db_url)
    with db.session() as s:
        sync_catalog(s, small_store(), progress=False)
    data = small_store()
    bad = data.products.pop(6)  # 24-UG01: its row has an empty price
    gone = data.products.pop(5)  # 24-MB02: really no longer in the feed
    data.skipped.append(SkippedRow("p.csv, line 8", "empty price (field 'price')", None, bad.sku))
    with db.session() as s:
        stats = sync_catalog(s, data, progress=False, hide_missing=True)
    assert (stats.products_hidden, stats.products_shown_again) == (1, 0)
    with db.session() as s:
        visible = dict(s.execute(select(Product.sku, Product.visible)).tuples().all())
        price = s.scalar(select(Product.price).where(Product.sku == bad.sku))
    assert visible[bad.sku] and not visible[gone.sku]
    assert price == bad.price
    assert stats.skipped[0].reason.endswith(f"'{bad.sku}' stays in the catalog as it was")


@pytest.mark.parametrize("breakage", ["variant_stock_sum", "order_total"])
def test_sums_too_large_to_store_are_errors(db_url: str, breakage: str) -> None:
    """Each quantity and price fits its column, but a product's summed variant stock or an order's total may not:
    a clear error naming the row, not the database's overflow."""
    db = open_catalog(db_url)
    with db.session() as s:
        sync_catalog(s, small_store(), progress=False)
    before = snapshot(db)
    data = small_store()
    big = 2**31 - 1
    if breakage == "variant_stock_sum":
        data.products.append(ProductRecord(sku="BIG", name="Big", price=Decimal("1"), where="p.csv, line 9", variants=[
            VariantRecord(sku="BIG-1", stock_qty=big), VariantRecord(sku="BIG-2", stock_qty=big)]))
        says = "too large for a quantity"
    else:
        data.orders.append(OrderRecord(number="T-9", customer_email=None, where="o.csv, line 2", lines=[
            OrderLineRecord(sku="24-MB01", qty=big, unit_price=Decimal("9999999999.99"))]))
        says = "too large for a price"
    with pytest.raises(CatalogImportError, match=says) as err, db.session() as s:
        sync_catalog(s, data, progress=False)
    assert str(err.value).startswith(("p.csv, line 9", "o.csv, line 2"))
    assert snapshot(db) == before
