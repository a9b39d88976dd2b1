"""Analyse each shared dependency and each parameter type once while the app's routes are built.

FastAPI builds a route by analysing its endpoint's signature and, recursively, every
dependency's (``fastapi.dependencies.utils.get_dependant``), and by making a pydantic
``TypeAdapter`` (core schema, validator, serializer) for every parameter, body and response
model (``fastapi._compat.v2.ModelField``). It caches neither: the app's ~280 routes analysed
the same 14 shared dependencies (session, principal, team, clock, CSRF ...) 3,587 times and
built 785 adapters for 354 distinct field types (session 13, counted on the app).
:func:`shared_analysis` memoises them for the duration of one app build:

- a dependency's analysis is a pure function of the dependency, the name it is bound to, its
  OAuth scopes, cache flag, scope and concurrency, and of which of the route's path parameter
  names its own tree of parameters uses (``analyze_param`` asks nothing else of the path), so
  one ``Dependant`` serves every route with the same key; FastAPI never changes a sub-dependant
  after building it (it only inserts into a route's top-level one);
- a signature (``_get_signature``, string annotations evaluated) is read once per callable,
  not once for the parameters and again for the return annotation;
- an adapter depends only on its ``Annotated[type, *metadata, FieldInfo]`` argument (FastAPI
  passes no config), so fields with equal annotations, metadata and field attributes share one.
  A field whose parts cannot be hashed is built as before.

Each replaces a module global of FastAPI's for the duration and restore it after, so anything
built outside (tests' own apps, a request's dependency overrides) is FastAPI's own behaviour.
If FastAPI stops naming these globals (an upgrade), nothing is replaced and routes are built
the stock way; ``tests/web/test_route_analysis.py`` then fails on its counts.

One difference, in a feature this app does not use: a shared sub-dependant keeps the path of
the first route it was analysed for, and ``app.dependency_overrides`` analyses an override
against that path's parameter names.
"""

from __future__ import annotations

import functools
import sys
import threading
import typing
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from typing import Any

import fastapi._compat.v2 as fastapi_v2
import fastapi.dependencies.utils as fastapi_deps
import fastapi.utils as fastapi_utils
from fastapi.dependencies.models import Dependant
from fastapi.utils import get_path_param_names
from pydantic import TypeAdapter
from pydantic.fields import FieldInfo

# One build at a time: the replaced globals are process-wide.
_building = threading.Lock()

# FieldInfo's public attributes, the ones ``Field(...)`` sets (its __slots__ without the
# private bookkeeping); read once.
_FIELD_ATTRIBUTES = tuple(s for s in FieldInfo.__slots__ if not s.startswith("_"))


@dataclass
class Analysis:
    """What one build analysed and reused: dependency trees analysed / reused, adapters built /
    reused."""

    dependants: int = 0
    dependants_reused: int = 0
    adapters: int = 0
    adapters_reused: int = 0


@contextmanager
def shared_analysis() -> Iterator[Analysis]:
    """Within the block, routes built on any router reuse equal dependency analyses and
    pydantic adapters (see the module docstring); the counts are filled as they are built."""
    counts = Analysis()
    with _building:
        analyse = getattr(fastapi_deps, "get_dependant", None)
        signature = getattr(fastapi_deps, "_get_signature", None)
        adapter = getattr(fastapi_v2, "TypeAdapter", None)
        if analyse is None or signature is None or adapter is not TypeAdapter:
            yield counts  # FastAPI's internals moved: build the stock way
            return
        replaced = [
            (fastapi_deps, "get_dependant", _memoised_analysis(analyse, counts)),
            (fastapi_deps, "_get_signature", functools.cache(signature)),
            (fastapi_v2, "TypeAdapter", _shared_adapters(counts)),
        ]
        v1_check = getattr(fastapi_utils, "annotation_is_pydantic_v1", None)
        if v1_check is not None:
            replaced.append((fastapi_utils, "annotation_is_pydantic_v1", _v1_if_loaded(v1_check)))
        originals = [(module, name, getattr(module, name)) for module, name, _ in replaced]
        try:
            for module, name, value in replaced:
                setattr(module, name, value)
            yield counts
        finally:
            for module, name, value in originals:
                setattr(module, name, value)


def _v1_if_loaded(check: Callable[[Any], bool]) -> Callable[[Any], bool]:
    """FastAPI's refusal of pydantic.v1 models, without importing ``pydantic.v1`` to make it.

    For every field it builds, FastAPI asks whether the type is a pydantic.v1 model, and the
    first time it imports ``pydantic.v1`` to ask: 2.0 MiB and ~0.13 CPU s of a start (session
    18, measured in-process), for a compatibility package nothing here uses. A v1 model class
    cannot exist unless that package is imported (its base class and metaclass live there), so
    while it is not, the answer is no; once it is, FastAPI's own check answers."""

    def annotation_is_pydantic_v1(annotation: Any) -> bool:
        return "pydantic.v1" in sys.modules and check(annotation)

    return annotation_is_pydantic_v1


def _memoised_analysis(
    analyse: Callable[..., Dependant], counts: Analysis
) -> Callable[..., Dependant]:
    # (call, name, scopes, flags) -> the parameter names in the dependency's whole tree, and
    # (that, the path parameter names among them) -> its analysis.
    names_of: dict[tuple[Any, ...], frozenset[str]] = {}
    analysed: dict[tuple[Any, ...], Dependant] = {}

    def get_dependant(*, path: str, call: Callable[..., Any], **options: Any) -> Dependant:
        try:
            base = (call, *sorted((k, _frozen(v)) for k, v in options.items()))
            hash(base)
        except TypeError:
            counts.dependants += 1
            return analyse(path=path, call=call, **options)
        in_path = frozenset(get_path_param_names(path))
        names = names_of.get(base)
        if names is not None:
            found = analysed.get((base, in_path & names))
            if found is not None:
                counts.dependants_reused += 1
                return found
        counts.dependants += 1
        dependant = analyse(path=path, call=call, **options)
        names = names_of.setdefault(base, _parameter_names(dependant))
        analysed[(base, in_path & names)] = dependant
        return dependant

    return get_dependant


def _frozen(value: Any) -> Any:
    """Scope lists as tuples, so the key hashes; anything else as it is."""
    return tuple(value) if isinstance(value, list) else value


def _parameter_names(dependant: Dependant) -> frozenset[str]:
    """Every parameter name in ``dependant``'s tree: the path parameters it could take."""
    names: set[str] = set()
    todo = [dependant]
    while todo:
        node = todo.pop()
        for field in (
            *node.path_params,
            *node.query_params,
            *node.header_params,
            *node.cookie_params,
            *node.body_params,
        ):
            names.add(field.name)
        todo.extend(node.dependencies)
    return frozenset(names)


def _shared_adapters(counts: Analysis) -> Callable[..., TypeAdapter[Any]]:
    built: dict[tuple[Any, ...], TypeAdapter[Any]] = {}

    def shared(type_: Any, *, config: Any = None) -> TypeAdapter[Any]:
        key = _adapter_key(type_) if config is None else None
        found = built.get(key) if key is not None else None
        if found is not None:
            counts.adapters_reused += 1
            return found
        counts.adapters += 1
        # depth 3: pydantic resolves names from ModelField.__post_init__'s frame, as unshared
        adapter: TypeAdapter[Any] = TypeAdapter(type_, config=config, _parent_depth=3)
        if key is not None:
            built[key] = adapter
        return adapter

    return shared


def _adapter_key(type_: Any) -> tuple[Any, ...] | None:
    """``Annotated[annotation, *metadata, FieldInfo]`` as a hashable value: each part with its
    type (1 and True hash alike), the FieldInfo by its public attributes; None when a part
    cannot be hashed."""
    parts = typing.get_args(type_)
    if typing.get_origin(type_) is not typing.Annotated or not parts:
        return None
    *head, last = parts
    if not isinstance(last, FieldInfo):
        return None
    attributes = tuple((s, _typed(getattr(last, s, None))) for s in _FIELD_ATTRIBUTES)
    key = (tuple(_typed(p) for p in head), attributes)
    try:
        hash(key)
    except TypeError:
        return None
    return key


def _typed(value: Any) -> tuple[Any, ...]:
    if isinstance(value, list):
        return (list, tuple(_typed(v) for v in value))
    return (type(value), value)
