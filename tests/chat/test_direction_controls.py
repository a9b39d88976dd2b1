"""A right-to-left override typed into a title stays inside that title (a tester's find, session
11: an unpaired U+202E in an action item's title reversed the rest of every line that showed it).
User text that holds embedding, override or isolate controls is shown inside FSI … PDI; other
text is shown exactly as before."""

from __future__ import annotations

import pytest
from fastapi.testclient import TestClient

from teamassist.bidi import FSI, PDI, isolate
from teamassist.web.app import create_app
from tests.okr.support import set_clock
from tests.support.chat import ChatDriver
from tests.support.web import sign_in

RLO = "\u202e"
RLI = "\u2067"


@pytest.mark.parametrize(
    ("typed", "shown"),
    [
        ("完成接口文档", "完成接口文档"),  # nothing to isolate: unchanged
        (f"abc{RLO}def", f"{FSI}abc{RLO}def{PDI}"),
        (f"a{PDI}{RLO}b", f"{FSI}a{RLO}b{PDI}"),  # a stray PDI would close the wrapper early
        (f"a{RLI}b", f"{FSI}a{RLI}b{PDI}{PDI}"),  # an isolate left open is closed first
        (f"{RLI}x{PDI}y", f"{FSI}{RLI}x{PDI}y{PDI}"),  # a balanced one is kept
    ],
)
def test_isolate(typed: str, shown: str) -> None:
    assert isolate(typed) == shown


def test_an_override_in_a_title_stays_inside_it_in_chat_and_on_pages(
    sqlite_chat: ChatDriver,
) -> None:
    chat = sqlite_chat
    set_clock(chat.runtime, "2026-11-30 09:00")
    title = f"修复{RLO}登录页"
    # When an item is made with an override in its title
    reply = chat.text(f"/销项 @zhangsan {title} 2026-12-10", as_="lihua")
    # then the chat reply shows the title isolated, and the text after it is not inside
    assert f"{FSI}{title}{PDI}" in reply, reply
    assert reply.count(RLO) == 1 and reply.index(RLO) < reply.index(PDI)


def test_a_form_value_comes_back_as_typed(sqlite_chat: ChatDriver) -> None:
    """Pages print values as they are: an isolate added there (Jinja's finalize hook, for one
    hour of session 12) went into form fields too, so the board's search box sent the query
    back wrapped in FSI … PDI and found nothing (a tester's find); an edit form would have
    saved another wrapper on every save. Pages isolating user text in text positions only is
    left to its own issue."""
    chat = sqlite_chat
    set_clock(chat.runtime, "2026-11-30 09:00")
    chat.text(f"/问题反馈 abc{RLO}def 打不开", as_="lisi")
    with TestClient(create_app(chat.runtime, start_background=False)) as client:
        sign_in(client, "admin", "admin")
        page = client.get("/feedback", params={"q": f"abc{RLO}def"})
        assert page.status_code == 200
        assert FSI not in page.text and PDI not in page.text
        assert f'value="abc{RLO}def"' in page.text
