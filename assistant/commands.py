"""Assistant-side commands (demo, parse, chat, replay, privacy) are registered here."""

from __future__ import annotations

import click


def register(cli: click.Group) -> None:
    from assistant.chat_cli import chat_command, replay_command
    from assistant.demo import demo_command
    from assistant.parse_cli import parse_command
    from assistant.privacy_cli import privacy_group
    from ui.cli import serve_command, user_token_command

    cli.add_command(demo_command)
    cli.add_command(parse_command)
    cli.add_command(chat_command)
    cli.add_command(replay_command)
    cli.add_command(privacy_group)
    cli.add_command(serve_command)
    cli.add_command(user_token_command)
