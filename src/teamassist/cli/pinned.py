"""``--at <ISO time>``: run a CLI command as if it were that instant.

The runtime gets a :class:`~teamassist.clock.FrozenClock` and the process's ``utcnow`` is pinned
to it, so the dispatcher, services, jobs and the outbox's timestamps all see the same "now".
A time with an offset (``+08:00``, ``Z``) is taken as written. A time without one is read in the
teams' time zone: for ``chat`` the zone of the team the console speaks to (the workspace's first
team), for ``scheduler tick`` the zone every team shares; when the teams keep several zones a
naive time is refused (which zone it meant is unknowable). A bad value is one line and exit 2.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator
from contextlib import contextmanager
from datetime import datetime

import typer
from sqlalchemy import select
from sqlalchemy.orm import Session, sessionmaker

from teamassist.clock import FrozenClock, parse_instant, pinned, utcnow
from teamassist.database import transaction

AT_HELP = (
    "run as if it were this instant, ISO 8601 (2026-10-09T16:00+08:00); "
    "without an offset: the team's time zone"
)


def frozen(at: str | None) -> FrozenClock | None:
    """A frozen clock for ``--at`` (set to the real time until :func:`pin` reads the value)."""
    return FrozenClock(utcnow()) if at is not None else None


@contextmanager
def pin(
    at: str | None,
    clock: FrozenClock | None,
    factory: sessionmaker[Session],
    zone_of_naive: Callable[[Session], str | None],
) -> Iterator[None]:
    """Set ``clock`` to ``--at`` and pin the process to it inside the block (no-op without)."""
    if at is None or clock is None:
        yield
        return
    clock.set(_read(at, factory, zone_of_naive))
    with pinned(clock):
        yield


def _read(
    at: str, factory: sessionmaker[Session], zone_of_naive: Callable[[Session], str | None]
) -> datetime:
    from teamassist.i18n import t

    def zone() -> str | None:
        with transaction(factory, read_only=True) as session:
            return zone_of_naive(session)

    try:
        return parse_instant(at, zone)
    except ValueError as exc:
        key = "core.at.naive" if str(exc) == "naive" else "core.at.bad"
        typer.secho(t(key, value=at[:40]), fg="red", err=True)
        raise typer.Exit(2) from exc


def shared_zone(session: Session) -> str | None:
    """The one time zone every team keeps (None when they keep several or there is no team)."""
    from teamassist.team.models import Team

    zones = list(session.scalars(select(Team.timezone).distinct().limit(2)))
    return zones[0] if len(zones) == 1 else None


def workspace_zone(workspace: str | None) -> Callable[[Session], str | None]:
    """The zone of the team a console chat lands in (the workspace's first team)."""

    def zone(session: Session) -> str | None:
        from teamassist.exceptions import DomainError
        from teamassist.team import service as team_service
        from teamassist.team import workspaces

        try:
            ws = workspaces.pick_workspace(session, workspace)
            return team_service.default_team(session, workspace_id=ws.id).timezone
        except DomainError:
            return None

    return zone
