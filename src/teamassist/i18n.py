"""The message catalogue: every user-facing string lives in a ``locale/*.toml`` file.

Each file is a namespace of its own (``core.toml`` holds ``core.*`` keys, ``duty.toml`` holds
``duty.*``); they load into one flat dictionary so any layer can call ``t("duty.signed_in")``.
The core files are in ``teamassist/locale``; each domain ships its own in ``<domain>/locale``,
found by looking into every sub-package (so ``t`` works before any runtime is built). A domain
outside the package (the tests' toy domain) is added by the bootstrap through :func:`add_folder`.
"""

from __future__ import annotations

import tomllib
from functools import cache
from importlib import resources
from importlib.abc import Traversable
from typing import Any


def _flatten(prefix: str, table: dict[str, Any], into: dict[str, Any]) -> None:
    for key, value in table.items():
        full = f"{prefix}.{key}" if prefix else key
        if isinstance(value, dict):
            _flatten(full, value, into)
        else:
            into[full] = value


_extra: list[Traversable] = []


def folders() -> list[Traversable]:
    """Every catalogue folder: the core one, each sub-package's ``locale/``, then added ones."""
    root = resources.files("teamassist")
    found = [root / "locale"]
    for package in sorted(root.iterdir(), key=lambda p: p.name):
        if package.is_dir() and (package / "locale").is_dir():
            found.append(package / "locale")
    return [*found, *(f for f in _extra if f not in found)]


def add_folder(folder: Traversable) -> None:
    """Load ``folder``'s catalogue files too (a domain outside the package)."""
    if folder not in _extra:
        _extra.append(folder)
        catalogue.cache_clear()


@cache
def catalogue() -> dict[str, Any]:
    """Load and flatten every catalogue file of :func:`folders`; a namespace is one file."""
    entries: dict[str, Any] = {}
    namespaces: dict[str, Traversable] = {}
    for folder in folders():
        for item in sorted(folder.iterdir(), key=lambda p: p.name):
            if item.name.endswith(".toml"):
                namespace = item.name.removesuffix(".toml")
                if namespace in namespaces and namespaces[namespace] != folder:
                    raise ValueError(f"catalogue namespace {namespace!r} is in two folders")
                namespaces[namespace] = folder
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
