"""Names as people read them (tester s28 E-11) and names held after a rename (s28 D-4).

A display name is compared by ``names.name_key``: case, width and every blank aside, so
「王　管理」 (U+3000 inside) beside 「王管理」 is refused as a look-alike. A handle or name someone
gave up by a rename stays theirs for ``people.NAME_HOLD``: the workspace's owner renamed himself
from ``admin`` and a group admin could take ``admin`` the next minute, silently."""

from __future__ import annotations

from datetime import timedelta

import pytest

from teamassist.database import transaction
from teamassist.enums import Role
from teamassist.exceptions import Conflict
from teamassist.runtime import Runtime
from teamassist.team import people
from teamassist.team import service as team_service
from teamassist.team.models import Member
from tests.support.chat import ChatDriver
from tests.support.web import give_account
from tests.team.support import demo


@pytest.mark.parametrize(
    "name",
    ["王\u3000管理", "王 管理", "王\u200b管理", " 王管理\u3000", "王\u2800管理", "王管\u00a0理"],
)
def test_a_name_that_differs_by_blanks_is_the_same_name(demo_runtime: Runtime, name: str) -> None:
    runtime = demo_runtime
    with transaction(runtime.factory) as session:
        d = demo(session)
        with pytest.raises(Conflict) as refused:
            people.set_display_name(
                session, member=d["lisi"], display_name=name, now=runtime.clock()
            )
        assert refused.value.key in {"people.error.name_alike", "people.error.name_taken"}
        assert "@admin" in refused.value.message()
        assert d["lisi"].display_name == "李四"


def test_case_and_width_are_one_name_on_every_backend(demo_runtime: Runtime) -> None:
    """Before, the rule compared the stored text: MariaDB's collation folded case, the other
    backends did not."""
    runtime = demo_runtime
    now = runtime.clock()
    with transaction(runtime.factory) as session:
        d = demo(session)
        people.set_display_name(session, member=d["lisi"], display_name="Bob Li", now=now)
        for name in ("BOB LI", "ｂｏｂ ｌｉ", "bobli"):
            with pytest.raises(Conflict) as refused:
                people.set_display_name(session, member=d["zhaoliu"], display_name=name, now=now)
            assert refused.value.key == "people.error.name_alike"
            assert refused.value.message().startswith(f"「{name}」和 @lisi 的名字「Bob Li」")
        # a name that reads as another's handle, blanks aside
        with pytest.raises(Conflict) as handle:
            people.set_display_name(session, member=d["zhaoliu"], display_name="ad min", now=now)
        assert handle.value.key == "people.error.name_is_a_handle"


def test_adding_someone_under_a_look_alike_name_is_refused(sqlite_chat: ChatDriver) -> None:
    reply = sqlite_chat.text("/添加成员 @wang2 成员 王\u3000管理", as_="admin")
    assert "只差大小写、全角半角或空格" in reply and "这次没有添加" in reply, reply
    with sqlite_chat.runtime.factory() as session:
        assert "wang2" not in demo(session).people


def test_a_name_given_up_is_held_for_its_person(sqlite_chat: ChatDriver) -> None:
    """Tester s28 D-4's rest: the owner (a dashboard account) renames himself; a group admin of
    the default team (no account) then takes the old handle or name: refused for 30 days,
    naming whose it was and until when; the owner may take his back at any time."""
    rt = sqlite_chat.runtime
    give_account(rt, "admin")
    with transaction(rt.factory) as session:
        d = demo(session)
        team_service.create_member(
            session, workspace=d.workspace, handle="qq-x5", display_name="qq-x5", team=d.team,
            role=Role.ADMIN,
        )  # fmt: skip
    assert "改名为「王老板」" in sqlite_chat.text("/改名 @admin 王老板", as_="admin")
    held = sqlite_chat.text("/改名 @qq-x5 王管理", as_="qq-x5")
    assert held == (
        "「王管理」是 王老板 改名前用的「王管理」：改名后 30 天内（到 2026-07-01）只留给 TA 本人，"
        "免得大家把别人当成 TA。这次没有改动；请换一个，或 2026-07-01 之后再用。"
    ), held
    # a look-alike of it too, and a handle that reads as it
    assert "只留给 TA 本人" in sqlite_chat.text("/改名 @qq-x5 王 管理", as_="qq-x5")
    now = rt.clock()
    with transaction(rt.factory) as session:
        d = demo(session)
        people.rename_handle(session, member=d["admin"], handle="oldboss", now=now)
    with transaction(rt.factory) as session:
        d = demo(session)
        with pytest.raises(Conflict) as taken:
            people.rename_handle(session, member=d["qq-x5"], handle="ADMIN", now=now)
        assert taken.value.key == "people.error.name_held"
        # nor may a new person be added under it
        with pytest.raises(Conflict) as added:
            people.add_person(
                session, workspace=d.workspace, team=d.team, handle="admin",
                display_name="新人", by=None, now=now,
            )  # fmt: skip
        assert added.value.key == "people.error.name_held"
    with rt.factory() as session:
        d = demo(session)
        assert (d["qq-x5"].handle, d["qq-x5"].display_name) == ("qq-x5", "qq-x5")
        assert session.query(Member).filter_by(handle="admin").count() == 0
    # after 30 days it is free again
    later = now + timedelta(days=30, minutes=1)
    with transaction(rt.factory) as session:
        d = demo(session)
        people.rename_handle(session, member=d["qq-x5"], handle="admin", now=later)
        people.set_display_name(session, member=d["qq-x5"], display_name="王管理", now=later)
        assert (d["qq-x5"].handle, d["qq-x5"].display_name) == ("admin", "王管理")


def test_the_person_who_gave_a_name_up_may_take_it_back(demo_runtime: Runtime) -> None:
    runtime = demo_runtime
    now = runtime.clock()
    with transaction(runtime.factory) as session:
        d = demo(session)
        people.rename_handle(session, member=d["lisi"], handle="lisi2", now=now)
        people.set_display_name(session, member=d["lisi"], display_name="李四二", now=now)
        people.rename_handle(session, member=d["lisi"], handle="LiSi", now=now)
        people.set_display_name(session, member=d["lisi"], display_name="李四", now=now)
        assert (d["lisi"].handle, d["lisi"].display_name) == ("LiSi", "李四")
        # and what he gave up in between is his now, for a while
        with pytest.raises(Conflict) as held:
            people.rename_handle(session, member=d["zhaoliu"], handle="lisi2", now=now)
        assert held.value.key == "people.error.name_held"
