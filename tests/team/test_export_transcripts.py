"""Fix 1 (session 7): the workspace export carries no chat transcript text.

A private 1on1 note, a career goal and an anonymous 找组织 letter are said in chat; the archive
is unzipped and every file searched for their words. The transport rows stay (metadata), a
normal domain row (a feedback item) stays whole. Every backend: the rules become SQL.
"""

from __future__ import annotations

import io
import json
import zipfile

from teamassist.database import transaction
from teamassist.runtime import Runtime
from teamassist.team import service
from teamassist.team.archive import export_workspace
from tests.careers.support import without_demo_plans
from tests.okr.support import set_clock
from tests.outreach.support import set_up_groups
from tests.support.chat import ChatDriver

PRIVATE = "LHPRIV2薪酬"
GOAL = "CAREERGOAL9主导架构评审"
ANONYMOUS = "ANONX7加班太多"
FEEDBACK = "FEEDBK5打印机坏了"


def _archive(runtime: Runtime) -> dict[str, str]:
    with transaction(runtime.factory) as session:
        demo = service.get_workspace_by_key(session, key="demo")
        assert demo is not None
        data = export_workspace(session, workspace=demo, now=runtime.clock()).data
    files = zipfile.ZipFile(io.BytesIO(data))
    return {name: files.read(name).decode("utf-8-sig") for name in files.namelist()}


def test_the_export_keeps_no_chat_text_but_keeps_the_rows(chat: ChatDriver) -> None:
    # given a private note, a career goal, an anonymous letter and a feedback item, all in chat
    set_clock(chat.runtime, "2026-11-30 09:00")
    set_up_groups(chat.runtime)
    without_demo_plans(chat.runtime)
    assert "私密" in chat.text(f"/议题 @张三 {PRIVATE} 私密", as_="lihua")
    chat.text("/一对一 @张三", as_="admin")  # its reply is stored in the inbox too
    chat.text("/职业规划 发起 @张三 截止 2026-12-31 18:00 请写规划", as_="lihua")
    chat.text(f"/职业规划 目标 1 2027-06-30 {GOAL}", as_="zhangsan")
    assert "R-" in chat.text(f"/找组织 匿名 {ANONYMOUS}", as_="wangwu")
    chat.text(f"/问题反馈 {FEEDBACK}", as_="zhangsan")

    # when the workspace is exported
    files = _archive(chat.runtime)

    # then no file carries the private note or the career goal
    for secret in (PRIVATE, GOAL):
        assert [name for name, text in files.items() if secret in text] == [], secret
    # and the anonymous letter is only in its own row (whose sender is blanked), in no transcript
    tables = json.loads(files["workspace.json"])["tables"]
    holding = sorted(
        name for name, rows in tables.items() if ANONYMOUS in json.dumps(rows, ensure_ascii=False)
    )
    assert holding == ["org_message"]
    assert [n for n, text in files.items() if ANONYMOUS in text and n.startswith("csv/")] == [
        "csv/org_message.csv"
    ]
    # and the transport rows are there, their texts blank
    assert tables["inbound_event"] and tables["outbox_message"]
    assert all(r["message"] is None and r["reply"] is None for r in tables["inbound_event"])
    assert all(r["platform"] for r in tables["inbound_event"])
    assert all(r["payload"] is None and r["address"] for r in tables["outbox_message"])
    # and a normal domain row keeps its text
    assert FEEDBACK in files["workspace.json"]
    assert any(FEEDBACK in text for name, text in files.items() if name.startswith("csv/feedback"))
