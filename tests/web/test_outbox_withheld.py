"""Fix 2 (session 7): the notice queue names no anonymous 找组织 sender.

王五 writes anonymously, the director answers through the relay; the relayed reply is queued to
王五 (address ``member:5``, key ``org_contact.reply:…:m5``). The admin's outbox list and page
leave out what the workspace export withholds (the same ``ExportWithheld`` answer), and keep
every other notice. REST on every backend (the rules are SQL), the page on SQLite.
"""

from __future__ import annotations

from fastapi.testclient import TestClient

from teamassist.web.app import create_app
from tests.okr.support import set_clock
from tests.outreach.support import ids, set_up_groups
from tests.support.chat import ChatDriver
from tests.support.web import sign_in


def _anonymous_letter_answered(chat: ChatDriver) -> str:
    """The sender's address, where the relayed reply is checked to be queued."""
    set_clock(chat.runtime, "2026-11-30 09:00")
    set_up_groups(chat.runtime)  # 李华 directs the demo team
    reply = chat.text("/找组织 匿名 加班太多", as_="wangwu")
    code = reply[reply.index("R-") :].split("）")[0]
    assert "已把回复转达给" in chat.text(f"/回复 {code} 周五聊", as_="lihua")
    wangwu = ids(chat.runtime)["wangwu"]
    address = f"member:{wangwu}"
    assert any(
        m.address == address and m.idempotency_key.startswith("org_contact.reply:")
        for m in chat.queued()
    ), "the relayed reply is queued to the sender"
    return address


def test_outbox_api_leaves_out_the_anonymous_senders_notices(chat: ChatDriver) -> None:
    # given an anonymous letter answered through the relay, and a named feedback notice
    address = _anonymous_letter_answered(chat)
    chat.text("/问题反馈 打印机坏了", as_="zhangsan")
    # when the admin lists the outbox
    with TestClient(create_app(chat.runtime, start_background=False)) as client:
        sign_in(client)
        rows = client.get("/api/v1/outbox", params={"limit": 1000}).json()
    # then nothing is addressed to the sender or keyed with them, and other notices stay
    assert rows
    assert [r for r in rows if r["address"] == address] == []
    assert [r for r in rows if str(r["idempotency_key"]).startswith("org_contact.")] == []
    assert any(str(r["idempotency_key"]).startswith("feedback") for r in rows), rows
    # and a retry of a hidden notice is refused like a missing one
    hidden = [m.id for m in chat.queued() if m.address == address]
    with TestClient(create_app(chat.runtime, start_background=False)) as client:
        sign_in(client)
        refused = client.post(f"/api/v1/outbox/{hidden[0]}/retry")
    assert refused.status_code == 404


def test_outbox_page_leaves_out_the_anonymous_senders_notices(sqlite_chat: ChatDriver) -> None:
    # given the same on SQLite
    address = _anonymous_letter_answered(sqlite_chat)
    sqlite_chat.text("/问题反馈 打印机坏了", as_="zhangsan")
    # when the admin opens the outbox page
    with TestClient(create_app(sqlite_chat.runtime, start_background=False)) as client:
        sign_in(client)
        page = client.get("/outbox", headers={"Accept": "text/html"})
    # then the sender's address is nowhere on it, and other notices are listed
    assert page.status_code == 200
    assert address not in page.text
    assert 'class="status-' in page.text
