"""Browser tests: the real server (uvicorn on a free 127.0.0.1 port, rules parser, no model) driven by headless
Chromium from Debian over the DevTools protocol. Screenshots go to tmp and are copied to out/ui-screenshots/
(git-ignored) for people to look at.

Skipped with a reason when /usr/bin/chromium is absent (CI installs it with .ci/system-packages.sh).
"""

from __future__ import annotations

import base64
import itertools
import json
import os
import shutil
import signal
import socket
import subprocess
import tempfile
import threading
import time
import urllib.request
from collections.abc import Iterator
from decimal import Decimal
from pathlib import Path
from typing import Any

import pytest

CHROMIUM = Path("/usr/bin/chromium")
REPO = Path(__file__).resolve().parents[1]
ARTIFACTS = REPO / "out" / "ui-screenshots"
EVIL_NAME = "<script>alert('xss')</script><img src=x onerror=alert(1)> Storm Jacket"

pytestmark = pytest.mark.skipif(not CHROMIUM.exists(), reason="needs headless Chromium at /usr/bin/chromium (apt-get install chromium)")


# ----- a minimal DevTools-protocol client -----------------------------------------------------------------
class Browser:
    """Headless Chromium and one page, driven over CDP with the `websockets` package."""

    def __init__(self, profile: Path, width: int = 1280, height: int = 1100):
        self.proc = subprocess.Popen(
            [
                str(CHROMIUM), "--headless", "--no-sandbox", "--disable-gpu", "--no-first-run",
                "--disable-background-networking", "--disable-component-update", "--disable-sync",
                "--disable-dev-shm-usage", "--hide-scrollbars", "--mute-audio",
                f"--user-data-dir={profile}", "--remote-debugging-port=0", f"--window-size={width},{height}",
                "about:blank",
            ],
            stdout=subprocess.DEVNULL,
            stderr=subprocess.DEVNULL,
            start_new_session=True,  # its own process group, so close() stops the renderers and helpers too
        )
        port_file = profile / "DevToolsActivePort"
        deadline = time.monotonic() + 30
        while not port_file.exists() or not port_file.read_text().strip():
            if self.proc.poll() is not None or time.monotonic() > deadline:
                self.close()
                raise RuntimeError("chromium did not start (no DevToolsActivePort)")
            time.sleep(0.1)
        port = int(port_file.read_text().split()[0])
        targets = json.loads(urllib.request.urlopen(f"http://127.0.0.1:{port}/json/list", timeout=10).read())
        page = next(t for t in targets if t["type"] == "page")
        from websockets.sync.client import connect

        self.ws = connect(page["webSocketDebuggerUrl"], max_size=64 * 1024 * 1024, open_timeout=20)
        self.ids = itertools.count(1)
        self.events: list[dict[str, Any]] = []
        self.send("Page.enable")
        self.send("Runtime.enable")
        self.send("Emulation.setDeviceMetricsOverride", width=width, height=height, deviceScaleFactor=1, mobile=False)

    def send(self, method: str, **params: Any) -> dict[str, Any]:
        msg_id = next(self.ids)
        self.ws.send(json.dumps({"id": msg_id, "method": method, "params": params}))
        while True:
            msg = json.loads(self.ws.recv(timeout=60))
            if msg.get("id") == msg_id:
                if "error" in msg:
                    raise RuntimeError(f"{method}: {msg['error']}")
                return msg.get("result", {})  # type: ignore[no-any-return]
            self.events.append(msg)
            if msg.get("method") == "Page.javascriptDialogOpening":  # an alert() ran: dismiss it, the test fails later
                self.ws.send(json.dumps({"id": next(self.ids), "method": "Page.handleJavaScriptDialog", "params": {"accept": True}}))

    def js(self, expression: str) -> Any:
        res = self.send("Runtime.evaluate", expression=expression, returnByValue=True, awaitPromise=True)
        if "exceptionDetails" in res:
            raise RuntimeError(f"JS error: {res['exceptionDetails']}")
        return res["result"].get("value")

    def goto(self, url: str) -> None:
        self.send("Page.navigate", url=url)
        self.wait("document.readyState === 'complete'", timeout=30)

    def wait(self, expression: str, timeout: float = 20.0) -> Any:
        deadline = time.monotonic() + timeout
        while True:
            value = self.js(expression)
            if value:
                return value
            if time.monotonic() > deadline:
                raise AssertionError(f"timed out waiting for: {expression}")
            time.sleep(0.2)

    def type_text(self, text: str) -> None:
        self.send("Input.insertText", text=text)

    def press_enter(self) -> None:
        for kind in ("keyDown", "keyUp"):
            self.send("Input.dispatchKeyEvent", type=kind, key="Enter", code="Enter", windowsVirtualKeyCode=13,
                      **({"text": "\r"} if kind == "keyDown" else {}))

    def screenshot(self, path: Path) -> Path:
        data = self.send("Page.captureScreenshot", format="png", captureBeyondViewport=False)["data"]
        path.write_bytes(base64.b64decode(data))
        return path

    def dialogs(self) -> list[dict[str, Any]]:
        return [e for e in self.events if e.get("method") == "Page.javascriptDialogOpening"]

    def close(self) -> None:
        try:
            if hasattr(self, "ws"):
                self.ws.close()
        finally:
            # Chromium's helper processes outlive the browser process for a moment and keep writing to the
            # profile; stop the whole group so the profile can be removed.
            for sig, grace in ((signal.SIGTERM, 10.0), (signal.SIGKILL, 5.0)):
                try:
                    os.killpg(self.proc.pid, sig)
                except ProcessLookupError:
                    break
                try:
                    self.proc.wait(timeout=grace)
                except subprocess.TimeoutExpired:
                    continue
                if not _group_alive(self.proc.pid):
                    break
                time.sleep(0.5)


def _group_alive(pgid: int) -> bool:
    try:
        os.killpg(pgid, 0)
    except ProcessLookupError:
        return False
    return True


def _remove_profile(profile: Path) -> None:
    """Remove the profile, retrying while a late Chromium write lands in it."""
    for _ in range(20):
        shutil.rmtree(profile, ignore_errors=True)
        if not profile.exists():
            return
        time.sleep(0.25)
    shutil.rmtree(profile)  # still there: let the error say why


# ----- the real server ------------------------------------------------------------------------------------
def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


def store_with_photos(photo_dir: Path) -> Any:
    """The small test store, each product with a generated photo, plus one product with a hostile name."""
    from PIL import Image, ImageDraw

    from catalog.records import ImageRecord, ProductRecord
    from tests.catalog_fixtures import small_store

    data = small_store()
    data.products.append(
        ProductRecord(sku="EVIL1", name=EVIL_NAME, price=Decimal("49.00"), brand="Luma", gender="women",
                      categories=["Women/Tops/Jackets"], stock_qty=4, description="<b>bold</b> claims")
    )
    palette = ["#60a5fa", "#f472b6", "#34d399", "#fbbf24", "#a78bfa", "#f87171", "#2dd4bf", "#fb923c"]
    for i, p in enumerate(data.products):
        img = Image.new("RGB", (240, 240), palette[i % len(palette)])
        draw = ImageDraw.Draw(img)
        draw.rectangle((60, 50, 180, 200), fill="white")
        draw.text((70, 110), p.sku[:10], fill="black")
        path = photo_dir / f"{p.sku}.png"
        img.save(path)
        p.images = [ImageRecord(uri=str(path))]
    return data


SERVED: dict[str, str] = {}


@pytest.fixture(scope="module")
def server_url(tmp_path_factory: pytest.TempPathFactory) -> Iterator[str]:
    import uvicorn

    from assistant.agent import ShoppingAssistant
    from catalog.db import open_catalog
    from catalog.writer import sync_catalog
    from ui.server import create_app

    root = tmp_path_factory.mktemp("browser-store")
    url = f"sqlite:///{root / 'catalog.db'}"
    SERVED["db_url"] = url
    db = open_catalog(url)
    with db.session() as s:
        sync_catalog(s, store_with_photos(root), progress=False)
    assistant = ShoppingAssistant.from_config(url, llm="rules", search="catalog")
    app = create_app(assistant, rate_limit=None)
    port = free_port()
    server = uvicorn.Server(uvicorn.Config(app, host="127.0.0.1", port=port, log_level="warning"))
    thread = threading.Thread(target=server.run, daemon=True)
    thread.start()
    deadline = time.monotonic() + 30
    while not server.started:
        if time.monotonic() > deadline or not thread.is_alive():
            raise RuntimeError("uvicorn did not start")
        time.sleep(0.05)
    yield f"http://127.0.0.1:{port}"
    server.should_exit = True
    thread.join(timeout=10)


@pytest.fixture
def browser() -> Iterator[Browser]:
    profile = Path(tempfile.mkdtemp(prefix="shopassist-chromium-"))
    try:
        b = Browser(profile)
        try:
            yield b
        finally:
            b.close()
    finally:
        _remove_profile(profile)


def keep(shot: Path) -> Path:
    """Check the PNG is real and non-trivial; copy it to out/ui-screenshots for people to look at."""
    from PIL import Image

    raw = shot.read_bytes()
    assert raw[:8] == b"\x89PNG\r\n\x1a\n" and len(raw) > 20_000, f"{shot}: {len(raw)} bytes"
    with Image.open(shot) as img:
        assert img.size[0] >= 800 and img.size[1] >= 600
        colours = img.convert("RGB").resize((64, 64)).getcolors(64 * 64)
        assert colours is not None and len(colours) > 20, "the screenshot is (nearly) one flat colour"
    ARTIFACTS.mkdir(parents=True, exist_ok=True)
    shutil.copy(shot, ARTIFACTS / shot.name)
    return shot


# ----- the tests ------------------------------------------------------------------------------------------
def test_gradio_chat_shows_escaped_product_cards_and_chips(server_url: str, browser: Browser, tmp_path: Path) -> None:
    browser.goto(f"{server_url}/ui/")
    browser.wait("!!document.querySelector('#sa-input textarea')", timeout=60)
    assert browser.js("!!document.querySelector('#sa-photo-note')"), "the photo-search note should show when it is unavailable"
    browser.js("document.querySelector('#sa-input textarea').focus()")
    browser.type_text("jackets for women under 80")
    browser.press_enter()
    browser.wait("document.querySelectorAll('.sa-card').length >= 3", timeout=60)
    browser.wait("document.querySelector('#sa-chat') && document.querySelector('#sa-chat').innerText.includes('you might like')")
    browser.wait("Array.from(document.querySelectorAll('img.sa-card-img')).every(i => i.complete && i.naturalWidth > 0)")
    cards = browser.js(
        "Array.from(document.querySelectorAll('.sa-card')).map(c => ({name: c.querySelector('.sa-card-name').innerText,"
        " price: c.querySelector('.sa-card-price').innerText, why: c.querySelector('.sa-card-why').innerText,"
        " stock: c.querySelector('.sa-card-stock').innerText, img: c.querySelector('img') && c.querySelector('img').src}))"
    )
    names = " | ".join(c["name"] for c in cards)
    assert "Stellar Rain Jacket" in names and "Nadia Elements Shell" in names
    assert EVIL_NAME in names, names  # the hostile name is shown as text ...
    assert browser.js("document.querySelectorAll('.sa-card script, .sa-card img[src=\"x\"]').length") == 0  # ... not as markup
    assert browser.dialogs() == []
    assert all(c["why"].startswith("Why this:") and "$" in c["price"] for c in cards)
    assert all("/api/v1/products/" in c["img"] for c in cards)
    chips = browser.js("Array.from(document.querySelectorAll('.sa-chip')).map(b => b.innerText)")
    assert any("under $80.00" in c for c in chips) and any("for: women" in c for c in chips), chips
    assert browser.js("document.querySelectorAll('.sa-card-wrap .sa-add').length") >= 3
    keep(browser.screenshot(tmp_path / "gradio-chat.png"))

    # add to cart from a card, then remove the price chip: the search runs again without it
    browser.js("document.querySelector('.sa-card-wrap .sa-add').click()")
    browser.wait("document.querySelector('#sa-cart').innerText.includes('Total')")
    browser.js("Array.from(document.querySelectorAll('.sa-chip')).find(b => b.innerText.includes('for: women')).click()")
    browser.wait("!Array.from(document.querySelectorAll('.sa-chip')).some(b => b.innerText.includes('for: women'))")
    browser.wait("Array.from(document.querySelectorAll('.sa-card-name')).some(n => n.innerText.includes('Beaumont Summit Kit'))")
    assert "(removed: for: women)" in browser.js("document.querySelector('#sa-chat').innerText")
    keep(browser.screenshot(tmp_path / "gradio-chip-removed.png"))
    assert browser.dialogs() == []


def test_widget_demo_bubble_chat_and_cards(server_url: str, browser: Browser, tmp_path: Path) -> None:
    browser.goto(f"{server_url}/widget-demo")
    host = "document.querySelector('#shopassist-widget').shadowRoot"
    browser.wait(f"!!document.querySelector('#shopassist-widget') && !!{host}.querySelector('.saw-bubble')")
    keep(browser.screenshot(tmp_path / "widget-closed.png"))
    browser.js(f"{host}.querySelector('.saw-bubble').click()")
    browser.wait(f"getComputedStyle({host}.querySelector('.saw-panel')).display === 'flex'")
    browser.js(f"{host}.querySelector('.saw-input').focus()")
    browser.type_text("jackets for women under 80")
    browser.press_enter()
    browser.wait(f"{host}.querySelectorAll('.saw-card').length >= 3", timeout=30)
    # every product has a photo: each card shows it (the API sends image_url, never the file's path)
    browser.wait(f"{host}.querySelectorAll('.saw-card img').length === {host}.querySelectorAll('.saw-card').length")
    browser.wait(f"Array.from({host}.querySelectorAll('.saw-card img')).every(i => i.complete && i.naturalWidth > 0)")
    names = browser.js(f"Array.from({host}.querySelectorAll('.saw-name')).map(n => n.textContent)")
    assert "Stellar Rain Jacket" in names and EVIL_NAME in names
    assert browser.js(f"{host}.querySelectorAll('.saw-card script, .saw-card img[src=\"x\"]').length") == 0
    assert browser.dialogs() == []
    sid = browser.js("Object.keys(localStorage).filter(k => k.startsWith('shopassist.session:')).map(k => localStorage[k])[0]")
    assert sid and len(sid) >= 16
    keep(browser.screenshot(tmp_path / "widget-open.png"))

    # the conversation goes on in the same session; "Add to cart" of a jacket asks for its size and colour first
    # (the button added lines with neither), then adds the one chosen
    card = f"{host}.querySelector('.saw-card')"
    browser.js(f"{card}.querySelector('.saw-add').click()")
    browser.wait(f"Array.from({host}.querySelectorAll('.saw-error')).some(e => e.textContent.startsWith('Choose a size and a colour'))")
    for pick in ("size", "color"):
        browser.js(f"(() => {{ const s = {card}.querySelector('.saw-pick-{pick}'); s.selectedIndex = 1; s.dispatchEvent(new Event('change')); }})()")
    browser.js(f"{card}.querySelector('.saw-add').click()")
    browser.wait(f"{card}.querySelector('.saw-add').textContent.includes('Added')")
    browser.js(f"{host}.querySelector('.saw-input').focus()")
    browser.type_text("only in purple")
    browser.press_enter()
    browser.wait(f"{host}.querySelectorAll('.saw-cards').length >= 2", timeout=30)
    last = browser.js(f"Array.from(Array.from({host}.querySelectorAll('.saw-cards')).pop().querySelectorAll('.saw-name')).map(n => n.textContent)")
    assert last == ["Nadia Elements Shell"]
    same = browser.js("Object.keys(localStorage).filter(k => k.startsWith('shopassist.session:')).map(k => localStorage[k])[0]")
    assert same == sid


def test_widget_starts_a_new_conversation_when_the_stored_one_is_a_signed_in_shoppers(
    server_url: str, browser: Browser
) -> None:
    from assistant.agent import ShoppingAssistant

    # a shopper signed in on this computer, then signed out: the widget still holds their conversation
    owner = ShoppingAssistant.from_config(SERVED["db_url"], llm="rules", search="catalog")
    owner.chat("jackets", session_id="roni-conversation", user_id="roni@example.com")
    browser.goto(f"{server_url}/widget-demo")
    host = "document.querySelector('#shopassist-widget').shadowRoot"
    browser.wait(f"!!document.querySelector('#shopassist-widget') && !!{host}.querySelector('.saw-bubble')")
    browser.js(f"localStorage.setItem('shopassist.session:{server_url}', 'roni-conversation')")
    browser.js(f"{host}.querySelector('.saw-bubble').click()")
    browser.js(f"{host}.querySelector('.saw-input').focus()")
    browser.type_text("bags")
    browser.press_enter()
    browser.wait(f"{host}.querySelectorAll('.saw-card').length >= 1 || !!{host}.querySelector('.saw-error')", timeout=30)
    assert browser.js(f"!!{host}.querySelector('.saw-error')") is False
    sid = browser.js(f"localStorage.getItem('shopassist.session:{server_url}')")
    assert sid and sid != "roni-conversation"
    assert owner.sessions.load("roni-conversation", "roni@example.com").history == ["jackets"]  # untouched


def test_widget_says_so_when_a_like_or_add_to_cart_is_refused(server_url: str, browser: Browser, tmp_path: Path) -> None:
    from assistant.agent import ShoppingAssistant

    browser.goto(f"{server_url}/widget-demo")
    host = "document.querySelector('#shopassist-widget').shadowRoot"
    browser.wait(f"!!document.querySelector('#shopassist-widget') && !!{host}.querySelector('.saw-bubble')")
    browser.js(f"{host}.querySelector('.saw-bubble').click()")
    browser.js(f"{host}.querySelector('.saw-input').focus()")
    browser.type_text("bags")
    browser.press_enter()
    browser.wait(f"{host}.querySelectorAll('.saw-card').length >= 1", timeout=30)
    assert browser.js(f"{host}.querySelectorAll('.saw-error').length") == 0
    errors = f"Array.from({host}.querySelectorAll('.saw-error')).map(e => e.textContent)"

    # the server refuses it (403): the conversation became a signed-in shopper's meanwhile (a shared computer)
    sid = browser.js(f"localStorage.getItem('shopassist.session:{server_url}')")
    owner = ShoppingAssistant.from_config(SERVED["db_url"], llm="rules", search="catalog")
    owner.chat("and jackets", session_id=sid, user_id="roni@example.com")
    browser.js(f"{host}.querySelector('.saw-card .saw-add').click()")
    browser.wait(f"{errors}.length === 1")
    shown = browser.js(errors)[0]
    assert shown.startswith("Could not add it to your cart: ") and "signed-in shopper" in shown, shown
    assert browser.js(f"{host}.querySelector('.saw-card .saw-add').textContent") == "Add to cart"
    assert browser.js(f"{host}.querySelector('.saw-card .saw-add').disabled") is False  # it can be tried again
    assert browser.js(f"getComputedStyle({host}.querySelector('.saw-error')).display") != "none"

    # too many requests (429), and no network at all
    browser.js("window.fetch = () => Promise.resolve(new Response(JSON.stringify({error: 'too many requests from your"
               " address; retry in 3 s'}), {status: 429, headers: {'Content-Type': 'application/json'}}))")
    browser.js(f"{host}.querySelector('.saw-card .saw-like').click()")
    browser.wait(f"{errors}.length === 2")
    assert browser.js(errors)[1] == "Could not save your like: too many requests from your address; retry in 3 s"
    assert browser.js(f"{host}.querySelector('.saw-card .saw-like').textContent") == "Like"
    browser.js("window.fetch = () => Promise.reject(new TypeError('Failed to fetch'))")
    browser.js(f"{host}.querySelector('.saw-card .saw-like').click()")
    browser.wait(f"{errors}.length === 3")
    assert "cannot reach the shopping assistant" in browser.js(errors)[2]
    keep(browser.screenshot(tmp_path / "widget-feedback-refused.png"))
    assert browser.dialogs() == []
