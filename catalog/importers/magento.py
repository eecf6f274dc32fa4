"""Magento 2 sample data (the "Luma" demo store): `<root>/fixtures/**.csv` + `<root>/images/`.

What is read, all of it:

* `CatalogSampleData/categories.csv`, `ConfigurableSampleData/categories.csv`: the category tree
  (`path` is the parent path, so a row Jackets/path "Women/Tops" is "Women/Tops/Jackets").
* `ConfigurableSampleData/products.csv`: configurable products; their size/colour children are the
  simple rows named in `configurable_variations` and become `VariantRecord`s (sku, size, colour,
  qty, is_in_stock, price; a variant price equal to the parent's is left as None = "same").
  Simple rows that no configurable claims are imported as simple products.
  `additional_attributes` ("k=v,k=v", multi-values "|") become attributes (lower-case names;
  has_options/required_options dropped; a configurable's color/size live on its variants).
  Category paths lose their "Default Category/" prefix. Gender comes from the category roots
  (Men -> men, Women -> women, both -> unisex).
* `CatalogSampleData/SimpleProduct/products_*.csv` (gear) and their `images_*.csv`. The `category`
  column is a newline-separated walk through the tree ("Gear\\nBags\\nCollections\\nErin Recommends"
  -> "Gear/Bags", "Collections/Erin Recommends"); a name that is neither a child of the current
  node nor a root extends the current path as written. Every other column (material, activity,
  features_bags, ...) is a newline-separated multi-valued attribute; boolean attributes 1/0 become
  Yes/No like in the configurable file. Gender comes from the `gender` column (one of Men/Women ->
  men/women, Boys/Girls only -> kids, otherwise unisex). The stasis balls and yoga straps have
  visibility 1 in the source because in Magento they sit under grouped products (24-WG080,
  24-WG085_Group) that are not in the sample files; we keep them visible so they can be found.
* Images: base_image (+label) and additional_images of every row, resolved under `<root>/images`
  ("/m/h/mh01-gray_main.jpg" -> <root>/images/m/h/mh01-gray_main.jpg). Images of variants are
  attached to the parent with role "variant". An image's colour is inferred from its file name when
  the name contains one of the product's own colours.
* Links: related/upsell/crosssell from `CatalogSampleData/Links`, `ConfigurableSampleData/Links`
  and `ProductLinksSampleData` (a copy of the first); duplicates are dropped. A link naming a SKU
  that is not in the data (e.g. the grouped products) is reported in `skipped`.
* Reviews (`ReviewSampleData/products_reviews.csv`): a review of a SKU that is not in the data is
  reported in `skipped` (the file reviews products of Magento extensions that are not included).
* Customers (`CustomerSampleData/customer_profile.csv`) and orders (`SalesSampleData/orders.csv`:
  one order per row with one line; `configurable_options` pick the variant; numbers "M-000001"...
  by row; status "refunded" when refund=yes, else "complete").

Not imported: `WishlistSampleData/wishlist.csv` (wishlists are not modelled) and the attribute
definition files beyond telling which attributes are boolean. The sample data holds no store
policy documents, and none are invented.
"""

from __future__ import annotations

import datetime as dt
import html
import json
import re
from collections.abc import Iterable
from dataclasses import dataclass, field
from decimal import Decimal
from pathlib import Path, PurePosixPath

from catalog.importers._common import (
    CsvFile,
    CsvRow,
    Policy,
    dedupe,
    money,
    parse_decimal,
    parse_int,
    progress_iter,
    where,
)
from catalog.records import (
    CatalogData,
    CatalogImportError,
    CustomerRecord,
    ImageRecord,
    LinkRecord,
    OrderLineRecord,
    OrderRecord,
    ProductRecord,
    ReviewRecord,
    VariantRecord,
)
from catalog.text import strip_html

DEFAULT_ROOT = "Default Category"
LINK_KINDS = ("related", "upsell", "crosssell")
LINK_DIRS = ("CatalogSampleData/Links", "ConfigurableSampleData/Links", "ProductLinksSampleData")
SKIP_ATTRIBUTES = {"has_options", "required_options"}
BOOLEAN_ATTRIBUTES = {"eco_collection", "performance_fabric", "erin_recommends", "new", "sale"}
# Gear columns that are not attributes.
GEAR_FIELDS = {
    "category",
    "name",
    "sku",
    "price",
    "qty",
    "description",
    "short_description",
    "special_price",
    "special_price_from_date",
    "special_price_to_date",
    "attribute_set",
    "visibility",
    "url_key",
}


def _text(value: str) -> str:
    return html.unescape(value).strip()


def _parse_date(value: str, *, file: Path, line: int, field: str) -> dt.date | None:
    value = value.strip()
    if not value:
        return None
    for fmt in ("%Y-%m-%d", "%Y-%m-%d %H:%M:%S", "%m/%d/%Y", "%m/%d/%y"):
        try:
            return dt.datetime.strptime(value, fmt).date()
        except ValueError:
            pass
    raise CatalogImportError(
        f"'{value}' is not a date; use YYYY-MM-DD", file=str(file), line=line, field=field,
        public="not a date; use YYYY-MM-DD",
    )


def parse_additional_attributes(text: str) -> dict[str, list[str]]:
    """ "k=v,k=a|b" -> {"k": ["v"], ...}; a piece without "=" continues the previous value (a comma in it)."""
    out: dict[str, list[str]] = {}
    last: str | None = None
    raw: dict[str, str] = {}
    for piece in text.split(","):
        if "=" in piece:
            k, v = piece.split("=", 1)
            last = k.strip().lower()
            raw[last] = v
        elif last is not None:
            raw[last] += "," + piece
    for k, v in raw.items():
        vals = dedupe(_text(x) for x in v.split("|") if x.strip())
        if k and vals:
            out[k] = vals
    return out


def _gender_from_categories(paths: Iterable[str]) -> str | None:
    roots = {p.split("/", 1)[0] for p in paths}
    men, women = "Men" in roots, "Women" in roots
    if men and women:
        return "unisex"
    return "men" if men else "women" if women else None


def _gender_from_values(values: list[str]) -> str | None:
    vals = {v.strip().lower() for v in values}
    if not vals:
        return None
    if "unisex" in vals or {"men", "women"} <= vals:
        return "unisex"
    if vals == {"men"}:
        return "men"
    if vals == {"women"}:
        return "women"
    if vals <= {"boys", "girls"}:
        return "kids"
    return "unisex"


_TOKEN = re.compile(r"[a-z]+")


def _image_color(uri: str, colors: Iterable[str]) -> str | None:
    """The product colour named in the image's file name ("mh01-gray_main.jpg" -> "Gray"), if any."""
    tokens = set(_TOKEN.findall(PurePosixPath(uri).stem.lower()))
    for c in colors:
        if c and c.lower() in tokens:
            return c
    return None


@dataclass
class _Row:
    """One validated row of ConfigurableSampleData/products.csv."""

    row: CsvRow
    sku: str
    price: Decimal
    images: list[ImageRecord] = field(default_factory=list)


class _Magento:
    def __init__(self, root: Path, policy: Policy, progress: bool):
        self.root = root
        self.fx = root / "fixtures"
        self.images_root = root / "images"
        self.policy = policy
        self.data = policy.data
        self.progress = progress
        self.tree: set[str] = set()
        self.roots: set[str] = set()
        self.product_skus: set[str] = set()
        self.variant_parent: dict[str, str] = {}
        self.variants: dict[str, list[VariantRecord]] = {}
        self.sku_where: dict[str, str] = {}
        self.boolean_attrs = set(BOOLEAN_ATTRIBUTES)

    # -- helpers -----------------------------------------------------------------------------
    def _csv(self, rel: str, *required: str) -> CsvFile | None:
        path = self.fx / rel
        if not path.is_file():
            return None
        f = CsvFile(path)
        f.require(*required)
        return f

    def _claim_sku(self, sku: str, path: Path, line: int) -> None:
        if sku in self.sku_where:
            raise CatalogImportError(
                f"duplicate SKU '{sku}' (already defined at {self.sku_where[sku]}); every SKU must be unique",
                file=str(path),
                line=line,
                field="sku",
                public=f"duplicate SKU (already defined at {self.sku_where[sku]}); every SKU must be unique",
            )
        self.sku_where[sku] = where(path, line)

    def _image(
        self, value: str, *, path: Path, line: int, field: str, role: str, label: str = ""
    ) -> ImageRecord:
        value = value.strip()
        if value.startswith(("http://", "https://")):
            return ImageRecord(uri=value, role=role, label=label)
        rel = value.lstrip("/")
        if not rel or ".." in PurePosixPath(rel).parts:
            raise CatalogImportError(
                f"bad image path '{value}'", file=str(path), line=line, field=field,
                public="bad image path: empty, or it goes up a folder ('..'); give a path inside the images folder",
            )
        p = self.images_root / rel
        self.policy.check_image(p, file=path, line=line, field=field)
        return ImageRecord(uri=str(p.resolve()), role=role, label=label)

    def _row_images(self, r: CsvRow, path: Path, role_base: str) -> list[ImageRecord]:
        out: list[ImageRecord] = []
        base = r.get("base_image").strip()
        if base and base != "no_selection":
            out.append(
                self._image(
                    base,
                    path=path,
                    line=r.line,
                    field="base_image",
                    role=role_base,
                    label=_text(r.get("base_image_label")),
                )
            )
        for extra in r.get("additional_images").split(","):
            if extra.strip() and extra.strip() != "no_selection":
                out.append(
                    self._image(
                        extra,
                        path=path,
                        line=r.line,
                        field="additional_images",
                        role="additional" if role_base == "base" else role_base,
                    )
                )
        return out

    # -- categories --------------------------------------------------------------------------
    def categories(self) -> None:
        for rel in ("CatalogSampleData/categories.csv", "ConfigurableSampleData/categories.csv"):
            f = self._csv(rel, "name", "path")
            if f is None:
                continue
            for r in f.rows(self.policy):
                name = r.get("name").strip()
                if not name:
                    self.policy.bad(
                        CatalogImportError("empty category name", file=str(f.path), line=r.line, field="name")
                    )
                    continue
                parent = "/".join(p.strip() for p in r.get("path").split("/") if p.strip())
                full = f"{parent}/{name}" if parent else name
                if full not in self.tree:
                    self.tree.add(full)
                    self.data.categories.append(full)
                if not parent:
                    self.roots.add(name)

    def _walk_categories(self, names: list[str]) -> list[str]:
        paths: list[str] = []
        cur: str | None = None
        for name in names:
            if cur is not None and f"{cur}/{name}" in self.tree:
                cur = f"{cur}/{name}"
            elif name in self.roots or cur is None:
                if cur is not None:
                    paths.append(cur)
                cur = name
            else:
                cur = f"{cur}/{name}"  # not in the tree: keep the path as the file states it
        if cur is not None:
            paths.append(cur)
        return dedupe(paths)

    # -- configurable products ---------------------------------------------------------------
    def configurables(self) -> None:
        f = self._csv("ConfigurableSampleData/products.csv", "sku", "product_type", "name", "price")
        if f is None:
            return
        path = f.path
        rows: dict[str, _Row] = {}
        order: list[_Row] = []
        f_rows = list(f.rows(self.policy, key="sku"))
        for r in progress_iter(f_rows, enabled=self.progress, desc="magento products"):
            try:
                sku = r.get("sku").strip()
                if not sku:
                    raise CatalogImportError("empty SKU", file=str(path), line=r.line, field="sku")
                if not r.get("name").strip():
                    raise CatalogImportError("empty product name", file=str(path), line=r.line, field="name")
                if not r.get("price").strip():
                    raise CatalogImportError("missing price", file=str(path), line=r.line, field="price")
                price = money(parse_decimal(r.get("price"), file=path, line=r.line, field="price"))
                self._claim_sku(sku, path, r.line)
                row = _Row(r, sku, price)
                row.images = self._row_images(r, path, "base")
            except CatalogImportError as e:
                self.policy.bad(e, sku=r.get("sku").strip())
                continue
            rows[sku] = row
            order.append(row)

        # Every SKU some configurable row names as a variant, even when that configurable row is bad:
        # the children of a skipped configurable must not turn into stray simple products.
        named: dict[str, tuple[str, int]] = {}
        for r in f_rows:
            if r.get("product_type").strip() == "configurable":
                for m in re.finditer(r"(?:^|[|,])\s*sku=([^,|]+)", r.get("configurable_variations")):
                    named.setdefault(m.group(1).strip(), (r.get("sku").strip(), r.line))
        claimed: dict[str, str] = {}
        for row in order:
            if row.row.get("product_type").strip() != "configurable":
                continue
            try:
                rec = self._product(row, path, "configurable")
            except CatalogImportError as e:
                self.policy.bad(e, sku=row.sku)
                continue
            for item in filter(None, (s.strip() for s in row.row.get("configurable_variations").split("|"))):
                spec = dict(kv.split("=", 1) for kv in item.split(",") if "=" in kv)
                vsku = spec.get("sku", "").strip()
                if not vsku:
                    self.policy.bad(
                        CatalogImportError(
                            f"configurable_variations entry '{item}' has no sku=",
                            file=str(path),
                            line=row.row.line,
                            field="configurable_variations",
                            public="a configurable_variations entry has no sku=",
                        )
                    )
                    continue
                if vsku in claimed:
                    self.policy.bad(
                        CatalogImportError(
                            f"variant '{vsku}' is already a variant of '{claimed[vsku]}'",
                            file=str(path),
                            line=row.row.line,
                            field="configurable_variations",
                            public="a variant listed here is already a variant of another configurable product",
                        )
                    )
                    continue
                vrow = rows.get(vsku)
                if vrow is None:
                    if vsku not in self.sku_where:  # else: its own row was bad and is already reported
                        self.policy.bad(
                            CatalogImportError(
                                f"configurable '{rec.sku}' lists variant '{vsku}' but products.csv has no row for it; "
                                "add the variant row or remove it from configurable_variations",
                                file=str(path),
                                line=row.row.line,
                                field="configurable_variations",
                                public="this configurable lists a variant that products.csv has no row for; "
                                "add the variant row or remove it from configurable_variations",
                            )
                        )
                    claimed[vsku] = rec.sku
                    continue
                claimed[vsku] = rec.sku
                vattrs = parse_additional_attributes(vrow.row.get("additional_attributes"))
                size: str | None = spec.get("size") or next(iter(vattrs.get("size", [])), None)
                color: str | None = spec.get("color") or next(iter(vattrs.get("color", [])), None)
                try:
                    qty_text = vrow.row.get("qty").strip()
                    qty = (
                        parse_int(qty_text, file=path, line=vrow.row.line, field="qty") if qty_text else None
                    )
                except CatalogImportError as e:
                    self.policy.bad(e, sku=vsku)
                    continue
                in_stock = vrow.row.get("is_in_stock", "1").strip() not in ("0", "")
                rec.variants.append(
                    VariantRecord(
                        sku=vsku,
                        name=_text(vrow.row.get("name")),
                        size=_text(size) if size else None,
                        color=_text(color) if color else None,
                        price=None if vrow.price == rec.price else vrow.price,
                        stock_qty=qty,
                        in_stock=in_stock,
                    )
                )
                for img in vrow.images:
                    rec.images.append(ImageRecord(uri=img.uri, role="variant", label=img.label, color=color))
                self.variant_parent[vsku] = rec.sku
            colors = dedupe(v.color for v in rec.variants if v.color)
            seen: set[str] = set()
            images: list[ImageRecord] = []
            for img in rec.images:
                if img.uri in seen:
                    continue
                seen.add(img.uri)
                img.color = _image_color(img.uri, colors) or (img.color if img.role == "variant" else None)
                images.append(img)
            rec.images = images
            self.variants[rec.sku] = rec.variants
            self._add(rec)

        for row in order:  # simple rows no configurable claims: plain products
            if row.row.get("product_type").strip() == "configurable" or row.sku in claimed:
                continue
            if row.sku in named:
                parent, line = named[row.sku]
                self.policy.note(
                    where(path, row.row.line),
                    f"variant '{row.sku}' left out: its configurable '{parent}' (line {line}) was skipped",
                    f"variant left out: its configurable (line {line}) was skipped",
                )
                continue
            try:
                rec = self._product(row, path, "simple")
            except CatalogImportError as e:
                self.policy.bad(e, sku=row.sku)
                continue
            self._add(rec)

    def _product(self, row: _Row, path: Path, ptype: str) -> ProductRecord:
        r = row.row
        cats = []
        for c in r.get("categories").split(","):
            parts = [p.strip() for p in c.split("/") if p.strip()]
            if parts and parts[0] == DEFAULT_ROOT:
                parts = parts[1:]
            if parts:
                cats.append("/".join(parts))
        cats = dedupe(cats)
        attrs = parse_additional_attributes(r.get("additional_attributes"))
        for k in SKIP_ATTRIBUTES:
            attrs.pop(k, None)
        if ptype == "configurable":
            attrs.pop("color", None)
            attrs.pop("size", None)
        rec = ProductRecord(
            sku=row.sku,
            name=_text(r.get("name")),
            price=row.price,
            description=strip_html(r.get("description") or r.get("short_description")),
            product_type=ptype,
            special_price=self._special(r, path),
            special_from=_parse_date(
                r.get("special_price_from_date"), file=path, line=r.line, field="special_price_from_date"
            ),
            special_to=_parse_date(
                r.get("special_price_to_date"), file=path, line=r.line, field="special_price_to_date"
            ),
            gender=_gender_from_categories(cats),
            stock_qty=None,
            in_stock=r.get("is_in_stock", "1").strip() not in ("0", ""),
            visible=r.get("visibility").strip() != "Not Visible Individually"
            and r.get("product_online", "1").strip() != "2",
            categories=cats,
            attributes=attrs,
            images=list(row.images),
            where=where(path, r.line),
        )
        if ptype == "simple":
            qty = r.get("qty").strip()
            rec.stock_qty = parse_int(qty, file=path, line=r.line, field="qty") if qty else None
            colors = attrs.get("color", [])
            for img in rec.images:
                img.color = _image_color(img.uri, colors)
        return rec

    def _special(self, r: CsvRow, path: Path) -> Decimal | None:
        sp = r.get("special_price").strip()
        return money(parse_decimal(sp, file=path, line=r.line, field="special_price"), file=path, line=r.line, field="special_price") if sp else None

    def _add(self, rec: ProductRecord) -> None:
        self.data.products.append(rec)
        self.product_skus.add(rec.sku)

    # -- gear (simple products) --------------------------------------------------------------
    def gear(self) -> None:
        folder = self.fx / "CatalogSampleData" / "SimpleProduct"
        if not folder.is_dir():
            return
        for rel in ("CatalogSampleData/attributes.csv", "ConfigurableSampleData/attributes.csv"):
            af = self._csv(rel, "attribute_code")
            if af is not None:
                for r in af.rows(self.policy):
                    if r.get("frontend_input").strip() == "boolean":
                        self.boolean_attrs.add(r.get("attribute_code").strip().lower())
        images: dict[str, list[tuple[Path, int, str]]] = {}
        for p in sorted(folder.glob("images_*.csv")):
            f = CsvFile(p)
            f.require("sku", "image")
            for r in f.rows(self.policy):
                images.setdefault(r.get("sku").strip(), []).append((p, r.line, r.get("image")))
        gear_skus: set[str] = set()
        for p in sorted(folder.glob("products_*.csv")):
            f = CsvFile(p)
            f.require("sku", "name", "price")
            for r in progress_iter(list(f.rows(self.policy, key="sku")), enabled=self.progress, desc=p.stem):
                try:
                    rec = self._gear_product(r, p, images.get(r.get("sku").strip(), []))
                except CatalogImportError as e:
                    self.policy.bad(e, sku=r.get("sku").strip())
                    continue
                gear_skus.add(rec.sku)
                self._add(rec)
        for sku, rows in images.items():
            if sku not in gear_skus and sku not in self.sku_where:
                for p, line, img in rows:
                    self.policy.note(where(p, line), f"image {img} for unknown SKU '{sku}' left out",
                                     "an image for an unknown SKU left out")

    def _gear_product(self, r: CsvRow, path: Path, image_rows: list[tuple[Path, int, str]]) -> ProductRecord:
        sku = r.get("sku").strip()
        if not sku:
            raise CatalogImportError("empty SKU", file=str(path), line=r.line, field="sku")
        name = _text(r.get("name"))
        if not name:
            raise CatalogImportError("empty product name", file=str(path), line=r.line, field="name")
        if not r.get("price").strip():
            raise CatalogImportError("missing price", file=str(path), line=r.line, field="price")
        price = money(parse_decimal(r.get("price"), file=path, line=r.line, field="price"))
        qty_text = r.get("qty").strip()
        qty = parse_int(qty_text, file=path, line=r.line, field="qty") if qty_text else None
        attrs: dict[str, list[str]] = {}
        for col, value in r.values.items():
            key = col.strip().lower()
            if not key or key in GEAR_FIELDS or key in SKIP_ATTRIBUTES:
                continue
            vals = dedupe(_text(v) for v in value.split("\n") if v.strip())
            if key in self.boolean_attrs:
                vals = [{"1": "Yes", "0": "No"}.get(v, v) for v in vals]
            if vals:
                attrs[key] = vals
        cats = self._walk_categories([_text(n) for n in r.get("category").split("\n") if n.strip()])
        gender = _gender_from_values(attrs.get("gender", [])) or _gender_from_categories(cats)
        self._claim_sku(sku, path, r.line)
        rec = ProductRecord(
            sku=sku,
            name=name,
            price=price,
            description=strip_html(r.get("description") or r.get("short_description")),
            special_price=self._special(r, path),
            special_from=_parse_date(
                r.get("special_price_from_date"), file=path, line=r.line, field="special_price_from_date"
            ),
            special_to=_parse_date(
                r.get("special_price_to_date"), file=path, line=r.line, field="special_price_to_date"
            ),
            gender=gender,
            stock_qty=qty,
            in_stock=True,
            visible=True,
            categories=cats,
            attributes=attrs,
            where=where(path, r.line),
        )
        colors = attrs.get("color", [])
        for i, (ip, line, value) in enumerate(image_rows):
            try:
                img = self._image(
                    value, path=ip, line=line, field="image", role="base" if i == 0 else "additional"
                )
            except CatalogImportError as e:
                self.policy.bad(e)
                continue
            if any(x.uri == img.uri for x in rec.images):
                continue
            img.color = _image_color(img.uri, colors)
            if not rec.images:
                img.role = "base"
            rec.images.append(img)
        return rec

    # -- references --------------------------------------------------------------------------
    def _resolve(self, sku: str) -> str | None:
        """A product SKU; a variant SKU maps to its configurable; None when unknown."""
        if sku in self.product_skus:
            return sku
        return self.variant_parent.get(sku)

    def links(self) -> None:
        seen: set[tuple[str, str, str]] = set()
        noted: set[tuple[str, str, str]] = set()
        for d in LINK_DIRS:
            for kind in LINK_KINDS:
                f = self._csv(f"{d}/{kind}.csv", "sku", "linked_sku")
                if f is None:
                    continue
                for r in f.rows(self.policy):
                    src_raw = r.get("sku").strip()
                    targets = [t.strip() for t in re.split(r"[\n,]", r.get("linked_sku")) if t.strip()]
                    src = self._resolve(src_raw)
                    for pos, dst_raw in enumerate(targets):
                        key = (src_raw, dst_raw, kind)
                        dst = self._resolve(dst_raw)
                        if src is None or dst is None:
                            if key not in noted:
                                noted.add(key)
                                missing = src_raw if src is None else dst_raw
                                self.policy.note(
                                    where(f.path, r.line),
                                    f"{kind} link {src_raw} -> {dst_raw}: unknown SKU '{missing}'",
                                    f"{kind} link left out: unknown SKU",
                                )
                            continue
                        rkey = (src, dst, kind)
                        if src == dst or rkey in seen:
                            continue
                        seen.add(rkey)
                        self.data.links.append(LinkRecord(sku=src, linked_sku=dst, kind=kind, position=pos))

    def reviews(self) -> None:
        f = self._csv("ReviewSampleData/products_reviews.csv", "sku", "rating_value")
        if f is None:
            return
        for r in f.rows(self.policy):
            try:
                raw = r.get("rating_value").strip()
                if not re.fullmatch(r"0*[1-5]", raw):  # (isdigit() takes '²', which int() then refuses)
                    raise CatalogImportError(
                        f"rating_value '{raw}' must be a whole number from 1 to 5",
                        file=str(f.path),
                        line=r.line,
                        field="rating_value",
                        public="rating_value must be a whole number from 1 to 5",
                    )
            except CatalogImportError as e:
                self.policy.bad(e)
                continue
            sku_raw = r.get("sku").strip()
            sku = self._resolve(sku_raw)
            if sku is None:
                self.policy.note(where(f.path, r.line), f"review for unknown SKU '{sku_raw}' left out",
                                 "review for an unknown SKU left out")
                continue
            email = r.get("email").strip().lower() or None
            self.data.reviews.append(
                ReviewRecord(
                    sku=sku,
                    rating=int(raw),
                    title=_text(r.get("title")),
                    body=_text(r.get("review")),
                    reviewer=_text(r.get("reviewer")),
                    customer_email=email,
                    where=where(f.path, r.line),
                )
            )

    def customers(self) -> None:
        f = self._csv("CustomerSampleData/customer_profile.csv", "email")
        if f is None:
            return
        seen: dict[str, int] = {}
        for r in f.rows(self.policy):
            email = r.get("email").strip().lower()
            try:
                if "@" not in email:
                    raise CatalogImportError(
                        f"'{email}' is not an email address", file=str(f.path), line=r.line, field="email",
                        public="not an email address",
                    )
                if email in seen:
                    raise CatalogImportError(
                        f"duplicate customer email '{email}' (first on line {seen[email]})",
                        file=str(f.path),
                        line=r.line,
                        field="email",
                        public=f"duplicate customer email (first on line {seen[email]})",
                    )
                dob = _parse_date(r.get("dob"), file=f.path, line=r.line, field="dob")
            except CatalogImportError as e:
                self.policy.bad(e)
                continue
            seen[email] = r.line
            self.data.customers.append(
                CustomerRecord(
                    email=email,
                    first_name=r.get("firstname").strip(),
                    last_name=r.get("lastname").strip(),
                    gender=r.get("gender").strip().lower() or None,
                    birth_date=dob,
                    city=r.get("city").strip(),
                    region=r.get("region").strip(),
                    country=r.get("country_id").strip().upper()[:2],
                    postcode=r.get("postcode").strip(),
                )
            )

    def orders(self) -> None:
        f = self._csv("SalesSampleData/orders.csv", "product")
        if f is None:
            return
        for n, r in enumerate(f.rows(self.policy), start=1):
            number = f"M-{n:06d}"
            try:
                try:
                    # integers as Decimal: int() of one thousands of digits long raises a ValueError with no line
                    spec = json.loads(r.get("product"), parse_int=Decimal)
                except json.JSONDecodeError as e:
                    raise CatalogImportError(
                        f"malformed JSON in the product column: {e.msg}",
                        file=str(f.path),
                        line=r.line,
                        field="product",
                    ) from None
                specs = spec if isinstance(spec, list) else [spec]
                if not specs or not all(isinstance(s, dict) and s.get("sku") for s in specs):
                    raise CatalogImportError(
                        'product must be a JSON object like {"sku": "WS03", "qty": "1"}',
                        file=str(f.path),
                        line=r.line,
                        field="product",
                    )
                lines: list[OrderLineRecord] = []
                problem = None
                for s in specs:
                    qty = parse_int(s.get("qty", 1), file=f.path, line=r.line, field="product")
                    if qty < 1:
                        raise CatalogImportError(
                            "qty must be 1 or more", file=str(f.path), line=r.line, field="product"
                        )
                    line, problem = self._order_line(
                        str(s["sku"]).strip(), qty, s.get("configurable_options") or {}
                    )
                    if line is None:
                        break
                    lines.append(line)
            except CatalogImportError as e:
                self.policy.bad(e)
                continue
            if problem:
                self.policy.note(where(f.path, r.line), f"order {number} left out: {problem}",
                                 "order left out: it names an unknown SKU, or a size/colour its product does not have")
                continue
            refund = r.get("refund").strip().lower() in ("yes", "1", "true", "y")
            self.data.orders.append(
                OrderRecord(
                    number=number,
                    customer_email=r.get("customer_email").strip().lower() or None,
                    lines=lines,
                    status="refunded" if refund else "complete",
                    currency=(r.get("currency").strip().upper() or "USD"),
                    shipping_method=r.get("shipping_method").strip(),
                    payment_method=r.get("payment").strip(),
                    where=where(f.path, r.line),
                )
            )

    def _order_line(self, sku: str, qty: int, options: dict) -> tuple[OrderLineRecord | None, str | None]:
        size = str(options.get("size")) if options.get("size") else None
        color = str(options.get("color")) if options.get("color") else None
        if sku in self.variant_parent:
            return OrderLineRecord(sku=sku, qty=qty, size=size, color=color), None
        if sku not in self.product_skus:
            return None, f"unknown SKU '{sku}'"
        variants = self.variants.get(sku)
        if not variants:
            return OrderLineRecord(sku=sku, qty=qty), None
        for v in variants:
            if (size is None or (v.size or "").lower() == size.lower()) and (
                color is None or (v.color or "").lower() == color.lower()
            ):
                return OrderLineRecord(sku=v.sku, qty=qty, size=v.size, color=v.color), None
        return None, f"'{sku}' has no variant with size={size} color={color}"


def load(
    source: Path, *, skip_bad_rows: bool = False, verify_images: bool = True, progress: bool = True
) -> CatalogData:
    source = Path(source)
    if (source / "fixtures").is_dir():
        root = source
    elif source.name == "fixtures" and source.is_dir():
        root = source.parent
    else:
        raise CatalogImportError(
            "not a Magento sample-data folder: expected a 'fixtures' folder (and 'images') inside it",
            file=str(source),
        )
    data = CatalogData()
    m = _Magento(root, Policy(data, skip_bad_rows=skip_bad_rows, verify_images=verify_images), progress)
    if not (m.fx / "ConfigurableSampleData" / "products.csv").is_file() and not any(
        (m.fx / "CatalogSampleData" / "SimpleProduct").glob("products_*.csv")
    ):
        raise CatalogImportError(
            "no product files found: expected fixtures/ConfigurableSampleData/products.csv and/or "
            "fixtures/CatalogSampleData/SimpleProduct/products_*.csv",
            file=str(m.fx),
        )
    m.categories()
    m.configurables()
    m.gear()
    m.links()
    m.reviews()
    m.customers()
    m.orders()
    return data
