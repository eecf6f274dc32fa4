"""`shopassist privacy delete-user ID` / `export-user ID`: a shopper's right to their data."""

from __future__ import annotations

import json

import click

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

    counts = SessionStore(open_db_or_exit(db_url)).delete_user(user_id)
    click.echo(f"deleted {counts['sessions']} sessions, {counts['turns']} turns, {counts['events']} events of {user_id}")


@privacy_group.command("export-user")
@click.argument("user_id")
@db_url_option
def export_user_command(user_id: str, db_url: str | None) -> None:
    """Print USER_ID's conversations and events as JSON."""
    from sqlalchemy import select

    from catalog.models import ChatSession, ChatTurn, Interaction

    db = open_db_or_exit(db_url)
    with db.session() as s:
        sessions = list(s.scalars(select(ChatSession).where(ChatSession.user_id == user_id)))
        out = {
            "user_id": user_id,
            "sessions": [
                {
                    "id": cs.id,
                    "state": cs.state,
                    "turns": [
                        {"user": t.user_text, "reply": t.reply_text, "at": t.created_at.isoformat()}
                        for t in s.scalars(select(ChatTurn).where(ChatTurn.session_id == cs.id).order_by(ChatTurn.id))
                    ],
                }
                for cs in sessions
            ],
            "events": [
                {"event": e.event, "product_id": e.product_id, "at": e.created_at.isoformat()}
                for e in s.scalars(select(Interaction).where(Interaction.user_id == user_id).order_by(Interaction.id))
            ],
        }
    click.echo(json.dumps(out, indent=2, ensure_ascii=False))
