"""Who the shopper is, as the shop vouches for it.

The HTTP API is called from shoppers' browsers, so a `user_id` in a request body is only a claim: anyone
could send someone else's e-mail and read their orders or steer their recommendations. The shop's own
server knows who is signed in; it signs the id with a secret it shares with shopassist
(`SHOPASSIST_USER_SECRET`) and puts the token in the page (the widget's `data-user-token`).

Token: ``base64url(user_id) "." expiry (unix seconds) "." hex(HMAC-SHA256(secret, base64url(user_id) "." expiry))``.
Any language can make one; `sign_user` and `shopassist user-token` do it here.
"""

from __future__ import annotations

import base64
import binascii
import hashlib
import hmac
import time

DEFAULT_TTL_S = 24 * 3600


class UserTokenError(ValueError):
    """A user token that cannot be trusted; the message says why and what to do."""


def _mac(secret: str, payload: str) -> str:
    return hmac.new(secret.encode(), payload.encode(), hashlib.sha256).hexdigest()


def sign_user(user_id: str, secret: str, *, ttl_s: int = DEFAULT_TTL_S, now: float | None = None) -> str:
    if not user_id:
        raise ValueError("user_id is empty")
    if not secret:
        raise ValueError("the secret is empty: set SHOPASSIST_USER_SECRET")
    encoded = base64.urlsafe_b64encode(user_id.encode()).decode().rstrip("=")
    payload = f"{encoded}.{int((time.time() if now is None else now) + ttl_s)}"
    return f"{payload}.{_mac(secret, payload)}"


def verify_user_token(token: str, secret: str, *, now: float | None = None) -> str:
    """The user id the token vouches for; raises UserTokenError when it is malformed, forged or expired."""
    parts = (token or "").split(".")
    if len(parts) != 3 or not parts[1].isdigit():
        raise UserTokenError("user_token is malformed: it must be <base64url id>.<expiry>.<signature>, made by the shop's server")
    encoded, expiry, mac = parts
    if not token.isascii():
        raise UserTokenError("user_token is malformed: it must be ASCII, as the shop's server makes it")
    if not hmac.compare_digest(mac, _mac(secret, f"{encoded}.{expiry}")):
        raise UserTokenError("user_token's signature does not match: sign it with this server's SHOPASSIST_USER_SECRET")
    if int(expiry) < (time.time() if now is None else now):
        raise UserTokenError("user_token has expired: the shop's page must ask its server for a fresh one")
    try:
        return base64.urlsafe_b64decode(encoded + "=" * (-len(encoded) % 4)).decode()
    except (binascii.Error, UnicodeDecodeError):
        raise UserTokenError("user_token's id part is not base64url UTF-8") from None
