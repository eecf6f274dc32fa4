"""`shopassist privacy delete-user ID` / `export-user ID`: a shopper's right to their data."""

from __future__ import annotations

import json

import click

from assistant.errors import AssistantInputError
from catalog.cli import db_url_option, open_db_or_exit


@click.group("privacy")
def privacy_group() -> None:
    """Export or delete everything stored about one shopper."""


@privacy_group.command("delete-user")
@click.argument("user_id")
@db_url_option
def delete_user_command(user_id: str, db_url: str | None) -> None:
    """Delete USER_ID's conversations and logged events."""
    from assistant.sessions import SessionStore

    try:
        counts = SessionStore(open_db_or_exit(db_url)).delete_user(user_id)
    except AssistantInputError as exc:
        raise click.ClickException(str(exc)) from None
    click.echo(f"deleted {counts['sessions']} sessions, {counts['turns']} turns, {counts['events']} events of {user_id}")


@privacy_group.command("export-user")
@click.argument("user_id")
@db_url_option
def export_user_command(user_id: str, db_url: str | None) -> None:
    """Print USER_ID's conversations and events as JSON."""
    from assistant.sessions import SessionStore

    try:
        out = SessionStore(open_db_or_exit(db_url)).export_user(user_id)
    except AssistantInputError as exc:
        raise click.ClickException(str(exc)) from None
    click.echo(json.dumps(out, indent=2, ensure_ascii=False))
