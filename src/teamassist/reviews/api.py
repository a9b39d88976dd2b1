"""REST under ``/api/v1/reviews/360``: the same services as chat and the pages.

Cycles (start, list, read, close), the reviewer list (add / nominate, approve), my pending
reviews, submit and decline (as the signed-in member, never a body field), release, the
summary (JSON, ``.md``, ``.docx``, ``.pdf``) and the team's template and k.
"""

from __future__ import annotations

from typing import Any
from urllib.parse import quote

from fastapi import Response, status
from pydantic import BaseModel, Field
from sqlalchemy.orm import Session

from teamassist import documents
from teamassist.exceptions import NotFound, PermissionDenied
from teamassist.http.auth import Principal
from teamassist.http.deps import Id, NowDep, PrincipalDep, SessionDep, TeamDep
from teamassist.http.fields import IsoDate, RequestBody
from teamassist.http.routes import Routes
from teamassist.http.team_gate import MEMBER_GATE
from teamassist.i18n import t
from teamassist.reviews import document, service, summary
from teamassist.reviews import settings as review_settings
from teamassist.reviews.models import ReviewCycle
from teamassist.reviews.schemas import (
    CycleRead,
    PendingRead,
    PoolCountRead,
    RequestRead,
    RequestsRead,
    SummaryRead,
    summary_read,
)
from teamassist.team import service as team_service
from teamassist.team.models import Member, Team

# Only the team's people (and its director) reach its 360 cycles: even the list of cycles
# names who is being reviewed (tester s23 F12).
router = Routes(prefix="/reviews/360", tags=["reviews"], dependencies=[MEMBER_GATE])


def _member(principal: Principal, what: str) -> Member:
    # reviewing and being reviewed need a person: the API token speaks for no one
    if principal.member is None:
        raise PermissionDenied("reviews.error.no_person", what=t(f"reviews.act.{what}"))
    return principal.member


def _actor(principal: Principal) -> service.Actor:
    # managing does not: the owner (member-less) manages every team as an admin does
    return service.actor(principal.member)


def _person(session: Session, team: Team, person_id: int) -> Member:
    member = session.get(Member, person_id)
    if member is None or team_service.role_of(session, team=team, member=member) is None:
        raise NotFound("core.error.not_found", what=f"#{person_id}")
    return member


def _cycle_read(session: Session, team: Team, cycle: ReviewCycle, now: Any) -> CycleRead:
    return CycleRead(
        id=cycle.id,
        name=cycle.name,
        due_on=cycle.due_on,
        open=service.is_open(cycle, team, now),
        min_answers=cycle.min_answers,
        reviewees=[s.reviewee_id for s in service.subjects(session, cycle=cycle)],
    )


class CycleCreate(RequestBody):
    """``{"reviewees": [3, 4], "due_on": "2026-12-31", "name": "年度360"}``."""

    reviewees: list[Id] = Field(min_length=1, max_length=200)
    due_on: IsoDate
    name: str | None = Field(default=None, max_length=200)


@router.post("", status_code=status.HTTP_201_CREATED)
def start_cycle(
    body: CycleCreate, session: SessionDep, principal: PrincipalDep, team: TeamDep, now: NowDep
) -> CycleRead:
    """Start a cycle (the director or an admin; 403 otherwise, 409 while one is open)."""
    people = [_person(session, team, i) for i in body.reviewees]
    cycle = service.start(
        session,
        team=team,
        by=_actor(principal),
        reviewees=people,
        due_on=body.due_on,
        now=now,
        name=body.name,
    )
    return _cycle_read(session, team, cycle, now)


@router.get("")
def list_cycles(session: SessionDep, team: TeamDep, now: NowDep) -> list[CycleRead]:
    """The team's cycles, newest first."""
    return [_cycle_read(session, team, c, now) for c in service.cycles(session, team=team)]


@router.get("/pending")
def my_pending(
    session: SessionDep, principal: PrincipalDep, team: TeamDep, now: NowDep
) -> list[PendingRead]:
    """What the signed-in member still owes in the team's open cycles (nothing for the owner's
    token, which is nobody: as careers' own-plans list)."""
    if principal.member is None:
        return []
    rows = service.pending(session, team=team, reviewer=principal.member, now=now)
    return [
        PendingRead(
            cycle_id=r.cycle.id,
            reviewee_id=r.reviewee.id,
            reviewee=r.reviewee.display_name,
            pool=r.pool,
            due_on=r.cycle.due_on,
        )
        for r in rows
    ]


@router.get("/{cycle_id}")
def read_cycle(cycle_id: Id, session: SessionDep, team: TeamDep, now: NowDep) -> CycleRead:
    """One cycle."""
    return _cycle_read(session, team, service.get_cycle(session, team=team, cycle_id=cycle_id), now)


@router.get("/{cycle_id}/requests")
def list_requests(
    cycle_id: Id, session: SessionDep, principal: PrincipalDep, team: TeamDep
) -> RequestsRead:
    """Who reviews whom: the director or an admin sees every request, with ``asked`` for
    invited-or-submitted, and the counts per pool; any other member sees only the requests
    where they are the reviewer, with the true status. Never an answer or a time."""
    me = principal.member
    manager = service.may_manage(session, team=team, member=_actor(principal))
    cycle = service.get_cycle(session, team=team, cycle_id=cycle_id)
    rows = service.requests(session, cycle=cycle)
    if not manager:
        rows = [r for r in rows if me is not None and r.reviewer_id == me.id]
    return RequestsRead(
        requests=[
            RequestRead(
                id=r.id,
                reviewee_id=r.reviewee_id,
                reviewer_id=r.reviewer_id,
                pool=r.pool,
                status=service.shown_status(r, viewer=me),
                decline_reason=r.decline_reason if manager else None,
            )
            for r in rows
        ],
        counts=[
            PoolCountRead(reviewee_id=r, pool=p, asked=a, submitted=s)
            for r, p, a, s in (service.pool_counts(rows) if manager else [])
        ],
    )


class RequestCreate(RequestBody):
    """``{"reviewee_id": 3, "reviewer_id": 5, "pool": "peer"}``: the director adds (invited), the
    reviewee nominates a peer (nominated, waiting for approval)."""

    reviewee_id: Id
    reviewer_id: Id
    pool: str = Field(max_length=16)


@router.post("/{cycle_id}/requests", status_code=status.HTTP_201_CREATED)
def add_request(
    cycle_id: Id,
    body: RequestCreate,
    session: SessionDep,
    principal: PrincipalDep,
    team: TeamDep,
    now: NowDep,
) -> RequestRead:
    """Add a reviewer, or nominate one (403 for anyone but the director, an admin or the
    reviewee; 409 when closed or already asked)."""
    cycle = service.get_cycle(session, team=team, cycle_id=cycle_id)
    row = service.add_reviewer(
        session,
        team=team,
        cycle=cycle,
        reviewee=_person(session, team, body.reviewee_id),
        reviewer=_person(session, team, body.reviewer_id),
        pool=body.pool,
        by=_actor(principal),
        now=now,
    )
    return RequestRead(
        id=row.id,
        reviewee_id=row.reviewee_id,
        reviewer_id=row.reviewer_id,
        pool=row.pool,
        status=row.status,
    )


@router.post("/{cycle_id}/requests/{request_id}/approve")
def approve_request(
    cycle_id: Id,
    request_id: Id,
    session: SessionDep,
    principal: PrincipalDep,
    team: TeamDep,
    now: NowDep,
) -> RequestRead:
    """The director approves a nomination (409 when it is not waiting)."""
    cycle = service.get_cycle(session, team=team, cycle_id=cycle_id)
    row = service.approve(
        session, team=team, cycle=cycle, request_id=request_id, by=_actor(principal), now=now
    )
    return RequestRead(
        id=row.id,
        reviewee_id=row.reviewee_id,
        reviewer_id=row.reviewer_id,
        pool=row.pool,
        status=row.status,
    )


class AnswersWrite(RequestBody):
    """``{"answers": {"collaboration": 4, "keep": "文档写得好"}}``."""

    answers: dict[str, int | str | None] = Field(max_length=100)


@router.post("/{cycle_id}/reviews/{person_id}", status_code=status.HTTP_201_CREATED)
def submit_review(
    cycle_id: Id,
    person_id: Id,
    body: AnswersWrite,
    session: SessionDep,
    principal: PrincipalDep,
    team: TeamDep,
    now: NowDep,
) -> dict[str, str]:
    """Submit the signed-in member's review of ``person_id`` (409 twice, after declining or
    after the deadline; 422 for bad answers). The answer carries no id of the new row."""
    cycle = service.get_cycle(session, team=team, cycle_id=cycle_id)
    service.submit(
        session,
        team=team,
        cycle=cycle,
        reviewee=_person(session, team, person_id),
        reviewer=_member(principal, "submit"),
        answers=body.answers,
        now=now,
    )
    return {"status": "submitted"}


class DeclineWrite(RequestBody):
    """``{"reason": "不太了解 TA 的工作"}`` (optional; the director alone reads it)."""

    reason: str | None = Field(default=None, max_length=service.MAX_REASON)


@router.post("/{cycle_id}/reviews/{person_id}/decline")
def decline_review(
    cycle_id: Id,
    person_id: Id,
    body: DeclineWrite,
    session: SessionDep,
    principal: PrincipalDep,
    team: TeamDep,
    now: NowDep,
) -> dict[str, str]:
    """Decline to review ``person_id`` (409 when already submitted or declined)."""
    cycle = service.get_cycle(session, team=team, cycle_id=cycle_id)
    service.decline(
        session,
        team=team,
        cycle=cycle,
        reviewee=_person(session, team, person_id),
        reviewer=_member(principal, "decline"),
        reason=body.reason,
        now=now,
    )
    return {"status": "declined"}


@router.post("/{cycle_id}/close")
def close_cycle(
    cycle_id: Id, session: SessionDep, principal: PrincipalDep, team: TeamDep, now: NowDep
) -> CycleRead:
    """Stop taking answers now (the director or an admin)."""
    cycle = service.get_cycle(session, team=team, cycle_id=cycle_id)
    service.close(session, team=team, cycle=cycle, by=_actor(principal), now=now)
    return _cycle_read(session, team, cycle, now)


@router.post("/{cycle_id}/release/{person_id}")
def release_summary(
    cycle_id: Id,
    person_id: Id,
    session: SessionDep,
    principal: PrincipalDep,
    team: TeamDep,
    now: NowDep,
) -> dict[str, str]:
    """Release ``person_id``'s summary to them (the director or an admin; 409 while open)."""
    cycle = service.get_cycle(session, team=team, cycle_id=cycle_id)
    service.release(
        session,
        team=team,
        cycle=cycle,
        reviewee=_person(session, team, person_id),
        by=_actor(principal),
        now=now,
    )
    return {"status": "released"}


def _summary(
    session: Session, principal: Principal, team: Team, cycle_id: int, person_id: int, now: Any
) -> summary.Summary:
    cycle = service.get_cycle(session, team=team, cycle_id=cycle_id)
    return summary.read(
        session,
        team=team,
        cycle=cycle,
        reviewee=_person(session, team, person_id),
        reader=_actor(principal),
        now=now,
    )


def _download(content: bytes, media_type: str, name: str) -> Response:
    return Response(
        content=content,
        media_type=media_type,
        headers={"Content-Disposition": f"attachment; filename*=UTF-8''{quote(name)}"},
    )


@router.get("/{cycle_id}/summary/{person_id}.md")
def summary_markdown(
    cycle_id: Id,
    person_id: Id,
    session: SessionDep,
    principal: PrincipalDep,
    team: TeamDep,
    now: NowDep,
) -> Response:
    """The summary as Markdown (same access as the JSON)."""
    found = _summary(session, principal, team, cycle_id, person_id, now)
    markdown = document.markdown(found).encode("utf-8")
    return _download(markdown, documents.MARKDOWN_TYPE, _name(found, "md"))


def _title(found: summary.Summary) -> str:
    return f"{found.reviewee.display_name} · {found.cycle.name}"


def _name(found: summary.Summary, ext: str) -> str:
    return f"360-{found.cycle.id}-{found.reviewee.handle}.{ext}"


@router.get("/{cycle_id}/summary/{person_id}.docx")
def summary_docx(
    cycle_id: Id,
    person_id: Id,
    session: SessionDep,
    principal: PrincipalDep,
    team: TeamDep,
    now: NowDep,
) -> Response:
    """The summary as a Word document (same access as the JSON)."""
    found = _summary(session, principal, team, cycle_id, person_id, now)
    content = documents.markdown_to_docx(document.markdown(found), title=_title(found))
    return _download(content, documents.DOCX_TYPE, _name(found, "docx"))


@router.get("/{cycle_id}/summary/{person_id}.pdf")
def summary_pdf(
    cycle_id: Id,
    person_id: Id,
    session: SessionDep,
    principal: PrincipalDep,
    team: TeamDep,
    now: NowDep,
) -> Response:
    """The summary as a PDF (503 ``reviews.error.pdf_unavailable`` without pango)."""
    found = _summary(session, principal, team, cycle_id, person_id, now)
    content = documents.pdf_or_503(
        document.markdown(found), title=_title(found), error_key="reviews.error.pdf_unavailable"
    )
    return _download(content, documents.PDF_TYPE, _name(found, "pdf"))


# After the downloads: "/summary/3.md" would match this route's {person_id} first.
@router.get("/{cycle_id}/summary/{person_id}")
def read_summary(
    cycle_id: Id,
    person_id: Id,
    session: SessionDep,
    principal: PrincipalDep,
    team: TeamDep,
    now: NowDep,
) -> SummaryRead:
    """The summary under the k rule: the director or an admin once closed, the reviewee once
    released (403 anyone else, 409 too early)."""
    return summary_read(_summary(session, principal, team, cycle_id, person_id, now))


class SettingsWrite(RequestBody):
    """``{"min_answers": 4, "questions": [{"key": "care", "kind": "rating", "text": "…"}]}``."""

    # the bounds (2–20) are said by review_settings.update, in the catalogue's words
    min_answers: int | None = None
    questions: list[dict[str, Any]] | None = Field(default=None, max_length=100)


class SettingsRead(BaseModel):
    """The team's k and question template (the catalogue's default when not set)."""

    min_answers: int
    questions: list[dict[str, Any]]


@router.get("/settings/team")
def read_settings(team: TeamDep) -> SettingsRead:
    """The team's k and template."""
    knobs = review_settings.of(team)
    return SettingsRead(min_answers=knobs.min_answers, questions=knobs.questions)


@router.put("/settings/team")
def write_settings(
    body: SettingsWrite, session: SessionDep, principal: PrincipalDep, team: TeamDep
) -> SettingsRead:
    """Change k and/or the template (the director or an admin); new cycles take them."""
    service.require_manager(session, team=team, member=_actor(principal), what="settings")
    knobs = review_settings.update(team, min_answers=body.min_answers, questions=body.questions)
    session.flush()
    return SettingsRead(min_answers=knobs.min_answers, questions=knobs.questions)
