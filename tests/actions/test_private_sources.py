"""An action item linked by id through REST may follow a private thing only for someone who
reads it (a tester, with 李四's token, linked items to 张三's career plan and to the agenda of
张三's 1on1 with 李华: both 201). Anyone else is answered as for a thing that does not exist
(404 ``actions.error.unknown_source``, nothing stored); the plan's person and the pair's
people still link. Every backend: the rules are SQL."""

from __future__ import annotations

from sqlalchemy import func, select

from teamassist.actions.models import ActionItem
from teamassist.careers.models import CareerPlan
from teamassist.one_on_ones.models import AgendaItem
from teamassist.runtime import Runtime
from teamassist.team.models import Member
from tests.okr.support import set_clock
from tests.web.test_member_scope import member_client


def _ids(rt: Runtime) -> tuple[int, int]:
    """张三's career plan and a shared agenda item of his pair (the demo's)."""
    with rt.factory() as session:
        zhangsan = session.scalar(select(Member.id).where(Member.handle == "zhangsan"))
        plan = session.scalar(select(CareerPlan.id).where(CareerPlan.member_id == zhangsan))
        topic = session.scalar(
            select(AgendaItem.id).where(AgendaItem.private.is_(False)).order_by(AgendaItem.id)
        )
        assert plan is not None and topic is not None
        return plan, topic


def _items(rt: Runtime) -> int:
    with rt.factory() as session:
        return int(session.scalar(select(func.count()).select_from(ActionItem)) or 0)


def test_only_readers_link_items_to_a_plan_or_a_1on1_agenda(demo_runtime: Runtime) -> None:
    rt = demo_runtime
    set_clock(rt, "2026-11-30 09:00")
    plan, topic = _ids(rt)
    body = {"owner": "lisi", "title": "跟进", "due": "2026-12-20"}
    before = _items(rt)
    # When 李四, neither the plan's person nor in the pair, links to them
    with member_client(rt, "lisi") as lisi:
        for kind, source_id in (("career_plan", plan), ("one_on_one", topic)):
            refused = lisi.post(
                "/api/v1/actions", json={**body, "source_kind": kind, "source_id": source_id}
            )
            # Then it is refused as an unknown source and nothing is stored
            assert refused.status_code == 404, refused.text
            assert refused.json()["error"] == "actions.error.unknown_source"
    assert _items(rt) == before
    # When 张三 (the plan's person, a party to the pair) links to them, they are linked
    with member_client(rt, "zhangsan") as zhangsan:
        for kind, source_id in (("career_plan", plan), ("one_on_one", topic)):
            made = zhangsan.post(
                "/api/v1/actions", json={**body, "source_kind": kind, "source_id": source_id}
            )
            assert made.status_code == 201, made.text
    assert _items(rt) == before + 2
