"""``/actions``: the team's action items, filtered as ``GET /api/v1/actions`` filters them
(owner, state, overdue, source kind), with the ageing chart beside them."""

from __future__ import annotations

from typing import Annotated

from fastapi import Query, Request
from fastapi.responses import HTMLResponse

from teamassist.actions import ageing, messages, service
from teamassist.actions.models import ActionState
from teamassist.actions.service import SOURCE_KINDS, is_overdue
from teamassist.http.deps import NowDep, SessionDep
from teamassist.http.render import PagePrincipal, PageTeamDep, team_page
from teamassist.http.routes import Routes
from teamassist.i18n import t
from teamassist.team import service as team_service

router = Routes(prefix="/actions", include_in_schema=False)

STATES = tuple(s.value for s in ActionState)


def _labels() -> dict[str, str]:
    """The catalogue's words for stored states and source kinds, keys spelled out so the
    catalogue check sees every one."""
    return {
        "open": t("actions.state.open"),
        "done": t("actions.state.done"),
        "closed": t("actions.state.closed"),
        "overdue": t("actions.state.overdue"),
        "okr_kr": t("actions.source.okr_kr"),
        "okr_objective": t("actions.source.okr_objective"),
        "meeting": t("actions.source.meeting"),
        "one_on_one": t("actions.source.one_on_one"),
    }


SHOWN = 200  # rows on one page; the REST list pages further


@router.get("", response_class=HTMLResponse)
def actions_page(
    request: Request,
    session: SessionDep,
    principal: PagePrincipal,
    team: PageTeamDep,
    now: NowDep,
    owner: Annotated[str, Query(max_length=64)] = "",
    state: Annotated[str, Query(max_length=16)] = "",
    overdue: Annotated[str, Query(max_length=8)] = "",
    source: Annotated[str, Query(max_length=32)] = "",
) -> HTMLResponse:
    """The list (oldest due first) and the ageing chart; an unknown filter value shows all,
    as the picker would (a hand-edited URL is not an error page). Only the team's people
    read it, as REST (403 otherwise)."""
    service.require_reader(session, team=team, member=principal.member)
    people = [m for m, _role in team_service.team_members(session, team=team)]
    chosen_owner = next((m for m in people if m.handle == owner), None)
    found = service.listing(
        session,
        team=team,
        now=now,
        owner_id=chosen_owner.id if chosen_owner else None,
        states=(ActionState(state),) if state in STATES else (),
        overdue=True if overdue == "1" else None,
        source_kind=source if source in SOURCE_KINDS else None,
        limit=SHOWN,
    )
    names = team_service.names_by_id(
        session, [i.owner_id for i in found] + [i.requester_id for i in found]
    )
    rows = [
        {
            "item": item,
            "overdue": is_overdue(item, now),
            "owner": names.get(item.owner_id, ""),
            "requester": names.get(item.requester_id, ""),
            "due": messages.due_text(item.due_at, team),
        }
        for item in found
    ]
    return team_page(
        request,
        session,
        principal,
        team,
        "actions/board.html",
        "actions",
        rows=rows,
        people=people,
        states=STATES,
        sources=sorted(SOURCE_KINDS),
        chosen={"owner": owner, "state": state, "overdue": overdue == "1", "source": source},
        chart=ageing.of_team(session, team=team, now=now).chart(),
        shown=SHOWN,
        labels=_labels(),
    )
