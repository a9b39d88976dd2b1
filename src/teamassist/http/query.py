"""One rule for a list endpoint's query (tester s25 F-25): a query parameter the route does not
take, and a date range whose start is after its end, are refused with 422 naming the parameter
(``core.error.unknown_query``, ``core.error.reversed_range``), never answered as if they were
not there (an empty page, the default 30 days)."""

from __future__ import annotations

from datetime import date

from fastapi import Depends, Request
from fastapi.dependencies.models import Dependant
from fastapi.routing import APIRoute

from teamassist.exceptions import Invalid

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


def _query_names(dependant: Dependant) -> set[str]:
    """The query parameters (by the name a client sends) of ``dependant``'s whole tree."""
    names: set[str] = set()
    todo = [dependant]
    while todo:
        node = todo.pop()
        names.update(field.alias for field in node.query_params)
        todo.extend(node.dependencies)
    return names


def _known_query(request: Request) -> None:
    route = request.scope.get("route")
    if not isinstance(route, APIRoute):
        return
    declared = _query_names(route.dependant)
    unknown = [k for k in request.query_params if k not in declared | _GATE_PARAMS]
    if unknown:
        raise Invalid(
            "core.error.unknown_query", name=unknown[0][:40], known="、".join(sorted(declared))
        )


# A list route's dependency: ``@router.get(..., dependencies=[KNOWN_QUERY])``.
KNOWN_QUERY = Depends(_known_query)
