"""Item 6 of h-fix23 (session 23): the demo's rows took ``created_at``/``updated_at`` from the
machine's clock (the models' ``default=utcnow``), so a runtime set to 2026-06-01 had a demo
stamped with the day it ran. They follow the runtime's clock now. Every backend."""

from __future__ import annotations

from sqlalchemy import select

from teamassist.clock import ensure_utc
from teamassist.runtime import Runtime
from teamassist.team.models import Channel, Member, Team, Workspace


def test_the_demo_is_stamped_with_the_runtime_clock(demo_runtime: Runtime) -> None:
    now = demo_runtime.clock()
    with demo_runtime.factory() as session:
        for model in (Workspace, Team, Member, Channel):
            for created, updated in session.execute(select(model.created_at, model.updated_at)):
                assert (ensure_utc(created), ensure_utc(updated)) == (now, now), model
