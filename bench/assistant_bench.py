"""Assistant latency on the Magento demo store: time to products shown and to the full reply.

    .venv/bin/python bench/assistant_bench.py [--llm fake|rules|embedded] [--search auto|catalog] [--repeat N]

`fake` runs the LLM parser code path with a scripted chat model (pipeline overhead without a model);
`embedded` uses the real default GGUF model (2 threads). Prints p50/p95 per stage.
"""

from __future__ import annotations

import argparse
import json
import statistics
import tempfile
import time
from pathlib import Path

REPO = Path(__file__).resolve().parents[1]
DIALOGUES = REPO / "tests" / "data" / "dialogues_magento.jsonl"
MAGENTO = REPO.parent / "shared" / "datasets" / "magento"


def pct(values: list[float], q: float) -> float:
    values = sorted(values)
    return values[min(len(values) - 1, int(round(q * (len(values) - 1))))]


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("--llm", choices=["fake", "rules", "embedded"], default="fake")
    ap.add_argument("--search", choices=["auto", "hybrid", "catalog"], default="auto")
    ap.add_argument("--repeat", type=int, default=3)
    ap.add_argument("--source", type=Path, default=MAGENTO)
    args = ap.parse_args()

    from assistant.agent import ShoppingAssistant, vocabulary_of
    from assistant.events import ProductsRanked, TurnDone
    from catalog.db import open_catalog
    from catalog.repository import CatalogRepository
    from catalog.service import import_source

    tmp = Path(tempfile.mkdtemp(prefix="shopassist-bench-"))
    url = f"sqlite:///{tmp / 'catalog.db'}"
    db = open_catalog(url)
    import_source(db, args.source, progress=False)
    if args.search != "catalog":
        try:
            from retrieval.indexer import build_index_for_demo  # type: ignore[attr-defined]

            build_index_for_demo(url)
        except ImportError:
            pass
    if args.llm == "fake":
        from assistant.fakes import ScriptedChatModel
        from assistant.intent_parser import LLMIntentParser

        bot = ShoppingAssistant.from_config(url, llm="rules", search=args.search)
        vocab = vocabulary_of(CatalogRepository(db))
        bot.parser = LLMIntentParser(
            ScriptedChatModel(responses=[{"kind": "search", "query": "jacket", "max_price": 60}]), vocab
        )
    else:
        bot = ShoppingAssistant.from_config(url, llm=args.llm, search=args.search)

    dialogues = [json.loads(line) for line in DIALOGUES.read_text(encoding="utf-8").splitlines() if line.strip()]
    to_products: list[float] = []
    to_reply: list[float] = []
    intent_ms: list[float] = []
    # one warm-up turn (model load, prompt cache)
    bot.chat("hello", session_id="warmup")
    for rep in range(args.repeat):
        for d in dialogues:
            sid = f"bench-{rep}-{d['id']}"
            for message in d["turns"]:
                t0 = time.perf_counter()
                for ev in bot.stream(message, session_id=sid, user_id=d.get("user_id")):
                    if isinstance(ev, ProductsRanked):
                        to_products.append((time.perf_counter() - t0) * 1000)
                    elif isinstance(ev, TurnDone):
                        to_reply.append((time.perf_counter() - t0) * 1000)
                        intent_ms.append(ev.reply.timings_ms["intent"])
    print(f"assistant latency, llm={args.llm}, search={type(bot.searcher).__name__}, turns={len(to_reply)}")
    for name, vals in (("intent parse", intent_ms), ("message -> products", to_products), ("message -> full reply", to_reply)):
        print(f"  {name:<22} p50 {statistics.median(vals):8.1f} ms   p95 {pct(vals, 0.95):8.1f} ms")


if __name__ == "__main__":
    main()
