"""A leaving date already past is refused, not read as "now".

A tester typed ``/停用成员 @王五 2025-06-06`` meaning 2026: the member was deactivated at once
(the reply's note "已经过去，按现在停用" came after the damage). A day before today is refused
with the reason and nothing changes, in chat and REST alike (one service); today, or no date,
still means now. Demo clock: Monday 2026-06-01 09:00 in Shanghai.
"""

from __future__ import annotations

from collections.abc import Iterator

import pytest
from fastapi.testclient import TestClient
from sqlalchemy import select

from teamassist.database import transaction
from teamassist.runtime import Runtime
from teamassist.team.models import Member
from teamassist.web.app import create_app
from tests.conftest import load_demo
from tests.duty.helpers import snapshot
from tests.support.chat import ChatDriver
from tests.support.web import sign_in
from tests.team.support import demo


def _state(runtime: Runtime, handle: str) -> tuple[bool, object]:
    with runtime.factory() as session:
        member = session.scalars(select(Member).where(Member.handle == handle)).one()
        return member.active, member.deactivated_at


def test_a_mistyped_past_year_is_refused_and_changes_nothing(chat: ChatDriver) -> None:
    before = snapshot(chat.runtime)
    reply = chat.text("/停用成员 @wangwu 2025-06-06", as_="admin")
    assert reply == (
        "停用日期 2025-06-06 已经过去了（今天是 2026-06-01），是不是写错了年份？这次没有改动。"
        "要现在就停用，不写日期即可：/停用成员 @成员。"
    )
    assert _state(chat.runtime, "wangwu") == (True, None)
    assert snapshot(chat.runtime) == before
    # yesterday too, and the first year a date holds (it overflowed as UTC once)
    for day in ("2026-05-31", "0001-01-01"):
        assert f"停用日期 {day} 已经过去了" in chat.text(f"/停用成员 @wangwu {day}", as_="admin")
    assert _state(chat.runtime, "wangwu") == (True, None)
    # today still means now
    assert chat.text("/停用成员 @wangwu 2026-06-01", as_="admin").startswith(
        "已停用 王五，从现在起"
    )
    assert _state(chat.runtime, "wangwu")[0] is False


@pytest.fixture
def admin(runtime: Runtime) -> Iterator[tuple[TestClient, dict[str, int]]]:
    load_demo(runtime)
    with transaction(runtime.factory) as session:
        ids = {h: m.id for h, m in demo(session).people.items()}
    with TestClient(create_app(runtime, start_background=False)) as client:
        sign_in(client, "admin", "admin")
        yield client, ids


def test_rest_refuses_a_past_leaving_date_as_chat_does(
    admin: tuple[TestClient, dict[str, int]], runtime: Runtime
) -> None:
    client, ids = admin
    url = f"/api/v1/members/{ids['wangwu']}"
    for answer in (
        client.patch(url, json={"deactivate_at": "2025-06-06"}),
        client.delete(url, params={"at": "2025-06-06T00:00:00+08:00"}),
    ):
        assert answer.status_code == 422, answer.text
        assert answer.json()["error"] == "people.error.deactivate_past"
        # the way out names the field, not the chat command (session 16)
        assert answer.json()["message"] == (
            "停用日期 2025-06-06 已经过去了（今天是 2026-06-01），是不是写错了年份？这次没有改动。"
            '要现在就停用，不带日期即可：PATCH 只发 "active": false（不带 deactivate_at），'
            "或 DELETE 不带 at。"
        )
    assert _state(runtime, "wangwu") == (True, None)


def test_rest_asks_to_call_a_planned_leaving_off_by_field(
    admin: tuple[TestClient, dict[str, int]], runtime: Runtime
) -> None:
    client, ids = admin
    url = f"/api/v1/members/{ids['wangwu']}"
    assert client.patch(url, json={"deactivate_at": "2026-07-01"}).status_code == 200
    before = snapshot(runtime)
    again = client.patch(url, json={"deactivate_at": "2026-08-01"})
    assert again.status_code == 409, again.text
    assert again.json()["error"] == "people.error.already_leaving"
    assert again.json()["message"] == (
        '「王五」已经安排了停用日期。要改日期，先发 "active": true 取消，再重新发 deactivate_at。'
    )
    assert snapshot(runtime) == before
