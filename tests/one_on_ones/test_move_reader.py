"""One reader of a 1on1's new time (``changes.read_start`` on ``teamassist.chat.when``) for
``/改期一对一`` and the pair page's move form, as ``/改期`` and the meetings page read a meeting's.
A tester's find (session 12): ``/改期一对一 5 12月1日下午6点`` answered "invalid" though ``/改期``
read it, and the page read dates its own way (no full-width digits, no 12月1日). The demo: 李华
meets 张三 on 每月第1个周四 10:00."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import UTC, datetime

import pytest
from fastapi.testclient import TestClient

from teamassist.i18n import t
from teamassist.runtime import Runtime
from tests.conftest import load_demo
from tests.okr.support import set_clock
from tests.one_on_ones.support import make_director, meetings, pair_id
from tests.support.chat import ChatDriver
from tests.support.web import BROWSER, signed_in


def _start(runtime: Runtime, meeting: int) -> datetime:
    (row,) = [m for m in meetings(runtime, pair_id(runtime)) if m.id == meeting]
    return row.start_at.replace(tzinfo=UTC)


def _june(chat: ChatDriver) -> int:
    make_director(chat.runtime)
    chat.text("/一对一 @张三", as_="lihua")  # plans the pair
    return min(meetings(chat.runtime, pair_id(chat.runtime)), key=lambda m: m.start_at).id


@pytest.mark.parametrize(
    ("written", "start", "note"),
    [
        ("6月11日下午6点", datetime(2026, 6, 11, 10, 0, tzinfo=UTC), None),
        ("6月11日下午6点 出差", datetime(2026, 6, 11, 10, 0, tzinfo=UTC), "出差"),
        ("６月１２日１０：００", datetime(2026, 6, 12, 2, 0, tzinfo=UTC), None),
        ("6月12日 下午3点半 客户来访", datetime(2026, 6, 12, 7, 30, tzinfo=UTC), "客户来访"),
        ("周五", datetime(2026, 6, 5, 2, 0, tzinfo=UTC), None),  # keeps 10:00
    ],
)
def test_a_time_glued_to_the_date_is_read_in_chat(
    chat: ChatDriver, written: str, start: datetime, note: str | None
) -> None:
    # Given June's 1on1 (Thursday 06-04 10:00; the clock: Monday 2026-06-01)
    june = _june(chat)
    # When 李华 moves it with the date and time written as /改期 reads them
    reply = chat.text(f"/改期一对一 {june} {written}", as_="lihua")
    # Then it moves there, the words after it the reason
    assert reply.startswith(f"已把 1on1 #{june} 改到 "), reply
    assert _start(chat.runtime, june) == start
    (row,) = [m for m in meetings(chat.runtime, pair_id(chat.runtime)) if m.id == june]
    assert row.note == note


def test_what_is_no_date_or_time_is_refused_and_nothing_moves(chat: ChatDriver) -> None:
    june = _june(chat)
    before = _start(chat.runtime, june)
    for text, expected in [
        (f"/改期一对一 {june} 出差", "看不懂这个时间：出差"),
        (f"/改期一对一 {june} 6月31日", "看不懂这个时间：6月31日"),
        (f"/改期一对一 {june} 6月11日 25:00", "时间要写成 HH:MM，收到：25:00"),
        (f"/改期一对一 {june}", "缺少参数「日期」"),
        (f"/改期一对一 {june} 1999-12-31", "新的时间已经过去了。"),
    ]:
        assert expected in chat.text(text, as_="lihua"), text
    assert _start(chat.runtime, june) == before


@pytest.fixture
def lihua(sqlite_runtime: Runtime) -> Iterator[TestClient]:
    """The demo on Sunday 2026-09-20 09:00 Beijing, 李华 directing and signed in."""
    load_demo(sqlite_runtime)
    make_director(sqlite_runtime)
    set_clock(sqlite_runtime, "2026-09-20 09:00")
    with signed_in(sqlite_runtime, "lihua") as made:
        assert made["lihua"].get(f"/one-on-ones/{pair_id(sqlite_runtime)}").status_code == 200
        yield made["lihua"]


def _october(runtime: Runtime) -> int:
    [first, *_] = [m for m in meetings(runtime, pair_id(runtime)) if m.status == "scheduled"]
    return first.id


@pytest.mark.parametrize(
    ("written", "start"),
    [
        ("10月9日下午3点", datetime(2026, 10, 9, 7, 0, tzinfo=UTC)),
        ("１０月９日 １５：００", datetime(2026, 10, 9, 7, 0, tzinfo=UTC)),
        ("２０２６－１０－０９", datetime(2026, 10, 9, 2, 0, tzinfo=UTC)),  # keeps 10:00
        ("2026-10-09T15:00", datetime(2026, 10, 9, 7, 0, tzinfo=UTC)),  # the datetime-local input
    ],
)
def test_the_page_reads_what_chat_reads(
    sqlite_runtime: Runtime, lihua: TestClient, written: str, start: datetime
) -> None:
    pair, meeting = pair_id(sqlite_runtime), _october(sqlite_runtime)
    sent = lihua.post(
        f"/one-on-ones/{pair}/meetings/{meeting}/move?team=1",
        data={"start": written},
        headers=BROWSER,
        follow_redirects=False,
    )
    assert sent.status_code == 303 and "saved=1" in sent.headers["location"], sent.headers
    assert _start(sqlite_runtime, meeting) == start


def test_the_page_refuses_words_after_the_date_and_far_years(
    sqlite_runtime: Runtime, lihua: TestClient
) -> None:
    pair, meeting = pair_id(sqlite_runtime), _october(sqlite_runtime)
    before = _start(sqlite_runtime, meeting)
    move = f"/one-on-ones/{pair}/meetings/{meeting}/move?team=1"
    refused = lihua.post(move, data={"start": "10月9日 出差"})
    assert (refused.status_code, refused.json()["error"]) == (422, "one_on_ones.error.bad_when")
    # the first years a datetime holds: "past" (it was the raw core.error.out_of_range)
    for path, body in (
        (move, {"data": {"start": "0001-01-01T00:00+01:00"}}),
        (
            f"/api/v1/one-on-ones/{pair}/meetings/{meeting}/move",
            {"json": {"start": "0001-01-01T00:00+01:00"}},
        ),
    ):
        past = lihua.post(path, **body)  # type: ignore[arg-type]
        assert past.status_code == 422, past.text
        assert past.json()["error"] == "one_on_ones.error.past", past.text
        assert past.json()["message"] == t("one_on_ones.error.past")
    assert _start(sqlite_runtime, meeting) == before
