"""`shopassist serve` and `ui.server.serve`: options reach the server; the assistant is built once; the Gradio
chat is mounted at /ui with escaped product cards."""

from __future__ import annotations

import os
from typing import Any

import pytest
from click.testing import CliRunner
from fastapi.testclient import TestClient

from assistant.cli import cli
from catalog.db import open_catalog
from catalog.writer import sync_catalog
from tests.catalog_fixtures import small_store
from ui.ratelimit import RateLimit
from ui.render import card_html, cart_html, intent_chips, without


def test_serve_command_passes_its_options(monkeypatch: pytest.MonkeyPatch) -> None:
    seen: dict[str, Any] = {}
    monkeypatch.setattr("ui.server.serve", lambda **kw: seen.update(kw))
    monkeypatch.setenv("SHOPASSIST_ADMIN_KEY", "from-env")
    r = CliRunner().invoke(
        cli,
        ["serve", "--db-url", "sqlite:///x.db", "--port", "8123", "--llm", "rules", "--search", "catalog",
         "--llm-url", "http://127.0.0.1:9/v1", "--llm-model", "m", "--rate-limit", "30", "--burst", "5"],
    )
    assert r.exit_code == 0, r.output
    assert seen["db_url"] == "sqlite:///x.db" and seen["port"] == 8123 and seen["host"] == "127.0.0.1"
    assert seen["llm"] == "rules" and seen["search"] == "catalog" and seen["llm_url"] == "http://127.0.0.1:9/v1"
    assert seen["admin_key"] == "from-env"
    assert seen["rate_limit"] == RateLimit(per_minute=30, burst=5)
    r = CliRunner().invoke(cli, ["serve", "--rate-limit", "0", "--admin-key", "k"])
    assert seen["rate_limit"] is None and seen["admin_key"] == "k"


def test_serve_builds_the_assistant_once_and_mounts_the_chat(sqlite_url: str, monkeypatch: pytest.MonkeyPatch) -> None:
    db = open_catalog(sqlite_url)
    with db.session() as s:
        sync_catalog(s, small_store(), progress=False)
    import uvicorn

    from assistant.agent import ShoppingAssistant
    from ui import server

    built: list[Any] = []
    real = ShoppingAssistant.from_config.__func__  # type: ignore[attr-defined]
    monkeypatch.setattr(ShoppingAssistant, "from_config", classmethod(lambda cls, *a, **k: built.append(k) or real(cls, *a, **k)))
    ran: dict[str, Any] = {}
    monkeypatch.setattr(uvicorn, "run", lambda app, **kw: ran.update(app=app, **kw))
    monkeypatch.setenv("GRADIO_ANALYTICS_ENABLED", "True")
    server.serve(db_url=sqlite_url, port=7999, llm="rules", search="catalog", admin_key="k")
    assert len(built) == 1 and built[0]["llm"] == "rules"
    assert ran["host"] == "127.0.0.1" and ran["port"] == 7999
    assert os.environ["GRADIO_ANALYTICS_ENABLED"] == "False" and os.environ["HF_HUB_OFFLINE"] == "1"
    client = TestClient(ran["app"])
    assert client.get("/", follow_redirects=False).headers["location"] == "/ui/"
    page = client.get("/ui/")
    assert page.status_code == 200 and "gradio" in page.text.lower()
    assert client.get("/api/v1/health").json()["products"] == 7
    assert client.get("/api/v1/admin/users/x/export", headers={"X-API-Key": "k"}).status_code == 200


EVIL = "<script>alert(1)</script>"


def evil_card() -> dict[str, Any]:
    return {
        "id": 7, "sku": "X", "name": EVIL, "price": 10.0, "currency": "USD", "regular_price": 12.0, "in_stock": True,
        "stock_qty": 3, "rating_avg": 4.5, "rating_count": 2, "image": "/img/x.png", "brand": '<img src=x onerror="alert(2)">',
        "colors": [], "sizes": [], "explanation": "<b onmouseover=alert(3)>cheap</b>",
    }


def test_card_html_escapes_every_catalog_string() -> None:
    html = card_html(evil_card(), 1)
    assert "<script>" not in html and "&lt;script&gt;alert(1)&lt;/script&gt;" in html
    assert "<img src=x" not in html and "<b onmouseover" not in html
    assert 'alt="&lt;script&gt;' in html
    assert 'src="/api/v1/products/7/image"' in html
    for fact in ("$10.00", "$12.00", "★ 4.5 (2 reviews)", "Only 3 left", "Why this:"):
        assert fact in html, fact
    cart = cart_html([{"product_id": 7, "name": EVIL, "price": 10.0, "qty": 2}])
    assert "<script>" not in cart and "Total $20.00" in cart
    cart = cart_html([{"product_id": 7, "name": "Tee", "price": 10.0, "qty": 1, "size": "M", "color": EVIL}])
    assert "Tee (size M, " in cart and "<script>" not in cart  # the variant is shown, escaped


def test_intent_chips_and_removal() -> None:
    from assistant.intent import ShoppingIntent

    it = ShoppingIntent(query="jacket", category="Women/Tops/Jackets", colors=["Purple", "Black"], max_price=80, gender="women")
    labels = [label for _, _, label in intent_chips(it)]
    assert labels == ["looking for: jacket", "category: Jackets", "for: women", "colour: Purple", "colour: Black", "under $80.00"]
    less = without(it, "colors", "purple")
    assert less.colors == ["Black"] and less.kind == "refine" and less.max_price == 80
    assert without(it, "max_price").max_price is None
    with pytest.raises(ValueError, match="unknown constraint"):
        without(it, "nope")
    # a chip that is not there is refused by name (it answered 200 with the same search again)
    with pytest.raises(ValueError, match=r"no colors 'green' to remove \(its colors: Purple, Black\)"):
        without(it, "colors", "green")
    with pytest.raises(ValueError, match="the current search has no min_price constraint to remove"):
        without(it, "min_price")
    with pytest.raises(ValueError, match="no sizes constraint"):
        without(it, "sizes")


def _elem_ids(blocks: Any) -> dict[str, dict[str, Any]]:
    return {c["props"].get("elem_id"): c["props"] for c in blocks.config["components"] if c["props"].get("elem_id")}


def test_photo_upload_shows_only_when_image_search_is_available(sqlite_url: str) -> None:
    from assistant.agent import ShoppingAssistant
    from ui.gradio_app import build_blocks

    db = open_catalog(sqlite_url)
    with db.session() as s:
        sync_catalog(s, small_store(), progress=False)
    bot = ShoppingAssistant.from_config(sqlite_url, llm="rules", search="catalog")
    off = _elem_ids(build_blocks(bot))
    assert "sa-photo" not in off and "not available" in off["sa-photo-note"]["value"]

    class WithImages:
        image_search_available = True
        image_status = "image search is on"

        def search(self, *a: Any) -> Any:
            raise AssertionError("not called")

    bot.searcher = WithImages()  # type: ignore[assignment]
    if not bot.__dict__.get("image_search_available") and not getattr(bot, "image_search_available", False):
        bot.image_search_available = True  # type: ignore[attr-defined]  # an assistant without the property
    on = _elem_ids(build_blocks(bot))
    assert "sa-photo" in on and on["sa-photo"].get("visible", True) is not False and "sa-photo-note" not in on


def test_the_access_log_never_shows_a_shopper_s_id_in_admin_paths(sqlite_url: str, monkeypatch: pytest.MonkeyPatch) -> None:
    """DELETE /api/v1/admin/users/ann@shop.com and its export were logged by uvicorn with the e-mail in clear,
    so a deletion request left the shopper's personal data behind in the server's log."""
    import contextlib
    import io
    import logging
    import threading
    import time
    import urllib.request

    import uvicorn

    from ui import server

    db = open_catalog(sqlite_url)
    with db.session() as s:
        sync_catalog(s, small_store(), progress=False)
    ran: dict[str, Any] = {}
    monkeypatch.setattr(uvicorn, "run", lambda app, **kw: ran.update(app=app, **kw))
    server.serve(db_url=sqlite_url, port=7999, llm="rules", search="catalog", admin_key="k")
    config = ran["log_config"]  # what `shopassist serve` runs uvicorn with
    log = io.StringIO()
    config["handlers"]["access"]["stream"] = log
    names = ("uvicorn", "uvicorn.error", "uvicorn.access")
    saved = {n: (lg.handlers[:], lg.filters[:], lg.level, lg.propagate, lg.disabled)
             for n, lg in ((n, logging.getLogger(n)) for n in names)}
    real = uvicorn.Server(uvicorn.Config(ran["app"], host="127.0.0.1", port=0, log_config=config, log_level="info"))
    thread = threading.Thread(target=real.run, daemon=True)
    try:
        thread.start()
        deadline = time.monotonic() + 30
        while not real.started and time.monotonic() < deadline:
            time.sleep(0.02)
        assert real.started
        port = real.servers[0].sockets[0].getsockname()[1]
        for method, path in (("DELETE", "ann@shop.com"), ("GET", "ann%40shop.com/export?full=1"), ("DELETE", "bob%20smith%2Fx")):
            req = urllib.request.Request(f"http://127.0.0.1:{port}/api/v1/admin/users/{path}", method=method,
                                         headers={"X-API-Key": "k"})
            with contextlib.suppress(urllib.error.HTTPError):  # (the last one is no route: logged all the same)
                urllib.request.urlopen(req, timeout=10).close()
    finally:
        real.should_exit = True
        thread.join(timeout=10)
        for n, (handlers, filters, level, propagate, disabled) in saved.items():
            lg = logging.getLogger(n)
            lg.handlers[:], lg.filters[:] = handlers, filters
            lg.setLevel(level)
            lg.propagate, lg.disabled = propagate, disabled
    lines = log.getvalue()
    assert '"DELETE /api/v1/admin/users/<user> HTTP/1.1" 200' in lines, lines
    assert '"GET /api/v1/admin/users/<user>/export?full=1 HTTP/1.1" 200' in lines, lines
    assert '"DELETE /api/v1/admin/users/<user> HTTP/1.1" 404' in lines, lines
    for secret in ("ann", "shop.com", "bob", "smith"):
        assert secret not in lines, lines
