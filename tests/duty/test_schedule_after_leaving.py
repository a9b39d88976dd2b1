"""The schedule views agree with who is on duty: someone who has left is not on today's shift.

A tester (session 13) deactivated the person on product duty: ``/今日值班`` no longer listed
them (876963b), but ``/查看值班表`` and ``GET /api/v1/duty/teams/{id}/schedule`` still did.
Past days keep who was on duty then. Demo: 产品 赵六→孙七→李华 daily, today Monday 2026-06-01
09:00 in Shanghai, 赵六 on product duty.
"""

from __future__ import annotations

from datetime import date
from typing import Any

from fastapi.testclient import TestClient

from teamassist.clock import FrozenClock
from teamassist.web.app import create_app
from tests.duty.helpers import demo_team, set_local
from tests.support.chat import ChatDriver
from tests.support.web import sign_in


def _product(client: TestClient, team_id: int, start: str) -> list[dict[str, Any]]:
    body = client.get(
        f"/api/v1/duty/teams/{team_id}/schedule", params={"start": start, "days": 1}
    ).json()
    [product] = [r for r in body["rotations"] if r["rotation"] == "产品"]
    shifts: list[dict[str, Any]] = product["shifts"]
    return shifts


def test_someone_deactivated_today_is_off_todays_shift_in_every_view(
    chat: ChatDriver, clock: FrozenClock
) -> None:
    team, members = demo_team(chat.runtime)
    zhaoliu = members["zhaoliu"].id
    assert "「产品」@赵六" in chat.text("/查看值班表", as_="lisi").split("\n\n")[0]
    # when 赵六 is deactivated at 10:00, while on product duty
    set_local(clock, date(2026, 6, 1), 10)
    chat.text("/停用成员 @zhaoliu", as_="admin")
    # then the roster agrees with /今日值班: nobody holds product duty today
    assert "「产品」现在没有人值班" in chat.text("/今日值班", as_="lisi")
    today = chat.text("/查看值班表", as_="lisi").split("\n\n")[0]
    assert "06-01 周一" in today and "赵六" not in today and "「产品」无人值班" in today, today
    with TestClient(create_app(chat.runtime, start_background=False)) as client:
        sign_in(client, "admin", "admin")
        # and so does the REST schedule
        assert all(zhaoliu not in s["member_ids"] for s in _product(client, team.id, "2026-06-01"))
        # the next day, 06-01 is the past: it keeps who was on duty then
        set_local(clock, date(2026, 6, 2), 10)
        assert [s["member_ids"] for s in _product(client, team.id, "2026-06-01")] == [[zhaoliu]]
