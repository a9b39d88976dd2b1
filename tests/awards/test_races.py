"""One voter's two votes sent at once end with one vote row, on every backend; two closes at
once announce once.

The second vote waits on the round's row lock, then its locking read finds the first vote and
replaces it; were it ever to insert, the unique (round, voter) key refuses the second row and
the boundary (``run_transaction``) re-runs that request, which then replaces it."""

from __future__ import annotations

import threading
import time
from concurrent.futures import ThreadPoolExecutor
from datetime import datetime

import pytest
from sqlalchemy import select
from sqlalchemy.orm import Session

from teamassist.awards import rounds, service
from teamassist.awards.models import AwardRound
from teamassist.awards.tally import Line
from teamassist.database import run_transaction, transaction
from teamassist.runtime import Runtime
from teamassist.team import archive
from teamassist.team import service as team_service
from teamassist.team.models import Member
from tests.awards.support import announced, ids, set_up_groups, team_of, votes
from tests.okr.support import at
from tests.support.chat import ChatDriver
from tests.support.races import side_by_side

NOW = at("2026-06-10 10:00")


def _voting(rt: Runtime) -> None:
    with transaction(rt.factory) as session:
        row = rounds.active(session, team=team_of(session))
        assert row is not None
        rounds.start_voting(session, round_=row, now=NOW)


def test_two_votes_of_one_voter_at_once_leave_one_row(demo_runtime: Runtime) -> None:
    rt = demo_runtime
    _voting(rt)
    people = ids(rt)

    def vote(session: Session, handle: str) -> None:
        voter = session.get(Member, people["sunqi"])
        nominee = session.get(Member, people[handle])
        assert voter is not None and nominee is not None
        service.vote(session, team=team_of(session), voter=voter, nominee=nominee, now=NOW)

    # Given 孙七's vote for 张三 written but not yet committed (request A),
    first = rt.factory()
    vote(first, "zhangsan")
    # when his vote for 王五 (request B, which read before A commits) arrives meanwhile,
    second_read = threading.Event()

    def request_b(session: Session) -> None:
        session.scalars(select(Member)).all()
        second_read.set()
        vote(session, "wangwu")

    with ThreadPoolExecutor(1) as pool:
        pending = pool.submit(run_transaction, rt.factory, request_b)
        # On SQLite B's first read already waits for A's writer lock: no event then.
        second_read.wait(2)
        time.sleep(0.3)  # B is now waiting on A's lock
        first.commit()
        first.close()
        pending.result(timeout=30)

    # then both are answered and one row remains, holding the later choice.
    assert votes(rt) == [(people["sunqi"], people["wangwu"])]


def test_two_closes_at_once_announce_once(
    demo_runtime: Runtime, monkeypatch: pytest.MonkeyPatch
) -> None:
    rt = demo_runtime
    set_up_groups(rt)
    _voting(rt)
    people = ids(rt)
    with transaction(rt.factory) as session:
        voter, nominee = session.get(Member, people["lisi"]), session.get(Member, people["wangwu"])
        assert voter is not None and nominee is not None
        service.vote(session, team=team_of(session), voter=voter, nominee=nominee, now=NOW)
    # The round is counted once: the second close waits on the round's row lock and finds it
    # closed (the outbox's idempotency key alone would keep the notice single).
    settled: list[int] = []
    settle = rounds.settle

    def counted(session: Session, *, round_: AwardRound, now: datetime) -> list[Line]:
        settled.append(round_.id)
        return settle(session, round_=round_, now=now)

    monkeypatch.setattr(rounds, "settle", counted)

    def close(session: Session) -> None:
        team = team_of(session)
        row = session.scalar(select(AwardRound).where(AwardRound.period == "2026-06"))
        assert row is not None
        rounds.close(session, team=team, round_=row, now=NOW)

    assert side_by_side(rt, [close, close]) == ["ok", "ok"]
    assert len(settled) == 1, settled
    [notice] = announced(ChatDriver(rt))
    assert "王五（1 票）" in notice


def test_the_export_carries_no_open_ballot_and_no_voter(demo_runtime: Runtime) -> None:
    rt = demo_runtime
    _voting(rt)
    people = ids(rt)
    with transaction(rt.factory) as session:
        voter, nominee = session.get(Member, people["lisi"]), session.get(Member, people["wangwu"])
        assert voter is not None and nominee is not None
        service.vote(session, team=team_of(session), voter=voter, nominee=nominee, now=NOW)
    with transaction(rt.factory) as session:
        workspace = team_service.get_workspace_by_key(session, key="demo")
        assert workspace is not None
        rows = archive.workspace_rows(session, workspace)
    exported = rows["award_vote"]
    # The demo's closed April and May keep their 8 votes, without voters; June's is left out.
    assert len(exported) == 8 and all(r["voter_id"] is None for r in exported)
    assert len(votes(rt)) == 1 and len(votes(rt, "2026-05")) == 4
