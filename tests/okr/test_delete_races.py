"""Deleting one draft O or KR at once (tester B-12, session 27): on PostgreSQL and MariaDB the
later deleters' refresh after the O's lock found the row gone (an internal error, a 500), and
/删除KR answered 「已删除」 18 times for one KR. Each request runs in its own thread and
transaction, having read the O or KR before anyone deletes it (``tests.support.races``)."""

from __future__ import annotations

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from teamassist.okr import objectives as okr
from teamassist.okr.models import KeyResult, Objective
from teamassist.runtime import Runtime
from teamassist.team.models import Team
from tests.conftest import load_demo
from tests.okr.support import Kr, at, objective_with_krs
from tests.support.races import read_members, side_by_side

NOW = at("2026-11-16 09:00")  # inside 2026Q4


def _draft(runtime: Runtime) -> tuple[int, int, list[int]]:
    """张三's draft O with two KRs in a team of its own: (team id, O id, KR ids)."""
    load_demo(runtime)
    built = objective_with_krs(
        runtime, title="删除并发", krs=(Kr("删A", weight=50), Kr("删B", weight=50))
    )
    return built.team_id, built.objective_id, built.kr_ids


def _count(runtime: Runtime, model: type[Objective] | type[KeyResult], team_id: int) -> int:
    with runtime.factory() as session:
        counted = select(func.count()).select_from(model).where(model.team_id == team_id)
        return session.scalar(counted) or 0


def test_one_draft_objective_deleted_at_once_is_deleted_once(runtime: Runtime) -> None:
    team_id, objective_id, _ = _draft(runtime)

    def read(session: Session) -> None:
        read_members(session)
        session.get(Objective, objective_id)  # as the request found it (SQLite: after the first)

    def delete(session: Session) -> str | None:
        team = session.get(Team, team_id)
        objective = session.get(Objective, objective_id)
        assert team is not None
        if objective is None:  # the request's lookup: SQLite lets the next writer in after
            return "not found"
        okr.delete_objective(session, team=team, objective=objective, now=NOW)
        return None

    outcome = side_by_side(runtime, [delete] * 6, read=read, attempts=1)

    # the first deletes; the others hear it is gone (locked out on PostgreSQL and MariaDB) or
    # do not find it (SQLite runs them one after the other)
    assert outcome.count("ok") == 1, outcome
    assert set(outcome) - {"ok"} <= {"not found", "okr.error.objective_gone"}, outcome
    assert (_count(runtime, Objective, team_id), _count(runtime, KeyResult, team_id)) == (0, 0)


def test_one_draft_kr_deleted_at_once_is_deleted_once(runtime: Runtime) -> None:
    team_id, objective_id, (first, second) = _draft(runtime)

    def read(session: Session) -> None:
        read_members(session)
        session.get(KeyResult, first)

    def delete(session: Session) -> str | None:
        team = session.get(Team, team_id)
        key_result = session.get(KeyResult, first)
        assert team is not None
        if key_result is None:
            return "not found"
        okr.delete_key_result(session, team=team, key_result=key_result, now=NOW)
        return None

    outcome = side_by_side(runtime, [delete] * 6, read=read, attempts=1)

    assert outcome.count("ok") == 1, outcome
    assert set(outcome) - {"ok"} <= {"not found", "okr.error.key_result_gone"}, outcome
    with runtime.factory() as session:
        left = session.scalars(select(KeyResult).where(KeyResult.objective_id == objective_id))
        assert [(k.id, k.position) for k in left] == [(second, 0)]


def test_a_kr_whose_objective_went_at_once_is_gone_too(runtime: Runtime) -> None:
    team_id, objective_id, (first, _) = _draft(runtime)

    def read(session: Session) -> None:
        read_members(session)
        session.get(KeyResult, first)
        session.get(Objective, objective_id)

    def delete_objective(session: Session) -> str | None:
        team = session.get(Team, team_id)
        objective = session.get(Objective, objective_id)
        assert team is not None
        if objective is None:  # the request's lookup: SQLite lets the next writer in after
            return "not found"
        okr.delete_objective(session, team=team, objective=objective, now=NOW)
        return "objective deleted"

    def delete_kr(session: Session) -> str | None:
        team = session.get(Team, team_id)
        key_result = session.get(KeyResult, first)
        assert team is not None
        if key_result is None:
            return "not found"
        okr.delete_key_result(session, team=team, key_result=key_result, now=NOW)
        return "kr deleted"

    outcome = side_by_side(runtime, [delete_objective, delete_kr], read=read, attempts=1)

    # whichever went first, nothing fails and the O with its KRs is gone
    assert outcome in (
        ["not found", "objective deleted"],
        ["objective deleted", "okr.error.key_result_gone"],
        ["kr deleted", "objective deleted"],
    ), outcome
    assert (_count(runtime, Objective, team_id), _count(runtime, KeyResult, team_id)) == (0, 0)
