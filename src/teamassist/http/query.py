"""One rule for every REST read's query (tester s25 F-25, s27 A-1, C-9): a query parameter the
route does not take, a date range whose start is after its end, and a parameter given twice
that takes one value are refused with 422 naming the parameter (``core.error.unknown_query``,
``core.error.reversed_range``, ``core.error.repeated_query``), never answered as if they were
not there (an empty page, the default 30 days) or with the last value alone
(``?owner=zhangsan&owner=lisi`` listed lisi's items only, ``?team_id=1&team_id=2`` read team 2).

:func:`api_query_rule` is an app-wide dependency (``web.app``): every ``GET /api/…`` route gets
the checks from its declared parameters, so a new list cannot forget them (session 26 put them
on five routes; ``/duty/teams/{id}/sign-ins?first=…&last=…`` reversed still answered ``[]``);
a repeated parameter is refused on every method under ``/api/`` (the team gates read
``team_id`` from the raw query of writes too), and so is a parameter a write does not declare,
the gates' ``team_id`` included (:func:`check_write_query`, tester s28 E-4).

A query parameter that takes only a boolean takes ``true`` or ``false`` (any case: Python's
``requests`` sends ``True``) on every method there, as a body's does (cf980d5): FastAPI reads
it as pydantic's lax mode does, where ``yes``, ``on``, ``1`` and ``y`` are true, and
``POST /okr/cycles/7/import?apply=yes`` applied a sheet meant as a dry run (tester s28 E-15).
Anything else is the 422 a body gets, ``bool_type`` naming the parameter
(:func:`check_booleans`).
"""

from __future__ import annotations

from collections import Counter
from dataclasses import dataclass
from datetime import date, datetime
from typing import Any

from fastapi import Request
from fastapi._compat import field_annotation_is_sequence
from fastapi.dependencies.models import Dependant
from fastapi.exceptions import RequestValidationError
from fastapi.routing import APIRoute

from teamassist.exceptions import Invalid
from teamassist.request_body import only_boolean

# Read by the team gates from the raw query (``http.team_gate``, ``http.admin``), not declared.
_GATE_PARAMS = frozenset({"team_id", "team"})


def check_range(first: date | None, last: date | None, *, start: str, end: str) -> None:
    """Invalid ``core.error.reversed_range`` naming both parameters when ``first`` is after
    ``last`` (either missing: nothing to compare)."""
    if first is not None and last is not None and first > last:
        raise Invalid(
            "core.error.reversed_range",
            start=start,
            end=end,
            first=first.isoformat(),
            last=last.isoformat(),
        )


def _query_names(dependant: Dependant) -> tuple[set[str], set[str], dict[str, Any]]:
    """The query parameters (by the name a client sends) of ``dependant``'s whole tree, those
    of them that take a list (sent repeated: ``?state=open&state=done``), read as FastAPI
    reads them, and each one's field (what reads its value for the route)."""
    names: set[str] = set()
    lists: set[str] = set()
    fields: dict[str, Any] = {}
    todo = [dependant]
    while todo:
        node = todo.pop()
        for field in node.query_params:
            names.add(field.alias)
            fields.setdefault(field.alias, field)
            if field_annotation_is_sequence(field.field_info.annotation):
                lists.add(field.alias)
        todo.extend(node.dependencies)
    return names, lists, fields


# The names a range's two ends go by, (start, end): both declared by a route and both sent as
# ISO dates or moments, the start may not be after the end.
RANGE_PAIRS: tuple[tuple[str, str], ...] = (
    ("date_from", "date_to"),
    ("from", "to"),
    ("first", "last"),
    ("since", "until"),
    ("start", "end"),
)


# (start name, its field, end name, its field) of a range a route declares
_Pair = tuple[str, Any, str, Any]


@dataclass(frozen=True)
class _Declared:
    """What a route's query rules need of its declared parameters, worked out once per route
    and kept on it (routes compare by value, so they key no cache): one walk of its
    dependencies for every rule (``_own_names`` and ``_boolean_names`` each kept their own)."""

    known: frozenset[str]  # its names and the gates'
    own: frozenset[str]  # its names alone (a write's rule)
    lists: frozenset[str]  # those taking a list
    pairs: tuple[_Pair, ...]  # the range pairs it declares, with the fields that read them
    booleans: tuple[str, ...]  # those taking only a boolean


def _declared(route: APIRoute) -> _Declared:
    """The route's :class:`_Declared`, kept on the route."""
    found: _Declared | None = getattr(route, "_teamassist_query", None)
    if found is None:
        names, lists, fields = _query_names(route.dependant)
        found = _Declared(
            known=frozenset(names) | _GATE_PARAMS,
            own=frozenset(names),
            lists=frozenset(lists),
            pairs=tuple(
                (a, fields[a], b, fields[b]) for a, b in RANGE_PAIRS if a in names and b in names
            ),
            booleans=tuple(
                sorted(n for n, f in fields.items() if only_boolean(f.field_info.annotation))
            ),
        )
        route._teamassist_query = found  # type: ignore[attr-defined]
    return found


def _moment(field: Any, text: str) -> date | None:
    """The day or moment the route will read from ``text`` (its own field validates it, so a
    blank before a date is read as the route reads it: tester s28 D-6, `` 2026-12-10`` passed
    the rule as "no date" and the route read 2026-12-10); None for anything else, which the
    route's own validation words."""
    value, errors = field.validate(text, {}, loc=("query", field.alias))
    if errors:
        return None
    if isinstance(value, date):
        return value
    try:  # a parameter declared as text: the ISO forms, as before
        text = str(value).strip()
        return (
            datetime.fromisoformat(text) if "T" in text or " " in text else date.fromisoformat(text)
        )
    except ValueError:
        return None


def _reversed(a: date | None, b: date | None) -> bool:
    if a is None or b is None:
        return False
    if isinstance(a, datetime) != isinstance(b, datetime):  # a day beside a moment: by days
        a = a.date() if isinstance(a, datetime) else a
        b = b.date() if isinstance(b, datetime) else b
    if (
        isinstance(a, datetime)
        and isinstance(b, datetime)
        and (a.tzinfo is None) != (b.tzinfo is None)
    ):
        return a.date() > b.date()
    return a > b


def check_query(request: Request) -> None:
    """Invalid ``core.error.unknown_query`` for a parameter the matched route does not take,
    ``core.error.reversed_range`` for a declared range sent backwards,
    ``core.error.repeated_query`` for a parameter given twice that takes one value."""
    route = request.scope.get("route")
    if not isinstance(route, APIRoute):
        return
    found = _declared(route)
    known, pairs = found.known, found.pairs
    unknown = [k for k in request.query_params if k not in known]
    if unknown:
        declared = sorted(known - _GATE_PARAMS)
        raise Invalid("core.error.unknown_query", name=unknown[0][:40], known="、".join(declared))
    check_repeated(request)
    query = request.query_params
    for start, start_field, end, end_field in pairs:
        if (
            start in query
            and end in query
            and _reversed(_moment(start_field, query[start]), _moment(end_field, query[end]))
        ):
            raise Invalid(
                "core.error.reversed_range",
                start=start,
                end=end,
                first=query[start][:40],
                last=query[end][:40],
            )


def check_repeated(request: Request) -> None:
    """Invalid ``core.error.repeated_query`` naming the first parameter given more than once
    that the matched route (or a team gate) reads as one value."""
    route = request.scope.get("route")
    if not isinstance(route, APIRoute) or not request.url.query:
        return
    lists = _declared(route).lists
    counted = Counter(name for name, _ in request.query_params.multi_items())
    for name, count in counted.items():
        if count > 1 and name not in lists:
            values = request.query_params.getlist(name)
            raise Invalid(
                "core.error.repeated_query",
                name=name[:40],
                count=count,
                values="、".join(value[:40] for value in values[:5]),
            )


async def api_query_rule(request: Request) -> None:
    """The app-wide dependency: :func:`check_query` on every ``GET /api/…``, and
    :func:`check_write_query` on the other methods there (on the event loop: a dict lookup and
    a few comparisons)."""
    if request.url.path.startswith("/api/"):
        if request.method == "GET":
            check_query(request)
        else:
            check_write_query(request)
        check_booleans(request)


_BOOLEAN_WORDS = frozenset({"true", "false"})


def check_booleans(request: Request) -> None:
    """RequestValidationError ``bool_type`` naming the first parameter that takes only a
    boolean and was sent anything but ``true`` or ``false``."""
    route = request.scope.get("route")
    if not isinstance(route, APIRoute) or not request.url.query:
        return
    query = request.query_params
    for name in _boolean_names(route):
        value = query.get(name)
        if value is not None and value.lower() not in _BOOLEAN_WORDS:
            raise RequestValidationError(
                [
                    {
                        "type": "bool_type",
                        "loc": ("query", name),
                        "msg": "Input should be a valid boolean",
                        "input": value[:40],
                    }
                ]
            )


def _boolean_names(route: APIRoute) -> tuple[str, ...]:
    """The query names of ``route``'s tree that take only a boolean."""
    return _declared(route).booleans


def check_write_query(request: Request) -> None:
    """Invalid ``core.error.unknown_query`` for a parameter a write's route does not declare,
    the team gates' ``team_id`` included: the gates read it from the raw query, so on a route
    that takes its team from the body or the row it named one team to the gate and another to
    the route (tester s28 E-4: ``PATCH /members/5?team_id=2 {"role":"lead"}`` made wangwu lead
    of team 1, 200; an unknown ``?zzz=1`` on a write passed). Then :func:`check_repeated`."""
    route = request.scope.get("route")
    if not isinstance(route, APIRoute) or not request.url.query:
        return
    declared = _own_names(route)
    unknown = [k for k in request.query_params if k not in declared]
    if unknown:
        raise Invalid(
            "core.error.unknown_query_write",
            name=unknown[0][:40],
            known="、".join(sorted(declared)) or "无",
        )
    check_repeated(request)


def _own_names(route: APIRoute) -> frozenset[str]:
    """The query names ``route`` itself declares (the gates' not added)."""
    return _declared(route).own
