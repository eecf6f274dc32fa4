"""The same index against a real `chroma run` server on 127.0.0.1 (HttpClient), started by the test."""

from __future__ import annotations

import os
import shutil
import socket
import subprocess
import sys
import time
from collections.abc import Iterator
from decimal import Decimal
from pathlib import Path

import numpy as np
import pytest
from click.testing import CliRunner

from catalog.db import open_catalog
from catalog.records import CatalogData, ProductRecord
from catalog.writer import sync_catalog
from retrieval.vector_index import TEXT_COLLECTION, ChromaVectorIndex, ModelMismatchError


def _chroma_exe() -> str | None:
    local = Path(sys.executable).with_name("chroma")
    return str(local) if local.exists() else shutil.which("chroma")


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


@pytest.fixture
def chroma_server(tmp_path: Path) -> Iterator[str]:
    exe = _chroma_exe()
    if exe is None:
        pytest.skip("the `chroma` executable (pip install chromadb) is not installed, so no server can be started")
    port = _free_port()
    env = {**os.environ, "ANONYMIZED_TELEMETRY": "False"}
    log = (tmp_path / "chroma.log").open("wb")
    proc = subprocess.Popen(
        [exe, "run", "--path", str(tmp_path / "server-data"), "--host", "127.0.0.1", "--port", str(port)],
        stdout=log,
        stderr=subprocess.STDOUT,
        env=env,
    )
    url = f"http://127.0.0.1:{port}"
    try:
        import httpx

        deadline = time.monotonic() + 60
        while True:
            if proc.poll() is not None:
                raise RuntimeError(f"chroma run exited: {(tmp_path / 'chroma.log').read_text()[-2000:]}")
            try:
                if httpx.get(f"{url}/api/v2/heartbeat", timeout=1).status_code == 200:
                    break
            except httpx.HTTPError:
                pass
            if time.monotonic() > deadline:
                raise RuntimeError("chroma run did not answer its heartbeat within 60 s")
            time.sleep(0.25)
        yield url
    finally:
        proc.terminate()
        try:
            proc.wait(timeout=15)
        except subprocess.TimeoutExpired:
            proc.kill()
            proc.wait()
        log.close()


def test_http_server_index_query_mismatch_and_cli(chroma_server: str, sqlite_url: str) -> None:
    rng = np.random.default_rng(1)
    vecs = rng.standard_normal((200, 16)).astype(np.float32)
    ids = [str(i + 1) for i in range(200)]
    idx = ChromaVectorIndex(TEXT_COLLECTION, "m16", 16, url=chroma_server)
    idx.upsert(ids, vecs, [{"product_id": int(i), "fingerprint": f"f{i}"} for i in ids])
    again = ChromaVectorIndex(TEXT_COLLECTION, "m16", 16, url=chroma_server)  # a second client loads it all
    assert len(again) == 200 and again.fingerprints() == idx.fingerprints()
    q = vecs[17] / np.linalg.norm(vecs[17])
    allowed = ids[10:40]
    assert again.query(q, 1, restrict_to=allowed)[0].id == "18"
    assert [h.id for h in again.query(q, 5, restrict_to=allowed)] == [h.id for h in idx.query(q, 5, restrict_to=allowed)]
    with pytest.raises(ModelMismatchError):
        ChromaVectorIndex(TEXT_COLLECTION, "other", 16, url=chroma_server)

    # the CLI builds into the server when given --chroma-url
    db = open_catalog(sqlite_url)
    with db.session() as s:
        recs = [ProductRecord(sku=f"S{i}", name=f"wool jacket {i}", price=Decimal("5")) for i in range(3)]
        sync_catalog(s, CatalogData(products=recs), progress=False)
    from assistant.cli import cli

    args = ["index", "--db-url", sqlite_url, "--embedder", "hashing", "--chroma-url", chroma_server, "-q"]
    res = CliRunner().invoke(cli, [*args, "--rebuild"])
    assert res.exit_code == 0, res.output
    assert "3 added" in res.output
    res = CliRunner().invoke(cli, [*args, "--verify"])
    assert res.exit_code == 0 and "index and catalog agree" in res.output, res.output
