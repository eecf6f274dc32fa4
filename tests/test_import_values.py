"""Values a shop's own export holds that the catalog must not take as written: a price of 0, HTML descriptions."""

from __future__ import annotations

from decimal import Decimal
from pathlib import Path

import pytest

from catalog.importers import load_source
from catalog.records import CatalogImportError


def _load(path: Path, **kw):  # type: ignore[no-untyped-def]
    return load_source("csv", path, progress=False, **kw)


def test_a_product_priced_0_is_a_bad_row_not_a_free_product(tmp_path: Path) -> None:
    f = tmp_path / "p.csv"
    f.write_text("sku,name,price\nA,Parka,0\nB,Tee,12\n", encoding="utf-8")
    with pytest.raises(CatalogImportError) as err:
        _load(f)
    assert err.value.line == 2 and err.value.field == "price" and "price 0" in str(err.value)
    data = _load(f, skip_bad_rows=True)  # the rest of the file is still taken
    assert [(p.sku, p.price) for p in data.products] == [("B", Decimal("12.00"))]
    assert any("price 0" in s.reason for s in data.skipped)


def test_a_variant_priced_0_takes_its_products_price_and_says_so(tmp_path: Path) -> None:
    f = tmp_path / "p.csv"
    f.write_text("sku,name,price,size,parent_sku\nT,Tee,20,,\nT-M,Tee M,0,M,T\n", encoding="utf-8")
    data = _load(f)
    (p,) = data.products
    assert p.price == Decimal("20.00") and [(v.sku, v.price) for v in p.variants] == [("T-M", None)]
    assert [s.reason for s in data.skipped] == ["field 'price': 0 on a variant row read as the product's price"]


def test_a_product_priced_0_with_priced_variants_takes_the_lowest_variant_price(tmp_path: Path) -> None:
    f = tmp_path / "p.csv"  # a configurable export: the parent row has 0, its variant rows the prices
    f.write_text(
        "sku,name,price,size,parent_sku\nJ,Jacket,0,,\nJ-S,Jacket S,49.50,S,J\nJ-L,Jacket L,54,L,J\nT,Tee,12,,\n",
        encoding="utf-8",
    )
    data = _load(f)
    j, t = data.products
    assert (j.sku, j.price, t.price) == ("J", Decimal("49.50"), Decimal("12.00"))
    assert [(v.sku, v.price) for v in j.variants] == [("J-S", Decimal("49.50")), ("J-L", Decimal("54.00"))]
    assert [s.reason for s in data.skipped] == [
        "field 'price': 0 on a product row with priced variants read as the lowest variant price, 49.50"]


def test_a_product_priced_0_whose_variant_has_no_price_is_still_a_bad_row(tmp_path: Path) -> None:
    f = tmp_path / "p.csv"
    f.write_text("sku,name,price,size,parent_sku\nJ,Jacket,0,,\nJ-S,Jacket S,49,S,J\nJ-L,Jacket L,,L,J\n"
                 "T,Tee,12,,\n", encoding="utf-8")
    with pytest.raises(CatalogImportError) as err:
        _load(f)
    assert err.value.line == 2 and err.value.field == "price" and "a variant row has no price" in str(err.value)
    data = _load(f, skip_bad_rows=True)
    assert [p.sku for p in data.products] == ["T"] and "J" in data.skipped_skus
    f.write_text("sku,name,price,special_price,size,parent_sku\nJ,Jacket,0,5,,\nJ-S,Jacket S,49,,S,J\n",
                 encoding="utf-8")  # a sale price on a product that has none is no configurable parent
    with pytest.raises(CatalogImportError, match="price 0"):
        _load(f)


def test_html_descriptions_are_stored_as_text(tmp_path: Path) -> None:
    f = tmp_path / "p.csv"
    f.write_text(
        'sku,name,price,description\n'
        'A,Tee,10,"<p>Soft <b>organic cotton</b> tee.<br>Machine washable &amp; quick-dry.</p>"\n'
        'B,Ruler,3,"Marks 0 < 10 > 5 cm, plain text"\n',
        encoding="utf-8",
    )
    a, b = _load(f).products
    assert a.description == "Soft organic cotton tee.\nMachine washable & quick-dry."
    assert b.description == "Marks 0 < 10 > 5 cm, plain text"  # a "<" of plain text is not a tag


def test_a_json_number_in_exponent_form_is_quoted_as_the_file_wrote_it(tmp_path: Path) -> None:
    f = tmp_path / "p.jsonl"
    f.write_text('{"sku": "A", "name": "Tee", "price": 1e1}\n', encoding="utf-8")
    with pytest.raises(CatalogImportError) as err:
        load_source("jsonl", f, progress=False)
    assert "'1e1' is not a number" in str(err.value) and "1E+1" not in str(err.value)
    f.write_text('{"sku": "A", "name": "Tee", "price": 19.90, "stock_qty": 3}\n', encoding="utf-8")
    (p,) = load_source("jsonl", f, progress=False).products
    assert (p.price, p.stock_qty) == (Decimal("19.90"), 3)


def test_angle_brackets_that_are_no_html_tag_are_kept(tmp_path: Path) -> None:
    f = tmp_path / "p.csv"
    f.write_text('sku,name,price,description\nA,Tee,10,"Fits <M> and <L> sizes; 2 < 3"\n', encoding="utf-8")
    (a,) = _load(f).products
    assert a.description == "Fits <M> and <L> sizes; 2 < 3"
