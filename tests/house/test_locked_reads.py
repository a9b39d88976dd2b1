"""A locking getter re-reads its row (brief s25 item 4). ``select(X).with_for_update()``
through an ORM session hands back the object the session already holds with the attributes
it was first loaded with; a check made after the lock then reads what another request has
changed and committed meanwhile. The getters lock *and* re-read
(``populate_existing``, SQLAlchemy's "Locking ORM rows"): load the row, change it in
another connection and commit, lock-get it in the first session, and see the new value."""

from __future__ import annotations

from collections.abc import Callable
from datetime import date

import pytest
from sqlalchemy import select
from sqlalchemy.orm import Session

from teamassist.database import transaction
from teamassist.one_on_ones import service as one_on_ones
from teamassist.one_on_ones.models import OneOnOne, OneOnOneMeeting
from teamassist.ports import Workdays
from teamassist.reviews import service as reviews
from teamassist.reviews.models import ReviewCycle, ReviewRequest
from teamassist.runtime import Runtime
from teamassist.team.models import Member, Team
from tests.conftest import load_demo
from tests.okr.support import demo, set_clock


def _stale_then_locked(
    runtime: Runtime,
    load: Callable[[Session, bool], object],
    change: Callable[[Session], None],
    read: Callable[[object], object],
) -> object:
    """``load`` the row in one session, ``change`` it in another (committed), then ``load``
    it again locked in the first; what ``read`` gives of the locked row."""
    if runtime.engine.dialect.name == "sqlite":  # its sessions hold the one writer lock
        pytest.skip("SQLite: no other writer can commit while the first session is open")
    first = runtime.factory()
    try:
        held = load(first, False)  # in the session's identity map (held: it is weak)
        read(held)
        with transaction(runtime.factory) as other:
            change(other)
        locked = load(first, True)
        assert locked is held
        return read(locked)
    finally:
        first.rollback()
        first.close()


def _pair(session: Session) -> tuple[Team, OneOnOne]:
    pair = session.scalars(select(OneOnOne).order_by(OneOnOne.id)).first()
    assert pair is not None
    team = session.get(Team, pair.team_id)
    assert team is not None
    return team, pair


def test_a_locked_1on1_pair_is_read_again(runtime: Runtime) -> None:
    load_demo(runtime)

    def load(session: Session, lock: bool) -> object:
        team, pair = _pair(session)
        return one_on_ones.get(
            session, team=team, pair_id=pair.id, viewer=None, admin=True, lock=lock
        )

    def change(session: Session) -> None:
        _pair(session)[1].place = "新会议室"

    seen = _stale_then_locked(runtime, load, change, lambda p: p.place)  # type: ignore[attr-defined]
    assert seen == "新会议室"


def test_a_locked_1on1_meeting_is_read_again(runtime: Runtime) -> None:
    load_demo(runtime)
    with demo(runtime) as given:
        team, pair = _pair(given.session)
        one_on_ones.replan(
            given.session,
            team=team,
            pair=pair,
            now=runtime.clock(),
            workdays=runtime.ports.get(Workdays),
        )

    def first_meeting(session: Session) -> OneOnOneMeeting:
        _team, pair = _pair(session)
        found = session.scalars(
            select(OneOnOneMeeting)
            .where(OneOnOneMeeting.pair_id == pair.id)
            .order_by(OneOnOneMeeting.start_at)
        ).first()
        assert found is not None
        return found

    def load(session: Session, lock: bool) -> object:
        _team, pair = _pair(session)
        return one_on_ones.get_meeting(
            session, pair=pair, meeting_id=first_meeting(session).id, lock=lock
        )

    def change(session: Session) -> None:
        first_meeting(session).status = one_on_ones.CANCELLED

    seen = _stale_then_locked(runtime, load, change, lambda m: m.status)  # type: ignore[attr-defined]
    assert seen == one_on_ones.CANCELLED


def test_a_locked_review_request_is_read_again(runtime: Runtime) -> None:
    load_demo(runtime)
    set_clock(runtime, "2026-11-30 09:00")
    with demo(runtime) as given:
        given.team.director_id = given.member("lihua").id
        given.session.flush()
        reviews.start(
            given.session,
            team=given.team,
            by=given.member("lihua"),
            reviewees=[given.member("zhangsan")],
            due_on=date(2026, 12, 4),
            now=runtime.clock(),
        )

    def request(session: Session) -> ReviewRequest:
        found = session.scalars(select(ReviewRequest).order_by(ReviewRequest.id)).first()
        assert found is not None
        return found

    def load(session: Session, lock: bool) -> object:
        row = request(session)
        cycle = session.get(ReviewCycle, row.cycle_id)
        reviewee = session.get(Member, row.reviewee_id)
        reviewer = session.get(Member, row.reviewer_id)
        assert cycle is not None and reviewee is not None and reviewer is not None
        return reviews._request(session, cycle, reviewee, reviewer, lock=lock)

    def change(session: Session) -> None:
        request(session).decline_reason = "出差"

    seen = _stale_then_locked(runtime, load, change, lambda r: r.decline_reason)  # type: ignore[attr-defined]
    assert seen == "出差"
