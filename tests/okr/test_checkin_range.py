"""A check-in far outside a KR's span is refused (testers, session 16: −1,000,000 on a KR from
50 to 10 showed "2.50012e+06%"), and no number a person reads is in scientific notation."""

from __future__ import annotations

import pytest
from fastapi.testclient import TestClient
from sqlalchemy import func, select

from teamassist.okr import sheet
from teamassist.okr.formulas import num, progress_bounds
from teamassist.okr.messages import pct
from teamassist.okr.models import CheckIn, KeyResult
from teamassist.runtime import Runtime
from teamassist.web.app import create_app
from tests.okr.support import set_clock
from tests.support.chat import ChatDriver
from tests.support.web import sign_in


@pytest.fixture
def okr_chat(sqlite_chat: ChatDriver) -> ChatDriver:
    set_clock(sqlite_chat.runtime, "2026-11-16 09:00")  # a Monday of 2026Q4
    chat = sqlite_chat
    assert "O-1" in chat.text("/新建目标 提升交付质量", as_="zhangsan")
    reply = chat.text("/新建KR O-1 线上缺陷数 起始 50 目标 10 单位 个 权重 50%", as_="zhangsan")
    assert "KR-1" in reply
    reply = chat.text("/新建KR O-1 毛利率 起始 1 目标 3 单位 % 权重 50%", as_="zhangsan")
    assert "KR-2" in reply
    assert "已发布" in chat.text("/发布OKR", as_="zhangsan")
    return chat


# This test's KR-1 (the demo has OKRs of its own, in 2026Q3).
_newest_kr1 = select(KeyResult.id).where(KeyResult.number == 1).order_by(KeyResult.id.desc())


def _check_ins(runtime: Runtime) -> int:
    with runtime.factory() as session:
        return session.scalar(select(func.count()).select_from(CheckIn)) or 0


def test_minus_a_million_on_a_falling_count_is_refused(okr_chat: ChatDriver) -> None:
    before = _check_ins(okr_chat.runtime)
    reply = okr_chat.text("/进展 KR-1 -1000000", as_="zhangsan")
    assert reply == (
        "KR-1 的进展值 -1000000个 超出合理范围：应在 -350 到 450个 之间（进展 -1000% 到 1000%）。"
        "请检查是否多写了 0 或写错了正负号；没有记录任何内容。"
    )
    assert _check_ins(okr_chat.runtime) == before
    # The edges are kept: 450 defects is −1000%, a margin of −5% (from 1% aimed at 3%) −300%.
    assert "进展 -1000%" in okr_chat.text("/进展 KR-1 450", as_="zhangsan")
    assert "进展 -300%" in okr_chat.text("/进展 KR-2 -5", as_="zhangsan")
    assert "超出合理范围" in okr_chat.text("/进展 KR-2 30", as_="zhangsan")  # 1450%, a typo


def test_rest_refuses_it_with_the_same_reason(okr_chat: ChatDriver) -> None:
    runtime = okr_chat.runtime
    with runtime.factory() as session:
        kr_id = session.scalars(_newest_kr1).first()
    before = _check_ins(runtime)
    with TestClient(create_app(runtime, start_background=False)) as api:
        sign_in(api)
        response = api.post(f"/api/v1/okr/key-results/{kr_id}/check-ins", json={"value": -1000000})
    assert response.status_code == 422, response.text
    assert "应在 -350 到 450个 之间" in response.text
    assert _check_ins(runtime) == before


def test_a_boolean_is_not_a_value_or_a_confidence(okr_chat: ChatDriver) -> None:
    """Tester s26 B-2: ``"confidence": true`` was stored as 1 and ``"value": true`` moved the
    KR to 1; digits in a string are still read as the number."""
    runtime = okr_chat.runtime
    with runtime.factory() as session:
        kr_id = session.scalars(_newest_kr1).first()
    before = _check_ins(runtime)
    url = f"/api/v1/okr/key-results/{kr_id}/check-ins"
    with TestClient(create_app(runtime, start_background=False)) as api:
        sign_in(api)
        for body in ({"value": 30, "confidence": True}, {"value": True}, {"value": False}):
            refused = api.post(url, json=body)
            assert refused.status_code == 422, refused.text
            assert "应为数字，不能是 true 或 false" in refused.text
        assert _check_ins(runtime) == before
        kept = api.post(url, json={"value": "30", "confidence": 7})
        assert kept.status_code == 201, kept.text
    assert _check_ins(runtime) == before + 1
    with runtime.factory() as session:
        assert session.get_one(KeyResult, kr_id).current_value == 30.0


def test_an_old_far_value_shows_plain_digits(okr_chat: ChatDriver) -> None:
    runtime = okr_chat.runtime
    with runtime.factory() as session:  # a value stored before the range was checked
        kr = session.get_one(KeyResult, session.scalars(_newest_kr1).first())
        kr.current_value = -1000000.0
        session.commit()
    reply = okr_chat.text("/我的OKR", as_="zhangsan")
    assert "KR-1 线上缺陷数：-1000000个（50→10），权重 50%，进展 2500125%（超额）" in reply
    assert "e+" not in reply


def test_numbers_never_take_an_exponent() -> None:
    assert pct(25001.25) == "2500125%"
    assert pct(-0.25) == "-25%" and pct(1.125) == "112.5%"
    assert num(1e20) == "100000000000000000000"
    assert num(1234567.5) == "1234567.5" and num(-0.00001) == "0" and num(0.05) == "0.05"
    assert progress_bounds(start=50, target=10) == (-350, 450)
    assert sheet._text("value", 1234567.5) == "1234567.5"


def test_a_percent_kr_takes_a_value_with_its_sign(okr_chat: ChatDriver) -> None:
    """Tester F17 (session 18): ``/进展 KR-1 73% 信心 11`` on a KR measured in % was refused as
    「「73%」不是数字」. On a % KR the sign is read as the unit; elsewhere it is still refused."""
    before = _check_ins(okr_chat.runtime)
    reply = okr_chat.text("/进展 KR-2 2.5% 信心 7", as_="zhangsan")
    assert "不是数字" not in reply and "2.5%" in reply, reply
    assert "进展 75%" in okr_chat.text("/进展 KR-2 ２.５％", as_="zhangsan")
    assert _check_ins(okr_chat.runtime) == before + 2
    assert "不是数字" in okr_chat.text("/进展 KR-1 30%", as_="zhangsan")  # a count, not a %
    assert _check_ins(okr_chat.runtime) == before + 2
