"""Planning a pair twice at once never doubles an occurrence or a default pair, on every
backend: the unique keys hold and the losing insert is skipped, not a 500. The race is staged
by hiding the rows the other transaction wrote from the first look-up."""

from __future__ import annotations

from collections import Counter
from typing import Any

import pytest
from sqlalchemy import select

from teamassist.database import transaction
from teamassist.one_on_ones import service
from teamassist.one_on_ones.models import OneOnOne, OneOnOneMeeting
from teamassist.runtime import Runtime
from teamassist.team.models import TeamMembership
from teamassist.workdays.china import ChinaWorkdays
from tests.okr.support import demo
from tests.one_on_ones.support import pair_id


def test_a_pair_planned_concurrently_keeps_one_row_per_key(
    demo_runtime: Runtime, monkeypatch: pytest.MonkeyPatch
) -> None:
    pair = pair_id(demo_runtime)
    # Given the pair's occurrences were planned by one request
    with demo(demo_runtime) as given:
        row = given.session.get(OneOnOne, pair)
        assert row is not None
        now = demo_runtime.clock()
        service.replan(given.session, team=given.team, pair=row, now=now, workdays=ChinaWorkdays())
    # When another, which looked before they were written, plans the same keys
    real = service._meetings
    calls: list[int] = []

    def first_blind(session: Any, pair_row: OneOnOne) -> dict[str, OneOnOneMeeting]:
        calls.append(1)
        return {} if len(calls) == 1 else real(session, pair_row)

    monkeypatch.setattr(service, "_meetings", first_blind)
    with demo(demo_runtime) as given:
        row = given.session.get(OneOnOne, pair)
        assert row is not None
        found = service.replan(
            given.session, team=given.team, pair=row, now=now, workdays=ChinaWorkdays()
        )
    # Then nothing failed and each key is there once
    with demo_runtime.factory() as session:
        keys = session.scalars(select(OneOnOneMeeting.key).where(OneOnOneMeeting.pair_id == pair))
        counts = Counter(keys)
    assert counts and set(counts.values()) == {1}
    assert sorted(m.key for m in found) == sorted(counts)


def test_default_pairs_inserted_twice_are_kept_once(demo_runtime: Runtime) -> None:
    # Given a director and a core member without a pair
    with demo(demo_runtime) as given:
        given.team.director_id = given.member("admin").id
        membership = given.session.scalar(
            select(TeamMembership).where(
                TeamMembership.team_id == given.team.id,
                TeamMembership.member_id == given.member("wangwu").id,
            )
        )
        assert membership is not None
        membership.core = True
    # When the default pairs are made, and the same row is inserted again (what a concurrent
    # first listing does after looking before this one wrote)
    with demo(demo_runtime) as given:
        made = service.ensure_default_pairs(given.session, team=given.team)
        assert [p.report_id for p in made] == [given.member("wangwu").id]
        duplicate = {
            "workspace_id": given.team.workspace_id,
            "team_id": given.team.id,
            "manager_id": given.member("admin").id,
            "report_id": given.member("wangwu").id,
        }
        service._insert_ignoring(given.session, OneOnOne, [duplicate])
        assert service.ensure_default_pairs(given.session, team=given.team) == []
        admin_id = given.member("admin").id
    # Then there is one pair
    with transaction(demo_runtime.factory) as session:
        rows = session.scalars(select(OneOnOne).where(OneOnOne.manager_id == admin_id)).all()
    assert len(rows) == 1
