"""Issue 13: a domain withholds rows or columns of the workspace export (``ExportWithheld``).

A toy answer on the runtime's bus stands in for a domain; on every backend, because the rule
becomes SQL (a CASE per rule) and a NULL condition must not drop a row.
"""

from __future__ import annotations

import io
import json
import zipfile

import pytest
from sqlalchemy.orm import Session

from teamassist.database import transaction
from teamassist.events import ExportWithheld, Withheld
from teamassist.runtime import Runtime
from teamassist.team import service
from teamassist.team.archive import export_workspace
from teamassist.team.models import Member
from tests.conftest import load_demo


def _export(runtime: Runtime) -> tuple[dict[str, list[dict[str, object]]], int, str]:
    with transaction(runtime.factory) as session:
        demo = service.get_workspace_by_key(session, key="demo")
        assert demo is not None
        archive = export_workspace(session, workspace=demo, now=runtime.clock())
    files = zipfile.ZipFile(io.BytesIO(archive.data))
    member_csv = files.read("csv/member.csv").decode("utf-8-sig")
    return json.loads(files.read("workspace.json"))["tables"], archive.rows, member_csv


def test_withheld_rows_are_left_out_and_withheld_columns_blanked(runtime: Runtime) -> None:
    # given the demo, and a toy domain withholding 李四's row and 张三's display name
    load_demo(runtime)
    before, rows_before, _ = _export(runtime)
    asked: list[str] = []

    def withhold(session: Session, query: ExportWithheld) -> tuple[Withheld, ...]:
        asked.append(query.workspace.key)
        return (
            Withheld("member", Member.handle == "lisi"),
            Withheld("member", Member.handle == "zhangsan", columns=("display_name", "handle")),
        )

    runtime.events.subscribe(ExportWithheld, withhold)

    # when the workspace is exported
    tables, rows, member_csv = _export(runtime)

    # then 李四 is gone, 张三's row stays without the name, everybody else is untouched
    assert asked == ["demo"]
    by_id = {m["id"]: m for m in tables["member"]}
    lisi = next(m for m in before["member"] if m["handle"] == "lisi")
    zhangsan = next(m for m in before["member"] if m["handle"] == "zhangsan")
    assert lisi["id"] not in by_id
    assert by_id[zhangsan["id"]]["display_name"] is None
    assert by_id[zhangsan["id"]]["handle"] is None
    # and their folded keys, which spell them out
    assert by_id[zhangsan["id"]]["handle_key"] is None
    assert by_id[zhangsan["id"]]["name_key"] is None
    assert by_id[zhangsan["id"]]["workspace_id"] == zhangsan["workspace_id"]
    untouched = [m for m in before["member"] if m["id"] not in (lisi["id"], zhangsan["id"])]
    assert untouched and all(by_id[m["id"]] == m for m in untouched)
    assert rows == rows_before - 1
    # the member CSV carries the same: neither name (other tables keep theirs, e.g. feedback)
    assert str(lisi["display_name"]) not in member_csv
    assert str(zhangsan["display_name"]) not in member_csv


def test_a_rule_that_is_null_for_a_row_keeps_the_row(runtime: Runtime) -> None:
    # given a rule on a column most members leave empty (NULL = x is NULL, not false)
    load_demo(runtime)
    before, _, _ = _export(runtime)
    assert any(m["address_as"] is None for m in before["member"])
    rule = Withheld("member", Member.address_as == "无此称呼")
    runtime.events.subscribe(ExportWithheld, lambda session, query: (rule,))
    # when exported, then every member is still there
    tables, _, _ = _export(runtime)
    assert tables["member"] == before["member"]


@pytest.mark.parametrize(
    "rule",
    [Withheld("no_such_table", Member.id == 1), Withheld("member", Member.id == 1, ("nope",))],
)
def test_a_rule_naming_nothing_real_is_refused(runtime: Runtime, rule: Withheld) -> None:
    # given a rule with a typo: silently ignoring it would export what it meant to withhold
    load_demo(runtime)
    runtime.events.subscribe(ExportWithheld, lambda session, query: (rule,))
    # when exported, then it raises
    with pytest.raises(ValueError, match="withheld rule"):
        _export(runtime)
