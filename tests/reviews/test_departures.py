"""A reviewer who leaves the team: their open requests are withdrawn at once (deactivation) or
at the latest at the next reminder or close (removed from the team), are neither reminded nor
counted as asked, and the k rule still decides what the summary shows (every backend)."""

from __future__ import annotations

import pytest
from sqlalchemy import select

from teamassist.exceptions import Conflict, Invalid
from teamassist.reviews import service
from teamassist.reviews.models import ReviewRequest
from teamassist.runtime import Runtime
from teamassist.team import people
from teamassist.team.models import Member
from tests.conftest import load_demo
from tests.okr.support import demo, set_clock
from tests.outreach.support import ids
from tests.reviews.support import answer, close, read, set_up, start


@pytest.fixture
def desk(runtime: Runtime) -> Runtime:
    load_demo(runtime)
    set_up(runtime)
    return runtime


def _statuses(runtime: Runtime, cycle: int, reviewer: str) -> list[str]:
    member_id = ids(runtime)[reviewer]
    with runtime.factory() as session:
        return sorted(
            session.scalars(
                select(ReviewRequest.status).where(
                    ReviewRequest.cycle_id == cycle, ReviewRequest.reviewer_id == member_id
                )
            )
        )


def _deactivate(runtime: Runtime, handle: str) -> None:
    with demo(runtime) as d:
        people.deactivate(d.session, member=d.member(handle), now=runtime.clock())


def _peer_counts(runtime: Runtime, cycle_id: int) -> tuple[int, int]:
    with demo(runtime) as d:
        cycle = service.get_cycle(d.session, team=d.team, cycle_id=cycle_id)
        zhangsan = d.member("zhangsan").id
        [(asked, submitted)] = [
            (a, s)
            for r, p, a, s in service.pool_counts(service.requests(d.session, cycle=cycle))
            if r == zhangsan and p == "peer"
        ]
        return asked, submitted


def test_deactivation_withdraws_open_requests_and_the_pool_stays_below_k(desk: Runtime) -> None:
    # given a cycle for 张三 and 李四; two of 张三's five peers answered (k = 3)
    cycle = start(desk, "zhangsan", "lisi")
    answer(desk, "wangwu", "zhangsan", {"collaboration": 4, "keep": "王五的评语"})
    answer(desk, "zhaoliu", "zhangsan", {"collaboration": 2, "keep": "赵六的评语"})
    assert _peer_counts(desk, cycle) == (5, 2)
    # when 孙七, who owes both reviews, is deactivated
    _deactivate(desk, "sunqi")
    # then both of his requests are withdrawn, no longer pending and no longer counted as asked
    assert _statuses(desk, cycle, "sunqi") == ["withdrawn", "withdrawn"]
    with demo(desk) as d:
        sunqi = d.member("sunqi")
        assert service.pending(d.session, team=d.team, reviewer=sunqi, now=desk.clock()) == []
    assert _peer_counts(desk, cycle) == (4, 2)
    # and after the close 张三's peer pool (2 answers < k) shows nothing to the director
    close(desk)
    peers = next(p for p in read(desk, "zhangsan", as_="lihua").pools if p.pool == "peer")
    assert (peers.shown, peers.answers, peers.texts) == (False, None, ())


def test_an_answer_given_before_leaving_still_counts(desk: Runtime) -> None:
    # given three peers answered 张三, one of them 孙七
    cycle = start(desk, "zhangsan")
    for reviewer in ("wangwu", "zhaoliu", "sunqi"):
        answer(desk, reviewer, "zhangsan", {"keep": f"{reviewer}的评语"})
    # when 孙七 leaves; and hearing it twice changes nothing
    _deactivate(desk, "sunqi")
    with demo(desk) as d:
        assert (
            service.withdraw(
                d.session,
                cycle=service.latest_cycle(d.session, team=d.team),
                reviewer_ids={d.member("sunqi").id},
            )
            == 0
        )
    # then his submitted request stays and the pool of three is shown
    assert _statuses(desk, cycle, "sunqi") == ["submitted"]
    close(desk)
    peers = next(p for p in read(desk, "zhangsan", as_="lihua").pools if p.pool == "peer")
    assert peers.shown and peers.answers == 3


def test_a_departure_not_heard_is_caught_by_the_reminder_and_the_close(desk: Runtime) -> None:
    # given a cycle due Friday 2026-12-04, and 孙七 taken out of the team (no event is heard)
    cycle = start(desk, "zhangsan")
    with demo(desk) as d:
        people.remove_from_team(d.session, team=d.team, member=d.member("sunqi"))
    assert _statuses(desk, cycle, "sunqi") == ["invited"]
    # when Tuesday's reminder runs, he is not reminded and his request is withdrawn
    set_clock(desk, "2026-12-01 10:05")
    desk.scheduler.tick()
    assert _statuses(desk, cycle, "sunqi") == ["withdrawn"]
    with desk.factory() as session:
        from teamassist.outbox.models import OutboxMessage

        keys = session.scalars(select(OutboxMessage.idempotency_key)).all()
    sunqi = ids(desk)["sunqi"]
    assert not [
        k for k in keys if k.startswith(f"reviews.remind:{cycle}:") and k.endswith(f":m{sunqi}")
    ]
    assert [k for k in keys if k.startswith(f"reviews.remind:{cycle}:")]


def test_close_withdraws_a_reviewer_who_left_unheard(desk: Runtime) -> None:
    cycle = start(desk, "zhangsan")
    with demo(desk) as d:
        people.remove_from_team(d.session, team=d.team, member=d.member("lisi"))
    close(desk)
    assert _statuses(desk, cycle, "lisi") == ["withdrawn"]


def test_a_departed_member_cannot_be_added_or_approved(desk: Runtime) -> None:
    cycle_id = start(desk, "zhangsan")
    with demo(desk) as d:
        cycle = service.get_cycle(d.session, team=d.team, cycle_id=cycle_id)
        # 王五 was asked by default: take that request away so that 张三 can nominate him
        row = service.find_request(
            d.session, cycle=cycle, reviewee=d.member("zhangsan"), reviewer=d.member("wangwu")
        )
        d.session.delete(row)
        d.session.flush()
        nominated = service.add_reviewer(
            d.session,
            team=d.team,
            cycle=cycle,
            reviewee=d.member("zhangsan"),
            reviewer=d.member("wangwu"),
            pool="peer",
            by=d.member("zhangsan"),
            now=desk.clock(),
        )
        assert nominated.status == "nominated"
        request_id = nominated.id
    # when 王五 leaves before the director approves, the nomination is withdrawn
    _deactivate(desk, "wangwu")
    assert _statuses(desk, cycle_id, "wangwu") == ["withdrawn"]
    with demo(desk) as d:
        cycle = service.get_cycle(d.session, team=d.team, cycle_id=cycle_id)
        with pytest.raises(Conflict):
            service.approve(
                d.session,
                team=d.team,
                cycle=cycle,
                request_id=request_id,
                by=d.member("lihua"),
                now=desk.clock(),
            )
        # and the director cannot add him as a reviewer either
        with pytest.raises(Invalid) as refused:
            service.add_reviewer(
                d.session,
                team=d.team,
                cycle=cycle,
                reviewee=d.member("zhangsan"),
                reviewer=d.member("wangwu"),
                pool="peer",
                by=d.member("lihua"),
                now=desk.clock(),
            )
        assert refused.value.key == "reviews.error.left"


def test_a_member_re_enabled_gets_their_withdrawn_requests_back(desk: Runtime) -> None:
    """Tester F21 (session 18): 张三 deactivated by mistake and re-enabled had lost his 360
    requests for good (his self review among them) and the reply did not say so. Now each
    comes back as it was while the cycle is open, the reply says how many, and an answer
    given before stays submitted."""
    cycle = start(desk, "zhangsan", "lisi")
    answer(desk, "sunqi", "zhangsan", {"keep": "孙七的评语"})
    before = _statuses(desk, cycle, "sunqi")
    assert before == ["invited", "submitted"]
    _deactivate(desk, "sunqi")
    assert _statuses(desk, cycle, "sunqi") == ["submitted", "withdrawn"]
    with demo(desk) as d:
        said = people.reactivate(d.session, member=d.member("sunqi"), now=desk.clock())
    assert "1 份360评价邀请已恢复" in " ".join(said), said
    assert _statuses(desk, cycle, "sunqi") == before
    with demo(desk) as d:
        sunqi = d.member("sunqi")
        pending = service.pending(d.session, team=d.team, reviewer=sunqi, now=desk.clock())
        assert len(pending) == 1
    # Heard again, nothing more comes back, and nothing is said.
    _deactivate(desk, "sunqi")
    close(desk)
    with demo(desk) as d:
        said = people.reactivate(d.session, member=d.member("sunqi"), now=desk.clock())
    assert not any("360" in s for s in said), said  # the cycle is closed: it stays withdrawn
    assert _statuses(desk, cycle, "sunqi") == ["submitted", "withdrawn"]


def _about(runtime: Runtime, cycle: int, reviewee: str) -> list[str]:
    member_id = ids(runtime)[reviewee]
    with runtime.factory() as session:
        return sorted(
            session.scalars(
                select(ReviewRequest.status).where(
                    ReviewRequest.cycle_id == cycle, ReviewRequest.reviewee_id == member_id
                )
            )
        )


def test_a_reviewee_who_leaves_leaves_everyones_list_and_comes_back(desk: Runtime) -> None:
    """Tester F10 (session 19): 李四, deactivated, was still listed on the others' /360 (and
    reminded of); only his own requests as reviewer were withdrawn. The requests about him go
    too, an answer given stays, and re-enabled he is back on their lists."""
    cycle = start(desk, "zhangsan", "lisi")
    about = _about(desk, cycle, "lisi")
    assert about and "withdrawn" not in about
    reviewers = ids(desk)
    with demo(desk) as d:
        asked = {
            r.reviewer_id
            for r in service.requests(
                d.session, cycle=service.get_cycle(d.session, team=d.team, cycle_id=cycle)
            )
            if r.reviewee_id == reviewers["lisi"] and r.reviewer_id != reviewers["lisi"]
        }
    assert asked
    _deactivate(desk, "lisi")
    assert set(_about(desk, cycle, "lisi")) == {"withdrawn"}
    with demo(desk) as d:
        for reviewer_id in asked:
            reviewer = d.session.get(Member, reviewer_id)
            assert reviewer is not None
            waiting = service.pending(d.session, team=d.team, reviewer=reviewer, now=desk.clock())
            assert all(p.reviewee.id != reviewers["lisi"] for p in waiting), waiting
    with demo(desk) as d:
        people.reactivate(d.session, member=d.member("lisi"), now=desk.clock())
    assert _about(desk, cycle, "lisi") == about
