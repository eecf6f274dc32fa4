"""shopassist's assistant: `from assistant import ShoppingAssistant`.

Exported lazily so `import assistant` (e.g. by the CLI) stays cheap.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from assistant.agent import ShoppingAssistant
    from assistant.errors import AssistantInputError, OutOfStockError, SessionBusyError, SessionOwnerError
    from assistant.events import ChatReply, ProductCard

__all__ = ["AssistantInputError", "ChatReply", "OutOfStockError", "ProductCard", "SessionBusyError", "SessionOwnerError",
           "ShoppingAssistant"]


def __getattr__(name: str) -> Any:
    if name == "ShoppingAssistant":
        from assistant.agent import ShoppingAssistant

        return ShoppingAssistant
    if name in ("AssistantInputError", "OutOfStockError", "SessionBusyError", "SessionOwnerError"):
        from assistant import errors

        return getattr(errors, name)
    if name in ("ChatReply", "ProductCard"):
        from assistant import events

        return getattr(events, name)
    raise AttributeError(f"module 'assistant' has no attribute {name!r}")
