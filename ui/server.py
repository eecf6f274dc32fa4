"""The HTTP service: a JSON/SSE API over one `ShoppingAssistant`, the Gradio chat at /ui, and the embeddable
widget at /widget.js (demo page: /widget-demo).

    app = create_app(ShoppingAssistant.from_config(url, llm="rules"), admin_api_key="secret")

The assistant is built once by the caller and passed in. Shopper endpoints are open but rate-limited per
client IP; admin endpoints need the `X-API-Key` header. Every error is a JSON object `{"error": "..."}`
with a 4xx status; no traceback ever reaches the client.
"""

from __future__ import annotations

import base64
import binascii
import dataclasses
import datetime as dt
import hmac
import json
import logging
import mimetypes
import os
import re
import sys
from collections.abc import Iterator, Sequence
from decimal import Decimal
from pathlib import Path
from typing import Annotated, Any, Literal

from fastapi import Depends, FastAPI, Header, HTTPException, Request
from fastapi.exceptions import RequestValidationError
from fastapi.middleware.cors import CORSMiddleware
from fastapi.responses import FileResponse, JSONResponse, RedirectResponse, Response, StreamingResponse
from pydantic import BaseModel, ConfigDict, Field, field_validator
from starlette.exceptions import HTTPException as StarletteHTTPException

from assistant.agent import LONE_SURROGATE, MAX_PHOTO_PIXELS, AssistantInputError, ShoppingAssistant
from assistant.events import event_to_json, finished_anyway
from assistant.sessions import SESSION_ID_RE  # one rule for the HTTP and the Python API
from catalog.repository import EVENT_WEIGHTS, MAX_SQL_ID, ProductFilter, storable_id
from ui.identity import UserTokenError, verify_user_token
from ui.ratelimit import RateLimit, TokenBuckets, retry_after_header
from ui.refine import more_like, remove_constraint
from ui.render import image_url

SHOPPER_EVENTS = tuple(e for e in EVENT_WEIGHTS if e != "impression")  # what a shopper's client may log

log = logging.getLogger(__name__)

# The id in /admin/users/<user_id>[/export] is a shopper's (often an e-mail): it never goes into a log, or a request
# to delete their data would leave it behind there. It runs to the end of the path (a query, a quote, or the
# " HTTP/1.1" of a formatted request line); the route's own "/export" is kept.
_ADMIN_USER_PATH = re.compile(r"(/admin/users/)([^?#\"]*?)(?=\s+HTTP/|[?#\"]|$)")
USER_PLACEHOLDER = "<user>"


def redact_user_paths(text: str) -> str:
    """`text` with the user id of every /admin/users/<id> path replaced by <user>."""
    if "/admin/users/" not in text:
        return text
    return _ADMIN_USER_PATH.sub(
        lambda m: m.group(1) + USER_PLACEHOLDER + ("/export" if m.group(2).endswith("/export") else ""), text
    )


class RedactUserPaths(logging.Filter):
    """A logging filter (on uvicorn's access log) that removes shoppers' ids from /admin/users/... paths."""

    def filter(self, record: logging.LogRecord) -> bool:
        if isinstance(record.msg, str):
            record.msg = redact_user_paths(record.msg)
        if isinstance(record.args, tuple):
            record.args = tuple(redact_user_paths(a) if isinstance(a, str) else a for a in record.args)
        elif isinstance(record.args, dict):
            record.args = {k: redact_user_paths(v) if isinstance(v, str) else v for k, v in record.args.items()}
        return True


def uvicorn_log_config() -> dict[str, Any]:
    """uvicorn's default logging, with `RedactUserPaths` on its access log (what `serve` runs with)."""
    import copy

    from uvicorn.config import LOGGING_CONFIG

    config = copy.deepcopy(LOGGING_CONFIG)
    config.setdefault("filters", {})["redact_user_paths"] = {"()": RedactUserPaths}
    for section, name in (("loggers", "uvicorn.access"), ("handlers", "access")):
        entry = config.setdefault(section, {}).setdefault(name, {})
        entry["filters"] = [*entry.get("filters", []), "redact_user_paths"]
    return config

STATIC = Path(__file__).resolve().parent / "static"
API = "/api/v1"
DEFAULT_MAX_IMAGE_BYTES = 5 * 1024 * 1024
MAX_IMAGE_PIXELS = MAX_PHOTO_PIXELS  # a photo's width × height: more is refused, saying so (as the Python API does)

ISSUED_SESSION_ID = re.compile(r"[0-9a-f]{32}")  # what ShoppingAssistant.stream makes when no id is given
IMAGE_TYPES = ("png", "jpeg", "jpg", "webp", "gif", "bmp")
ProductId = Annotated[int, Field(ge=1, le=MAX_SQL_ID, strict=True,  # strict: true is no product id
                                 description="A product's id, as in a reply's products (1 or more).")]


# ----- request bodies ------------------------------------------------------------------------------------
class _ValidText(BaseModel):
    # JSON may carry half an emoji ("\\ud800"): such text cannot be stored or sent back, and a chat message
    # holding one was a 500 (under SSE a stream that stopped with no event)
    @field_validator("*", mode="after")
    @classmethod
    def _whole_characters(cls, value: Any) -> Any:
        if isinstance(value, str) and LONE_SURROGATE.search(value):
            raise ValueError("holds an invalid character (a lone UTF-16 surrogate, half of a character such as an emoji); "
                             "send valid Unicode text")
        return value


class ShopperRequest(_ValidText):
    """Who is asking: every shopper request may name a signed-in shopper (see `shopper_identity`)."""

    # a misspelt field ({"msg": "hi"}) is refused by name, never silently dropped (it answered an empty message)
    model_config = ConfigDict(extra="forbid")

    user_id: str | None = Field(None, max_length=200, description="Signed-in shopper (e-mail or customer id), if any.")
    user_token: str | None = Field(None, max_length=1000, description="The shop's signed token for user_id (see ui/identity.py); "
                                   "required for a signed-in shopper when the server has SHOPASSIST_USER_SECRET.")


class ChatRequest(ShopperRequest):
    message: str = Field("", description="What the shopper typed (up to 4000 characters).")
    session_id: str | None = Field(None, description="Omit to start a conversation; then send back the one returned.")
    image: str | None = Field(None, description="Optional photo for visual search: a base64 data URL (data:image/png;base64,...).")


class FeedbackRequest(ShopperRequest):
    event: str = Field(..., description=f"One of: {', '.join(SHOPPER_EVENTS)}.")
    product_id: ProductId
    session_id: str
    size: str | None = Field(None, max_length=40, description="add_to_cart only: a size the product comes in")
    color: str | None = Field(None, max_length=40, description="add_to_cart only: a colour the product comes in")


class RemoveConstraintRequest(ShopperRequest):
    session_id: str
    field: str = Field(..., description="query, category, gender, brands, colors, sizes, attributes, exclude, min_price, max_price or sort")
    value: str | None = None


class MoreLikeRequest(ShopperRequest):
    session_id: str
    product_id: ProductId


class ImportRequest(_ValidText):
    model_config = ConfigDict(extra="forbid")

    path: str = Field(..., description="A folder or file on the server's disk.")
    format: Literal["eshop", "magento", "csv", "jsonl", "homedepot", "policies"] | None = None
    skip_bad_rows: bool = False
    verify_images: bool = True
    hide_missing: bool = Field(False, description="The source is the whole catalog: hide products it no longer has.")


# the body each endpoint takes: its fields are named when a request sends one it does not know
_BODIES: dict[str, type[BaseModel]] = {
    f"{API}/chat": ChatRequest, f"{API}/feedback": FeedbackRequest,
    f"{API}/refine/remove": RemoveConstraintRequest, f"{API}/refine/more-like": MoreLikeRequest,
    f"{API}/admin/catalog/import": ImportRequest,
}


# ----- helpers -------------------------------------------------------------------------------------------
class BodyLimit:
    """Refuses a request body over `max_body` bytes with 413 before it is parsed: by its Content-Length, or, for a
    chunked body that has none, as soon as the bytes read pass the limit (it was read whole into memory first)."""

    def __init__(self, app: Any, max_body: int, prefix: str) -> None:
        self.app, self.max_body, self.prefix = app, max_body, prefix

    async def __call__(self, scope: Any, receive: Any, send: Any) -> None:
        if scope["type"] != "http" or not scope["path"].startswith(self.prefix):
            await self.app(scope, receive, send)
            return
        length = dict(scope["headers"]).get(b"content-length")
        if length is not None:
            if not length.isdigit():
                await error(400, "bad Content-Length header")(scope, receive, send)
                return
            if int(length) > self.max_body:
                await error(413, f"the request body is too large ({int(length) // 1024} KB; the limit is {self.max_body // 1024} KB)")(
                    scope, receive, send)
                return
            await self.app(scope, receive, send)
            return
        read = 0

        async def counted() -> Any:
            nonlocal read
            message = await receive()
            if message["type"] == "http.request":
                read += len(message.get("body", b""))
                if read > self.max_body:  # (FastAPI passes an HTTPException raised while reading the body on)
                    raise HTTPException(413, f"the request body is too large (over {self.max_body // 1024} KB, the limit)")
            return message

        await self.app(scope, counted, send)


def error(status: int, message: str, headers: dict[str, str] | None = None) -> JSONResponse:
    return JSONResponse({"error": message, "status": status}, status_code=status, headers=headers)


def _plain(value: Any) -> Any:
    if dataclasses.is_dataclass(value) and not isinstance(value, type):
        return {k: _plain(v) for k, v in dataclasses.asdict(value).items()}
    if isinstance(value, dict):
        return {k: _plain(v) for k, v in value.items()}
    if isinstance(value, list | tuple):
        return [_plain(v) for v in value]
    if isinstance(value, Decimal):
        return float(value)
    if isinstance(value, dt.datetime | dt.date):
        return value.isoformat()
    return value


def public_product(product: dict[str, Any]) -> dict[str, Any]:
    """A product (card or catalog facts) as the HTTP API sends it: `image` (a file path on this server, or a URL)
    is replaced by `image_url`, the public link to the photo, so no response reveals the server's files."""
    out: dict[str, Any] = {}
    for key, value in product.items():
        if key == "image":
            out["image_url"] = image_url(product["id"]) if value else None
        else:
            out[key] = value
    return out


def public_json(payload: dict[str, Any]) -> dict[str, Any]:
    """A reply or event as the HTTP API sends it: every product in it through `public_product`."""
    products = payload.get("products")
    if isinstance(products, list):
        return {**payload, "products": [public_product(p) if isinstance(p, dict) else p for p in products]}
    return payload


def _readable(errors: Any, fields: Sequence[str] = ()) -> str:
    parts = []
    for err in errors:
        loc = ".".join(str(x) for x in err.get("loc", ()) if x != "body") or "body"
        if err.get("type") == "json_invalid":
            parts.append(f"the request body is not valid JSON ({err.get('ctx', {}).get('error', 'parse error')})")
        elif err.get("type") == "missing":
            parts.append(f"'{loc}' is required")
        elif err.get("type") == "extra_forbidden":
            parts.append(f"unknown field '{loc}'" + (f" (this endpoint takes: {', '.join(fields)})" if fields else ""))
        else:
            parts.append(f"'{loc}': {err.get('msg', 'invalid value')}")
    return "; ".join(parts) or "invalid request"


def decode_image(data_url: str, max_bytes: int) -> Any:
    """A base64 data URL -> an RGB PIL image; AssistantInputError / HTTPException(413) on anything else."""
    m = re.match(r"^data:([\w.+-]+/[\w.+-]+)?(;[\w=.+-]+)*?;base64,", data_url[:200])
    if not m:
        raise AssistantInputError("'image' must be a base64 data URL like data:image/jpeg;base64,...")
    payload = data_url[m.end():]
    if len(payload) * 3 // 4 > max_bytes + 3:
        raise HTTPException(413, f"the image is too large (the limit is {max_bytes // 1024} KB)")
    try:
        raw = base64.b64decode(payload, validate=True)
    except (binascii.Error, ValueError):
        raise AssistantInputError("'image' is not valid base64") from None
    if len(raw) > max_bytes:
        raise HTTPException(413, f"the image is too large ({len(raw) // 1024} KB; the limit is {max_bytes // 1024} KB)")
    from PIL import Image, UnidentifiedImageError

    from catalog.images import ImageTooLargeError, open_image

    try:
        # a readable photo with too many pixels says so, with its size and the limit (not "not readable")
        with open_image(raw, max_pixels=MAX_IMAGE_PIXELS) as probe:
            fmt = (probe.format or "").lower()
            probe.verify()
        if fmt not in IMAGE_TYPES:
            raise AssistantInputError(f"unsupported image type '{fmt}'; send PNG, JPEG, WebP, GIF or BMP")
        img = open_image(raw, max_pixels=MAX_IMAGE_PIXELS)
        return img.convert("RGB")
    except ImageTooLargeError as exc:
        raise AssistantInputError(str(exc)) from None
    except (UnidentifiedImageError, OSError, SyntaxError, Image.DecompressionBombError):
        raise AssistantInputError("the upload is not a readable image (PNG, JPEG, WebP, GIF or BMP)") from None


def _sse(payload: dict[str, Any], event: str | None = None) -> str:
    head = f"event: {event}\n" if event else ""
    return head + "data: " + json.dumps(payload, ensure_ascii=False, default=str) + "\n\n"


def started(turn: Iterator[Any]) -> tuple[Any, Iterator[Any]]:
    """(first event, the rest) of a turn that runs in a thread of its own, to its end, even if the shopper
    leaves mid-reply. The first event is awaited here so input errors still become a JSON error response.
    The whole turn runs in that one thread (the conversation's lock knows which thread holds it)."""
    events = finished_anyway(turn)
    return next(events), events


def sse_turn(first: Any, events: Iterator[Any]) -> Iterator[str]:
    """The turn as Server-Sent Events: `first`, then the rest of `events` (read from `finished_anyway`, so
    the turn runs to its end even if the shopper closes the page and the web server stops reading)."""

    def write() -> Iterator[str]:
        yield _sse(public_json(event_to_json(first)), first.type)
        try:
            for ev in events:
                yield _sse(public_json(event_to_json(ev)), ev.type)
        except AssistantInputError as exc:
            yield _sse({"type": "error", "error": str(exc)}, "error")
        except Exception:
            log.exception("chat stream failed")
            yield _sse({"type": "error", "error": "internal error; the server log has the details"}, "error")

    return write()


def _db_url(assistant: ShoppingAssistant) -> str:
    return assistant.db.engine.url.render_as_string(hide_password=False)


def export_user(assistant: ShoppingAssistant, user_id: str) -> dict[str, Any]:
    """Everything stored about one shopper: conversations (state and turns) and logged events."""
    return assistant.sessions.export_user(user_id)


# ----- the app -------------------------------------------------------------------------------------------
def create_app(
    assistant: ShoppingAssistant,
    *,
    admin_api_key: str | None = None,
    rate_limit: RateLimit | None = RateLimit(),
    max_image_bytes: int = DEFAULT_MAX_IMAGE_BYTES,
    cors_origins: list[str] | None = None,
    ui: bool = True,
    trust_forwarded_for: bool = False,
    user_secret: str | None = None,
) -> FastAPI:
    """The service over `assistant`. `admin_api_key=None` disables the admin endpoints; `rate_limit=None`
    disables rate limiting; `ui=False` leaves out the Gradio chat (API, widget and demo page only).
    `cors_origins` (default: any) are the shop origins allowed to call the shopper API from a browser.
    `user_secret`: with it, a shopper's `user_id` counts only with the shop's signed `user_token`
    (ui/identity.py); without it, a `user_id` personalises but never unlocks private data (orders)."""
    app = FastAPI(
        title="shopassist",
        version="1",
        description="Conversational shopping assistant over your own catalog: chat (JSON or Server-Sent Events), "
        "feedback, products, and admin endpoints (header X-API-Key).",
    )
    app.state.assistant = assistant
    buckets = TokenBuckets(rate_limit) if rate_limit is not None else None
    max_body = max_image_bytes * 4 // 3 + 256 * 1024

    app.add_middleware(
        CORSMiddleware,
        allow_origins=cors_origins if cors_origins is not None else ["*"],
        allow_methods=["GET", "POST"],
        allow_headers=["Content-Type", "Accept"],  # not X-API-Key: the admin API is not for browsers on other sites
    )

    app.add_middleware(BodyLimit, max_body=max_body, prefix=API)

    # ----- error handlers: always JSON, never a traceback --------------------------------------------------
    @app.exception_handler(RequestValidationError)
    async def on_validation(request: Request, exc: RequestValidationError) -> JSONResponse:
        kind = request.headers.get("content-type", "").split(";")[0].strip().lower()
        if request.method == "POST" and kind != "application/json" and any(e.get("loc") == ("body",) for e in exc.errors()):
            # curl's -d sends application/x-www-form-urlencoded: the body was never read as JSON
            return error(415, f"send the body as JSON with the header Content-Type: application/json (got '{kind or 'none'}')")
        model = _BODIES.get(request.url.path)
        return error(422, _readable(exc.errors(), list(model.model_fields) if model else ()))

    @app.exception_handler(AssistantInputError)
    async def on_input(request: Request, exc: AssistantInputError) -> JSONResponse:
        return error(exc.status, str(exc))  # 400; 403 someone else's conversation; 409 a lost race

    @app.exception_handler(StarletteHTTPException)
    async def on_http(request: Request, exc: StarletteHTTPException) -> JSONResponse:
        message = exc.detail if isinstance(exc.detail, str) else "request failed"
        if exc.status_code == 404 and message == "Not Found":
            message = f"no such endpoint: {request.method} {request.url.path} (see /docs)"
        if exc.status_code == 405:
            message = f"{request.method} is not allowed on {request.url.path} (see /docs)"
        if exc.status_code == 400 and message == "There was an error parsing the body":  # FastAPI's words for bytes
            message = "the request body could not be read as JSON text: send JSON encoded as UTF-8"  # json cannot decode
        return error(exc.status_code, message, headers=getattr(exc, "headers", None))

    @app.exception_handler(Exception)
    async def on_crash(request: Request, exc: Exception) -> JSONResponse:
        log.exception("unhandled error on %s %s", request.method, redact_user_paths(request.url.path))
        return error(500, "internal error; the server log has the details")

    # ----- dependencies ----------------------------------------------------------------------------------
    def client_key(request: Request) -> str:
        if trust_forwarded_for:
            fwd = request.headers.get("x-forwarded-for")
            if fwd:
                return fwd.split(",")[0].strip()
        return request.client.host if request.client else "unknown"

    def rate_limited(request: Request) -> None:
        if buckets is None:
            return
        wait = buckets.take(client_key(request))
        if wait > 0:
            raise HTTPException(
                429,
                f"too many requests from your address; retry in {retry_after_header(wait)} s",
                headers={"Retry-After": retry_after_header(wait)},
            )

    def admin(x_api_key: str | None = Header(None, description="The admin API key.")) -> None:
        if not admin_api_key:
            raise HTTPException(403, "the admin API is disabled: start the server with --admin-key or SHOPASSIST_ADMIN_KEY")
        if not x_api_key:
            raise HTTPException(401, "missing X-API-Key header", headers={"WWW-Authenticate": "ApiKey"})
        if not hmac.compare_digest(x_api_key.encode(), admin_api_key.encode()):
            raise HTTPException(401, "wrong API key", headers={"WWW-Authenticate": "ApiKey"})

    def check_session(session_id: str | None, *, must_exist: bool) -> None:
        if session_id is None:
            return
        if not SESSION_ID_RE.match(session_id):
            raise AssistantInputError("'session_id' must be 1-128 letters, digits or _ . : -")
        # only ids of the server's own form (uuid4 hex, 128 random bits): a session the Python API or `shopassist
        # chat` opened under a chosen name ("s1") is no business of a browser that guesses that name
        if must_exist and not (ISSUED_SESSION_ID.fullmatch(session_id) and assistant.sessions.exists(session_id)):
            raise HTTPException(
                404, f"unknown session_id '{session_id}': it expired or never existed; omit session_id to start a new conversation"
            )

    def shopper_identity(body: ShopperRequest) -> tuple[str | None, bool]:
        """(user id, verified) of a request: a valid signed token verifies it; a bare user_id is a claim."""
        claimed, token = body.user_id, body.user_token
        if token:
            if not user_secret:
                raise AssistantInputError("this server does not check user tokens (no SHOPASSIST_USER_SECRET): send user_id only")
            try:
                uid = verify_user_token(token, user_secret)
            except UserTokenError as exc:
                raise HTTPException(401, str(exc)) from None
            if claimed and claimed.strip().lower() != uid.strip().lower():
                raise HTTPException(401, "user_id and user_token name different shoppers: send the token alone")
            return uid, True
        if claimed and user_secret:
            raise HTTPException(
                401, "this server trusts a signed-in shopper only with the shop's signed user_token; send it with "
                "user_id, or send neither for a guest"
            )
        return claimed, False

    def known_id(product_id: int) -> int:
        """A product id from a URL; 404 for one no product can have (0, negative, beyond SQL's integers)."""
        if not storable_id(product_id):
            raise HTTPException(404, f"unknown product id {product_id}")
        return product_id

    shopper = [Depends(rate_limited)]

    # ----- shopper endpoints -----------------------------------------------------------------------------
    @app.post(
        f"{API}/chat",
        dependencies=shopper,
        tags=["shopper"],
        summary="One chat turn (JSON, or Server-Sent Events with Accept: text/event-stream)",
        responses={200: {"content": {"text/event-stream": {}}}, 400: {}, 404: {}, 413: {}, 422: {}, 429: {}},
    )
    def chat(body: ChatRequest, request: Request) -> Any:
        check_session(body.session_id, must_exist=True)
        image = decode_image(body.image, max_image_bytes) if body.image else None
        if image is not None and not getattr(assistant, "image_search_available", False):
            status = getattr(assistant, "image_status", "no image index")
            raise AssistantInputError(f"photo search is not available on this server ({status}); send text only")
        user_id, verified = shopper_identity(body)
        kwargs: dict[str, Any] = {"session_id": body.session_id, "user_id": user_id, "image": image, "user_verified": verified}
        if "text/event-stream" not in request.headers.get("accept", ""):
            return public_json(assistant.chat(body.message, **kwargs).to_json())
        first, events = started(assistant.stream(body.message, **kwargs))
        return StreamingResponse(sse_turn(first, events), media_type="text/event-stream",
                                 headers={"Cache-Control": "no-cache", "X-Accel-Buffering": "no"})

    @app.post(f"{API}/feedback", dependencies=shopper, tags=["shopper"], summary="Log like / dislike / click / add_to_cart ...")
    def feedback(body: FeedbackRequest) -> Any:
        if body.event not in SHOPPER_EVENTS:  # ("impression" is the assistant's own record of what a search showed)
            raise AssistantInputError(f"unknown event '{body.event}'; use one of {', '.join(SHOPPER_EVENTS)}")
        check_session(body.session_id, must_exist=True)
        if assistant.repo.get(body.product_id) is None:
            raise HTTPException(404, f"unknown product id {body.product_id}")
        user_id, verified = shopper_identity(body)
        if not assistant.feedback(body.event, body.product_id, session_id=body.session_id, user_id=user_id,
                                  user_verified=verified, size=body.size, color=body.color):
            return error(409, f"product {body.product_id} is not in this conversation's cart; nothing was removed")
        state = assistant.sessions.load(body.session_id, user_id, verified=verified)
        return {"ok": True, "event": body.event, "product_id": body.product_id, "cart": state.cart}

    @app.post(f"{API}/refine/remove", dependencies=shopper, tags=["shopper"], summary="Search again without one constraint (an intent chip)")
    def refine_remove(body: RemoveConstraintRequest) -> dict[str, Any]:
        check_session(body.session_id, must_exist=True)
        user_id, verified = shopper_identity(body)
        return public_json(remove_constraint(assistant, session_id=body.session_id, field=body.field, value=body.value,
                                             user_id=user_id, user_verified=verified).to_json())

    @app.post(f"{API}/refine/more-like", dependencies=shopper, tags=["shopper"], summary="More products like this one")
    def refine_more_like(body: MoreLikeRequest) -> dict[str, Any]:
        check_session(body.session_id, must_exist=True)
        if assistant.repo.get(body.product_id) is None:
            raise HTTPException(404, f"unknown product id {body.product_id}")
        user_id, verified = shopper_identity(body)
        return public_json(more_like(assistant, session_id=body.session_id, product_id=body.product_id, user_id=user_id,
                                     user_verified=verified).to_json())

    @app.get(f"{API}/products/{{product_id}}", dependencies=shopper, tags=["shopper"], summary="One product's catalog facts",
             description="`image_url` links to the photo (null: none); no response carries a file path on the server.")
    def product(product_id: int) -> dict[str, Any]:
        found = assistant.repo.get_many([known_id(product_id)], matching=ProductFilter())  # not one taken off sale
        p = found[0] if found else None
        if p is None:
            raise HTTPException(404, f"unknown product id {product_id}")
        # each size and colour with its own price and stock: what a shop page needs to offer the right ones
        return {**public_product(_plain(p)), "variants": _plain(assistant.repo.variants(p))}

    @app.get(f"{API}/products/{{product_id}}/image", tags=["shopper"], summary="A product's photo (only files the catalog references)")
    def product_image(product_id: int, n: int = 0) -> Response:
        images = assistant.repo.images(known_id(product_id))
        if not images:
            p = assistant.repo.get(product_id)
            images = [(p.image, None)] if p is not None and p.image else []
        if not images:
            raise HTTPException(404, f"product {product_id} has no photo")
        if not 0 <= n < len(images):
            raise HTTPException(404, f"product {product_id} has {len(images)} photo(s); n must be 0..{len(images) - 1}")
        uri = images[n][0]
        if uri.startswith(("http://", "https://")):
            return RedirectResponse(uri, status_code=307)
        path = Path(uri[7:] if uri.startswith("file://") else uri)
        media = mimetypes.guess_type(path.name)[0] or ""
        if not path.is_file() or not media.startswith("image/"):
            raise HTTPException(404, f"the photo of product {product_id} is missing on the server")
        return FileResponse(path, media_type=media, headers={"Cache-Control": "public, max-age=3600"})

    @app.get(f"{API}/health", tags=["service"], summary="Liveness and what this server can do")
    def health() -> dict[str, Any]:
        return {
            "status": "ok",
            "products": assistant.repo.count(),
            "image_search": bool(getattr(assistant, "image_search_available", False)),
            "search": type(assistant.searcher).__name__,
            "intent_parser": type(assistant.parser).__name__,
        }

    # ----- admin endpoints -------------------------------------------------------------------------------
    admin_deps = [Depends(admin)]

    @app.post(f"{API}/admin/catalog/import", dependencies=admin_deps, tags=["admin"], summary="Import a catalog source from the server's disk")
    def admin_import(body: ImportRequest) -> dict[str, Any]:
        from catalog.records import CatalogImportError
        from catalog.service import import_source

        try:
            result = import_source(
                assistant.db, Path(body.path), body.format, skip_bad_rows=body.skip_bad_rows,
                verify_images=body.verify_images, progress=False, hide_missing=body.hide_missing,
            )
        except CatalogImportError as exc:
            # What is wrong, where and how to fix it, but never text read from the file: the caller may name any
            # file the server can read. The CLI (whose user owns the file) shows the offending text too.
            hidden = exc.public != exc.message
            raise AssistantInputError(
                exc.public_str() + (" (`shopassist catalog import` on the server shows the text it read)" if hidden else "")
            ) from None
        _search_changed()
        return {
            "format": result.format,
            "stats": result.stats.as_dict(public=True),
            "seconds": round(result.parse_seconds + result.write_seconds, 2),
            "note": "restart the server so the intent parser learns new brands, colours and categories",
        }

    @app.post(f"{API}/admin/reindex", dependencies=admin_deps, tags=["admin"], summary="Update the search index from the catalog (needs retrieval)",
              description="What `shopassist index` does: new, changed and deleted products are (re-)embedded with the "
                          "embedder this server searches with. The answer counts them per collection.")
    def admin_reindex() -> Any:
        try:
            from retrieval.indexer import update_index
            from retrieval.vector_index import VectorIndexError
        except ImportError:
            return error(501, "re-indexing needs the retrieval package's indexer, which is not installed in this build")
        # the model this server already loaded: a second copy would cost memory, another model a mismatch
        embedder = getattr(assistant.searcher, "embedder", None)
        try:
            reports = update_index(_db_url(assistant), embedder=embedder)
        except VectorIndexError as exc:
            return error(409, f"{exc} (rebuild it on the server with `shopassist index --rebuild`, then restart)")
        except Exception as exc:
            if not type(exc).__module__.startswith("chromadb"):
                raise
            # e.g. `shopassist index` writing the same store right now: what was written stays (every batch is
            # whole), and a retry once it is done finishes the job
            log.exception("re-index failed in Chroma")
            return error(503, "the search index could not be updated (the server log has the details); if "
                              "`shopassist index` is running on this store, retry when it is done")
        _search_changed()
        # counts only: an unreadable photo's reason may name a file on the server
        fields = ("collection", "model_id", "added", "updated", "deleted", "unchanged", "failed", "seconds")
        return {"ok": True, "collections": [{k: getattr(r, k) for k in fields} for r in reports]}

    def _search_changed() -> None:
        invalidate = getattr(assistant.searcher, "invalidate", None)
        if callable(invalidate):
            invalidate()

    @app.get(f"{API}/admin/users/{{user_id}}/export", dependencies=admin_deps, tags=["admin"], summary="Export one shopper's data")
    def admin_export(user_id: str) -> dict[str, Any]:
        return export_user(assistant, user_id)

    @app.delete(f"{API}/admin/users/{{user_id}}", dependencies=admin_deps, tags=["admin"], summary="Delete one shopper's data")
    def admin_delete(user_id: str) -> dict[str, Any]:
        return {"user_id": user_id, "deleted": assistant.sessions.delete_user(user_id)}

    # ----- widget and pages ------------------------------------------------------------------------------
    @app.get("/widget.js", include_in_schema=False)
    def widget_js() -> FileResponse:
        return FileResponse(STATIC / "widget.js", media_type="application/javascript", headers={"Cache-Control": "no-cache"})

    @app.get("/widget-demo", include_in_schema=False)
    def widget_demo() -> FileResponse:
        return FileResponse(STATIC / "widget-demo.html", media_type="text/html")

    if ui:
        import gradio as gr

        from ui.gradio_app import CSS, THEME, build_blocks

        gr.mount_gradio_app(
            app, build_blocks(assistant, ask_user=not user_secret), path="/ui", ssr_mode=False, theme=THEME, css=CSS,
            max_file_size=max_image_bytes, footer_links=[],
        )

        @app.get("/", include_in_schema=False)
        def root() -> RedirectResponse:
            return RedirectResponse("/ui/")
    else:

        @app.get("/", include_in_schema=False)
        def root_api() -> dict[str, str]:
            return {"docs": "/docs", "widget_demo": "/widget-demo", "api": API}

    return app


def identity_warning(host: str, user_secret: str | None) -> str | None:
    """What to tell an operator who serves other machines without signed shopper ids."""
    if user_secret or host in ("127.0.0.1", "localhost", "::1"):
        return None
    return (
        "shopassist: warning: SHOPASSIST_USER_SECRET is not set, so a visitor can send any user_id and get that "
        "shopper's personalised ranking (never their orders). Set it, and sign ids in the shop, before serving shoppers."
    )


def serve(
    db_url: str | None = None,
    host: str = "127.0.0.1",
    port: int = 7860,
    llm: str = "embedded",
    *,
    llm_url: str | None = None,
    llm_model: str | None = None,
    search: str = "auto",
    admin_key: str | None = None,
    rate_limit: RateLimit | None = RateLimit(),
    log_level: str = "info",
) -> None:
    """Build the assistant once, then serve the API, the chat UI and the widget until interrupted."""
    os.environ["GRADIO_ANALYTICS_ENABLED"] = "False"
    os.environ["HF_HUB_OFFLINE"] = "1"
    import uvicorn

    assistant = ShoppingAssistant.from_config(db_url, llm=llm, llm_url=llm_url, llm_model=llm_model, search=search)
    app = create_app(assistant, admin_api_key=admin_key or os.environ.get("SHOPASSIST_ADMIN_KEY") or None, rate_limit=rate_limit,
                     user_secret=os.environ.get("SHOPASSIST_USER_SECRET") or None)
    warning = identity_warning(host, os.environ.get("SHOPASSIST_USER_SECRET"))
    if warning:
        print(warning, file=sys.stderr)
    shown = "localhost" if host in ("0.0.0.0", "::") else host
    print(f"shopassist: chat http://{shown}:{port}/ui/  API docs http://{shown}:{port}/docs  widget demo http://{shown}:{port}/widget-demo")
    # the access log names every request's path: shoppers' ids in admin paths are replaced by <user>
    uvicorn.run(app, host=host, port=port, log_level=log_level, log_config=uvicorn_log_config())
