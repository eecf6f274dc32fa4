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
@click.option("--no-index", is_flag=True, help="Skip building the vector index (search falls back to the catalog's lexical index).")
@click.option("--llm", type=click.Choice(["embedded", "openai", "rules"]), default="embedded", show_default=True,
              help="Intent parser for the assistant (rules = no model).")
@click.option("--host", default="127.0.0.1", show_default=True)
@click.option("--port", default=7860, show_default=True, type=int)
def demo_command(
    from_dir: Path | None, store: str | None, db_url: str | None, download_url: str | None, no_serve: bool,
    no_index: bool, llm: str, host: str, port: int
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
        db = open_db_or_exit(db_url, must_exist=False)
        result = import_source(db, source, fmt)
    except CatalogImportError as exc:
        raise click.ClickException(str(exc)) from None
    counts = catalog_counts(db)
    click.echo(
        f"Demo store ready ({fmt}, {result.parse_seconds + result.write_seconds:.1f}s): "
        + ", ".join(f"{v} {k}" for k, v in counts.items() if v or k != "hidden products")
    )
    if not no_index:
        from retrieval.cli import index_command

        click.echo("Building the search index (first time: a few minutes on 2 cores; later runs embed only changes)...")
        click.get_current_context().invoke(index_command, db_url=db_url)
    if no_serve:
        click.echo("Store ready. Start the assistant with `shopassist serve`.")
        return
    from ui.server import serve

    click.echo(f"Starting the shop assistant on http://{host}:{port}/ui (Ctrl-C to stop)")
    serve(db_url=db_url, host=host, port=port, llm=llm)
