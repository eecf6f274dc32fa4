"""`shopassist parse`: message(s) -> intent JSON, one line per message. Register with
`cli.add_command(parse_command)`."""

from __future__ import annotations

import json
import sys
import time
from pathlib import Path
from typing import Any

import click

from assistant.dialogue import merge
from assistant.intent import ShoppingIntent
from assistant.intent_parser import IntentParser, LLMIntentParser, RuleIntentParser
from assistant.vocabulary import CatalogVocabulary


def read_jsonl(path: str | Path) -> list[dict[str, Any]]:
    """Lines `{"text": ..., "history": [...]}`; a bad line raises click.ClickException naming its number."""
    p = Path(path)
    if not p.is_file():
        raise click.ClickException(f"no such file: {p}")
    rows = []
    for n, line in enumerate(p.read_text(encoding="utf-8").splitlines(), 1):
        if not line.strip():
            continue
        try:
            row = json.loads(line)
        except json.JSONDecodeError as exc:
            raise click.ClickException(f"{p}:{n}: invalid JSON ({exc.msg}, column {exc.colno})") from exc
        if not isinstance(row, dict) or not isinstance(row.get("text"), str) or not row["text"].strip():
            raise click.ClickException(f'{p}:{n}: expected an object with a non-empty "text" string')
        hist = row.get("history", [])
        if not isinstance(hist, list) or not all(isinstance(h, str) for h in hist):
            raise click.ClickException(f'{p}:{n}: "history" must be a list of strings')
        row["_line"] = n
        rows.append(row)
    return rows


class ConversationParser:
    """Parses a message in the context of its earlier user messages: each earlier message is parsed and merged
    in turn (memoised by prefix, so a file of refinements re-parses nothing), then the message itself."""

    def __init__(self, parser: IntentParser) -> None:
        self.parser = parser
        self._states: dict[tuple[str, ...], ShoppingIntent | None] = {(): None}

    def state_after(self, history: list[str]) -> ShoppingIntent | None:
        key = tuple(history)
        if key not in self._states:
            prev = self.state_after(history[:-1])
            new = self.parser.parse(history[-1], history[:-1], prev)
            self._states[key] = merge(prev, new, (), text=history[-1])
        return self._states[key]

    def parse(self, text: str, history: list[str]) -> tuple[ShoppingIntent, ShoppingIntent]:
        """(this message's intent, the merged conversation state)."""
        prev = self.state_after(history)
        new = self.parser.parse(text, history, prev)
        return new, merge(prev, new, (), text=text)


def load_vocabulary_option(db_url: str | None, vocab_path: str | None) -> CatalogVocabulary:
    from assistant.vocabulary import load_vocabulary, vocabulary_from_db

    if vocab_path:
        try:
            return load_vocabulary(vocab_path)
        except (OSError, ValueError) as exc:
            raise click.ClickException(f"cannot read vocabulary {vocab_path}: {exc}") from exc
    if not db_url:
        # the catalog chat would use (SHOPASSIST_DB_URL, else SHOPASSIST_HOME/catalog.db), so that `parse`
        # shows what a chat turn does; without one yet, parse with no vocabulary rather than create it
        from catalog.config import default_db_url

        db_url = default_db_url()
        if db_url.startswith("sqlite:///") and not Path(db_url[len("sqlite:///"):]).is_file():
            return CatalogVocabulary()
    try:
        return vocabulary_from_db(db_url)
    except Exception as exc:
        raise click.ClickException(f"cannot read the catalog vocabulary from {db_url}: {exc}") from exc


def build_parser(llm: str, llm_url: str | None, llm_model: str | None, vocab: CatalogVocabulary) -> IntentParser:
    if llm == "rules":
        return RuleIntentParser(vocab)
    from assistant.llm import LLMConfig, LLMUnavailable, build_chat_model

    try:
        chat = build_chat_model(LLMConfig(backend=llm, base_url=llm_url, model=llm_model))  # type: ignore[arg-type]
    except LLMUnavailable as exc:
        raise click.ClickException(str(exc)) from exc
    return LLMIntentParser(chat, vocab)


@click.command("parse")
@click.argument("text", required=False)
@click.option("--jsonl", "jsonl_path", type=click.Path(dir_okay=False), help='File of {"text":..., "history": [...]} lines.')
@click.option("--history", "-H", multiple=True, help="An earlier user message (repeatable, oldest first).")
@click.option("--db-url", help="Catalog database whose colours/sizes/brands/categories form the vocabulary "
                               "[default: SHOPASSIST_DB_URL, else the catalog under SHOPASSIST_HOME, when there is one].")
@click.option("--vocab", "vocab_path", type=click.Path(dir_okay=False),
              help='Vocabulary JSON {"colors": [], "sizes": [], "brands": [], "categories": []} (overrides --db-url).')
@click.option("--llm", type=click.Choice(["embedded", "openai", "rules"]), default="embedded", show_default=True,
              help="embedded: local GGUF via xllamacpp; openai: any OpenAI-compatible endpoint; rules: no LLM.")
@click.option("--llm-url", help="Base URL of the OpenAI-compatible endpoint (--llm openai).")
@click.option("--llm-model", help="Model name at that endpoint (--llm openai).")
@click.option("--state/--no-state", default=False, help="Print the merged conversation state instead of the message's intent.")
@click.option("--timing", is_flag=True, help="Add parse seconds to each line as _seconds.")
def parse_command(
    text: str | None, jsonl_path: str | None, history: tuple[str, ...], db_url: str | None, vocab_path: str | None,
    llm: str, llm_url: str | None, llm_model: str | None, state: bool, timing: bool,
) -> None:
    """Parse TEXT (or every line of --jsonl FILE) into a shopping intent; prints one JSON object per line."""
    if (text is None) == (jsonl_path is None):
        raise click.UsageError("give either TEXT or --jsonl FILE")
    if text is not None and not text.strip():
        raise click.UsageError("TEXT is empty: give what the shopper typed, e.g. shopassist parse \"red hoodie under $40\"")
    rows: list[dict[str, Any]] = read_jsonl(jsonl_path) if jsonl_path else [{"text": text, "history": list(history)}]
    vocab = load_vocabulary_option(db_url, vocab_path)
    conv = ConversationParser(build_parser(llm, llm_url, llm_model, vocab))
    for row in rows:
        t0 = time.perf_counter()
        intent, merged = conv.parse(row["text"], list(row.get("history", [])))
        out: dict[str, Any] = (merged if state else intent).model_dump()
        if timing:
            out["_seconds"] = round(time.perf_counter() - t0, 3)
        click.echo(json.dumps(out, ensure_ascii=False))
        sys.stdout.flush()
