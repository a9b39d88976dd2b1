"""1on1s from chat, on every backend (okr-wave-spec §3 cases 16 and 17): setting a slot, the
agenda with a private note the other side never sees (not even as a count), checking off,
carry-over, the prep pack and the day-before reminder. The demo: 李华 meets 张三 on
"每月第1个周四 10:00"; the clock starts on Monday 2026-06-01 09:00 Beijing."""

from __future__ import annotations

import re

from teamassist.chat.render import to_plain
from teamassist.chat.types import ChatType, Reply
from tests.okr.support import set_clock
from tests.one_on_ones.support import item_id, make_director, meetings, pair_id
from tests.support.chat import ChatDriver


def _counts(text: str) -> list[str]:
    return re.findall(r"\d+\s*项", text)


def test_a_private_note_is_the_authors_alone(chat: ChatDriver) -> None:
    # Given 李华 is the director and meets 张三
    make_director(chat.runtime)
    # When the director adds a private and a shared topic
    private = chat.text("/议题 @张三 年度调薪 私密", as_="lihua")
    shared = chat.text("/议题 @张三 Q1规划", as_="lihua")
    # Then the receipts say who reads each
    assert "私密笔记" in private and "只有你自己能看到" in private and "年度调薪" in private
    assert "双方可见" in shared
    # 张三 sees the shared items and nothing of the private one, not even a count
    seen = chat.text("/一对一 @李华", as_="zhangsan")
    assert "Q1规划" in seen and "晋升答辩准备" in seen
    assert "年度调薪" not in seen and "私密" not in seen and "🔒" not in seen
    own = chat.text("/一对一 @张三", as_="lihua")
    assert "年度调薪" in own and "🔒" in own
    # 张三's listing shows no count that includes it
    assert "年度调薪" not in chat.text("/一对一", as_="zhangsan")
    # the private item's number is answered as missing for 张三, exactly like an unknown one
    hidden = item_id(chat.runtime, "年度调薪")
    refused = chat.text(f"/议题完成 {hidden}", as_="zhangsan")
    assert refused == f"找不到议题 #{hidden}。"
    assert chat.text("/议题完成 999999", as_="zhangsan") == "找不到议题 #999999。"
    # an admin who is no party reads no agenda at all
    assert "年度调薪" not in chat.text("/一对一", as_="admin")


def test_slots_from_chat_plan_the_spec_dates(chat: ChatDriver) -> None:
    make_director(chat.runtime)
    pair = pair_id(chat.runtime)
    # When the director sets 张三's slot on 2026-09-20
    set_clock(chat.runtime, "2026-09-20 09:00")
    reply = chat.text("/一对一 @张三 每月第1个周四 10:00", as_="lihua")
    # Then October's 1on1 is Thursday 10-08 (10-01 is 国庆)
    assert "已设定1on1：李华 ↔ 张三：每月第1个周四 10:00。" in reply
    assert "10月8日（周四）10:00" in reply
    starts = [m.key for m in meetings(chat.runtime, pair) if m.status == "scheduled"]
    assert starts[:2] == ["2026-10", "2026-11"]
    # a biweekly slot and an English alias (not at 15:00: 李华 meets 李四 every other
    # Wednesday then, which counts as a double booking once planned)
    assert "每两周 周三 16:00" in chat.text("/1on1 @zhangsan 每两周 周三 16:00", as_="lihua")
    # the months' occurrences the old slot had are cancelled, not left behind
    rows = {m.key: m for m in meetings(chat.runtime, pair)}
    assert rows["2026-10"].status == "cancelled" and rows["2026-10"].sequence == 1


def test_bad_slots_and_strangers_change_nothing(chat: ChatDriver) -> None:
    make_director(chat.runtime)
    pair = pair_id(chat.runtime)
    before = [(m.key, m.start_at) for m in meetings(chat.runtime, pair)]
    assert "看不懂这个时间" in chat.text("/一对一 @张三 每月第6个周一 10:00", as_="lihua")
    assert "看不懂这个时间" in chat.text("/一对一 @张三 每月第0个周一 10:00", as_="lihua")
    # a member who is neither party nor arranger cannot make a pair
    refused = chat.text("/一对一 @张三 每周 周一 10:00", as_="wangwu")
    assert refused == "张三 的 1on1 只能由团队负责人「李华」新建；请找 TA 安排。"
    assert chat.text("/议题 @张三 打探一下", as_="wangwu") == "你和 张三 之间还没有 1on1。"
    assert [(m.key, m.start_at) for m in meetings(chat.runtime, pair)] == before


def test_unchecked_items_carry_over_and_checked_ones_stay_in_their_meeting(
    chat: ChatDriver,
) -> None:
    make_director(chat.runtime)
    chat.text("/一对一 @张三", as_="lihua")  # plans June (Thu 06-04 10:00)
    chat.text("/议题 @张三 薪酬调整 私密", as_="lihua")
    # When the 1on1 of 06-04 is held and Q1规划 is checked off in it
    set_clock(chat.runtime, "2026-06-04 10:30")
    done = item_id(chat.runtime, "Q1规划")
    assert chat.text(f"/议题完成 {done}", as_="zhangsan") == f"已勾掉议题 #{done}「Q1规划」。"
    assert "已经勾掉了" in chat.text(f"/议题完成 {done}", as_="lihua")
    # Then the next 1on1 (Thu 07-02) lists what is still open, marked as carried over
    set_clock(chat.runtime, "2026-06-05 09:00")
    seen = chat.text("/一对一 @张三", as_="lihua")
    assert "7月2日（周四）10:00" in seen
    assert "Q1规划" not in seen
    assert re.search(r"晋升答辩准备 · 李华 （上次遗留）", seen), seen
    assert "薪酬调整" in seen
    assert "薪酬调整" not in chat.text("/一对一 @李华", as_="zhangsan")


def test_a_topic_becomes_an_agreed_action_item(chat: ChatDriver) -> None:
    make_director(chat.runtime)
    topic = item_id(chat.runtime, "Q1规划")
    reply = chat.text(f"/议题销项 {topic} 2026-06-10", as_="lihua")
    # owned by the other side (张三), asked by 李华
    assert reply.startswith(f"议题 #{topic} 已转为销项："), reply
    listing = chat.text("/我的销项", as_="zhangsan")
    assert "Q1规划" in listing
    # a private note is nobody's task
    chat.text("/议题 @张三 薪酬调整 私密", as_="lihua")
    hidden = item_id(chat.runtime, "薪酬调整")
    assert chat.text(f"/议题销项 {hidden} 2026-06-10", as_="lihua") == "私密笔记不能转为销项。"


def test_the_reminder_goes_to_both_the_working_day_before_once(chat: ChatDriver) -> None:
    make_director(chat.runtime)
    chat.text("/议题 @张三 年度调薪 私密", as_="lihua")
    # When the reminder job runs on Wednesday 06-03 16:00 (twice)
    for _ in range(2):
        set_clock(chat.runtime, "2026-06-03 16:00")
        chat.runtime.scheduler.tick()
    # Then each of the two has one reminder, counting only what they may see
    notices = [
        m for m in chat.queued() if "明天的 1on1" in to_plain(Reply.model_validate(m.payload))
    ]
    texts = sorted(to_plain(Reply.model_validate(m.payload)) for m in notices)
    assert len(texts) == 2, texts
    assert all("6月4日（周四）10:00" in t for t in texts)
    assert {tuple(_counts(t)) for t in texts} == {("2 项",), ("4 项",)}
    assert all("薪酬调整" not in t for t in texts)


def test_in_a_group_chat_the_agenda_stays_private(chat: ChatDriver) -> None:
    # Given 李华 writes in a group chat, which others read
    group = {"chat_key": "web:team-room", "chat_type": ChatType.GROUP}
    reply = chat.text("/议题 @张三 年终奖 私密", as_="lihua", **group)
    # Then a private item is refused there (the group reads the message): DM the bot instead,
    # nothing stored; and the pair shows its schedule only
    assert reply == "私密议题请私聊我再发：群里的人都能看到这条消息，这次没有记录。", reply
    assert "年终奖" not in chat.text("/一对一 @张三", as_="lihua")
    chat.text("/议题 @张三 年终奖 私密", as_="lihua")
    shown = chat.text("/一对一 @张三", as_="lihua", **group)
    assert "6月4日（周四）10:00" in shown
    for hidden in ("年终奖", "薪酬调整", "Q1规划", "会前准备（"):
        assert hidden not in shown
    assert "议题和会前准备只在私聊里显示。" in shown
    # in the DM the note is there for its author
    assert "年终奖" in chat.text("/一对一 @张三", as_="lihua")


def test_a_second_slot_says_it_replaced_the_first_and_lists_no_dropped_meetings(
    chat: ChatDriver,
) -> None:
    """Tester s23 F4: after 每周 then 每月第5个, 接下来 listed the weekly slot's meetings as
    已取消 (nobody cancelled them) and the reply did not say it replaced anything."""
    make_director(chat.runtime)
    chat.text("/一对一 @张三 每周 周三 10:00", as_="lihua")
    reply = chat.text("/一对一 @张三 每月第5个周三 10:00", as_="lihua")
    assert "已设定1on1：李华 ↔ 张三：每月第5个周三 10:00。" in reply, reply
    assert "已替换原来的 每周 周三 10:00" in reply, reply
    shown = chat.text("/一对一 @张三", as_="lihua")
    assert "已取消" not in shown and "按计划" in shown, shown
    # a meeting cancelled by a person is still listed
    pair = pair_id(chat.runtime)
    first = next(m for m in meetings(chat.runtime, pair) if m.status == "scheduled")
    assert "已取消" in chat.text(f"/取消一对一 {first.id}", as_="lihua")
    assert "已取消" in chat.text("/一对一 @张三", as_="lihua")


def test_a_slot_for_someone_leaving_before_its_first_meeting_says_so(
    chat: ChatDriver,
) -> None:
    """Tester s23 F10: 「/一对一 @王五 每周 周五 10:00」 with 王五 leaving in two days gave the
    receipt with no 「下次」 line and no word why."""
    make_director(chat.runtime)
    chat.text("/停用成员 @zhangsan 明天", as_="admin")
    text = chat.text("/一对一 @张三 每月第5个周三 10:00", as_="lihua")
    assert "下次" not in text and "注意：张三 将于 " in text, text
    assert text.endswith("停用，这个时段在那之前没有 1on1，之后的也不会安排。"), text
