"""The follow-up sweep picks its teams in one query (issue 16): a team with an item waiting past
its re-notify time is swept once per slot, however many runners tick; a team with nothing
waiting is never claimed."""

from __future__ import annotations

from datetime import timedelta

from sqlalchemy import select

from teamassist.clock import FrozenClock
from teamassist.database import transaction
from teamassist.feedback.jobs import jobs as feedback_jobs
from teamassist.feedback.jobs import teams_to_follow_up
from teamassist.outbox.models import OutboxMessage
from teamassist.team.models import Team
from tests.feedback.support import given_rotation
from tests.support.chat import ChatDriver
from tests.support.sweeps import claims, quiet_team, second_scheduler

KEY = "feedback.follow_up"


def _renotices(chat: ChatDriver) -> list[str]:
    with transaction(chat.runtime.factory) as session:
        return list(
            session.scalars(
                select(OutboxMessage.idempotency_key).where(
                    OutboxMessage.idempotency_key.startswith("feedback.renotify:")
                )
            )
        )


def test_a_waiting_item_is_chased_once_and_a_quiet_team_never_claimed(
    chat: ChatDriver, clock: FrozenClock
) -> None:
    # Given the demo team and a quiet team; the demo's old items chased on a first tick
    quiet = quiet_team(chat.runtime)
    given_rotation(chat.runtime, "tech", ["lihua"])
    chat.runtime.scheduler.tick()
    chat.text("/问题反馈 没人理的问题", as_="zhangsan")
    before = _renotices(chat)
    # When its re-notify time (30 minutes) has passed and two runners tick the slot
    clock.set(clock() + timedelta(minutes=31))
    other = second_scheduler(chat.runtime, feedback_jobs)
    chat.runtime.scheduler.tick()
    other.tick()
    chat.runtime.scheduler.tick()
    # Then the item was re-notified once (to its owner and to the duty room)
    fresh = [key for key in _renotices(chat) if key not in before]
    assert len(fresh) == 2 and len(set(fresh)) == 2
    # and the quiet team has no claim of the sweep in any slot
    swept = claims(chat.runtime, KEY)
    assert swept and quiet not in {team_id for team_id, _ in swept}


def test_the_pick_follows_the_teams_own_times(chat: ChatDriver, clock: FrozenClock) -> None:
    # Given a new item in the demo team, and every older item escalated by the first tick
    given_rotation(chat.runtime, "tech", ["lihua"])
    chat.runtime.scheduler.tick()
    clock.set(clock() + timedelta(hours=3))
    chat.runtime.scheduler.tick()
    submitted = clock()
    chat.text("/问题反馈 一个新的问题", as_="zhangsan")

    def picked(minutes_later: int) -> bool:
        with transaction(chat.runtime.factory) as session:
            teams = list(session.scalars(select(Team)))
            now = submitted + timedelta(minutes=minutes_later)
            return bool(teams_to_follow_up(session, teams, now, chat.runtime.scheduler.ports))

    # Then the team is picked once the item waited the default 30 minutes, not before
    assert not picked(29)
    assert picked(30)
