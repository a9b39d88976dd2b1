"""Fifteen presses of "turn this agenda item into an action item" at once (a double click, both
people in the meeting pressing): exactly one action item, and every press answers with it.
Before the item's row lock, PostgreSQL made 9–12 of 15. On PostgreSQL and MariaDB the presses
run in real parallel transactions that all read the item before any of them writes."""

from __future__ import annotations

import threading
from datetime import date

from sqlalchemy import func, select

from teamassist.actions.models import ActionItem
from teamassist.database import transaction
from teamassist.one_on_ones import agenda
from teamassist.one_on_ones.models import SOURCE_KIND, AgendaItem, OneOnOne
from teamassist.runtime import Runtime
from teamassist.team.models import Member, Team
from tests.conftest import load_demo
from tests.one_on_ones.support import item_id, make_director, pair_id

PRESSES = 15


def _press(
    runtime: Runtime,
    ids: tuple[int, int, int, int],
    ready: threading.Barrier,
    outcome: list[str],
) -> None:
    team_id, pair_no, item_no, by_id = ids
    serialised = runtime.engine.dialect.name == "sqlite"
    try:
        if serialised:  # SQLite holds one writer for a whole transaction: meet before it
            ready.wait()
        with transaction(runtime.factory) as session:
            team, pair = session.get(Team, team_id), session.get(OneOnOne, pair_no)
            by = session.get(Member, by_id)
            assert team is not None and pair is not None and by is not None
            # the boundary's own read of the item, as REST and chat make it, unlocked
            item = agenda.get(session, pair=pair, item_id=item_no, viewer=by)
            if not serialised:  # every press has read the item before any writes
                assert item.action_note is None
                ready.wait()
            note = agenda.to_action(
                session,
                team=team,
                pair=pair,
                item=item,
                by=by,
                owner=None,
                due=date(2026, 6, 12),
                now=runtime.clock(),
            ).note
        outcome.append(note)
    except Exception as crashed:
        outcome.append(f"{type(crashed).__name__}: {crashed}")


def test_fifteen_presses_at_once_make_one_action_item(runtime: Runtime) -> None:
    # Given the demo pair 李华 ↔ 张三 and its shared item "Q1规划"
    load_demo(runtime)
    make_director(runtime)
    pair, item = pair_id(runtime), item_id(runtime, "Q1规划")
    with runtime.factory() as session:
        found = session.get(OneOnOne, pair)
        assert found is not None
        ids = (found.team_id, pair, item, found.manager_id)
    # When 李华's fifteen presses run at once
    ready = threading.Barrier(PRESSES, timeout=60)
    outcome: list[str] = []
    presses = [
        threading.Thread(target=_press, args=(runtime, ids, ready, outcome)) for _ in range(PRESSES)
    ]
    for press in presses:
        press.start()
    for press in presses:
        press.join(timeout=120)
    # Then one action item exists, for 张三, and every press answered with it
    with runtime.factory() as session:
        made = list(
            session.scalars(
                select(ActionItem).where(
                    ActionItem.source_kind == SOURCE_KIND, ActionItem.source_id == item
                )
            )
        )
        kept = session.scalar(select(AgendaItem.action_note).where(AgendaItem.id == item))
        owner = session.get(OneOnOne, pair)
    assert len(outcome) == PRESSES
    assert len(made) == 1, f"{len(made)} action items of {PRESSES}"
    assert owner is not None and made[0].owner_id == owner.report_id
    assert f"#{made[0].id}" in outcome[0]
    assert set(outcome) == {kept}, outcome


def test_a_second_call_answers_with_the_action_item_already_made(runtime: Runtime) -> None:
    load_demo(runtime)
    make_director(runtime)
    pair, item = pair_id(runtime), item_id(runtime, "Q1规划")
    notes = []
    for due in (date(2026, 6, 12), date(2026, 6, 30)):
        with transaction(runtime.factory) as session:
            found = session.get(OneOnOne, pair)
            assert found is not None
            team, by = session.get(Team, found.team_id), session.get(Member, found.manager_id)
            assert team is not None and by is not None
            got = agenda.get(session, pair=found, item_id=item, viewer=by)
            notes.append(
                agenda.to_action(
                    session,
                    team=team,
                    pair=found,
                    item=got,
                    by=by,
                    owner=None,
                    due=due,
                    now=runtime.clock(),
                )
            )
    with runtime.factory() as session:
        made = session.scalar(
            select(func.count())
            .select_from(ActionItem)
            .where(ActionItem.source_kind == SOURCE_KIND, ActionItem.source_id == item)
        )
    # the second call (a later due) opens nothing new and names the first one
    assert made == 1
    assert notes[0] == notes[1]
