"""Assistant-side commands (demo, parse, chat, replay) are registered here."""

from __future__ import annotations

import click


def register(cli: click.Group) -> None:
    from assistant.demo import demo_command

    cli.add_command(demo_command)
