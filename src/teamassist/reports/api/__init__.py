"""REST under /api/v1/reports: packs (list, build, download as .md/.docx/.pdf), the team's
template texts, members' weekly entries and the reading meeting; the same services as chat."""

from __future__ import annotations

from datetime import date
from urllib.parse import quote

from fastapi import Request, Response
from pydantic import BaseModel, Field

from teamassist import documents
from teamassist.clock import local
from teamassist.documents import DOCX_TYPE, MARKDOWN_TYPE, PDF_TYPE
from teamassist.exceptions import PermissionDenied
from teamassist.http.auth import Principal, is_admin
from teamassist.http.deps import Id, NowDep, PrincipalDep, SessionDep, TeamDep
from teamassist.http.errors import error_response
from teamassist.http.fields import IsoDate, RequestBody
from teamassist.http.routes import Routes
from teamassist.reports import editor, entries, kinds, packs, reading, templates_store
from teamassist.reports.access import EDITOR_GATE, readable
from teamassist.reports.models import ReportPack
from teamassist.team import service as team_service
from teamassist.team.models import Member

router = Routes(prefix="/reports", tags=["reports"])


class PackRead(BaseModel):
    """A pack as listed; ``person_id`` set: a per-person document."""

    id: int
    kind: str
    title: str
    period_start: date
    period_end: date
    person_id: int | None
    downloads: dict[str, str]


def _read(pack: ReportPack) -> PackRead:
    base = f"/api/v1/reports/packs/{pack.id}"
    return PackRead(
        id=pack.id,
        kind=pack.kind,
        title=pack.title,
        period_start=pack.period_start,
        period_end=pack.period_end,
        person_id=pack.person_id,
        downloads={ext: f"{base}.{ext}?team_id={pack.team_id}" for ext in ("md", "docx", "pdf")},
    )


def _member(principal: Principal) -> Member:
    # one's own entry or read mark needs a member: the API token speaks for no one
    if principal.member is None:
        raise PermissionDenied("reports.error.member_only")
    return principal.member


@router.get("/packs", name="reports_packs")
def list_packs(session: SessionDep, principal: PrincipalDep, team: TeamDep) -> list[PackRead]:
    """The team's packs the caller may read, newest period first."""
    if principal.member is None:  # the API token: the team's packs, not the personal ones
        return [_read(p) for p in packs.listing_shared(session, team=team)]
    return [_read(p) for p in packs.listing(session, team=team, member=principal.member)]


class PackCreate(RequestBody):
    """Build a pack now: ``kind`` one of weekly/monthly/quarterly/half_year/annual; the
    period defaults to the one ``/生成报告`` uses; ``per_person`` adds one document each."""

    kind: str = "weekly"
    period_start: IsoDate | None = None
    period_end: IsoDate | None = None
    per_person: bool = False


@router.post("/packs", status_code=201, name="reports_build", response_model=PackRead)
def build(
    request: Request,
    response: Response,
    body: PackCreate,
    session: SessionDep,
    principal: PrincipalDep,
    team: TeamDep,
    now: NowDep,
) -> PackRead | Response:
    """Render and store the team's pack (a member of the team); 409
    ``reports.error.template_failed`` when the team's template fails (its owner is told)."""
    member = principal.member
    in_team = member is not None and team_service.role_of(session, team=team, member=member)
    if not in_team and not is_admin(session, principal, team):
        raise PermissionDenied("reports.error.not_member", team=team.name)
    start, end = kinds.period_of(kinds.check_kind(body.kind), local(now, team.timezone).date())
    # a repeat within minutes: the same pack (and per-person documents), rendered again (200)
    again = packs.refresh_a_repeat(
        session,
        team=team,
        kind=body.kind,
        period_start=body.period_start or start,
        period_end=body.period_end or end,
        now=now,
        per_person=body.per_person,
    )
    if again is not None:
        response.status_code = 200
        return _read(again)
    try:
        pack = packs.build_pack(
            session,
            team,
            body.kind,
            body.period_start or start,
            body.period_end or end,
            now,
            per_person=body.per_person,
            asked_by=member,
        )
    except packs.TemplateFailed as failed:  # returned, not raised: the owner's notice commits
        return error_response(request, failed.status_code, failed.key, failed.message())
    return _read(pack)


def _download(content: bytes, media_type: str, name: str) -> Response:
    return Response(
        content=content,
        media_type=media_type,
        headers={"Content-Disposition": f"attachment; filename*=UTF-8''{quote(name)}"},
    )


def _filename(pack: ReportPack, ext: str) -> str:
    return pack.title.replace("/", "-") + f".{ext}"


@router.get("/packs/{pack_id}.md", name="reports_md")
def download_md(
    pack_id: Id, session: SessionDep, principal: PrincipalDep, team: TeamDep
) -> Response:
    """The pack's Markdown."""
    pack = readable(session, principal, team, pack_id)
    return _download(pack.markdown.encode("utf-8"), MARKDOWN_TYPE, _filename(pack, "md"))


@router.get("/packs/{pack_id}.docx", name="reports_docx")
def download_docx(
    pack_id: Id, session: SessionDep, principal: PrincipalDep, team: TeamDep
) -> Response:
    """The pack as a Word document (rendered once per pack content, then from the cache)."""
    pack = readable(session, principal, team, pack_id)
    content = documents.cached_docx(pack.markdown, title=pack.title, owner=("team", team.id))
    return _download(content, DOCX_TYPE, _filename(pack, "docx"))


@router.get("/packs/{pack_id}.pdf", name="reports_pdf")
def download_pdf(
    pack_id: Id, session: SessionDep, principal: PrincipalDep, team: TeamDep
) -> Response:
    """The pack as a PDF (503 ``reports.error.pdf_unavailable`` without pango); rendered once
    per pack content, then from the cache."""
    pack = readable(session, principal, team, pack_id)
    content = documents.cached_pdf_or_503(
        pack.markdown,
        title=pack.title,
        error_key="reports.error.pdf_unavailable",
        owner=("team", team.id),
    )
    return _download(content, PDF_TYPE, _filename(pack, "pdf"))


class TemplateRead(BaseModel):
    """A template's text and whether it is the team's own."""

    name: str
    body: str
    custom: bool


class TemplateWrite(RequestBody):
    """A team's own template text (Jinja2 producing Markdown)."""

    body: str = Field(max_length=templates_store.MAX_TEMPLATE)


@router.get("/templates/{name}", name="reports_template")
def get_template(name: str, session: SessionDep, team: TeamDep) -> TemplateRead:
    """The text ``name`` (``weekly``/``period``) renders from."""
    body = templates_store.source(session, team=team, name=name)
    return TemplateRead(
        name=name, body=body, custom=templates_store.is_custom(session, team=team, name=name)
    )


# the gate refuses a member (403) before a malformed body could answer 422
@router.put("/templates/{name}", name="reports_template_save", dependencies=[EDITOR_GATE])
def put_template(
    name: str,
    body: TemplateWrite,
    session: SessionDep,
    principal: PrincipalDep,
    team: TeamDep,
    now: NowDep,
) -> TemplateRead:
    """Store the team's own text (its director or an admin); 422 ``reports.error.template`` or
    ``reports.error.template_budget`` when it does not render the sample values and the team's
    live data, and nothing changes."""
    editor.save(session, team=team, name=name, body=body.body, actor=principal.member, now=now)
    return TemplateRead(name=name, body=body.body, custom=True)


@router.delete(
    "/templates/{name}",
    status_code=204,
    name="reports_template_reset",
    dependencies=[EDITOR_GATE],
)
def reset_template(name: str, session: SessionDep, team: TeamDep) -> Response:
    """Back to the default text (its director or an admin); nothing to reset is no error."""
    templates_store.reset(session, team=team, name=name)
    return Response(status_code=204)


class EntryWrite(RequestBody):
    """The caller's weekly entry fields (each: items on lines or split by ；)."""

    week: IsoDate | None = None  # a Monday; default: the week /周报 would write
    done: str | None = None
    not_done: str | None = None
    next: str | None = None
    risks: str | None = None
    help: str | None = None


class EntryRead(BaseModel):
    """A weekly entry's items per field."""

    week: date
    done: list[str]
    not_done: list[str]
    next: list[str]
    risks: list[str]
    help: list[str]


@router.put("/entries/me", name="reports_entry")
def put_entry(
    body: EntryWrite, session: SessionDep, principal: PrincipalDep, team: TeamDep, now: NowDep
) -> EntryRead:
    """Write the caller's entry (the same as ``/周报``)."""
    week = body.week or entries.week_of_writing(local(now, team.timezone).date())
    week = entries.monday(week)
    values = {f: v for f in entries.FIELDS if (v := getattr(body, f)) is not None}
    entry = entries.write(
        session, team=team, member=_member(principal), week=week, values=values, now=now
    )
    return EntryRead(week=week, **{f: entries.lines(getattr(entry, f)) for f in entries.FIELDS})


class ReadingRead(BaseModel):
    """The open reading: the pack, who has read, who has not, the questions."""

    pack_id: int
    read: list[str]
    unread: list[str]
    questions: list[str]


@router.post("/reading/read", name="reports_mark_read")
def mark_read(
    session: SessionDep, principal: PrincipalDep, team: TeamDep, now: NowDep
) -> ReadingRead:
    """Mark the caller as having read the open reading's pack (404 when none is open)."""
    reading.mark_read(session, team=team, member=_member(principal), now=now)
    found = reading.current(session, team=team)
    assert found is not None
    state = reading.summary(session, team=team, reading=found)
    return ReadingRead(
        pack_id=state.pack.id,
        read=state.read,
        unread=state.unread,
        questions=[n.text for n in state.notes["question"]],
    )


__all__ = ["router"]
