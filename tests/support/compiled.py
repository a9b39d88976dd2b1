"""One compiled-statement cache for every engine a test session makes.

Each test builds its runtime, so its engine, afresh; SQLAlchemy keeps the SQL it compiled in a
cache per engine, keyed by the engine's dialect object, so every test compiled each statement
it ran again: a demo test of five commands spent 120 ms CPU on SQLite, 240 ms on MariaDB, of
which ~65 ms was compiling (figures: the commit that added this file). The product runs one
engine per process and never pays this more than once.

:class:`SharedCompiledCache` is handed to each engine as its ``compiled_cache`` execution
option (SQLAlchemy's documented way to supply the statement cache) and files an entry under a
*canonical* dialect: the first one seen of the same class whose plain settings (the server
version, the paramstyle, the flags the dialect read from its server on first connect, …) are
all equal. Two such dialects render any statement alike, so a compiled statement is reused
only where compiling it again would give the same SQL and the same parameter handling.
"""

from __future__ import annotations

import threading
import types
import weakref
from collections import OrderedDict
from collections.abc import Hashable
from typing import Any

from sqlalchemy import Engine

# Distinct statements a worker meets in a whole run: a few thousand; SQLAlchemy's default is 500
# per engine. Entries past this are dropped oldest first.
_SIZE = 8000
# Attribute values a fingerprint compares; functions (the JSON serializer) by identity.
_PLAIN = (bool, int, float, str, bytes, tuple, frozenset, type(None), types.FunctionType)


def _fingerprint(dialect: Any) -> Hashable:
    """The dialect's class and every plain-valued attribute: what its rendering can depend on
    (objects such as the DBAPI module or the identifier preparer follow from these and the
    class; ``_type_memos`` is a per-dialect cache of what the class computes)."""
    plain = tuple(
        sorted(
            (name, value)
            for name, value in vars(dialect).items()
            if isinstance(value, _PLAIN) and _hashable(value) and not _memo(value)
        )
    )
    return (type(dialect), plain)


def _memo(value: object) -> bool:
    """A method result SQLAlchemy memoized on the instance: a closure made per dialect."""
    return isinstance(value, types.FunctionType) and "<locals>" in value.__qualname__


def _hashable(value: object) -> bool:
    try:
        hash(value)
    except TypeError:
        return False
    return True


class SharedCompiledCache:
    """A bounded, thread-safe mapping SQLAlchemy reads with ``get`` and writes with ``[]=``."""

    def __init__(self, size: int = _SIZE) -> None:
        self._size = size
        self._entries: OrderedDict[Hashable, Any] = OrderedDict()
        self._lock = threading.Lock()
        self._canonical: dict[Hashable, Any] = {}
        self._seen: weakref.WeakKeyDictionary[Any, Any] = weakref.WeakKeyDictionary()

    def _key(self, key: tuple[Any, ...]) -> Hashable:
        dialect = key[0]
        canonical = self._seen.get(dialect)
        if canonical is None:
            canonical = self._canonical.setdefault(_fingerprint(dialect), dialect)
            self._seen[dialect] = canonical
        return (id(canonical), *key[1:])

    def get(self, key: tuple[Any, ...], default: Any = None) -> Any:
        with self._lock:
            shared = self._key(key)
            found = self._entries.get(shared, default)
            if found is not default:
                self._entries.move_to_end(shared)
            return found

    def __setitem__(self, key: tuple[Any, ...], value: Any) -> None:
        with self._lock:
            shared = self._key(key)
            self._entries[shared] = value
            self._entries.move_to_end(shared)
            while len(self._entries) > self._size:
                self._entries.popitem(last=False)

    def __len__(self) -> int:
        return len(self._entries)


SHARED = SharedCompiledCache()


def share(engine: Engine) -> Engine:
    """Make ``engine`` file its compiled statements in the session's shared cache."""
    engine.update_execution_options(compiled_cache=SHARED)
    return engine
