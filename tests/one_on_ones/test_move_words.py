"""What a 1on1's mover and a topic's checker are told (tester s27 C-6), on every backend. The
demo: 李华 meets 张三 on 每月第1个周四 10:00; the clock is Monday 2026-06-01 09:00 Beijing, so
June's is Thursday 06-04 10:00, July's 07-02 and August's 08-06 (saved: within 70 days), and
September's 09-03 the rule's, not saved yet."""

from __future__ import annotations

from fastapi.testclient import TestClient

from teamassist.web.app import create_app
from tests.one_on_ones.support import item_id, make_director, meetings, pair_id
from tests.support.chat import ChatDriver
from tests.support.web import give_account, sign_in


def _planned(chat: ChatDriver) -> dict[str, int]:
    chat.text("/一对一 @张三", as_="lihua")  # plans the pair
    return {m.key: m.id for m in meetings(chat.runtime, pair_id(chat.runtime))}


def test_a_repeat_move_is_not_warned_of_as_a_new_time(chat: ChatDriver) -> None:
    make_director(chat.runtime)
    june = _planned(chat)["2026-06"]
    # Given June's moved to 02:30 at night, which is warned of
    moved = chat.text(f"/改期一对一 {june} 2026-06-11 02:30", as_="lihua")
    assert moved.startswith(f"已把 1on1 #{june} 改到 6月11日（周四）02:30。\n注意：新的时间是")
    # When the same move is sent again (2:30 reads the same), or with only a reason
    again = chat.text(f"/改期一对一 {june} 2026-06-11 2:30", as_="lihua")
    note = chat.text(f"/改期一对一 {june} 2026-06-11 02:30 时差", as_="lihua")
    # Then each says the time did not change, and nothing of a "new time"
    assert again == f"1on1 #{june} 本来就在 6月11日（周四）02:30，没有改动。", again
    assert note == f"1on1 #{june} 时间不变（6月11日（周四）02:30），已更新说明。", note


def test_a_move_into_a_week_with_another_talk_of_the_pair_is_warned(chat: ChatDriver) -> None:
    make_director(chat.runtime)
    planned = _planned(chat)
    june, july = planned["2026-06"], planned["2026-07"]
    # When June's is moved to the Tuesday of July's week
    reply = chat.text(f"/改期一对一 {june} 2026-06-30 10:00", as_="lihua")
    # Then the reply says the pair talks twice that week, and how to drop one
    assert reply == (
        f"已把 1on1 #{june} 改到 6月30日（周二）10:00。\n"
        f"注意：#{june} 改到的 6月30日（周二）10:00 和这一对的 #{july}（7月2日（周四）10:00）"
        f"在同一周，这一周会谈两次；不需要的话可以 /取消一对一 {june} 或 /取消一对一 {july}。"
    ), reply
    # and the same beside a talk the slot has but has not saved yet (September's)
    far = chat.text(f"/改期一对一 {june} 2026-09-01 10:00", as_="lihua")
    assert (
        f"注意：#{june} 改到的 9月1日（周二）10:00 和这一对按时段在 9月3日（周四）10:00 的那一次"
        f"在同一周，这一周会谈两次；不需要的话可以再 /改期一对一 {june} 或 /取消一对一 {june}。"
    ) in far, far
    # while a move into a week of its own says nothing of it
    alone = chat.text(f"/改期一对一 {june} 2026-06-10 10:00", as_="lihua")
    assert alone == f"已把 1on1 #{june} 改到 6月10日（周三）10:00。", alone


def test_a_topic_ending_a_sentence_is_not_ended_twice(chat: ChatDriver) -> None:
    make_director(chat.runtime)
    _planned(chat)
    chat.text("/议题 @张三 并发议题。", as_="lihua")
    chat.text("/议题 @张三 周会改期", as_="lihua")
    ended, plain = item_id(chat.runtime, "并发议题。"), item_id(chat.runtime, "周会改期")
    assert chat.text(f"/议题完成 {ended}", as_="lihua") == f"已勾掉议题 #{ended}「并发议题。」"
    assert chat.text(f"/议题完成 {plain}", as_="lihua") == f"已勾掉议题 #{plain}「周会改期」。"


def test_a_rest_move_names_endpoints_and_a_repeat_is_unchanged(chat: ChatDriver) -> None:
    """Tester s28 E-7: a REST move into a week of another talk warned with chat commands in it
    (「/取消一对一 5」), and the same move again repeated 「改到的…」 though nothing moved."""
    make_director(chat.runtime)
    planned = _planned(chat)
    june, july = planned["2026-06"], planned["2026-07"]
    pair = pair_id(chat.runtime)
    url = f"/api/v1/one-on-ones/{pair}/meetings/{june}/move"
    with TestClient(create_app(chat.runtime, start_background=False)) as lihua:
        sign_in(lihua, "lihua", give_account(chat.runtime, "lihua"))
        body = {"start": "2026-06-30T10:00"}
        first = lihua.post(url, json=body)
        assert first.status_code == 200, first.text
        assert first.json()["changed"] is True
        assert first.json()["warnings"] == [
            f"注意：#{june} 改到的 6月30日（周二）10:00 和这一对的 #{july}（7月2日（周四）10:00）"
            "在同一周，这一周会谈两次；不需要的话可以 "
            f"POST /api/v1/one-on-ones/{pair}/meetings/{june}/cancel 或 "
            f"POST /api/v1/one-on-ones/{pair}/meetings/{july}/cancel。"
        ]
        sequence = first.json()["sequence"]
        # the same move again: nothing moved, nothing warned
        again = lihua.post(url, json=body)
        assert again.status_code == 200, again.text
        assert (again.json()["changed"], again.json()["warnings"]) == (False, [])
        assert again.json()["sequence"] == sequence
        # a night and past the next talk, worded for REST too
        late = lihua.post(url, json={"start": "2026-07-09T02:30"})
        warned = "\n".join(late.json()["warnings"])
        assert "/改期一对一" not in warned and "/取消一对一" not in warned, warned
        assert f"请再 POST /api/v1/one-on-ones/{pair}/meetings/{june}/move" in warned, warned
