"""A shop owner's own export, as CSV or JSON Lines. The format is documented in GENERIC_FORMAT.md.

One row/object per product, or per variant when `parent_sku` is set. Column names can be mapped
to ours with `mapping={"our_column": "their_column"}`, given to `load`/`load_source` or kept in a
sidecar file `<file>.mapping.json` next to the data file (an explicit mapping wins per column).
"""

from __future__ import annotations

import json
import re
from collections.abc import Iterator
from pathlib import Path
from typing import Any

from catalog.importers._common import (
    CsvFile,
    JsonNumber,
    Policy,
    dedupe,
    money,
    parse_bool,
    parse_decimal,
    parse_int,
    progress_iter,
    read_text,
    where,
)
from catalog.records import CatalogData, CatalogImportError, ImageRecord, ProductRecord, VariantRecord
from catalog.text import strip_html

REQUIRED = ("sku", "name", "price")
OPTIONAL = (
    "description",
    "brand",
    "category",
    "special_price",
    "currency",
    "gender",
    "stock_qty",
    "in_stock",
    "image",
    "color",
    "size",
    "parent_sku",
)
COLUMNS = REQUIRED + OPTIONAL
ATTR_PREFIX = "attr_"
GENDERS = {
    "women": "women",
    "woman": "women",
    "female": "women",
    "w": "women",
    "men": "men",
    "man": "men",
    "male": "men",
    "m": "men",
    "kids": "kids",
    "kid": "kids",
    "children": "kids",
    "child": "kids",
    "unisex": "unisex",
}
_CURRENCY = re.compile(r"^[A-Z]{3}$")
# a real HTML tag ("<p>", "<br/>", "</b>", "<a href=...>"), not a "<" of plain text ("sizes < 10 > 5")
_HTML_TAG = re.compile(r"</?(?:p|br|b|i|u|em|strong|span|div|ul|ol|li|h[1-6]|a|img|table|tr|td|th|tbody|thead|small|"
                       r"sup|sub|hr|font|section|article|blockquote|code|pre)(?:\s[^<>]*)?/?>", re.IGNORECASE)


def plain_description(text: str) -> str:
    """Shop exports often hold HTML descriptions; the assistant quotes descriptions as text, so tags go."""
    return strip_html(text) if _HTML_TAG.search(text) else text


def _is_known(col: str) -> bool:
    return col in COLUMNS or (col.startswith(ATTR_PREFIX) and len(col) > len(ATTR_PREFIX))


def _find_file(source: Path, fmt: str) -> Path:
    if source.is_file():
        return source
    exts = (".csv",) if fmt == "csv" else (".jsonl", ".ndjson")
    found = sorted(p for p in source.iterdir() if p.is_file() and p.suffix.lower() in exts)
    if len(found) != 1:
        raise CatalogImportError(
            f"expected exactly one {'/'.join(exts)} file in the folder, found {len(found)}"
            + (f" ({', '.join(p.name for p in found)})" if found else "")
            + "; give the file path instead",
            file=str(source),
            public=f"expected exactly one {'/'.join(exts)} file in the folder, found {len(found)}; give the file path instead",
        )
    return found[0]


def read_mapping(path: Path, explicit: dict[str, str] | None) -> dict[str, str]:
    """{our_column: their_column} from `<file>.mapping.json`, overridden per column by `explicit`."""
    mapping: dict[str, str] = {}
    from_file: set[str] = set()
    sidecar = path.with_name(path.name + ".mapping.json")
    if sidecar.is_file():
        text = read_text(sidecar)
        try:
            loaded = json.loads(text)
        except json.JSONDecodeError as e:
            raise CatalogImportError(
                f"malformed JSON in the mapping file: {e.msg} (column {e.colno})",
                file=str(sidecar),
                line=e.lineno,
            ) from None
        if not isinstance(loaded, dict) or not all(
            isinstance(k, str) and isinstance(v, str) for k, v in loaded.items()
        ):
            raise CatalogImportError(
                'the mapping file must be a JSON object {"our_column": "their_column", ...} of strings',
                file=str(sidecar),
            )
        mapping.update(loaded)
        from_file = set(loaded)
    mapping.update(explicit or {})
    out: dict[str, str] = {}
    for ours, theirs in mapping.items():
        key = ours.strip().lower()
        if not _is_known(key):
            raise CatalogImportError(
                f"the mapping names '{ours}', which is not one of our columns ({', '.join(COLUMNS)}, or attr_<name>)",
                file=str(sidecar if ours in from_file and ours not in (explicit or {}) else path),
                field=ours,
                public=f"the mapping names a column that is not one of ours ({', '.join(COLUMNS)}, or attr_<name>)",
                quoted_field=True,
            )
        out[key] = theirs.strip()
    return out


class _Header:
    """Maps the file's column names to ours: mapping first, then our own names (case-insensitive)."""

    def __init__(self, columns: list[str], mapping: dict[str, str], file: Path, *, require_all: bool):
        self.file = file
        by_lower = {c.strip().lower(): c for c in columns}
        self.source_of: dict[str, str] = {}  # ours -> theirs
        mapped_theirs = set()
        for ours, theirs in mapping.items():
            if theirs not in columns and theirs.lower() not in by_lower:
                if require_all:
                    raise CatalogImportError(
                        f"the mapping says our column '{ours}' comes from '{theirs}', but the file has no such column "
                        f"(it has: {', '.join(columns)})",
                        file=str(file),
                        line=1,
                        field=theirs,
                        public=f"the mapping says our column '{ours}' comes from a column the file does not have; "
                        "fix the mapping or the file's header",
                        quoted_field=True,
                    )
                continue
            real = theirs if theirs in columns else by_lower[theirs.lower()]
            self.source_of[ours] = real
            mapped_theirs.add(real)
        for c in columns:
            key = c.strip().lower()
            if c in mapped_theirs or key in self.source_of or not _is_known(key):
                continue
            self.source_of[key] = c
        used = set(self.source_of.values())
        self.ignored = [c for c in columns if c not in used and c.strip()]

    def require(self, present: list[str]) -> None:
        for col in REQUIRED:
            if col not in self.source_of:
                fix = (
                    f'Add it, or map your column to it with a mapping such as {{"{col}": "Your Column"}} '
                    f"in {self.file.name}.mapping.json"
                )
                raise CatalogImportError(
                    f"missing required column '{col}' (the file has: {', '.join(present) or 'nothing'}). {fix}",
                    file=str(self.file),
                    line=1,
                    field=col,
                    public=f"missing required column '{col}'. {fix}",
                )

    def pick(self, raw: dict[str, Any]) -> dict[str, Any]:
        return {ours: raw.get(theirs) for ours, theirs in self.source_of.items()}


def _rows_csv(path: Path, mapping: dict[str, str], policy: Policy) -> Iterator[tuple[int, dict[str, Any]]]:
    text = read_text(path)
    first = text.split("\n", 1)[0]
    delimiter = (
        "\t"
        if first.count("\t") > first.count(",") and first.count("\t") > first.count(";")
        else (";" if first.count(";") > first.count(",") else ",")
    )
    f = CsvFile(path, delimiter=delimiter, text=text)
    header = _Header(f.columns, mapping, path, require_all=True)
    header.require(f.columns)
    if header.ignored:
        fix = "rename or map them, or prefix attr_ to import them as attributes"
        policy.note(
            where(path, 1),
            f"column(s) {', '.join(repr(c) for c in header.ignored)} ignored: not one of ours; {fix}",
            f"{len(header.ignored)} column(s) ignored: not one of ours; {fix}",
        )
    for r in f.rows(policy, exact_width=True, key=header.source_of.get("sku")):
        yield r.line, header.pick(r.values)


def _rows_jsonl(path: Path, mapping: dict[str, str], policy: Policy) -> Iterator[tuple[int, dict[str, Any]]]:
    text = read_text(path)
    ignored: set[str] = set()
    header: _Header | None = None
    for lineno, line in enumerate(text.split("\n"), start=1):
        if not line.strip():
            continue
        try:
            obj = json.loads(line, parse_float=JsonNumber, parse_int=JsonNumber)
        except json.JSONDecodeError as e:
            policy.bad(
                CatalogImportError(
                    f"malformed JSON: {e.msg} (column {e.colno}); each line must be one complete JSON object",
                    file=str(path),
                    line=lineno,
                ),
                product=True,
            )
            continue
        if not isinstance(obj, dict):
            policy.bad(
                CatalogImportError("each line must be a JSON object {...}", file=str(path), line=lineno), product=True
            )
            continue
        if header is None or set(obj) - set(header.source_of.values()) - ignored:
            header = _Header(list(obj), mapping, path, require_all=False)
            ignored.update(header.ignored)
        yield lineno, header.pick(obj)
    if ignored:
        fix = "rename or map them, or prefix attr_ to import them as attributes"
        policy.note(
            str(path),
            f"key(s) {', '.join(repr(c) for c in sorted(ignored))} ignored: not one of ours; {fix}",
            f"{len(ignored)} key(s) ignored: not one of ours; {fix}",
        )


_PRICE_0 = ("price 0: a product needs its selling price (the assistant quotes it to shoppers as the price), "
            "or variant rows that each have a price")
_NUMBERS = frozenset({"price", "special_price", "stock_qty"})


def _str(v: Any) -> str:
    if v is None:
        return ""
    if isinstance(v, bool):
        return "yes" if v else "no"
    if isinstance(v, list):
        return "|".join(_str(x) for x in v)
    return str(v).strip()


def _multi(v: Any) -> list[str]:
    if isinstance(v, list):
        return dedupe(s for x in v if (s := _str(x)))
    return dedupe(s.strip() for s in _str(v).split("|") if s.strip())


class _Builder:
    def __init__(self, path: Path, policy: Policy):
        self.path = path
        self.folder = path.parent
        self.policy = policy
        self.products: dict[str, ProductRecord] = {}
        self.sku_line: dict[str, int] = {}
        self.pending_variants: list[tuple[int, str, VariantRecord, list[ImageRecord]]] = []
        self.priced_by_variants: dict[str, int] = {}  # product rows priced 0: SKU -> line

    def err(self, msg: str, line: int, field: str | None = None, public: str | None = None) -> CatalogImportError:
        return CatalogImportError(msg, file=str(self.path), line=line, field=field, public=public)

    def row(self, line: int, v: dict[str, Any]) -> None:
        for key, value in v.items():  # JSON lines: a value of the wrong kind is an error, never text made of it
            if isinstance(value, dict):
                raise self.err(f"{key} is a JSON object; write it as text or a number", line, key,
                               "a JSON object where text or a number belongs")
            if key in _NUMBERS and isinstance(value, (bool, list)):
                kind = "true/false" if isinstance(value, bool) else "a list"
                raise self.err(f"{key} is {kind}; write it as a plain number, e.g. 19.99", line, key,
                               f"{kind} where a number belongs")
        sku = _str(v.get("sku"))
        if not sku:
            raise self.err("empty sku; every row needs a SKU", line, "sku")
        if sku in self.sku_line:
            raise self.err(
                f"duplicate SKU '{sku}' (first on line {self.sku_line[sku]}); every product and variant needs its own SKU",
                line,
                "sku",
                f"duplicate SKU (first on line {self.sku_line[sku]}); every product and variant needs its own SKU",
            )
        parent = _str(v.get("parent_sku"))
        name = _str(v.get("name"))
        price_raw = _str(v.get("price"))
        if not parent:
            for col, val in (("name", name), ("price", price_raw)):
                if not val:
                    raise self.err(f"empty {col}; every product needs a {col}", line, col)
        price = (
            money(parse_decimal(price_raw, file=self.path, line=line, field="price"), file=self.path, line=line, field="price") if price_raw else None
        )
        if price == 0 and not parent:  # a configurable export's parent row: its variants carry the prices
            if _str(v.get("special_price")) not in ("", "0"):
                raise self.err(_PRICE_0, line, "price")
            self.priced_by_variants[sku] = line
        variant_zero = price == 0 and bool(parent)  # a variant row: many exports write 0 for "the product's price", as for special prices
        if variant_zero:
            price = None
        special = _str(v.get("special_price"))
        special_price = (
            money(parse_decimal(special, file=self.path, line=line, field="special_price"), file=self.path, line=line, field="special_price")
            if special
            else None
        )
        no_sale = special_price == 0 and not parent  # many exports write 0 for "no sale price": never free
        if no_sale:
            special_price = None
        elif special_price is not None and price is not None and special_price > price and not parent:
            raise self.err(
                f"special price {special_price} is above the regular price {price}; a sale price must be lower "
                "(leave it empty or 0 for no sale)",
                line,
                "special_price",
                "the special price is above the regular price; a sale price must be lower (leave it empty or 0 for no sale)",
            )
        stock_raw = _str(v.get("stock_qty"))
        stock = parse_int(stock_raw, file=self.path, line=line, field="stock_qty") if stock_raw else None
        in_stock_raw = v.get("in_stock")
        if _str(in_stock_raw):
            in_stock = parse_bool(in_stock_raw, file=self.path, line=line, field="in_stock")
        else:
            in_stock = stock is None or stock > 0
        images = [self.image(u, line) for u in _multi(v.get("image"))]
        color, size = _str(v.get("color")) or None, _str(v.get("size")) or None
        if parent:
            if parent == sku:
                raise self.err("parent_sku is the row's own SKU", line, "parent_sku")
            if variant_zero:
                self.policy.note(where(self.path, line), "field 'price': 0 on a variant row read as the product's price")
            self.sku_line[sku] = line
            variant = VariantRecord(
                sku=sku, name=name, size=size, color=color, price=price, stock_qty=stock, in_stock=in_stock
            )
            for img in images:
                img.role, img.color = "variant", color
            self.pending_variants.append((line, parent, variant, images))
            return
        assert price is not None
        currency = (_str(v.get("currency")) or "USD").upper()
        if not _CURRENCY.match(currency):
            raise self.err(
                f"currency '{currency}' must be a 3-letter ISO code such as USD or EUR", line, "currency",
                "the currency must be a 3-letter ISO code such as USD or EUR",
            )
        gender_raw = _str(v.get("gender")).lower()
        gender = GENDERS.get(gender_raw) if gender_raw else None
        if gender_raw and gender is None:
            raise self.err(
                f"gender '{gender_raw}' must be one of women, men, kids, unisex (or empty)", line, "gender",
                "the gender must be one of women, men, kids, unisex (or empty)",
            )
        attrs: dict[str, list[str]] = {}
        for key, val in v.items():
            if key.startswith(ATTR_PREFIX):
                vals = _multi(val)
                if vals:
                    attrs[key[len(ATTR_PREFIX) :].strip().lower()] = vals
        if color:
            attrs.setdefault("color", []).extend(c for c in _multi(color) if c not in attrs.get("color", []))
        if size:
            attrs.setdefault("size", []).extend(s for s in _multi(size) if s not in attrs.get("size", []))
        cats = dedupe(
            "/".join(p.strip() for p in c.split("/") if p.strip()) for c in _multi(v.get("category"))
        )
        for i, img in enumerate(images):
            img.role = "base" if i == 0 else "additional"
        if no_sale:  # noted once the row is taken, so a row skipped for another reason is listed once
            self.policy.note(where(self.path, line), "field 'special_price': 0 read as no sale price")
        self.sku_line[sku] = line
        self.products[sku] = ProductRecord(
            sku=sku,
            name=name,
            price=price,
            description=plain_description(_str(v.get("description"))),
            brand=_str(v.get("brand")) or None,
            special_price=special_price,
            currency=currency,
            gender=gender,
            stock_qty=stock,
            in_stock=in_stock,
            categories=[c for c in cats if c],
            attributes=attrs,
            images=images,
            where=where(self.path, line),
        )

    def image(self, value: str, line: int) -> ImageRecord:
        if value.lower().startswith(("http://", "https://")):
            return ImageRecord(uri=value)
        p = Path(value).expanduser()
        if not p.is_absolute():
            p = self.folder / p
        self.policy.check_image(p, file=self.path, line=line, field="image")
        return ImageRecord(uri=str(p.resolve()))

    def price_from_variants(self) -> None:
        """A product row priced 0 takes its variants' lowest own price (a configurable export writes the prices
        on the variant rows); without variants that all have a price of their own it is a bad row."""
        for sku, line in self.priced_by_variants.items():
            product = self.products.get(sku)
            if product is None:
                continue
            prices = [v.price for v in product.variants]
            if not prices or any(p is None for p in prices):
                del self.products[sku]
                why = " (no variant rows)" if not prices else " (a variant row has no price of its own either)"
                self.policy.bad(self.err(_PRICE_0 + why, line, "price"), sku=sku, product=True)
                continue
            product.price = min(p for p in prices if p is not None)
            self.policy.note(where(self.path, line), "field 'price': 0 on a product row with priced variants read as "
                             f"the lowest variant price, {product.price}", "field 'price': 0 on a product row with "
                             "priced variants read as the lowest variant price")

    def attach_variants(self) -> None:
        skipped = self.policy.data.skipped_skus
        for line, parent_sku, variant, images in self.pending_variants:
            parent = self.products.get(parent_sku)
            if parent is None:
                hint = (
                    "it is itself a variant; variants cannot have variants"
                    if parent_sku in self.sku_line
                    else "its product row is a bad row, left out"
                    if parent_sku in skipped
                    else "add a row for that product (parent_sku must name a product row in the same file)"
                )
                self.policy.bad(
                    self.err(f"parent_sku '{parent_sku}' is not a product: {hint}", line, "parent_sku",
                             f"parent_sku is not a product: {hint}"),
                    sku=variant.sku,
                )
                continue
            parent.product_type = "configurable"
            parent.variants.append(variant)
            known = {i.uri for i in parent.images}
            parent.images.extend(i for i in images if i.uri not in known)


def load(
    source: Path,
    *,
    fmt: str = "csv",
    mapping: dict[str, str] | None = None,
    skip_bad_rows: bool = False,
    verify_images: bool = True,
    progress: bool = True,
) -> CatalogData:
    if fmt not in ("csv", "jsonl"):
        raise CatalogImportError(f"generic importer handles csv and jsonl, not '{fmt}'")
    source = Path(source)
    if not source.exists():
        raise CatalogImportError(f"the source path does not exist: {source}", file=str(source))
    path = _find_file(source, fmt)
    data = CatalogData()
    policy = Policy(data, skip_bad_rows=skip_bad_rows, verify_images=verify_images)
    cols = read_mapping(path, mapping)
    builder = _Builder(path, policy)
    rows = _rows_csv(path, cols, policy) if fmt == "csv" else _rows_jsonl(path, cols, policy)
    n_rows = 0
    for line, values in progress_iter(rows, enabled=progress, desc=path.name):
        n_rows += 1
        try:
            builder.row(line, values)
        except CatalogImportError as e:
            policy.bad(e, sku=_str(values.get("sku")), product=True)
    builder.attach_variants()
    builder.price_from_variants()
    data.products = list(builder.products.values())
    if n_rows == 0 and not data.skipped:
        raise CatalogImportError("the file has no product rows", file=str(path))
    return data
