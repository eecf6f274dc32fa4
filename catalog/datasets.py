"""Demo store data: use a local folder, or download it from the dataset's public source.

The downloaded archive is rearranged into the same layout as `../shared/datasets/<name>`, so the
importers read both the same way. Downloads go to SHOPASSIST_HOME/datasets and are reused.
"""

from __future__ import annotations

import shutil
import tempfile
import urllib.error
import urllib.request
import zipfile
from dataclasses import dataclass
from pathlib import Path, PurePosixPath

from tqdm import tqdm

from catalog.config import shopassist_home
from catalog.records import CatalogImportError


@dataclass(frozen=True)
class DatasetSource:
    name: str
    url: str
    # (prefix inside the archive, after its top folder) -> destination folder inside the dataset
    layout: tuple[tuple[str, str], ...]
    marker: str  # a file that proves the dataset is complete


MAGENTO = DatasetSource(
    name="magento",
    url="https://github.com/magento/magento2-sample-data/archive/refs/heads/2.4-develop.zip",
    layout=(
        ("app/code/Magento/CatalogSampleData/fixtures/", "fixtures/CatalogSampleData/"),
        ("app/code/Magento/ConfigurableSampleData/fixtures/", "fixtures/ConfigurableSampleData/"),
        ("app/code/Magento/ReviewSampleData/fixtures/", "fixtures/ReviewSampleData/"),
        ("app/code/Magento/SalesSampleData/fixtures/", "fixtures/SalesSampleData/"),
        ("app/code/Magento/CustomerSampleData/fixtures/", "fixtures/CustomerSampleData/"),
        ("app/code/Magento/WishlistSampleData/fixtures/", "fixtures/WishlistSampleData/"),
        ("app/code/Magento/ProductLinksSampleData/fixtures/", "fixtures/ProductLinksSampleData/"),
        ("pub/media/catalog/product/", "images/"),
        ("LICENSE.txt", "LICENSE.txt"),
        ("LICENSE_AFL.txt", "LICENSE_AFL.txt"),
    ),
    marker="fixtures/ConfigurableSampleData/products.csv",
)

ESHOP = DatasetSource(
    name="eshop",
    url="https://github.com/dotnet/eShop/archive/refs/heads/main.zip",
    layout=(
        ("src/Catalog.API/Setup/catalog.json", "catalog.json"),
        ("src/Catalog.API/Pics/", "images/"),
        ("LICENSE", "LICENSE"),
    ),
    marker="catalog.json",
)

SOURCES = {s.name: s for s in (MAGENTO, ESHOP)}


def download(url: str, dest: Path, *, progress: bool = True, timeout: float = 60) -> Path:
    """Stream `url` to `dest` with a progress bar; a partial file never takes the final name."""
    dest.parent.mkdir(parents=True, exist_ok=True)
    tmp = dest.with_suffix(dest.suffix + ".part")
    try:
        with urllib.request.urlopen(url, timeout=timeout) as resp, open(tmp, "wb") as out:
            total = int(resp.headers.get("Content-Length") or 0) or None
            with tqdm(total=total, unit="B", unit_scale=True, desc=f"downloading {dest.name}", disable=not progress) as bar:
                while chunk := resp.read(1 << 16):
                    out.write(chunk)
                    bar.update(len(chunk))
    except (urllib.error.URLError, OSError, TimeoutError) as exc:
        tmp.unlink(missing_ok=True)
        raise CatalogImportError(
            f"could not download {url} ({exc}). Without internet, pass a local copy with --from DIR."
        ) from None
    tmp.replace(dest)
    return dest


def extract_layout(archive: Path, source: DatasetSource, target: Path) -> Path:
    """Copy the files named by `source.layout` out of the zip into `target` (atomically)."""
    try:
        zf = zipfile.ZipFile(archive)
    except zipfile.BadZipFile:
        raise CatalogImportError(f"{archive} is not a valid zip archive; delete it and retry") from None
    staging = Path(tempfile.mkdtemp(prefix=f".{source.name}-", dir=target.parent))
    try:
        with zf:
            for info in zf.infolist():
                if info.is_dir():
                    continue
                parts = PurePosixPath(info.filename).parts
                if len(parts) < 2 or ".." in parts:
                    continue
                inner = "/".join(parts[1:])  # drop the archive's top folder
                for prefix, dest in source.layout:
                    if inner == prefix or (prefix.endswith("/") and inner.startswith(prefix)):
                        rel = dest + inner[len(prefix) :] if prefix.endswith("/") else dest
                        out = staging / rel
                        out.parent.mkdir(parents=True, exist_ok=True)
                        with zf.open(info) as src, open(out, "wb") as dst:
                            shutil.copyfileobj(src, dst)
                        break
        if not (staging / source.marker).exists():
            raise CatalogImportError(f"{archive} does not contain {source.marker}; is it the {source.name} dataset?")
        if target.exists():
            shutil.rmtree(target)
        staging.replace(target)
    finally:
        if staging.exists():
            shutil.rmtree(staging, ignore_errors=True)
    return target


def fetch_dataset(name: str, *, url: str | None = None, progress: bool = True) -> Path:
    """Local folder of dataset `name`, downloading and unpacking it on first use."""
    if name not in SOURCES:
        raise CatalogImportError(f"unknown demo dataset '{name}'; choose one of {', '.join(SOURCES)}")
    source = SOURCES[name]
    root = shopassist_home() / "datasets"
    target = root / name
    if (target / source.marker).exists():
        return target
    archive = download(url or source.url, root / f"{name}.zip", progress=progress)
    path = extract_layout(archive, source, target)
    archive.unlink(missing_ok=True)
    return path
