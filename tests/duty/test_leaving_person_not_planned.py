"""Someone set to leave on D is not given duty on D or later: not by a cover, not by a swap.

Testers (session 13) found covers and swaps accepted for someone leaving on D, for days past D,
though the roster plans them out from D. Demo: 技术 张三→李四→王五, 产品 赵六→孙七→李华,
daily, today Monday 2026-06-01 09:00 in Shanghai; 孙七 leaves on Friday 06-05.
"""

from __future__ import annotations

from fastapi.testclient import TestClient

from teamassist.web.app import create_app
from tests.duty.helpers import demo_team, snapshot
from tests.support.chat import ChatDriver
from tests.support.web import sign_in


def test_a_cover_or_swap_on_or_after_the_leaving_day_is_refused(chat: ChatDriver) -> None:
    chat.text("/停用成员 @sunqi 2026-06-05", as_="admin")
    before = snapshot(chat.runtime)
    # a cover on the leaving day is refused, naming the day
    reply = chat.text("/值班代班 @sunqi 2026-06-05", as_="admin")
    assert "「孙七」将于 2026-06-05 停用，从那天起不能再安排 TA 值班" in reply, reply
    # and so is a swap that gives 孙七 李四's shift of 06-08, either way round
    reply = chat.text("/值班换班 @lisi 2026-06-08 @sunqi", as_="admin")
    assert "将于 2026-06-05 停用" in reply and "2026-06-08" in reply, reply
    reply = chat.text("/值班换班 @sunqi 2026-06-02 @lisi 2026-06-08", as_="admin")
    assert "将于 2026-06-05 停用" in reply, reply
    assert snapshot(chat.runtime) == before
    # REST answers the same refusal
    team, members = demo_team(chat.runtime)
    with TestClient(create_app(chat.runtime, start_background=False)) as client:
        sign_in(client, "admin", "admin")
        rotations = client.get(f"/api/v1/duty/teams/{team.id}/rotations").json()
        tech = next(r["id"] for r in rotations if r["key"] == "tech")
        cover = {
            "start": "2026-06-06T03:00:00+08:00",
            "end": "2026-06-07T03:00:00+08:00",
            "member_id": members["sunqi"].id,
        }
        refused = client.post(f"/api/v1/duty/rotations/{tech}/overrides", json=cover)
        assert refused.status_code == 409
        assert "将于 2026-06-05 停用" in refused.json()["message"]
    assert snapshot(chat.runtime) == before
    # the day before still works: a cover of duty day 06-04 (to 06-05 03:00) is theirs
    assert "已安排" in chat.text("/值班代班 @sunqi 2026-06-04", as_="admin")


def test_someone_leaving_is_not_added_to_a_rotation(chat: ChatDriver) -> None:
    # joining is open-ended: it would put 孙七 on duty past 06-05, which the departure planned out
    chat.text("/停用成员 @sunqi 2026-06-05", as_="admin")
    before = snapshot(chat.runtime)
    reply = chat.text("/值班人员增加 @sunqi", as_="admin")
    assert "「孙七」将于 2026-06-05 停用，不能再加入轮值" in reply and "/值班代班" in reply, reply
    assert snapshot(chat.runtime) == before
    # once the departure is called off, they may join
    chat.text("/启用成员 @sunqi", as_="admin")
    assert "加入「技术」轮值" in chat.text("/值班人员增加 @sunqi", as_="admin")
