"""/复盘 and /api/v1/okr/retros: drafts, what worked / what did not, carry-over, the director's
acknowledgement, the follow-up note, and every refusal changing nothing."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import pytest
from fastapi.testclient import TestClient
from sqlalchemy import func, select

from teamassist.okr.models import KeyResult, Objective
from teamassist.okr.rhythm_models import Retro
from teamassist.runtime import Runtime
from teamassist.web.app import create_app
from tests.okr.support import demo, second_team, set_clock
from tests.support.chat import ChatDriver
from tests.support.web import give_account, sign_in


def _quarter(chat: ChatDriver) -> None:
    """张三's committed O-1 of 2026Q3: KR-1 reaches its target, KR-2 gets to 60%."""
    set_clock(chat.runtime, "2026-07-06 10:00")
    assert "O-1" in chat.text("/新建目标 提升交付质量", as_="zhangsan")
    chat.text("/新建KR O-1 线上缺陷数 起始 50 目标 10 单位 个 权重 50%", as_="zhangsan")
    chat.text("/新建KR O-1 营收 起始 100 目标 200 单位 万元 权重 50%", as_="zhangsan")
    assert "已发布" in chat.text("/发布OKR", as_="zhangsan")
    set_clock(chat.runtime, "2026-07-20 10:00")
    chat.text("/进展 KR-1 30 信心 6", as_="zhangsan")
    set_clock(chat.runtime, "2026-09-10 10:00")
    chat.text("/进展 KR-1 10 信心 9", as_="zhangsan")
    chat.text("/进展 KR-2 160 信心 5", as_="zhangsan")
    with demo(chat.runtime) as given:
        given.team.director_id = given.member("admin").id


def _state(runtime: Runtime) -> tuple[Any, ...]:
    """Everything a refusal must leave alone."""
    with runtime.factory() as session:
        retros = [
            (r.went_well, r.to_improve, r.carried, r.acknowledged_at)
            for r in session.scalars(select(Retro).order_by(Retro.id))
        ]
        return (
            retros,
            session.scalar(select(func.count()).select_from(Objective)),
            session.scalar(select(func.count()).select_from(KeyResult)),
        )


@pytest.fixture
def retro_chat(chat: ChatDriver) -> ChatDriver:
    _quarter(chat)
    return chat


def test_retro_waits_for_the_end_of_the_cycle(retro_chat: ChatDriver) -> None:
    set_clock(retro_chat.runtime, "2026-09-15 10:00")
    before = _state(retro_chat.runtime)
    reply = retro_chat.text("/复盘 O-1", as_="zhangsan")
    assert "2026Q3 还在进行中（9月30日结束）" in reply and "评分期或已关闭" in reply
    assert "还在进行中" in retro_chat.text("/复盘 2026Q3", as_="zhangsan")
    assert _state(retro_chat.runtime) == before  # no retrospective row was made


def test_draft_scores_history_proposals_and_follow_up_note(retro_chat: ChatDriver) -> None:
    set_clock(retro_chat.runtime, "2026-10-05 10:00")  # 2026Q3's grading window
    reply = retro_chat.text("/复盘", as_="zhangsan")
    assert "复盘 · O-1「提升交付质量」（2026Q3 · 承诺型）" in reply
    assert "评分：建议 0.8，最终 0.8" in reply  # (1.0 + 0.6) / 2
    assert (
        "KR-1「线上缺陷数」50→10个：登记 2 次，30 → 10（最后一次 9月10日，信心 9），评分 1" in reply
    )
    assert (
        "KR-2「营收」100→200万元：登记 1 次，160 → 160（最后一次 9月10日，信心 5），评分 0.6"
        in reply
    )
    assert (
        "结转建议" in reply
        and "KR-2「营收」进展 60%" in reply
        and "KR-1「线上缺陷数」进展" not in reply
    )
    # Committed and below 1.0: a follow-up 销项 for its owner (tests/okr/test_seams.py has more).
    assert (
        "跟进：已开销项 #" in reply
        and "「复盘跟进：O-1「提升交付质量」评分 0.8，低于 1.0」" in reply
    )
    assert "做得好：（待填写：/复盘 O-1 做得好 …）" in reply
    assert "尚未确认（负责人发送 /复盘 确认 O-1）" in reply
    with retro_chat.runtime.factory() as session:
        [row] = session.scalars(select(Retro))
        assert row.follow_up is not None and "评分 0.8" in row.follow_up
    assert "没有你的已发布目标" in retro_chat.text("/retro", as_="lisi")


def test_fill_carry_over_and_acknowledge(retro_chat: ChatDriver) -> None:
    runtime = retro_chat.runtime
    set_clock(runtime, "2026-10-05 10:00")
    reply = retro_chat.text("/复盘 O-1 做得好 每周复查缺陷\n坚持灰度发布", as_="zhangsan")
    assert "已记下 O-1 的「做得好」" in reply and "每周复查缺陷" in reply
    retro_chat.text("/复盘 O-1 待改进 营收跟进太晚", as_="zhangsan")
    retro_chat.text("/复盘 O-1 待改进 大客户签约慢", as_="zhangsan")
    with runtime.factory() as session:
        [row] = session.scalars(select(Retro))
        assert row.went_well == "每周复查缺陷\n坚持灰度发布"
        assert row.to_improve == "营收跟进太晚\n大客户签约慢"
    # Carry-over: never a finished KR, only when asked, never twice.
    before = _state(runtime)
    assert "KR-1 已经完成，不需要结转" in retro_chat.text("/复盘 结转 KR-1", as_="zhangsan")
    assert _state(runtime) == before
    reply = retro_chat.text("/复盘 结转 KR-2", as_="zhangsan")
    assert "已把 KR-2「营收」结转到 2026Q4：O-1 下的草稿 KR-1（权重 0%，起始 160）" in reply
    assert "新建了草稿目标 O-1「提升交付质量」" in reply
    with runtime.factory() as session:
        copy = session.scalars(select(KeyResult).order_by(KeyResult.id.desc())).first()
        assert copy is not None
        target = session.get(Objective, copy.objective_id)
        assert target is not None and target.state == "draft"
        assert (copy.start_value, copy.target_value, copy.unit, copy.weight) == (
            160,
            200,
            "万元",
            0,
        )
    before = _state(runtime)
    assert "KR-2 已经结转过了" in retro_chat.text("/复盘 结转 KR-2", as_="zhangsan")
    assert _state(runtime) == before
    # The O-1 of the ended cycle is still the one /复盘 O-1 means (2026Q4 now has an O-1 too).
    reply = retro_chat.text("/复盘 O-1", as_="zhangsan")
    assert "2026Q3 · 承诺型" in reply and "已结转：KR-2 → 2026Q4 的 KR-1" in reply
    assert "结转建议" not in reply
    # Only the director (or leader, or an admin) acknowledges.
    assert "只有团队负责人或管理员可以确认复盘" in retro_chat.text("/复盘 确认 O-1", as_="zhangsan")
    assert _state(runtime) == before
    assert "已确认 O-1「提升交付质量」的复盘" in retro_chat.text("/复盘 确认 O-1", as_="admin")
    reply = retro_chat.text("/复盘 2026Q3", as_="admin")  # the team's cycle for the director
    assert "O-1「提升交付质量」" in reply and "负责人确认：王管理 已于 10月5日 确认" in reply
    before = _state(runtime)
    assert "已经确认，不能再修改" in retro_chat.text("/复盘 O-1 做得好 补一句", as_="zhangsan")
    assert "已经确认" in retro_chat.text("/复盘 确认 O-1", as_="admin")
    assert _state(runtime) == before


def test_bad_input_is_refused_and_changes_nothing(retro_chat: ChatDriver) -> None:
    runtime = retro_chat.runtime
    set_clock(runtime, "2026-10-05 10:00")
    retro_chat.text("/复盘 O-1", as_="zhangsan")
    before = _state(runtime)
    assert "找不到目标 O-9" in retro_chat.text("/复盘 O-9", as_="zhangsan")
    assert "不是有效的周期" in retro_chat.text("/复盘 2026Q5", as_="zhangsan")
    assert "还在进行中" in retro_chat.text("/复盘 2026Q4", as_="zhangsan")
    reply = retro_chat.text("/复盘 O-1 做得好 别人写的", as_="lisi")
    assert "只有负责人、协作者或团队管理员可以修改 O-1" in reply
    assert "看不懂" in retro_chat.text("/复盘 O-1 随便 说说", as_="zhangsan")
    assert "请写下内容" in retro_chat.text("/复盘 O-1 做得好", as_="zhangsan")
    assert "看不懂" in retro_chat.text("/复盘 结转", as_="zhangsan")
    assert _state(runtime) == before


@pytest.fixture
def api(retro_chat: ChatDriver) -> Iterator[TestClient]:
    runtime = retro_chat.runtime
    set_clock(runtime, "2026-10-05 10:00")
    with TestClient(create_app(runtime, start_background=False)) as client:
        sign_in(client)  # the workspace admin
        yield client


def _ok(response: Any, code: int = 200) -> Any:
    assert response.status_code == code, response.text
    return response.json()


def test_rest_retros_call_the_same_services(api: TestClient, retro_chat: ChatDriver) -> None:
    [retro] = _ok(api.get("/api/v1/okr/retros", params={"cycle": "2026Q3"}))
    assert (retro["ref"], retro["cycle"], retro["suggested"], retro["score"]) == (
        "O-1",
        "2026Q3",
        0.8,
        0.8,
    )
    kr1, kr2 = retro["key_results"]
    assert (kr1["check_ins"], kr1["first_value"], kr1["last_value"], kr1["score"]) == (2, 30, 10, 1)
    assert retro["carry_over"] == [kr2["id"]] and "低于 1.0" in retro["follow_up"]
    oid = retro["objective_id"]
    patched = _ok(
        api.patch(f"/api/v1/okr/retros/{oid}", json={"went_well": "复查", "to_improve": "太晚"})
    )
    assert (patched["went_well"], patched["to_improve"]) == ("复查", "太晚")
    carried = _ok(api.post("/api/v1/okr/retros/carry-over", json={"key_result_id": kr2["id"]}), 201)
    assert (carried["cycle"], carried["ref"], carried["created_objective"]) == (
        "2026Q4",
        "KR-1",
        True,
    )
    again = api.post("/api/v1/okr/retros/carry-over", json={"key_result_id": kr2["id"]})
    assert again.status_code == 409 and again.json()["error"] == "okr_rhythm.error.carried_twice"
    acked = _ok(api.post(f"/api/v1/okr/retros/{oid}/acknowledge"))
    assert acked["acknowledged_at"] is not None
    assert api.post(f"/api/v1/okr/retros/{oid}/acknowledge").status_code == 409
    # Same reply in chat: the REST writes are what /复盘 shows.
    reply = retro_chat.text("/复盘 O-1", as_="zhangsan")
    assert "做得好：复查" in reply and "已结转：KR-2 → 2026Q4 的 KR-1" in reply


def test_rest_refusals(api: TestClient, retro_chat: ChatDriver) -> None:
    runtime = retro_chat.runtime
    other = second_team(runtime)
    set_clock(runtime, "2026-10-05 10:00")
    with demo(runtime) as given:
        from teamassist.okr import cycles
        from teamassist.okr import objectives as okr
        from teamassist.team.models import Team

        team = given.session.get(Team, other)
        assert team is not None
        cycle = cycles.by_key(given.session, team=team, key="2026Q3")
        foreign = okr.create_objective(
            given.session,
            team=team,
            cycle=cycle,
            owner=given.member("zhangsan"),
            title="别的团队",
            now=set_clock(runtime, "2026-09-01 10:00"),
        ).id
    set_clock(runtime, "2026-10-05 10:00")
    before = _state(runtime)
    assert api.get(f"/api/v1/okr/retros/{foreign}").status_code == 404  # another team's O
    assert api.patch(f"/api/v1/okr/retros/{foreign}", json={"went_well": "x"}).status_code == 404
    response = api.get("/api/v1/okr/retros", params={"cycle": "2026Q4"})
    assert response.status_code == 409 and response.json()["error"] == "okr_rhythm.error.not_ended"
    too_long = api.patch(
        f"/api/v1/okr/retros/{_first_objective(runtime)}", json={"went_well": "好" * 4001}
    )
    assert too_long.status_code == 422
    assert _state(runtime) == before


def _first_objective(runtime: Runtime) -> int:
    with runtime.factory() as session:
        found = session.scalar(
            select(Objective.id).where(Objective.title == "提升交付质量").order_by(Objective.id)
        )
        assert found is not None
        return found


def test_an_older_cycle_by_key_or_name_with_or_without_a_short_id(retro_chat: ChatDriver) -> None:
    runtime = retro_chat.runtime
    set_clock(runtime, "2026-11-02 10:00")
    assert "O-1" in retro_chat.text("/新建目标 2026Q4的目标", as_="zhangsan")  # Q4 has an O-1 too
    set_clock(runtime, "2027-01-05 10:00")  # 2026Q4 is now the latest ended cycle
    for command in ("/复盘 2026Q3", "/复盘 2026年3季度", "/复盘 2026年第三季度", "/复盘 Q3"):
        reply = retro_chat.text(command, as_="admin")
        assert "O-1「提升交付质量」（2026Q3 · 承诺型）" in reply, command
    for command in ("/复盘 2026Q3 O-1", "/复盘 O-1 2026Q3", "/复盘 O-1 3季度"):
        reply = retro_chat.text(command, as_="zhangsan")
        assert "O-1「提升交付质量」（2026Q3 · 承诺型）" in reply, command
    assert "2026Q4的目标" in retro_chat.text("/复盘 O-1", as_="zhangsan")  # the latest ended
    reply = retro_chat.text("/复盘 2026Q3 O-1 做得好 每周复查缺陷", as_="zhangsan")
    assert "已记下 O-1 的「做得好」" in reply and "每周复查缺陷" in reply
    assert "每周复查缺陷" in retro_chat.text("/复盘 O-1 2026Q3", as_="zhangsan")
    assert "2026Q4的目标" not in retro_chat.text("/复盘 O-1 2026Q3", as_="zhangsan")
    reply = retro_chat.text("/复盘 确认 O-1 2026Q3", as_="admin")
    assert "已确认 O-1「提升交付质量」的复盘" in reply
    before = _state(runtime)
    assert "找不到目标 2026Q3 O-9" in retro_chat.text("/复盘 2026Q3 O-9", as_="zhangsan")
    assert "不是有效的周期" in retro_chat.text("/复盘 2026年5季度", as_="zhangsan")
    assert "还在进行中" in retro_chat.text("/复盘 2027Q1 O-1", as_="zhangsan")
    assert _state(runtime) == before


def test_a_deleted_copy_is_no_longer_carried(retro_chat: ChatDriver) -> None:
    # Given KR-2 of 2026Q3 carried into 2026Q4 as a draft KR, whose draft O is then deleted
    runtime = retro_chat.runtime
    set_clock(runtime, "2026-10-05 10:00")
    assert "已把 KR-2「营收」结转到 2026Q4" in retro_chat.text("/复盘 结转 KR-2", as_="zhangsan")
    with runtime.factory() as session:
        copy = session.scalars(select(KeyResult).order_by(KeyResult.id.desc())).first()
        assert copy is not None
        draft_id = copy.objective_id
    with TestClient(create_app(runtime, start_background=False)) as client:
        sign_in(client, "zhangsan", give_account(runtime, "zhangsan"))
        deleted = client.delete(f"/api/v1/okr/objectives/{draft_id}")
        assert deleted.status_code == 204, deleted.text
    # Then the retrospective no longer names the copy: KR-2 is proposed and may be carried again
    reply = retro_chat.text("/复盘 O-1", as_="zhangsan")
    assert "已结转" not in reply and "KR-2「营收」进展 60%" in reply, reply
    with runtime.factory() as session:
        [row] = session.scalars(select(Retro))
        assert row.carried == []
    assert "已把 KR-2「营收」结转到 2026Q4" in retro_chat.text("/复盘 结转 KR-2", as_="zhangsan")


def test_a_kept_below_kr_is_carried_from_its_last_reading(chat: ChatDriver) -> None:
    """Tester F11 (session 18): carrying a 保持≤ KR (start 8, target 4, last check-in 5) made the
    draft start at 8, the old start, while a 提升 KR started from its last value; the team page
    then showed 8 hours where the team stood at 5."""
    set_clock(chat.runtime, "2026-07-06 10:00")
    assert "O-1" in chat.text("/新建目标 响应更快", as_="lisi")
    chat.text("/新建KR O-1 首次响应时间 起始 8 目标 4 单位 小时 权重 50% 类型 保持≤", as_="lisi")
    chat.text("/新建KR O-1 自助解决率 起始 20 目标 40 单位 % 权重 50%", as_="lisi")
    assert "已发布" in chat.text("/发布OKR", as_="lisi")
    set_clock(chat.runtime, "2026-09-10 10:00")
    chat.text("/进展 KR-1 5 信心 6", as_="lisi")
    set_clock(chat.runtime, "2026-10-05 10:00")
    reply = chat.text("/复盘 结转 KR-1", as_="lisi")
    assert "起始 5" in reply, reply
    with chat.runtime.factory() as session:
        copy = session.scalars(select(KeyResult).order_by(KeyResult.id.desc())).first()
        assert copy is not None
        assert (copy.kind, copy.start_value, copy.target_value) == ("stay_below", 5, 4)
