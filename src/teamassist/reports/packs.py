"""Report packs: the context a template renders (live data asked of the OKR and action-item
desks through query events, and the members' weekly entries), building and storing a pack, and
who may read one.

``build_pack`` is what the meetings domain's :class:`teamassist.events.ReportPackNeeded` ends
in, and what ``/生成周报`` and ``POST /api/v1/reports/packs`` call.

A command or request that builds a pack is one transaction, but its render is not done in it
(tester s28 E-14: the render held SQLite's write lock, so every write of the install waited):
the first attempt of the unit reads the values, is rolled back when it asks for the render,
the render runs with no transaction open, and the unit runs again, reading everything afresh
under the team's row lock and storing the render only when it was made from exactly those
values (``documents/outside.py``). So a change committed during the render is in the pack (it
is rendered again), and a pack another ask built meanwhile is found and refreshed, not doubled.
"""

from __future__ import annotations

import base64
import logging
import uuid
from collections import defaultdict
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import UTC, date, datetime, time, timedelta
from typing import Any
from zoneinfo import ZoneInfo

from sqlalchemy import select
from sqlalchemy.orm import Session

from teamassist.chat import notify
from teamassist.chat.types import Reply
from teamassist.clock import ensure_utc, local
from teamassist.enums import Role
from teamassist.events import ActionFact, ActionFacts, ObjectiveFact, OkrFacts, ask
from teamassist.exceptions import Conflict, Invalid, NotFound, PermissionDenied
from teamassist.i18n import t
from teamassist.reports import chart, entries, kinds, templates_store
from teamassist.reports.models import ReportPack
from teamassist.team import service as team_service
from teamassist.team.models import Member, Team

log = logging.getLogger(__name__)

RETRO_QUESTIONS = (
    "reports.retro.q1",
    "reports.retro.q2",
    "reports.retro.q3",
    "reports.retro.q4",
)
_STATES = {
    "open": "reports.state.open",
    "done": "reports.state.done",
    "closed": "reports.state.closed",
    "overdue": "reports.state.overdue",
}
_TITLES = {
    "monthly": "reports.title.monthly",
    "quarterly": "reports.title.quarterly",
    "half_year": "reports.title.half_year",
    "annual": "reports.title.annual",
}
_TEMPLATE_NAMES = {
    "weekly": "reports.template_name.weekly",
    "period": "reports.template_name.period",
}
_CHART_SERIES = 7  # more Os than this: one line for the team's mean instead


def _midnight(day: date, zone: str) -> datetime:
    return datetime.combine(day, time(), tzinfo=ZoneInfo(zone)).astimezone(UTC)


def _confidence(value: float | None) -> str:
    return "—" if value is None else f"{value:.1f}".removesuffix(".0")


def _score(value: float | None) -> str:
    return "—" if value is None else f"{value:.1f}"


def _objective(o: ObjectiveFact) -> dict[str, Any]:
    return {
        "label": o.label,
        "title": o.title,
        "progress": o.progress,
        "confidence": _confidence(o.confidence),
        "score": _score(o.score),
        "key_results": [
            {
                "label": k.label,
                "title": k.title,
                "progress": k.progress,
                "confidence": _confidence(k.confidence),
                "score": _score(k.score),
            }
            for k in o.key_results
        ],
    }


def _action(a: ActionFact, names: dict[int, str], zone: str) -> dict[str, Any]:
    due = local(a.due_at, zone)
    return {
        "id": a.id,
        "title": a.title,
        "owner": names.get(a.owner_id, "?"),
        "due": f"{due.month}月{due.day}日 {due:%H:%M}",
        "state": t(_STATES.get("overdue" if a.overdue else a.state, "reports.state.open")),
    }


def _chart(
    objectives: Sequence[ObjectiveFact], names: dict[int, str], start: date, end: date
) -> tuple[str, list[str]]:
    """The trend chart as a ``data:`` URI and its legend lines ('' without any point)."""
    trended = [o for o in objectives if o.trend]
    if not trended:
        return "", []
    if len(trended) <= _CHART_SERIES:
        series: list[chart.Series] = [(o.label, o.trend) for o in trended]
        legend = [f"{o.label}：{names.get(o.owner_id or 0, '—')} · {o.title}" for o in trended]
    else:
        by_day: dict[date, list[float]] = defaultdict(list)
        for o in trended:
            for day, value in o.trend:
                by_day[day].append(min(value, 1.0))
        series = [("Team", [(d, sum(v) / len(v)) for d, v in sorted(by_day.items())])]
        legend = [t("reports.chart.team_mean", count=len(trended))]
    png = chart.line_chart(series, start=start, end=end)
    return "data:image/png;base64," + base64.b64encode(png).decode("ascii"), legend


def context(
    session: Session,
    *,
    team: Team,
    kind: str,
    title: str,
    period_start: date,
    period_end: date,
    now: datetime,
    person: Member | None = None,
) -> dict[str, Any]:
    """The values a template renders (see ``kinds.sample_context`` for the shape)."""
    zone = team.timezone
    today = local(now, zone).date()
    period = kind != "weekly"
    people = [
        m
        for m, _role in team_service.team_members(session, team=team)
        if m.active and m.merged_into_id is None and (person is None or m.id == person.id)
    ]
    facts = [
        fact
        for answer in ask(
            session,
            OkrFacts(team=team, day=min(period_end, today), now=now, with_trend=period),
        )
        for fact in answer
    ]
    actions = [
        fact
        for answer in ask(
            session,
            ActionFacts(
                team=team,
                since=_midnight(period_start, zone),
                until=_midnight(period_end + timedelta(days=1), zone),
                now=now,
            ),
        )
        for fact in answer
        if person is None or fact.owner_id == person.id
    ]
    names = {m.id: m.display_name for m in people}
    names.update(team_service.names_by_id(session, {a.owner_id for a in actions} - set(names)))
    by_owner: dict[int | None, list[ObjectiveFact]] = defaultdict(list)
    for fact in facts:
        by_owner[fact.owner_id].append(fact)
    written = entries.latest_in(
        session, team=team, member_ids=[m.id for m in people], start=period_start, end=period_end
    )
    members = []
    for member in people:
        entry = written.get(member.id)
        members.append(
            {
                "name": member.display_name,
                "objectives": [_objective(o) for o in by_owner.get(member.id, [])],
                **{
                    field: entries.lines(getattr(entry, field)) if entry is not None else []
                    for field in entries.FIELDS
                },
            }
        )
    since, until = _midnight(period_start, zone), _midnight(period_end + timedelta(days=1), zone)
    shown = [o for o in facts if person is None or o.owner_id == person.id]
    chart_uri, legend = _chart(shown, names, period_start, period_end) if period else ("", [])
    scores = [o.score for o in shown if o.score is not None]
    return {
        "title": title,
        "team_name": team.name,
        "kind": kind,
        "period": f"{period_start:%Y-%m-%d} — {period_end:%Y-%m-%d}",
        "generated": f"{local(now, zone):%Y-%m-%d %H:%M}",
        "members": members,
        "actions": {
            "opened": [_action(a, names, zone) for a in actions if since <= a.created_at < until],
            "closed": [
                _action(a, names, zone)
                for a in actions
                if a.closed_at is not None and since <= a.closed_at < until
            ],
            "overdue": [_action(a, names, zone) for a in actions if a.overdue],
        },
        "chart": chart_uri,
        "chart_legend": legend,
        "quarter_end": kind in kinds.QUARTER_END,
        "team_score": _score(sum(scores) / len(scores)) if scores else "—",
        "retro_questions": [t(key) for key in RETRO_QUESTIONS],
    }


def default_title(kind: str, period_start: date, period_end: date) -> str:
    """The seed's names: ``OKR周报2026/11/16-11/22``, ``2026年11月OKR月报``,
    ``2026年上半年OKR半年报``…"""
    if kind == "weekly":
        return f"OKR周报{period_start:%Y/%m/%d}-{period_end:%m/%d}"
    return t(
        _TITLES[kind],
        year=period_end.year,
        month=period_end.month,
        quarter=(period_end.month + 2) // 3,
        half=t(
            "reports.title.first_half" if period_end.month <= 6 else "reports.title.second_half"
        ),
    )


# The years a period may lie in: those of an OKR cycle (okr.cycles). A pack for 1900 was built
# and listed, one for 9999 failed on the day after its end (tester s27 B-11).
FIRST_DAY, LAST_DAY = date(2000, 1, 1), date(2100, 12, 31)


def _check_period(period_start: date, period_end: date) -> None:
    """Invalid ``reports.error.period``: a period that ends before it starts, is longer than
    400 days or lies outside :data:`FIRST_DAY` … :data:`LAST_DAY`."""
    if (
        period_end < period_start
        or (period_end - period_start).days > 400
        or period_start < FIRST_DAY
        or period_end > LAST_DAY
    ):
        raise Invalid("reports.error.period", start=period_start, end=period_end)


def find(session: Session, *, team: Team, occurrence_key: str) -> list[ReportPack]:
    """The packs already built for an occurrence (team's first)."""
    return list(
        session.scalars(
            select(ReportPack)
            .where(ReportPack.team_id == team.id, ReportPack.occurrence_key == occurrence_key)
            .order_by(ReportPack.person_key)
        )
    )


# A second /生成报告 of the same period this soon is a double tap or a retry, not a new pack.
REPEAT_WINDOW = timedelta(minutes=10)


def refresh_a_repeat(
    session: Session,
    *,
    team: Team,
    kind: str,
    period_start: date,
    period_end: date,
    now: datetime,
    per_person: bool = False,
) -> ReportPack | None:
    """The team's ad-hoc pack of ``kind`` for this period built within :data:`REPEAT_WINDOW`
    before ``now``, rendered again as of ``now`` (same row, same link), or None. Tester s25
    F-B14: 20 `/生成报告 周报` at once made 20 identical packs. The team's row is locked first
    (as a meeting move locks it): asks of one team queue until the first commits, and read
    committed (PostgreSQL, MariaDB) lets the next see its pack; SQLite serialises writers.
    ``per_person``: its per-person documents are rendered again too, and the members' it
    lacks added (tester s26 B-24: REST's per-person ask skipped this, 10 at once made 10)."""
    session.execute(select(Team.id).where(Team.id == team.id).with_for_update())
    recent = session.scalars(
        select(ReportPack)
        .where(
            ReportPack.team_id == team.id,
            ReportPack.kind == kind,
            ReportPack.period_start == period_start,
            ReportPack.period_end == period_end,
            ReportPack.person_key == 0,
            ReportPack.occurrence_key.startswith("adhoc:"),
            ReportPack.created_at >= ensure_utc(now) - REPEAT_WINDOW,
        )
        .order_by(ReportPack.id.desc())
        .execution_options(populate_existing=True)
    ).first()
    if recent is not None:
        _render_again(session, team, recent, now)
        if per_person:
            _people_again(session, team, recent, now)
    return recent


def _people_again(session: Session, team: Team, pack: ReportPack, now: datetime) -> None:
    """The per-person documents of the team pack ``pack`` rendered again as of ``now``, and
    one added for each active member who has none."""
    have = {
        p.person_key: p
        for p in find(session, team=team, occurrence_key=pack.occurrence_key)
        if p.person_key
    }
    _render_all(
        session, team, [(have[p.id], p) for p in _people(session, team) if p.id in have], now
    )
    missing = [p for p in _people(session, team) if p.id not in have]
    if missing:
        _build(session, team, like=_Spec.of(pack), people=missing, now=now, asked_by=None)


class TemplateFailed(Conflict):
    """The team's report template failed while a pack was being made (409
    ``reports.error.template_failed``): the pack is not made, and the template's owner has a
    notice with the real error queued in the same session. Boundaries answer it without
    rolling back (``answer_failed``), so that notice is sent."""


def template_owner(session: Session, *, team: Team, name: str) -> Member | None:
    """Who is told when the team's template ``name`` fails: the team's director (who owns the
    report templates), else whoever last saved it; None when neither is an active member."""
    row = templates_store.stored(session, team=team, name=name)
    for member_id in (team.director_id, row.updated_by_id if row is not None else None):
        member = session.get(Member, member_id) if member_id is not None else None
        if member is not None and member.active and member.merged_into_id is None:
            return member
    return None


def _failed(
    session: Session,
    *,
    team: Team,
    name: str,
    title: str,
    error: Invalid,
    asked_by: Member | None,
    now: datetime,
) -> TemplateFailed:
    """Queue the owner's notice of a template that failed at generation, and the member's
    refusal naming who was told."""
    owner = template_owner(session, team=team, name=name)
    line = error.params.get("line")
    problem = (
        t("reports.failed.at_line", line=line, detail=error.params.get("detail", ""))
        if line is not None
        else t("reports.failed.anywhere", detail=error.params.get("detail", ""))
    )
    if owner is not None:
        who = asked_by.display_name if asked_by is not None else t("reports.failed.scheduled")
        notice = t(
            "reports.failed.owner",
            template=t(_TEMPLATE_NAMES[name]),
            team=team.name,
            title=title,
            problem=problem,
            who=who,
        )
        notify.to_member(
            session,
            member=owner,
            reply=Reply(body=notice),
            key=f"reports.template_failed:{team.id}:{name}:{uuid.uuid4().hex}",
            now=now,
        )
    if owner is None:
        return TemplateFailed("reports.error.template_failed_nobody", title=title)
    if asked_by is not None and asked_by.id == owner.id:
        return TemplateFailed("reports.error.template_failed_yours", title=title, problem=problem)
    if error.key == "reports.error.template_budget":  # a limit, not a mistake (tester s28 E-5)
        return TemplateFailed(
            "reports.error.template_over",
            title=title,
            owner=owner.display_name,
            detail=error.params.get("detail", ""),
        )
    return TemplateFailed("reports.error.template_failed", title=title, owner=owner.display_name)


def build_pack(
    session: Session,
    team: Team,
    kind: str,
    period_start: date,
    period_end: date,
    now: datetime,
    *,
    title: str | None = None,
    occurrence_key: str | None = None,
    read_by: datetime | None = None,
    per_person: bool = False,
    refresh: bool = False,
    asked_by: Member | None = None,
) -> ReportPack:
    """Render and store the team's pack of ``kind`` for ``period_start``..``period_end``
    (team-local dates, inclusive) and, with ``per_person``, one document per member.

    With an ``occurrence_key`` the packs are built once: asked again, the stored team pack is
    returned unchanged, or with ``refresh`` rendered again as of ``now`` (same row, same
    title; per-person documents are left as they are). Raises :class:`Invalid` for an
    unknown kind or a bad period. A stored template that no longer renders raises
    :class:`TemplateFailed` (nothing is stored then; its owner's notice is queued, naming
    ``asked_by``, the member who asked, or the schedule when None)."""
    kinds.check_kind(kind)
    _check_period(period_start, period_end)
    if occurrence_key is not None:
        existing = find(session, team=team, occurrence_key=occurrence_key)
        if existing:
            if refresh:
                _render_again(session, team, existing[0], now)
            return existing[0]
    key = occurrence_key or f"adhoc:{uuid.uuid4().hex}"
    spec = _Spec(
        kind=kind,
        title=title or default_title(kind, period_start, period_end),
        period_start=period_start,
        period_end=period_end,
        occurrence_key=key,
        read_by=ensure_utc(read_by) if read_by is not None else None,
    )
    people: list[Member | None] = [None]
    if per_person:
        people += _people(session, team)
    return _build(session, team, like=spec, people=people, now=now, asked_by=asked_by)[0]


@dataclass(frozen=True)
class _Spec:
    """What the documents of one pack share: kind, period, title, occurrence, read-by."""

    kind: str
    title: str
    period_start: date
    period_end: date
    occurrence_key: str
    read_by: datetime | None

    @classmethod
    def of(cls, pack: ReportPack) -> _Spec:
        return cls(
            pack.kind,
            pack.title,
            pack.period_start,
            pack.period_end,
            pack.occurrence_key,
            pack.read_by,
        )


def _people(session: Session, team: Team) -> list[Member]:
    """Who gets a per-person document: the team's active members."""
    return [
        m
        for m, _role in team_service.team_members(session, team=team)
        if m.active and m.merged_into_id is None
    ]


def _build(
    session: Session,
    team: Team,
    *,
    like: _Spec,
    people: Sequence[Member | None],
    now: datetime,
    asked_by: Member | None,
) -> list[ReportPack]:
    """Render and store a document of ``like``'s kind, period, title, occurrence and reading
    deadline for each of ``people`` (None: the team's); :class:`TemplateFailed` when the
    team's template fails (nothing stored)."""
    name = kinds.template_of(like.kind)
    source = templates_store.source(session, team=team, name=name)
    built: list[ReportPack] = []
    contexts: list[dict[str, Any]] = []
    for person in people:
        values = context(
            session,
            team=team,
            kind=like.kind,
            title=like.title if person is None else f"{like.title}-{person.display_name}",
            period_start=like.period_start,
            period_end=like.period_end,
            now=now,
            person=person,
        )
        pack = ReportPack(
            workspace_id=team.workspace_id,
            team_id=team.id,
            kind=like.kind,
            title=values["title"],
            period_start=like.period_start,
            period_end=like.period_end,
            occurrence_key=like.occurrence_key,
            person_key=person.id if person is not None else 0,
            person_id=person.id if person is not None else None,
            markdown="",
            read_by=like.read_by,
            created_at=ensure_utc(now),  # the clock the repeat window reads
        )
        built.append(pack)
        contexts.append(values)
    try:
        # The team's document and each person's in one call: one trip to the render host.
        markdowns = templates_store.render_many(source, contexts, team=team)
    except Invalid as error:
        raise _failed(
            session,
            team=team,
            name=name,
            title=like.title,
            error=error,
            asked_by=asked_by,
            now=now,
        ) from error
    for pack, markdown in zip(built, markdowns, strict=True):
        pack.markdown = markdown
    session.add_all(built)
    session.flush()
    return built


def _render_again(
    session: Session, team: Team, pack: ReportPack, now: datetime, *, person: Member | None = None
) -> None:
    """Render ``pack`` (the team's, or ``person``'s document) with the data as of ``now`` (its
    template as stored now)."""
    _render_all(session, team, [(pack, person)], now)


def _render_all(
    session: Session,
    team: Team,
    packs: Sequence[tuple[ReportPack, Member | None]],
    now: datetime,
) -> None:
    """Render each pack (the team's, or that person's document) with the data as of ``now``,
    in one call to the renderer; when the template (as stored now) fails, every one is kept
    as built."""
    if not packs:
        return
    source = templates_store.source(session, team=team, name=kinds.template_of(packs[0][0].kind))
    contexts = [
        context(
            session,
            team=team,
            kind=pack.kind,
            title=pack.title,
            period_start=pack.period_start,
            period_end=pack.period_end,
            now=now,
            person=person,
        )
        for pack, person in packs
    ]
    try:
        markdowns = templates_store.render_many(source, contexts, team=team)
    except Invalid:  # the template was edited into one that fails: keep what was built
        log.warning(
            "report packs %s kept as built: their template no longer renders",
            ", ".join(str(pack.id) for pack, _person in packs),
        )
        return
    for (pack, _person), markdown in zip(packs, markdowns, strict=True):
        pack.markdown = markdown
    session.flush()


def director_ids(team: Team) -> set[int]:
    """Who reads every per-person document of the team: its director (and leader)."""
    return {i for i in (team.director_id, team.leader_id) if i is not None}


def may_read(session: Session, *, team: Team, pack: ReportPack, member: Member) -> bool:
    """A team pack: any member of the team. A per-person one: that person, the team's
    director or leader, and its admins. The director may sit in a parent team, not in this
    one: they read every pack all the same (the team walk, session 24)."""
    if pack.team_id != team.id:
        return False
    if member.id == team.director_id:
        return True
    role = team_service.role_of(session, team=team, member=member)
    if role is None:
        return False
    if pack.person_id is None or pack.person_id == member.id:
        return True
    return member.id in director_ids(team) or role is Role.ADMIN


def get(session: Session, *, team: Team, pack_id: int, member: Member) -> ReportPack:
    """The team's pack ``pack_id`` once ``member`` may read it (NotFound, PermissionDenied)."""
    pack = session.get(ReportPack, pack_id)
    if pack is None or pack.team_id != team.id:
        raise NotFound("reports.error.no_pack", id=pack_id)
    if not may_read(session, team=team, pack=pack, member=member):
        raise PermissionDenied("reports.error.not_yours", id=pack_id)
    return pack


def listing_shared(session: Session, *, team: Team, limit: int = 100) -> list[ReportPack]:
    """The team's packs that are no one's personal document, newest period first."""
    return list(
        session.scalars(
            select(ReportPack)
            .where(ReportPack.team_id == team.id, ReportPack.person_id.is_(None))
            .order_by(ReportPack.period_end.desc(), ReportPack.id.desc())
            .limit(limit)
        )
    )


def listing(session: Session, *, team: Team, member: Member, limit: int = 100) -> list[ReportPack]:
    """The team's packs ``member`` may read, newest period first."""
    found = session.scalars(
        select(ReportPack)
        .where(ReportPack.team_id == team.id)
        .order_by(ReportPack.period_end.desc(), ReportPack.id.desc())
        .limit(limit * 4)
    )
    return [p for p in found if may_read(session, team=team, pack=p, member=member)][:limit]
