"""`shopassist catalog ...`: import store data and inspect the catalog."""

from __future__ import annotations

import json
from pathlib import Path

import click

from catalog.config import default_db_url, missing_sqlite_file, normalize_db_url
from catalog.db import CatalogDatabaseError, CatalogDB, open_catalog
from catalog.records import CatalogImportError

FORMATS = ("eshop", "magento", "csv", "jsonl", "homedepot", "policies")  # as catalog.importers.FORMATS

db_url_option = click.option(
    "--db-url",
    envvar="SHOPASSIST_DB_URL",
    default=None,
    help="SQLAlchemy URL of the catalog (default: SQLite under SHOPASSIST_HOME). Env: SHOPASSIST_DB_URL.",
)


def open_db_or_exit(db_url: str | None, *, must_exist: bool = True) -> CatalogDB:
    """The catalog, or a one-line error. `must_exist`: a SQLite file that is not there is an error, never a new empty
    catalog (a misspelt SHOPASSIST_HOME made `privacy delete-user` report 0 deleted from a catalog it had just made)."""
    url = normalize_db_url(db_url) if db_url else default_db_url()
    if must_exist and (missing := missing_sqlite_file(url)) is not None:
        raise click.ClickException(f"no catalog at {missing}: check --db-url / SHOPASSIST_HOME / SHOPASSIST_DB_URL, "
                                   "or import one first with `shopassist catalog import SOURCE`")
    try:
        return open_catalog(url)
    except CatalogDatabaseError as exc:
        raise click.ClickException(str(exc)) from None


@click.group("catalog")
def catalog_group() -> None:
    """Import store data into the SQL catalog and inspect it."""


@catalog_group.command("import")
@click.argument("source", type=click.Path(path_type=Path))
@click.option("--format", "fmt", type=click.Choice(FORMATS), default=None, help="Source format (guessed if omitted).")
@db_url_option
@click.option("--skip-bad-rows", is_flag=True, help="Skip invalid rows and report them instead of aborting.")
@click.option("--no-verify-images", is_flag=True, help="Do not open every image file to check it is readable.")
@click.option(
    "--mapping",
    type=click.Path(exists=True, dir_okay=False, path_type=Path),
    help="csv/jsonl: JSON file mapping our column names to yours, e.g. {\"sku\": \"Item code\"}.",
)
@click.option("--hide-missing", is_flag=True,
              help="SOURCE is the whole catalog: hide products it no longer has (and show again those it has).")
@click.option("--quiet", "-q", is_flag=True, help="No progress bars.")
@click.option("--json", "as_json", is_flag=True, help="Print the import statistics as JSON.")
def import_command(
    source: Path,
    fmt: str | None,
    db_url: str | None,
    skip_bad_rows: bool,
    no_verify_images: bool,
    mapping: Path | None,
    hide_missing: bool,
    quiet: bool,
    as_json: bool,
) -> None:
    """Import SOURCE (a folder or file) into the catalog. Idempotent; all-or-nothing unless --skip-bad-rows."""
    from catalog.service import catalog_counts, import_source

    mapping_dict = None
    if mapping is not None:
        try:
            mapping_dict = json.loads(mapping.read_text(encoding="utf-8"))
        except (json.JSONDecodeError, UnicodeDecodeError) as exc:
            raise click.ClickException(f"{mapping}: not a valid JSON object ({exc})") from None
        if not isinstance(mapping_dict, dict):
            raise click.ClickException(f"{mapping}: must be a JSON object of column names")
    db = open_db_or_exit(db_url, must_exist=False)
    try:
        result = import_source(
            db,
            source,
            fmt,
            skip_bad_rows=skip_bad_rows,
            verify_images=not no_verify_images,
            mapping=mapping_dict,
            progress=not quiet,
            hide_missing=hide_missing,
        )
    except CatalogImportError as exc:
        raise click.ClickException(f"{exc}\nNothing was imported; the catalog is unchanged.") from None
    counts = catalog_counts(db)
    st = result.stats
    if as_json:
        click.echo(json.dumps({"format": result.format, "import": st.as_dict(), "catalog": counts,
                               "seconds": round(result.parse_seconds + result.write_seconds, 2)}))
        return
    click.echo(
        f"Imported {source} as {result.format} in {result.parse_seconds + result.write_seconds:.1f}s "
        f"(parse {result.parse_seconds:.1f}s, write {result.write_seconds:.1f}s)"
    )
    if result.format != "policies":
        click.echo(
            f"  products: {st.products_added} added, {st.products_updated} updated, {st.products_unchanged} unchanged"
            + (f", {st.products_hidden} hidden (not in this file), {st.products_shown_again} shown again" if hide_missing else "")
        )
        if st.hiding_withheld:
            click.echo(f"  --hide-missing hid nothing: {st.hiding_withheld} bad row(s) below have no readable SKU, so the products "
                       "they hold cannot be told from products the file no longer has; fix those rows and import again")
    extra = [
        ("categories added", st.categories_added),
        ("reviews added", st.reviews_added),
        ("customers added", st.customers_added),
        ("customers updated", st.customers_updated),
        ("orders added", st.orders_added),
        ("orders updated", st.orders_updated),
        ("links added", st.links_added),
        ("policies added", st.documents_added),
        ("policies updated", st.documents_updated),
        ("policies removed", st.documents_removed),
    ]
    click.echo("  " + ", ".join(f"{k}: {v}" for k, v in extra if v) if any(v for _, v in extra) else "  nothing else changed")
    if st.skipped:
        # bad rows skipped under --skip-bad-rows and notes (ignored columns, links to unknown SKUs) share the list
        click.echo(f"  notes on {len(st.skipped)} (bad rows skipped, things the catalog cannot take, values read otherwise):")
        for row in st.skipped[:50]:
            click.echo(f"    {row.where}: {row.reason}")
        if len(st.skipped) > 50:
            click.echo(f"    ... and {len(st.skipped) - 50} more (use --json for all)")
    click.echo("Catalog now holds: " + ", ".join(f"{v} {k}" for k, v in counts.items() if v or k != "hidden products"))


@catalog_group.command("stats")
@db_url_option
def stats_command(db_url: str | None) -> None:
    """Print what the catalog holds."""
    from catalog.service import catalog_counts

    db = open_db_or_exit(db_url)
    for k, v in catalog_counts(db).items():
        click.echo(f"{k:>22}: {v}")


@catalog_group.command("init")
@db_url_option
def init_command(db_url: str | None) -> None:
    """Create or upgrade the catalog schema."""
    from catalog.db import current_revision

    db = open_db_or_exit(db_url, must_exist=False)
    click.echo(f"catalog schema at revision {current_revision(db.engine)} ({db.engine.url.render_as_string(hide_password=True)})")
