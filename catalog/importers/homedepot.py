"""Home Depot product titles (`products.tsv`: product_id<TAB>title) for retrieval benchmarks.

These rows exist only so the retrieval benchmark (queries.dev.tsv / qrels.dev.tsv) can be run over
a realistic 55k-title catalog. The source has no prices, descriptions, categories or images, and we
never invent any: price is Decimal("0") only because the column is mandatory, and means "unknown"
here, description is "", and there is nothing else. Do not import this into a shop that serves
shoppers. SKU = "HD-<product_id>", name = title.
"""

from __future__ import annotations

from decimal import Decimal
from pathlib import Path

from catalog.importers._common import Policy, progress_iter, read_text
from catalog.records import CatalogData, CatalogImportError, ProductRecord

_ZERO = Decimal("0")


def load(
    source: Path, *, skip_bad_rows: bool = False, verify_images: bool = True, progress: bool = True
) -> CatalogData:
    source = Path(source)
    path = source / "products.tsv" if source.is_dir() else source
    if not path.is_file():
        raise CatalogImportError(
            "products.tsv not found; point the homedepot importer at the folder holding products.tsv or at the file",
            file=str(path),
        )
    f = str(path)
    data = CatalogData()
    policy = Policy(data, skip_bad_rows=skip_bad_rows, verify_images=verify_images)
    # split on "\n" only: str.splitlines() would also break on form feeds and U+2028, and shift line numbers
    lines = [ln.rstrip("\r") for ln in read_text(path).split("\n")]
    if not lines[0].strip():
        raise CatalogImportError("the file is empty; expected a header 'product_id<TAB>title'", file=f)
    header = [h.strip().lower() for h in lines[0].split("\t")]
    for col in ("product_id", "title"):
        if col not in header:
            raise CatalogImportError(
                f"missing required column '{col}'; the first line must be 'product_id<TAB>title'",
                file=f,
                line=1,
                field=col,
            )
    i_id, i_title = header.index("product_id"), header.index("title")
    width = max(i_id, i_title) + 1
    seen: dict[str, int] = {}
    products = data.products
    for lineno, line in progress_iter(
        enumerate(lines[1:], start=2), enabled=progress, desc="homedepot", total=len(lines) - 1
    ):
        if not line.strip():
            continue
        parts = line.split("\t")
        if len(parts) < width:
            policy.bad(CatalogImportError("expected product_id<TAB>title", file=f, line=lineno))
            continue
        pid, title = parts[i_id].strip(), parts[i_title].strip()
        if not pid:
            policy.bad(CatalogImportError("empty product_id", file=f, line=lineno, field="product_id"))
            continue
        if not title:
            policy.bad(CatalogImportError("empty title", file=f, line=lineno, field="title"), sku=f"HD-{pid}")
            continue
        first = seen.get(pid)
        if first is not None:
            policy.bad(
                CatalogImportError(
                    f"duplicate product_id {pid} (first on line {first}); each product_id must appear once",
                    file=f,
                    line=lineno,
                    field="product_id",
                    public=f"duplicate product_id (first on line {first}); each product_id must appear once",
                )
            )
            continue
        seen[pid] = lineno
        products.append(
            ProductRecord(
                sku=f"HD-{pid}",
                name=title,
                price=_ZERO,
                description="",
                visible=True,
                where=f"{f}, line {lineno}",
            )
        )
    return data
