"""Import a source into the catalog: parse (importers) -> write (writer) in one transaction."""

from __future__ import annotations

import time
from dataclasses import dataclass
from pathlib import Path

from sqlalchemy import func, select

from catalog.db import CatalogDB
from catalog.models import (
    Category,
    Customer,
    Document,
    ImportRun,
    Order,
    Product,
    ProductImage,
    ProductLink,
    Review,
    Variant,
    utcnow,
)
from catalog.records import CatalogImportError
from catalog.writer import ImportStats, sync_catalog


def detect_format(source: Path) -> str:
    """Guess the import format from what the source looks like."""
    if source.is_dir():
        if (source / "catalog.json").exists():
            return "eshop"
        if (source / "fixtures").is_dir():
            return "magento"
        if (source / "products.tsv").exists():
            return "homedepot"
    else:
        if source.name == "products.tsv":
            return "homedepot"
        if source.suffix.lower() == ".csv":
            return "csv"
        if source.suffix.lower() in (".jsonl", ".ndjson"):
            return "jsonl"
        if source.suffix.lower() in (".md", ".markdown"):
            return "policies"
        if source.name == "catalog.json":
            return "eshop"
    raise CatalogImportError(
        f"cannot tell the format of {source}; pass --format (eshop, magento, csv, jsonl, homedepot, policies)"
    )


@dataclass
class ImportResult:
    format: str
    stats: ImportStats
    parse_seconds: float
    write_seconds: float


def import_source(
    db: CatalogDB,
    source: Path,
    fmt: str | None = None,
    *,
    skip_bad_rows: bool = False,
    verify_images: bool = True,
    mapping: dict[str, str] | None = None,
    progress: bool = True,
    hide_missing: bool = False,
) -> ImportResult:
    """Parse `source` and upsert it. On any error the database is left exactly as it was. `hide_missing`: the
    source is the whole feed; products it no longer has are hidden (catalog.writer.sync_catalog)."""
    from catalog.importers import load_source

    source = Path(source).expanduser()
    if not source.exists():
        raise CatalogImportError(f"{source} does not exist"
                                 + ("" if Path(source).is_absolute() else f" (relative to {Path.cwd()}; give an absolute path)"))
    fmt = fmt or detect_format(source)
    t0 = time.perf_counter()
    kwargs: dict[str, object] = {"skip_bad_rows": skip_bad_rows, "verify_images": verify_images, "progress": progress}
    if mapping:
        kwargs["mapping"] = mapping
    data = load_source(fmt, source, **kwargs)  # type: ignore[arg-type]
    t1 = time.perf_counter()
    with db.session() as s:
        run = ImportRun(source=str(source.resolve()), format=fmt)
        s.add(run)
        stats = sync_catalog(s, data, source=fmt, progress=progress, hide_missing=hide_missing)
        run.finished_at = utcnow()
        run.stats = stats.as_dict()
    t2 = time.perf_counter()
    return ImportResult(fmt, stats, t1 - t0, t2 - t1)


def catalog_counts(db: CatalogDB) -> dict[str, int]:
    with db.session() as s:
        def n(col: object) -> int:
            return int(s.scalar(select(func.count(col))) or 0)  # type: ignore[arg-type]

        return {
            "products": n(Product.id),
            # taken off sale (`--hide-missing`): kept for their orders and reviews, never shown
            "hidden products": int(s.scalar(select(func.count(Product.id)).where(Product.visible.is_(False))) or 0),
            "configurable products": int(
                s.scalar(select(func.count(Product.id)).where(Product.product_type == "configurable")) or 0
            ),
            "variants": n(Variant.id),
            "images": n(ProductImage.id),
            "categories": n(Category.id),
            "reviews": n(Review.id),
            "customers": n(Customer.id),
            "orders": n(Order.id),
            "product links": n(ProductLink.id),
            "policies": n(Document.id),
        }
