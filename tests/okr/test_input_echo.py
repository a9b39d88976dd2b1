"""Issue 11, found by a fresh tester: small parsing faults. A full-width digit in a short id is
read (``KR-１``); an unknown id or cycle is echoed as written, never truncated or renumbered;
a cycle year outside 2000–2100 is refused clearly; a deactivation date more than a year ahead is
refused, and a past one is said to mean now."""

from __future__ import annotations

import pytest
from sqlalchemy import select

from teamassist.exceptions import Invalid
from teamassist.okr import cycles
from teamassist.team.models import Member
from tests.okr.support import set_clock
from tests.support.chat import ChatDriver


@pytest.fixture
def okr_chat(sqlite_chat: ChatDriver) -> ChatDriver:
    set_clock(sqlite_chat.runtime, "2026-11-16 09:00")
    return sqlite_chat


def _one_kr(chat: ChatDriver) -> None:
    assert "O-1" in chat.text("/新建目标 提升交付质量", as_="zhangsan")
    reply = chat.text("/新建KR O-1 线上缺陷数 起始 50 目标 10 单位 个 权重 50%", as_="zhangsan")
    assert "KR-1" in reply
    assert "KR-2" in chat.text(
        "/新建KR O-1 营收 起始 100 目标 200 单位 万元 权重 50%", as_="zhangsan"
    )
    assert "已发布" in chat.text("/发布OKR", as_="zhangsan")


@pytest.mark.parametrize("ref", ["KR-１", "ＫＲ－１", "kr１"])
def test_a_full_width_short_id_is_read(okr_chat: ChatDriver, ref: str) -> None:
    _one_kr(okr_chat)
    reply = okr_chat.text(f"/进展 {ref} 30", as_="zhangsan")
    assert "KR-1「线上缺陷数」：30个，进展 50%" in reply


@pytest.mark.parametrize(
    "ref", ["KR-12345678901234567890", "KR-1234567890", "KR-000999", "O-99999999999"]
)
def test_an_unknown_id_is_echoed_as_written(okr_chat: ChatDriver, ref: str) -> None:
    _one_kr(okr_chat)
    command = "/进展" if ref.startswith("KR") else "/新建KR"
    reply = okr_chat.text(f"{command} {ref} 30", as_="zhangsan")
    assert f"找不到{'关键结果' if ref.startswith('KR') else '目标'} {ref}" in reply, reply


@pytest.mark.parametrize("key", ["0000Q1", "1999", "2101H1", "９９９９Q1"])
def test_a_cycle_year_out_of_range_is_refused_and_echoed(okr_chat: ChatDriver, key: str) -> None:
    year = key[:4].translate({0xFF10 + i: ord("0") + i for i in range(10)})
    expected = f"「{key}」的年份 {year} 不在 2000–2100 之间，请写成 2026Q4 这样的周期。"
    assert okr_chat.text(f"/关闭周期 {key}", as_="admin") == expected
    with pytest.raises(Invalid) as refused:
        cycles.parse_key(key)
    assert refused.value.message() == expected


def test_a_bad_cycle_index_is_echoed_as_written(okr_chat: ChatDriver) -> None:
    reply = okr_chat.text("/关闭周期 2026Q07", as_="admin")
    assert reply.startswith("「2026Q07」不是有效的周期")


def test_a_deactivation_date_beyond_a_year_is_refused(sqlite_chat: ChatDriver) -> None:
    # the demo's clock: Monday 2026-06-01 in Shanghai
    reply = sqlite_chat.text("/停用成员 @wangwu 9999-12-31", as_="admin")
    assert reply == "停用日期 9999-12-31 太远了：最晚 2027-06-02（一年以内）。这次没有改动。"
    reply = sqlite_chat.text("/停用成员 @wangwu 2027-07-01", as_="admin")
    assert reply.startswith("停用日期 2027-07-01 太远了")
    with sqlite_chat.runtime.factory() as session:
        wangwu = session.scalar(select(Member).where(Member.handle == "wangwu"))
        assert wangwu is not None and wangwu.active and wangwu.deactivated_at is None
    assert "从 2027-05-01 起" in sqlite_chat.text("/停用成员 @wangwu 2027-05-01", as_="admin")


def test_a_past_deactivation_date_is_refused_not_read_as_now(sqlite_chat: ChatDriver) -> None:
    """A past date used to deactivate at once ("按现在停用"); a mistyped year did that to
    someone still working (session 14 tester), so it is refused now, nothing changed."""
    reply = sqlite_chat.text("/停用成员 @wangwu 2026-05-01", as_="admin")
    assert reply.startswith("停用日期 2026-05-01 已经过去了（今天是 2026-06-01）"), reply
    assert "这次没有改动" in reply
    with sqlite_chat.runtime.factory() as session:
        wangwu = session.scalar(select(Member).where(Member.handle == "wangwu"))
        assert wangwu is not None and wangwu.active and wangwu.deactivated_at is None


def test_new_objective_names_one_length_limit(okr_chat: ChatDriver) -> None:
    """Tester s26 B-25: 7000 characters were refused as 「最多 2000 字」, then 1000 (trimmed as
    told) as 「标题最长 500 个字」. Both replies name the title's limit, 500."""
    reply = okr_chat.text("/新建目标 " + "长" * 7000, as_="zhangsan")
    assert reply.startswith("内容太长了（7000 字），最多 500 字，请精简后再发。\n"), reply
    reply = okr_chat.text("/新建目标 " + "长" * 600, as_="zhangsan")
    assert reply == "标题有 600 个字，最长 500 个字，请精简后再发。", reply
    # the limit is the title's: a title of 500 with its keywords and people is taken
    reply = okr_chat.text(
        "/新建目标 " + "长" * 500 + " 类型 挑战型 周期 2027Q1 负责人 @张三", as_="zhangsan"
    )
    assert reply.startswith("已创建目标 O-1"), reply[:80]
