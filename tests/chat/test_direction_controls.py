"""A right-to-left override typed into a title stays inside that title (a tester's find, session
11: an unpaired U+202E in an action item's title reversed the rest of every line that showed it).
User text that holds embedding, override or isolate controls is shown inside FSI … PDI; other
text is shown exactly as before."""

from __future__ import annotations

import re

import pytest
from fastapi.testclient import TestClient

from teamassist.bidi import FSI, PDI, isolate, isolate_html
from teamassist.chat import render
from teamassist.chat.types import Reply, user_text
from teamassist.one_on_ones.models import AgendaItem
from teamassist.one_on_ones.schemas import ItemRead
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
    """An isolate in a value (Jinja's finalize hook, for one hour of session 12) went into
    form fields too, so the board's search box sent the query back wrapped in FSI … PDI and
    found nothing (a tester's find); an edit form would have saved another wrapper on every
    save. Pages isolate element text only (``isolate_html``)."""
    chat = sqlite_chat
    set_clock(chat.runtime, "2026-11-30 09:00")
    chat.text(f"/问题反馈 abc{RLO}def 打不开", as_="lisi")
    with TestClient(create_app(chat.runtime, start_background=False)) as client:
        sign_in(client, "admin", "admin")
        page = client.get("/feedback", params={"q": f"abc{RLO}def"})
        assert page.status_code == 200
        assert f'value="abc{RLO}def"' in page.text
        # the item's text in the results table is isolated; no attribute holds a wrapper
        assert f"{FSI}abc{RLO}def 打不开{PDI}" in page.text
        assert not re.search(f'="[^"]*[{FSI}{PDI}]', page.text)


@pytest.mark.parametrize(
    ("page", "shown"),
    [
        ("<p>完成</p>", "<p>完成</p>"),  # nothing to isolate: unchanged
        (f"<td>a{RLO}b</td><td>c</td>", f"<td>{FSI}a{RLO}b{PDI}</td><td>c</td>"),
        # attribute values (a ">" inside quotes too) are form data: as they are
        (f'<input title="x>y" value="q{RLO}">z', f'<input title="x>y" value="q{RLO}">z'),
        # a textarea's and an option's text are sent back as typed; script is code
        (f"<textarea>t{RLO}<b></textarea>", f"<textarea>t{RLO}<b></textarea>"),
        (f"<OPTION>o{RLO}</OPTION>u{RLO}", f"<OPTION>o{RLO}</OPTION>{FSI}u{RLO}{PDI}"),
        (f"<script>if (a<b) x='{RLO}'</script>", f"<script>if (a<b) x='{RLO}'</script>"),
        (f"<!-- {RLO} -->", f"<!-- {RLO} -->"),
        (f"1 < 2{RLO}", f"1 <{FSI} 2{RLO}{PDI}"),  # a lone "<" is text
    ],
)
def test_isolate_html(page: str, shown: str) -> None:
    assert isolate_html(page) == shown


def test_a_searched_phrase_and_a_quote_stay_inside_themselves(sqlite_chat: ChatDriver) -> None:
    """A tester's find (session 12): /查找反馈's heading and /问题反馈's echo showed the typed
    text with its override reaching past it; only reply bodies were isolated."""
    chat = sqlite_chat
    set_clock(chat.runtime, "2026-11-30 09:00")
    typed = f"abc{RLO}def"
    # When feedback with an override is filed, its receipt quotes it isolated
    receipt = chat.text(f"/问题反馈 {typed} 打不开", as_="lisi")
    assert f"「{FSI}{typed} 打不开{PDI}」" in receipt, receipt
    # and a search for it names the phrase isolated in its heading
    found = chat.text(f"/查找反馈 {typed}", as_="lihua")
    assert f"包含「{FSI}{typed}{PDI}」的反馈" in found, found
    # while the same reply rendered for every client isolates title and quote too
    reply = Reply(title=f"找到{user_text(typed)}", quote=f"{typed}\n第二行")
    assert render.to_plain(reply).splitlines()[:3] == [
        f"「{FSI}{typed}{PDI}",
        "第二行」",
        f"找到{FSI}{typed}{PDI}",
    ]
    assert f"> {FSI}abc\u202edef{PDI}" in render.to_markdown(reply, escape=str)
    assert f'<div class="reply-title">找到{FSI}{typed}{PDI}</div>' in render.to_html(reply)
    client = render.for_clients(reply)
    assert client.title == f"找到{FSI}{typed}{PDI}" and client.quote == f"{FSI}{typed}{PDI}\n第二行"


def test_a_rest_action_note_keeps_the_title_inside_it() -> None:
    """REST ``action_note`` of a 1on1 agenda item: the desk's note quoting the item's title."""
    item = AgendaItem(
        id=1,
        text="t",
        author_id=1,
        private=False,
        meeting_id=None,
        action_note=f"已开销项：{user_text(f'a{RLO}b')}，负责人 张三",
    )
    assert ItemRead.of(item, None).action_note == f"已开销项：{FSI}a{RLO}b{PDI}，负责人 张三"


def test_help_for_an_unknown_word_isolates_it(sqlite_chat: ChatDriver) -> None:
    """/帮助 <U+202E>通知 echoed the word bare (session 13): the rest of the reply read
    backwards."""
    reply = sqlite_chat.text(f"/帮助 {RLO}通知", as_="lihua")
    assert f"「/{FSI}{RLO}通知{PDI}」" in reply, reply
