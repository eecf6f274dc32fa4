"""The HTTP API (ui.server.create_app) with FastAPI's TestClient over a real SQLite catalog and the rules parser."""

from __future__ import annotations

import base64
import io
import json
import re
from collections.abc import Iterator
from decimal import Decimal
from pathlib import Path
from typing import Any

import pytest
from click.testing import CliRunner
from fastapi.testclient import TestClient

from assistant.agent import AssistantInputError, ShoppingAssistant
from assistant.search_backend import SearchContext
from catalog.db import open_catalog
from catalog.models import ProductImage
from catalog.writer import sync_catalog
from tests.catalog_fixtures import small_store
from ui.ratelimit import RateLimit, TokenBuckets
from ui.server import create_app

ADMIN_KEY = "test-admin-key"


def png_bytes(size: tuple[int, int] = (8, 8), color: str = "red") -> bytes:
    from PIL import Image

    buf = io.BytesIO()
    Image.new("RGB", size, color).save(buf, "PNG")
    return buf.getvalue()


def data_url(raw: bytes, mime: str = "image/png") -> str:
    return f"data:{mime};base64," + base64.b64encode(raw).decode()


class ImageSearchSpy:
    """Wraps the real searcher, records the photo it is given, and says image search is available."""

    image_search_available = True

    def __init__(self, real: Any):
        self.real = real
        self.images: list[Any] = []

    def search(self, intent: Any, context: SearchContext, limit: int) -> Any:
        self.images.append(context.image)
        return self.real.search(intent, context, limit)


def enable_image_search(bot: ShoppingAssistant) -> ImageSearchSpy:
    spy = ImageSearchSpy(bot.searcher)
    bot.searcher = spy
    if not isinstance(getattr(type(bot), "image_search_available", None), property):  # older assistant: a plain flag
        bot.image_search_available = True  # type: ignore[attr-defined]
    assert bot.image_search_available  # type: ignore[attr-defined]
    return spy


def assert_clean_error(r: Any, status: int, *words: str) -> dict[str, Any]:
    """A 4xx JSON error with a readable message and no traceback."""
    assert r.status_code == status, r.text
    assert r.headers["content-type"].startswith("application/json")
    body = r.json()
    assert isinstance(body["error"], str) and body["error"]
    for w in words:
        assert w.lower() in body["error"].lower(), body["error"]
    assert "Traceback" not in r.text and 'File "' not in r.text
    return body  # type: ignore[no-any-return]


@pytest.fixture
def bot(sqlite_url: str) -> ShoppingAssistant:
    db = open_catalog(sqlite_url)
    with db.session() as s:
        sync_catalog(s, small_store(), progress=False)
    return ShoppingAssistant.from_config(sqlite_url, llm="rules", search="catalog")


@pytest.fixture
def client(bot: ShoppingAssistant) -> TestClient:
    return TestClient(create_app(bot, admin_api_key=ADMIN_KEY, rate_limit=None, ui=False))


def sse_events(text: str) -> list[tuple[str, dict[str, Any]]]:
    out = []
    for block in text.strip().split("\n\n"):
        lines = dict(line.split(": ", 1) for line in block.splitlines())
        out.append((lines["event"], json.loads(lines["data"])))
    return out


# ----- chat ----------------------------------------------------------------------------------------------
def test_chat_json_reply_products_intent_and_follow_up(client: TestClient) -> None:
    r = client.post("/api/v1/chat", json={"message": "jackets for women under 80", "user_id": "ann@example.com"})
    assert r.status_code == 200, r.text
    body = r.json()
    assert {"reply", "products", "intent", "session_id", "cart", "timings_ms"} <= set(body)
    assert {p["sku"] for p in body["products"]} == {"WJ01", "WJ02"}
    assert body["intent"]["max_price"] == 80 and body["intent"]["gender"] == "women"
    assert all(p["price"] <= 80 for p in body["products"])
    follow = client.post("/api/v1/chat", json={"message": "only in purple", "session_id": body["session_id"]})
    assert follow.status_code == 200
    assert [p["sku"] for p in follow.json()["products"]] == ["WJ02"]
    assert follow.json()["session_id"] == body["session_id"]


def test_chat_sse_stream_shape(client: TestClient) -> None:
    r = client.post("/api/v1/chat", json={"message": "jackets for women"}, headers={"Accept": "text/event-stream"})
    assert r.status_code == 200
    assert r.headers["content-type"].startswith("text/event-stream")
    events = sse_events(r.text)
    kinds = [name for name, _ in events]
    assert kinds[:3] == ["intent", "candidates", "ranked"]
    assert "reply_chunk" in kinds and kinds[-1] == "done"
    for name, data in events:
        assert data["type"] == name
    ranked = dict(events)["ranked"]
    assert {p["sku"] for p in ranked["products"]} == {"WJ01", "WJ02"}
    done = events[-1][1]
    assert done["reply"] == "".join(d["text"] for n, d in events if n == "reply_chunk").strip()
    assert done["session_id"]
    # the README documents every key of a reply, a card and each event: none missing, none made up
    readme = (Path(__file__).resolve().parents[1] / "README.md").read_text()
    said = readme[readme.index("* A chat reply (JSON) has"):readme.index("* `GET /api/v1/products/{id}` also lists")]
    documented = set(re.findall(r"`([a-z_@]+)`", said))
    for name, data in events:
        assert name in documented and set(data) - {"type"} <= documented, (name, set(data) - documented)
    assert set(ranked["products"][0]) <= documented, set(ranked["products"][0]) - documented


def test_sse_turn_is_saved_even_when_the_shopper_leaves_mid_reply(bot: ShoppingAssistant) -> None:
    import time

    from ui.server import sse_turn, started

    stream = sse_turn(*started(bot.stream("jackets for women", session_id="gone")))
    assert next(stream).startswith("event: intent")
    stream.close()  # what the web server does when the page is closed: it stops reading
    deadline = time.monotonic() + 20
    while not bot.sessions.exists("gone") and time.monotonic() < deadline:
        time.sleep(0.02)
    state = bot.sessions.load("gone", None)
    assert state.history == ["jackets for women"] and state.shown  # the turn ran to its end and was saved
    assert bot.sessions.load("gone", None).intent["gender"] == "women"


def test_sse_says_what_was_searched_for_a_misspelt_word(sqlite_url: str) -> None:
    from assistant.agent import vocabulary_of
    from assistant.hybrid import HybridProductSearch
    from assistant.intent_parser import RuleIntentParser
    from catalog.repository import CatalogRepository
    from tests.test_search import searcher_for

    db = open_catalog(sqlite_url)
    with db.session() as s:
        sync_catalog(s, small_store(), progress=False)
    repo = CatalogRepository(db)
    bot = ShoppingAssistant(db, intent_parser=RuleIntentParser(vocabulary_of(repo)),
                            search=HybridProductSearch(searcher_for(repo)))
    client = TestClient(create_app(bot, admin_api_key=ADMIN_KEY, rate_limit=None, ui=False))
    r = client.post("/api/v1/chat", json={"message": "jakcets for women"}, headers={"Accept": "text/event-stream"})
    events = dict(sse_events(r.text))
    assert events["ranked"]["corrections"] == [{"wrote": "jakcets", "searched": "jackets"}]
    assert {p["sku"] for p in events["ranked"]["products"]} == {"WJ01", "WJ02"}
    assert events["done"]["reply"].startswith('Showing results for "jackets" (you wrote "jakcets").')


def test_chat_sse_bad_input_is_a_json_error_not_a_stream(client: TestClient) -> None:
    r = client.post("/api/v1/chat", json={"message": "  "}, headers={"Accept": "text/event-stream"})
    assert_clean_error(r, 400, "empty")


@pytest.mark.parametrize("accept", ["application/json", "text/event-stream"])
def test_half_an_emoji_in_a_request_is_a_422_that_says_so(client: TestClient, accept: str) -> None:
    """A lone surrogate ("\\ud800" in the JSON) was a 500 internal error; under SSE a 200 stream that ended with no
    event at all."""
    r = client.post("/api/v1/chat", content=b'{"message": "\\ud800 jacket"}',
                    headers={"Content-Type": "application/json", "Accept": accept})
    assert_clean_error(r, 422, "message", "invalid character", "surrogate", "valid Unicode")
    r = client.post("/api/v1/refine/remove", content=b'{"session_id": "s", "field": "colors", "value": "\\udc00"}',
                    headers={"Content-Type": "application/json"})
    assert_clean_error(r, 422, "value", "invalid character")
    ok = client.post("/api/v1/chat", content=b'{"message": "\\ud83d\\ude00 jackets for women"}',  # a whole emoji is fine
                     headers={"Content-Type": "application/json"})
    assert ok.status_code == 200 and ok.json()["products"]


@pytest.mark.parametrize(
    ("body", "status", "words"),
    [
        ({"message": ""}, 400, ["empty"]),
        ({}, 400, ["empty"]),
        ({"message": "x" * 100_000}, 400, ["too long", "4000"]),
        ({"message": 123}, 422, ["message", "string"]),
        ({"message": "hi", "session_id": "does-not-exist"}, 404, ["unknown session_id", "omit session_id"]),
        ({"message": "hi", "session_id": "../../etc/passwd"}, 400, ["session_id"]),
        ({"message": "hi", "image": "not a data url"}, 400, ["data url"]),
        ({"message": "hi", "image": "data:image/png;base64,@@@@"}, 400, ["base64"]),
        ({"message": "hi", "image": data_url(b"hello, I am text", "text/plain")}, 400, ["not a readable image"]),
        ({"message": "hi", "image": data_url(b"%PDF-1.4 fake", "image/png")}, 400, ["not a readable image"]),
    ],
)
def test_chat_bad_requests_get_clear_4xx(client: TestClient, body: dict[str, Any], status: int, words: list[str]) -> None:
    assert_clean_error(client.post("/api/v1/chat", json=body), status, *words)


def test_broken_json_and_wrong_content(client: TestClient) -> None:
    r = client.post("/api/v1/chat", content=b'{"message": "hi"', headers={"Content-Type": "application/json"})
    assert_clean_error(r, 422, "not valid JSON")
    r = client.post("/api/v1/chat", content=b'{"message": "jacket \xff\xfe red"}', headers={"Content-Type": "application/json"})
    assert_clean_error(r, 400, "encoded as UTF-8")
    r = client.post("/api/v1/chat", content=b"[1, 2]", headers={"Content-Type": "application/json"})
    assert_clean_error(r, 422)
    r = client.get("/api/v1/chat")
    assert_clean_error(r, 405, "not allowed")
    assert_clean_error(client.get("/api/v1/nope"), 404, "no such endpoint")


def test_image_over_the_size_limit_is_413(bot: ShoppingAssistant) -> None:
    enable_image_search(bot)
    client = TestClient(create_app(bot, rate_limit=None, ui=False, max_image_bytes=2000))
    from PIL import Image

    noisy = Image.effect_noise((200, 200), 90).convert("RGB")
    buf = io.BytesIO()
    noisy.save(buf, "PNG")
    assert len(buf.getvalue()) > 2000
    r = client.post("/api/v1/chat", json={"message": "like this", "image": data_url(buf.getvalue())})
    assert_clean_error(r, 413, "too large")
    # a whole body over the limit is refused before it is parsed
    r = client.post("/api/v1/chat", content=b"{" + b" " * 400_000 + b"}", headers={"Content-Type": "application/json"})
    assert_clean_error(r, 413, "too large")

    # a chunked body has no Content-Length: it is counted as it is read, and refused once past the limit
    def chunks(n: int) -> Iterator[bytes]:
        yield b"{"
        for _ in range(n):
            yield b" " * 4096
        yield b'"message": "jackets"}'

    r = client.post("/api/v1/chat", content=chunks(100), headers={"Content-Type": "application/json"})
    assert "content-length" not in {k.lower() for k in r.request.headers}
    assert_clean_error(r, 413, "too large")
    small = client.post("/api/v1/chat", content=chunks(2), headers={"Content-Type": "application/json"})
    assert small.status_code == 200 and small.json()["products"], small.text


def huge_png(width: int, height: int) -> bytes:
    """A real, readable all-black PNG of width × height pixels (1 bit each), small as a file: PIL would refuse to
    open it as a decompression bomb."""
    import struct
    import zlib

    def chunk(kind: bytes, data: bytes) -> bytes:
        return struct.pack(">I", len(data)) + kind + data + struct.pack(">I", zlib.crc32(kind + data))

    row = bytes(1 + (width + 7) // 8)  # filter byte, then the row's bits
    z = zlib.compressobj(9)
    idat = b"".join(z.compress(row * min(1000, height - i)) for i in range(0, height, 1000))
    ihdr = struct.pack(">IIBBBBB", width, height, 1, 0, 0, 0, 0)
    return b"\x89PNG\r\n\x1a\n" + chunk(b"IHDR", ihdr) + chunk(b"IDAT", idat + z.flush()) + chunk(b"IEND", b"")


@pytest.mark.parametrize(("width", "height"), [(30000, 30000), (8000, 6000)])
def test_photo_with_too_many_pixels_says_how_large_it_is_and_the_limit(bot: ShoppingAssistant, tmp_path: Path,
                                                                       width: int, height: int) -> None:
    from PIL import Image

    raw = huge_png(width, height)
    assert len(raw) < 1_000_000
    if width * height > 2 * (Image.MAX_IMAGE_PIXELS or 0):
        with pytest.raises(Image.DecompressionBombError):  # what PIL says of it: readable, but refused
            Image.open(io.BytesIO(raw))
    enable_image_search(bot)
    client = TestClient(create_app(bot, rate_limit=None, ui=False))
    r = client.post("/api/v1/chat", json={"message": "like this", "image": data_url(raw)})
    body = assert_clean_error(r, 400, "too large", f"{width}×{height} pixels", "limit is 40 megapixels", "scale it down")
    assert "not a readable image" not in body["error"]
    # and a photo a search loads from a file or URL says the same
    from catalog.images import ImageTooLargeError
    from retrieval.images import load_image

    if width * height > 2 * (Image.MAX_IMAGE_PIXELS or 0):
        (tmp_path / "huge.png").write_bytes(raw)
        with pytest.raises(ImageTooLargeError, match=f"{width}×{height} pixels"):
            load_image(tmp_path / "huge.png")


def test_readme_documents_the_photo_field_and_its_example_works(bot: ShoppingAssistant) -> None:
    import re

    from ui.server import DEFAULT_MAX_IMAGE_BYTES, MAX_IMAGE_PIXELS

    readme = (Path(__file__).resolve().parents[1] / "README.md").read_text()
    api = readme[readme.index("POST /api/v1/chat"):]
    assert "`image` field as a base64 data URL" in api
    assert f"{DEFAULT_MAX_IMAGE_BYTES // 2**20} MB" in api and f"{MAX_IMAGE_PIXELS // 10**6} megapixels" in api
    assert "shopassist demo --from ../shared/datasets/eshop --store eshop" in readme
    # the README's example body, with a real photo in it, is a chat turn the server takes
    fmt = re.search(r"printf '(\{.*?\})' \"\$\(base64 -w0 photo\.jpg\)\" > chat\.json", api)
    assert fmt, "the README's curl example"
    from PIL import Image

    buf = io.BytesIO()
    Image.new("RGB", (40, 30), "navy").save(buf, "JPEG")
    body = fmt.group(1).replace("%s", base64.b64encode(buf.getvalue()).decode())
    spy = enable_image_search(bot)
    client = TestClient(create_app(bot, rate_limit=None, ui=False))
    r = client.post("/api/v1/chat", content=body.encode(), headers={"Content-Type": "application/json"})
    assert r.status_code == 200, r.text
    assert spy.images and spy.images[0].size == (40, 30)


def test_photo_is_refused_clearly_when_image_search_is_unavailable(client: TestClient) -> None:
    r = client.post("/api/v1/chat", json={"message": "like this", "image": data_url(png_bytes())})
    assert_clean_error(r, 400, "photo search is not available")


def test_photo_reaches_the_searcher_as_an_image_when_available(bot: ShoppingAssistant) -> None:
    spy = enable_image_search(bot)
    client = TestClient(create_app(bot, rate_limit=None, ui=False))
    r = client.post("/api/v1/chat", json={"message": "jackets", "image": data_url(png_bytes((16, 12)))})
    assert r.status_code == 200, r.text
    assert spy.images and spy.images[0].size == (16, 12) and spy.images[0].mode == "RGB"
    assert client.get("/api/v1/health").json()["image_search"] is True


# ----- feedback, refine, products, health ------------------------------------------------------------------
def test_feedback_is_logged_and_add_to_cart_fills_the_cart(client: TestClient, bot: ShoppingAssistant) -> None:
    sid = client.post("/api/v1/chat", json={"message": "jackets for women"}).json()["session_id"]
    pid = bot.repo.get_by_sku("WJ01").id  # type: ignore[union-attr]
    r = client.post("/api/v1/feedback", json={"event": "like", "product_id": pid, "session_id": sid, "user_id": "u1"})
    assert r.status_code == 200 and r.json()["ok"] is True
    assert pid in bot.sessions.load(sid).liked
    assert bot.repo.popularity([pid])[pid] > 0
    r = client.post("/api/v1/feedback", json={"event": "add_to_cart", "product_id": pid, "session_id": sid})
    assert [line["sku"] for line in r.json()["cart"]] == ["WJ01"]
    r = client.post("/api/v1/feedback", json={"event": "add_to_cart", "product_id": pid, "session_id": sid, "size": "m", "color": "blue"})
    assert [(line["qty"], line.get("size"), line.get("color")) for line in r.json()["cart"]] == [(1, None, None), (1, "M", "Blue")]
    assert_clean_error(client.post("/api/v1/feedback", json={"event": "add_to_cart", "product_id": pid, "session_id": sid, "size": "XXL"}),
                       400, "does not come in size 'XXL'", "S, M")
    assert_clean_error(client.post("/api/v1/feedback", json={"event": "like", "product_id": pid, "session_id": sid, "color": "Blue"}),
                       400, "only with the add_to_cart event")
    client.post("/api/v1/feedback", json={"event": "remove_from_cart", "product_id": pid, "session_id": sid})
    remove = {"event": "remove_from_cart", "product_id": pid, "session_id": sid}
    assert client.post("/api/v1/feedback", json=remove).json()["cart"] == []
    assert_clean_error(client.post("/api/v1/feedback", json=remove), 409, "not in this conversation's cart")
    assert_clean_error(client.post("/api/v1/feedback", json={"event": "love", "product_id": pid, "session_id": sid}), 400, "unknown event", "like")
    # the assistant's own record of what a search showed is not for clients to write
    assert_clean_error(client.post("/api/v1/feedback", json={"event": "impression", "product_id": pid, "session_id": sid}), 400, "unknown event")
    assert_clean_error(client.post("/api/v1/feedback", json={"event": "like", "product_id": 9999, "session_id": sid}), 404, "unknown product")
    assert_clean_error(client.post("/api/v1/feedback", json={"event": "like", "product_id": pid, "session_id": "nope"}), 404, "unknown session_id")
    assert_clean_error(client.post("/api/v1/feedback", json={"event": "like"}), 422, "product_id", "required")


def test_removing_an_intent_chip_searches_again_without_it(client: TestClient) -> None:
    narrowed = client.post("/api/v1/chat", json={"message": "purple jackets for women"}).json()
    sid = narrowed["session_id"]
    assert "Purple" in narrowed["intent"]["colors"]
    assert [p["sku"] for p in narrowed["products"]] == ["WJ02"]
    r = client.post("/api/v1/refine/remove", json={"session_id": sid, "field": "colors", "value": "Purple"})
    assert r.status_code == 200, r.text
    assert r.json()["intent"]["colors"] == []
    assert "purple" not in r.json()["intent"]["query"].lower()  # (its word kept ranking purple ones first)
    assert {p["sku"] for p in r.json()["products"]} == {"WJ01", "WJ02"}
    r = client.post("/api/v1/refine/remove", json={"session_id": sid, "field": "gender"})
    assert r.json()["intent"]["gender"] is None
    assert {p["sku"] for p in r.json()["products"]} >= {"WJ01", "WJ02", "MJ01"}
    assert_clean_error(client.post("/api/v1/refine/remove", json={"session_id": sid, "field": "shoe"}), 400, "unknown constraint")
    # a chip no longer there (a double click): refused by name, not a 200 with the same search again
    assert_clean_error(client.post("/api/v1/refine/remove", json={"session_id": sid, "field": "gender"}), 400,
                       "the current search has no gender constraint to remove")


def test_a_misspelt_field_is_named_never_dropped(client: TestClient) -> None:
    """{"msg": "hi"} was answered as an empty message; the error did not say which field was wrong."""
    body = assert_clean_error(client.post("/api/v1/chat", json={"msg": "hi"}), 422, "unknown field 'msg'", "message, session_id")
    assert "image" in body["error"]
    assert_clean_error(client.post("/api/v1/feedback", json={"event": "like", "product_id": 1, "session_id": "x", "qty": 2}),
                       422, "unknown field 'qty'", "product_id")


def test_more_like_this(client: TestClient, bot: ShoppingAssistant) -> None:
    sid = client.post("/api/v1/chat", json={"message": "jackets for women"}).json()["session_id"]
    pid = bot.repo.get_by_sku("WJ01").id  # type: ignore[union-attr]
    r = client.post("/api/v1/refine/more-like", json={"session_id": sid, "product_id": pid})
    assert r.status_code == 200, r.text
    assert r.json()["products"] and all(p["sku"].startswith("WJ") for p in r.json()["products"])
    assert pid in bot.sessions.load(sid).liked


def test_product_endpoint(client: TestClient, bot: ShoppingAssistant) -> None:
    pid = bot.repo.get_by_sku("WJ02").id  # type: ignore[union-attr]
    r = client.get(f"/api/v1/products/{pid}")
    assert r.status_code == 200
    p = r.json()
    assert p["sku"] == "WJ02" and p["price"] == 55.2 and p["regular_price"] == 69.0
    assert set(p["colors"]) == {"Purple", "Black"} and p["image_url"] is None
    assert_clean_error(client.get("/api/v1/products/424242"), 404, "unknown product")
    assert_clean_error(client.get("/api/v1/products/abc"), 422, "product_id")


def test_product_image_serves_only_files_the_catalog_references(client: TestClient, bot: ShoppingAssistant, tmp_path: Path) -> None:
    photo = tmp_path / "wj01.png"
    photo.write_bytes(png_bytes())
    secret = tmp_path / "secret.txt"
    secret.write_text("do not serve")
    wj01 = bot.repo.get_by_sku("WJ01").id  # type: ignore[union-attr]
    mj01 = bot.repo.get_by_sku("MJ01").id  # type: ignore[union-attr]
    mp01 = bot.repo.get_by_sku("MP01").id  # type: ignore[union-attr]
    with bot.db.session() as s:
        s.add(ProductImage(product_id=wj01, uri=str(photo), role="base"))
        s.add(ProductImage(product_id=mj01, uri=str(secret), role="base"))
        s.add(ProductImage(product_id=mp01, uri=str(tmp_path / "gone.jpg"), role="base"))
    r = client.get(f"/api/v1/products/{wj01}/image")
    assert r.status_code == 200 and r.headers["content-type"] == "image/png" and r.content == photo.read_bytes()
    assert client.get(f"/api/v1/products/{wj01}").json()["image_url"] == f"/api/v1/products/{wj01}/image"
    assert_clean_error(client.get(f"/api/v1/products/{mj01}/image"), 404, "missing")  # not an image file
    assert_clean_error(client.get(f"/api/v1/products/{mp01}/image"), 404, "missing")
    assert_clean_error(client.get(f"/api/v1/products/{wj01}/image?n=3"), 404)
    no_photo = bot.repo.get_by_sku("24-UG01").id  # type: ignore[union-attr]
    assert_clean_error(client.get(f"/api/v1/products/{no_photo}/image"), 404, "no photo")
    assert client.get("/api/v1/products/..%2F..%2Fetc%2Fpasswd/image").status_code in (404, 422)


def test_responses_link_photos_and_never_reveal_server_file_paths(client: TestClient, bot: ShoppingAssistant, tmp_path: Path) -> None:
    """Cards (chat JSON, the SSE `ranked` and `done` events, refine replies) and catalog facts carry `image_url`,
    this server's link to the photo, never `image` (a file path on the server, or the catalog's own URL)."""
    photos = tmp_path / "server-only-photos"
    photos.mkdir()
    ids = {sku: bot.repo.get_by_sku(sku).id for sku in ("WJ01", "WJ02", "MJ01")}  # type: ignore[union-attr]
    with bot.db.session() as s:
        for sku in ("WJ01", "WJ02"):
            (photos / f"{sku}.png").write_bytes(png_bytes())
            s.add(ProductImage(product_id=ids[sku], uri=str(photos / f"{sku}.png"), role="base"))
        s.add(ProductImage(product_id=ids["MJ01"], uri="https://cdn.example.com/mj01.jpg", role="base"))
    assert bot.repo.get(ids["WJ01"]).image == str(photos / "WJ01.png")  # type: ignore[union-attr]

    def check(products: list[dict[str, Any]]) -> None:
        assert products
        for p in products:
            assert "image" not in p, p
            photo = p["sku"] in ("WJ01", "WJ02", "MJ01")
            assert p["image_url"] == (f"/api/v1/products/{p['id']}/image" if photo else None), p

    r = client.post("/api/v1/chat", json={"message": "jackets"})
    assert r.status_code == 200, r.text
    check(r.json()["products"])
    assert {p["sku"] for p in r.json()["products"]} >= {"WJ01", "MJ01"}
    texts = [r.text]
    sid = r.json()["session_id"]
    r = client.post("/api/v1/chat", json={"message": "jackets for women"}, headers={"Accept": "text/event-stream"})
    events = dict(sse_events(r.text))
    check(events["ranked"]["products"])
    check(events["done"]["products"])
    texts.append(r.text)
    for path, body in (("/api/v1/refine/more-like", {"session_id": sid, "product_id": ids["WJ02"]}),
                       ("/api/v1/refine/remove", {"session_id": sid, "field": "query"})):
        r = client.post(path, json=body)
        assert r.status_code == 200, r.text
        check(r.json()["products"])
        texts.append(r.text)
    for sku in ("WJ01", "MJ01"):
        r = client.get(f"/api/v1/products/{ids[sku]}")
        check([r.json()])
        texts.append(r.text)
    for text in texts:
        assert str(tmp_path) not in text and "server-only-photos" not in text and "cdn.example.com" not in text
    # the links work: the local file is served, the catalog's URL is redirected to
    r = client.get(f"/api/v1/products/{ids['WJ01']}/image")
    assert r.status_code == 200 and r.content == (photos / "WJ01.png").read_bytes()
    r = client.get(f"/api/v1/products/{ids['MJ01']}/image", follow_redirects=False)
    assert r.status_code == 307 and r.headers["location"] == "https://cdn.example.com/mj01.jpg"
    # the Python API (and the Gradio UI, which renders its cards on the server) still has the path
    cards = bot.chat("jackets for women").products
    assert {c.sku: c.image for c in cards}["WJ01"] == str(photos / "WJ01.png")


HUGE_ID = 99999999999999999999999


def test_ids_out_of_sql_range_are_404_in_urls_and_422_in_bodies(client: TestClient, bot: ShoppingAssistant) -> None:
    """No client value can reach a query as an integer SQL cannot hold (that was an OverflowError: a 500)."""
    pid = bot.repo.get_by_sku("WJ01").id  # type: ignore[union-attr]
    sid = client.post("/api/v1/chat", json={"message": "jackets"}).json()["session_id"]
    for bad in (HUGE_ID, 2**63, -HUGE_ID, 0, -1):
        assert_clean_error(client.get(f"/api/v1/products/{bad}"), 404, "unknown product id")
        assert_clean_error(client.get(f"/api/v1/products/{bad}/image"), 404, "unknown product id")
    assert_clean_error(client.get(f"/api/v1/products/{2**63 - 1}"), 404, "unknown product id")  # the largest id is asked for
    assert_clean_error(client.get(f"/api/v1/products/{pid}/image?n={HUGE_ID}"), 404)
    assert_clean_error(client.get(f"/api/v1/products/{'9' * 5000}"), 422, "product_id")
    for bad in (HUGE_ID, 2**63, 0, -5):
        r = client.post("/api/v1/feedback", json={"event": "like", "product_id": bad, "session_id": sid})
        assert_clean_error(r, 422, "product_id")
        r = client.post("/api/v1/refine/more-like", json={"session_id": sid, "product_id": bad})
        assert_clean_error(r, 422, "product_id")
    body = assert_clean_error(client.post("/api/v1/feedback", json={"event": "like", "product_id": HUGE_ID, "session_id": sid}), 422)
    assert str(2**63 - 1) in body["error"]  # says what the limit is
    r = client.post("/api/v1/feedback", json={"event": "like", "product_id": 2**63 - 1, "session_id": sid})
    assert_clean_error(r, 404, "unknown product id")
    assert_clean_error(client.post("/api/v1/refine/more-like", json={"session_id": sid, "product_id": 2**63 - 1}), 404, "unknown product id")
    assert client.post("/api/v1/feedback", json={"event": "like", "product_id": pid, "session_id": sid}).status_code == 200


def test_health_openapi_and_docs(client: TestClient) -> None:
    h = client.get("/api/v1/health").json()
    assert h["status"] == "ok" and h["products"] == 7 and h["image_search"] is False
    schema = client.get("/openapi.json").json()
    for path in ("/api/v1/chat", "/api/v1/feedback", "/api/v1/products/{product_id}", "/api/v1/health",
                 "/api/v1/admin/catalog/import", "/api/v1/admin/users/{user_id}"):
        assert path in schema["paths"], path
    assert "text/event-stream" in json.dumps(schema["paths"]["/api/v1/chat"])
    assert client.get("/docs").status_code == 200


def test_cors_lets_shops_call_the_shopper_api_but_not_send_the_admin_key(client: TestClient) -> None:
    pre = {"Origin": "https://shop.example", "Access-Control-Request-Method": "POST"}
    r = client.options("/api/v1/chat", headers={**pre, "Access-Control-Request-Headers": "content-type"})
    assert r.status_code == 200 and r.headers["access-control-allow-origin"] in ("*", "https://shop.example")
    r = client.options("/api/v1/admin/reindex", headers={**pre, "Access-Control-Request-Headers": "x-api-key"})
    assert r.status_code == 400


# ----- rate limiting ---------------------------------------------------------------------------------------
def test_rate_limit_per_client_429_with_retry_after(bot: ShoppingAssistant) -> None:
    client = TestClient(create_app(bot, rate_limit=RateLimit(per_minute=6, burst=3), ui=False))
    codes = [client.get("/api/v1/products/1").status_code for _ in range(3)]
    assert codes == [200, 200, 200]
    r = client.post("/api/v1/chat", json={"message": "jackets"})
    body = assert_clean_error(r, 429, "too many requests")
    assert int(r.headers["Retry-After"]) >= 1 and "retry in" in body["error"]
    assert client.get("/api/v1/health").status_code == 200  # health is not limited


def test_token_bucket_refills_and_is_per_client() -> None:
    now = [0.0]
    b = TokenBuckets(RateLimit(per_minute=60, burst=2), clock=lambda: now[0])
    assert b.take("a") == 0 and b.take("a") == 0
    assert b.take("a") == pytest.approx(1.0)
    assert b.take("b") == 0  # another client has its own bucket
    now[0] += 1.0
    assert b.take("a") == 0
    small = TokenBuckets(RateLimit(per_minute=60, burst=1), max_clients=2, clock=lambda: now[0])
    for k in "xyz":
        small.take(k)
    assert len(small._buckets) == 2


# ----- admin -----------------------------------------------------------------------------------------------
def test_admin_needs_the_api_key(client: TestClient, bot: ShoppingAssistant) -> None:
    assert_clean_error(client.get("/api/v1/admin/users/u/export"), 401, "missing X-API-Key")
    assert_clean_error(client.get("/api/v1/admin/users/u/export", headers={"X-API-Key": "wrong"}), 401, "wrong API key")
    assert client.get("/api/v1/admin/users/u/export", headers={"X-API-Key": ADMIN_KEY}).status_code == 200
    closed = TestClient(create_app(bot, admin_api_key=None, rate_limit=None, ui=False))
    assert_clean_error(closed.delete("/api/v1/admin/users/u", headers={"X-API-Key": ""}), 403, "disabled")


def test_admin_export_and_delete_user(client: TestClient, bot: ShoppingAssistant) -> None:
    key = {"X-API-Key": ADMIN_KEY}
    sid = client.post("/api/v1/chat", json={"message": "jackets for women", "user_id": "ann"}).json()["session_id"]
    client.post("/api/v1/feedback", json={"event": "like", "product_id": 1, "session_id": sid, "user_id": "ann"})
    out = client.get("/api/v1/admin/users/ann/export", headers=key).json()
    assert out["sessions"][0]["id"] == sid and out["sessions"][0]["turns"][0]["user"] == "jackets for women"
    # the products the search showed her (impressions, with the query) and her like, credited to that search
    shown = [e for e in out["events"] if e["event"] == "impression"]
    assert shown and all(e["query"] for e in shown), out["events"]
    assert [e["event"] for e in out["events"]].count("like") == 1
    r = client.delete("/api/v1/admin/users/ann", headers=key)
    assert r.json()["deleted"] == {"sessions": 1, "turns": 1, "events": len(shown) + 1}
    assert not bot.sessions.exists(sid)
    assert client.get("/api/v1/admin/users/ann/export", headers=key).json() == {"user_id": "ann", "sessions": [], "events": []}


def test_admin_catalog_import_of_a_server_side_path(client: TestClient, bot: ShoppingAssistant, tmp_path: Path) -> None:
    key = {"X-API-Key": ADMIN_KEY}
    src = tmp_path / "extra.csv"
    src.write_text("sku,name,price,category\nTENT1,Trail Tent,129.00,Gear/Camping\n", encoding="utf-8")
    r = client.post("/api/v1/admin/catalog/import", json={"path": str(src)}, headers=key)
    assert r.status_code == 200, r.text
    assert r.json()["format"] == "csv"
    assert bot.repo.get_by_sku("TENT1") is not None
    assert_clean_error(client.post("/api/v1/admin/catalog/import", json={"path": str(tmp_path / "nope")}, headers=key), 400, "does not exist")
    assert_clean_error(client.post("/api/v1/admin/catalog/import", json={"path": str(src), "format": "xml"}, headers=key), 422, "format")


SECRET = "s3cr3t-of-the-server"


def test_admin_import_errors_never_echo_the_files_the_server_reads(
    client: TestClient, bot: ShoppingAssistant, sqlite_url: str, tmp_path: Path
) -> None:
    """The admin may name any file the server can read: the HTTP error says where and what is wrong and how to
    fix it, but quotes nothing from the file (an import of /etc/passwd used to return its first line). The CLI,
    whose user owns the file, still shows the offending text."""
    from assistant.cli import cli

    key = {"X-API-Key": ADMIN_KEY}
    folder = tmp_path / "server-files"
    folder.mkdir()
    (folder / f"{SECRET}.png").write_bytes(b"not an image")
    cases: dict[str, tuple[str, list[str]]] = {  # file -> (content, words the HTTP error must have)
        "passwd.csv": (f"{SECRET}:x:0:0:root:/root:/bin/bash\ndaemon:x:1:1\n", ["line 1", "missing required column 'sku'"]),
        "price.csv": (f"sku,name,price\nA,Tent,{SECRET}\n", ["line 2", "field 'price'", "not a number", "19.99"]),
        "stock.csv": (f"sku,name,price,stock_qty,in_stock\nA,Tent,1,{SECRET},yes\n", ["line 2", "stock_qty", "not a number"]),
        "dup.csv": (f"sku,name,price\n{SECRET},Tent,1\n{SECRET},Tarp,2\n", ["line 3", "duplicate SKU", "first on line 2"]),
        "image.csv": (f"sku,name,price,image\nA,Tent,1,{SECRET}.png\n", ["line 2", "field 'image'", "unreadable or corrupt"]),
        "gone.csv": (f"sku,name,price,image\nA,Tent,1,{SECRET}-gone.png\n", ["line 2", "image file not found"]),
        "gender.jsonl": (json.dumps({"sku": "A", "name": "Tent", "price": 1, "gender": SECRET}) + "\n", ["line 1", "gender must be one of"]),
        "variant.jsonl": (json.dumps({"sku": "A-S", "parent_sku": SECRET}) + "\n", ["line 1", "parent_sku is not a product"]),
        "mapped.csv": ("sku,name,price\nA,Tent,1\n", ["mapping", "not one of ours"]),
    }
    (folder / "mapped.csv.mapping.json").write_text(json.dumps({SECRET: "name"}), encoding="utf-8")
    for name, (content, words) in cases.items():
        (folder / name).write_text(content, encoding="utf-8")
        r = client.post("/api/v1/admin/catalog/import", json={"path": str(folder / name)}, headers=key)
        assert_clean_error(r, 400, name, *words)
        assert SECRET not in r.text, r.text
        shown = CliRunner().invoke(cli, ["catalog", "import", str(folder / name), "--db-url", sqlite_url, "-q"])
        assert shown.exit_code == 1 and SECRET in shown.output, shown.output  # the CLI still quotes it
    passwd = Path("/etc/passwd")
    if passwd.is_file():
        first = passwd.read_text(encoding="utf-8", errors="replace").splitlines()[0]
        for fmt in (None, "csv", "jsonl", "eshop", "magento", "homedepot"):
            r = client.post("/api/v1/admin/catalog/import", json={"path": str(passwd), "format": fmt}, headers=key)
            assert_clean_error(r, 400)
            assert first not in r.text and first.split(":")[0] + ":x:" not in r.text, r.text
    # --skip-bad-rows: the report of skipped rows and ignored columns quotes nothing either
    (folder / "mixed.csv").write_text(f"sku,name,price,{SECRET}\nGOOD1,Tent,1,x\nBAD1,Tarp,{SECRET},y\n", encoding="utf-8")
    r = client.post("/api/v1/admin/catalog/import", json={"path": str(folder / "mixed.csv"), "skip_bad_rows": True}, headers=key)
    assert r.status_code == 200, r.text
    skipped = r.json()["stats"]["skipped"]
    assert any("line 3" in s and "not a number" in s for s in skipped), skipped
    assert any("1 column(s) ignored" in s for s in skipped), skipped
    assert SECRET not in r.text and bot.repo.get_by_sku("GOOD1") is not None


def test_a_body_that_is_not_sent_as_json_says_so(client: TestClient) -> None:
    body = '{"message": "jackets"}'
    for kind in ("text/plain", "application/x-www-form-urlencoded"):
        assert_clean_error(client.post("/api/v1/chat", content=body, headers={"Content-Type": kind}), 415,
                           "Content-Type: application/json", kind)
    assert client.post("/api/v1/chat", content=body, headers={"Content-Type": "application/json"}).status_code == 200


def test_admin_reindex_is_guarded(client: TestClient) -> None:
    assert_clean_error(client.post("/api/v1/admin/reindex"), 401)


def test_admin_reindex_counts_what_it_embedded_with_the_servers_embedder(
    sqlite_url: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    from click.testing import CliRunner

    from assistant.cli import cli
    from catalog.records import ProductRecord

    db = open_catalog(sqlite_url)
    with db.session() as s:
        sync_catalog(s, small_store(), progress=False)
    assert CliRunner().invoke(cli, ["index", "--db-url", sqlite_url, "--embedder", "hashing-64", "--no-images"]).exit_code == 0
    monkeypatch.setenv("SHOPASSIST_EMBEDDER", "hashing-64")
    bot = ShoppingAssistant.from_config(sqlite_url, llm="rules", search="hybrid")
    api = TestClient(create_app(bot, admin_api_key=ADMIN_KEY, rate_limit=None, ui=False))
    monkeypatch.setenv("SHOPASSIST_EMBEDDER", "e5")  # the server's loaded embedder is used, not the environment's
    data = small_store()
    data.products.append(ProductRecord(sku="NEW1", name="Glacier Trail Parka", price=Decimal("120.00"), categories=["Jackets"]))
    with db.session() as s:
        sync_catalog(s, data, progress=False)
    r = api.post("/api/v1/admin/reindex", headers={"X-API-Key": ADMIN_KEY})
    assert r.status_code == 200, r.text
    [text] = [c for c in r.json()["collections"] if c["collection"] == "products_text"]
    assert text["model_id"].startswith("hashing") and text["added"] == 1 and text["unchanged"] == len(small_store().products)
    assert "Glacier Trail Parka" in bot.chat("glacier parka", session_id="reindexed").text

def test_widget_files_are_served(client: TestClient) -> None:
    js = client.get("/widget.js")
    assert js.status_code == 200 and "javascript" in js.headers["content-type"]
    assert "textContent" in js.text and "/api/v1/chat" in js.text and "localStorage" in js.text
    assert "innerHTML" not in js.text  # catalog text never goes through HTML parsing
    assert "p.image_url" in js.text and "p.image)" not in js.text  # the API sends image_url, never a server path
    page = client.get("/widget-demo")
    assert page.status_code == 200 and "widget.js" in page.text


def test_widget_demo_page_tells_signed_in_shops_to_send_the_signed_token(client: TestClient) -> None:
    import re

    page = client.get("/widget-demo").text
    text = re.sub(r"<[^>]+>", "", page)
    assert 'data-user-token="' in page and "SHOPASSIST_USER_SECRET" in text  # the option, in the example too
    assert "401" in text and "only a claim" in text  # and why data-user-id alone is not enough
    assert "data-user-id (a signed-in shopper)" not in text


# ----- failures inside the assistant -----------------------------------------------------------------------
class BrokenSearch:
    def search(self, *args: Any) -> Any:
        raise RuntimeError("index exploded at /secret/path")


def test_an_internal_failure_is_a_json_500_without_details(bot: ShoppingAssistant) -> None:
    bot.searcher = BrokenSearch()
    client = TestClient(create_app(bot, rate_limit=None, ui=False), raise_server_exceptions=False)
    r = client.post("/api/v1/chat", json={"message": "jackets"})
    body = assert_clean_error(r, 500, "internal error")
    assert "/secret/path" not in r.text and "exploded" not in body["error"]


def test_an_internal_failure_mid_stream_ends_with_an_error_event(bot: ShoppingAssistant) -> None:
    bot.searcher = BrokenSearch()
    client = TestClient(create_app(bot, rate_limit=None, ui=False), raise_server_exceptions=False)
    r = client.post("/api/v1/chat", json={"message": "jackets"}, headers={"Accept": "text/event-stream"})
    events = sse_events(r.text)
    assert events[0][0] == "intent" and events[-1][0] == "error"
    assert "internal error" in events[-1][1]["error"] and "/secret/path" not in r.text and "Traceback" not in r.text


# ----- who the shopper is ------------------------------------------------------------------------------
def test_user_tokens_sign_verify_expire_and_refuse_forgery() -> None:
    from ui.identity import UserTokenError, sign_user, verify_user_token

    token = sign_user("roni@example.com", "s3cret", ttl_s=60, now=1000)
    assert verify_user_token(token, "s3cret", now=1030) == "roni@example.com"
    with pytest.raises(UserTokenError, match="expired"):
        verify_user_token(token, "s3cret", now=1061)
    with pytest.raises(UserTokenError, match="signature"):
        verify_user_token(token, "other-secret", now=1030)
    encoded, expiry, mac = token.split(".")
    with pytest.raises(UserTokenError, match="signature"):  # a longer life cannot be granted by editing the token
        verify_user_token(f"{encoded}.{int(expiry) + 9999}.{mac}", "s3cret", now=1030)
    with pytest.raises(UserTokenError, match="malformed"):
        verify_user_token("roni@example.com", "s3cret")
    with pytest.raises(UserTokenError, match="malformed"):  # not a TypeError (a 500) from compare_digest
        verify_user_token("a.1.é", "s3cret")


def test_an_unsigned_user_id_never_unlocks_an_order(client: TestClient) -> None:
    # no user secret on this server: user_id personalises, but anyone could send anyone's e-mail
    r = client.post("/api/v1/chat", json={"message": "where is my order T-1001?", "user_id": "roni@example.com"})
    assert r.status_code == 200 and "T-1001 is" not in r.json()["reply"] and "sign in" in r.json()["reply"]
    r = client.post("/api/v1/chat", json={"message": "where is my order T-1001?", "user_token": "x.1.y"})
    assert_clean_error(r, 400, "SHOPASSIST_USER_SECRET")


def test_with_a_user_secret_only_the_shops_signed_token_identifies_a_shopper(bot: ShoppingAssistant) -> None:
    from ui.identity import sign_user

    client = TestClient(create_app(bot, rate_limit=None, ui=False, user_secret="s3cret"))
    ask = {"message": "where is my order T-1001?"}
    r = client.post("/api/v1/chat", json={**ask, "user_id": "roni@example.com"})
    assert_clean_error(r, 401, "user_token")  # a bare claim is refused, not silently treated as a guest
    forged = sign_user("roni@example.com", "guessed")
    assert_clean_error(client.post("/api/v1/chat", json={**ask, "user_token": forged}), 401, "signature")
    other = sign_user("someone@example.com", "s3cret")
    r = client.post("/api/v1/chat", json={**ask, "user_id": "roni@example.com", "user_token": other})
    assert_clean_error(r, 401, "different shoppers")
    assert_clean_error(client.post("/api/v1/chat", json={**ask, "user_token": "a.1.é"}), 401, "malformed")
    token = sign_user("roni@example.com", "s3cret")
    assert client.post("/api/v1/chat", json={**ask, "user_id": "Roni@Example.com", "user_token": token}).status_code == 200
    r = client.post("/api/v1/chat", json={**ask, "user_token": token})
    assert r.status_code == 200, r.text
    assert "Order T-1001 is complete" in r.json()["reply"]
    sid = r.json()["session_id"]
    # signed in, never ordered: no orders on the account, never "please sign in"
    carol = client.post("/api/v1/chat", json={"message": "where is my order?", "user_token": sign_user("carol@x.com", "s3cret")})
    assert carol.json()["reply"].startswith("I found no orders on your account."), carol.text
    guest = client.post("/api/v1/chat", json={"message": "jackets"})  # guests need no token
    assert guest.status_code == 200 and guest.json()["products"]
    fb = {"event": "like", "product_id": guest.json()["products"][0]["id"], "session_id": sid}
    assert_clean_error(client.post("/api/v1/feedback", json={**fb, "user_id": "roni@example.com"}), 401, "user_token")
    assert client.post("/api/v1/feedback", json={**fb, "user_token": token}).status_code == 200


def test_user_token_command_signs_with_the_server_secret() -> None:
    from click.testing import CliRunner

    from assistant.cli import cli
    from ui.identity import verify_user_token

    out = CliRunner().invoke(cli, ["user-token", "roni@example.com"], env={"SHOPASSIST_USER_SECRET": "s3cret"})
    assert out.exit_code == 0, out.output
    assert verify_user_token(out.output.strip(), "s3cret") == "roni@example.com"
    missing = CliRunner().invoke(cli, ["user-token", "roni@example.com"], env={"SHOPASSIST_USER_SECRET": ""})
    assert missing.exit_code != 0 and "SHOPASSIST_USER_SECRET" in missing.output


def test_a_signed_in_shoppers_conversation_is_refused_to_anyone_else(bot: ShoppingAssistant) -> None:
    from ui.identity import sign_user

    client = TestClient(create_app(bot, rate_limit=None, ui=False, user_secret="s3cret"))
    roni = sign_user("roni@example.com", "s3cret")
    r = client.post("/api/v1/chat", json={"message": "jackets", "user_token": roni})
    sid, pid = r.json()["session_id"], r.json()["products"][0]["id"]
    assert client.post("/api/v1/feedback", json={"event": "add_to_cart", "product_id": pid, "session_id": sid,
                                                 "user_token": roni}).json()["cart"]
    # someone who got hold of the session id: a guest, or another signed-in shopper
    for who in ({}, {"user_token": sign_user("eve@example.com", "s3cret")}):
        r = client.post("/api/v1/chat", json={"message": "what is in my cart?", "session_id": sid, **who})
        body = assert_clean_error(r, 403, "signed-in shopper", "omit session_id")
        assert "cart" not in body
        ask = {"session_id": sid, **who}
        assert_clean_error(client.post("/api/v1/feedback", json={"event": "like", "product_id": pid, **ask}), 403)
        assert_clean_error(client.post("/api/v1/refine/more-like", json={"product_id": pid, **ask}), 403)
        assert_clean_error(client.post("/api/v1/refine/remove", json={"field": "category", **ask}), 403)
        sse = client.post("/api/v1/chat", json={"message": "hi", **ask}, headers={"Accept": "text/event-stream"})
        assert_clean_error(sse, 403)
    r = client.post("/api/v1/chat", json={"message": "cheaper", "session_id": sid, "user_token": roni})
    assert r.status_code == 200 and r.json()["cart"]


def test_serving_other_machines_without_a_user_secret_is_warned_about() -> None:
    from ui.server import identity_warning

    assert identity_warning("127.0.0.1", None) is None  # the operator's own machine
    assert identity_warning("0.0.0.0", "s3cret") is None
    warning = identity_warning("0.0.0.0", None)
    assert warning and "SHOPASSIST_USER_SECRET" in warning and "user_id" in warning


def test_ids_that_name_nothing_are_refused(client: TestClient, bot: ShoppingAssistant) -> None:
    sid = client.post("/api/v1/chat", json={"message": "jackets", "user_id": ""}).json()["session_id"]
    assert client.post("/api/v1/feedback", json={"event": "like", "product_id": True, "session_id": sid}).status_code == 422
    admin = {"X-API-Key": ADMIN_KEY}
    for blank in ("%20", "%09"):  # a blank user id names nobody: never the guests' conversations
        r = client.get(f"/api/v1/admin/users/{blank}/export", headers=admin)
        assert r.status_code == 400 and "empty" in r.json()["error"]
        assert client.delete(f"/api/v1/admin/users/{blank}", headers=admin).status_code == 400
    with pytest.raises(AssistantInputError, match="session_id"):  # the Python API takes the web API's session ids
        bot.chat("jackets", session_id="../x")
    assert bot.sessions.exists(sid) and bot.chat("jackets", session_id=sid, user_id="  ").session_id == sid


def test_half_an_emoji_through_the_python_api_is_an_input_error(bot: ShoppingAssistant) -> None:
    from assistant.errors import AssistantInputError

    with pytest.raises(AssistantInputError, match="invalid character at position 1 .*surrogate"):
        bot.chat("\ud800 jacket", session_id="s-emoji")
    with pytest.raises(AssistantInputError, match="'user_id' holds an invalid character"):
        bot.chat("jackets", session_id="s-emoji", user_id="a\udfffb")
    assert bot.chat("\U0001F600 jackets for women", session_id="s-emoji").products


def test_a_session_named_through_the_python_api_is_not_reachable_over_http(client: TestClient, bot: ShoppingAssistant) -> None:
    """A guest conversation the Python API opened as "llm1" answered an HTTP request that guessed that id with its
    cart; the server takes only ids of its own form (which it issues)."""
    bot.chat("jackets for women", session_id="llm1")
    for path, body in [("/api/v1/chat", {"message": "what is my total?", "session_id": "llm1"}),
                       ("/api/v1/refine/more-like", {"session_id": "llm1", "product_id": 1})]:
        assert_clean_error(client.post(path, json=body), 404, "unknown session_id", "omit session_id")
    # a conversation with an id of the server's form (as the Python API makes when none is given) goes on
    sid = bot.chat("jackets for women").session_id
    r = client.post("/api/v1/chat", json={"message": "only in red", "session_id": sid})
    assert r.status_code == 200 and r.json()["session_id"] == sid


def test_removing_a_colour_the_colour_table_does_not_know_keeps_the_other_words() -> None:
    """(review) removing a 'teal' chip left an empty query: every word that is no colour was taken for it."""
    from assistant.intent import ShoppingIntent
    from ui.render import without

    assert without(ShoppingIntent(kind="search", query="teal water bottle", colors=["teal"]), "colors", "teal").query == "water bottle"
