"""`shopassist catalog import` as a user runs it: counts, idempotency, clear errors, nothing half-written."""

from __future__ import annotations

import csv
import functools
import http.server
import io
import json
import threading
import time
import zipfile
from collections.abc import Iterator
from pathlib import Path

import pytest
from click.testing import CliRunner
from PIL import Image

from assistant.cli import cli
from catalog.db import open_catalog
from catalog.service import catalog_counts
from tests.conftest import shared_dataset


def run(*args: str) -> tuple[int, str]:
    result = CliRunner().invoke(cli, list(args), catch_exceptions=False)
    return result.exit_code, result.output


def db_fingerprint(url: str) -> dict[str, object]:
    """Every table's full content, to prove a failed import changed nothing."""
    import sqlalchemy as sa

    engine = sa.create_engine(url)
    out: dict[str, object] = {}
    with engine.connect() as conn:
        for t in sa.inspect(engine).get_table_names():
            if t.startswith("product_fts") or t == "alembic_version":
                continue
            out[t] = sorted(map(repr, conn.execute(sa.text(f'SELECT * FROM "{t}"')).all()))
    engine.dispose()
    return out


def write_csv(path: Path, rows: list[dict[str, str]]) -> Path:
    with path.open("w", newline="", encoding="utf-8") as f:
        w = csv.DictWriter(f, fieldnames=list(rows[0]))
        w.writeheader()
        w.writerows(rows)
    return path


GOOD_ROWS = [
    {"sku": "TEE-1", "name": "Linen Tee", "price": "25.00", "category": "Women/Tops", "image": "tee.png", "attr_material": "Linen"},
    {"sku": "TEE-1-S", "name": "", "price": "", "category": "", "image": "", "attr_material": "", "parent_sku": "TEE-1", "size": "S", "color": "White"},
    {"sku": "CAP-1", "name": "Sun Cap", "price": "12.50", "category": "Gear/Hats", "image": "", "attr_material": "Cotton"},
]


@pytest.fixture
def shop_dir(tmp_path: Path) -> Path:
    d = tmp_path / "shop"
    d.mkdir()
    Image.new("RGB", (8, 8), "white").save(d / "tee.png")
    rows = [dict(r, parent_sku=r.get("parent_sku", ""), size=r.get("size", ""), color=r.get("color", "")) for r in GOOD_ROWS]
    write_csv(d / "products.csv", rows)
    return d


def test_csv_import_then_reimport_is_noop(shop_dir: Path, db_url: str) -> None:
    code, out = run("catalog", "import", str(shop_dir / "products.csv"), "--format", "csv", "--db-url", db_url, "-q")
    assert code == 0, out
    assert "2 added" in out
    before = db_fingerprint(db_url)
    code, out = run("catalog", "import", str(shop_dir / "products.csv"), "--db-url", db_url, "-q")
    assert code == 0 and "0 added, 0 updated, 2 unchanged" in out, out
    after = db_fingerprint(db_url)
    after.pop("import_runs"), before.pop("import_runs")
    assert after == before


def test_edited_file_updates_only_changed_rows(shop_dir: Path, sqlite_url: str) -> None:
    run("catalog", "import", str(shop_dir / "products.csv"), "--db-url", sqlite_url, "-q")
    text = (shop_dir / "products.csv").read_text(encoding="utf-8").replace("12.50", "13.75")
    (shop_dir / "products.csv").write_text(text, encoding="utf-8")
    code, out = run("catalog", "import", str(shop_dir / "products.csv"), "--db-url", sqlite_url, "-q", "--json")
    assert code == 0, out
    stats = json.loads(out)["import"]
    assert (stats["products_added"], stats["products_updated"], stats["products_unchanged"]) == (0, 1, 1)


BAD_CASES = {
    "missing_column": ("products.csv", lambda d: write_csv(d / "products.csv", [{"sku": "A", "name": "x"}]), "price"),
    "non_numeric_price": ("products.csv", lambda d: write_csv(d / "products.csv", [{"sku": "A", "name": "x", "price": "12,5O"}]), "line 2"),
    "duplicate_sku": (
        "products.csv",
        lambda d: write_csv(d / "products.csv", [{"sku": "A", "name": "x", "price": "1"}, {"sku": "A", "name": "y", "price": "2"}]),
        "line 3",
    ),
    "unreadable_image": (
        "products.csv",
        lambda d: ((d / "broken.png").write_bytes(b"not an image"), write_csv(d / "products.csv", [{"sku": "A", "name": "x", "price": "1", "image": "broken.png"}])),
        "image",
    ),
    "wrong_encoding": ("products.csv", lambda d: (d / "products.csv").write_bytes("sku,name,price\nA,Café,1\n".encode("latin-1")), "UTF-8"),
    "broken_jsonl": ("products.jsonl", lambda d: (d / "products.jsonl").write_text('{"sku": "A", "name": "x", "price": 1}\n{"sku": "B",\n', encoding="utf-8"), "line 2"),
    # was an OverflowError traceback from SQLite, naming no row
    "huge_stock": (
        "products.csv",
        lambda d: write_csv(d / "products.csv", [{"sku": "A", "name": "x", "price": "1", "stock_qty": "99999999999999999999"}]),
        "line 2, field 'stock_qty': 99999999999999999999 is too large for a quantity (at most 2147483647)",
    ),
}


@pytest.mark.parametrize("case", sorted(BAD_CASES))
def test_bad_input_clear_error_and_catalog_unchanged(case: str, shop_dir: Path, db_url: str, tmp_path: Path) -> None:
    code, out = run("catalog", "import", str(shop_dir / "products.csv"), "--db-url", db_url, "-q")
    assert code == 0, out
    before = db_fingerprint(db_url)
    bad = tmp_path / "bad"
    bad.mkdir()
    name, make, expected = BAD_CASES[case]
    make(bad)
    result = CliRunner().invoke(cli, ["catalog", "import", str(bad / name), "--db-url", db_url, "-q"])
    assert result.exit_code == 1, result.output
    assert "Traceback" not in result.output and result.exception is None or isinstance(result.exception, SystemExit)
    assert "Error:" in result.output and expected in result.output, result.output
    assert "catalog is unchanged" in result.output
    assert db_fingerprint(db_url) == before


def test_skip_bad_rows_reports_and_imports_the_rest(tmp_path: Path, sqlite_url: str) -> None:
    write_csv(tmp_path / "p.csv", [{"sku": "A", "name": "ok", "price": "1"}, {"sku": "B", "name": "bad", "price": "abc"}])
    code, out = run("catalog", "import", str(tmp_path / "p.csv"), "--db-url", sqlite_url, "-q", "--skip-bad-rows")
    assert code == 0, out
    assert "1 added" in out and "notes on 1 (bad rows skipped" in out and "line 3" in out


JACKET_ROWS = [
    {"sku": "JKT-1", "name": "Alpine Rain Jacket", "price": "79.00", "stock_qty": "", "color": "", "size": "", "parent_sku": "", "image": ""},
    {"sku": "JKT-1-S-RED", "name": "", "price": "", "stock_qty": "3", "color": "Red", "size": "S", "parent_sku": "JKT-1", "image": ""},
    {"sku": "JKT-1-M-RED", "name": "", "price": "", "stock_qty": "0", "color": "Red", "size": "M", "parent_sku": "JKT-1", "image": ""},
    {"sku": "JKT-1-M-BLU", "name": "", "price": "85.00", "stock_qty": "5", "color": "Blue", "size": "M", "parent_sku": "JKT-1", "image": "blue.png"},
    {"sku": "HAR-1", "name": "Summit Pro Harness", "price": "89.99", "stock_qty": "4", "color": "Blue", "size": "", "parent_sku": "", "image": ""},
    {"sku": "MUG-1", "name": "Camp Mug", "price": "12.50", "stock_qty": "40", "color": "", "size": "", "parent_sku": "", "image": ""},
    {"sku": "HAT-1", "name": "Sun Hat", "price": "25.00", "stock_qty": "7", "color": "", "size": "", "parent_sku": "", "image": ""},
]


def _edited(rows: list[dict[str, str]], sku: str, **changes: str) -> list[dict[str, str]]:
    return [dict(r, **changes) if r["sku"] == sku else r for r in rows]


def _jackets(folder: Path) -> Path:
    Image.new("RGB", (8, 8), "blue").save(folder / "blue.png")
    return write_csv(folder / "p.csv", JACKET_ROWS)


def test_a_skipped_variant_row_keeps_the_variant(tmp_path: Path, sqlite_url: str) -> None:
    """--skip-bad-rows reported a bad variant row (stock -1) as left out, then deleted that variant (3 -> 2)."""
    f = _jackets(tmp_path)
    assert run("catalog", "import", str(f), "--db-url", sqlite_url, "-q")[0] == 0
    before = db_fingerprint(sqlite_url)
    write_csv(f, _edited(JACKET_ROWS, "JKT-1-M-BLU", stock_qty="-1"))
    code, out = run("catalog", "import", str(f), "--db-url", sqlite_url, "-q", "--skip-bad-rows")
    assert code == 0, out
    assert f"{f}, line 5: negative value -1" in out and "'JKT-1-M-BLU' stays in the catalog as it was" in out
    assert "3 variants" in out
    after = db_fingerprint(sqlite_url)
    after.pop("import_runs"), before.pop("import_runs")
    assert after == before  # the variant, its photo, its product's stock: everything as it was
    assert len(before["product_images"]) == 1  # type: ignore[arg-type]


def test_a_full_feed_does_not_hide_a_product_whose_row_was_skipped(tmp_path: Path, sqlite_url: str) -> None:
    """--hide-missing --skip-bad-rows said "1 hidden (not in this file)" and hid HAR-1, whose row (empty price) is in
    the file."""
    f = _jackets(tmp_path)
    assert run("catalog", "import", str(f), "--db-url", sqlite_url, "-q")[0] == 0
    rows = [r for r in _edited(JACKET_ROWS, "HAR-1", price="") if r["sku"] != "HAT-1"]  # HAT-1: really gone
    write_csv(f, rows)
    code, out = run("catalog", "import", str(f), "--db-url", sqlite_url, "-q", "--skip-bad-rows", "--hide-missing")
    assert code == 0, out
    assert "1 hidden (not in this file)" in out and "'HAR-1' stays in the catalog as it was" in out
    import sqlalchemy as sa

    engine = sa.create_engine(sqlite_url)
    with engine.connect() as conn:
        rows_now = conn.execute(sa.text("SELECT sku, visible, price FROM products ORDER BY sku")).all()
    engine.dispose()
    assert [(sku, bool(vis), float(price)) for sku, vis, price in rows_now] == [
        ("HAR-1", True, 89.99), ("HAT-1", False, 25.0), ("JKT-1", True, 79.0), ("MUG-1", True, 12.5),
    ]


def test_a_duplicate_policy_heading_names_both_lines(tmp_path: Path, sqlite_url: str) -> None:
    """The error said "(p2.md and p2.md)", naming no line."""
    f = tmp_path / "p2.md"
    f.write_text("## Shipping\nWe ship.\n## Shipping\nAgain\n", encoding="utf-8")
    code, out = run("catalog", "import", str(f), "--db-url", sqlite_url, "-q")
    assert code == 1
    assert f"Error: {f}, line 3: two entries are called 'Shipping': the first at {f}, line 1;" in out, out


def test_bad_db_url_is_a_clear_error(tmp_path: Path) -> None:
    code, out = run("catalog", "stats", "--db-url", "postgresql://nobody@127.0.0.1:1/none")
    assert code == 1 and "cannot open the catalog database" in out and "Traceback" not in out
    code, out = run("catalog", "stats", "--db-url", "not a url")
    assert code == 1 and "not a valid database URL" in out


@pytest.mark.shared
def test_sample_stores_import_completely(db_url: str) -> None:
    magento = shared_dataset("magento")
    eshop = shared_dataset("eshop")
    # Independent counts from the source files.
    with (magento / "fixtures/ConfigurableSampleData/products.csv").open(encoding="utf-8") as f:
        rows = list(csv.DictReader(f))
    configurables = [r for r in rows if r["product_type"] == "configurable"]
    n_variants = sum(len(r["configurable_variations"].split("|")) for r in configurables)
    gear = 0
    for p in sorted((magento / "fixtures/CatalogSampleData/SimpleProduct").glob("products_*.csv")):
        with p.open(encoding="utf-8") as f:
            gear += sum(1 for _ in csv.DictReader(f))
    with (magento / "fixtures/ReviewSampleData/products_reviews.csv").open(encoding="utf-8") as f:
        n_reviews = sum(1 for _ in csv.DictReader(f))
    with (magento / "fixtures/SalesSampleData/orders.csv").open(encoding="utf-8") as f:
        n_orders = sum(1 for _ in csv.DictReader(f))

    t0 = time.perf_counter()
    code, out = run("catalog", "import", str(magento), "--format", "magento", "--db-url", db_url, "-q", "--json")
    magento_s = time.perf_counter() - t0
    assert code == 0, out
    skipped = json.loads(out)["import"]["skipped"]
    # Reviews of products that are not in the sample data (polos, socks, boots...) are reported, not lost.
    skipped_reviews = [s for s in skipped if "review for unknown SKU" in s]
    db = open_catalog(db_url)
    counts = catalog_counts(db)
    assert counts["configurable products"] == len(configurables) == 147
    assert counts["variants"] == n_variants == 1847
    assert counts["products"] == len(configurables) + gear
    assert counts["orders"] == n_orders and counts["customers"] == 1
    assert counts["images"] >= 700
    assert counts["product links"] > 1000
    assert counts["reviews"] + len(skipped_reviews) == n_reviews == 500
    assert counts["reviews"] == 348
    # Every configurable has all its variants and at least one readable image on disk.
    from sqlalchemy import func, select

    from catalog.models import Product, ProductImage, Variant

    with db.session() as s:
        per_product = dict(
            s.execute(select(Product.sku, func.count(Variant.id)).join(Variant).group_by(Product.sku)).tuples().all()
        )
        for r in configurables:
            assert per_product[r["sku"]] == len(r["configurable_variations"].split("|")), r["sku"]
        uris = list(s.scalars(select(ProductImage.uri)))
    assert all(Path(u).is_file() for u in uris)

    t0 = time.perf_counter()
    code, out = run("catalog", "import", str(eshop), "--db-url", db_url, "-q")
    eshop_s = time.perf_counter() - t0
    assert code == 0, out
    assert catalog_counts(db)["products"] == counts["products"] + 101
    code, out = run("catalog", "import", str(magento), "--db-url", db_url, "-q")
    assert code == 0 and "0 added, 0 updated" in out, out
    print(f"\nimport times: magento {magento_s:.1f}s, eshop {eshop_s:.1f}s; counts {counts}")


# ----- demo download path, against a local file server ----------------------------------------


@pytest.fixture
def local_server(tmp_path: Path) -> Iterator[tuple[str, Path]]:
    root = tmp_path / "www"
    root.mkdir()
    handler = functools.partial(http.server.SimpleHTTPRequestHandler, directory=str(root))
    server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), handler)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        yield f"http://127.0.0.1:{server.server_address[1]}", root
    finally:
        server.shutdown()
        server.server_close()


def _eshop_archive(path: Path) -> None:
    catalog = [{"Id": 1, "Type": "Footwear", "Brand": "Daybird", "Name": "Wanderer Black Hiking Boots",
                "Description": "Waterproof leather boots.", "Price": 109.99}]
    img = io.BytesIO()
    Image.new("RGB", (16, 16), "black").save(img, format="WEBP")
    with zipfile.ZipFile(path, "w") as zf:
        zf.writestr("eShop-main/src/Catalog.API/Setup/catalog.json", json.dumps(catalog))
        zf.writestr("eShop-main/src/Catalog.API/Pics/1.webp", img.getvalue())
        zf.writestr("eShop-main/LICENSE", "MIT")
        zf.writestr("eShop-main/README.md", "not copied")


def test_demo_downloads_sample_data(local_server: tuple[str, Path], sqlite_url: str) -> None:
    base, root = local_server
    _eshop_archive(root / "eshop.zip")
    code, out = run("demo", "--store", "eshop", "--url", f"{base}/eshop.zip", "--db-url", sqlite_url, "--no-serve", "--no-index")
    assert code == 0, out
    assert "Demo store ready (eshop" in out and "1 products" in out
    from catalog.config import shopassist_home

    ds = shopassist_home() / "datasets" / "eshop"
    assert (ds / "catalog.json").exists() and (ds / "images/1.webp").exists() and not (ds / "README.md").exists()


def test_demo_download_failure_is_clear(local_server: tuple[str, Path], sqlite_url: str) -> None:
    base, _ = local_server
    code, out = run("demo", "--store", "eshop", "--url", f"{base}/missing.zip", "--db-url", sqlite_url, "--no-serve", "--no-index")
    assert code == 1 and "could not download" in out and "--from" in out


def test_a_catalog_that_is_not_there_is_an_error_never_a_new_empty_one(tmp_path: Path) -> None:
    """A misspelt SHOPASSIST_HOME made `privacy delete-user` report 'deleted 0 sessions' from a catalog it had just
    created; `catalog stats` and the assistant did the same."""
    from assistant.agent import AssistantInputError, ShoppingAssistant

    typo = tmp_path / "shopasist-home"
    env = {"SHOPASSIST_HOME": str(typo), "SHOPASSIST_DB_URL": ""}
    for args in (["privacy", "delete-user", "ann@shop.com"], ["privacy", "export-user", "ann@shop.com"], ["catalog", "stats"]):
        r = CliRunner().invoke(cli, args, env=env)
        assert r.exit_code == 1 and "no catalog at" in r.output and "SHOPASSIST_HOME" in r.output, (args, r.output)
    assert not (typo / "catalog.db").exists()
    with pytest.raises(AssistantInputError, match="no catalog at"):
        ShoppingAssistant.from_config(f"sqlite:///{typo / 'catalog.db'}", llm="rules")
    assert CliRunner().invoke(cli, ["catalog", "init"], env=env).exit_code == 0  # creating one is what init is for


def test_a_full_feed_hides_nothing_when_a_bad_row_has_no_readable_sku(tmp_path: Path, sqlite_url: str) -> None:
    """--hide-missing --skip-bad-rows hid the product of a JSON line that could not be read (its SKU unknown):
    the feed still holds it, so nothing may be taken off sale until the row is fixed."""
    import json as _json

    import sqlalchemy as sa

    f = tmp_path / "feed.jsonl"
    rows = [{"sku": s, "name": f"Thing {s}", "price": 10} for s in ("A", "B", "C")]
    f.write_text("\n".join(_json.dumps(r) for r in rows) + "\n", encoding="utf-8")
    assert run("catalog", "import", str(f), "--db-url", sqlite_url, "-q")[0] == 0
    # B's line is broken JSON (its SKU cannot be read); C is really gone
    f.write_text(_json.dumps(rows[0]) + '\n{"sku": "B", "name": "Thing B", "price": 10\n', encoding="utf-8")
    code, out = run("catalog", "import", str(f), "--db-url", sqlite_url, "-q", "--skip-bad-rows", "--hide-missing")
    assert code == 0, out
    assert "0 hidden (not in this file)" in out
    assert "--hide-missing hid nothing: 1 bad row(s) below have no readable SKU" in out
    engine = sa.create_engine(sqlite_url)
    with engine.connect() as conn:
        shown = conn.execute(sa.text("SELECT sku, visible FROM products ORDER BY sku")).all()
    engine.dispose()
    assert [(sku, bool(v)) for sku, v in shown] == [("A", True), ("B", True), ("C", True)]
    # with the row fixed, the full feed hides C
    f.write_text("\n".join(_json.dumps(r) for r in rows[:2]) + "\n", encoding="utf-8")
    code, out = run("catalog", "import", str(f), "--db-url", sqlite_url, "-q", "--skip-bad-rows", "--hide-missing")
    assert code == 0 and "1 hidden (not in this file)" in out and "hid nothing" not in out, out


def test_a_bad_row_that_holds_no_product_does_not_stop_a_full_feed_hiding(tmp_path: Path, sqlite_url: str) -> None:
    """(review) a bad category row (no SKU, and no product either) switched --hide-missing off for every product."""
    from catalog.db import open_catalog
    from catalog.importers import load_source
    from catalog.importers._common import Policy
    from catalog.records import CatalogImportError
    from catalog.writer import sync_catalog

    f = _jackets(tmp_path)
    assert run("catalog", "import", str(f), "--db-url", sqlite_url, "-q")[0] == 0
    write_csv(f, [r for r in JACKET_ROWS if r["sku"] != "HAT-1"])  # HAT-1: really gone
    for product, hidden, withheld in ((False, 1, 0), (True, 0, 1)):
        data = load_source("csv", f, skip_bad_rows=True, verify_images=False, progress=False)
        Policy(data, skip_bad_rows=True).bad(CatalogImportError("empty name", file="categories.csv", line=3), product=product)
        with open_catalog(sqlite_url).session() as s:
            stats = sync_catalog(s, data, progress=False, hide_missing=True)
            s.rollback()
        assert (stats.products_hidden, stats.hiding_withheld) == (hidden, withheld)
    # a JSON line that is no object is a product row: it withholds
    j = tmp_path / "p.jsonl"
    j.write_text('{"sku": "A", "name": "x", "price": 1}\n[1, 2]\n', encoding="utf-8")
    assert [r.bad_row for r in load_source("jsonl", j, skip_bad_rows=True, verify_images=False, progress=False).skipped] == [True]
