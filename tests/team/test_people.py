"""People rules: adding, naming, 称呼 defaults, roles and the last-admin guard, deactivation
(rotations and re-routed notices), reactivation and merging (demo workspace: admin 王管理 is the
only admin, 李华 a lead; 技术 张三→李四→王五; Monday 2026-06-01 09:00 in Shanghai)."""

from __future__ import annotations

from datetime import date

import pytest
from sqlalchemy import select

from teamassist.chat import notify
from teamassist.chat.render import to_plain
from teamassist.chat.types import Reply
from teamassist.database import transaction
from teamassist.duty import service as duty_service
from teamassist.enums import Platform, Role
from teamassist.exceptions import Conflict, DomainError, NotFound
from teamassist.i18n import t
from teamassist.outbox.models import OutboxMessage
from teamassist.runtime import Runtime
from teamassist.team import people
from teamassist.team import service as team_service
from teamassist.team.models import Channel, LocalAccount, PlatformIdentity, Team, TeamMembership
from tests.duty.helpers import at_local
from tests.team.support import demo, other_workspace

NOW = at_local(date(2026, 6, 1), 9)


@pytest.fixture
def rt(demo_runtime: Runtime) -> Runtime:
    return demo_runtime


# -- 称呼 ----------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("name", "director", "expected"),
    [
        ("张三", True, "张总"),
        ("欧阳娜娜", True, "欧阳总"),
        ("司马懿", True, "司马总"),
        ("诸葛亮", True, "诸葛总"),
        ("上官婉儿", True, "上官总"),
        ("王五", True, "王总"),
        ("Alice Chen", True, "Alice Chen"),
        ("张三", False, "张三"),
        ("欧阳娜娜", False, "欧阳娜娜"),
    ],
)
def test_default_address(name: str, director: bool, expected: str) -> None:
    assert people.default_address(name, director=director) == expected


def test_addressed_as_uses_the_stored_value_else_the_director_default(rt: Runtime) -> None:
    with transaction(rt.factory) as session:
        d = demo(session)
        lihua = d["lihua"]
        assert people.addressed_as(lihua, d.team) == "李华"
        d.team.director_id = lihua.id
        assert people.addressed_as(lihua, d.team) == "李总"
        people.set_address_as(session, member=lihua, address_as=" 华总 ")
        assert people.addressed_as(lihua, d.team) == "华总"
        people.set_address_as(session, member=lihua, address_as="")
        assert lihua.address_as is None
        assert people.addressed_as(lihua, d.team) == "李总"


# -- adding and naming -----------------------------------------------------------------------------


def test_add_member_with_a_role(rt: Runtime) -> None:
    with transaction(rt.factory) as session:
        d = demo(session)
        bob = people.add_member(
            session,
            workspace=d.workspace,
            team=d.team,
            handle="bob",
            display_name="鲍勃",
            role=Role.LEAD,
            address_as="鲍总",
        )
        assert team_service.role_of(session, team=d.team, member=bob) is Role.LEAD
        assert (bob.handle, bob.display_name, bob.address_as, bob.active) == (
            "bob",
            "鲍勃",
            "鲍总",
            True,
        )


@pytest.mark.parametrize(
    ("handle", "name", "key", "status"),
    [
        ("ZhangSan", "另一个张三", "people.error.handle_taken", 409),
        ("a b", "名字", "people.error.bad_handle", 422),
        ("a@b", "名字", "people.error.bad_handle", 422),
        ("x" * 65, "名字", "people.error.bad_handle", 422),
        ("newbie", "   ", "people.error.empty_name", 422),
        ("newbie", "名" * 201, "people.error.name_too_long", 422),
    ],
)
def test_add_member_refusals_change_nothing(
    rt: Runtime, handle: str, name: str, key: str, status: int
) -> None:
    with transaction(rt.factory) as session:
        d = demo(session)
        before = len(team_service.get_members(session, workspace_id=d.workspace.id))
        with pytest.raises(DomainError) as refused:
            people.add_member(
                session, workspace=d.workspace, team=d.team, handle=handle, display_name=name
            )
        assert (refused.value.key, refused.value.status_code) == (key, status)
        assert refused.value.message()  # a catalogue sentence, not a key
        assert len(team_service.get_members(session, workspace_id=d.workspace.id)) == before


def test_rename_handle_and_display_name(rt: Runtime) -> None:
    with transaction(rt.factory) as session:
        d = demo(session)
        people.rename_handle(session, member=d["zhangsan"], handle="zs", now=NOW)
        people.set_display_name(session, member=d["zhangsan"], display_name="张三丰", now=NOW)
        with pytest.raises(Conflict) as taken:
            people.rename_handle(session, member=d["lisi"], handle="ZS", now=NOW)
        assert taken.value.key == "people.error.handle_taken"
        # renaming to one's own handle (another case) is fine
        people.rename_handle(session, member=d["zhangsan"], handle="ZS", now=NOW)
    with rt.factory() as session:
        d = demo(session)
        assert d["ZS"].display_name == "张三丰"
        assert d["lisi"].handle == "lisi"


def test_a_full_width_handle_is_the_same_handle(rt: Runtime) -> None:
    """/添加成员 @ＮＥＷ stored ＮＥＷ beside a possible NEW: two accounts that look alike
    (breaker). Handles are kept in NFKC form and found regardless of width."""
    with transaction(rt.factory) as session:
        d = demo(session)
        people.rename_handle(session, member=d["zhangsan"], handle="ＺＳ２０２６", now=NOW)
        assert d["zhangsan"].handle == "ZS2026"
        found = team_service.get_member_by_handle(
            session, workspace_id=d["zhangsan"].workspace_id, handle="zs２０２６"
        )
        assert found is d["zhangsan"]
        with pytest.raises(Conflict):
            people.rename_handle(session, member=d["lisi"], handle="ZS2026", now=NOW)


# -- roles and the last admin ----------------------------------------------------------------------


def test_the_last_admin_cannot_be_demoted_removed_or_deactivated(rt: Runtime) -> None:
    with transaction(rt.factory) as session:
        d = demo(session)
        admin = d["admin"]
        for attempt in (
            lambda: people.change_role(session, team=d.team, member=admin, role=Role.MEMBER),
            lambda: people.change_role(session, team=d.team, member=admin, role=Role.LEAD),
            lambda: people.remove_from_team(session, team=d.team, member=admin),
            lambda: people.deactivate(session, member=admin, now=NOW),
        ):
            with pytest.raises(Conflict) as refused:
                attempt()
            assert refused.value.key == "people.error.last_admin"
            assert "最后一位管理员" in refused.value.message()
        assert team_service.role_of(session, team=d.team, member=admin) is Role.ADMIN
        assert admin.active


def test_with_a_second_admin_the_first_may_step_down(rt: Runtime) -> None:
    with transaction(rt.factory) as session:
        d = demo(session)
        people.change_role(session, team=d.team, member=d["lihua"], role=Role.ADMIN)
        people.change_role(session, team=d.team, member=d["admin"], role=Role.MEMBER)
        assert [m.handle for m in people.active_admins(session, team=d.team)] == ["lihua"]
        # and now 李华 is the last one
        with pytest.raises(Conflict):
            people.change_role(session, team=d.team, member=d["lihua"], role=Role.MEMBER)


def test_an_inactive_admin_does_not_count(rt: Runtime) -> None:
    with transaction(rt.factory) as session:
        d = demo(session)
        people.change_role(session, team=d.team, member=d["lihua"], role=Role.ADMIN)
        people.deactivate(session, member=d["lihua"], now=NOW)
        with pytest.raises(Conflict):
            people.change_role(session, team=d.team, member=d["admin"], role=Role.MEMBER)


def test_role_of_someone_outside_the_team_is_not_found(rt: Runtime) -> None:
    with transaction(rt.factory) as session:
        d = demo(session)
        sub = team_service.create_team(
            session, workspace=d.workspace, key="sub", name="子团队", timezone="Asia/Shanghai"
        )
        with pytest.raises(NotFound) as refused:
            people.change_role(session, team=sub, member=d["zhangsan"], role=Role.LEAD)
        assert refused.value.key == "people.error.not_in_team"


# -- deactivation ----------------------------------------------------------------------------------


def _tech_day(rt: Runtime, day: date) -> list[str]:
    with rt.factory() as session:
        d = demo(session)
        view = duty_service.roster(session, team=d.team, first=day, days=1, now=rt.clock())
        names = {m.id: m.handle for m in d.people.values()}
        rotation = duty_service.get_rotation(session, team=d.team, name="tech")
        cells = {r.id: shifts for r, shifts in view.days[0].cells}
        return [names[i] for s in cells[rotation.id] for i in s.member_ids]


def test_deactivate_from_a_date_leaves_rotations_from_that_day(rt: Runtime) -> None:
    assert _tech_day(rt, date(2026, 6, 2)) == ["lisi"]
    with transaction(rt.factory) as session:
        d = demo(session)
        lisi = d["lisi"]
        people.deactivate(
            session, member=lisi, now=NOW, at=at_local(date(2026, 6, 5), 0), by=d["admin"]
        )
        assert lisi.active is True  # here until 06-05
        assert lisi.deactivated_at == at_local(date(2026, 6, 5), 0)
    # history and the days before stay: 李四 still has 06-02; from 06-05 on he is gone
    assert _tech_day(rt, date(2026, 6, 2)) == ["lisi"]
    later = [_tech_day(rt, date(2026, 6, d))[0] for d in range(5, 12)]
    assert "lisi" not in later and set(later) == {"zhangsan", "wangwu"}
    with rt.factory() as session:
        d = demo(session)
        rotation = duty_service.get_rotation(session, team=d.team, name="tech")
        last = duty_service.versions(session, rotation=rotation)[-1]
        assert (last.change, last.note) == ("leave", str(d["lisi"].id))
        assert last.effective_at == at_local(date(2026, 6, 5), 3)  # the 03:00 hand-off


def test_deactivating_todays_person_on_duty_keeps_todays_shift(rt: Runtime) -> None:
    with transaction(rt.factory) as session:
        d = demo(session)
        people.deactivate(session, member=d["zhangsan"], now=NOW)
    # the rotation keeps today's shift as it was (leaving from the next duty day) ...
    with rt.factory() as session:
        d = demo(session)
        days = duty_service.duty_day(session, team=d.team, day=date(2026, 6, 1))
        tech = next(day for day in days if day.rotation.key == "tech")
        assert tech.people == (d["zhangsan"].id,)
    # ... but like /今日值班 the roster view no longer shows them on it (session 13)
    assert _tech_day(rt, date(2026, 6, 1)) == []
    assert "zhangsan" not in [_tech_day(rt, date(2026, 6, d))[0] for d in range(2, 9)]


def test_a_day_in_the_past_is_refused_and_earlier_today_means_now(rt: Runtime) -> None:
    with transaction(rt.factory) as session:
        d = demo(session)
        with pytest.raises(people.Invalid) as refused:
            people.deactivate(
                session, member=d["wangwu"], now=NOW, at=at_local(date(2026, 5, 1), 0)
            )
        assert refused.value.key == "people.error.deactivate_past"
        assert d["wangwu"].deactivated_at is None and d["wangwu"].active
        people.deactivate(session, member=d["wangwu"], now=NOW, at=at_local(date(2026, 6, 1), 0))
        assert d["wangwu"].deactivated_at == NOW and not d["wangwu"].active


def test_deactivation_reroutes_pending_direct_notices_to_the_duty_channel(rt: Runtime) -> None:
    with transaction(rt.factory) as session:
        d = demo(session)
        notify.to_member(
            session, member=d["wangwu"], reply=Reply(body="请处理反馈 #7"), key="test:1", now=NOW
        )
        people.deactivate(session, member=d["wangwu"], now=NOW)
    with rt.factory() as session:
        [row] = session.scalars(select(OutboxMessage)).all()
        channel = session.get(Channel, row.channel_id)
        assert channel is not None and (channel.purpose, row.address) == ("internal", "duty-room")
        text = to_plain(Reply.model_validate(row.payload))
        assert "请处理反馈 #7" in text
        assert t("people.rerouted_note", name="王五") in text


def test_a_notice_for_someone_already_deactivated_goes_to_the_duty_channel(
    rt: Runtime,
) -> None:
    """ "No longer routed to": a direct notice queued after deactivation is re-routed too."""
    with transaction(rt.factory) as session:
        d = demo(session)
        people.deactivate(session, member=d["wangwu"], now=NOW)
        notify.to_member(
            session, member=d["wangwu"], reply=Reply(body="请处理反馈 #9"), key="test:3", now=NOW
        )
    with rt.factory() as session:
        [row] = session.scalars(select(OutboxMessage)).all()
        channel = session.get(Channel, row.channel_id)
        assert channel is not None and (channel.purpose, row.address) == ("internal", "duty-room")
        text = to_plain(Reply.model_validate(row.payload))
        assert "请处理反馈 #9" in text and t("people.rerouted_note", name="王五") in text


def test_without_a_duty_channel_the_admins_get_them(rt: Runtime) -> None:
    with transaction(rt.factory) as session:
        d = demo(session)
        for channel in session.scalars(select(Channel)):
            channel.enabled = False
        people.change_role(session, team=d.team, member=d["lihua"], role=Role.ADMIN)
        notify.to_member(
            session, member=d["wangwu"], reply=Reply(body="请处理反馈 #8"), key="test:2", now=NOW
        )
        people.deactivate(session, member=d["wangwu"], now=NOW)
        admins = {f"member:{d['admin'].id}", f"member:{d['lihua'].id}"}
    with rt.factory() as session:
        rows = session.scalars(select(OutboxMessage)).all()
        assert {r.address for r in rows} == admins
        assert all("请处理反馈 #8" in to_plain(Reply.model_validate(r.payload)) for r in rows)


def test_reactivate(rt: Runtime) -> None:
    with transaction(rt.factory) as session:
        d = demo(session)
        with pytest.raises(Conflict) as refused:
            people.reactivate(session, member=d["wangwu"], now=NOW)
        assert refused.value.key == "people.error.already_active"
        people.deactivate(session, member=d["wangwu"], now=NOW)
        with pytest.raises(Conflict) as twice:
            people.deactivate(session, member=d["wangwu"], now=NOW)
        assert twice.value.key == "people.error.already_inactive"
        people.reactivate(session, member=d["wangwu"], now=NOW)
        assert d["wangwu"].active and d["wangwu"].deactivated_at is None


# -- merging ---------------------------------------------------------------------------------------


def test_merge_moves_identities_memberships_and_accounts(rt: Runtime) -> None:
    with transaction(rt.factory) as session:
        d = demo(session)
        sub = team_service.create_team(
            session, workspace=d.workspace, key="qq", name="QQ 群", timezone="Asia/Shanghai"
        )
        twin = team_service.create_member(
            session,
            workspace=d.workspace,
            handle="zs-qq",
            display_name="张三（QQ）",
            team=sub,
            role=Role.ADMIN,
        )
        team_service.set_role(session, team=d.team, member=twin, role=Role.LEAD)
        team_service.add_identity(
            session, member=twin, platform=Platform.QQ.value, tenant_key="g1", user_key="u-9"
        )
        session.add(LocalAccount(username="zsqq", password_hash="x", member_id=twin.id))
        session.flush()
        people.merge(session, into=d["zhangsan"], source=twin, now=NOW, by=None)
        zhangsan_id, twin_id = d["zhangsan"].id, twin.id
    with rt.factory() as session:
        d = demo(session)
        twin = d["zs-qq"]
        identity = session.scalar(
            select(PlatformIdentity).where(PlatformIdentity.user_key == "u-9")
        )
        assert identity is not None and identity.member_id == zhangsan_id
        assert (twin.merged_into_id, twin.active) == (zhangsan_id, False)
        rows = {
            r.team_id: r.role
            for r in session.scalars(
                select(TeamMembership).where(TeamMembership.member_id.in_([zhangsan_id, twin_id]))
            )
        }
        qq_team = session.scalar(select(Team).where(Team.key == "qq"))
        assert qq_team is not None
        # the higher of the two roles in a shared team; the twin's own team moves over
        assert rows == {d.team.id: "lead", qq_team.id: "admin"}
        account = session.scalar(select(LocalAccount).where(LocalAccount.username == "zsqq"))
        assert account is not None and account.member_id == zhangsan_id
        # a mention of the QQ id now finds 张三
        found = team_service.get_member_by_identity(
            session, workspace=d.workspace, platform="qq", tenant_key="g1", user_key="u-9"
        )
        assert found is not None and found.id == zhangsan_id


def test_merge_refusals(rt: Runtime) -> None:
    with transaction(rt.factory) as session:
        d = demo(session)
        _ws, _team, outsider = other_workspace(session)
        with pytest.raises(people.Invalid) as itself:
            people.merge(session, into=d["lisi"], source=d["lisi"], now=NOW, by=None)
        assert itself.value.key == "people.error.merge_self"
        with pytest.raises(people.Invalid) as across:
            people.merge(session, into=d["lisi"], source=outsider, now=NOW, by=None)
        assert across.value.key == "people.error.merge_workspace"
        assert outsider.merged_into_id is None and outsider.active
        people.merge(session, into=d["lisi"], source=d["wangwu"], now=NOW, by=None)
        with pytest.raises(Conflict) as again:
            people.merge(session, into=d["zhangsan"], source=d["wangwu"], now=NOW, by=None)
        assert again.value.key == "people.error.merged"
