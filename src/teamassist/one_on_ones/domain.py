"""1on1s: a recurring slot per pair on the working calendar, a shared agenda with private
notes, carried-over items, reminders, invitations and a prep pack."""

from __future__ import annotations

from functools import partial
from typing import Any

from sqlalchemy import or_, select
from sqlalchemy.orm import Session

from teamassist.domain import Domain, NavEntry, Wiring, assets_in, later
from teamassist.events import (
    ExportWithheld,
    MemberDeactivated,
    MemberReactivated,
    OneOnOneMeetingChanged,
    PersonalCalendar,
    SourceKnown,
    Subscription,
    Withheld,
    on,
    on_quietly,
)
from teamassist.one_on_ones.command_index import COMMANDS
from teamassist.one_on_ones.models import SOURCE_KIND, AgendaItem, OneOnOne
from teamassist.ports import Calendar, Workdays


def _source_known(session: Session, query: SourceKnown) -> bool | None:
    """A shared agenda item of one of the team's pairs whose people include ``query.by`` (an
    action item's ``one_on_one`` source); a private note is no source, and nor is the agenda
    of a pair the asker is not in (a tester linked an item to another pair's agenda)."""
    if query.kind != SOURCE_KIND:
        return None
    found = session.scalar(
        select(AgendaItem.id)
        .join(OneOnOne, OneOnOne.id == AgendaItem.pair_id)
        .where(
            AgendaItem.id == query.source_id,
            AgendaItem.private.is_(False),
            OneOnOne.team_id == query.team.id,
            or_(OneOnOne.manager_id == query.by.id, OneOnOne.report_id == query.by.id),
        )
    )
    return found is not None


def _withheld(_session: Session, _query: ExportWithheld) -> tuple[Withheld, ...]:
    """Private notes never leave with the workspace export: they are their author's alone,
    and the export is read by admins, who are no party to the pair."""
    return (Withheld(table=AgendaItem.__tablename__, where=AgendaItem.private.is_(True)),)


def _subscriptions(wiring: Wiring) -> list[Subscription[Any]]:
    port = wiring.ports.get(Calendar)
    workdays = wiring.ports.get(Workdays)
    sync = later("teamassist.one_on_ones.calendar_sync:on_changed")
    tell = later("teamassist.one_on_ones.told:on_changed")

    def changed(session: Session, event: OneOnOneMeetingChanged) -> None:
        sync(session, event, port=port)
        tell(session, event)  # the other party hears of a move or cancel by hand

    leaves = later("teamassist.one_on_ones.departures:on_member_deactivated")
    returns = later("teamassist.one_on_ones.departures:on_member_reactivated")
    return [
        on(PersonalCalendar, later("teamassist.one_on_ones.calendar:events")),
        on(SourceKnown, _source_known),
        on(ExportWithheld, _withheld),
        on(OneOnOneMeetingChanged, changed),  # a Feishu team's calendars follow the 1on1s
        on_quietly(MemberDeactivated, partial(leaves, workdays=workdays)),
        on(MemberReactivated, partial(returns, workdays=workdays)),
    ]


DOMAIN = Domain(
    key="one_on_ones",
    models=("teamassist.one_on_ones.models",),
    commands=COMMANDS,
    jobs=("teamassist.one_on_ones.jobs:jobs",),
    api=("teamassist.one_on_ones.api:router",),
    pages=("teamassist.one_on_ones.pages:router",),
    nav=(NavEntry("/one-on-ones", "one_on_ones.web.nav"),),
    assets=assets_in("teamassist.one_on_ones"),
    demo="teamassist.one_on_ones.demo:load",
    subscriptions=_subscriptions,
    requires=(Workdays,),
)
