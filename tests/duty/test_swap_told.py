"""Outside tester F14 (session 23): any member took a colleague's shift with
「/值班换班 @A 日期 @自己」, even after A signed in for it, and nobody was told. A day someone
signed in for is theirs or an admin's to trade; A and B (bar whoever made the swap) get a DM
and the duty channel a line. The clock: Monday 2026-06-01 09:00, 张三 on duty, 李四 on 06-02."""

from __future__ import annotations

from teamassist.chat.types import plain_text
from tests.support.chat import ChatDriver
from tests.team.support import demo


def _told(chat: ChatDriver) -> list[tuple[str, str]]:
    """(idempotency key, text) of the swap notices queued."""
    return [
        (m.idempotency_key, m.address)
        for m in chat.queued()
        if m.idempotency_key.startswith("duty.swap_made:")
    ]


def test_a_signed_in_day_is_its_holders_and_a_swap_is_told(chat: ChatDriver) -> None:
    with chat.runtime.factory() as session:
        d = demo(session)
        lisi, sunqi = d["lisi"].id, d["sunqi"].id
    assert "签到成功" in chat.text("/值班签到", as_="zhangsan")
    refused = chat.text("/值班换班 @zhangsan 2026-06-01 @lisi", as_="lisi")
    assert refused == (
        "「张三」已经为 2026-06-01 的「技术」签到，这一班只有 TA 本人或管理员可以换给别人。"
        "这次没有改动。"
    ), refused
    assert _told(chat) == []
    # 孙七 takes 李四's day: 李四 gets a DM, the duty channel a line, 孙七 (who asked) nothing
    done = chat.text("/值班换班 @lisi 2026-06-02 @sunqi", as_="sunqi")
    assert "代班成功" in done, done
    keys = [key for key, _ in _told(chat)]
    assert any(key.endswith(f":m{lisi}") for key in keys), keys
    assert not any(key.endswith(f":m{sunqi}") for key in keys), keys
    assert any(address == "duty-room" for _, address in _told(chat)), _told(chat)
    [dm] = [m for m in chat.queued() if m.idempotency_key.endswith(f":m{lisi}")]
    body = plain_text(dm.payload["body"])
    assert f"安排了「技术」的换班（<@m:{sunqi}> 代 <@m:{lisi}> 值 2026-06-02）" in body, body
    # an admin may still trade a signed-in day
    assert "代班成功" in chat.text("/值班换班 @zhangsan 2026-06-01 @lisi", as_="admin")
