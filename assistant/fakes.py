"""Test doubles: a LangChain chat model that replies with scripted strings (no model, no network)."""

from __future__ import annotations

import json
from typing import Any

from langchain_core.callbacks import CallbackManagerForLLMRun
from langchain_core.language_models import BaseChatModel
from langchain_core.messages import AIMessage, BaseMessage
from langchain_core.outputs import ChatGeneration, ChatResult


class ScriptedChatModel(BaseChatModel):
    """Returns `responses` in order (dicts are JSON-encoded); records each call's messages and options.

    When the script runs out it repeats the last response (or raises if `strict=True`).
    """

    responses: list[Any]
    strict: bool = False
    calls: list[dict[str, Any]] = []

    @property
    def _llm_type(self) -> str:
        return "scripted"

    def _generate(
        self,
        messages: list[BaseMessage],
        stop: list[str] | None = None,
        run_manager: CallbackManagerForLLMRun | None = None,
        **kwargs: Any,
    ) -> ChatResult:
        i = len(self.calls)
        self.calls.append({"messages": list(messages), "kwargs": dict(kwargs)})
        if i >= len(self.responses):
            if self.strict or not self.responses:
                raise RuntimeError(f"ScriptedChatModel: no response scripted for call {i + 1}")
            i = len(self.responses) - 1
        r = self.responses[i]
        text = r if isinstance(r, str) else json.dumps(r, ensure_ascii=False)
        return ChatResult(generations=[ChatGeneration(message=AIMessage(content=text))])
