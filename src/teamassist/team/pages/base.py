"""What the people pages share: their router, the team shown, form values, the layout."""

from __future__ import annotations

from dataclasses import dataclass
from urllib.parse import urlencode

from fastapi.responses import RedirectResponse
from sqlalchemy.orm import Session

from teamassist.exceptions import Invalid
from teamassist.http.auth import Principal
from teamassist.http.errors import require_admin
from teamassist.http.fields import storable_id
from teamassist.http.routes import Routes
from teamassist.team import people
from teamassist.team.models import Member, Team

NONE = "none"  # a select's explicit 「（无）」 (:func:`picked`)


def screen_router() -> Routes:
    """A router for one screen; its URLs live under /team and stay out of the OpenAPI schema."""
    return Routes(prefix="/team", include_in_schema=False)


def admin_of(session: Session, principal: Principal, team: Team) -> Team:
    """``team``, after checking the caller administers it (else 403)."""
    require_admin(session, principal, team)
    return team


def optional_id(value: str) -> int | None:
    """A select's value: "" means none."""
    value = value.strip()
    return storable_id(int(value)) if value.isascii() and value.isdigit() else None


def picked(value: str, label: str) -> int | None:
    """A select's chosen id, or None for its 「（无）」 option, which sends :data:`NONE`: not
    "", which FastAPI reads as a field left out (``Form`` gives such a field its default). Any
    other value is refused (``people.error.bad_choice``, naming the field by its ``label``, the
    page's text) before anything is saved."""
    value = value.strip()
    if value == NONE:
        return None
    if not (value.isascii() and value.isdigit()):
        raise Invalid("people.error.bad_choice", field=label)
    return storable_id(int(value))


@dataclass(frozen=True)
class Choice:
    """What a form's member select said: ``given`` False when it was left out (or empty),
    which leaves the field as it is; else ``member`` (None for 「（无）」)."""

    given: bool
    member: Member | None = None


def member_choice(session: Session, principal: Principal, value: str | None, label: str) -> Choice:
    """A member select of a form (the manager): left out or empty (None: FastAPI gives an
    empty field its default) changes nothing, 「（无）」 (:data:`NONE`) clears, an id names a
    member of the workspace; anything else is refused by :func:`picked`. The org page's
    member form cleared the manager on a post without the field (session 25, as the team
    form did before ``b4e2c37``)."""
    if value is None:
        return Choice(given=False)
    member_id = picked(value, label)
    if member_id is None:
        return Choice(given=True)
    member = people.get_member(session, workspace_id=principal.workspace.id, member_id=member_id)
    return Choice(given=True, member=member)


def flag(value: str | None, current: bool) -> bool:
    """A checkbox sent with its hidden ``0`` before it (``0`` unchecked, ``0`` then ``1``
    checked: the last wins): left out, ``current`` stays."""
    return current if value is None else value.strip() == "1"


def member_or_none(session: Session, principal: Principal, value: str) -> Member | None:
    """The workspace member a form names by id, or None for an empty choice."""
    member_id = optional_id(value)
    if member_id is None:
        return None
    return people.get_member(session, workspace_id=principal.workspace.id, member_id=member_id)


def back(path: str, team: Team, saved: bool = True, **flags: str | int) -> RedirectResponse:
    """After a form: back to the screen (303, so a reload does not post again), with the
    query ``flags`` its page reads."""
    query = urlencode({"team": team.id, **({"saved": 1} if saved else {}), **flags})
    return RedirectResponse(f"{path}?{query}", status_code=303)
