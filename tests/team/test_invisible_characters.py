"""Issue 11, found by a fresh tester: handles and names took zero-width and bidi control
characters (``ad\\u200bmin`` looks like ``admin``; ``\\u202e`` turns the text after it around).
Handles refuse them, naming the character; display names and 称呼 drop them."""

from __future__ import annotations

from collections.abc import Iterator

import pytest
from fastapi.testclient import TestClient
from sqlalchemy import select

from teamassist.runtime import Runtime
from teamassist.team import people
from teamassist.team.models import Member
from teamassist.web.app import create_app
from tests.conftest import load_demo
from tests.support.chat import ChatDriver
from tests.support.web import sign_in
from tests.team.support import demo

INVISIBLE = ["\u200b", "\u200d", "\u202e", "\u2066", "\ufeff", "\u00ad", "\x07", "\u180e"]


@pytest.mark.parametrize("char", INVISIBLE)
def test_a_handle_with_an_invisible_character_is_refused_by_name(char: str) -> None:
    with pytest.raises(people.Invalid) as refused:
        people.check_handle(f"ad{char}min")
    code = f"U+{ord(char):04X}"
    assert refused.value.message() == (
        f"账号里有看不见的字符（{code}，如零宽或文字方向控制符），请去掉后重新输入。"
    )


@pytest.mark.parametrize("char", INVISIBLE)
def test_a_name_drops_invisible_characters(char: str) -> None:
    assert people.check_name(f"王{char}管理") == "王管理"
    assert people.check_name(f"{char}王总{char}", limit=people.ADDRESS_MAX) == "王总"
    with pytest.raises(people.Invalid) as empty:
        people.check_name(f" {char} ")
    assert empty.value.key == "people.error.empty_name"


def test_ordinary_names_and_handles_are_untouched() -> None:
    assert people.check_handle("ＮＥＷ_user-1.x") == "NEW_user-1.x"
    assert people.check_name("新人 🌱") == "新人 🌱"
    assert people.check_name("Zoë O'Brien") == "Zoë O'Brien"


@pytest.fixture
def api(sqlite_runtime: Runtime) -> Iterator[TestClient]:
    load_demo(sqlite_runtime)
    with TestClient(create_app(sqlite_runtime, start_background=False)) as client:
        sign_in(client, "admin", "admin")
        yield client


def test_rest_and_chat_refuse_or_clean_them(sqlite_runtime: Runtime, api: TestClient) -> None:
    with sqlite_runtime.factory() as session:
        d = demo(session)
        team_id, wangwu = d.team.id, d["wangwu"].id
    refused = api.post(
        f"/api/v1/teams/{team_id}/members",
        json={"handle": "ad\u200bmin", "display_name": "假管理"},
    )
    assert refused.status_code == 422
    assert refused.json()["message"].startswith("账号里有看不见的字符（U+200B")
    added = api.post(
        f"/api/v1/teams/{team_id}/members",
        json={"handle": "bob", "display_name": "\u202e鲍勃\u200b"},
    )
    assert added.status_code == 201 and added.json()["display_name"] == "鲍勃"
    renamed = api.patch(f"/api/v1/members/{wangwu}", json={"display_name": "王\u2066五"})
    assert renamed.json()["display_name"] == "王五"
    reply = ChatDriver(sqlite_runtime).text("/改名 @wangwu 王\u200b小五", as_="admin")
    assert "「王小五」" in reply
    with sqlite_runtime.factory() as session:
        names = set(session.scalars(select(Member.display_name)))
        assert "王小五" in names and not any("\u200b" in n or "\u202e" in n for n in names)
