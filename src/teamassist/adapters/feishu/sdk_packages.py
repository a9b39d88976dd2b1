"""lark-oapi's package ``__init__`` deferred (why: :mod:`teamassist.adapters.feishu.sdk`).

:func:`defer`, called by this adapter's package ``__init__``, puts a finder first on
``sys.meta_path`` for the packages ``lark_oapi`` and ``lark_oapi.api``: when one is first
imported, its module is made (with ``__path__``, so its submodules import as usual) and its
real ``__init__`` waits until a name only the ``__init__`` defines is read
(``lark_oapi.Client``, ``from lark_oapi import *``). Until the first import nothing of
lark-oapi is loaded or registered; a process that imported it before keeps it as it is.
"""

from __future__ import annotations

import importlib.abc
import importlib.machinery
import sys
from collections.abc import Sequence
from types import ModuleType
from typing import Any

_DEFERRED = frozenset({"lark_oapi", "lark_oapi.api"})
# Dunder names other than these are answered "missing" without running the real __init__: the
# import system and tools probe for them, and the real __init__ defines no other.
_INIT_DUNDERS = frozenset({"__all__"})


class _InitOnFirstName(importlib.abc.Loader):
    """Makes the package module, and runs ``real``'s ``exec_module`` on its first missing name."""

    def __init__(self, real: importlib.abc.Loader) -> None:
        self.real = real

    def create_module(self, spec: importlib.machinery.ModuleSpec) -> ModuleType | None:
        return None  # the default module, with __path__ from the spec

    def exec_module(self, module: ModuleType) -> None:
        real = self.real

        def __getattr__(attribute: str) -> Any:
            if attribute.startswith("__") and attribute not in _INIT_DUNDERS:
                raise AttributeError(attribute)
            del module.__dict__["__getattr__"]
            real.exec_module(module)  # the real __init__, once
            return getattr(module, attribute)

        module.__dict__["__getattr__"] = __getattr__


class _DeferringFinder(importlib.abc.MetaPathFinder):
    def find_spec(
        self, fullname: str, path: Sequence[str] | None, target: ModuleType | None = None
    ) -> importlib.machinery.ModuleSpec | None:
        if fullname not in _DEFERRED:
            return None
        spec = importlib.machinery.PathFinder.find_spec(fullname, path, target)
        if spec is None or spec.loader is None or spec.submodule_search_locations is None:
            return spec  # not installed as a package: the import fails or works as it would
        spec.loader = _InitOnFirstName(spec.loader)
        return spec


_FINDER = _DeferringFinder()


def defer() -> None:
    """Install the finder (once). Packages imported before are left as they are."""
    if _FINDER not in sys.meta_path:
        sys.meta_path.insert(0, _FINDER)
