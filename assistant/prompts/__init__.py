"""Prompt templates shipped as package data, rendered strictly (a missing variable raises)."""

from __future__ import annotations

import string
from functools import lru_cache
from importlib import resources


class PromptError(KeyError):
    """A prompt template is missing or a variable it needs was not given."""


@lru_cache(maxsize=32)
def load(name: str) -> str:
    """The raw text of `assistant/prompts/<name>.txt`."""
    try:
        return resources.files(__name__).joinpath(f"{name}.txt").read_text(encoding="utf-8")
    except FileNotFoundError as exc:
        raise PromptError(f"no prompt template {name!r} in assistant/prompts") from exc


def variables(name: str) -> set[str]:
    """The $variables a template needs."""
    tpl = string.Template(load(name))
    return set(tpl.get_identifiers())


def render(name: str, **values: object) -> str:
    """Render a template with `string.Template.substitute`: a missing variable raises `PromptError`,
    and so does an unexpected one (a typo in the caller)."""
    needed = variables(name)
    extra = set(values) - needed
    if extra:
        raise PromptError(f"prompt {name!r} has no variable(s) {sorted(extra)}; it uses {sorted(needed)}")
    try:
        return string.Template(load(name)).substitute({k: str(v) for k, v in values.items()})
    except KeyError as exc:
        raise PromptError(f"prompt {name!r} needs variable {exc.args[0]!r}") from exc
    except ValueError as exc:
        raise PromptError(f"prompt {name!r} is malformed: {exc}") from exc
