"""What the shopper wants, as one validated structure (`ShoppingIntent`).

The LLM fills it under JSON-schema constrained decoding (`INTENT_JSON_SCHEMA`, deliberately short: long schemas
hurt the 0.5B default model); `assistant.vocabulary.normalize_intent` then grounds it in the catalog and the text.
"""

from __future__ import annotations

import json
import re
from typing import Any, Literal

from pydantic import BaseModel, ConfigDict, Field, field_validator

Kind = Literal["search", "refine", "question", "compare", "cart", "order_status", "policy", "chitchat", "other"]
Gender = Literal["women", "men", "kids", "unisex"]
Sort = Literal["relevance", "price_asc", "price_desc", "rating", "newest"]

KINDS: tuple[str, ...] = Kind.__args__  # type: ignore[attr-defined]
GENDERS: tuple[str, ...] = Gender.__args__  # type: ignore[attr-defined]
SORTS: tuple[str, ...] = Sort.__args__  # type: ignore[attr-defined]

LIST_FIELDS = ("brands", "colors", "sizes", "attributes", "exclude")


class ShoppingIntent(BaseModel):
    """One user message's meaning (or, after `dialogue.merge`, the whole conversation's current need)."""

    model_config = ConfigDict(extra="ignore")

    kind: Kind = "search"
    query: str = ""  # the product need in words ("trail running shoes")
    category: str | None = None
    brands: list[str] = Field(default_factory=list)
    min_price: float | None = None
    max_price: float | None = None
    colors: list[str] = Field(default_factory=list)
    sizes: list[str] = Field(default_factory=list)
    gender: Gender | None = None
    attributes: list[str] = Field(default_factory=list)  # wanted qualities ("waterproof", "lightweight")
    exclude: list[str] = Field(default_factory=list)  # unwanted things ("leather", "Black")
    sort: Sort = "relevance"
    # only products whose special price applies today ("any bags on sale?"): set from the text by code, never
    # asked of the model (its schema stays short)
    on_sale: bool = False
    # must-haves the catalog can check exactly, as the English words its names and attribute values use ("they need
    # to be waterproof": "waterproof"): a hard filter (`attributes` are soft wishes), set from the text by code
    required: list[str] = Field(default_factory=list)
    order_id: str | None = None
    references: list[int] = Field(default_factory=list)  # 1-based positions of shown products; -1 = last

    @field_validator("brands", "colors", "sizes", "attributes", "exclude", "required", mode="before")
    @classmethod
    def _listify(cls, v: Any) -> Any:
        if v is None:
            return []
        if isinstance(v, str):
            return [v] if v.strip() else []
        if isinstance(v, list):
            return [str(x).strip() for x in v if x is not None and str(x).strip()]
        return v

    @field_validator("references", mode="before")
    @classmethod
    def _refs(cls, v: Any) -> Any:
        if v is None:
            return []
        if isinstance(v, int | str):
            v = [v]
        out = []
        for x in v:
            try:
                n = int(x)
            except (TypeError, ValueError):
                continue
            if n != 0:
                out.append(n)
        return out

    @field_validator("category", "order_id", mode="before")
    @classmethod
    def _blank_none(cls, v: Any) -> Any:
        if isinstance(v, str) and (not v.strip() or v.strip().lower() in {"null", "none", "n/a"}):
            return None
        return v.strip() if isinstance(v, str) else v

    @field_validator("gender", mode="before")
    @classmethod
    def _gender(cls, v: Any) -> Any:
        if isinstance(v, str):
            s = v.strip().lower()
            aliases = {"woman": "women", "female": "women", "man": "men", "male": "men", "kid": "kids",
                       "children": "kids", "child": "kids", "": None, "null": None, "none": None}
            return aliases.get(s, s) if s in aliases or s in GENDERS else None
        return v

    @field_validator("sort", mode="before")
    @classmethod
    def _sort(cls, v: Any) -> Any:
        if v is None or (isinstance(v, str) and v.strip().lower() not in SORTS):
            return "relevance"
        return v.strip().lower()

    @field_validator("kind", mode="before")
    @classmethod
    def _kind(cls, v: Any) -> Any:
        if isinstance(v, str) and v.strip().lower() in KINDS:
            return v.strip().lower()
        return "other" if v is not None else "search"

    @field_validator("min_price", "max_price", mode="before")
    @classmethod
    def _price(cls, v: Any) -> Any:
        if isinstance(v, str):
            m = re.search(r"\d+(?:\.\d+)?", v.replace(",", ""))
            return float(m.group()) if m else None
        if isinstance(v, int | float) and v <= 0:
            return None
        return v

    def to_json(self) -> str:
        return json.dumps(self.model_dump(), ensure_ascii=False)


_STR_LIST = {"type": "array", "items": {"type": "string"}, "maxItems": 4}

# Compact on purpose: only kind and query are required; the model omits empty fields (fewer tokens, fewer
# invented values). Property order is generation order.
INTENT_JSON_SCHEMA: dict[str, Any] = {
    "type": "object",
    "properties": {
        "kind": {"enum": list(KINDS)},
        "query": {"type": "string"},
        "category": {"type": "string"},
        "brands": _STR_LIST,
        "colors": _STR_LIST,
        "sizes": _STR_LIST,
        "gender": {"enum": list(GENDERS)},
        "min_price": {"type": "number"},
        "max_price": {"type": "number"},
        "attributes": _STR_LIST,
        "exclude": _STR_LIST,
        "sort": {"enum": list(SORTS)},
        "order_id": {"type": "string"},
        "references": {"type": "array", "items": {"type": "integer"}, "maxItems": 4},
    },
    "required": ["kind", "query"],
    "additionalProperties": False,
}


def intent_response_format() -> dict[str, Any]:
    """OpenAI-style `response_format` for constrained decoding of an intent."""
    return {"type": "json_schema", "json_schema": {"name": "intent", "strict": True, "schema": INTENT_JSON_SCHEMA}}


class IntentDecodeError(ValueError):
    """The model's reply is not a valid intent."""


def intent_from_json(text: str) -> ShoppingIntent:
    """Parse a model reply (tolerating ``` fences and text around one JSON object) into a ShoppingIntent."""
    s = text.strip()
    fence = re.search(r"```(?:json)?\s*(.*?)```", s, re.S)
    if fence:
        s = fence.group(1).strip()
    if not s.startswith("{"):
        start, end = s.find("{"), s.rfind("}")
        if start < 0 or end <= start:
            raise IntentDecodeError(f"no JSON object in reply: {text[:200]!r}")
        s = s[start : end + 1]
    try:
        data = json.loads(s)
    except json.JSONDecodeError as exc:
        raise IntentDecodeError(f"invalid JSON ({exc.msg} at {exc.pos}): {text[:200]!r}") from exc
    if not isinstance(data, dict):
        raise IntentDecodeError(f"expected a JSON object, got {type(data).__name__}")
    if "kind" not in data:
        raise IntentDecodeError("reply lacks 'kind'")
    try:
        return ShoppingIntent.model_validate(data)
    except Exception as exc:  # pydantic.ValidationError
        raise IntentDecodeError(str(exc)) from exc
