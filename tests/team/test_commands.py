"""People and organisation in chat, through the dispatcher (demo: admin 王管理 is the only
admin, 李华 a lead, 张三… members; Monday 2026-06-01 09:00 in Shanghai)."""

from __future__ import annotations

import pytest
from sqlalchemy import func, select

from teamassist.enums import Platform, Role
from teamassist.team import service as team_service
from teamassist.team.models import Member
from tests.support.chat import ChatDriver
from tests.team.support import demo


@pytest.fixture
def chat(sqlite_chat: ChatDriver) -> ChatDriver:
    return sqlite_chat


def _member(chat: ChatDriver, handle: str) -> tuple[bool, str, str | None, Role | None]:
    with chat.runtime.factory() as session:
        d = demo(session)
        m = d[handle]
        role = team_service.role_of(session, team=d.team, member=m)
        return m.active, m.display_name, m.address_as, role


def test_help_lists_the_people_commands_for_admins(chat: ChatDriver) -> None:
    text = chat.text("/帮助", as_="admin")
    for word in (
        "/成员列表",
        "/添加成员",
        "/设置角色",
        "/设置称呼",
        "/停用成员",
        "/合并成员",
        "/设置上级",
        "/任命负责人",
        "/组织架构",
    ):
        assert word in text


def test_member_list_and_org_tree_for_everyone(chat: ChatDriver) -> None:
    listed = chat.text("/成员列表", as_="zhangsan")
    assert "王管理（admin）· 管理员" in listed and "李华（lihua）· 主管" in listed
    assert chat.text("/members", as_="zhangsan") == listed
    tree = chat.text("/组织架构", as_="zhangsan")
    assert "「开发者社区」负责人：无" in tree and "张三（成员）" in tree


def test_members_cannot_change_people(chat: ChatDriver) -> None:
    refused = chat.text("/设置角色 @lisi 管理员", as_="zhangsan")
    assert "/设置角色 只有本团队的管理员可以使用" in refused, refused
    assert _member(chat, "lisi")[3] is Role.MEMBER


def test_add_member_with_role_and_name(chat: ChatDriver) -> None:
    text = chat.text("/添加成员 @bob 管理员 鲍勃", as_="admin")
    assert "已把 鲍勃（bob）加入「开发者社区」，角色：管理员" in text
    assert _member(chat, "bob") == (True, "鲍勃", None, Role.ADMIN)
    again = chat.text("/添加成员 @bob", as_="admin")
    assert "鲍勃（bob）已经在「开发者社区」里了，这次没有改动" in again, again
    plain = chat.text("/member-add carol", as_="admin")
    assert "carol（carol）" in plain and _member(chat, "carol")[3] is Role.MEMBER


def test_add_member_by_platform_mention_links_the_identity(chat: ChatDriver) -> None:
    text = chat.text(
        "/添加成员 <@!qq-777> 成员 小七",
        as_="admin",
        platform=Platform.QQ,
        tenant_key="guild-1",
        platform_admin=True,
    )
    assert "小七" in text
    with chat.runtime.factory() as session:
        d = demo(session)
        found = team_service.get_member_by_identity(
            session, workspace=d.workspace, platform="qq", tenant_key="guild-1", user_key="qq-777"
        )
        assert found is not None and found.display_name == "小七"


def test_set_role_and_the_last_admin_guard(chat: ChatDriver) -> None:
    assert "设为主管" in chat.text("/设置角色 @zhangsan 主管", as_="admin")
    assert _member(chat, "zhangsan")[3] is Role.LEAD
    assert "设为成员" in chat.text("/set-role @zhangsan member", as_="admin")
    refused = chat.text("/设置角色 @admin 成员", as_="admin")
    assert "最后一位管理员" in refused
    assert _member(chat, "admin")[3] is Role.ADMIN
    bad = chat.text("/设置角色 @lisi 老板", as_="admin")
    assert "角色「老板」无效" in bad


def test_address_rename_deactivate_activate(chat: ChatDriver) -> None:
    assert "称呼 @李华 为「华总」" in chat.text("/设置称呼 @lihua 华总", as_="admin")
    assert _member(chat, "lihua")[2] == "华总"
    assert "默认称呼「李华」" in chat.text("/设置称呼 @lihua", as_="admin")
    # tester F7 (session 21): the mark after the mention was stored as part of the 称呼
    for typed in ("/设置称呼 @李华：华姐", "/设置称呼 @李华 ：华姐", "/设置称呼 @李华，华姐"):
        assert "称呼 @李华 为「华姐」" in chat.text(typed, as_="admin"), typed
        assert _member(chat, "lihua")[2] == "华姐"
    assert "默认称呼「李华」" in chat.text("/设置称呼 @lihua ：", as_="admin")
    # s23 report 2 F9: another's name or handle made @李四 ambiguous or reach someone else
    refused = chat.text("/改名 @孙七 李四", as_="admin")
    assert refused == (
        "「李四」已经是 @lisi 的名字：改名后 @李四 会分不清是谁，这次没有改名。"
        "请换一个能区分的名字，例如「李四2」。"
    ), refused
    refused = chat.text("/改名 @sunqi wangwu", as_="admin")
    assert refused.startswith("「wangwu」是 王五 的账号名（@wangwu）"), refused
    assert _member(chat, "sunqi")[1] == "孙七"
    assert "已把 孙七 改名为「孙七」" in chat.text("/改名 @sunqi 孙七", as_="admin")  # own name
    assert "已把 王五 改名为「王小五」" in chat.text("/改名 @wangwu 王小五", as_="admin")
    text = chat.text("/停用成员 @wangwu 2026-06-05", as_="admin")
    # leaving on a date: still here until then, and the reply says so
    assert text.startswith("王小五 将于 2026-06-05 停用。在此之前 TA 照常在职")
    assert not chat.text("/我是谁", as_="wangwu").startswith("你的账号已停用")
    assert _member(chat, "wangwu")[0] is True
    assert "已取消 王小五 的停用" in chat.text("/启用成员 @wangwu", as_="admin")
    chat.text("/停用成员 @wangwu", as_="admin")
    assert chat.text("/我是谁", as_="wangwu").startswith("你的账号已停用")
    assert _member(chat, "wangwu")[0] is False
    assert "「王小五」已经停用了" in chat.text("/停用成员 @wangwu", as_="admin")
    assert "已重新启用 王小五" in chat.text("/启用成员 @wangwu", as_="admin")
    assert _member(chat, "wangwu")[0] is True
    # "now" reads as one phrase, with no spaces around 现在 (the date form keeps its spaces)
    assert chat.text("/停用成员 @wangwu", as_="admin").startswith(
        "已停用 王小五，从现在起不再给 TA 派活"
    )


def test_merge_and_manager_and_director(chat: ChatDriver) -> None:
    chat.text("/添加成员 @zs2 成员 张三二号", as_="admin")
    assert "已把 张三二号 合并到 张三" in chat.text("/合并成员 @zhangsan @zs2", as_="admin")
    assert "不能把「张三」合并到 TA 自己" in chat.text("/merge @zhangsan @zhangsan", as_="admin")
    assert "张三 的上级是 李华" in chat.text("/设置上级 @zhangsan @lihua", as_="admin")
    assert "会形成循环" in chat.text("/设置上级 @lihua @zhangsan", as_="admin")
    assert "只能任命" in chat.text("/任命负责人 @zhangsan", as_="admin")
    assert "不能自己任命自己" in chat.text("/任命负责人 @admin", as_="admin")
    assert "已任命 李华 为「开发者社区」的负责人" in chat.text("/任命负责人 @lihua", as_="admin")
    tree = chat.text("/组织架构", as_="lisi")
    assert "负责人：李华" in tree and "张三（成员） → 上级 李华" in tree
    assert "已撤销「开发者社区」的负责人" in chat.text("/撤销负责人", as_="admin")


def test_feishu_director_grant_queues_the_card(chat: ChatDriver) -> None:
    with chat.runtime.factory() as session:
        d = demo(session)
        team_service.add_identity(session, member=d["lihua"], platform="feishu", user_key="ou_lh")
        session.commit()
    text = chat.text("/任命负责人 @lihua", as_="admin")
    assert "欢迎卡片已私信发给 TA" in text
    assert any(
        t.startswith("OKR助理 邀您激活团队OKR管理") or "李总，您好" in t
        for t in chat.queued_texts("ou_lh")
    )
    assert "欢迎卡片" not in chat.text("/任命负责人 @lihua", as_="admin")
    assert len(chat.queued_texts("ou_lh")) == 1


def test_a_display_name_mention_resolves(chat: ChatDriver) -> None:
    assert "华总" in chat.text("/设置称呼 @李华 华总", as_="admin")
    assert _member(chat, "lihua")[2] == "华总"


def test_the_lead_role_and_the_director_have_a_word_each(chat: ChatDriver) -> None:
    """Tester T2-F7 (session 21): 「负责人」 named the lead role and the director, so the org
    chart said 「负责人：无」 beside 「李华（负责人）」. The role is 主管; 负责人 is the director,
    appointed with /任命负责人, and no role a command takes."""
    org = chat.text("/组织架构", as_="admin")
    assert "负责人：无" in org and "李华（主管）" in org and "（负责人）" not in org, org
    for typed in ("/设置角色 @zhangsan 负责人", "/添加成员 @newbie 负责人"):
        refused = chat.text(typed, as_="admin")
        assert "「负责人」不是角色：团队负责人请用 /任命负责人" in refused, refused
    assert _member(chat, "zhangsan")[3] is Role.MEMBER
    assert "设为主管" in chat.text("/设置角色 @zhangsan 组长", as_="admin")
    assert "只能是 管理员、主管 或 成员" in chat.text("/设置角色 @zhangsan 老大", as_="admin")
    # and the help offers the words the commands take (s23 report 2 F1: it offered 负责人)
    assert "/设置角色 @成员 管理员|主管|成员" in chat.text("/帮助 设置角色", as_="admin")
    assert "角色：管理员、主管、成员" in chat.text("/帮助 添加成员", as_="admin")


@pytest.mark.parametrize(
    "word",
    ["0", "-1", "#1", "1.5", "1e9", "9999-99-99", "2147483648", "%s%s%n", "１２", "技术 @bob"],
)
def test_a_bare_word_that_is_no_handle_adds_nobody(chat: ChatDriver, word: str) -> None:
    """Tester s27 A-5: /添加成员 without @ made accounts named 0, -1, #1, 1e9, 9999-99-99…;
    「/添加成员 技术 @bob」 an account 技术 named "@bob"."""
    with chat.runtime.factory() as session:
        before = session.scalar(select(func.count()).select_from(Member))
    reply = chat.text(f"/添加成员 {word}", as_="admin")
    assert "不像一个账号" in reply and "/添加成员 @账号" in reply, reply
    with chat.runtime.factory() as session:
        assert session.scalar(select(func.count()).select_from(Member)) == before
    # with the @ it is the admin's explicit choice of handle
    assert "已把" in chat.text("/添加成员 @dave2 成员 戴夫", as_="admin")
