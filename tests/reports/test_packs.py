"""Report packs on every backend: weekly entries from chat, a team's own template (a broken one
changes nothing), one pack per meeting occurrence, who may read a per-person document, and the
reading meeting from /开始阅读 to /结束阅读 with an action item on the desk."""

from __future__ import annotations

from dataclasses import replace
from datetime import UTC, date, datetime

import pytest
from sqlalchemy import func, select

from teamassist.actions.models import ActionItem
from teamassist.events import ReportPackNeeded, ask
from teamassist.exceptions import Invalid, NotFound, PermissionDenied
from teamassist.reports import entries, packs, templates_store
from teamassist.reports.models import ReportPack, ReportTemplate, WeeklyEntry
from teamassist.runtime import Runtime
from tests.okr.support import at, demo, set_clock
from tests.support.chat import ChatDriver


@pytest.fixture
def report_chat(chat: ChatDriver) -> ChatDriver:
    # Monday 2026-09-28 09:00 Beijing: the weekly report of 09-21..09-27 is due today.
    set_clock(chat.runtime, "2026-09-28 09:00")
    return chat


def _entry(runtime: Runtime, handle: str) -> WeeklyEntry | None:
    with demo(runtime) as given:
        return entries.get(
            given.session, team=given.team, member=given.member(handle), week=date(2026, 9, 21)
        )


def test_weekly_entry_from_chat_replaces_only_the_fields_given(report_chat: ChatDriver) -> None:
    reply = report_chat.text(
        "/周报 完成 接口文档；压测 下周：灰度上线 求助 需要测试支持", as_="lisi"
    )
    assert (
        reply == "已记下你 9月21日 那一周的周报：已完成、下周重点、求助。可以随时再发 /周报 修改。"
    )
    # The same message again (a redelivery) and a second one with one field.
    report_chat.text("/周报 完成 接口文档；压测 下周：灰度上线 求助 需要测试支持", as_="lisi")
    report_chat.text("/weekly-entry risks 人手不足", as_="lisi")
    entry = _entry(report_chat.runtime, "lisi")
    assert entry is not None
    assert (entry.done, entry.next, entry.help, entry.risks, entry.not_done) == (
        "接口文档\n压测",
        "灰度上线",
        "需要测试支持",
        "人手不足",
        "",
    )
    with report_chat.runtime.factory() as session:
        assert session.scalar(select(func.count()).select_from(WeeklyEntry)) == 1


def test_a_field_given_twice_keeps_both_parts(report_chat: ChatDriver) -> None:
    """Tester s26 B-21: 「/周报 未完成 x 未完成 y」 stored not_done ["y"]; "x" was gone."""
    reply = report_chat.text("/周报 未完成 联调 未完成 压测；文档 下周 上线", as_="lisi")
    assert reply.startswith("已记下你 9月21日 那一周的周报：未完成、下周重点。"), reply
    entry = _entry(report_chat.runtime, "lisi")
    assert entry is not None
    assert (entry.not_done, entry.next) == ("联调\n压测\n文档", "上线")


def test_weekly_entry_without_content_changes_nothing(report_chat: ChatDriver) -> None:
    reply = report_chat.text("/周报 随便写点什么", as_="lisi")
    assert "请写上内容" in reply
    assert _entry(report_chat.runtime, "lisi") is None


def test_a_broken_template_is_refused_and_the_stored_one_kept(report_chat: ChatDriver) -> None:
    runtime = report_chat.runtime
    now = runtime.clock()
    good = "# {{ title }}\n{% for m in members %}- {{ m.name }}\n{% endfor %}"
    with demo(runtime) as given:
        templates_store.save(
            given.session,
            team=given.team,
            name="weekly",
            body=good,
            actor=given.member("admin"),
            now=now,
        )
    for broken, detail in (
        ("# {{ title }\n", "模板第 1 行"),  # a syntax error
        ("{% for m in members %}{{ m.nmae }}{% endfor %}", "nmae"),  # a field that is not there
        ("{{ ().__class__.__base__.__subclasses__() }}", "不允许使用「__class__」"),  # sandbox
    ):
        with demo(runtime) as given, pytest.raises(Invalid) as caught:
            templates_store.save(
                given.session,
                team=given.team,
                name="weekly",
                body=broken,
                actor=given.member("admin"),
                now=now,
            )
        message = caught.value.message()
        assert message.startswith("模板第") and "没有保存任何修改" in message, message
        assert detail in message, message
    with demo(runtime) as given:
        assert templates_store.source(given.session, team=given.team, name="weekly") == good
        pack = packs.build_pack(
            given.session, given.team, "weekly", date(2026, 9, 21), date(2026, 9, 27), now
        )
        assert pack.markdown.startswith("# OKR周报2026/09/21-09/27\n- 王管理\n- 李华\n- 张三\n")
    with runtime.factory() as session:
        assert session.scalar(select(func.count()).select_from(ReportTemplate)) == 1


def test_one_pack_per_occurrence_and_per_person_documents_are_private(
    report_chat: ChatDriver,
) -> None:
    runtime = report_chat.runtime
    now = runtime.clock()
    with demo(runtime) as given:
        given.team.director_id = given.member("lihua").id
        first = packs.build_pack(
            given.session,
            given.team,
            "weekly",
            date(2026, 9, 21),
            date(2026, 9, 27),
            now,
            occurrence_key="occ:7",
            per_person=True,
        )
        again = packs.build_pack(
            given.session,
            given.team,
            "weekly",
            date(2026, 9, 21),
            date(2026, 9, 27),
            now,
            occurrence_key="occ:7",
            per_person=True,
        )
        assert again.id == first.id and first.person_id is None
        built = packs.find(given.session, team=given.team, occurrence_key="occ:7")
        mine = next(p for p in built if p.person_id == given.member("zhangsan").id)
        assert mine.title == "OKR周报2026/09/21-09/27-张三"
        assert "## 张三" in mine.markdown and "## 李四" not in mine.markdown
        ids = (first.id, mine.id)
    with runtime.factory() as session:
        # The team's document and one per active member (7 in the demo), built once.
        assert session.scalar(select(func.count()).select_from(ReportPack)) == 8
    with demo(runtime) as given:
        team_pack, private = ids
        for handle in ("zhangsan", "lisi", "lihua"):
            assert packs.get(
                given.session, team=given.team, pack_id=team_pack, member=given.member(handle)
            )
        assert packs.get(
            given.session, team=given.team, pack_id=private, member=given.member("zhangsan")
        )
        assert packs.get(
            given.session, team=given.team, pack_id=private, member=given.member("lihua")
        )
        with pytest.raises(PermissionDenied):
            packs.get(given.session, team=given.team, pack_id=private, member=given.member("lisi"))
        with pytest.raises(NotFound):
            packs.get(given.session, team=given.team, pack_id=999_999, member=given.member("lisi"))
        listed = {
            p.id for p in packs.listing(given.session, team=given.team, member=given.member("lisi"))
        }
        assert team_pack in listed and private not in listed


def test_a_meeting_occurrence_asks_once_and_gets_the_same_pack(report_chat: ChatDriver) -> None:
    runtime = report_chat.runtime
    meeting = at("2026-09-29 08:30")
    with demo(runtime) as given:
        asked = ReportPackNeeded(
            team=given.team,
            occurrence_id=41,
            kind="weekly",
            title="OKR周报2026/09/21-09/28",
            period_start=date(2026, 9, 21),
            period_end=date(2026, 9, 27),
            report_due=at("2026-09-28 17:30"),
            meeting_at=meeting,
            now=runtime.clock(),
        )
        [first] = ask(given.session, asked)
        [second] = ask(given.session, asked)  # the report-due step asks again
        assert first == second and first.endswith(f"?team={given.team.id}")
        pack_id = int(first.split("/reports/")[1].split("?")[0])
        pack = given.session.get(ReportPack, pack_id)
        assert pack is not None and pack.title == "OKR周报2026/09/21-09/28"
        assert pack.read_by is not None and pack.read_by.replace(tzinfo=UTC) == datetime(
            2026, 9, 28, 9, 30, tzinfo=UTC
        )
        # A kind this domain does not know: no link, no failure, nothing built.
        assert ask(given.session, replace(asked, occurrence_id=42, kind="town_hall")) == []
    with runtime.factory() as session:
        assert session.scalar(select(func.count()).select_from(ReportPack)) == 1


def test_reading_meeting_from_chat(report_chat: ChatDriver) -> None:
    assert "现在没有进行中的飞阅会" in report_chat.text("/已读", as_="lisi")
    assert "还没有报告" in report_chat.text("/开始阅读", as_="admin")
    built = report_chat.text("/生成报告", as_="admin")
    assert built.startswith("已生成「OKR周报2026/09/21-09/27」：") and "/reports/" in built
    # 0 minutes is refused as -5 is, not read as "no number" (tester s25 F-18)
    for minutes in ("0", "-5"):
        refused = report_chat.text(f"/开始阅读 {minutes}", as_="admin")
        assert refused == "阅读时间要在 1 到 240 分钟之间。", refused
    started = report_chat.text("/开始阅读 15", as_="admin")
    assert started.startswith("飞阅会开始：请在 09:15 前读完「OKR周报2026/09/21-09/27」")
    assert "已经有一场飞阅会在进行中" in report_chat.text("/开始阅读", as_="lihua")
    assert "（1/7 人已读）" in report_chat.text("/已读", as_="lisi")
    assert "你已经标记过读完了" in report_chat.text("/已读", as_="lisi")
    assert "（2/7 人已读）" in report_chat.text("/read-done", as_="zhangsan")
    assert "已记下问题 #" in report_chat.text("/提问 压测什么时候做完？", as_="zhangsan")
    assert "已记下结论：下周二灰度" in report_chat.text("/结论 下周二灰度", as_="admin")
    # a name and its colon alone hold no action: said missing, nothing stored (tester s24 F4)
    for empty in ("/会议销项 @李四：", "/会议销项 @李四: 　"):
        assert report_chat.text(empty, as_="admin") == "小助理无法识别你的指令，缺少参数「内容」。"
    # 「：」 after the name ends it and is no part of the title (s23 report 2 F6)
    action = report_chat.text("/会议销项 @李四：补齐压测报告", as_="admin")
    assert action.startswith("已记下会上的销项：已开销项 #"), action
    # Five working days after Monday 09-28 across 国庆 (10-01..10-07 off; Saturday 10-10 is a
    # 调休 working day): 09-29, 09-30, 10-08, 10-09, 10-10 — due 18:00 Beijing = 10:00 UTC.
    with report_chat.runtime.factory() as session:
        item = session.scalar(select(ActionItem).where(ActionItem.source_kind == "report_note"))
        assert item is not None and item.title == "补齐压测报告"
        assert item.due_at.date() == date(2026, 10, 10)
    # a date at the end is the deadline, not part of the title (tester s25 F-17)
    assert "已经过去了" in report_chat.text("/会议销项 @李四 跟进问题 2026-09-01", as_="admin")
    dated = report_chat.text("/会议销项 @李四 跟进问题 2026-10-20", as_="admin")
    assert dated.startswith("已记下会上的销项：已开销项 #"), dated
    with report_chat.runtime.factory() as session:
        item = session.scalars(
            select(ActionItem)
            .where(ActionItem.source_kind == "report_note")
            .order_by(ActionItem.id.desc())
        ).first()
        assert item is not None and item.title == "跟进问题"
        assert item.due_at.date() == date(2026, 10, 20)
    ended = report_chat.text("/结束阅读", as_="admin")
    assert ended.startswith("飞阅会结束：2/7 人已读，1 个问题，1 条结论，2 个销项。")
    assert "？ 压测什么时候做完？" in ended and "✔ 下周二灰度" in ended
    assert "现在没有进行中的飞阅会" in report_chat.text("/结束阅读", as_="admin")


def test_unknown_kind_and_bad_period_change_nothing(report_chat: ChatDriver) -> None:
    assert "不认识的报告类型「周会」" in report_chat.text("/生成报告 周会", as_="admin")
    now = report_chat.runtime.clock()
    with demo(report_chat.runtime) as given, pytest.raises(Invalid):  # ends before it starts
        packs.build_pack(
            given.session, given.team, "weekly", date(2026, 9, 27), date(2026, 9, 21), now
        )
    # tester s27 B-11: 1900 was built and listed, 9999 failed as "cannot be stored"
    for start, end in (
        (date(1900, 1, 1), date(1900, 1, 7)),
        (date(9999, 12, 27), date(9999, 12, 31)),
    ):
        with demo(report_chat.runtime) as given, pytest.raises(Invalid) as refused:
            packs.build_pack(given.session, given.team, "weekly", start, end, now)
        assert refused.value.key == "reports.error.period"
    with report_chat.runtime.factory() as session:
        assert session.scalar(select(func.count()).select_from(ReportPack)) == 0


def test_the_two_half_year_packs_say_which_half(sqlite_chat: ChatDriver) -> None:
    # Tester s29 F-10: both were 「2026年OKR半年报」 in /报告 and as download names
    set_clock(sqlite_chat.runtime, "2026-06-20 10:00")
    first = sqlite_chat.text("/生成报告 半年报", as_="admin")
    set_clock(sqlite_chat.runtime, "2026-12-04 10:00")
    second = sqlite_chat.text("/生成报告 半年报", as_="admin")
    assert first.startswith("已生成「2026年上半年OKR半年报」"), first
    assert second.startswith("已生成「2026年下半年OKR半年报」"), second
    assert packs.default_title("quarterly", date(2026, 10, 1), date(2026, 12, 31)) == (
        "2026年4季度OKR季报"
    )
