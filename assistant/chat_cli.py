"""`shopassist chat` (terminal) and `shopassist replay DIALOGUES.jsonl`: both consume the event stream."""

from __future__ import annotations

import json
import sys
import uuid
from pathlib import Path
from typing import Any

import click

from catalog.cli import db_url_option

llm_options = [
    click.option("--llm", type=click.Choice(["embedded", "openai", "rules"]), default="embedded", show_default=True,
                 help="Intent parser: the local GGUF model, an OpenAI-compatible endpoint, or rules only (no model)."),
    click.option("--llm-url", default=None, help="openai: base URL, e.g. http://localhost:8000/v1"),
    click.option("--llm-model", default=None, help="openai: model name"),
    click.option("--search", type=click.Choice(["auto", "hybrid", "catalog"]), default="auto", show_default=True,
                 help="hybrid: dense + lexical with reranking (needs `shopassist index`); catalog: lexical only."),
]


def with_llm_options(f: Any) -> Any:
    for opt in reversed(llm_options):
        f = opt(f)
    return f


def build_assistant(db_url: str | None, llm: str, llm_url: str | None, llm_model: str | None, search: str) -> Any:
    from assistant.agent import ShoppingAssistant
    from assistant.llm import LLMUnavailable
    from catalog.db import CatalogDatabaseError

    try:
        return ShoppingAssistant.from_config(db_url, llm=llm, llm_url=llm_url, llm_model=llm_model, search=search)
    except (LLMUnavailable, CatalogDatabaseError) as exc:
        raise click.ClickException(str(exc)) from None


@click.command("chat")
@db_url_option
@with_llm_options
@click.option("--session", "session_id", default=None, help="Continue this conversation (default: a new one).")
@click.option("--user", "user_id", default=None, help="Shopper id (e.g. the customer e-mail for order status).")
def chat_command(db_url: str | None, llm: str, llm_url: str | None, llm_model: str | None, search: str,
                 session_id: str | None, user_id: str | None) -> None:
    """Talk to the assistant in the terminal (empty line or Ctrl-D to quit)."""
    from assistant.agent import AssistantInputError
    from assistant.events import ReplyChunk, TurnDone

    bot = build_assistant(db_url, llm, llm_url, llm_model, search)
    session_id = session_id or uuid.uuid4().hex[:12]
    click.echo(f"shopassist chat (session {session_id}). Empty line to quit.")
    while True:
        try:
            message = input("you> ")
        except EOFError:
            break
        if not message.strip():
            break
        try:
            for ev in bot.stream(message, session_id=session_id, user_id=user_id):
                if isinstance(ev, ReplyChunk):
                    click.echo(ev.text, nl=False)
                elif isinstance(ev, TurnDone):
                    click.echo(f"\n  [{ev.reply.timings_ms.get('total', 0):.0f} ms]")
        except AssistantInputError as exc:
            click.echo(f"  ({exc})")


def _read_dialogues(path: Path) -> list[dict[str, Any]]:
    if not path.is_file():
        raise click.ClickException(f"no such file: {path}")
    rows = []
    try:
        lines = path.read_text(encoding="utf-8").splitlines()
    except UnicodeDecodeError:
        raise click.ClickException(f"{path}: not UTF-8 text") from None
    for n, line in enumerate(lines, 1):
        if not line.strip():
            continue
        try:
            row = json.loads(line)
        except json.JSONDecodeError as exc:
            raise click.ClickException(f"{path}:{n}: invalid JSON ({exc.msg})") from None
        turns = row.get("turns") if isinstance(row, dict) else None
        if not isinstance(turns, list) or not turns or not all(isinstance(t, str) and t.strip() for t in turns):
            raise click.ClickException(f'{path}:{n}: expected {{"id": ..., "turns": ["user message", ...]}}')
        user_id = row.get("user_id")
        if user_id is not None and (not isinstance(user_id, str) or not user_id.strip()):
            # checked before any turn runs: it crashed mid-run, after the earlier dialogues' output
            raise click.ClickException(f'{path}:{n}: "user_id" must be text (an e-mail or customer id), not {json.dumps(user_id)}')
        rows.append({"id": row.get("id", f"line{n}"), "turns": turns, "user_id": user_id})
    if not rows:
        raise click.ClickException(f'{path}: no dialogues in it; write one per line: {{"id": "d1", "turns": ["hi", "jackets"]}}')
    return rows


@click.command("replay")
@click.argument("dialogues", type=click.Path(path_type=Path))
@click.option("--out", "out_path", type=click.Path(dir_okay=False, path_type=Path), default=None, help="Write JSON lines here (default: stdout).")
@db_url_option
@with_llm_options
def replay_command(dialogues: Path, out_path: Path | None, db_url: str | None, llm: str, llm_url: str | None,
                   llm_model: str | None, search: str) -> None:
    """Replay scripted dialogues; one JSON line per turn (dialogue, turn, user, reply, products, intent, timings_ms)."""
    from assistant.agent import AssistantInputError

    rows = _read_dialogues(dialogues)
    bot = build_assistant(db_url, llm, llm_url, llm_model, search)
    out = out_path.open("w", encoding="utf-8") if out_path else sys.stdout
    try:
        for row in rows:
            session_id = f"replay-{row['id']}-{uuid.uuid4().hex[:6]}"
            for i, message in enumerate(row["turns"], 1):
                try:
                    reply = bot.chat(message, session_id=session_id, user_id=row.get("user_id"))
                except AssistantInputError as exc:  # (a message too long, say): which one, never a traceback
                    raise click.ClickException(f"{dialogues}: dialogue {row['id']!r}, turn {i}: {exc}") from None
                record = {
                    "dialogue": row["id"],
                    "turn": i,
                    "user": message,
                    "reply": reply.text,
                    "products": [{"id": c.id, "sku": c.sku, "name": c.name, "price": float(c.price)} for c in reply.products],
                    "intent": reply.intent.model_dump(),
                    "note": reply.note,
                    "corrections": [list(c) for c in reply.corrections],
                    "timings_ms": {k: round(v, 1) for k, v in reply.timings_ms.items()},
                }
                out.write(json.dumps(record, ensure_ascii=False) + "\n")
                out.flush()
    finally:
        if out_path:
            out.close()
