"""`shopassist index`: build, update, verify the vector indexes. Heavy imports stay inside the command."""

from __future__ import annotations

import os
from pathlib import Path
from typing import TYPE_CHECKING

import click

if TYPE_CHECKING:
    from catalog.db import CatalogDB
    from retrieval.indexer import UnreadableImage


def _open_catalog(db_url: str | None):  # type: ignore[no-untyped-def]
    from sqlalchemy import func, select

    from catalog.config import default_db_url, normalize_db_url
    from catalog.db import CatalogDatabaseError, open_catalog
    from catalog.models import Product

    url = normalize_db_url(db_url) if db_url else default_db_url()
    if url.startswith("sqlite") and "///" in url:
        path = url.split("///", 1)[1]
        if path and path != ":memory:" and not Path(path).expanduser().exists():
            raise click.ClickException(
                f"no catalog at {path}: import one first with `shopassist catalog import SOURCE` (or pass --db-url)"
            )
    try:
        db = open_catalog(url)
    except CatalogDatabaseError as exc:
        raise click.ClickException(str(exc)) from None
    with db.session() as s:
        n = s.scalar(select(func.count()).select_from(Product).where(Product.visible.is_(True))) or 0
    if n == 0:
        db.close()
        raise click.ClickException(
            "the catalog has no products to index: import some first with `shopassist catalog import SOURCE`"
        )
    return db


@click.command("index")
@click.option(
    "--db-url", default=None, help="SQLAlchemy URL of the catalog (default: SQLite under SHOPASSIST_HOME). Env: SHOPASSIST_DB_URL."
)
@click.option("--rebuild", is_flag=True, help="Drop the indexes and embed everything again (also after changing --embedder).")
@click.option("--verify", is_flag=True, help="Report missing, stale and orphaned records, then repair them.")
@click.option("--no-images", is_flag=True, help="Index text only.")
@click.option(
    "--embedder",
    "embedder_name",
    default=None,
    help="Text model: e5 (default, multilingual, offline), minilm (English, faster), st:<name or path>. Env: SHOPASSIST_EMBEDDER.",
)
@click.option(
    "--image-model",
    type=click.Choice(["auto", "efficientnet", "open_clip", "none"]),
    default=None,
    help="Image model (default: SHOPASSIST_IMAGE_MODEL or auto = open_clip when weights are configured, else EfficientNet-Lite2).",
)
@click.option(
    "--chroma-url", default=None, help="A Chroma server (http://host:port) instead of SHOPASSIST_HOME/chroma. Env: SHOPASSIST_CHROMA_URL."
)
@click.option(
    "--threads", type=click.IntRange(min=1), default=None,
    help="Embedder threads for this build (default: all cores; searches use SHOPASSIST_EMBED_THREADS, default 1).",
)
@click.option("--quiet", "-q", is_flag=True, help="No progress bars.")
def index_command(
    db_url: str | None,
    rebuild: bool,
    verify: bool,
    no_images: bool,
    embedder_name: str | None,
    image_model: str | None,
    chroma_url: str | None,
    threads: int | None,
    quiet: bool,
) -> None:
    """Build or update the vector indexes from the catalog (only new and changed products are embedded)."""
    import time

    from retrieval.vector_index import damage_error, local_chroma_path

    t0 = time.perf_counter()
    db = _open_catalog(db_url)
    try:
        _index(db, rebuild=rebuild, verify=verify, no_images=no_images, embedder_name=embedder_name,
               image_model=image_model, chroma_url=chroma_url, threads=threads, quiet=quiet, t0=t0)
    except click.ClickException:
        raise
    except BaseException as exc:  # a store found damaged while reading or writing it: one line saying what to do
        damage = damage_error(exc, local_chroma_path(url=chroma_url))
        if damage is None:
            raise
        raise click.ClickException(str(damage)) from None
    finally:
        db.close()


def _index(db: CatalogDB, *, rebuild: bool, verify: bool, no_images: bool, embedder_name: str | None,
           image_model: str | None, chroma_url: str | None, threads: int | None, quiet: bool, t0: float) -> None:
    import time

    from retrieval.embedders import EmbedderError
    from retrieval.indexer import open_indexer
    from retrieval.vector_index import TEXT_COLLECTION, VectorIndexError

    try:
        indexer, messages = open_indexer(
            db,
            embedder=embedder_name,
            chroma_url=chroma_url,
            images=not no_images,
            image_model=image_model,
            rebuild=rebuild,
            progress=not quiet,
            threads=threads or os.cpu_count() or 1,
        )
    except (EmbedderError, VectorIndexError) as exc:  # VectorIndexError includes ModelMismatchError
        raise click.ClickException(str(exc)) from None
    for message in messages:
        click.echo(message)
    try:
        indexer.claim_catalog()
    except VectorIndexError as exc:  # another catalog's index: refused before anything is written
        raise click.ClickException(str(exc)) from None
    if verify:
        results = indexer.verify(repair=True)
        found = repaired = left = 0
        for before, after in results:
            click.echo(f"verify {before.line()}")
            found += before.divergences
            if after is not None:
                click.echo(f"  after repair: {after.line()}")
                repaired += max(0, before.divergences - after.divergences)
                left += after.divergences
        if not found and not left:
            click.echo("index and catalog agree")
        elif not left:
            click.echo(f"{found} divergence(s) found and repaired")
        else:
            click.echo(
                f"{found} divergence(s) found, {repaired} repaired, {left} left: "
                "run `shopassist index --verify` again, or `shopassist index --rebuild` if they stay"
            )
    else:
        for report in indexer.sync():
            click.echo(report.line())
    _echo_unreadable(indexer.unreadable_images(), verifying=verify)
    click.echo(f"done in {time.perf_counter() - t0:.1f}s ({len(indexer.text_index)} products in {TEXT_COLLECTION})")


def _echo_unreadable(photos: list[UnreadableImage], *, verifying: bool, shown: int = 20) -> None:
    """Products whose photo cannot be read: not a divergence of the index (nothing verify can repair), but
    the shop's data to fix; they stay out of image search until then. Each with its id, SKU and path/URL."""
    if not photos:
        return
    why = " (not an index divergence: nothing to repair)" if verifying else ""
    click.echo(f"{len(photos)} product photo(s) could not be read, so these products are not in image search{why}:")
    for photo in photos[:shown]:
        click.echo(f"  {photo.line()}")
    if len(photos) > shown:
        click.echo(f"  ... and {len(photos) - shown} more")
    click.echo(
        "  To fix: put a readable image at that path or URL, or correct the product's image in the catalog source "
        "and re-import it; then run `shopassist index` (each run retries these photos)."
    )


def register(cli: click.Group) -> None:
    """Add the retrieval commands to the `shopassist` CLI."""
    cli.add_command(index_command)
    try:
        from retrieval.eval_cli import eval_group, train_group
    except ModuleNotFoundError as exc:  # the evaluation commands are optional in a checkout
        if not (exc.name or "").startswith("retrieval"):
            raise
        return
    cli.add_command(eval_group)
    cli.add_command(train_group)
