"""Catalog importers: pure parsers that turn a source folder or file into a `CatalogData`.

They never touch the database; `catalog.writer.sync_catalog` stores the result in one transaction.
Every user mistake (missing column, bad price, duplicate SKU, broken image, wrong encoding, bad JSON)
raises `CatalogImportError` naming the file, line and field; with `skip_bad_rows=True` the bad row
is left out and recorded in `CatalogData.skipped` instead.
"""

from __future__ import annotations

from pathlib import Path

from catalog.records import CatalogData, CatalogImportError

FORMATS = ("eshop", "magento", "csv", "jsonl", "homedepot", "policies")


def load_source(
    fmt: str,
    source: Path | str,
    *,
    skip_bad_rows: bool = False,
    verify_images: bool = True,
    progress: bool = True,
    mapping: dict[str, str] | None = None,
) -> CatalogData:
    """Parse `source` in format `fmt` (one of FORMATS). `mapping` ({our_column: their_column}) applies
    to the csv and jsonl formats only."""
    fmt = (fmt or "").strip().lower()
    if fmt not in FORMATS:
        raise CatalogImportError(f"unknown import format '{fmt}'; use one of: {', '.join(FORMATS)}")
    source = Path(source).expanduser()
    if not source.exists():
        raise CatalogImportError(
            f"the source path does not exist: {source}. Check the path (it is resolved from the current folder).",
            file=str(source),
        )
    if mapping and fmt not in ("csv", "jsonl"):
        raise CatalogImportError(f"a column mapping only applies to the csv and jsonl formats, not '{fmt}'")
    opts = {"skip_bad_rows": skip_bad_rows, "verify_images": verify_images, "progress": progress}
    if fmt == "eshop":
        from catalog.importers import eshop

        return eshop.load(source, **opts)
    if fmt == "magento":
        from catalog.importers import magento

        return magento.load(source, **opts)
    if fmt == "policies":
        from catalog.importers import policies

        return policies.load(source, **opts)
    if fmt == "homedepot":
        from catalog.importers import homedepot

        return homedepot.load(source, **opts)
    from catalog.importers import generic

    return generic.load(source, fmt=fmt, mapping=mapping, **opts)


__all__ = ["FORMATS", "CatalogImportError", "load_source"]
