"""People changed at the same time (issue #11 hardening), on every backend: two merges in
opposite directions, two manager changes that would close a circle. Each pair runs in two
threads whose transactions have both read the members before either writes
(``tests.support.races.side_by_side``)."""

from __future__ import annotations

from collections.abc import Callable

import pytest
from sqlalchemy import select
from sqlalchemy.orm import Session

from teamassist.database import run_transaction, transaction
from teamassist.enums import Role
from teamassist.exceptions import DomainError
from teamassist.runtime import Runtime
from teamassist.team import org, people
from teamassist.team import service as team_service
from teamassist.team.models import Member, PlatformIdentity
from tests.conftest import DEFAULT_NOW
from tests.support.races import side_by_side
from tests.team.support import demo


def _ids(rt: Runtime, *handles: str) -> list[int]:
    with transaction(rt.factory) as session:
        d = demo(session)
        return [d[h].id for h in handles]


def test_merging_a_into_b_and_b_into_a_at_once_leaves_one_person(demo_runtime: Runtime) -> None:
    rt = demo_runtime
    a_id, b_id = _ids(rt, "lisi", "wangwu")
    with transaction(rt.factory) as session:
        for member_id, user in ((a_id, "qq-lisi"), (b_id, "qq-wangwu")):
            member = session.get(Member, member_id)
            assert member is not None
            team_service.add_identity(
                session, member=member, platform="qq", tenant_key="g1", user_key=user
            )

    def merge(into_id: int, source_id: int) -> Callable[[Session], None]:
        def work(session: Session) -> None:
            into, source = session.get(Member, into_id), session.get(Member, source_id)
            assert into is not None and source is not None
            people.merge(session, into=into, source=source, now=DEFAULT_NOW, by=None)

        return work

    outcome = side_by_side(rt, [merge(a_id, b_id), merge(b_id, a_id)])

    assert outcome == ["ok", "people.error.merged"]
    with transaction(rt.factory) as session:
        a, b = session.get(Member, a_id), session.get(Member, b_id)
        assert a is not None and b is not None
        survivors = [m for m in (a, b) if m.merged_into_id is None]
        assert len(survivors) == 1 and survivors[0].active
        survivor = survivors[0]
        merged = b if survivor is a else a
        assert merged.merged_into_id == survivor.id and not merged.active
        owners = session.scalars(
            select(PlatformIdentity.member_id).where(
                PlatformIdentity.user_key.in_(["qq-lisi", "qq-wangwu"])
            )
        ).all()
        assert sorted(owners) == [survivor.id, survivor.id]


def test_merging_into_a_deactivated_member_is_refused(demo_runtime: Runtime) -> None:
    rt = demo_runtime
    a_id, b_id = _ids(rt, "lisi", "wangwu")
    with transaction(rt.factory) as session:
        a, b = session.get(Member, a_id), session.get(Member, b_id)
        assert a is not None and b is not None
        people.deactivate(session, member=a, now=DEFAULT_NOW)
        try:
            people.merge(session, into=a, source=b, now=DEFAULT_NOW, by=None)
        except DomainError as exc:
            assert exc.key == "people.error.inactive"
        else:
            raise AssertionError("merged into a deactivated member")
        assert b.merged_into_id is None and b.active


def test_a_reports_to_b_and_b_to_a_at_once_is_no_circle(demo_runtime: Runtime) -> None:
    rt = demo_runtime
    a_id, b_id = _ids(rt, "lisi", "wangwu")

    def report(member_id: int, manager_id: int) -> Callable[[Session], None]:
        def work(session: Session) -> None:
            member, manager = session.get(Member, member_id), session.get(Member, manager_id)
            assert member is not None and manager is not None
            org.set_manager(session, member=member, manager=manager)

        return work

    outcome = side_by_side(rt, [report(a_id, b_id), report(b_id, a_id)])

    assert outcome == ["ok", "people.error.manager_cycle"]
    with transaction(rt.factory) as session:
        a, b = session.get(Member, a_id), session.get(Member, b_id)
        assert a is not None and b is not None
        assert (a.manager_id, b.manager_id) in ((b_id, None), (None, a_id))


def test_demoting_the_last_two_admins_at_once_keeps_one(demo_runtime: Runtime) -> None:
    """The breaker's lock-out: two admins demoted at the same moment both went through and
    left the team with no admin on PostgreSQL."""
    rt = demo_runtime
    admin_id, lisi_id = _ids(rt, "admin", "lisi")
    with transaction(rt.factory) as session:
        d = demo(session)
        people.change_role(session, team=d.team, member=d["lisi"], role=Role.ADMIN)

    def demote(member_id: int) -> Callable[[Session], None]:
        def work(session: Session) -> None:
            member = session.get(Member, member_id)
            assert member is not None
            people.change_role(session, team=demo(session).team, member=member, role=Role.MEMBER)

        return work

    outcome = side_by_side(rt, [demote(admin_id), demote(lisi_id)])

    assert outcome == ["ok", "people.error.last_admin"]
    with transaction(rt.factory) as session:
        assert len(people.active_admins(session, team=demo(session).team)) == 1


def test_renaming_two_members_to_one_name_at_once_renames_one(demo_runtime: Runtime) -> None:
    """Tester s24 F15: on PostgreSQL, /改名 @lisi 并发同名 and /改名 @zhaoliu 并发同名 sent
    together both went through, and every @并发同名 then asked which one was meant. Four of
    each, all read before any writes: one of the two is renamed (their own name again passes,
    so the winner's four all do), the other's four are told the name is taken."""
    rt = demo_runtime
    lisi_id, zhaoliu_id = _ids(rt, "lisi", "zhaoliu")

    def rename(member_id: int) -> Callable[[Session], None]:
        def work(session: Session) -> None:
            member = session.get(Member, member_id)
            assert member is not None
            people.set_display_name(session, member=member, display_name="并发同名", now=rt.clock())

        return work

    outcome = side_by_side(rt, [rename(lisi_id), rename(zhaoliu_id)] * 4)

    assert outcome == ["ok"] * 4 + ["people.error.name_taken"] * 4, outcome
    with transaction(rt.factory) as session:
        named = session.scalars(select(Member.id).where(Member.display_name == "并发同名")).all()
        assert len(named) == 1 and named[0] in (lisi_id, zhaoliu_id), named


def _add_frank(rt: Runtime, name: str = "frank") -> Callable[[Session], str | None]:
    def work(session: Session) -> str | None:
        d = demo(session)
        people.add_person(
            session,
            workspace=d.workspace,
            team=d.team,
            handle="frank",
            display_name=name,
            by=None,
            now=rt.clock(),
        )
        return None

    return work


def test_adding_one_new_person_at_once_answers_every_loser_already_in_team(
    demo_runtime: Runtime,
) -> None:
    """Tester s25 F-B4: 20 × ``/添加成员 @frank`` at once on PostgreSQL; one added him, 17
    heard 已经在「…」里了, 2 heard that 「frank」 was already frank's name (a clash with
    himself, and the advice to pick frank2). Every loser hears what the sequential case says;
    one frank is stored."""
    outcome = side_by_side(demo_runtime, [_add_frank(demo_runtime) for _ in range(8)])
    assert outcome == ["ok"] + ["people.error.already_in_team"] * 7, outcome
    with transaction(demo_runtime.factory) as session:
        assert len(session.scalars(select(Member).where(Member.handle == "frank")).all()) == 1


def test_a_person_committed_between_the_reads_is_already_in_the_team(
    demo_runtime: Runtime, monkeypatch: pytest.MonkeyPatch
) -> None:
    """F-B4's window, made certain: the unit's first look-up of the handle ran before another
    unit's commit of frank (it misses him), the checks of the new person after it (they find
    him: then the name, here the handle, as frank is called 弗兰克)."""
    rt = demo_runtime
    run_transaction(rt.factory, _add_frank(rt, "弗兰克"))  # another request's, committed
    real = team_service.get_member_by_handle
    missed: list[str] = []

    def before_the_commit(session: Session, *, workspace_id: int, handle: str) -> Member | None:
        if handle == "frank" and not missed:
            missed.append(handle)  # add_person's look-up
            return None
        return real(session, workspace_id=workspace_id, handle=handle)

    monkeypatch.setattr(team_service, "get_member_by_handle", before_the_commit)
    with pytest.raises(DomainError) as refused:
        run_transaction(rt.factory, _add_frank(rt))
    assert refused.value.key == "people.error.already_in_team", refused.value.key
    assert missed == ["frank"]
