"""The career-plan tests' setting: the outreach groups (李华 director, 产品核心群 = 张三 and 李四)
and the rows the flows write."""

from __future__ import annotations

from sqlalchemy import delete, select

from teamassist.actions.models import ActionItem
from teamassist.careers.models import CareerPlan
from teamassist.database import transaction
from teamassist.outbox.models import OutboxMessage
from teamassist.runtime import Runtime


def without_demo_plans(runtime: Runtime) -> None:
    """Drop the demo's plans, so a test starts from none (the demo's are for its own tests)."""
    with transaction(runtime.factory) as session:
        session.execute(delete(CareerPlan))


def plans(runtime: Runtime) -> list[CareerPlan]:
    """Every plan, with its goals loaded, by id."""
    with runtime.factory() as session:
        rows = list(session.scalars(select(CareerPlan).order_by(CareerPlan.id)))
        for row in rows:
            _ = row.goals
        session.expunge_all()
        return rows


def career_items(runtime: Runtime) -> list[ActionItem]:
    """The action items opened for plans."""
    with runtime.factory() as session:
        return list(
            session.scalars(
                select(ActionItem)
                .where(ActionItem.source_kind == "career_plan")
                .order_by(ActionItem.id)
            )
        )


def career_dms(runtime: Runtime) -> list[OutboxMessage]:
    """The DMs that tell people a plan was started."""
    with runtime.factory() as session:
        return [
            m
            for m in session.scalars(select(OutboxMessage).order_by(OutboxMessage.id))
            if m.idempotency_key.startswith("careers.started:")
        ]
