"""QQ has no forms (and keyboards need an approved template): `/进展 KR-1` without a value
answers in markdown with the last value, the command to reply with and the "no change" one."""

from __future__ import annotations

from tests.platforms.fakes import qq as fakeqq
from tests.platforms.qq.conftest import QQHarness


def _say(qq: QQHarness, n: int, text: str) -> str:
    qq.post(fakeqq.guild_at_message(event_id=f"e{n}", message_id=f"m{n}", text=text))
    qq.deliver()
    replies = {
        c.body["msg_id"]: c.body["markdown"]["content"]
        for c in qq.fake.messages("/channels/ch-public/messages")
    }
    return str(replies[f"m{n}"])


def test_qq_check_in_prompt_is_markdown_with_the_exact_commands(qq: QQHarness) -> None:
    _say(qq, 1, "/新建目标 提升交付质量")
    _say(qq, 2, "/新建KR O-1 线上缺陷数 起始 50 目标 10 单位 个 权重 100")
    _say(qq, 3, "/进展 KR-1 30 信心 7")
    prompt = _say(qq, 4, "/进展 KR-1")
    assert "**登记进展 · KR-1 线上缺陷数**" in prompt
    assert "O-1「提升交付质量」的关键结果，起始 50 → 目标 10个。" in prompt
    assert "上次登记：30个（6月1日），信心 7/10。" in prompt
    assert "- `/进展 KR-1 <进展值> 信心 <信心> <说明>` 登记" in prompt
    assert "- `/进展 KR-1 30 信心 7 无变化` 无变化 / no change" in prompt
    # Replying with the no-change command records the same value again.
    assert "已登记 KR-1" in _say(qq, 5, "/进展 KR-1 30 信心 7 无变化")
