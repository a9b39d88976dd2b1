"""Tester R1, R2, R4 and M4 (session 16), with the tester's inputs: a rating error quotes the
question as the form shows it, /360 names the cycle of each released summary, "one year" is
the same date next year in the rule and in its refusal, and the settings refuse a k no team
can reach and say when a question key is given twice. Every backend."""

from __future__ import annotations

from collections.abc import Iterator

import pytest
from fastapi.testclient import TestClient

from teamassist.reviews import service
from teamassist.runtime import Runtime
from tests.conftest import load_demo
from tests.okr.support import demo, set_clock
from tests.outreach.support import ids
from tests.reviews.support import DUE, set_up
from tests.support.chat import ChatDriver
from tests.support.web import signed_in


@pytest.fixture
def clients(runtime: Runtime) -> Iterator[dict[str, TestClient]]:
    load_demo(runtime)
    set_up(runtime)
    with signed_in(runtime, "lihua", "wangwu") as made:
        yield made


def test_a_rating_error_quotes_the_question(
    runtime: Runtime, clients: dict[str, TestClient]
) -> None:
    people = ids(runtime)
    made = clients["lihua"].post(
        "/api/v1/reviews/360", json={"reviewees": [people["zhangsan"]], "due_on": DUE}
    )
    url = f"/api/v1/reviews/360/{made.json()['id']}/reviews/{people['zhangsan']}"
    bad = clients["wangwu"].post(url, json={"answers": {"collaboration": 6, "keep": "好"}})
    assert bad.status_code == 422, bad.text
    assert (
        bad.json()["message"] == "「协作：愿意配合、及时回应、信息透明」的评分要是 1 到 5 的整数。"
    )
    bad = clients["wangwu"].post(url, json={"answers": {"keep": 5}})
    assert bad.json()["message"] == "「希望 TA 继续保持的」要填文字。", bad.text


def test_the_settings_refuse_an_unreachable_k_and_say_duplicate(
    clients: dict[str, TestClient],
) -> None:
    director = clients["lihua"]
    path = "/api/v1/reviews/360/settings/team"
    questions = [{"key": "a", "kind": "rating", "text": "协作"}]
    big = director.put(path, json={"min_answers": 1000, "questions": questions})
    assert big.status_code == 422, big.text
    assert "最少答卷数 k 要在 2 到 20 之间（您填的是 1000）" in big.json()["message"], big.text
    assert director.get(path).json()["min_answers"] == 3  # nothing changed
    assert director.get(path).json()["questions"][0]["key"] == "collaboration"
    assert director.put(path, json={"min_answers": 20}).json()["min_answers"] == 20
    twice = director.put(path, json={"questions": [*questions, {**questions[0], "text": "再问"}]})
    assert twice.status_code == 422, twice.text
    assert "key「a」重复了" in twice.json()["message"], twice.text


def test_one_year_is_the_same_date_next_year(chat: ChatDriver) -> None:
    set_up(chat.runtime)
    set_clock(chat.runtime, "2026-12-03 09:00")  # Thursday, Beijing
    refused = chat.text("/发起360 @王五 @王五 2030-12-25", as_="lihua")
    assert "最晚在一年以内（2027-12-03）" in refused, refused
    assert "一年以内（2027-12-03）" in chat.text("/发起360 @王五 2027-12-04", as_="lihua")
    assert "已发起" in chat.text("/发起360 @王五 2027-12-03", as_="lihua")


def test_my_summaries_are_named_by_their_cycle(chat: ChatDriver) -> None:
    set_up(chat.runtime)
    for name, due, later in (
        ("2026 上半年 360评估", "2026-12-01", "2026-12-02 09:00"),
        ("2026 下半年 360评估", "2026-12-04", "2026-12-05 09:00"),
    ):
        started = chat.text(f"/发起360 @张三 {due}", as_="lihua")
        assert "已发起" in started, started
        set_clock(chat.runtime, later)  # past the due day: closed by the calendar
        with demo(chat.runtime) as d:
            service.latest_cycle(d.session, team=d.team).name = name
        assert "已向 张三 发布" in chat.text("/发布360 @张三", as_="lihua")
    mine = chat.text("/360", as_="zhangsan")
    assert "您在「2026 下半年 360评估」的360总结：" in mine, mine
    assert "您在「2026 上半年 360评估」的360总结：" in mine, mine
