"""REST Idempotency-Keys are kept ``retention.idempotency_days`` (7) after first sent, then
deleted by a system job of the scheduler tick, in one statement; before, they were never."""

from __future__ import annotations

from datetime import timedelta

from sqlalchemy import select

from teamassist.clock import FrozenClock
from teamassist.config import RetentionSettings
from teamassist.database import transaction
from teamassist.http.idempotency import IdempotencyKey, IdempotencySweep
from teamassist.runtime import Runtime


def _keys(rt: Runtime) -> list[str]:
    with rt.factory() as session:
        return list(session.scalars(select(IdempotencyKey.key).order_by(IdempotencyKey.key)))


def test_keys_older_than_the_setting_go_and_newer_stay(
    demo_runtime: Runtime, clock: FrozenClock
) -> None:
    rt = demo_runtime
    start = clock()
    with transaction(rt.factory) as session:
        for key, age in (("old", 8), ("edge", 7), ("young", 6), ("new", 0)):
            session.add(
                IdempotencyKey(
                    workspace_id=1,
                    caller="m1",
                    key=key,
                    digest="d" * 64,
                    created_at=start - timedelta(days=age, minutes=1 if age == 7 else 0),
                )
            )
    assert RetentionSettings().idempotency_days == 7  # the default the example file names
    # the runtime's tick runs it with the other system jobs
    rt.scheduler.run_system_jobs()
    assert _keys(rt) == ["new", "young"]

    sweep = IdempotencySweep(rt.factory, clock, days=7)
    assert sweep() == 0  # nothing older left
    assert sweep() is None  # again within the hour: no statement at all
    clock.set(start + timedelta(days=6, hours=1))
    assert sweep() == 1  # "young" (6 days old at start) is now past 7
    assert _keys(rt) == ["new"]
