"""Errors a caller can act on. Each says what to do; `status` is the HTTP status the API answers with."""

from __future__ import annotations


class AssistantInputError(ValueError):
    """A bad request from the caller (empty message, unknown product...): the message says what to do."""

    status = 400


class SessionOwnerError(AssistantInputError):
    """The conversation belongs to a signed-in shopper and this request is not signed in as them."""

    status = 403


class SessionBusyError(AssistantInputError):
    """Another message in the same conversation was saved first (two processes answered at once); nothing
    of this turn was saved, so sending it again is safe."""

    status = 409


class OutOfStockError(AssistantInputError):
    """The cart already holds every unit the shop has of that product (in that size and colour)."""

    status = 409
