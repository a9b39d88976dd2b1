"""The framework, current levels and yearly assessments (flush, never commit).

Who may read a person's level: the person, the team's director and the team's admins
(:func:`require_reader`); who may set levels and record assessments: the director and admins
(:func:`require_assessor`); the framework is managed by admins (the REST boundary's gate).
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date, datetime

from sqlalchemy import delete, select
from sqlalchemy.orm import Session

from teamassist.clock import PLAN_AHEAD
from teamassist.exceptions import Conflict, Invalid, NotFound, PermissionDenied
from teamassist.i18n import t
from teamassist.qualifications.models import (
    Outcome,
    QualAssessment,
    QualHolding,
    QualLevel,
    QualTrack,
)
from teamassist.team import service as team_service
from teamassist.team.models import Member, Team
from teamassist.team.names import clean_text

MAX_EVIDENCE = 2000
MAX_CRITERIA = 10
JOB_TYPES = ("ic", "manager")


@dataclass(frozen=True)
class LevelSpec:
    """A level as a framework edit gives it (``code`` P1, lowest first)."""

    code: str
    title: str
    criteria: list[str]


@dataclass(frozen=True)
class TrackSpec:
    """A track as a framework edit gives it."""

    key: str
    name: str
    job_type: str = "ic"
    levels: list[LevelSpec] = field(default_factory=list)


@dataclass(frozen=True)
class Profile:
    """A person's qualification: the current level (None when unset) and its track, the
    evidence, and the assessments newest year first (with each one's level)."""

    person: Member
    holding: QualHolding | None
    level: QualLevel | None
    track: QualTrack | None
    assessments: list[tuple[QualAssessment, QualLevel]]


def is_director(team: Team, member: Member | None) -> bool:
    """Whether ``member`` directs ``team``."""
    return member is not None and member.id == team.director_id


def require_reader(team: Team, viewer: Member | None, person: Member, *, admin: bool) -> None:
    """Refuse (PermissionDenied ``qualifications.error.private``) unless the viewer is the
    person, the team's director or an admin of the team."""
    if admin or is_director(team, viewer) or (viewer is not None and viewer.id == person.id):
        return
    raise PermissionDenied("qualifications.error.private", name=person.display_name)


def require_assessor(team: Team, actor: Member | None, *, admin: bool) -> None:
    """Refuse (PermissionDenied ``qualifications.error.not_assessor``) unless the actor is the
    team's director or an admin of the team."""
    if admin or is_director(team, actor):
        return
    raise PermissionDenied("qualifications.error.not_assessor", team=team.name)


def framework(session: Session, *, team: Team) -> list[tuple[QualTrack, list[QualLevel]]]:
    """The team's tracks (by id) with their levels lowest first."""
    tracks = list(
        session.scalars(
            select(QualTrack).where(QualTrack.team_id == team.id).order_by(QualTrack.id)
        )
    )
    levels = (
        list(
            session.scalars(
                select(QualLevel)
                .where(QualLevel.track_id.in_([t.id for t in tracks]))
                .order_by(QualLevel.rank)
            )
        )
        if tracks
        else []
    )
    return [(t, [lv for lv in levels if lv.track_id == t.id]) for t in tracks]


def find_level(session: Session, *, team: Team, code: str) -> QualLevel:
    """The level ``code`` (``P3``, case forgiven; ``track:P3`` when tracks share codes) of the
    team's framework; NotFound otherwise."""
    wanted = code.strip()
    track_key, _, level_code = wanted.rpartition(":")
    for track, levels in framework(session, team=team):
        if track_key and track.key.casefold() != track_key.casefold():
            continue
        for level in levels:
            if level.code.casefold() == level_code.casefold():
                return level
    raise NotFound("qualifications.error.unknown_level", code=wanted[:40])


def _person_in_team(session: Session, team: Team, person: Member) -> None:
    if team_service.role_of(session, team=team, member=person) is None:
        raise NotFound("qualifications.error.not_in_team", name=person.display_name, team=team.name)


def _evidence(text: str) -> str:
    value = clean_text(text)  # nothing visible is no evidence
    if len(value) > MAX_EVIDENCE:
        raise Invalid("qualifications.error.too_long", limit=MAX_EVIDENCE)
    return value


def require_known(session: Session, *, team: Team, person: Member) -> None:
    """Refuse (NotFound ``qualifications.error.not_in_team``) a person asked about who is not
    in the team and has no record in it: an admin of 二组 asking of 李四 (only in 一组, P3
    there) read 「还没有设定职级」 (tester s26 A-5). A record kept after someone left the team
    is still theirs to show."""
    if team_service.role_of(session, team=team, member=person) is not None:
        return
    kept = session.scalar(
        select(QualHolding.id).where(
            QualHolding.team_id == team.id, QualHolding.member_id == person.id
        )
    ) or session.scalar(
        select(QualAssessment.id)
        .where(QualAssessment.team_id == team.id, QualAssessment.member_id == person.id)
        .limit(1)
    )
    if kept is None:
        _person_in_team(session, team, person)


def profile(session: Session, *, team: Team, person: Member) -> Profile:
    """The person's qualification in the team (no permission check: callers check first)."""
    holding = session.scalar(
        select(QualHolding).where(
            QualHolding.team_id == team.id, QualHolding.member_id == person.id
        )
    )
    level = session.get(QualLevel, holding.level_id) if holding else None
    track = session.get(QualTrack, level.track_id) if level else None
    rows = session.execute(
        select(QualAssessment, QualLevel)
        .join(QualLevel, QualLevel.id == QualAssessment.level_id)
        .where(QualAssessment.team_id == team.id, QualAssessment.member_id == person.id)
        .order_by(QualAssessment.year.desc())
    ).all()
    return Profile(person, holding, level, track, [(a, lv) for a, lv in rows])


def set_level(
    session: Session,
    *,
    team: Team,
    person: Member,
    level: QualLevel,
    evidence: str,
    actor: Member | None,
    since: date,
    now: datetime,
) -> QualHolding:
    """Make ``level`` the person's current level (replacing the previous one). NotFound when
    the person is not in the team, Conflict ``people.error.inactive``/``merged`` when they have
    left, Invalid for evidence over :data:`MAX_EVIDENCE` and for a ``since`` more than
    :data:`~teamassist.clock.PLAN_AHEAD` after ``now`` (``qualifications.error.since_too_late``)."""
    text = _evidence(evidence)
    latest = now.date() + PLAN_AHEAD
    if since > latest:  # a promotion may take effect later, not in 9999
        raise Invalid("qualifications.error.since_too_late", since=since, latest=latest)
    team_service.require_active(person)  # a level for someone who left reads as current
    _person_in_team(session, team, person)
    holding = session.scalar(
        select(QualHolding)
        .where(QualHolding.team_id == team.id, QualHolding.member_id == person.id)
        .with_for_update()
        .execution_options(populate_existing=True)
    )
    if holding is None:
        holding = QualHolding(team_id=team.id, member_id=person.id, level_id=level.id)
        session.add(holding)
    holding.level_id = level.id
    holding.evidence = text
    holding.set_by_id = actor.id if actor else None
    holding.since = since
    holding.updated_at = now
    session.flush()
    return holding


def assess(
    session: Session,
    *,
    team: Team,
    person: Member,
    level: QualLevel,
    outcome: Outcome,
    evidence: str,
    assessor: Member | None,
    effective: date,
    now: datetime,
) -> QualAssessment:
    """Record the person's assessment for ``effective``'s year; a qualified outcome also makes
    ``level`` the current level from ``effective``. Conflict ``qualifications.error.assessed``
    when that year has one: one assessment per person and year (README). Replacing it silently
    lost the assessment a level came from, and the level then disagreed with the year's record
    (tester s16 M7); a level is corrected with /设定职级, which keeps its own evidence."""
    text = _evidence(evidence)
    _person_in_team(session, team, person)
    row = session.scalar(
        select(QualAssessment)
        .where(
            QualAssessment.team_id == team.id,
            QualAssessment.member_id == person.id,
            QualAssessment.year == effective.year,
        )
        .with_for_update()
        .execution_options(populate_existing=True)
    )
    if row is not None:
        earlier = session.get(QualLevel, row.level_id)
        assessor_name = session.get(Member, row.assessor_id) if row.assessor_id else None
        raise Conflict(
            "qualifications.error.assessed",
            name=person.display_name,
            year=row.year,
            code=earlier.code if earlier else "—",
            outcome=t(
                "qualifications.outcome_qualified"
                if row.outcome == Outcome.QUALIFIED.value
                else "qualifications.outcome_not_yet"
            ),
            assessor=assessor_name.display_name if assessor_name else "—",
        )
    row = QualAssessment(team_id=team.id, member_id=person.id, year=effective.year)
    session.add(row)
    row.level_id = level.id
    row.outcome = outcome.value
    row.evidence = text
    row.assessor_id = assessor.id if assessor else None
    row.effective_date = effective
    row.created_at = now
    session.flush()
    if outcome is Outcome.QUALIFIED:
        set_level(
            session,
            team=team,
            person=person,
            level=level,
            evidence=text,
            actor=assessor,
            since=effective,
            now=now,
        )
    return row


def team_levels(session: Session, *, team: Team) -> list[tuple[Member, QualLevel | None]]:
    """Every active member of the team with their current level (for the director's view)."""
    held = {
        h.member_id: h.level_id
        for h in session.scalars(select(QualHolding).where(QualHolding.team_id == team.id))
    }
    levels = (
        {
            lv.id: lv
            for lv in session.scalars(select(QualLevel).where(QualLevel.id.in_(set(held.values()))))
        }
        if held
        else {}
    )
    people = [m for m, _role in team_service.team_members(session, team=team) if m.active]
    return [(m, levels.get(held[m.id]) if m.id in held else None) for m in people]


def _check_spec(tracks: list[TrackSpec]) -> None:
    keys = [t.key.strip().casefold() for t in tracks]
    if len(set(keys)) != len(keys) or not all(keys):
        raise Invalid("qualifications.error.framework", detail="track keys")
    for track in tracks:
        codes = [lv.code.strip().casefold() for lv in track.levels]
        if (
            not track.name.strip()
            or track.job_type not in JOB_TYPES
            or not codes
            or len(set(codes)) != len(codes)
            or not all(codes)
            or any(len(lv.criteria) > MAX_CRITERIA or not lv.title.strip() for lv in track.levels)
        ):
            raise Invalid("qualifications.error.framework", detail=track.key[:32])


def replace_framework(session: Session, *, team: Team, tracks: list[TrackSpec]) -> None:
    """Make the team's framework ``tracks``: tracks by key and levels by code are updated in
    place (so people keep their level), new ones added, missing ones removed; Invalid for a
    malformed framework, Conflict when a level someone holds or was assessed at would go."""
    _check_spec(tracks)
    current = {t.key.casefold(): (t, lvs) for t, lvs in framework(session, team=team)}
    wanted = {t.key.strip().casefold() for t in tracks}
    doomed: list[QualLevel] = [
        lv for k, (_t, lvs) in current.items() if k not in wanted for lv in lvs
    ]
    for spec in tracks:
        found = current.get(spec.key.strip().casefold())
        if found is None:
            track = QualTrack(
                workspace_id=team.workspace_id,
                team_id=team.id,
                key=spec.key.strip()[:32],
                name=spec.name.strip()[:100],
                job_type=spec.job_type,
            )
            session.add(track)
            session.flush()
            existing: dict[str, QualLevel] = {}
        else:
            track, levels = found
            existing = {lv.code.casefold(): lv for lv in levels}
        track.name = spec.name.strip()[:100]
        track.job_type = spec.job_type
        codes = {lv.code.strip().casefold() for lv in spec.levels}
        doomed += [lv for code, lv in existing.items() if code not in codes]
        for rank, lv_spec in enumerate(spec.levels, start=1):
            level = existing.get(lv_spec.code.strip().casefold())
            if level is None:
                level = QualLevel(
                    track_id=track.id,
                    code=lv_spec.code.strip()[:16],
                    rank=rank,
                    title=lv_spec.title.strip()[:100],
                    criteria=[],
                )
                session.add(level)
            level.rank = rank
            level.title = lv_spec.title.strip()[:100]
            level.criteria = [c.strip()[:500] for c in lv_spec.criteria if c.strip()]
    doomed_ids = [lv.id for lv in doomed]
    if doomed_ids:
        used = session.scalar(
            select(QualHolding.id).where(QualHolding.level_id.in_(doomed_ids)).limit(1)
        ) or session.scalar(
            select(QualAssessment.id).where(QualAssessment.level_id.in_(doomed_ids)).limit(1)
        )
        if used is not None:
            raise Conflict("qualifications.error.level_in_use")
        session.execute(delete(QualLevel).where(QualLevel.id.in_(doomed_ids)))
    for key, (track, _lvs) in current.items():
        if key not in wanted:
            session.delete(track)
    session.flush()
