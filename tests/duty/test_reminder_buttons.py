"""The sign-in reminder carries a "签到" button whose command signs the presser in."""

from __future__ import annotations

from datetime import UTC, datetime

from sqlalchemy import select

from teamassist.chat.types import Reply
from teamassist.clock import FrozenClock
from teamassist.duty import service as duty_service
from teamassist.outbox.models import OutboxMessage
from teamassist.team.models import Team
from tests.support.chat import ChatDriver


def test_sign_in_reminder_button_signs_in(sqlite_chat: ChatDriver, clock: FrozenClock) -> None:
    rt = sqlite_chat.runtime
    # given: 10:00 in Shanghai and nobody on duty has signed in
    clock.set(datetime(2026, 6, 1, 2, 0, tzinfo=UTC))
    rt.scheduler.tick()
    with rt.factory() as session:
        rows = session.scalars(
            select(OutboxMessage).where(
                OutboxMessage.idempotency_key.like("duty.sign_in_reminder%")
            )
        ).all()
        team = session.scalar(select(Team))
        assert team is not None
        on_duty = duty_service.on_duty_members(session, team=team, at=clock(), rotation_kind="tech")
    assert rows
    reply = Reply.model_validate(rows[0].payload)
    [button] = reply.buttons
    assert button.label == "签到" and button.command == "/值班签到"
    # when: the person on duty presses it (the button sends its command as the presser)
    text = sqlite_chat.text(button.command, as_=on_duty[0].handle)
    # then: they are signed in
    assert "签到成功" in text
