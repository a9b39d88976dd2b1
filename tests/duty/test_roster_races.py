"""One roster change sent many times at once writes one version (tester s25 F-13), on every
backend: on PostgreSQL 20 `/值班人员增加 @dan` at once wrote 18 versions and said 「已加入」 18
times (MariaDB 2), because each checked 「已经在轮值里」 against the versions it had read, and
none saw the others' uncommitted one. Each sender runs in its own thread and transaction; all
have read the roster before any writes (``tests.support.races.side_by_side``)."""

from __future__ import annotations

from sqlalchemy import select
from sqlalchemy.orm import Session

from teamassist.duty import planning, service
from teamassist.duty.models import Rotation, RotationVersion
from teamassist.runtime import Runtime
from tests.support.races import side_by_side
from tests.team.support import demo


def _tech(session: Session) -> Rotation:
    return next(r for r in service.rotations(session, team=demo(session).team) if r.key == "tech")


def _read_roster(session: Session) -> None:
    """Read first, as the chat command does: the team, its rotations and the tech roster."""
    team = demo(session).team
    service.current_spec(session, team, _tech(session))
    service.versions(session, rotation=_tech(session))


def test_the_same_add_sent_at_once_is_made_once(demo_runtime: Runtime) -> None:
    rt = demo_runtime
    with rt.factory() as session:
        newcomer = demo(session)["zhaoliu"].id  # in 产品, not in 技术
        rotation_id = _tech(session).id
        versions_before = len(service.versions(session, rotation=_tech(session)))
        before = [demo(session)[h].id for h in ("zhangsan", "lisi", "wangwu")]
    now = rt.clock()

    def add(session: Session) -> None:
        service.change_roster(
            session,
            team=demo(session).team,
            rotation=_tech(session),
            change=planning.RosterChange(action=planning.ACTION_ADD, member_ids=(newcomer,)),
            now=now,
        )

    outcome = side_by_side(rt, [add] * 4, read=_read_roster)

    # one adds; the others are told the person is in the rotation already
    assert outcome == ["duty.error.already_in_rotation"] * 3 + ["ok"], outcome
    with rt.factory() as session:
        rows = session.scalars(
            select(RotationVersion)
            .where(RotationVersion.rotation_id == rotation_id)
            .order_by(RotationVersion.id)
        ).all()
        assert len(rows) == versions_before + 1
        assert (rows[-1].change, rows[-1].member_ids) == ("add", [*before, newcomer])
