"""The other party hears of a 1on1 moved or cancelled by hand, once per change, from chat and
REST alike. The demo: 李华 meets 张三 on 每月第1个周四 10:00; the clock is Monday 2026-06-01
09:00 Beijing, so June's is Thursday 06-04 10:00 and July's 07-02 10:00."""

from __future__ import annotations

from fastapi.testclient import TestClient
from sqlalchemy import select

from teamassist.chat.render import to_plain
from teamassist.chat.types import Reply
from teamassist.outbox.models import OutboxMessage
from teamassist.runtime import Runtime
from teamassist.team.models import Member
from teamassist.web.app import create_app
from tests.one_on_ones.support import make_director, meetings, pair_id
from tests.support.chat import ChatDriver
from tests.support.parallel import at_once
from tests.support.web import sign_in


def _told(runtime: Runtime) -> list[tuple[str, str]]:
    """(recipient handle, plain text) of every 1on1 change notice queued, oldest first."""
    with runtime.factory() as session:
        handles: dict[int, str] = dict(session.execute(select(Member.id, Member.handle)).all())
        rows = session.scalars(
            select(OutboxMessage)
            .where(OutboxMessage.idempotency_key.like("one_on_ones.changed:%"))
            .order_by(OutboxMessage.id)
        ).all()
        return [
            (
                handles[int(r.idempotency_key.rsplit(":m", 1)[1])],
                to_plain(Reply.model_validate(r.payload)),
            )
            for r in rows
        ]


def _planned(chat: ChatDriver) -> dict[str, int]:
    chat.text("/一对一 @张三", as_="lihua")  # plans the pair
    return {m.key: m.id for m in meetings(chat.runtime, pair_id(chat.runtime))}


def test_the_other_party_is_told_once_per_move_and_of_a_cancel(chat: ChatDriver) -> None:
    make_director(chat.runtime)
    planned = _planned(chat)
    june, july = planned["2026-06"], planned["2026-07"]
    # When 张三 moves June's with a reason
    chat.text(f"/改期一对一 {june} 2026-06-10 15:00 出差", as_="zhangsan")
    # Then 李华 alone is told, with the old and new times and the reason
    assert _told(chat.runtime) == [
        (
            "lihua",
            "1on1 改期\n张三把1on1：李华 ↔ 张三从 6月4日（周四）10:00 改到了 6月10日（周三）15:00。"
            "\n说明：出差",
        )
    ]
    # When the same move is sent again (a retry), nobody is told twice, and the sender is
    # not told it moved (tester s26 B-11)
    again = chat.text(f"/改期一对一 {june} 2026-06-10 15:00 出差", as_="zhangsan")
    assert again == f"1on1 #{june} 本来就在 6月10日（周三）15:00，没有改动。", again
    assert len(_told(chat.runtime)) == 1
    # When 张三 sends the same time with only a new reason, 李华 hears of the reason, not of a
    # move "from 15:00 to 15:00" (a tester's find); a repeat tells nobody again
    note = chat.text(f"/改期一对一 {june} 2026-06-10 15:00 客户来访", as_="zhangsan")
    assert note == f"1on1 #{june} 时间不变（6月10日（周三）15:00），已更新说明。", note
    chat.text(f"/改期一对一 {june} 2026-06-10 15:00 客户来访", as_="zhangsan")
    assert _told(chat.runtime)[1:] == [
        (
            "lihua",
            "1on1 说明更新\n张三更新了1on1：李华 ↔ 张三的说明，时间不变：6月10日（周三）15:00。"
            "\n说明：客户来访",
        )
    ]
    # When 李华 moves it again, 张三 is told of that move
    chat.text(f"/改期一对一 {june} 2026-06-11", as_="lihua")
    recipient, text = _told(chat.runtime)[-1]
    assert recipient == "zhangsan"
    assert "李华把1on1：李华 ↔ 张三从 6月10日（周三）15:00 改到了 6月11日（周四）15:00。" in text
    # When 李华 cancels July's, 张三 is told; a second cancel is refused and tells nobody
    chat.text(f"/取消一对一 {july} 团建", as_="lihua")
    chat.text(f"/取消一对一 {july}", as_="lihua")
    told = _told(chat.runtime)
    assert len(told) == 4
    assert told[-1] == (
        "zhangsan",
        "1on1 取消\n李华取消了1on1：李华 ↔ 张三（原定 7月2日（周四）10:00）。"
        f"未完成的议题会带到下一次：6月11日（周四）15:00（#{june}）。\n说明：团建",
    )


def test_a_refused_move_tells_nobody(chat: ChatDriver) -> None:
    make_director(chat.runtime)
    june = _planned(chat)["2026-06"]
    assert "时间要写成 HH:MM" in chat.text(f"/改期一对一 {june} 2026-06-11 25:00", as_="lihua")
    assert "已经有一次" in chat.text(f"/改期一对一 {june} 2026-07-02 10:00", as_="lihua")
    assert _told(chat.runtime) == []


def test_an_admin_cancelling_through_rest_tells_both(chat: ChatDriver) -> None:
    make_director(chat.runtime)
    june = _planned(chat)["2026-06"]
    pair = pair_id(chat.runtime)
    with TestClient(create_app(chat.runtime, start_background=False)) as admin:
        sign_in(admin)  # the installation's admin, no member of the pair
        response = admin.post(
            f"/api/v1/one-on-ones/{pair}/meetings/{june}/cancel", json={"note": "全员培训"}
        )
    assert response.status_code == 200, response.text
    told = sorted(_told(chat.runtime))
    assert [who for who, _ in told] == ["lihua", "zhangsan"]
    assert all(text.startswith("1on1 取消\n管理员取消了") for _, text in told)


def test_one_move_sent_at_once_is_told_as_one_move(chat: ChatDriver) -> None:
    """Tester s26 B-11: 20 × /改期一对一 26 … at once made one move, and all 20 were told
    「已把 1on1 #26 改到 …」; the ones that found it moved are told it already was."""
    make_director(chat.runtime)
    june = _planned(chat)["2026-06"]
    replies = at_once(6, lambda: chat.text(f"/改期一对一 {june} 2026-06-10 15:00", as_="zhangsan"))
    assert sorted(replies) == sorted(
        [f"已把 1on1 #{june} 改到 6月10日（周三）15:00。"]
        + [f"1on1 #{june} 本来就在 6月10日（周三）15:00，没有改动。"] * 5
    ), replies
    assert len(_told(chat.runtime)) == 1
