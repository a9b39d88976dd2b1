"""Moving and cancelling one 1on1 occurrence from chat, on every backend: ``/改期一对一`` and
``/取消一对一`` (``/1on1-move``, ``/1on1-cancel``) call the same service as REST and the page.
The demo: 李华 meets 张三 on 每月第1个周四 10:00; the clock is Monday 2026-06-01 09:00
Beijing, so June's is Thursday 06-04 10:00 and July's 07-02 10:00."""

from __future__ import annotations

from datetime import UTC, datetime

from fastapi.testclient import TestClient

from teamassist.web.app import create_app
from tests.one_on_ones.support import make_director, meetings, pair_id
from tests.support.chat import ChatDriver
from tests.support.web import give_account, sign_in


def _by_key(chat: ChatDriver) -> dict[str, tuple[int, datetime, str]]:
    found = meetings(chat.runtime, pair_id(chat.runtime))
    return {m.key: (m.id, m.start_at.replace(tzinfo=UTC), m.status) for m in found}


def test_moving_and_cancelling_one_occurrence_from_chat(chat: ChatDriver) -> None:
    make_director(chat.runtime)
    listing = chat.text("/一对一 @张三", as_="lihua")  # plans the pair, numbers shown
    planned = _by_key(chat)
    june, july = planned["2026-06"][0], planned["2026-07"][0]
    assert f"#{june}" in listing and f"#{july}" in listing
    # When 张三 moves June's onto Saturday 06-13 at 15:00 with a reason
    reply = chat.text(f"/改期一对一 {june} 2026-06-13 15:00 出差", as_="zhangsan")
    # Then it is moved, and the reply warns that the day is a weekend
    assert f"已把 1on1 #{june} 改到 6月13日（周六）15:00。" in reply
    assert "注意：6月13日（周六）15:00是周末，不是工作日" in reply
    assert _by_key(chat)["2026-06"][1] == datetime(2026, 6, 13, 7, tzinfo=UTC)
    # without a time it keeps its time of day; a working day warns nothing (English alias)
    reply = chat.text(f"/1on1-move {june} 2026-06-10", as_="lihua")
    assert reply == f"已把 1on1 #{june} 改到 6月10日（周三）15:00。"
    # onto July's own time: refused kindly, nothing changed
    refused = chat.text(f"/改期一对一 {june} 2026-07-02 10:15", as_="lihua")
    assert f"这一对在 7月2日（周四）10:00 已经有一次 1on1（#{july}）" in refused
    assert _by_key(chat)["2026-06"][1] == datetime(2026, 6, 10, 7, tzinfo=UTC)
    # a bad time is refused and changes nothing
    assert "时间要写成 HH:MM" in chat.text(f"/改期一对一 {june} 2026-06-11 25:00", as_="lihua")
    assert _by_key(chat)["2026-06"][1] == datetime(2026, 6, 10, 7, tzinfo=UTC)
    # the breaker's 下午3点 and a full-width time are read as times, not taken as the reason
    reply = chat.text(f"/改期一对一 {june} 2026-06-11 下午3点", as_="lihua")
    assert reply == f"已把 1on1 #{june} 改到 6月11日（周四）15:00。"
    reply = chat.text(f"/改期一对一 {june} 2026-06-10 １５：００", as_="lihua")
    assert reply == f"已把 1on1 #{june} 改到 6月10日（周三）15:00。"
    # someone outside the pair is told it does not exist, as for a wrong number
    outside = chat.text(f"/改期一对一 {june} 2026-06-11", as_="wangwu")
    assert outside == chat.text("/改期一对一 999999 2026-06-11", as_="wangwu").replace(
        "999999", str(june)
    )
    assert _by_key(chat)["2026-06"][1] == datetime(2026, 6, 10, 7, tzinfo=UTC)
    # When 李华 cancels July's (English alias), then June's may take its time
    cancelled = chat.text(f"/1on1-cancel {july} 团建", as_="lihua")
    assert f"已取消 1on1 #{july}（原定 7月2日（周四）10:00）" in cancelled
    assert _by_key(chat)["2026-07"][2] == "cancelled"
    assert "已经取消了" in chat.text(f"/取消一对一 {july}", as_="zhangsan")
    moved = chat.text(f"/改期一对一 {june} 2026-07-02 10:00", as_="lihua")
    assert moved == f"已把 1on1 #{june} 改到 7月2日（周四）10:00。"


def test_a_move_to_the_night_is_warned_from_chat_and_rest(chat: ChatDriver) -> None:
    """Tester s27 B-8: 「/改期一对一 2 2026-12-11 02:30」 and REST's ``"+14:00"`` offset moved a
    1on1 into the night without a word, where a meeting's /改期 warns (the same rule now,
    ``clock.at_night``)."""
    make_director(chat.runtime)
    chat.text("/一对一 @张三", as_="lihua")
    june = _by_key(chat)["2026-06"][0]
    reply = chat.text(f"/改期一对一 {june} 2026-06-10 02:30", as_="zhangsan")
    assert reply == (
        f"已把 1on1 #{june} 改到 6月10日（周三）02:30。\n"
        "注意：新的时间是团队时间（Asia/Shanghai）6月10日（周三）02:30，在夜里；"
        f"1on1 仍按这个时间进行。如果时区或时间写错了，请再 /改期一对一 {june}。"
    ), reply
    # the daytime again: nothing to warn of
    assert chat.text(f"/改期一对一 {june} 2026-06-10 14:30", as_="zhangsan") == (
        f"已把 1on1 #{june} 改到 6月10日（周三）14:30。"
    )
    give_account(chat.runtime, "lihua")
    with TestClient(create_app(chat.runtime, start_background=False)) as lihua:
        sign_in(lihua, "lihua", "pw-lihua")
        moved = lihua.post(
            f"/api/v1/one-on-ones/{pair_id(chat.runtime)}/meetings/{june}/move",
            json={"start": "2026-06-11T15:00:00+14:00"},  # 09:00 Beijing: daytime
        )
        assert moved.status_code == 200 and moved.json()["warnings"] == [], moved.text
        moved = lihua.post(
            f"/api/v1/one-on-ones/{pair_id(chat.runtime)}/meetings/{june}/move",
            json={"start": "2026-06-11T08:00:00+14:00"},  # 02:00 Beijing
        )
    assert moved.status_code == 200, moved.text
    assert moved.json()["warnings"] == [
        "注意：新的时间是团队时间（Asia/Shanghai）6月11日（周四）02:00，在夜里；"
        "1on1 仍按这个时间进行。如果时区或时间写错了，请再 "
        f"POST /api/v1/one-on-ones/{pair_id(chat.runtime)}/meetings/{june}/move。"
    ], moved.text  # REST names its endpoint, not the chat command (tester s28 E-7)
