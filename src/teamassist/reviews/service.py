"""360 cycles: start, reviewer pools, nominate and approve, decline, submit, close, release.

Anonymity lives in the write path (see :mod:`teamassist.reviews.models`): :func:`submit` turns
the reviewer's request ``invited`` → ``submitted`` with a compare-and-set and inserts a response
row that names no reviewer and carries no time, in the same transaction. Nothing here sends a
notice on submit (an outbox row would time it). Results are read in
:mod:`teamassist.reviews.summary`, only once a cycle is closed, so two looks at a growing pool
cannot be subtracted from each other.

Who manages a cycle: the team's director, an admin of the team, or the workspace owner
(:data:`OWNER`: a dashboard account without a member, the global API token), which is an admin
of every team. The owner is nobody, so it never reviews, is never reviewed and nominates no one.
Services flush, never commit.
"""

from __future__ import annotations

import enum
import uuid
from collections.abc import Collection, Mapping, Sequence
from dataclasses import dataclass
from datetime import date, datetime
from typing import Any

from sqlalchemy import and_, or_, select, update
from sqlalchemy.orm import Session

from teamassist.chat import notify
from teamassist.chat.types import Reply, user_text
from teamassist.clock import local, same_day_next_year
from teamassist.enums import Role
from teamassist.exceptions import Conflict, Invalid, NotFound, PermissionDenied
from teamassist.i18n import t
from teamassist.reviews import settings as review_settings
from teamassist.reviews.models import (
    Pool,
    RequestStatus,
    ReviewCycle,
    ReviewRequest,
    ReviewResponse,
    ReviewSubject,
)
from teamassist.team import service as team_service
from teamassist.team.models import Member, Team
from teamassist.team.names import clean_text

MAX_PEERS = 8  # peers chosen by default; the director may add more
MAX_TEXT = 2000  # one free-text answer
MAX_REASON = 500
RATING = range(1, 6)


class Owner(enum.Enum):
    """The workspace owner acting without a member (``Principal.is_owner``): the README's
    "an admin of every team". A value of its own, not ``None``, so "nobody signed in" is never
    taken for it."""

    OWNER = "owner"


OWNER = Owner.OWNER
Actor = Member | Owner
"""Who manages: a member, or the workspace owner."""


ACTS = ("manage", "start", "add", "approve", "close", "release", "view", "settings")
ACTS_NEEDING_A_PERSON = ("submit", "decline")
"""The acts a refusal names (``reviews.act.<act>``): what only a manager may, what only a
person may."""


def actor(member: Member | None) -> Actor:
    """The boundary's caller as an :data:`Actor`: a principal without a member is the owner."""
    return OWNER if member is None else member


def may_manage(session: Session, *, team: Team, member: Actor | None) -> bool:
    """The team's director, one of its admins, or the workspace owner."""
    if member is None:
        return False
    if isinstance(member, Owner):
        return True
    if team.director_id == member.id:
        return True
    return team_service.role_of(session, team=team, member=member) is Role.ADMIN


def managers(session: Session, *, team: Team) -> list[Member]:
    """The people who may manage ``team``'s cycles: its director and admins, those still here."""
    people = _people(session, team)
    found = [m for m in people.values() if may_manage(session, team=team, member=m)]
    return sorted(found, key=lambda m: m.id)


def ended_unreleased(
    session: Session, *, team: Team, now: datetime, limit: int = 3
) -> list[tuple[ReviewCycle, int]]:
    """The team's latest ended cycles (at most ``limit``) with how many summaries are not
    released yet, those with none left out: what a manager still has to do."""
    found: list[tuple[ReviewCycle, int]] = []
    for cycle in cycles(session, team=team)[: limit * 3]:
        if is_open(cycle, team, now):
            continue
        waiting = sum(1 for s in subjects(session, cycle=cycle) if s.released_at is None)
        if waiting:
            found.append((cycle, waiting))
    return found[:limit]


def require_manager(
    session: Session, *, team: Team, member: Actor | None, what: str = "manage"
) -> None:
    """PermissionDenied (``reviews.error.not_director``, naming the refused act: ``what`` is a
    key of ``reviews.act``) unless :func:`may_manage`."""
    if not may_manage(session, team=team, member=member):
        raise PermissionDenied("reviews.error.not_director", what=t(f"reviews.act.{what}"))


def today(team: Team, now: datetime) -> date:
    """The team-local date of ``now``."""
    return local(now, team.timezone).date()


def is_open(cycle: ReviewCycle, team: Team, now: datetime) -> bool:
    """Answers are taken: not closed by hand and its last day not over."""
    return cycle.closed_at is None and today(team, now) <= cycle.due_on


def get_cycle(session: Session, *, team: Team, cycle_id: int) -> ReviewCycle:
    """A cycle of ``team`` by id, or NotFound."""
    cycle = session.get(ReviewCycle, cycle_id)
    if cycle is None or cycle.team_id != team.id:
        raise NotFound("reviews.error.no_cycle", id=cycle_id)
    return cycle


def cycles(session: Session, *, team: Team) -> list[ReviewCycle]:
    """The team's cycles, newest first."""
    return list(
        session.scalars(
            select(ReviewCycle)
            .where(ReviewCycle.team_id == team.id)
            .order_by(ReviewCycle.id.desc())
        )
    )


def latest_cycle(session: Session, *, team: Team) -> ReviewCycle:
    """The team's most recent cycle (chat commands act on it), or NotFound."""
    cycle = session.scalar(
        select(ReviewCycle)
        .where(ReviewCycle.team_id == team.id)
        .order_by(ReviewCycle.id.desc())
        .limit(1)
    )
    if cycle is None:
        raise NotFound("reviews.error.no_cycles")
    return cycle


def _people(session: Session, team: Team) -> dict[int, Member]:
    return {
        m.id: m
        for m, _role in team_service.team_members(session, team=team)
        if m.active and m.merged_into_id is None
    }


def default_pools(session: Session, *, team: Team, reviewee: Member) -> list[tuple[Member, Pool]]:
    """Whom to ask about ``reviewee`` when the director names nobody: themselves (self), their
    manager (else the team's director, else its leader), the people reporting to them, and up
    to :data:`MAX_PEERS` other active members (those sharing the manager first)."""
    people = _people(session, team)
    chosen: dict[int, Pool] = {reviewee.id: Pool.SELF}
    for candidate in (reviewee.manager_id, team.director_id, team.leader_id):
        if candidate in people and candidate != reviewee.id:
            chosen[candidate] = Pool.MANAGER
            break
    for member in people.values():
        if member.manager_id == reviewee.id and member.id not in chosen:
            chosen[member.id] = Pool.REPORT
    peers = sorted(
        (m for m in people.values() if m.id not in chosen),
        key=lambda m: (m.manager_id != reviewee.manager_id, m.id),
    )
    for member in peers[:MAX_PEERS]:
        chosen[member.id] = Pool.PEER
    return [(people[i], pool) for i, pool in chosen.items() if i in people]


def _lock_team(session: Session, team: Team) -> None:
    # Two /发起360 at once: the second waits here and then sees the first cycle open.
    session.execute(select(Team.id).where(Team.id == team.id).with_for_update())


def start(
    session: Session,
    *,
    team: Team,
    by: Actor,
    reviewees: Sequence[Member],
    due_on: date,
    now: datetime,
    name: str | None = None,
    quiet: bool = False,
) -> ReviewCycle:
    """Start a cycle reviewing ``reviewees`` (members of ``team``) until ``due_on`` (team-local,
    inclusive), each with :func:`default_pools`, and invite every reviewer once.

    Raises PermissionDenied for anyone but the director or an admin, Invalid for nobody to
    review, someone outside the team, a past date or one later than the same date next year
    (:func:`~teamassist.clock.same_day_next_year`), Conflict while another cycle is open.
    ``quiet`` queues no invitation (the demo's finished round)."""
    require_manager(session, team=team, member=by, what="start")
    unique = list({m.id: m for m in reviewees}.values())
    if not unique:
        raise Invalid("reviews.error.nobody")
    for member in unique:
        team_service.require_active(member)  # an open round for someone gone blocks the team
        if team_service.role_of(session, team=team, member=member) is None:
            raise Invalid("reviews.error.not_in_team", name=user_text(member.display_name))
    if due_on < today(team, now):
        raise Invalid("reviews.error.past_due", date=due_on.isoformat())
    # one year: the same date next year, as the refusal says it (tester R4: PLAN_AHEAD's
    # 366 days named 2027-12-04 on 2026-12-03)
    latest = same_day_next_year(today(team, now))
    if due_on > latest:  # an open round blocks new ones: 9999-12-31 blocked them for good
        raise Invalid("reviews.error.due_too_far", date=due_on.isoformat(), latest=latest)
    _lock_team(session, team)
    for cycle in session.scalars(select(ReviewCycle).where(ReviewCycle.team_id == team.id)):
        if is_open(cycle, team, now):
            raise Conflict("reviews.error.cycle_open", name=user_text(cycle.name))
    knobs = review_settings.of(team)
    title = (name or "").strip()[:200] or t("reviews.cycle_name", date=due_on.isoformat())
    cycle = ReviewCycle(
        workspace_id=team.workspace_id,
        team_id=team.id,
        name=title,
        due_on=due_on,
        questions=knobs.questions,
        min_answers=knobs.min_answers,
        started_by_id=by.id if isinstance(by, Member) else None,
        started_at=now,
    )
    session.add(cycle)
    session.flush()
    for reviewee in unique:
        session.add(ReviewSubject(cycle_id=cycle.id, reviewee_id=reviewee.id))
        for reviewer, pool in default_pools(session, team=team, reviewee=reviewee):
            session.add(
                ReviewRequest(
                    cycle_id=cycle.id,
                    reviewee_id=reviewee.id,
                    reviewer_id=reviewer.id,
                    pool=pool.value,
                    status=RequestStatus.INVITED.value,
                )
            )
    session.flush()
    if not quiet:
        invite(session, cycle=cycle, now=now)
    return cycle


def invite(session: Session, *, cycle: ReviewCycle, now: datetime) -> None:
    """One notice to each invited reviewer (idempotent: ``reviews.invite:<cycle>``)."""
    rows = session.scalars(
        select(ReviewRequest).where(
            ReviewRequest.cycle_id == cycle.id,
            ReviewRequest.status == RequestStatus.INVITED.value,
        )
    ).all()
    for reviewer_id in sorted({r.reviewer_id for r in rows}):
        reviewer = session.get(Member, reviewer_id)
        if reviewer is None:
            continue
        notify.to_member(
            session,
            member=reviewer,
            reply=Reply(
                title=t("reviews.invite.title"),
                body=t("reviews.invite.body", name=user_text(cycle.name), due=cycle.due_on),
            ),
            key=f"reviews.invite:{cycle.id}",
            now=now,
        )


def _subject(
    session: Session, cycle: ReviewCycle, reviewee: Member, *, lock: bool = False
) -> ReviewSubject:
    """``reviewee``'s row in ``cycle`` (``lock``: held, and read as last committed)."""
    query = select(ReviewSubject).where(
        ReviewSubject.cycle_id == cycle.id, ReviewSubject.reviewee_id == reviewee.id
    )
    if lock:
        query = query.with_for_update().execution_options(populate_existing=True)
    subject = session.scalar(query)
    if subject is None:
        raise NotFound("reviews.error.not_reviewed", name=user_text(reviewee.display_name))
    return subject


def subjects(session: Session, *, cycle: ReviewCycle) -> list[ReviewSubject]:
    """The cycle's reviewees, in the order they were named."""
    return list(
        session.scalars(
            select(ReviewSubject)
            .where(ReviewSubject.cycle_id == cycle.id)
            .order_by(ReviewSubject.id)
        )
    )


def requests(session: Session, *, cycle: ReviewCycle) -> list[ReviewRequest]:
    """Every request of the cycle (for the director's status view: never an answer)."""
    return list(
        session.scalars(
            select(ReviewRequest)
            .where(ReviewRequest.cycle_id == cycle.id)
            .order_by(ReviewRequest.reviewee_id, ReviewRequest.pool, ReviewRequest.reviewer_id)
        )
    )


ASKED = "asked"
"""The status others see for an ``invited`` or ``submitted`` request: whether one person has
answered is theirs alone; the director gets the count per pool (:func:`pool_counts`)."""


def shown_status(row: ReviewRequest, *, viewer: Member | None) -> str:
    """``row``'s status as ``viewer`` may see it: the true one for the reviewer; for anyone
    else (the director, an admin) :data:`ASKED` in place of invited/submitted, because with
    the summary's count that would tell who gave which answer. Nominated, declined and
    withdrawn stay: the director acts on them and they say nothing about an answer's content
    (like a decline, a withdrawal tells that this person did not answer)."""
    if viewer is not None and viewer.id == row.reviewer_id:
        return row.status
    if row.status in (RequestStatus.INVITED.value, RequestStatus.SUBMITTED.value):
        return ASKED
    return row.status


def pool_counts(rows: list[ReviewRequest]) -> list[tuple[int, str, int, int]]:
    """Per (reviewee id, pool) of ``rows``: ``(reviewee_id, pool, asked, submitted)`` where
    asked counts invited + submitted requests (not nominated, not declined), sorted."""
    counts: dict[tuple[int, str], list[int]] = {}
    for row in rows:
        if row.status not in (RequestStatus.INVITED.value, RequestStatus.SUBMITTED.value):
            continue
        pair = counts.setdefault((row.reviewee_id, row.pool), [0, 0])
        pair[0] += 1
        pair[1] += row.status == RequestStatus.SUBMITTED.value
    return [(r, p, a, s) for (r, p), (a, s) in sorted(counts.items())]


def _request(
    session: Session, cycle: ReviewCycle, reviewee: Member, reviewer: Member, *, lock: bool = False
) -> ReviewRequest:
    query = select(ReviewRequest).where(
        ReviewRequest.cycle_id == cycle.id,
        ReviewRequest.reviewee_id == reviewee.id,
        ReviewRequest.reviewer_id == reviewer.id,
    )
    row = session.scalar(
        query.with_for_update().execution_options(populate_existing=True) if lock else query
    )
    if row is None:
        raise NotFound("reviews.error.not_asked", name=user_text(reviewee.display_name))
    return row


def add_reviewer(
    session: Session,
    *,
    team: Team,
    cycle: ReviewCycle,
    reviewee: Member,
    reviewer: Member,
    pool: str,
    by: Actor,
    now: datetime,
) -> ReviewRequest:
    """Ask ``reviewer`` about ``reviewee`` in ``pool``: invited at once when the director (or an
    admin) asks, ``nominated`` (waiting for approval) when the reviewee nominates.

    Raises PermissionDenied for anyone else, Invalid for an unknown pool, the self pool
    (``bad_pool``), the reviewee as their own reviewer (``self_reviewer``: that is the self
    pool, asked at the start), or a reviewer outside the team, Conflict when the cycle is
    closed or the reviewer already asked (``already_asked``, naming them once)."""
    if pool not in {p.value for p in Pool} or pool == Pool.SELF.value:
        raise Invalid("reviews.error.bad_pool", pool=user_text(pool[:20]))
    managing = may_manage(session, team=team, member=by)
    if not managing and (not isinstance(by, Member) or by.id != reviewee.id):
        raise PermissionDenied("reviews.error.not_director", what=t("reviews.act.add"))
    if not managing and pool != Pool.PEER.value:
        raise PermissionDenied("reviews.error.nominate_peers")
    if reviewer.id == reviewee.id:  # the self pool, which every reviewee has already
        raise Invalid("reviews.error.self_reviewer", name=user_text(reviewee.display_name))
    if team_service.role_of(session, team=team, member=reviewer) is None:
        raise Invalid("reviews.error.not_in_team", name=user_text(reviewer.display_name))
    if team_service.has_left(reviewer):
        raise Invalid("reviews.error.left", name=user_text(reviewer.display_name))
    if not is_open(cycle, team, now):
        raise Conflict("reviews.error.closed", name=user_text(cycle.name))
    _subject(session, cycle, reviewee)
    taken = session.scalar(
        select(ReviewRequest.id).where(
            ReviewRequest.cycle_id == cycle.id,
            ReviewRequest.reviewee_id == reviewee.id,
            ReviewRequest.reviewer_id == reviewer.id,
        )
    )
    if taken is not None:
        raise Conflict("reviews.error.already_asked", name=user_text(reviewer.display_name))
    status = RequestStatus.INVITED if managing else RequestStatus.NOMINATED
    row = ReviewRequest(
        cycle_id=cycle.id,
        reviewee_id=reviewee.id,
        reviewer_id=reviewer.id,
        pool=pool,
        status=status.value,
    )
    session.add(row)
    session.flush()
    if status is RequestStatus.INVITED:
        invite(session, cycle=cycle, now=now)
    return row


def approve(
    session: Session, *, team: Team, cycle: ReviewCycle, request_id: int, by: Actor, now: datetime
) -> ReviewRequest:
    """The director approves a nomination: ``nominated`` → ``invited``. NotFound for no such
    request of ``cycle``; Conflict when it is not waiting (``not_nominated``, naming the two
    people, the pool and where it stands, never the request id), the cycle is closed, or the
    nominee has left the team (their nomination is then withdrawn)."""
    require_manager(session, team=team, member=by, what="approve")
    row = session.get(ReviewRequest, request_id)
    if row is None or row.cycle_id != cycle.id:
        raise NotFound("reviews.error.no_request", id=request_id)
    if not is_open(cycle, team, now):
        raise Conflict("reviews.error.closed", name=user_text(cycle.name))
    reviewer = session.get(Member, row.reviewer_id)
    if reviewer is None or team_service.has_left(reviewer):
        # their nomination is withdrawn (now, if the departure was not heard yet)
        withdraw(session, cycle=cycle, reviewer_ids={row.reviewer_id})
        name = user_text(reviewer.display_name) if reviewer else t("reviews.word.someone")
        raise Conflict("reviews.error.left", name=name)
    done = session.execute(
        update(ReviewRequest)
        .where(
            ReviewRequest.id == row.id,
            ReviewRequest.status == RequestStatus.NOMINATED.value,
        )
        .values(status=RequestStatus.INVITED.value)
        .execution_options(synchronize_session=False)
    )
    if getattr(done, "rowcount", 0) != 1:
        session.refresh(row)
        reviewee = session.get(Member, row.reviewee_id)
        raise Conflict(
            "reviews.error.not_nominated",
            reviewer=user_text(reviewer.display_name),
            reviewee=user_text(reviewee.display_name if reviewee else ""),
            pool=t(f"reviews.pool.{row.pool}"),
            state=t(f"reviews.status.{row.status}"),
        )
    session.refresh(row)
    invite(session, cycle=cycle, now=now)
    return row


def _move(
    session: Session, row: ReviewRequest, *, to: RequestStatus, reason: str | None = None
) -> None:
    """Compare-and-set ``invited`` → ``to``: of two concurrent submits (or a submit and a
    decline) one changes the row, the other gets Conflict."""
    values: dict[str, Any] = {"status": to.value}
    if reason is not None:
        values["decline_reason"] = reason
    done = session.execute(
        update(ReviewRequest)
        .where(ReviewRequest.id == row.id, ReviewRequest.status == RequestStatus.INVITED.value)
        .values(**values)
        .execution_options(synchronize_session=False)
    )
    if getattr(done, "rowcount", 0) != 1:
        session.refresh(row)
        raise Conflict(_ALREADY.get(row.status, "reviews.error.already_submitted"))
    session.refresh(row)


_ALREADY = {
    RequestStatus.DECLINED.value: "reviews.error.already_declined",
    RequestStatus.SUBMITTED.value: "reviews.error.already_submitted",
    RequestStatus.NOMINATED.value: "reviews.error.already_nominated",
}


def decline(
    session: Session,
    *,
    team: Team,
    cycle: ReviewCycle,
    reviewee: Member,
    reviewer: Member,
    reason: str | None,
    now: datetime,
) -> ReviewRequest:
    """The reviewer declines (reason for the director only; the reviewee never sees it).
    NotFound when not asked, Conflict when closed, already declined or submitted."""
    row = _request(session, cycle, reviewee, reviewer)
    if not is_open(cycle, team, now):
        raise Conflict("reviews.error.closed", name=user_text(cycle.name))
    text = clean_text(reason or "")
    if len(text) > MAX_REASON:
        raise Invalid("reviews.error.too_long", limit=MAX_REASON)
    _move(session, row, to=RequestStatus.DECLINED, reason=text or None)
    return row


def clean_answers(
    questions: Sequence[Mapping[str, Any]], raw: Mapping[str, object]
) -> dict[str, Any]:
    """``raw`` checked against the cycle's questions: a rating is a whole number 1–5 (``"4"``
    from a form reads as 4), a text is 1–2000 characters after trimming, an empty value is
    left out, an unknown key is Invalid; at least one answer (Invalid ``reviews.error.empty``)."""
    kinds = {str(q["key"]): str(q["kind"]) for q in questions}
    # a refusal quotes the question as the form shows it, not its key (tester R1)
    shown = {str(q["key"]): user_text(str(q.get("text") or q["key"])) for q in questions}
    answers: dict[str, Any] = {}
    for key, value in raw.items():
        if key not in kinds:
            raise Invalid("reviews.error.unknown_question", question=user_text(str(key)[:40]))
        if value is None or (isinstance(value, str) and not clean_text(value)):
            continue  # nothing visible (only spaces, format or control characters): no answer
        if kinds[key] == "rating":
            number = value
            if isinstance(value, str) and value.strip().isdigit():
                number = int(value.strip())
            if not isinstance(number, int) or isinstance(number, bool) or number not in RATING:
                raise Invalid("reviews.error.bad_rating", question=shown[key])
            answers[key] = number
        else:
            if not isinstance(value, str):
                raise Invalid("reviews.error.bad_text", question=shown[key])
            text = clean_text(value)
            if len(text) > MAX_TEXT:
                raise Invalid("reviews.error.too_long", limit=MAX_TEXT)
            answers[key] = text
    if not answers:
        raise Invalid("reviews.error.empty")
    return answers


def submit(
    session: Session,
    *,
    team: Team,
    cycle: ReviewCycle,
    reviewee: Member,
    reviewer: Member,
    answers: Mapping[str, object],
    now: datetime,
) -> None:
    """Record ``reviewer``'s answers about ``reviewee``: the request becomes ``submitted`` and a
    response row (no reviewer, no time, random id) is inserted, in this transaction.

    Returns nothing on purpose: no caller should hold the new row's id next to the reviewer.
    NotFound when not asked, Conflict when closed, declined or already submitted, Invalid for
    bad answers (nothing changes)."""
    row = _request(session, cycle, reviewee, reviewer)
    if not is_open(cycle, team, now):
        raise Conflict("reviews.error.closed", name=user_text(cycle.name))
    cleaned = clean_answers(cycle.questions, answers)
    _move(session, row, to=RequestStatus.SUBMITTED)
    session.add(
        ReviewResponse(
            id=uuid.uuid4().hex,
            cycle_id=cycle.id,
            reviewee_id=reviewee.id,
            pool=row.pool,
            answers=cleaned,
        )
    )
    session.flush()


def find_request(
    session: Session, *, cycle: ReviewCycle, reviewee: Member, reviewer: Member
) -> ReviewRequest:
    """The request asking ``reviewer`` about ``reviewee`` in ``cycle`` (chat names people, not
    request ids), or NotFound ``reviews.error.not_asked_by``."""
    row = session.scalar(
        select(ReviewRequest).where(
            ReviewRequest.cycle_id == cycle.id,
            ReviewRequest.reviewee_id == reviewee.id,
            ReviewRequest.reviewer_id == reviewer.id,
        )
    )
    if row is None:
        raise NotFound(
            "reviews.error.not_asked_by",
            reviewer=user_text(reviewer.display_name),
            reviewee=user_text(reviewee.display_name),
        )
    return row


OPEN_REQUESTS = (RequestStatus.NOMINATED.value, RequestStatus.INVITED.value)
"""Statuses a departure withdraws: nothing answered yet. A submitted answer stays (it names
nobody and still counts); a declined request stays declined."""


def withdraw(
    session: Session,
    *,
    cycle: ReviewCycle,
    reviewer_ids: Collection[int],
    reviewee_ids: Collection[int] = (),
) -> int:
    """Turn the nominated / invited requests of ``reviewer_ids`` in ``cycle``, and those asking
    others about ``reviewee_ids``, into ``withdrawn``; returns how many changed. The rows are
    read with a locking read, so a submit racing it either commits first (its row is
    ``submitted`` and stays) or waits and then gets Conflict from its compare-and-set; hearing
    a departure twice changes nothing."""
    if not reviewer_ids and not reviewee_ids:
        return 0
    rows = session.scalars(
        select(ReviewRequest)
        .where(
            ReviewRequest.cycle_id == cycle.id,
            or_(
                ReviewRequest.reviewer_id.in_(sorted(reviewer_ids)),
                ReviewRequest.reviewee_id.in_(sorted(reviewee_ids)),
            ),
            ReviewRequest.status.in_(OPEN_REQUESTS),
        )
        .order_by(ReviewRequest.id)
        .with_for_update()
        .execution_options(populate_existing=True)
    ).all()
    for row in rows:
        row.withdrawn_from = row.status
        row.status = RequestStatus.WITHDRAWN.value
    session.flush()
    return len(rows)


def restore(session: Session, *, cycle: ReviewCycle, reviewer_id: int) -> int:
    """Give ``reviewer_id`` back the requests of ``cycle`` a departure withdrew, each as it was
    (nominated or invited), and the requests about them to others who are still here; returns
    how many. Requests withdrawn before ``withdrawn_from`` was kept stay withdrawn (nothing
    says what they were)."""
    staying = select(Member.id).where(Member.active.is_(True))
    rows = session.scalars(
        select(ReviewRequest)
        .where(
            ReviewRequest.cycle_id == cycle.id,
            or_(
                ReviewRequest.reviewer_id == reviewer_id,
                and_(
                    ReviewRequest.reviewee_id == reviewer_id,
                    ReviewRequest.reviewer_id.in_(staying),
                ),
            ),
            ReviewRequest.status == RequestStatus.WITHDRAWN.value,
            ReviewRequest.withdrawn_from.in_(OPEN_REQUESTS),
        )
        .order_by(ReviewRequest.id)
        .with_for_update()
        .execution_options(populate_existing=True)
    ).all()
    for row in rows:
        row.status, row.withdrawn_from = row.withdrawn_from or row.status, None
    session.flush()
    return len(rows)


def withdraw_departed(session: Session, *, team: Team, cycle: ReviewCycle) -> int:
    """Withdraw the open requests of every reviewer of ``cycle`` who is no longer an active
    member of ``team`` (deactivated, merged away, or taken out of the team): the catch-up for a
    departure this domain did not hear, run by the reminders and by :func:`close`."""
    waiting = set(
        session.scalars(
            select(ReviewRequest.reviewer_id).where(
                ReviewRequest.cycle_id == cycle.id, ReviewRequest.status.in_(OPEN_REQUESTS)
            )
        )
    )
    staying = _people(session, team)
    return withdraw(session, cycle=cycle, reviewer_ids=waiting - staying.keys())


def close(session: Session, *, team: Team, cycle: ReviewCycle, by: Actor, now: datetime) -> bool:
    """Stop taking answers now (the director or an admin); False when it already was closed.
    Requests of reviewers who have left are withdrawn first (:func:`withdraw_departed`)."""
    require_manager(session, team=team, member=by, what="close")
    # One close: 20 /结束360 at once answered 「已结束」 5–10 times on PostgreSQL and MariaDB,
    # each having read the cycle open (tester B-13, session 27). The next waits for the row,
    # then reads it as the first left it.
    session.scalars(
        select(ReviewCycle)
        .where(ReviewCycle.id == cycle.id)
        .with_for_update()
        .execution_options(populate_existing=True)
    ).all()
    if not is_open(cycle, team, now):
        return False
    withdraw_departed(session, team=team, cycle=cycle)
    cycle.closed_at = now
    session.flush()
    return True


def release(
    session: Session,
    *,
    team: Team,
    cycle: ReviewCycle,
    reviewee: Member,
    by: Actor,
    now: datetime,
    quiet: bool = False,
) -> bool:
    """Let ``reviewee`` read their summary (the director or an admin; once the cycle is closed,
    Conflict before); True when released now. Releasing twice changes nothing and tells them
    once (``quiet``: not at all, for the demo): False, and the caller says it was released
    before (it said 「已向 A 发布」 every time, tester B-13, session 27). Releases of one
    summary at once queue on its row."""
    require_manager(session, team=team, member=by, what="release")
    if is_open(cycle, team, now):
        raise Conflict("reviews.error.still_open", name=user_text(cycle.name), due=cycle.due_on)
    subject = _subject(session, cycle, reviewee, lock=True)
    if subject.released_at is not None:
        return False
    subject.released_at = now
    session.flush()
    if not quiet:
        notify.to_member(
            session,
            member=reviewee,
            reply=Reply(
                title=t("reviews.released.title"),
                body=t("reviews.released.body", name=user_text(cycle.name), cycle=cycle.id),
            ),
            key=f"reviews.released:{cycle.id}",
            now=now,
        )
    return True


def is_released(session: Session, *, cycle: ReviewCycle, reviewee: Member) -> bool:
    """Whether the director has released ``reviewee``'s summary of ``cycle``."""
    return _subject(session, cycle, reviewee).released_at is not None


def released_at(session: Session, *, cycle: ReviewCycle, reviewee: Member) -> datetime | None:
    """When ``reviewee``'s summary of ``cycle`` was released, None while it is not."""
    return _subject(session, cycle, reviewee).released_at


@dataclass(frozen=True)
class Pending:
    """A review the member still owes: the cycle, whom, in which pool."""

    cycle: ReviewCycle
    reviewee: Member
    pool: str


def pending(session: Session, *, team: Team, reviewer: Member, now: datetime) -> list[Pending]:
    """``reviewer``'s invited requests in the team's open cycles (declined ones are gone)."""
    rows = session.execute(
        select(ReviewRequest, ReviewCycle)
        .join(ReviewCycle, ReviewCycle.id == ReviewRequest.cycle_id)
        .where(
            ReviewCycle.team_id == team.id,
            ReviewRequest.reviewer_id == reviewer.id,
            ReviewRequest.status == RequestStatus.INVITED.value,
        )
        .order_by(ReviewCycle.id, ReviewRequest.id)
    ).all()
    people = team_service.members_by_id(session, [r.reviewee_id for r, _c in rows])
    return [
        Pending(cycle, people[row.reviewee_id], row.pool)
        for row, cycle in rows
        if is_open(cycle, team, now) and row.reviewee_id in people
    ]


def released_to(session: Session, *, team: Team, member: Member) -> list[ReviewCycle]:
    """The team's cycles whose summary of ``member`` has been released, newest first."""
    return list(
        session.scalars(
            select(ReviewCycle)
            .join(ReviewSubject, ReviewSubject.cycle_id == ReviewCycle.id)
            .where(
                ReviewCycle.team_id == team.id,
                ReviewSubject.reviewee_id == member.id,
                ReviewSubject.released_at.is_not(None),
            )
            .order_by(ReviewCycle.id.desc())
        )
    )


@dataclass(frozen=True)
class Nomination:
    """A reviewee's nomination waiting for the director: the request, both people."""

    request: ReviewRequest
    reviewee: Member
    reviewer: Member


def waiting_nominations(session: Session, *, team: Team, now: datetime) -> list[Nomination]:
    """Nominations waiting for approval in the team's open cycles, oldest first."""
    rows = session.execute(
        select(ReviewRequest, ReviewCycle)
        .join(ReviewCycle, ReviewCycle.id == ReviewRequest.cycle_id)
        .where(
            ReviewCycle.team_id == team.id,
            ReviewRequest.status == RequestStatus.NOMINATED.value,
        )
        .order_by(ReviewRequest.id)
    ).all()
    people = team_service.members_by_id(
        session, [r.reviewee_id for r, _c in rows] + [r.reviewer_id for r, _c in rows]
    )
    return [
        Nomination(row, people[row.reviewee_id], people[row.reviewer_id])
        for row, cycle in rows
        if is_open(cycle, team, now) and row.reviewee_id in people and row.reviewer_id in people
    ]


def open_cycles_about(
    session: Session, *, team: Team, member: Member, now: datetime
) -> list[ReviewCycle]:
    """The team's open cycles reviewing ``member`` (where they may nominate peers)."""
    found = session.scalars(
        select(ReviewCycle)
        .join(ReviewSubject, ReviewSubject.cycle_id == ReviewCycle.id)
        .where(ReviewCycle.team_id == team.id, ReviewSubject.reviewee_id == member.id)
        .order_by(ReviewCycle.id.desc())
    )
    return [c for c in found if is_open(c, team, now)]
