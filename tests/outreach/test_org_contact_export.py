"""Issue 13: a workspace export never names the sender of an anonymous 有事儿找组织 message.

The sender writes from Feishu (the inbox row holds their open id and name; the acknowledgement
is queued to their chat), the director reads on the web inbox and answers with ``/回复``; the
archive is unzipped and every file searched. On every backend: the withholding rules are SQL.
"""

from __future__ import annotations

import csv
import io
import json
import logging
import zipfile
from typing import Any

import pytest
from sqlalchemy import select

from teamassist.adapters.web.models import WebMessage
from teamassist.chat.models import InboundEvent
from teamassist.chat.types import ChatType, InboundMessage
from teamassist.database import Base, transaction
from teamassist.enums import Platform
from teamassist.i18n import t
from teamassist.org_contact.models import OrgMessage
from teamassist.outbox.models import OutboxMessage
from teamassist.runtime import Runtime
from teamassist.team import service as team_service
from teamassist.team.archive import NOTE_NAME, export_workspace
from teamassist.team.models import PlatformIdentity
from tests.conftest import bind_tenant
from tests.okr.support import set_clock
from tests.outreach.support import ids, set_up_groups
from tests.support.chat import ChatDriver

TENANT = "tk_demo_feishu"
OPEN_ID = "ou_anon_7f3c9d2b"
NAME = "钱小八"
P2P_CHAT = "oc_p2p_qian"  # their 1:1 chat with the bot: where the acknowledgement goes
# The rows that describe the person themself: they are a member of the workspace.
PERSON_TABLES = {"member": "id", "platform_identity": "member_id", "team_membership": "member_id"}
# Columns that hold a member id, from the schema's foreign keys.
MEMBER_COLUMNS = {
    table.name: {fk.parent.name for fk in table.foreign_keys if fk.column.table.name == "member"}
    for table in Base.metadata.sorted_tables
}


@pytest.fixture
def desk(chat: ChatDriver) -> ChatDriver:
    set_clock(chat.runtime, "2026-11-30 09:00")
    set_up_groups(chat.runtime)  # 李华 directs the demo team; no Feishu account: web inbox
    bind_tenant(chat.runtime, "feishu", TENANT)
    return chat


def _from_feishu(runtime: Runtime, text: str, event_id: str) -> None:
    """What the Feishu webhook hands the dispatcher for a DM from 钱小八 (reply via outbox)."""
    message = InboundMessage(
        platform=Platform.FEISHU,
        tenant_key=TENANT,
        chat_key=P2P_CHAT,
        chat_type=ChatType.DIRECT,
        sender_key=OPEN_ID,
        sender_name=NAME,
        text=text,
        event_id=event_id,
        message_id=f"om_{event_id}",
    )
    runtime.dispatcher.handle(message, reply_via_outbox=True)


def _member_of(runtime: Runtime, open_id: str) -> int:
    """The member the dispatcher enrolled for ``open_id``."""
    with runtime.factory() as session:
        return session.scalars(
            select(PlatformIdentity.member_id).where(PlatformIdentity.user_key == open_id)
        ).one()


def _archive(runtime: Runtime) -> dict[str, bytes]:
    with transaction(runtime.factory) as session:
        workspace = team_service.get_workspace_by_key(session, key="demo")
        assert workspace is not None
        archive = export_workspace(session, workspace=workspace, now=runtime.clock())
    files = zipfile.ZipFile(io.BytesIO(archive.data))
    return {name: files.read(name) for name in files.namelist()}


def _rows_by_file(files: dict[str, bytes]) -> list[tuple[str, str, dict[str, Any]]]:
    """(file, table, row) for every row of every file: the JSON document and each CSV."""
    found: list[tuple[str, str, dict[str, Any]]] = []
    document = json.loads(files["workspace.json"])
    for table, rows in document["tables"].items():
        found += [("workspace.json", table, row) for row in rows]
    rest = {k: v for k, v in document.items() if k != "tables"}
    found.append(("workspace.json", "", rest))
    for name, data in files.items():
        if name.startswith("csv/"):
            table = name.removeprefix("csv/").removesuffix(".csv")
            reader = csv.DictReader(io.StringIO(data.decode("utf-8-sig")))
            found += [(name, table, row) for row in reader]
    # every other file is rows; the one note is the catalogue's fixed text (s29 F-4)
    assert set(files) == {"workspace.json", NOTE_NAME} | {n for n in files if n.startswith("csv/")}
    assert files[NOTE_NAME].decode("utf-8") == t("setup.workspace.export_note") + "\n"
    return found


def _naming(
    files: dict[str, bytes], member_id: int, needles: list[str]
) -> list[tuple[str, str, dict[str, Any]]]:
    """Rows of any file that carry one of ``needles`` or ``member_id`` in a member column,
    except the person's own directory rows."""
    hits = []
    for name, table, row in _rows_by_file(files):
        own = PERSON_TABLES.get(table)
        if own is not None and str(row[own]) == str(member_id):
            continue
        text = json.dumps(row, ensure_ascii=False)
        by_id = any(str(row.get(c)) == str(member_id) for c in MEMBER_COLUMNS.get(table, ()))
        if by_id or any(needle in text for needle in needles):
            hits.append((name, table, row))
    return hits


def test_the_export_names_no_anonymous_sender(
    desk: ChatDriver, caplog: pytest.LogCaptureFixture
) -> None:
    runtime = desk.runtime
    caplog.set_level(logging.INFO)
    # given 钱小八 writes anonymously from Feishu, the director reads it on the web and answers
    _from_feishu(runtime, "/找组织 匿名 加班太多 😮‍💨", "ev_anon_1")
    sender_id = _member_of(runtime, OPEN_ID)
    runtime.deliver()
    assert "已把回复转达给 R-1" in desk.text("/回复 R-1 周五聊", as_="lihua")
    runtime.deliver()
    # and 王五 writes a named one
    assert "收到" in desk.text("/找组织 想聊聊转岗", as_="wangwu")
    runtime.deliver()
    with runtime.factory() as session:
        # (what the database holds, so the checks below are not vacuous)
        anonymous = session.scalars(select(OrgMessage).where(OrgMessage.code == "R-1")).one()
        assert (anonymous.sender_id, anonymous.anonymous) == (sender_id, True)
        assert anonymous.inbound_event_id == "ev_anon_1"
        keys = set(session.scalars(select(OutboxMessage.idempotency_key)))
        assert f"reply:feishu:{TENANT}:ev_anon_1" in keys
        assert f"org_contact.reply:1:m{sender_id}" in keys
        assert session.scalar(select(InboundEvent.id).where(InboundEvent.event_id == "ev_anon_1"))
        web = session.scalars(select(WebMessage.payload)).all()
        assert any("匿名同事（#R-1）" in json.dumps(p, ensure_ascii=False) for p in web)

    # when the workspace is exported
    files = _archive(runtime)

    # then no file names the sender, by id, platform id or name
    needles = [OPEN_ID, NAME, P2P_CHAT, f":m{sender_id}", f"{team_service.INBOX_PREFIX}{sender_id}"]
    assert _naming(files, sender_id, needles) == []
    assert all(OPEN_ID not in m.getMessage() and NAME not in m.getMessage() for m in caplog.records)
    # (the search would see them: the person's own directory rows are there)
    assert NAME in files["csv/member.csv"].decode("utf-8-sig")
    assert OPEN_ID in files["csv/platform_identity.csv"].decode("utf-8-sig")
    tables = json.loads(files["workspace.json"])["tables"]
    [exported] = [m for m in tables["org_message"] if m["code"] == "R-1"]
    assert exported["sender_id"] is None and exported["inbound_event_id"] is None
    assert exported["text"] == "加班太多 😮‍💨" and exported["anonymous"] is True
    assert [r["text"] for r in tables["org_reply"]] == ["周五聊"]

    # and the named message exports as it is: sender, inbox row, notices, web inbox copy
    wangwu = ids(runtime)["wangwu"]
    [named] = [m for m in tables["org_message"] if m["code"] == "R-2"]
    assert named["sender_id"] == wangwu and named["inbound_event_id"]
    assert any(e["event_id"] == named["inbound_event_id"] for e in tables["inbound_event"])
    [notice] = [
        o["id"]
        for o in tables["outbox_message"]
        if o["idempotency_key"].startswith("org_contact.message:2:")
    ]
    assert [w for w in tables["web_message"] if w["outbox_id"] == notice]
