"""HTTP API latency: POST /api/v1/chat under N concurrent shoppers (default 10).

    .venv/bin/python bench/api_bench.py [--clients 10] [--requests 200] [--llm rules|embedded] [--search catalog|auto]
                                        [--sse] [--source ../shared/datasets/magento]

Builds a temporary catalog (the Magento demo store when ../shared/datasets/magento exists, else the small test
store), starts `uvicorn` with `ui.server.create_app` (no rate limit, no Gradio) in a child process on a free
127.0.0.1 port, and replays the scripted dialogues of tests/data/dialogues_magento.jsonl from N async httpx
clients, each conversation keeping its session_id. Stops after --requests requests. Prints p50/p95/p99 latency
and throughput; with --sse also the time to the first products (the `ranked` event).
"""

from __future__ import annotations

import argparse
import asyncio
import json
import os
import socket
import subprocess
import sys
import tempfile
import time
from pathlib import Path
from typing import Any

REPO = Path(__file__).resolve().parents[1]
DIALOGUES = REPO / "tests" / "data" / "dialogues_magento.jsonl"
MAGENTO = REPO.parent / "shared" / "datasets" / "magento"


def pct(values: list[float], q: float) -> float:
    values = sorted(values)
    return values[min(len(values) - 1, int(round(q * (len(values) - 1))))] if values else float("nan")


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


def build_catalog(source: Path | None) -> tuple[str, str]:
    from catalog.db import open_catalog

    tmp = Path(tempfile.mkdtemp(prefix="shopassist-apibench-"))
    url = f"sqlite:///{tmp / 'catalog.db'}"
    db = open_catalog(url)
    if source is not None and source.exists():
        from catalog.service import import_source

        import_source(db, source, progress=False)
        return url, source.name
    sys.path.insert(0, str(REPO))
    from catalog.writer import sync_catalog
    from tests.catalog_fixtures import small_store

    with db.session() as s:
        sync_catalog(s, small_store(), progress=False)
    return url, "small test store"


def serve_only(args: argparse.Namespace) -> None:
    """Child process: the server under test."""
    import uvicorn

    from assistant.agent import ShoppingAssistant
    from ui.server import create_app

    bot = ShoppingAssistant.from_config(args.db_url, llm=args.llm, search=args.search)
    bot.chat("hello", session_id="bench-warmup")  # model load / caches before the clock starts
    app = create_app(bot, rate_limit=None, ui=False)
    uvicorn.run(app, host="127.0.0.1", port=args.port, log_level="warning", access_log=False)


async def run_clients(base: str, args: argparse.Namespace) -> dict[str, Any]:
    import httpx

    dialogues = [json.loads(line) for line in DIALOGUES.read_text(encoding="utf-8").splitlines() if line.strip()]
    latencies: list[float] = []
    first_products: list[float] = []
    statuses: dict[int | str, int] = {}
    budget = [args.requests]

    async def one(client: httpx.AsyncClient, body: dict[str, Any]) -> dict[str, Any] | None:
        t0 = time.perf_counter()
        if not args.sse:
            r = await client.post("/api/v1/chat", json=body)
            latencies.append((time.perf_counter() - t0) * 1000)
            statuses[r.status_code] = statuses.get(r.status_code, 0) + 1
            return r.json() if r.status_code == 200 else None
        done: dict[str, Any] | None = None
        async with client.stream("POST", "/api/v1/chat", json=body, headers={"Accept": "text/event-stream"}) as r:
            statuses[r.status_code] = statuses.get(r.status_code, 0) + 1
            async for line in r.aiter_lines():
                if not line.startswith("data: "):
                    continue
                ev = json.loads(line[6:])
                if ev["type"] == "ranked":
                    first_products.append((time.perf_counter() - t0) * 1000)
                elif ev["type"] == "done":
                    done = ev
        latencies.append((time.perf_counter() - t0) * 1000)
        return done

    async def shopper(n: int) -> None:
        async with httpx.AsyncClient(base_url=base, timeout=args.timeout) as client:
            k = n
            while budget[0] > 0:
                d = dialogues[k % len(dialogues)]
                k += args.clients
                session_id = None
                for message in d["turns"]:
                    if budget[0] <= 0:
                        return
                    budget[0] -= 1
                    body: dict[str, Any] = {"message": message, "user_id": d.get("user_id")}
                    if session_id:
                        body["session_id"] = session_id
                    try:
                        out = await one(client, body)
                    except httpx.HTTPError as exc:  # a timeout counts as a failed request; the bench goes on
                        key = type(exc).__name__
                        statuses[key] = statuses.get(key, 0) + 1  # type: ignore[index]
                        break
                    if out is None:
                        break
                    session_id = out["session_id"]

    t0 = time.perf_counter()
    await asyncio.gather(*(shopper(i) for i in range(args.clients)))
    wall = time.perf_counter() - t0
    return {"latencies": latencies, "first_products": first_products, "statuses": statuses, "wall": wall}


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--clients", type=int, default=10)
    ap.add_argument("--requests", type=int, default=200, help="Total chat requests (the bench stops after these).")
    ap.add_argument("--llm", choices=["rules", "embedded"], default="rules")
    ap.add_argument("--search", choices=["catalog", "auto"], default="catalog")
    ap.add_argument("--timeout", type=float, default=300.0, help="Seconds one request may take before it counts as failed.")
    ap.add_argument("--sse", action="store_true", help="Stream (Accept: text/event-stream); also time to first products.")
    ap.add_argument("--source", type=Path, default=MAGENTO, help="Catalog to import (default: the Magento demo store).")
    ap.add_argument("--serve-only", action="store_true", help=argparse.SUPPRESS)
    ap.add_argument("--db-url", help=argparse.SUPPRESS)
    ap.add_argument("--port", type=int, help=argparse.SUPPRESS)
    args = ap.parse_args()
    if args.serve_only:
        serve_only(args)
        return

    os.environ.setdefault("HF_HUB_OFFLINE", "1")
    os.environ.setdefault("GRADIO_ANALYTICS_ENABLED", "False")
    url, store = build_catalog(args.source)
    port = free_port()
    cmd = [sys.executable, str(Path(__file__).resolve()), "--serve-only", "--db-url", url, "--port", str(port),
           "--llm", args.llm, "--search", args.search]
    env = {**os.environ, "PYTHONPATH": str(REPO) + os.pathsep + os.environ.get("PYTHONPATH", "")}
    server = subprocess.Popen(cmd, env=env)
    base = f"http://127.0.0.1:{port}"
    try:
        import httpx

        deadline = time.monotonic() + 600
        while True:
            if server.poll() is not None:
                raise SystemExit(f"the server exited with {server.returncode}")
            try:
                if httpx.get(f"{base}/api/v1/health", timeout=2).status_code == 200:
                    break
            except httpx.HTTPError:
                pass
            if time.monotonic() > deadline:
                raise SystemExit("the server did not start in 600 s")
            time.sleep(0.2)
        res = asyncio.run(run_clients(base, args))
    finally:
        server.terminate()
        try:
            server.wait(timeout=10)
        except subprocess.TimeoutExpired:
            server.kill()

    lat = res["latencies"]
    if not lat:
        raise SystemExit(f"no request succeeded: {res['statuses']}")
    mode = "SSE" if args.sse else "JSON"
    print(f"POST /api/v1/chat ({mode}), {store}, llm={args.llm}, search={args.search}, {args.clients} concurrent clients, "
          f"{os.cpu_count()} CPU cores")
    print(f"  requests {len(lat)}  statuses {dict(sorted(res['statuses'].items(), key=str))}  wall {res['wall']:.1f}s  "
          f"throughput {len(lat) / res['wall']:.1f} req/s")
    print(f"  latency ms  p50 {pct(lat, 0.5):.0f}  p95 {pct(lat, 0.95):.0f}  p99 {pct(lat, 0.99):.0f}  max {max(lat):.0f}")
    if res["first_products"]:
        fp = res["first_products"]
        print(f"  first products (ranked event) ms  p50 {pct(fp, 0.5):.0f}  p95 {pct(fp, 0.95):.0f}")


if __name__ == "__main__":
    main()
