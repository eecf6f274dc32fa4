"""eshop / magento / homedepot importers on tiny fixtures written here, then on the real shared data."""

from __future__ import annotations

import csv
import json
import time
from decimal import Decimal
from pathlib import Path

import pytest
from PIL import Image

from catalog.importers import load_source
from catalog.records import CatalogImportError
from tests.conftest import shared_dataset


def load(fmt: str, path: Path, **kw):
    return load_source(fmt, path, progress=False, **kw)


def img(path: Path, fmt: str | None = None) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    Image.new("RGB", (4, 4), (10, 120, 200)).save(path, format=fmt)


def write_csv(path: Path, rows: list[dict[str, str]]) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    with path.open("w", newline="", encoding="utf-8") as fh:
        w = csv.DictWriter(fh, fieldnames=list(rows[0]))
        w.writeheader()
        w.writerows(rows)


# --- eshop ----------------------------------------------------------------------------------------


def eshop(tmp_path: Path, items: list[dict]) -> Path:
    (tmp_path / "catalog.json").write_text(json.dumps(items), encoding="utf-8")
    for it in items:
        img(tmp_path / "images" / f"{it['Id']}.webp", "WEBP")
    return tmp_path


def test_eshop_small(tmp_path: Path) -> None:
    items = [
        {
            "Id": 1,
            "Type": "Footwear",
            "Brand": "Daybird",
            "Name": "Wanderer Black Boots",
            "Description": "Tough.",
            "Price": 109.99,
        },
        {
            "Id": 2,
            "Type": "Ski/boarding",
            "Brand": "Green Equipment",
            "Name": "Board",
            "Description": "By Green Equipment, in vibrant blue.",
            "Price": 300,
        },
        {
            "Id": 3,
            "Type": "Navigation",
            "Brand": "XE",
            "Name": "Headlamp",
            "Description": "Bright white light.",
            "Price": 20.5,
        },
    ]
    data = load("eshop", eshop(tmp_path, items))
    a, b, c = data.products
    assert (a.sku, a.price, a.brand, a.categories, a.attributes) == (
        "ESHOP-1",
        Decimal("109.99"),
        "Daybird",
        ["Footwear"],
        {"color": ["black"]},
    )
    assert b.categories == ["Ski & boarding"] and b.attributes == {"color": ["blue"]}
    assert c.attributes == {}
    assert [i.role for i in a.images] == ["base"] and a.images[0].uri.endswith("images/1.webp")


def test_eshop_errors(tmp_path: Path) -> None:
    items = [
        {"Id": 1, "Name": "A", "Price": 1},
        {"Id": 2, "Name": "B", "Price": "x"},
        {"Id": 1, "Name": "C", "Price": 2},
    ]
    root = eshop(tmp_path, items)
    with pytest.raises(CatalogImportError, match="item 2: 'x' is not a number") as e:
        load("eshop", root)
    assert e.value.field == "Price"
    data = load("eshop", root, skip_bad_rows=True)
    assert [p.name for p in data.products] == ["A"]
    assert "duplicate Id" in data.skipped[1].reason
    assert data.skipped_skus == {"ESHOP-1", "ESHOP-2"}  # (the catalog keeps what it has for them)
    (root / "images" / "1.webp").write_bytes(b"RIFF....WEBPjunk")
    with pytest.raises(CatalogImportError, match="corrupt"):
        load("eshop", root)
    (root / "images" / "1.webp").unlink()
    with pytest.raises(CatalogImportError, match="not found"):
        load("eshop", root)
    (root / "catalog.json").write_text('[{"Id": 1,\n "Name": "A" "Price": 1}]', encoding="utf-8")
    with pytest.raises(CatalogImportError, match="malformed JSON") as e:
        load("eshop", root)
    assert e.value.line == 2
    (root / "catalog.json").write_text('[{"Id": 1, "Name": "A", "Price": ' + "9" * 5000 + "}]", encoding="utf-8")
    with pytest.raises(CatalogImportError, match="too large for a price"):  # not int()'s ValueError on 4300+ digits
        load("eshop", root, verify_images=False)
    (root / "catalog.json").write_bytes('[{"Id": 1, "Name": "Caf\xe9"}]'.encode("cp1252"))
    with pytest.raises(CatalogImportError, match="UTF-8"):
        load("eshop", root)


# --- homedepot ------------------------------------------------------------------------------------


def test_homedepot_small(tmp_path: Path) -> None:
    f = tmp_path / "products.tsv"
    f.write_text("product_id\ttitle\n100001\tAngle bracket\n100002\tDeck paint 1-gal.\n", encoding="utf-8")
    for src in (tmp_path, f):
        data = load("homedepot", src)
        assert [(p.sku, p.name, p.price, p.description) for p in data.products] == [
            ("HD-100001", "Angle bracket", Decimal("0"), ""),
            ("HD-100002", "Deck paint 1-gal.", Decimal("0"), ""),
        ]
    f.write_text("product_id\ttitle\n1\ta\n1\tb\n", encoding="utf-8")
    with pytest.raises(CatalogImportError, match="duplicate product_id") as e:
        load("homedepot", f)
    assert e.value.line == 3
    f.write_text("id\ttitle\n1\ta\n", encoding="utf-8")
    with pytest.raises(CatalogImportError, match="missing required column 'product_id'"):
        load("homedepot", f)


# --- magento (tiny) -------------------------------------------------------------------------------

CONF_COLS = [
    "sku",
    "product_type",
    "categories",
    "name",
    "description",
    "visibility",
    "price",
    "special_price",
    "base_image",
    "base_image_label",
    "additional_images",
    "additional_attributes",
    "qty",
    "is_in_stock",
    "configurable_variations",
]


def conf_row(**kw: str) -> dict[str, str]:
    return {c: kw.get(c, "") for c in CONF_COLS}


def magento(tmp_path: Path) -> Path:
    fx = tmp_path / "fixtures"
    for p in (
        "m/h/mh01-gray_main.jpg",
        "m/h/mh01-gray_back.jpg",
        "m/h/mh01-black_main.jpg",
        "m/b/mb01-blue-0.jpg",
    ):
        img(tmp_path / "images" / p, "JPEG")
    write_csv(
        fx / "ConfigurableSampleData/categories.csv",
        [
            {"name": "Men", "path": ""},
            {"name": "Tops", "path": "Men"},
            {"name": "Hoodies", "path": "Men/Tops"},
        ],
    )
    write_csv(
        fx / "CatalogSampleData/categories.csv",
        [
            {"name": "Gear", "path": ""},
            {"name": "Bags", "path": "Gear"},
            {"name": "Collections", "path": ""},
            {"name": "Erin Recommends", "path": "Collections"},
        ],
    )
    write_csv(
        fx / "ConfigurableSampleData/products.csv",
        [
            conf_row(
                sku="MH01-S-Black",
                product_type="simple",
                name="Hoodie-S-Black",
                price="52",
                qty="100",
                is_in_stock="1",
                visibility="Not Visible Individually",
                base_image="/m/h/mh01-black_main.jpg",
                additional_attributes="has_options=0,size=S,color=Black",
            ),
            conf_row(
                sku="MH01-S-Gray",
                product_type="simple",
                name="Hoodie-S-Gray",
                price="55",
                qty="0",
                is_in_stock="0",
                visibility="Not Visible Individually",
                base_image="/m/h/mh01-gray_main.jpg",
                additional_attributes="size=S,color=Gray",
            ),
            conf_row(
                sku="MH01",
                product_type="configurable",
                name="Chaz Hoodie",
                price="52",
                visibility="Catalog, Search",
                categories="Default Category/Men/Tops/Hoodies,Default Category",
                description="<p>Warm &amp; soft.</p>\n<p>&bull; Two-tone.<br />&bull; Hood.</p>",
                base_image="/m/h/mh01-gray_main.jpg",
                additional_images="/m/h/mh01-gray_back.jpg",
                additional_attributes="has_options=1,required_options=1,material=Wool,climate=Cool|Indoor,eco_collection=Yes",
                configurable_variations="sku=MH01-S-Black,size=S,color=Black|sku=MH01-S-Gray,size=S,color=Gray",
            ),
        ],
    )
    write_csv(
        fx / "CatalogSampleData/SimpleProduct/products_gear_bags.csv",
        [
            {
                "category": "Gear\nBags\nCollections\nErin Recommends",
                "name": "Joust Duffle",
                "sku": "24-MB01",
                "price": "34",
                "qty": "100",
                "description": "<ul><li>Waterproof</li></ul>",
                "material": "Nylon\nPolyester",
                "new": "1",
                "gender": "Men",
                "special_price": "30",
                "attribute_set": "Bag",
            },
        ],
    )
    write_csv(
        fx / "CatalogSampleData/SimpleProduct/images_gear_bags.csv",
        [{"sku": "24-MB01", "image": "/m/b/mb01-blue-0.jpg"}],
    )
    for d in ("CatalogSampleData/Links", "ProductLinksSampleData"):
        write_csv(fx / d / "related.csv", [{"sku": "24-MB01", "linked_sku": "MH01\n24-WG080"}])
    write_csv(
        fx / "ReviewSampleData/products_reviews.csv",
        [
            {
                "sku": "MH01",
                "rating_code": "Rating",
                "rating_value": "4",
                "title": "Nice",
                "review": "Warm",
                "reviewer": "Chi",
                "email": "",
            },
            {
                "sku": "MBOOT01",
                "rating_code": "Rating",
                "rating_value": "5",
                "title": "x",
                "review": "y",
                "reviewer": "z",
                "email": "",
            },
        ],
    )
    write_csv(
        fx / "CustomerSampleData/customer_profile.csv",
        [
            {
                "firstname": "Veronica",
                "lastname": "Costello",
                "email": "Roni@Example.com",
                "dob": "1973-12-15",
                "gender": "Female",
                "city": "Calder",
                "region": "Michigan",
                "country_id": "US",
                "postcode": "49628",
            },
        ],
    )
    write_csv(
        fx / "SalesSampleData/orders.csv",
        [
            {
                "customer_email": "roni@example.com",
                "currency": "USD",
                "shipping_method": "flatrate",
                "payment": "checkmo",
                "product": '{"sku":"MH01","qty":"2","configurable_options":{"size":"S","color":"Gray"}}',
                "refund": "no",
            },
            {
                "customer_email": "roni@example.com",
                "currency": "USD",
                "shipping_method": "flatrate",
                "payment": "checkmo",
                "product": '{"sku":"24-MB01","qty":"1"}',
                "refund": "yes",
            },
        ],
    )
    write_csv(
        fx / "WishlistSampleData/wishlist.csv", [{"name": "w", "customer_email": "x", "product_list": "MH01"}]
    )
    return tmp_path


def test_magento_small(tmp_path: Path) -> None:
    data = load("magento", magento(tmp_path))
    assert data.categories == [
        "Gear",
        "Gear/Bags",
        "Collections",
        "Collections/Erin Recommends",
        "Men",
        "Men/Tops",
        "Men/Tops/Hoodies",
    ]
    hoodie, bag = data.products
    assert (hoodie.sku, hoodie.product_type, hoodie.gender, hoodie.visible) == (
        "MH01",
        "configurable",
        "men",
        True,
    )
    assert hoodie.categories == ["Men/Tops/Hoodies"]
    assert hoodie.description == "Warm & soft.\n• Two-tone.\n• Hood."
    assert hoodie.attributes == {
        "material": ["Wool"],
        "climate": ["Cool", "Indoor"],
        "eco_collection": ["Yes"],
    }
    assert [(v.sku, v.size, v.color, v.price, v.stock_qty, v.in_stock) for v in hoodie.variants] == [
        ("MH01-S-Black", "S", "Black", None, 100, True),
        ("MH01-S-Gray", "S", "Gray", Decimal("55.00"), 0, False),
    ]
    assert [(Path(i.uri).name, i.role, i.color) for i in hoodie.images] == [
        ("mh01-gray_main.jpg", "base", "Gray"),
        ("mh01-gray_back.jpg", "additional", "Gray"),
        ("mh01-black_main.jpg", "variant", "Black"),
    ]
    assert hoodie.images[0].uri == str((tmp_path / "images/m/h/mh01-gray_main.jpg").resolve())
    assert (bag.sku, bag.price, bag.special_price, bag.gender, bag.stock_qty) == (
        "24-MB01",
        Decimal("34.00"),
        Decimal("30.00"),
        "men",
        100,
    )
    assert bag.categories == ["Gear/Bags", "Collections/Erin Recommends"]
    assert bag.attributes == {"material": ["Nylon", "Polyester"], "new": ["Yes"], "gender": ["Men"]}
    assert bag.description == "Waterproof"
    assert [(i.role, i.color) for i in bag.images] == [("base", None)]
    assert [(x.sku, x.linked_sku, x.kind) for x in data.links] == [("24-MB01", "MH01", "related")]  # deduped
    assert [(r.sku, r.rating) for r in data.reviews] == [("MH01", 4)]
    assert [(c.email, c.gender, str(c.birth_date)) for c in data.customers] == [
        ("roni@example.com", "female", "1973-12-15")
    ]
    assert [(o.number, o.status, [(ln.sku, ln.qty) for ln in o.lines]) for o in data.orders] == [
        ("M-000001", "complete", [("MH01-S-Gray", 2)]),
        ("M-000002", "refunded", [("24-MB01", 1)]),
    ]
    reasons = sorted(s.reason for s in data.skipped)
    assert reasons == [
        "related link 24-MB01 -> 24-WG080: unknown SKU '24-WG080'",
        "review for unknown SKU 'MBOOT01' left out",
    ]


def test_magento_errors(tmp_path: Path) -> None:
    root = magento(tmp_path)
    products = root / "fixtures/ConfigurableSampleData/products.csv"
    text = products.read_text(encoding="utf-8")
    products.write_text(
        text.replace(
            "Hoodie-S-Gray,,Not Visible Individually,55", "Hoodie-S-Gray,,Not Visible Individually,5x5"
        ),
        encoding="utf-8",
    )
    with pytest.raises(CatalogImportError, match="'5x5' is not a number") as e:
        load("magento", root)
    assert (e.value.line, e.value.field) == (3, "price")
    data = load("magento", root, skip_bad_rows=True)
    assert [v.sku for v in data.products[0].variants] == ["MH01-S-Black"]
    products.write_text(text, encoding="utf-8")

    (root / "images/m/h/mh01-gray_back.jpg").write_bytes(b"garbage")
    with pytest.raises(CatalogImportError, match="corrupt") as e:
        load("magento", root)
    assert (e.value.line, e.value.field) == (4, "additional_images")
    data = load("magento", root, skip_bad_rows=True)  # the configurable is left out, and so are its variants
    assert [p.sku for p in data.products] == ["24-MB01"]
    assert sum("left out: its configurable 'MH01'" in s.reason for s in data.skipped) == 2
    assert load("magento", root, verify_images=False).products[0].sku == "MH01"

    reviews = root / "fixtures/ReviewSampleData/products_reviews.csv"
    reviews.write_text(reviews.read_text(encoding="utf-8").replace("Rating,4", "Rating,7"), encoding="utf-8")
    with pytest.raises(CatalogImportError, match="1 to 5"):
        load("magento", root, verify_images=False)

    bags = root / "fixtures/CatalogSampleData/SimpleProduct/products_gear_bags.csv"
    bags.write_text(bags.read_text(encoding="utf-8").replace("24-MB01", "MH01-S-Black", 1), encoding="utf-8")
    with pytest.raises(CatalogImportError, match="duplicate SKU 'MH01-S-Black'"):
        load("magento", root, verify_images=False)
    bags.write_bytes("category,name,sku,price\nGear,Caf\xe9,X,1\n".encode("latin-1"))
    with pytest.raises(CatalogImportError, match="UTF-8"):
        load("magento", root, verify_images=False)
    with pytest.raises(CatalogImportError, match="not a Magento sample-data folder"):
        load("magento", root / "images")


def test_magento_numbers_too_large_and_skipped_variants(tmp_path: Path) -> None:
    """Quantities too large to store are row errors, not an OverflowError at write time; a variant row skipped for
    one keeps the catalog's variant (it was deleted); a rating such as '²' is refused, not a ValueError."""
    from sqlalchemy import select

    from catalog.db import open_catalog
    from catalog.models import Variant
    from catalog.service import import_source

    root = magento(tmp_path)
    db = open_catalog(f"sqlite:///{tmp_path / 'c.db'}")
    import_source(db, root, "magento", progress=False)
    with db.session() as s:
        before = sorted(tuple(r) for r in s.execute(select(Variant.sku, Variant.stock_qty, Variant.in_stock)))
    products = root / "fixtures/ConfigurableSampleData/products.csv"
    good = products.read_text(encoding="utf-8")
    products.write_text(good.replace(",100,1,", ",99999999999999999999,1,"), encoding="utf-8")
    with pytest.raises(CatalogImportError, match="too large for a quantity") as e:
        load("magento", root)
    assert (e.value.line, e.value.field) == (2, "qty")
    data = load("magento", root, skip_bad_rows=True)
    assert [v.sku for v in data.products[0].variants] == ["MH01-S-Gray"] and data.skipped_skus == {"MH01-S-Black"}
    stats = import_source(db, root, "magento", skip_bad_rows=True, progress=False).stats
    with db.session() as s:
        assert sorted(tuple(r) for r in s.execute(select(Variant.sku, Variant.stock_qty, Variant.in_stock))) == before
    assert "'MH01-S-Black' stays in the catalog as it was" in stats.skipped[0].reason

    products.write_text(good, encoding="utf-8")

    orders = root / "fixtures/SalesSampleData/orders.csv"
    text = orders.read_text(encoding="utf-8")
    for qty in ("99999999999999999999", "9" * 5000):  # (past int()'s limit on digits, too)
        orders.write_text(text.replace('""qty"":""1""', f'""qty"":{qty}'), encoding="utf-8")
        with pytest.raises(CatalogImportError, match="too large for a quantity") as e:
            load("magento", root)
        assert (e.value.line, e.value.field) == (3, "product")
    orders.write_text(text, encoding="utf-8")

    reviews = root / "fixtures/ReviewSampleData/products_reviews.csv"
    reviews.write_text(reviews.read_text(encoding="utf-8").replace("Rating,4", "Rating,\u00b2"), encoding="utf-8")
    with pytest.raises(CatalogImportError, match="1 to 5") as e:
        load("magento", root)
    assert (e.value.line, e.value.field) == (2, "rating_value")


# --- the real shared data -------------------------------------------------------------------------


@pytest.mark.shared
def test_real_eshop() -> None:
    root = shared_dataset("eshop")
    items = json.loads((root / "catalog.json").read_text(encoding="utf-8"))
    t0 = time.perf_counter()
    data = load("eshop", root)
    assert time.perf_counter() - t0 < 10
    assert len(data.products) == len(items) == 101
    assert sum(len(p.images) for p in data.products) == 101
    assert all(Path(p.images[0].uri).is_file() for p in data.products)
    assert data.skipped == []
    assert {p.sku for p in data.products} == {f"ESHOP-{it['Id']}" for it in items}
    first = next(p for p in data.products if p.sku == "ESHOP-1")
    assert first.price == Decimal("109.99") and first.attributes["color"] == ["black"]


@pytest.mark.shared
def test_real_homedepot() -> None:
    root = shared_dataset("homedepot")
    with (root / "products.tsv").open(encoding="utf-8") as fh:
        n = sum(1 for line in fh if line.strip()) - 1
    t0 = time.perf_counter()
    data = load("homedepot", root)
    assert time.perf_counter() - t0 < 10
    assert len(data.products) == n == 54667
    assert all(p.price == 0 and p.description == "" and p.visible for p in data.products)
    assert len({p.sku for p in data.products}) == n


def _csv_rows(path: Path) -> list[dict[str, str]]:
    with path.open(newline="", encoding="utf-8") as fh:
        return list(csv.DictReader(fh))


@pytest.mark.shared
def test_real_magento() -> None:
    root = shared_dataset("magento")
    fx = root / "fixtures"
    # Expected numbers, counted straight from the source files.
    rows = _csv_rows(fx / "ConfigurableSampleData/products.csv")
    confs = [r for r in rows if r["product_type"] == "configurable"]
    variant_skus = [
        part.split(",")[0].split("=", 1)[1] for r in confs for part in r["configurable_variations"].split("|")
    ]
    gear = [
        r
        for p in sorted((fx / "CatalogSampleData/SimpleProduct").glob("products_*.csv"))
        for r in _csv_rows(p)
    ]
    gear_images = [
        r for p in sorted((fx / "CatalogSampleData/SimpleProduct").glob("images_*.csv")) for r in _csv_rows(p)
    ]
    product_skus = {r["sku"] for r in confs} | {r["sku"] for r in gear}
    all_skus = product_skus | set(variant_skus)
    reviews = _csv_rows(fx / "ReviewSampleData/products_reviews.csv")
    known_reviews = [r for r in reviews if r["sku"] in all_skus]
    links: set[tuple[str, str, str]] = set()
    unknown_links: set[tuple[str, str, str]] = set()
    for d in ("CatalogSampleData/Links", "ConfigurableSampleData/Links", "ProductLinksSampleData"):
        for kind in ("related", "upsell", "crosssell"):
            for r in _csv_rows(fx / d / f"{kind}.csv"):
                for t in r["linked_sku"].split("\n"):
                    if t.strip():
                        key = (r["sku"], t.strip(), kind)
                        (links if {key[0], key[1]} <= product_skus else unknown_links).add(key)
    images_per_conf = 0
    by_sku = {r["sku"]: r for r in rows}
    for c in confs:
        kids = [by_sku[s.split(",")[0].split("=", 1)[1]] for s in c["configurable_variations"].split("|")]
        uris = set()
        for r in [c, *kids]:
            uris.update(u for u in [r["base_image"], *r["additional_images"].split(",")] if u)
        images_per_conf += len(uris)
    categories = {
        (r["path"] + "/" if r["path"] else "") + r["name"]
        for f in ("CatalogSampleData", "ConfigurableSampleData")
        for r in _csv_rows(fx / f / "categories.csv")
    }

    assert (len(confs), len(variant_skus), len(set(variant_skus)), len(gear)) == (147, 1847, 1847, 44)

    t0 = time.perf_counter()
    data = load("magento", root)  # with image verification
    elapsed = time.perf_counter() - t0
    assert elapsed < 30, elapsed

    by = {p.sku: p for p in data.products}
    assert len(data.products) == len(confs) + len(gear) == 191
    assert sum(p.product_type == "configurable" for p in data.products) == 147
    assert sum(len(p.variants) for p in data.products) == 1847
    assert {v.sku for p in data.products for v in p.variants} == set(variant_skus)
    assert all(v.size and v.color and v.stock_qty is not None for p in data.products for v in p.variants)
    assert sum(len(p.images) for p in data.products if p.product_type == "configurable") == images_per_conf
    assert sum(len(p.images) for p in data.products if p.product_type == "simple") == len(gear_images)
    assert all(Path(i.uri).is_file() for p in data.products for i in p.images)
    assert set(data.categories) == categories and len(data.categories) == 32
    assert not any(c.startswith("Default Category") for p in data.products for c in p.categories)
    assert len(data.reviews) == len(known_reviews) == 348
    assert len(data.links) == len(links)
    assert (len(data.orders), len(data.customers), len(data.documents)) == (2, 1, 0)
    assert [o.status for o in data.orders] == ["complete", "refunded"]
    skipped_reviews = [s for s in data.skipped if s.reason.startswith("review for unknown SKU")]
    skipped_links = [s for s in data.skipped if " link " in s.reason]
    assert len(skipped_reviews) == len(reviews) - len(known_reviews)
    assert len(skipped_links) == len(unknown_links - links)
    assert len(data.skipped) == len(skipped_reviews) + len(skipped_links)

    mh01 = by["MH01"]
    assert mh01.gender == "men" and "Men/Tops/Hoodies & Sweatshirts" in mh01.categories
    assert mh01.attributes["climate"] == ["All-weather", "Cool", "Indoor", "Spring", "Windy"]
    assert "color" not in mh01.attributes and "has_options" not in mh01.attributes
    assert "<" not in mh01.description and "• Two-tone gray heather hoodie." in mh01.description
    assert mh01.images[0].uri.endswith("images/m/h/mh01-gray_main.jpg") and mh01.images[0].color == "Gray"
    assert by["WS03"].gender == "women"
    assert by["24-MB01"].attributes["features_bags"] == ["Waterproof", "TSA Approved", "Lockable"]
    assert by["24-WB05"].special_price == Decimal("24.00")
    assert by["24-UG02"].name == "Pursuit Lumaflex™ Tone Band"
    assert by["24-MG04"].gender == "men" and by["24-UG06"].gender == "unisex"
