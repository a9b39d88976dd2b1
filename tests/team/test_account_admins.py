"""A platform's group admins act as admins of the bound team, the default team when the group
names none, whoever the platform makes admin later; one demoted the workspace's owner with
/设置角色 and nobody could restore him without another admin (tester s27 A-7). An admin of the
default team who has a dashboard account is demoted, removed or deactivated only by someone who
has one too (or the operator: the root token, ``teamassist member role``). Ordinary commands
keep the platform's admins."""

from __future__ import annotations

import hashlib

import pytest
from fastapi.testclient import TestClient

from teamassist.database import transaction
from teamassist.enums import Role
from teamassist.exceptions import PermissionDenied
from teamassist.team import people
from teamassist.team import service as team_service
from teamassist.team.token_models import PersonalToken
from teamassist.web.app import create_app
from tests.support.chat import ChatDriver
from tests.support.web import give_account
from tests.team.support import Demo, demo, second_team

REFUSED = (
    "「王管理」是「开发者社区」的管理员，有网页后台账号；只有同样有后台账号的管理员才能给 TA 降级、"
    "把 TA 移出或停用（运维也可以在服务器上用 teamassist member role 恢复角色）。这次没有改动。"
)


@pytest.fixture
def desk(sqlite_chat: ChatDriver) -> ChatDriver:
    """The demo's admin (with a dashboard account) and two admins of the default team who came
    from a QQ group (no account)."""
    give_account(sqlite_chat.runtime, "admin")
    with transaction(sqlite_chat.runtime.factory) as session:
        d = demo(session)
        for handle in ("qq-x5", "qq-x6"):
            team_service.create_member(
                session, workspace=d.workspace, handle=handle, display_name=handle,
                team=d.team, role=Role.ADMIN,
            )  # fmt: skip
    return sqlite_chat


def _role(chat: ChatDriver, handle: str) -> Role | None:
    with chat.runtime.factory() as session:
        d = demo(session)
        return team_service.role_of(session, team=d.team, member=d[handle])


def test_a_group_admin_cannot_demote_or_deactivate_an_account_admin(desk: ChatDriver) -> None:
    assert desk.text("/设置角色 @admin 成员", as_="qq-x5") == REFUSED
    assert desk.text("/设置角色 @admin 主管", as_="qq-x5") == REFUSED
    assert desk.text("/停用成员 @admin", as_="qq-x5") == REFUSED
    assert _role(desk, "admin") is Role.ADMIN
    with desk.runtime.factory() as session:
        assert demo(session)["admin"].active


def test_other_admins_keep_what_they_could(desk: ChatDriver) -> None:
    # a group admin still demotes another admin without an account (the seed's behaviour)
    assert "已把" in desk.text("/设置角色 @qq-x6 成员", as_="qq-x5")
    assert _role(desk, "qq-x6") is Role.MEMBER
    # the account holder demotes a group admin
    assert "已把" in desk.text("/设置角色 @qq-x5 成员", as_="admin")
    assert _role(desk, "qq-x5") is Role.MEMBER


def test_an_admin_with_an_account_may_demote_another(desk: ChatDriver) -> None:
    give_account(desk.runtime, "qq-x5")
    assert "已把" in desk.text("/设置角色 @admin 成员", as_="qq-x5")
    assert _role(desk, "admin") is Role.MEMBER


def test_a_group_admin_cannot_merge_an_account_holder_either_way(desk: ChatDriver) -> None:
    """Tester s27 C-3: `/合并成员 @wangwu @admin` by an admin without an account moved the
    owner's dashboard account to him (he then signed in to it); merging the other way round
    would put his platform identities on the owner's member."""
    merge_refused = "「王管理」有网页后台账号：合并会把账号或平台身份转到另一个成员名下"
    for into, source in (("qq-x5", "admin"), ("admin", "qq-x5")):
        reply = desk.text(f"/合并成员 @{into} @{source}", as_="qq-x5")
        assert reply.startswith(merge_refused), reply
    with desk.runtime.factory() as session:
        d = demo(session)
        assert d["admin"].merged_into_id is None and d["qq-x5"].merged_into_id is None
    # between two members without an account, a group admin merges as before
    assert "已把" in desk.text("/合并成员 @qq-x5 @qq-x6", as_="qq-x5")


def test_a_group_admin_cannot_rename_an_account_admin_or_take_his_names(
    desk: ChatDriver,
) -> None:
    """Tester s28 D-4: qqadmin (no account) renamed the owner (/改名 @admin 前老板, PATCH
    handle "oldboss"), then took the handle "admin" and the name 「王管理」 himself: every
    @admin, "as": "admin" and 「王管理」 then reached him."""
    refused = (
        "「王管理」是「开发者社区」的管理员，有网页后台账号；TA 的账号名、名字、称呼和上级"
        "只有同样有后台账号的管理员才能修改。这次没有改动。"
    )
    assert desk.text("/改名 @admin 前老板", as_="qq-x5") == refused
    assert desk.text("/设置上级 @admin @qq-x5", as_="qq-x5") == refused
    # and through REST, with his own token
    raw = "tap_group-admin-d4"
    with transaction(desk.runtime.factory) as session:
        d = demo(session)
        owner = d["admin"].id
        session.add(
            PersonalToken(
                member_id=d["qq-x5"].id,
                token_hash=hashlib.sha256(raw.encode()).hexdigest(),
                name="d4",
                prefix=raw[:8],
                created_at=desk.runtime.clock(),
            )
        )
    with TestClient(create_app(desk.runtime, start_background=False)) as api:
        for body in ({"handle": "oldboss"}, {"display_name": "前老板"}, {"address_as": "老王"}):
            answer = api.patch(
                f"/api/v1/members/{owner}", json=body, headers={"Authorization": f"Bearer {raw}"}
            )
            assert answer.status_code == 403, (body, answer.text)
            assert answer.json() == {"error": "people.error.account_person", "message": refused}
    with desk.runtime.factory() as session:
        d = demo(session)
        assert (d["admin"].handle, d["admin"].display_name) == ("admin", "王管理")
        assert d["admin"].address_as is None
    # while a group admin still renames one without an account, the owner renames himself,
    # and another account holder renames him
    assert "改名为「六号」" in desk.text("/改名 @qq-x6 六号", as_="qq-x5")
    assert "改名为「王老板」" in desk.text("/改名 @admin 王老板", as_="admin")
    give_account(desk.runtime, "qq-x6")
    assert "改名为「王管理」" in desk.text("/改名 @admin 王管理", as_="qq-x6")


def test_a_bound_teams_account_admin_is_out_of_its_group_admins_reach(
    sqlite_chat: ChatDriver,
) -> None:
    """A-7 beyond the default team: a group bound to 第二团队 makes its QQ admins admins of
    第二团队; one of them (no account) demoted, deactivated or renamed its account-holding
    admin boss2. Another account holder and the operator still may."""
    rt = sqlite_chat.runtime
    with transaction(rt.factory) as session:
        team2 = second_team(session)
        d = demo(session)
        team_service.create_member(
            session, workspace=d.workspace, handle="qq-y", display_name="qq-y", team=team2,
            role=Role.ADMIN,
        )  # fmt: skip
    give_account(rt, "boss2")
    refused_role = (
        "「二号老板」是「第二团队」的管理员，有网页后台账号；只有同样有后台账号的管理员才能给 TA "
        "降级、把 TA 移出或停用（运维也可以在服务器上用 teamassist member role 恢复角色）。"
        "这次没有改动。"
    )
    with transaction(rt.factory) as session:
        d = demo(session)
        team2 = team_service.get_team(session, workspace_id=d.workspace.id, team_id=_team2(d))
        with pytest.raises(PermissionDenied) as demoted:
            people.change_role(
                session, team=team2, member=d["boss2"], role=Role.MEMBER, by=d["qq-y"]
            )
        assert demoted.value.message() == refused_role
        with pytest.raises(PermissionDenied) as renamed:
            people.check_may_change_person(session, actor=d["qq-y"], member=d["boss2"])
        assert renamed.value.key == "people.error.account_person"
        assert "「第二团队」的管理员" in renamed.value.message()
        with pytest.raises(PermissionDenied):
            people.deactivate(session, member=d["boss2"], now=rt.clock(), by=d["qq-y"])
    with rt.factory() as session:
        d = demo(session)
        team2 = team_service.get_team(session, workspace_id=d.workspace.id, team_id=_team2(d))
        assert team_service.role_of(session, team=team2, member=d["boss2"]) is Role.ADMIN
        assert d["boss2"].active
    # the operator (by None) and another account holder may
    give_account(rt, "qq-y")
    with transaction(rt.factory) as session:
        d = demo(session)
        team2 = team_service.get_team(session, workspace_id=d.workspace.id, team_id=_team2(d))
        people.check_may_change_person(session, actor=d["qq-y"], member=d["boss2"])
        people.change_role(session, team=team2, member=d["boss2"], role=Role.LEAD, by=d["qq-y"])
        assert team_service.role_of(session, team=team2, member=d["boss2"]) is Role.LEAD


def _team2(d: Demo) -> int:
    return next(t.id for t in team_service.get_teams(d.session, workspace_id=d.workspace.id)
                if t.key == "team2")  # fmt: skip
