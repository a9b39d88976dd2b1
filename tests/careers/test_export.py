"""Fix 3 (session 7): the workspace export (read by admins) carries no plan's content.

docs/careers.md: an admin who is not standing in does not read plans. The export keeps who has
a plan for which year and each goal's number, date and status; the texts are blanked. Every
backend: the rules become SQL.
"""

from __future__ import annotations

import io
import json
import zipfile

from teamassist.database import transaction
from teamassist.team import service
from teamassist.team.archive import export_workspace
from tests.careers.support import plans, without_demo_plans
from tests.okr.support import set_clock
from tests.outreach.support import ids, set_up_groups
from tests.support.chat import ChatDriver

WORDS = ("DIRX1成为后端架构师", "STRX2系统设计", "GOALX3主导一次架构评审", "EVIX4评审纪要")


def test_export_keeps_whose_plan_and_goal_states_but_no_content(chat: ChatDriver) -> None:
    # given 张三 wrote a plan: direction, strengths, a goal with evidence, in progress
    set_clock(chat.runtime, "2026-11-30 09:00")
    set_up_groups(chat.runtime)
    without_demo_plans(chat.runtime)
    chat.text("/职业规划 发起 @张三 截止 2026-12-31 18:00 请写规划", as_="lihua")
    chat.text(f"/职业规划 方向 {WORDS[0]}", as_="zhangsan")
    chat.text(f"/职业规划 优势 {WORDS[1]}", as_="zhangsan")
    chat.text(f"/职业规划 目标 1 2027-06-30 {WORDS[2]}", as_="zhangsan")
    chat.text(f"/职业规划 证据 1 {WORDS[3]}", as_="zhangsan")
    chat.text("/职业规划 目标状态 1 进行中", as_="zhangsan")
    [plan] = plans(chat.runtime)
    assert plan.direction == WORDS[0] and plan.goals[0].evidence == WORDS[3]

    # when the workspace is exported
    with transaction(chat.runtime.factory) as session:
        demo = service.get_workspace_by_key(session, key="demo")
        assert demo is not None
        data = export_workspace(session, workspace=demo, now=chat.runtime.clock()).data
    files = zipfile.ZipFile(io.BytesIO(data))
    texts = {name: files.read(name).decode("utf-8-sig") for name in files.namelist()}

    # then none of what 张三 wrote is in any file
    for word in WORDS:
        assert [name for name, text in texts.items() if word in text] == [], word
    # and the plan's facts stay: whose, which year, its goal's number, date and status
    tables = json.loads(texts["workspace.json"])["tables"]
    [row] = tables["career_plan"]
    assert (row["member_id"], row["year"]) == (ids(chat.runtime)["zhangsan"], plan.year)
    assert row["direction"] is None and row["strengths"] is None and row["notes"] is None
    [goal] = tables["career_goal"]
    assert (goal["number"], goal["target_date"], goal["status"]) == (
        1,
        "2027-06-30",
        plan.goals[0].status,
    )
    assert goal["title"] is None and goal["evidence"] is None
