"""/结束360 and /发布360 at once or again (tester B-13, session 27): 20 /结束360 at once answered
「已结束」 5–10 times on PostgreSQL and MariaDB, and /发布360 @A answered 「已向 A 发布」 every
time, alone or at once, although A was told once. Each request runs in its own thread and
transaction (``tests.support.races``)."""

from __future__ import annotations

from sqlalchemy.orm import Session

from teamassist.reviews import service
from teamassist.runtime import Runtime
from teamassist.team import service as team_service
from teamassist.team.models import Member, Team
from tests.conftest import load_demo
from tests.reviews.support import close, set_up, start
from tests.support.chat import ChatDriver
from tests.support.races import side_by_side


def _person(session: Session, team: Team, handle: str) -> Member:
    found = team_service.get_member_by_handle(
        session, workspace_id=team.workspace_id, handle=handle
    )
    assert found is not None
    return found


def _demo_team(session: Session) -> Team:
    workspace = team_service.get_workspace_by_key(session, key="demo")
    assert workspace is not None
    return team_service.default_team(session, workspace_id=workspace.id)


def test_a_cycle_closed_at_once_is_closed_once(runtime: Runtime) -> None:
    load_demo(runtime)
    set_up(runtime)
    cycle_id = start(runtime, "zhangsan")

    def close_it(session: Session) -> str | None:
        team = _demo_team(session)
        cycle = service.get_cycle(session, team=team, cycle_id=cycle_id)
        changed = service.close(
            session, team=team, cycle=cycle, by=_person(session, team, "lihua"), now=runtime.clock()
        )
        return "closed" if changed else "already closed"

    outcome = side_by_side(runtime, [close_it] * 5, attempts=1)

    assert outcome == ["already closed"] * 4 + ["closed"], outcome


def test_a_summary_released_at_once_is_released_once(runtime: Runtime) -> None:
    load_demo(runtime)
    set_up(runtime)
    cycle_id = start(runtime, "zhangsan")
    close(runtime)

    def release(session: Session) -> str | None:
        team = _demo_team(session)
        cycle = service.get_cycle(session, team=team, cycle_id=cycle_id)
        changed = service.release(
            session,
            team=team,
            cycle=cycle,
            reviewee=_person(session, team, "zhangsan"),
            by=_person(session, team, "lihua"),
            now=runtime.clock(),
        )
        return "released" if changed else "already released"

    outcome = side_by_side(runtime, [release] * 5, attempts=1)

    assert outcome == ["already released"] * 4 + ["released"], outcome


def test_a_summary_released_again_says_so(chat: ChatDriver) -> None:
    set_up(chat.runtime)
    start(chat.runtime, "zhangsan")
    close(chat.runtime)
    assert "已向 张三 发布" in chat.text("/发布360 @zhangsan", as_="lihua")
    again = chat.text("/发布360 @zhangsan", as_="lihua")
    assert "张三 的总结已经发布过了（11月30日 09:00）" in again, again
    assert "已向" not in again
