"""The message catalogue: every user-facing string lives in ``locale/*.toml``.

Each file is a namespace of its own (``core.toml`` holds ``core.*`` keys, ``duty.toml`` holds
``duty.*``); they load into one flat dictionary so any layer can call ``t("duty.signed_in")``.
"""

from __future__ import annotations

import tomllib
from functools import cache
from importlib import resources
from typing import Any


def _flatten(prefix: str, table: dict[str, Any], into: dict[str, Any]) -> None:
    for key, value in table.items():
        full = f"{prefix}.{key}" if prefix else key
        if isinstance(value, dict):
            _flatten(full, value, into)
        else:
            into[full] = value


@cache
def catalogue() -> dict[str, Any]:
    """Load and flatten every catalogue file shipped in ``teamassist/locale``."""
    entries: dict[str, Any] = {}
    folder = resources.files("teamassist") / "locale"
    for item in sorted(folder.iterdir(), key=lambda p: p.name):
        if item.name.endswith(".toml"):
            namespace = item.name.removesuffix(".toml")
            _flatten(namespace, tomllib.loads(item.read_text("utf-8")), entries)
    return entries


def t(key: str, **params: Any) -> str:
    """Return the catalogue text for ``key`` with ``params`` filled in."""
    try:
        template = catalogue()[key]
    except KeyError as exc:
        raise KeyError(f"missing catalogue entry {key!r}") from exc
    if not isinstance(template, str):
        raise TypeError(f"catalogue entry {key!r} is not text")
    return template.format(**params) if params else template


def lookup(key: str) -> Any:
    """Return a raw catalogue value (lists of aliases, tables), or None when absent."""
    return catalogue().get(key)
