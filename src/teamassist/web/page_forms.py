"""What a dashboard form's handler needs besides its service call: the posted fields read as
the pages need them, the team member a form names, and the way back to the page.

A handler checks the permission (the same check REST makes), reads :class:`PostedForm`, calls
the service chat and REST call, and returns :func:`back`. A field that is missing or cannot be
read raises ``Invalid`` with the catalogue's words (``web.form.*``, or a key the page passes);
``teamassist.web.form_errors`` turns any refusal into the way back to the page with the reason,
the transaction rolled back.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from urllib.parse import urlencode

from fastapi import Request
from fastapi.responses import RedirectResponse
from sqlalchemy.orm import Session
from starlette.datastructures import FormData

from teamassist.exceptions import Invalid, NotFound
from teamassist.http.fields import storable_id
from teamassist.team import service as team_service
from teamassist.team.models import Member, Team
from teamassist.web.form_errors import field_label

MAX_ECHO = 40  # characters of a refused value quoted back in a message


@dataclass(frozen=True)
class PostedForm:
    """The fields of one posted form (``await PostedForm.read(request)``)."""

    data: FormData

    @classmethod
    async def read(cls, request: Request) -> PostedForm:
        """The request's form (parsed once: the CSRF check may have read it already)."""
        return cls(await request.form())

    def text(self, name: str, *, required: bool = False) -> str:
        """The field's text as sent ('' when absent or a file); ``required``: Invalid
        (``web.form.missing``) when absent or blank."""
        value = self.data.get(name)
        text = value if isinstance(value, str) else ""
        if required and not text.strip():
            raise Invalid("web.form.missing", field=field_label(name))
        return text

    def lines(self, name: str) -> list[str]:
        """The field's non-blank lines, stripped (a list typed one per line)."""
        return [line.strip() for line in self.text(name).splitlines() if line.strip()]

    def number(self, name: str, *, invalid: str = "web.form.bad_value") -> int:
        """A whole number (an id from a picker). Absent or blank: ``web.form.missing``; not
        digits, or 0: Invalid ``invalid`` (given ``field`` and ``value``); one above what the id
        columns hold: Invalid ``core.error.not_an_id`` (``http.fields.storable_id``)."""
        raw = self.text(name, required=True).strip()
        if not raw.isascii() or not raw.isdigit() or int(raw) < 1:
            raise Invalid(invalid, field=field_label(name), value=raw[:MAX_ECHO])
        return storable_id(int(raw))

    def day(self, name: str, *, default: date, invalid: str = "web.form.bad_value") -> date:
        """A ``YYYY-MM-DD`` date (an ``<input type=date>``); ``default`` when left empty;
        Invalid ``invalid`` (given ``field``, ``value`` and ``text``) when unreadable."""
        raw = self.text(name).strip()
        if not raw:
            return default
        try:
            return date.fromisoformat(raw)
        except ValueError:
            shown = raw[:MAX_ECHO]
            raise Invalid(invalid, field=field_label(name), value=shown, text=shown) from None


def member_of(session: Session, *, team: Team, member_id: int) -> Member:
    """The member ``member_id`` of ``team`` a form names; NotFound (``core.error.not_found``)
    for anyone else, so a form cannot reach outside its team."""
    person = session.get(Member, member_id)
    if person is None or team_service.role_of(session, team=team, member=person) is None:
        raise NotFound("core.error.not_found", what=f"#{member_id}")
    return person


def back(path: str, team: Team, *, anchor: str = "", **flags: str | int) -> RedirectResponse:
    """303 to the page ``path`` of ``team`` with the query ``flags`` its template reads (e.g.
    ``saved=1``), then ``#anchor``."""
    query = urlencode({"team": team.id, **flags})
    return RedirectResponse(f"{path}?{query}{'#' + anchor if anchor else ''}", status_code=303)
