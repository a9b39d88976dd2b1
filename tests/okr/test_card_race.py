"""Two presses of one check-in card at the same instant (the okr engineer's finding, session
6): exactly one check-in, and the other press gets the friendly refusal, not the unique
index's error. On PostgreSQL and MariaDB the presses run in two real transactions."""

from __future__ import annotations

import threading
import time

from sqlalchemy import func, select

from teamassist.database import transaction
from teamassist.exceptions import Conflict
from teamassist.okr import checkins
from teamassist.okr.models import CheckIn, KeyResult
from teamassist.runtime import Runtime
from teamassist.team.models import Team
from tests.conftest import load_demo
from tests.okr.support import Kr, at, objective_with_krs

NOW = at("2026-11-16 09:00")  # inside 2026Q4


def _press(
    runtime: Runtime,
    team_id: int,
    kr_id: int,
    outcome: list[str],
    *,
    after: threading.Event | None = None,
    flushed: threading.Event | None = None,
) -> None:
    """One press in its own transaction. The first press (``flushed``) holds its transaction
    open for a second after writing, so the second press (``after``) runs while the first's
    check-in is written but not committed: the moment of the race."""
    try:
        if after is not None:
            assert after.wait(timeout=30)
        with transaction(runtime.factory) as session:
            team = session.get(Team, team_id)
            kr = session.get(KeyResult, kr_id)
            assert team is not None and kr is not None
            checkins.check_in(
                session,
                team=team,
                key_result=kr,
                author=None,
                value=12,
                confidence=6,
                comment="",
                now=NOW,
                origin="om_card_1",
            )
            if flushed is not None:
                flushed.set()
                time.sleep(1.0)
        outcome.append("recorded")
    except Conflict as refused:
        outcome.append(refused.key)
    except Exception as crashed:  # the unique index's IntegrityError, without the KR lock
        outcome.append(type(crashed).__name__)
    finally:
        if flushed is not None:
            flushed.set()


def test_two_presses_at_once_record_one_check_in(runtime: Runtime) -> None:
    load_demo(runtime)
    built = objective_with_krs(runtime, krs=(Kr("线上缺陷数", 50, 10, weight=100),))
    team_id, [kr_id] = built.team_id, built.kr_ids
    outcome: list[str] = []
    flushed = threading.Event()
    presses = [
        threading.Thread(
            target=_press, args=(runtime, team_id, kr_id, outcome), kwargs={"flushed": flushed}
        ),
        threading.Thread(
            target=_press, args=(runtime, team_id, kr_id, outcome), kwargs={"after": flushed}
        ),
    ]
    for press in presses:
        press.start()
    for press in presses:
        press.join(timeout=60)
    assert sorted(outcome) == ["okr.error.card_used", "recorded"]
    with runtime.factory() as session:
        count = session.scalar(
            select(func.count()).select_from(CheckIn).where(CheckIn.origin == "om_card_1")
        )
    assert count == 1
