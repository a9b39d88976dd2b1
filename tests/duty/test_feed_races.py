"""Two /值班订阅 of one person at once make one live feed (tester s25 F-20: one live secret
URL per person): the person's row is locked before the live feed is looked up, so the second
is told of the first, on every backend. Each request runs in its own thread and transaction;
both have read before any writes (``tests.support.races``)."""

from __future__ import annotations

from sqlalchemy import select
from sqlalchemy.orm import Session

from teamassist.duty import feeds
from teamassist.duty.feed_models import FeedToken
from teamassist.runtime import Runtime
from tests.support.races import side_by_side
from tests.team.support import demo


def test_two_subscriptions_at_once_make_one_live_feed(demo_runtime: Runtime) -> None:
    now = demo_runtime.clock()

    def subscribe(session: Session) -> None:
        d = demo(session)
        feeds.create_feed(session, team=d.team, now=now, member=d["zhangsan"], by=d["zhangsan"])

    outcome = side_by_side(demo_runtime, [subscribe] * 3)

    assert outcome == ["duty_feeds.error.exists"] * 2 + ["ok"], outcome
    with demo_runtime.factory() as session:
        assert len(session.scalars(select(FeedToken)).all()) == 1
