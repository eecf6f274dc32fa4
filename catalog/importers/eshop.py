"""The dotnet/eShop sample catalog: `catalog.json` + `images/<Id>.webp`.

Each item is {Id, Type, Brand, Name, Description, Price}. SKU = "ESHOP-<Id>", category = Type,
brand = Brand, one base image per product. When the name (or, failing that, the description) states
colour words, they go to attributes["color"]. A "/" inside a Type ("Ski/boarding") is not a category
level, so it is written as " & " ("Ski & boarding").
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

from catalog.importers._common import Policy, colors_in_text, money, parse_decimal, progress_iter, read_json
from catalog.records import CatalogData, CatalogImportError, ImageRecord, ProductRecord

# Words that contain a colour but describe something else in this catalog.
_NOT_COLOR_PHRASES = ("green equipment",)


def _colors(name: str, description: str, brand: str) -> list[str]:
    def clean(text: str) -> str:
        t = text.lower()
        for p in (*_NOT_COLOR_PHRASES, brand.lower()):
            if p:
                t = t.replace(p, " ")
        return t

    found = colors_in_text(clean(name))
    if found:
        return found
    found = colors_in_text(clean(description))
    # A description that lists many colours (e.g. "available in red, blue, green and black") is no
    # clear statement of this product's colour.
    return found if len(found) <= 2 else []


def load(
    source: Path, *, skip_bad_rows: bool = False, verify_images: bool = True, progress: bool = True
) -> CatalogData:
    source = Path(source)
    catalog = source / "catalog.json" if source.is_dir() else source
    if not catalog.is_file():
        raise CatalogImportError(
            "catalog.json not found; point the eshop importer at the folder that holds catalog.json and images/",
            file=str(catalog),
        )
    root = catalog.parent
    data = CatalogData()
    policy = Policy(data, skip_bad_rows=skip_bad_rows, verify_images=verify_images)
    items = read_json(catalog)
    if not isinstance(items, list):
        raise CatalogImportError("catalog.json must be a JSON list of products", file=str(catalog), line=1)
    seen: dict[str, int] = {}
    for idx, item in enumerate(progress_iter(items, enabled=progress, desc="eshop"), start=1):
        try:
            rec = _product(item, idx, catalog, root, policy)
            if rec.sku in seen:
                raise CatalogImportError(
                    f"duplicate Id: item {seen[rec.sku]} has the same Id; every product needs its own Id",
                    file=str(catalog),
                    field="Id",
                )
        except CatalogImportError as e:
            if not e.message.startswith("item "):
                e.message = f"item {idx}: {e.message}"
                e.public = f"item {idx}: {e.public}"
            has_id = isinstance(item, dict) and item.get("Id") not in (None, "")
            policy.bad(e, sku=f"ESHOP-{str(item['Id']).strip()}" if has_id else None)
            continue
        seen[rec.sku] = idx
        data.products.append(rec)
    return data


def _product(item: Any, idx: int, catalog: Path, root: Path, policy: Policy) -> ProductRecord:
    f = str(catalog)
    if not isinstance(item, dict):
        raise CatalogImportError("each product must be a JSON object", file=f)
    for key in ("Id", "Name", "Price"):
        if item.get(key) in (None, ""):
            raise CatalogImportError(f"missing required key '{key}'", file=f, field=key)
    pid = str(item["Id"]).strip()
    if isinstance(item["Id"], bool) or not pid:
        raise CatalogImportError("Id must be a number or a non-empty string", file=f, field="Id")
    price = money(parse_decimal(item["Price"], file=f, line=None, field="Price"), file=f, line=None, field="Price")
    name = str(item["Name"]).strip()
    description = str(item.get("Description") or "").strip()
    brand = str(item.get("Brand") or "").strip() or None
    category = " & ".join(p.strip() for p in str(item.get("Type") or "").split("/") if p.strip())
    rec = ProductRecord(
        sku=f"ESHOP-{pid}",
        name=name,
        price=price,
        description=description,
        brand=brand,
        categories=[category] if category else [],
        where=f"{catalog}, item {idx}",
    )
    colors = _colors(name, description, brand or "")
    if colors:
        rec.attributes["color"] = colors
    image = root / "images" / f"{pid}.webp"
    policy.check_image(image, file=catalog, line=None, field="images")
    rec.images.append(ImageRecord(uri=str(image.resolve()), role="base", label=name))
    return rec
