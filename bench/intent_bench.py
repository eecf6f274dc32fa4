"""Intent-parsing accuracy and latency over tests/data/intents.jsonl.

    .venv/bin/python bench/intent_bench.py                 # the real default model (embedded Qwen 0.5B)
    .venv/bin/python bench/intent_bench.py --llm rules     # regex-only baseline
    .venv/bin/python bench/intent_bench.py --llm openai --llm-url http://host/v1 --llm-model NAME

Multi-turn rows are scored on the conversation state after the message (earlier messages parsed and merged).
Scored fields: kind, brands, colors, sizes, gender, min_price, max_price, sort, order_id, references (a field
the label omits must stay empty/default); category and exclude only where the label gives them.
Latency: seconds per parse call (each user message, history included), p50/p95.
"""

from __future__ import annotations

import argparse
import json
import statistics
import sys
import time
from pathlib import Path
from typing import Any

REPO = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(REPO))

from assistant.intent import ShoppingIntent  # noqa: E402
from assistant.intent_parser import IntentParser  # noqa: E402
from assistant.parse_cli import ConversationParser, build_parser, read_jsonl  # noqa: E402
from assistant.vocabulary import load_vocabulary  # noqa: E402

STRICT_FIELDS = ("kind", "brands", "colors", "sizes", "gender", "min_price", "max_price", "sort", "order_id", "references")
LABELLED_ONLY = ("category", "exclude")


class TimedParser:
    def __init__(self, inner: IntentParser) -> None:
        self.inner = inner
        self.seconds: list[float] = []
        self.sources: dict[str, int] = {}

    def parse(self, text: str, history: list[str], previous: ShoppingIntent | None) -> ShoppingIntent:
        t0 = time.perf_counter()
        out = self.inner.parse(text, history, previous)
        self.seconds.append(time.perf_counter() - t0)
        src = getattr(self.inner, "last_source", "rules") or "rules"
        self.sources[src] = self.sources.get(src, 0) + 1
        return out


def _norm(field: str, v: Any) -> Any:
    if isinstance(v, list):
        return sorted(str(x).lower() for x in v) if field != "references" else sorted(int(x) for x in v)
    if isinstance(v, float | int) and field.endswith("price"):
        return round(float(v), 2)
    return v.lower() if isinstance(v, str) else v


def score(got: ShoppingIntent, expected: dict[str, Any]) -> dict[str, bool]:
    default = ShoppingIntent()
    res = {}
    for f in STRICT_FIELDS:
        want = expected.get(f, getattr(default, f))
        res[f] = _norm(f, getattr(got, f)) == _norm(f, want)
    for f in LABELLED_ONLY:
        if f in expected:
            res[f] = _norm(f, getattr(got, f)) == _norm(f, expected[f])
    return res


def pct(xs: list[float], q: float) -> float:
    if not xs:
        return float("nan")
    xs = sorted(xs)
    k = (len(xs) - 1) * q
    lo, hi = int(k), min(int(k) + 1, len(xs) - 1)
    return xs[lo] + (xs[hi] - xs[lo]) * (k - lo)


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--data", default=str(REPO / "tests/data/intents.jsonl"))
    ap.add_argument("--vocab", default=str(REPO / "tests/data/intents_vocab.json"))
    ap.add_argument("--llm", default="embedded", choices=["embedded", "openai", "rules"])
    ap.add_argument("--llm-url")
    ap.add_argument("--llm-model")
    ap.add_argument("--limit", type=int, default=0)
    ap.add_argument("--verbose", "-v", action="store_true", help="print every miss")
    ap.add_argument("--json-out", help="write the summary as JSON here")
    args = ap.parse_args(argv)

    rows = read_jsonl(args.data)
    if args.limit:
        rows = rows[: args.limit]
    vocab = load_vocabulary(args.vocab)
    t_load = time.perf_counter()
    timed = TimedParser(build_parser(args.llm, args.llm_url, args.llm_model, vocab))
    conv = ConversationParser(timed)
    # warm-up: loads the model and fills the prompt cache with the system prompt (reported separately)
    t0 = time.perf_counter()
    timed.inner.parse("hello", [], None)
    warmup = time.perf_counter() - t0
    timed.seconds.clear()
    timed.sources.clear()
    load_s = time.perf_counter() - t_load

    per_field: dict[str, list[bool]] = {}
    exact: list[bool] = []
    by_lang: dict[str, list[bool]] = {}
    for row in rows:
        _, state = conv.parse(row["text"], list(row.get("history", [])))
        res = score(state, row["expected"])
        for f, ok in res.items():
            per_field.setdefault(f, []).append(ok)
        ok_all = all(res.values())
        exact.append(ok_all)
        by_lang.setdefault(str(row.get("id", "?")).split("-")[0], []).append(ok_all)
        if args.verbose and not ok_all:
            bad = {f: getattr(state, f) for f, ok in res.items() if not ok}
            print(f"MISS {row.get('id')}: {row['text']!r} got {bad} want "
                  f"{ {f: row['expected'].get(f) for f in bad} }", file=sys.stderr)

    summary = {
        "llm": args.llm,
        "examples": len(rows),
        "parse_calls": len(timed.seconds),
        "exact_match": round(sum(exact) / len(exact), 3),
        "exact_match_by_group": {k: f"{sum(v)}/{len(v)}" for k, v in sorted(by_lang.items())},
        "field_accuracy": {f: round(sum(v) / len(v), 3) for f, v in per_field.items()},
        "latency_s": {"p50": round(pct(timed.seconds, 0.5), 3), "p95": round(pct(timed.seconds, 0.95), 3),
                      "mean": round(statistics.fmean(timed.seconds), 3) if timed.seconds else None},
        "load_and_warmup_s": round(load_s, 2),
        "warmup_call_s": round(warmup, 2),
        "sources": timed.sources,
    }
    print(json.dumps(summary, indent=2, ensure_ascii=False))
    if args.json_out:
        Path(args.json_out).write_text(json.dumps(summary, indent=2, ensure_ascii=False))
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
