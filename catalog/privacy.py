"""Pseudonymous shopper ids for the interaction log.

Logged events (views, likes, carts) feed popularity, the click model and a shopper's history, none of
which needs to know who the shopper is. So `interactions.user_id` holds `HMAC-SHA256(log key, id)`,
never the id a shop passed in (often an e-mail). The key is made once per catalog (migration 0005)
and kept in `catalog_state`, so every process on the same database computes the same pseudonym;
an export of the interaction table alone names nobody. Ids are compared case-insensitively, as
e-mails are: "Ann@Shop.com" and "ann@shop.com" are one shopper.
"""

from __future__ import annotations

import hashlib
import hmac
import re
import secrets

from sqlalchemy import select
from sqlalchemy.orm import Session

from catalog.models import CatalogState

PSEUDONYM_PREFIX = "p_"


def new_log_key() -> str:
    return secrets.token_hex(32)


def normalize_user_id(user_id: str) -> str:
    return user_id.strip().lower()


def pseudonymize(key: str, user_id: str) -> str:
    """The stable pseudonym of `user_id` under `key` (42 characters)."""
    digest = hmac.new(bytes.fromhex(key), normalize_user_id(user_id).encode("utf-8"), hashlib.sha256).hexdigest()
    return PSEUDONYM_PREFIX + digest[:40]


def log_key(session: Session) -> str:
    """This catalog's key, made on first use where the migration found no state row to put it in."""
    state = session.scalar(select(CatalogState).where(CatalogState.id == 1))
    if state is None:
        state = CatalogState(id=1, version=0)
        session.add(state)
    if not state.log_key:
        state.log_key = new_log_key()
        session.flush()
    return state.log_key


def catalog_identity(session: Session) -> str:
    """A stable id of this catalog (which search index belongs to it): one-way from the catalog's key, so it
    tells nothing of the key."""
    return hashlib.sha256(("catalog-identity:" + log_key(session)).encode()).hexdigest()[:16]


def user_pseudonym(session: Session, user_id: str) -> str:
    return pseudonymize(log_key(session), user_id)


# what a shopper may type about themselves into a search box ("my email is ann@shop.com, call 555-010-0200")
_EMAIL = re.compile(r"[\w.+-]+@[\w-]+(?:\.[\w-]+)+")
_PHONE = re.compile(r"(?<![\w$€£¥.,])\+?\d[\d\s().-]{6,}\d(?![\w%])")


def redact_contact(text: str | None) -> str | None:
    """`text` with e-mail addresses and phone or card numbers replaced by [email] / [number], so the interaction
    log (which keeps what was searched) never holds them; prices ("under 40"), sizes and model numbers stay."""
    if not text:
        return text
    text = _EMAIL.sub("[email]", text)
    return _PHONE.sub(lambda m: "[number]" if sum(c.isdigit() for c in m.group(0)) >= 7 else m.group(0), text)
