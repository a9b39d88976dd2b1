"""/今日值班 reads the sign-ins and the identities of the people on duty in one statement each,
however many are on duty (it was one of each per person: issue #9's reading command)."""

from __future__ import annotations

from typing import Any

from sqlalchemy import event

from tests.support.chat import ChatDriver


def test_who_is_on_duty_reads_sign_ins_and_identities_once(chat: ChatDriver) -> None:
    # given two people on duty (技术 张三, 产品 赵六), one of them signed in
    assert "签到成功" in chat.text("/值班签到", as_="zhangsan")
    seen: list[str] = []

    def record(_conn: Any, _cursor: Any, statement: str, *_args: Any) -> None:
        seen.append(" ".join(statement.split()))

    event.listen(chat.runtime.engine, "before_cursor_execute", record)
    try:
        text = chat.text("/今日值班", as_="sunqi")
    finally:
        event.remove(chat.runtime.engine, "before_cursor_execute", record)
    assert "「技术」@张三（已签到 09:00）" in text and "「产品」@赵六（未签到）" in text
    # (warm, one statement reads the people, their identities and sign-ins: test_who_now.py)
    sign_ins = [s for s in seen if "duty_sign_in" in s]
    identities_apart = [s for s in seen if "FROM platform_identity" in s]
    assert len(sign_ins) == 1
    assert identities_apart == []
