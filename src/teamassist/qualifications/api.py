"""``/api/v1/qualifications``: the team's framework (read by members, replaced by admins), a
person's level and assessments (the person, the director, admins: 403 for anyone else), and
the director's or an admin's level setting and assessments."""

from __future__ import annotations

from datetime import date

from fastapi import status
from pydantic import BaseModel, Field

from teamassist.clock import local
from teamassist.exceptions import NotFound
from teamassist.http.admin import ADMIN_GATE
from teamassist.http.auth import Principal, is_admin
from teamassist.http.deps import NowDep, PrincipalDep, SessionDep, TeamDep
from teamassist.http.errors import require_admin
from teamassist.http.fields import IsoDate, RequestBody
from teamassist.http.routes import Routes
from teamassist.qualifications import service
from teamassist.qualifications.models import Outcome
from teamassist.team import service as team_service
from teamassist.team.models import Member, Team

router = Routes(prefix="/qualifications", tags=["qualifications"])


class LevelBody(RequestBody):
    """A level: ``{"code": "P3", "title": "高级工程师", "criteria": ["…"]}``."""

    code: str = Field(min_length=1, max_length=16)
    title: str = Field(min_length=1, max_length=100)
    criteria: list[str] = Field(default_factory=list, max_length=service.MAX_CRITERIA)


class TrackBody(RequestBody):
    """A track with its levels lowest first; ``job_type`` ic or manager."""

    key: str = Field(min_length=1, max_length=32)
    name: str = Field(min_length=1, max_length=100)
    job_type: str = "ic"
    levels: list[LevelBody] = Field(min_length=1, max_length=30)


class FrameworkBody(RequestBody):
    """The whole framework: ``{"tracks": [...]}``."""

    tracks: list[TrackBody] = Field(max_length=20)


class AssessmentRead(BaseModel):
    """One year's assessment."""

    year: int
    level: str
    outcome: str
    assessor: str | None
    effective_date: date
    evidence: str


class ProfileRead(BaseModel):
    """A person's qualification: current level (None when unset) and assessments."""

    handle: str
    name: str
    track: str | None
    level: str | None
    title: str | None
    since: date | None
    evidence: str | None
    assessments: list[AssessmentRead]


class LevelSet(RequestBody):
    """``{"level": "P3", "evidence": "…"}``; ``since`` defaults to today (team-local)."""

    level: str = Field(min_length=1, max_length=40)
    evidence: str = Field(default="", max_length=service.MAX_EVIDENCE)
    since: IsoDate | None = None


class AssessmentCreate(RequestBody):
    """``{"level": "P3", "outcome": "qualified", "effective_date": "2026-12-01"}``."""

    level: str = Field(min_length=1, max_length=40)
    outcome: Outcome
    evidence: str = Field(default="", max_length=service.MAX_EVIDENCE)
    effective_date: IsoDate


def _person(session: SessionDep, principal: Principal, handle: str, team: Team) -> Member:
    """The member of the workspace with ``handle``; an unknown one is named with the team
    asked about (a tester read "nobody 不在「」里": the team was left empty)."""
    found = team_service.get_member_by_handle(
        session, workspace_id=principal.workspace.id, handle=handle
    )
    if found is None:
        raise NotFound("qualifications.error.unknown_member", handle=handle[:64], team=team.name)
    return found


@router.get("/framework")
def read_framework(session: SessionDep, team: TeamDep) -> list[TrackBody]:
    """The team's tracks with their levels lowest first (every member may read it)."""
    return [
        TrackBody(
            key=track.key,
            name=track.name,
            job_type=track.job_type,
            levels=[LevelBody(code=lv.code, title=lv.title, criteria=lv.criteria) for lv in levels],
        )
        for track, levels in service.framework(session, team=team)
    ]


@router.put("/framework", dependencies=[ADMIN_GATE])
def write_framework(
    body: FrameworkBody, session: SessionDep, principal: PrincipalDep, team: TeamDep
) -> list[TrackBody]:
    """Replace the framework (admins): tracks and levels matched by key and code keep the
    people on them; 409 when a level in use would go, 422 for a malformed one."""
    require_admin(session, principal, team)
    service.replace_framework(
        session,
        team=team,
        tracks=[
            service.TrackSpec(
                key=tr.key,
                name=tr.name,
                job_type=tr.job_type,
                levels=[service.LevelSpec(lv.code, lv.title, lv.criteria) for lv in tr.levels],
            )
            for tr in body.tracks
        ],
    )
    return read_framework(session, team)


@router.get("/people/{handle}")
def read_person(
    handle: str, session: SessionDep, principal: PrincipalDep, team: TeamDep
) -> ProfileRead:
    """A person's level and assessments: the person, the team's director and admins (403
    for anyone else, before anything about the person is read)."""
    person = _person(session, principal, handle, team)
    service.require_reader(team, principal.member, person, admin=is_admin(session, principal, team))
    service.require_known(session, team=team, person=person)
    found = service.profile(session, team=team, person=person)
    names = team_service.names_by_id(session, [a.assessor_id for a, _lv in found.assessments])
    return ProfileRead(
        handle=person.handle,
        name=person.display_name,
        track=found.track.key if found.track else None,
        level=found.level.code if found.level else None,
        title=found.level.title if found.level else None,
        since=found.holding.since if found.holding else None,
        evidence=found.holding.evidence if found.holding else None,
        assessments=[
            AssessmentRead(
                year=a.year,
                level=lv.code,
                outcome=a.outcome,
                assessor=names.get(a.assessor_id) if a.assessor_id else None,
                effective_date=a.effective_date,
                evidence=a.evidence,
            )
            for a, lv in found.assessments
        ],
    )


@router.put("/people/{handle}/level")
def put_level(
    handle: str,
    body: LevelSet,
    session: SessionDep,
    principal: PrincipalDep,
    team: TeamDep,
    now: NowDep,
) -> ProfileRead:
    """Set a person's current level (the director or an admin: 403 otherwise)."""
    service.require_assessor(team, principal.member, admin=is_admin(session, principal, team))
    person = _person(session, principal, handle, team)
    level = service.find_level(session, team=team, code=body.level)
    service.set_level(
        session,
        team=team,
        person=person,
        level=level,
        evidence=body.evidence,
        actor=principal.member,
        since=body.since or local(now, team.timezone).date(),
        now=now,
    )
    return read_person(handle, session, principal, team)


@router.post("/people/{handle}/assessments", status_code=status.HTTP_201_CREATED)
def post_assessment(
    handle: str,
    body: AssessmentCreate,
    session: SessionDep,
    principal: PrincipalDep,
    team: TeamDep,
    now: NowDep,
) -> ProfileRead:
    """Record the assessment of ``effective_date``'s year (409 when it has one), qualified
    raising the current level (the director or an admin: 403 otherwise)."""
    service.require_assessor(team, principal.member, admin=is_admin(session, principal, team))
    person = _person(session, principal, handle, team)
    level = service.find_level(session, team=team, code=body.level)
    service.assess(
        session,
        team=team,
        person=person,
        level=level,
        outcome=body.outcome,
        evidence=body.evidence,
        assessor=principal.member,
        effective=body.effective_date,
        now=now,
    )
    return read_person(handle, session, principal, team)
