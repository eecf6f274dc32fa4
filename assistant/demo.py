"""`shopassist demo`: build a demo store from real sample data and start the assistant."""

from __future__ import annotations

from pathlib import Path

import click

from catalog.cli import db_url_option, open_db_or_exit
from catalog.records import CatalogImportError


@click.command("demo")
@click.option(
    "--from",
    "from_dir",
    type=click.Path(exists=True, file_okay=False, path_type=Path),
    help="Local copy of the sample data (e.g. ../shared/datasets/magento). Default: download it.",
)
@click.option("--store", type=click.Choice(["magento", "eshop"]), default=None, help="Which sample store (default: guessed from --from, else magento).")
@db_url_option
@click.option("--url", "download_url", default=None, help="Download the sample data from this URL instead of its public source.")
@click.option("--no-serve", is_flag=True, help="Build the store, then stop (do not start the assistant).")
@click.option("--host", default="127.0.0.1", show_default=True)
@click.option("--port", default=7860, show_default=True, type=int)
def demo_command(
    from_dir: Path | None, store: str | None, db_url: str | None, download_url: str | None, no_serve: bool, host: str, port: int
) -> None:
    """Build a demo store (catalog import + index) and start the shopping assistant."""
    from catalog.datasets import fetch_dataset
    from catalog.service import catalog_counts, detect_format, import_source

    try:
        if from_dir is not None:
            source = from_dir
            fmt = store or detect_format(from_dir)
        else:
            fmt = store or "magento"
            click.echo(f"No --from given: fetching the {fmt} sample data from its public source...")
            source = fetch_dataset(fmt, url=download_url)
        db = open_db_or_exit(db_url)
        result = import_source(db, source, fmt)
    except CatalogImportError as exc:
        raise click.ClickException(str(exc)) from None
    counts = catalog_counts(db)
    click.echo(
        f"Demo store ready ({fmt}, {result.parse_seconds + result.write_seconds:.1f}s): "
        + ", ".join(f"{v} {k}" for k, v in counts.items())
    )
    _build_index(db_url)
    if no_serve:
        return
    try:
        from ui.server import serve  # type: ignore[import-not-found]
    except ModuleNotFoundError as exc:
        if exc.name and exc.name.startswith("ui"):
            click.echo(
                "The catalog is ready. The chat UI is not part of this build yet, so the demo stops here; "
                "try `shopassist catalog stats`."
            )
            return
        raise
    serve(db_url=db_url, host=host, port=port)


def _build_index(db_url: str | None) -> None:
    """Index the demo catalog for search when the retrieval layer is installed."""
    try:
        from retrieval.indexer import build_index_for_demo  # type: ignore[attr-defined]
    except (ModuleNotFoundError, ImportError):
        return
    build_index_for_demo(db_url)
