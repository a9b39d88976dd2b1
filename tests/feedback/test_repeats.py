"""The same feedback sent again within ten minutes is stored once (tester s25 F-11, F-B3):
a double tap, a client's retry without an event id, twenty sends at once."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from typing import Any

from fastapi.testclient import TestClient
from sqlalchemy import event, select
from sqlalchemy.orm import Session

from teamassist.clock import FrozenClock
from teamassist.feedback import flows
from teamassist.feedback.models import FeedbackItem, FeedbackKind
from teamassist.feedback.service import Origin
from teamassist.ports import Roster
from teamassist.runtime import Runtime
from teamassist.team.models import Member
from teamassist.web.app import create_app
from tests.feedback.support import demo_team, items, outbox
from tests.support.chat import ChatDriver
from tests.support.races import side_by_side
from tests.support.web import sign_in

REPEAT = "同样的反馈 10 分钟内已经收到过了"


def _with_text(runtime: Runtime, text: str) -> list[FeedbackItem]:
    return [i for i in items(runtime) if i.text == text]


def test_the_same_report_twice_is_one_item_and_one_notice(chat: ChatDriver) -> None:
    first = chat.text("/问题反馈 保存按钮没反应", as_="zhangsan")
    notices = len(outbox(chat.runtime))
    again = chat.text("/问题反馈 保存按钮没反应", as_="zhangsan")
    (item,) = _with_text(chat.runtime, "保存按钮没反应")
    assert f"id=「{item.id}」" in first
    assert f"{REPEAT}：id=「{item.id}」，这次没有重复登记" in again
    assert len(outbox(chat.runtime)) == notices  # nobody is paged again


def test_other_text_kind_or_reporter_is_a_new_item(chat: ChatDriver) -> None:
    chat.text("/问题反馈 导出很慢", as_="zhangsan")
    chat.text("/问题反馈 导出很快", as_="zhangsan")  # another text
    chat.text("/产品建议 导出很慢", as_="zhangsan")  # another kind
    chat.text("/问题反馈 导出很慢", as_="lisi")  # another reporter
    stored = [(i.text, i.kind, i.reporter_id) for i in items(chat.runtime)[-4:]]
    assert len(set(stored)) == 4


def test_a_retyped_report_is_the_same_report(chat: ChatDriver) -> None:
    # tester s26 A-1, B-22: case, width, blanks and a closing mark made a second item (and page)
    first = chat.text("/问题反馈 登录页面白屏 LOGIN", as_="zhangsan")
    (item,) = _with_text(chat.runtime, "登录页面白屏 LOGIN")
    notices = len(outbox(chat.runtime))
    for retyped in ("登录 页面白屏 login！", "登录页面白屏  ＬＯＧＩＮ。", " 登录页面 白屏 Login "):
        again = chat.text(f"/问题反馈 {retyped}", as_="zhangsan")
        assert f"{REPEAT}：id=「{item.id}」，这次没有重复登记" in again, retyped
    assert f"id=「{item.id}」" in first
    assert [i.id for i in items(chat.runtime) if "白屏" in i.text] == [item.id]
    assert len(outbox(chat.runtime)) == notices
    # a word more or less is another report
    assert REPEAT not in chat.text("/问题反馈 登录页面白屏 LOGIN 失败", as_="zhangsan")


def test_an_invisible_direction_mark_is_no_new_report(chat: ChatDriver) -> None:
    # tester s26 B-1, B-22: a trailing RLM or a ZWSP made a second item; the mark is not kept
    chat.text("/问题反馈 \u200f登录页面白屏", as_="zhangsan")
    (item,) = _with_text(chat.runtime, "登录页面白屏")
    for retyped in ("登录页面白屏\u200f", "登录\u200b页面白屏", "\u2066登录页面白屏\u2069"):
        again = chat.text(f"/问题反馈 {retyped}", as_="zhangsan")
        assert f"{REPEAT}：id=「{item.id}」" in again, retyped
    assert [i.id for i in items(chat.runtime) if "白屏" in i.text] == [item.id]


def test_the_window_is_ten_minutes_across_the_clocks_edge(
    chat: ChatDriver, clock: FrozenClock
) -> None:
    sqlite_chat = chat  # every backend: MariaDB's guard is its own statement (session 27)
    # 10:09:50 and 10:10:05 fall in two windows of the clock, 15 s apart: one item
    clock.set(datetime(2026, 6, 1, 2, 9, 50, tzinfo=UTC))
    sqlite_chat.text("/问题反馈 跨窗口的双击", as_="zhangsan")
    clock.set(datetime(2026, 6, 1, 2, 10, 5, tzinfo=UTC))
    assert REPEAT in sqlite_chat.text("/问题反馈 跨窗口的双击", as_="zhangsan")
    assert len(_with_text(sqlite_chat.runtime, "跨窗口的双击")) == 1
    # eleven minutes after the first, the same text is a new report
    clock.set(datetime(2026, 6, 1, 2, 20, 51, tzinfo=UTC))
    assert REPEAT not in sqlite_chat.text("/问题反馈 跨窗口的双击", as_="zhangsan")
    # and nine minutes after that one it is a repeat of it, not of the first
    clock.set(clock() + timedelta(minutes=9))
    again = sqlite_chat.text("/问题反馈 跨窗口的双击", as_="zhangsan")
    _first, second = _with_text(sqlite_chat.runtime, "跨窗口的双击")
    assert f"id=「{second.id}」" in again and REPEAT in again


def test_rest_answers_409_naming_the_first_item(demo_runtime: Runtime) -> None:
    with TestClient(create_app(demo_runtime, start_background=False)) as client:
        sign_in(client)
        body = {"kind": "bug", "text": "REST 重复提交"}
        created = client.post("/api/v1/feedback/items", json=body)
        again = client.post("/api/v1/feedback/items", json=body)
    assert created.status_code == 201, created.text
    assert again.status_code == 409
    assert f"id=「{created.json()['id']}」" in again.json()["message"]
    assert len(_with_text(demo_runtime, "REST 重复提交")) == 1


def test_many_at_once_store_one(demo_runtime: Runtime) -> None:
    # eight reports of one text at once, each having read before any writes: one is stored
    def report(session: Session) -> None:
        team = demo_team(session)
        reporter = session.scalars(select(Member).where(Member.handle == "zhangsan")).one()
        flows.submit(
            session,
            roster=demo_runtime.ports.get(Roster),
            team=team,
            reporter=reporter,
            kind=FeedbackKind.BUG,
            text="同时点了八次",
            origin=Origin(platform="web", chat_key="api"),
            now=demo_runtime.clock(),
        )

    outcome = side_by_side(demo_runtime, [report] * 8)
    assert outcome == ["feedback.error.repeat"] * 7 + ["ok"]
    assert len(_with_text(demo_runtime, "同时点了八次")) == 1


def test_the_guard_reads_nothing_before_the_insert(chat: ChatDriver) -> None:
    # the repeat check is in the item's INSERT on every backend (MariaDB: in its savepoint,
    # where a SELECT of the two keys came first, session 27)
    statements: list[str] = []

    def record(_conn: Any, _cursor: Any, statement: str, *_args: Any) -> None:
        statements.append(" ".join(statement.split()))

    engine = chat.runtime.engine
    event.listen(engine, "before_cursor_execute", record)
    try:
        first = chat.text("/问题反馈 只读一次", as_="zhangsan")
        written = list(statements)
        again = chat.text("/问题反馈 只读一次", as_="zhangsan")
    finally:
        event.remove(engine, "before_cursor_execute", record)
    (item,) = _with_text(chat.runtime, "只读一次")
    assert f"id=「{item.id}」" in first and REPEAT in again
    inserts = [s for s in statements if s.startswith("INSERT INTO feedback_item")]
    assert len(inserts) == 2 and all("NOT (EXISTS" in s for s in inserts), inserts
    # the item stored: no read of the items (a repeat reads its first item, to name it)
    assert not [s for s in written if s.startswith("SELECT feedback_item.")], written
