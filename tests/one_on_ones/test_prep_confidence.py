"""Each KR's confidence change since the last 1on1 in the prep pack, from the real OKR desk:
``OkrFacts.confidence_at`` asks for each KR's confidence at an instant (the latest check-in
with a confidence at or before it), and the pack shows ``信心 6 → 4``.

张三 owns a published 2026Q2 objective with two KRs. The demo pair 李华 ↔ 张三 meets on
每月第1个周四 10:00, so the last 1on1 before Friday 06-05 started Thursday 06-04 10:00."""

from __future__ import annotations

from sqlalchemy.orm import Session

from teamassist.events import KrFact, OkrFacts, ask
from teamassist.okr import checkins, cycles
from teamassist.okr import objectives as okr
from teamassist.okr.models import KeyResult
from teamassist.okr.objectives import KrInput
from teamassist.runtime import Runtime
from teamassist.team.models import Member, Team
from tests.conftest import load_demo
from tests.okr.support import at, demo, set_clock
from tests.one_on_ones.support import make_director
from tests.support.chat import ChatDriver

# (KR title, [(Beijing time, confidence)]): 发布间隔 has one check-in before the 1on1, one just
# after it started (same day) and one the day after; 回滚次数 only after it.
CHECK_INS = {
    "发布间隔": [("2026-06-02 10:00", 6), ("2026-06-04 11:00", 5), ("2026-06-05 08:00", 4)],
    "回滚次数": [("2026-06-05 08:30", 7)],
}


def _zhangsans_objective(runtime: Runtime) -> None:
    planned = at("2026-03-27 10:00")  # before 2026Q2 starts, as people plan
    with demo(runtime) as given:
        q2 = cycles.by_key(given.session, team=given.team, key="2026Q2")
        objective = okr.create_objective(
            given.session,
            team=given.team,
            cycle=q2,
            owner=given.member("zhangsan"),
            title="缩短发布周期",
            now=planned,
        )
        krs = [
            okr.add_key_result(
                given.session,
                team=given.team,
                objective=objective,
                data=KrInput(title, start=start, target=target, unit=unit, weight=weight),
                now=planned,
            )
            for title, start, target, unit, weight in (
                ("发布间隔", 14, 7, "天", 60),
                ("回滚次数", 6, 2, "次", 40),
            )
        ]
        okr.publish(given.session, team=given.team, cycle=q2, chosen=[objective], now=planned)
        for kr in krs:
            _check_in(given.session, given.team, kr, given.member("zhangsan"))


def _check_in(session: Session, team: Team, kr: KeyResult, author: Member) -> None:
    for when, confidence in CHECK_INS[kr.title]:
        checkins.check_in(
            session,
            team=team,
            key_result=kr,
            author=author,
            value=kr.start_value or 0,
            confidence=confidence,
            comment="",
            now=at(when),
        )


def _krs(runtime: Runtime, when: str | None) -> dict[str, KrFact]:
    with demo(runtime) as given:
        query = OkrFacts(
            team=given.team,
            day=at("2026-06-05 09:00").date(),
            now=at("2026-06-05 09:00"),
            confidence_at=at(when) if when else None,
        )
        found = {
            kr.title: kr
            for answer in ask(given.session, query)
            for o in answer
            for kr in o.key_results
        }
    return found


def test_the_okr_desk_answers_each_krs_confidence_at_an_instant(runtime: Runtime) -> None:
    load_demo(runtime)
    _zhangsans_objective(runtime)
    # now: the latest check-ins
    now = _krs(runtime, None)
    assert (now["发布间隔"].confidence, now["回滚次数"].confidence) == (4, 7)
    assert now["发布间隔"].confidence_then is None  # not asked
    # at the 1on1's start: the check-in before it, not the one an hour later, nor any later
    then = _krs(runtime, "2026-06-04 10:00")
    assert then["发布间隔"].confidence_then == 6
    assert then["回滚次数"].confidence_then is None  # no check-in yet
    # a check-in at the very instant counts; before any check-in there is none
    assert _krs(runtime, "2026-06-04 11:00")["发布间隔"].confidence_then == 5
    assert _krs(runtime, "2026-06-01 09:00")["发布间隔"].confidence_then is None


def test_the_prep_pack_shows_each_krs_confidence_change_since_the_last_1on1(
    sqlite_chat: ChatDriver,
) -> None:
    chat = sqlite_chat
    make_director(chat.runtime)
    _zhangsans_objective(chat.runtime)
    chat.text("/一对一 @张三", as_="lihua")  # plans June's: Thursday 06-04 10:00
    # When 李华 prepares on Friday 06-05, the day after the 1on1
    set_clock(chat.runtime, "2026-06-05 09:00")
    seen = chat.text("/一对一 @张三", as_="lihua")
    pack = seen[seen.index("会前准备（张三）") :]
    # Then 发布间隔 went from 6 (before the 1on1 began) to 4; 回滚次数 had none then
    line = next(x for x in pack.splitlines() if "发布间隔" in x)
    assert line.endswith("信心 6 → 4"), line
    line = next(x for x in pack.splitlines() if "回滚次数" in x)
    assert line.endswith("信心 7") and "→" not in line, line
    # 张三 reads the same change on himself
    assert "信心 6 → 4" in chat.text("/一对一 @李华", as_="zhangsan")
    # Before any 1on1 was held there is nothing to compare with
    set_clock(chat.runtime, "2026-06-03 09:00")
    assert "→" not in chat.text("/一对一 @张三", as_="lihua")
