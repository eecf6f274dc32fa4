"""csv / jsonl importer: columns, variants, mapping, and every user mistake as a CatalogImportError."""

from __future__ import annotations

import json
from decimal import Decimal
from pathlib import Path

import pytest
from PIL import Image

from catalog.importers import FORMATS, load_source
from catalog.records import CatalogImportError

HEADER = "sku,name,price,description,brand,category,special_price,currency,gender,stock_qty,in_stock,image,color,size,parent_sku,attr_material\n"


def png(path: Path) -> Path:
    path.parent.mkdir(parents=True, exist_ok=True)
    Image.new("RGB", (3, 3), (200, 30, 30)).save(path)
    return path


def write(path: Path, text: str | bytes) -> Path:
    if isinstance(text, bytes):
        path.write_bytes(text)
    else:
        path.write_text(text, encoding="utf-8")
    return path


def load(fmt: str, path: Path, **kw):
    return load_source(fmt, path, progress=False, **kw)


@pytest.fixture
def shop(tmp_path: Path) -> Path:
    png(tmp_path / "img" / "tee.png")
    png(tmp_path / "img" / "tee-red.png")
    return tmp_path


def test_csv_full_row_variants_and_attributes(shop: Path) -> None:
    f = write(
        shop / "products.csv",
        HEADER
        + 'TEE,Organic Tee,24.00,"Soft, light\ncotton",Northwind,Women/Tops/Tees|Sale,19.5,eur,female,,,img/tee.png,,,,Cotton|Elastane\n'
        + "TEE-S-RED,,,,,,,,,3,,img/tee-red.png,Red,S,TEE,\n"
        + "TEE-M-RED,,26,,,,,,,0,,,Red,M,TEE,\n"
        + "MUG,Camp Mug,12.5,,,Home / Kitchen,,,,40,no,https://cdn.example.com/mug.jpg,White,,,\n",
    )
    data = load("csv", f)
    assert [p.sku for p in data.products] == ["TEE", "MUG"]
    tee, mug = data.products
    assert tee.product_type == "configurable"
    assert tee.price == Decimal("24.00") and tee.special_price == Decimal("19.50")
    assert tee.currency == "EUR" and tee.gender == "women" and tee.brand == "Northwind"
    assert tee.description == "Soft, light\ncotton"
    assert tee.categories == ["Women/Tops/Tees", "Sale"]
    assert tee.attributes == {"material": ["Cotton", "Elastane"]}
    assert [(v.sku, v.size, v.color, v.price, v.stock_qty, v.in_stock) for v in tee.variants] == [
        ("TEE-S-RED", "S", "Red", None, 3, True),
        ("TEE-M-RED", "M", "Red", Decimal("26.00"), 0, False),
    ]
    assert [(Path(i.uri).name, i.role, i.color) for i in tee.images] == [
        ("tee.png", "base", None),
        ("tee-red.png", "variant", "Red"),
    ]
    assert Path(tee.images[0].uri).is_absolute()
    assert tee.where.endswith("line 2")
    assert mug.categories == ["Home/Kitchen"]
    assert mug.attributes == {"color": ["White"]}
    assert mug.in_stock is False and mug.stock_qty == 40
    assert mug.images[0].uri == "https://cdn.example.com/mug.jpg"
    assert mug.where.endswith("line 6")  # the quoted description spans lines 2-3


def test_jsonl_same_as_csv(shop: Path) -> None:
    rows = [
        {
            "sku": "TEE",
            "name": "Tee",
            "price": 24.10,
            "category": ["A/B", "C"],
            "image": ["img/tee.png"],
            "attr_fit": "Slim",
        },
        {"sku": "TEE-S", "parent_sku": "TEE", "size": "S", "stock_qty": 2, "in_stock": True},
    ]
    f = write(shop / "p.jsonl", "\n".join(json.dumps(r) for r in rows) + "\n\n")
    (tee,) = load("jsonl", f).products
    assert tee.price == Decimal("24.10")  # exact, never through float
    assert tee.categories == ["A/B", "C"]
    assert tee.attributes == {"fit": ["Slim"]}
    assert tee.variants[0].sku == "TEE-S" and tee.variants[0].stock_qty == 2


def test_folder_with_one_file_is_accepted(shop: Path) -> None:
    write(shop / "p.csv", "sku,name,price\nA,A,1\n")
    assert [p.sku for p in load("csv", shop).products] == ["A"]


def test_semicolon_csv_and_bom(tmp_path: Path) -> None:
    f = write(tmp_path / "p.csv", "\ufeffSKU;Name;Price\nA;Café;1.5\n".encode())
    (p,) = load("csv", f).products
    assert (p.sku, p.name, p.price) == ("A", "Café", Decimal("1.50"))


# --- mapping ------------------------------------------------------------------------------------


def test_mapping_param(tmp_path: Path) -> None:
    f = write(tmp_path / "export.csv", "Artikel,Titel,Preis EUR,Stoff\nA1,Hemd,10.00,Leinen\n")
    data = load(
        "csv", f, mapping={"sku": "Artikel", "name": "Titel", "price": "Preis EUR", "attr_material": "Stoff"}
    )
    (p,) = data.products
    assert (p.sku, p.name, p.price, p.attributes) == (
        "A1",
        "Hemd",
        Decimal("10.00"),
        {"material": ["Leinen"]},
    )
    assert data.skipped == []


def test_mapping_sidecar_and_explicit_override(tmp_path: Path) -> None:
    f = write(tmp_path / "export.csv", "Artikel,Titel,Preis,Preis2\nA1,Hemd,10,12\n")
    write(
        tmp_path / "export.csv.mapping.json",
        json.dumps({"sku": "Artikel", "name": "Titel", "price": "Preis"}),
    )
    assert load("csv", f).products[0].price == Decimal("10.00")
    assert load("csv", f, mapping={"price": "Preis2"}).products[0].price == Decimal("12.00")


def test_mapping_jsonl(tmp_path: Path) -> None:
    f = write(tmp_path / "p.jsonl", json.dumps({"id": "X", "title": "T", "cost": "3"}) + "\n")
    (p,) = load("jsonl", f, mapping={"sku": "id", "name": "title", "price": "cost"}).products
    assert (p.sku, p.name, p.price) == ("X", "T", Decimal("3.00"))


def test_mapping_to_missing_column_is_an_error(tmp_path: Path) -> None:
    f = write(tmp_path / "p.csv", "Artikel,name,price\nA,B,1\n")
    with pytest.raises(CatalogImportError, match="no such column") as e:
        load("csv", f, mapping={"sku": "Article"})
    assert e.value.field == "Article"


def test_mapping_unknown_our_column_and_bad_sidecar(tmp_path: Path) -> None:
    f = write(tmp_path / "p.csv", "sku,name,price\nA,B,1\n")
    with pytest.raises(CatalogImportError, match="not one of our columns"):
        load("csv", f, mapping={"colour": "x"})
    write(tmp_path / "p.csv.mapping.json", "{not json")
    with pytest.raises(CatalogImportError, match="malformed JSON") as e:
        load("csv", f)
    assert e.value.file.endswith("p.csv.mapping.json") and e.value.line == 1


def test_unknown_columns_are_reported(tmp_path: Path) -> None:
    f = write(tmp_path / "p.csv", "sku,name,price,desciption\nA,B,1,oops\n")
    data = load("csv", f)
    assert len(data.products) == 1
    assert any("desciption" in s.reason for s in data.skipped)


# --- user mistakes ------------------------------------------------------------------------------


def test_missing_required_column(tmp_path: Path) -> None:
    f = write(tmp_path / "p.csv", "sku,name\nA,B\n")
    with pytest.raises(CatalogImportError) as e:
        load("csv", f)
    err = e.value
    assert (err.line, err.field) == (1, "price")
    assert "missing required column 'price'" in str(err) and "mapping" in str(err)
    # not a row problem: skipping rows cannot help
    with pytest.raises(CatalogImportError):
        load("csv", f, skip_bad_rows=True)


@pytest.mark.parametrize(
    ("price", "what"),
    [
        ("abc", "not a number"),
        ("12,50", "not a number"),
        ("-3", "negative"),
        ("", "empty price"),
        ("NaN", "not a number"),
        ("1e2", "not a number"),  # a plain decimal only
        ("10.999", "more than 2 decimals"),  # never rounded without a word
        ("99999999999999999999", "too large for a price"),
        ("1234567890123456789012345678901.5", "too large for a price"),  # past Decimal's 28 digits: no InvalidOperation
    ],
)
def test_bad_price(tmp_path: Path, price: str, what: str) -> None:
    f = write(tmp_path / "p.csv", f'sku,name,price\nA,ok,1\nB,bad,"{price}"\nC,ok,2\n')
    with pytest.raises(CatalogImportError, match=what) as e:
        load("csv", f)
    assert (e.value.line, e.value.field) == (3, "price")
    assert e.value.file == str(f)
    data = load("csv", f, skip_bad_rows=True)
    assert [p.sku for p in data.products] == ["A", "C"]
    assert len(data.skipped) == 1 and data.skipped[0].where == f"{f}, line 3"


def test_bad_price_jsonl(tmp_path: Path) -> None:
    f = write(tmp_path / "p.jsonl", '{"sku": "A", "name": "n", "price": -1}\n')
    with pytest.raises(CatalogImportError, match="negative") as e:
        load("jsonl", f)
    assert (e.value.line, e.value.field) == (1, "price")


@pytest.mark.parametrize(("row", "field", "what"), [
    ('{"sku": "A", "name": {"a": 1}, "price": 5}', "name", "JSON object"),
    ('{"sku": "A", "name": "n", "price": [5]}', "price", "a list where a number belongs"),
    ('{"sku": "A", "name": "n", "price": 5, "stock_qty": true}', "stock_qty", "true/false where a number belongs"),
])
def test_json_values_of_the_wrong_kind(tmp_path: Path, row: str, field: str, what: str) -> None:
    f = write(tmp_path / "p.jsonl", row + "\n")
    with pytest.raises(CatalogImportError) as e:
        load("jsonl", f)
    assert (e.value.line, e.value.field) == (1, field) and what in e.value.public_str()


def test_duplicate_sku(tmp_path: Path) -> None:
    f = write(tmp_path / "p.csv", "sku,name,price\nA,x,1\nB,y,1\nA,z,1\n")
    with pytest.raises(CatalogImportError, match="duplicate SKU 'A' \\(first on line 2\\)") as e:
        load("csv", f)
    assert (e.value.line, e.value.field) == (4, "sku")
    data = load("csv", f, skip_bad_rows=True)
    assert [p.name for p in data.products] == ["x", "y"]


def test_line_numbers_with_multiline_fields(tmp_path: Path) -> None:
    f = write(tmp_path / "p.csv", 'sku,name,price,description\nA,x,1,"one\ntwo\nthree"\n\nB,y,oops,z\n')
    with pytest.raises(CatalogImportError) as e:
        load("csv", f)
    assert e.value.line == 6


def test_missing_image(shop: Path) -> None:
    f = write(shop / "p.csv", "sku,name,price,image\nA,x,1,img/nope.png\n")
    with pytest.raises(CatalogImportError, match="image file not found") as e:
        load("csv", f)
    assert (e.value.line, e.value.field) == (2, "image")
    assert load("csv", f, skip_bad_rows=True).products == []


def test_corrupt_image(shop: Path) -> None:
    (shop / "img" / "broken.jpg").write_bytes(b"\xff\xd8\xff\xe0 not really a jpeg")
    f = write(shop / "p.csv", "sku,name,price,image\nA,x,1,img/broken.jpg\nB,y,2,img/tee.png\n")
    with pytest.raises(CatalogImportError, match="unreadable or corrupt"):
        load("csv", f)
    data = load("csv", f, skip_bad_rows=True)
    assert [p.sku for p in data.products] == ["B"]
    assert "broken.jpg" in data.skipped[0].reason
    # without verification only existence is checked
    assert len(load("csv", f, verify_images=False).products) == 2


def test_absolute_image_path(shop: Path, tmp_path: Path) -> None:
    other = png(tmp_path / "elsewhere" / "x.png")
    f = write(shop / "p.csv", f"sku,name,price,image\nA,x,1,{other}\n")
    assert load("csv", f).products[0].images[0].uri == str(other.resolve())


def test_not_utf8(tmp_path: Path) -> None:
    f = write(tmp_path / "p.csv", "sku,name,price\nA,Caf\u00e9,1\n".encode("latin-1"))
    with pytest.raises(CatalogImportError, match="UTF-8") as e:
        load("csv", f)
    assert e.value.line == 2
    with pytest.raises(CatalogImportError, match="UTF-8"):
        load("jsonl", write(tmp_path / "p.jsonl", '{"sku": "A", "name": "Caf\xe9"}\n'.encode("latin-1")))


def test_malformed_jsonl_line(tmp_path: Path) -> None:
    f = write(
        tmp_path / "p.jsonl",
        '{"sku": "A", "name": "a", "price": 1}\n\n{"sku": "B", "name": "b", "price": 2,}\n[1, 2]\n{"sku": "C", "name": "c", "price": 3}\n',
    )
    with pytest.raises(CatalogImportError, match="malformed JSON") as e:
        load("jsonl", f)
    assert e.value.line == 3
    data = load("jsonl", f, skip_bad_rows=True)
    assert [p.sku for p in data.products] == ["A", "C"]
    assert [s.where for s in data.skipped] == [f"{f}, line 3", f"{f}, line 4"]


def test_bad_csv_quoting_and_extra_fields(tmp_path: Path) -> None:
    f = write(tmp_path / "p.csv", "sku,name,price\nA,x,1,surprise\n")
    with pytest.raises(CatalogImportError, match="fields but the header has 3") as e:
        load("csv", f)
    assert e.value.line == 2
    f2 = write(tmp_path / "q.csv", 'sku,name,price\nA,"x"y,1\n')
    with pytest.raises(CatalogImportError, match="malformed CSV") as e:
        load("csv", f2)
    assert e.value.line == 2


@pytest.mark.parametrize(
    ("cols", "row", "field", "what"),
    [
        ("stock_qty", "2.5", "stock_qty", "whole number"),
        ("in_stock", "maybe", "in_stock", "yes/no"),
        ("gender", "robots", "gender", "women, men, kids, unisex"),
        ("currency", "dollars", "currency", "3-letter"),
        ("special_price", "cheap", "special_price", "not a number"),
    ],
)
def test_other_bad_values(tmp_path: Path, cols: str, row: str, field: str, what: str) -> None:
    f = write(tmp_path / "p.csv", f"sku,name,price,{cols}\nA,x,1,{row}\n")
    with pytest.raises(CatalogImportError, match=what) as e:
        load("csv", f)
    assert (e.value.line, e.value.field) == (2, field)


@pytest.mark.parametrize(
    ("name", "text"),
    [
        ("p.csv", "sku,name,price,stock_qty\nA,x,1,2\nB,y,1,99999999999999999999\n"),
        ("p.csv", "sku,name,price,stock_qty\nA,x,1,2\nB,y,1,2147483648\n"),  # SQLite takes it, PostgreSQL not
        ("p.jsonl", '{"sku": "A", "name": "x", "price": 1, "stock_qty": 2}\n'
                    '{"sku": "B", "name": "y", "price": 1, "stock_qty": 99999999999999999999}\n'),
        ("p.jsonl", '{"sku": "A", "name": "x", "price": 1, "stock_qty": 2}\n'
                    '{"sku": "B", "name": "y", "price": 1, "stock_qty": ' + "9" * 5000 + "}\n"),  # past int()'s limit
    ],
)
def test_a_whole_number_too_large_to_store_is_a_row_error(tmp_path: Path, name: str, text: str) -> None:
    """A huge stock_qty crashed the import with "OverflowError: Python int too large to convert to SQLite INTEGER"
    (or int()'s ValueError in JSON), naming no file, line or field."""
    f = write(tmp_path / name, text)
    fmt, line = name.split(".")[1], text.count("\n")  # B's row is the last
    with pytest.raises(CatalogImportError, match="too large for a quantity") as e:
        load(fmt, f)
    assert (e.value.file, e.value.line, e.value.field) == (str(f), line, "stock_qty")
    assert e.value.public_str().endswith("too large for a quantity (at most 2147483647)")
    data = load(fmt, f, skip_bad_rows=True)
    assert [p.sku for p in data.products] == ["A"] and data.products[0].stock_qty == 2
    assert [s.where for s in data.skipped] == [f"{f}, line {line}"] and data.skipped_skus == {"B"}


def test_skipped_rows_name_their_sku(tmp_path: Path) -> None:
    """The writer keeps what the catalog has for a bad row's SKU, so each skipped row says which SKU it was: a bad
    product row, a bad variant row, a row with a field too many, a variant of a skipped product."""
    f = write(
        tmp_path / "p.csv",
        "sku,name,price,stock_qty,parent_sku\nA,x,1,,\nA-1,,,-1,A\nA-2,,,3,A\nB,y,,,\nB-1,,,3,B\nC,z,39,00,,\n,w,1,,\n",
    )
    data = load("csv", f, skip_bad_rows=True)
    assert [(p.sku, [v.sku for v in p.variants]) for p in data.products] == [("A", ["A-2"])]
    assert [(s.where.rsplit(" ", 1)[1], s.sku) for s in data.skipped] == [
        ("3", "A-1"), ("5", "B"), ("7", "C"), ("8", None), ("6", "B-1"),
    ]
    assert "its product row is a bad row, left out" in data.skipped[-1].reason


def test_variant_of_unknown_or_variant_parent(tmp_path: Path) -> None:
    f = write(tmp_path / "p.csv", "sku,name,price,parent_sku\nA,x,1,\nA-1,,,A\nA-1-x,,,A-1\nZ-1,,,Z\n")
    with pytest.raises(CatalogImportError, match="itself a variant") as e:
        load("csv", f)
    assert e.value.line == 4
    data = load("csv", f, skip_bad_rows=True)
    assert [v.sku for v in data.products[0].variants] == ["A-1"]
    assert [s.where.rsplit(" ", 1)[1] for s in data.skipped] == ["4", "5"]


def test_empty_file_and_format_errors(tmp_path: Path) -> None:
    with pytest.raises(CatalogImportError, match="empty"):
        load("csv", write(tmp_path / "e.csv", ""))
    with pytest.raises(CatalogImportError, match="no product rows"):
        load("csv", write(tmp_path / "h.csv", "sku,name,price\n"))
    with pytest.raises(CatalogImportError, match="use one of: " + ", ".join(FORMATS)):
        load_source("xml", tmp_path)
    with pytest.raises(CatalogImportError, match="does not exist"):
        load_source("csv", tmp_path / "missing.csv")
    with pytest.raises(CatalogImportError, match="exactly one"):
        load("csv", tmp_path)  # the folder now holds two csv files


# --- special price 0, misaligned CSV rows --------------------------------------------------------


@pytest.mark.parametrize("zero", ["0", "0.00", 0, "0.0"])
def test_special_price_zero_is_no_sale_and_noted(tmp_path: Path, zero: object) -> None:
    rows = [
        {"sku": "PEN", "name": "Latte Art Pen", "price": "9.5", "special_price": zero},
        {"sku": "CUP", "name": "Cup", "price": "8", "special_price": "6.5"},
        {"sku": "PEN-B", "parent_sku": "PEN", "color": "Black", "special_price": 0},  # ignored on a variant
    ]
    f = write(tmp_path / "p.jsonl", "\n".join(json.dumps(r) for r in rows) + "\n")
    data = load("jsonl", f)
    pen, cup = data.products
    assert (pen.price, pen.special_price) == (Decimal("9.50"), None)  # never a free product
    assert cup.special_price == Decimal("6.50")
    notes = [(s.where, s.reason) for s in data.skipped]
    assert notes == [(f"{f}, line 1", "field 'special_price': 0 read as no sale price")]
    assert data.skipped[0].public_line() == f"{f}, line 1: field 'special_price': 0 read as no sale price"


def test_special_price_zero_or_empty_in_csv(tmp_path: Path) -> None:
    f = write(tmp_path / "p.csv", "sku,name,price,special_price\nA,a,9.50,0\nB,b,9.50,\nC,c,9.50,9.50\n")
    data = load("csv", f)
    assert [p.special_price for p in data.products] == [None, None, Decimal("9.50")]
    assert [s.where for s in data.skipped] == [f"{f}, line 2"]


def test_special_price_zero_on_a_skipped_row_is_not_noted_twice(tmp_path: Path) -> None:
    f = write(tmp_path / "p.csv", "sku,name,price,special_price,stock_qty\nA,a,9.50,0,lots\nB,b,2,,1\n")
    data = load("csv", f, skip_bad_rows=True)
    assert [p.sku for p in data.products] == ["B"]
    assert len(data.skipped) == 1 and "stock_qty" in data.skipped[0].reason


@pytest.mark.parametrize(
    ("special", "what"), [("-1", "negative"), ("12.00", "above the regular price"), ("cheap", "not a number")]
)
def test_bad_special_price(tmp_path: Path, special: str, what: str) -> None:
    f = write(tmp_path / "p.csv", f"sku,name,price,special_price\nA,a,1,\nB,b,9.50,{special}\n")
    with pytest.raises(CatalogImportError, match=what) as e:
        load("csv", f)
    assert (e.value.line, e.value.field) == (3, "special_price")
    assert "9.50" not in e.value.public and special not in e.value.public
    data = load("csv", f, skip_bad_rows=True)
    assert [p.sku for p in data.products] == ["A"]
    assert [s.where for s in data.skipped] == [f"{f}, line 3"]


def test_bad_special_price_jsonl(tmp_path: Path) -> None:
    f = write(tmp_path / "p.jsonl", '{"sku": "A", "name": "a", "price": "9.5", "special_price": 10}\n')
    with pytest.raises(CatalogImportError, match="above the regular price") as e:
        load("jsonl", f)
    assert (e.value.line, e.value.field) == (1, "special_price")


KETTLE_HEADER = "sku,name,price,description,stock_qty\n"


def test_decimal_comma_shifts_columns_reported_as_a_field_count(tmp_path: Path) -> None:
    # the last column is empty, so the shifted row has one empty field too many: not "stock_qty is not a number"
    f = write(
        tmp_path / "p.csv",
        KETTLE_HEADER + "A,Mug,12.00,Enamel mug,3\nB,Kettle,39,00,Stovetop gooseneck kettle,\nC,Cup,4.50,,\n",
    )
    with pytest.raises(CatalogImportError) as e:
        load("csv", f)
    err = e.value
    assert (err.line, err.field) == (3, None)
    assert str(err) == (
        f"{f}, line 3: this row has 6 fields but the header has 5: a value with a comma must be quoted "
        "(\"39,00\" or use a dot: 39.00); perhaps '39,00' in column 'price'; the columns after it are shifted"
    )
    assert "Kettle" not in err.public_str() and "'price'" not in err.public_str()
    assert "6 fields but the header has 5" in err.public_str()
    data = load("csv", f, skip_bad_rows=True)
    assert [p.sku for p in data.products] == ["A", "C"]
    assert [s.where for s in data.skipped] == [f"{f}, line 3"]
    assert "6 fields but the header has 5" in data.skipped[0].reason


def test_quoted_decimal_comma_is_one_field_and_still_not_a_number(tmp_path: Path) -> None:
    f = write(tmp_path / "p.csv", KETTLE_HEADER + 'B,Kettle,"39,00",Stovetop kettle,\n')
    with pytest.raises(CatalogImportError, match="not a number") as e:
        load("csv", f)
    assert (e.value.line, e.value.field) == (2, "price")


def test_row_with_fewer_fields_than_the_header(tmp_path: Path) -> None:
    f = write(tmp_path / "p.csv", KETTLE_HEADER + "A,Mug,12.00,Enamel mug,3\nB,Kettle 39.00,Stovetop kettle,2\n")
    with pytest.raises(CatalogImportError, match="this row has 4 fields but the header has 5: every row needs") as e:
        load("csv", f)
    assert e.value.line == 3
    data = load("csv", f, skip_bad_rows=True)
    assert [p.sku for p in data.products] == ["A"]


def test_semicolon_csv_field_count(tmp_path: Path) -> None:
    f = write(tmp_path / "p.csv", "sku;name;price;description\nA;Mug;12.00;x\nB;Kettle; big;39.00;\n")
    with pytest.raises(CatalogImportError, match="5 fields but the header has 4: a value with a semicolon") as e:
        load("csv", f)
    assert e.value.line == 3
    # a decimal comma is no delimiter here
    f2 = write(tmp_path / "q.csv", "sku;name;price\nA;Mug;12.00\n")
    assert load("csv", f2).products[0].price == Decimal("12.00")


@pytest.mark.parametrize(
    "text",
    [
        "sku,name,price\nA,a,1,\nB,b,2,\n",  # a delimiter at the end of every data line
        "sku,name,price,\nA,a,1,\nB,b,2\n",  # the header ends with one: its unnamed column may be left out
        "sku,name,price,parent_sku\nA,a,1\nB,b,2\n",  # no row fills the last column
    ],
)
def test_consistent_trailing_fields_are_accepted(tmp_path: Path, text: str) -> None:
    data = load("csv", write(tmp_path / "p.csv", text))
    assert [(p.sku, p.price) for p in data.products] == [("A", Decimal("1.00")), ("B", Decimal("2.00"))]


def test_one_row_with_a_trailing_empty_field_is_reported(tmp_path: Path) -> None:
    f = write(tmp_path / "p.csv", "sku,name,price\nA,a,1\nB,b,2,\n")
    with pytest.raises(CatalogImportError, match="4 fields but the header has 3") as e:
        load("csv", f)
    assert e.value.line == 3


@pytest.mark.parametrize(
    "text",
    [
        "sku,name,price,stock_qty\nA,a,9,50,\nB,b,12,00,\n",  # every price split at its decimal comma
        "sku,name,price,stock_qty\nA,Mug, enamel,12.00,\n",  # one row: no pattern to go by
    ],
)
def test_every_row_shifted_is_still_reported(tmp_path: Path, text: str) -> None:
    with pytest.raises(CatalogImportError, match="5 fields but the header has 4: a value with a comma must be quoted") as e:
        load("csv", write(tmp_path / "p.csv", text))
    assert e.value.line == 2


def test_one_row_missing_a_field_is_reported(tmp_path: Path) -> None:
    # "Mug 12.00" lost its comma: the stock 3 must not become the price
    f = write(tmp_path / "p.csv", "sku,name,price,stock_qty\nA,Mug 12.00,3\n")
    with pytest.raises(CatalogImportError, match="3 fields but the header has 4: every row needs one field per column"):
        load("csv", f)
