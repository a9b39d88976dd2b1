"""A reading meeting's start, end and action items sent many times at once (tester s25 F-B16,
F-B17): one reading opens, it ends once, one action item is made; the rest are told why."""

from __future__ import annotations

from collections.abc import Callable

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from teamassist.actions.models import ActionItem
from teamassist.reports import reading
from teamassist.reports.models import ReadingNote, ReadingSession
from teamassist.team.models import Member
from tests.feedback.support import demo_team
from tests.support.chat import ChatDriver
from tests.support.races import side_by_side

AT_ONCE = 6


def _member(session: Session, handle: str) -> Member:
    return session.scalars(select(Member).where(Member.handle == handle)).one()


def _count(chat: ChatDriver, query: object) -> int:
    with chat.runtime.factory() as session:
        return session.scalar(query) or 0  # type: ignore[call-overload]


def test_one_reading_starts_ends_and_notes_an_action_once(chat: ChatDriver) -> None:
    rt = chat.runtime
    assert "已生成" in chat.text("/生成报告", as_="admin")

    def start(session: Session) -> None:
        reading.start(
            session, team=demo_team(session), actor=_member(session, "admin"), now=rt.clock()
        )

    outcome = side_by_side(rt, [start] * AT_ONCE)
    assert outcome == ["ok"] + ["reports.error.reading_open"] * (AT_ONCE - 1)

    def action(session: Session) -> None:
        team = demo_team(session)
        reading.add_action(
            session,
            team=team,
            author=_member(session, "admin"),
            owner=_member(session, "lisi"),
            text="整理纪要",
            now=rt.clock(),
            due=rt.clock().date(),
        )

    outcome = side_by_side(rt, [action] * AT_ONCE)
    assert outcome == ["ok"] + ["reports.error.action_repeat"] * (AT_ONCE - 1)
    items = select(func.count()).select_from(ActionItem).where(ActionItem.title == "整理纪要")
    assert _count(chat, items) == 1
    # another action, or the same for another owner, is a new one
    assert "已记下会上的销项" in chat.text("/会议销项 @李四 整理纪要并发出", as_="admin")
    assert "已记下会上的销项" in chat.text("/会议销项 @张三 整理纪要", as_="admin")
    assert "10 分钟内已经记下了" in chat.text("/会议销项 @李四 整理纪要", as_="admin")

    def end(session: Session) -> None:
        reading.end(session, team=demo_team(session), now=rt.clock())

    outcome = side_by_side(rt, [end] * AT_ONCE)
    assert outcome == ["ok"] + ["reports.error.no_reading"] * (AT_ONCE - 1)
    still_open = (
        select(func.count()).select_from(ReadingSession).where(ReadingSession.ended_at.is_(None))
    )
    assert _count(chat, still_open) == 0


def test_a_question_or_a_decision_sent_many_times_is_kept_once(chat: ChatDriver) -> None:
    """Tester s26 B-9: twenty /提问 at once stored twenty questions (twenty ？ lines in the
    summary), twenty /结论 twenty decisions, and one sent twice in a row two."""
    rt = chat.runtime
    assert "已生成" in chat.text("/生成报告", as_="admin")
    assert "飞阅会开始" in chat.text("/开始阅读 15", as_="admin")

    def note(kind: str, handle: str, text: str) -> Callable[[Session], None]:
        def work(session: Session) -> None:
            reading.add_note(
                session,
                team=demo_team(session),
                kind=kind,
                author=_member(session, handle),
                text=text,
                now=rt.clock(),
            )

        return work

    asked = side_by_side(rt, [note("question", "lisi", "性能怎么办")] * AT_ONCE)
    assert asked == ["ok"] + ["reports.error.question_repeat"] * (AT_ONCE - 1)
    decided = side_by_side(rt, [note("decision", "admin", "下周发布")] * AT_ONCE)
    assert decided == ["ok"] + ["reports.error.decision_repeat"] * (AT_ONCE - 1)
    # retyped, in chat: the same once more (a closing mark, full-width, spaces), said so
    again = chat.text("/提问 性能 怎么办？", as_="lisi")
    assert again.startswith("这个问题你 10 分钟内已经提过了（问题 #"), again
    assert "这次没有重复记下" in chat.text("/结论 下周发布。", as_="admin")
    # another question, or the same by someone else, is a new one
    assert "已记下问题" in chat.text("/提问 性能怎么测", as_="lisi")
    assert "已记下问题" in chat.text("/提问 性能怎么办", as_="zhangsan")
    # and the action repeat folds alike (tester s26 B-9's last line)
    assert "已记下会上的销项" in chat.text("/会议销项 @李四 写发布说明", as_="admin")
    assert "10 分钟内已经记下了" in chat.text("/会议销项 @李四 写发布说明。", as_="admin")
    with rt.factory() as session:
        kinds = session.scalars(select(ReadingNote.kind).order_by(ReadingNote.id)).all()
    assert kinds == ["question", "decision", "question", "question", "action"]
