"""The `shopassist` command line. Each concept registers its own commands; heavy imports stay inside them."""

from __future__ import annotations

import sys

import click

from catalog.cli import catalog_group


@click.group(context_settings={"help_option_names": ["-h", "--help"]})
@click.version_option(package_name="shopassist")
def cli() -> None:
    """shopassist: a conversational shopping assistant over your own catalog."""


cli.add_command(catalog_group)


def _register_optional() -> None:
    """Commands of other packages. Imported lazily-safe modules only (no torch/gradio at import)."""
    from assistant.commands import register as register_assistant

    register_assistant(cli)
    try:
        from retrieval.cli import register as register_retrieval
    except ModuleNotFoundError as exc:  # retrieval not built yet in this checkout
        if exc.name and exc.name.startswith("retrieval"):
            return
        raise
    register_retrieval(cli)


_register_optional()


def main(argv: list[str] | None = None) -> None:
    try:
        cli.main(args=argv, prog_name="shopassist", standalone_mode=True)
    except KeyboardInterrupt:
        click.echo("Interrupted.", err=True)
        sys.exit(130)
