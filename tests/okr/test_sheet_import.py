"""Import of OKRs from CSV/XLSX sheets (the seed's template layout and our export): dry run,
every row's problem by number, all-or-nothing apply, idempotent re-import; REST and CLI."""

from __future__ import annotations

import csv
import io
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from fastapi.testclient import TestClient
from openpyxl import Workbook
from sqlalchemy import select
from typer.testing import CliRunner

from teamassist.cli import app
from teamassist.okr.models import KeyResult, Objective
from teamassist.runtime import Runtime
from teamassist.web.app import create_app
from tests.conftest import load_demo
from tests.okr.support import demo, set_clock
from tests.support.web import give_account, sign_in

TEMPLATE_HEADER = [
    "目标",
    "目标类型",
    "负责人",
    "关键结果",
    "KR类型",
    "起始值",
    "目标值",
    "单位",
    "权重",
]


@pytest.fixture
def api(sqlite_runtime: Runtime) -> Iterator[TestClient]:
    """The demo on 2026-11-16 (2026Q4, empty), signed in as its admin."""
    set_clock(sqlite_runtime, "2026-11-16 09:00")
    load_demo(sqlite_runtime)  # its OKRs go into 2026Q3
    with TestClient(create_app(sqlite_runtime, start_background=False)) as client:
        sign_in(client)
        yield client


def _runtime(client: TestClient) -> Runtime:
    runtime: Runtime = client.app.state.runtime  # type: ignore[attr-defined]
    return runtime


def _cycle_id(api: TestClient, key: str) -> int:
    response = api.get("/api/v1/okr/cycles", params={"year": 2026})
    return int(next(c["id"] for c in response.json() if c["key"] == key))


def _template_xlsx(rows: list[list[Any]], merge_o: bool = True) -> bytes:
    """A sheet like the seed's OKR制定模板: a title row, the header, the O cell merged down."""
    book = Workbook()
    sheet = book.active
    assert sheet is not None
    sheet.append(["OKR制定模板（2026年第四季度）"])
    sheet.append(TEMPLATE_HEADER)
    start = None
    for index, row in enumerate(rows, start=3):
        sheet.append(row)
        if row[0]:
            if merge_o and start is not None and index - 1 > start:
                sheet.merge_cells(f"A{start}:A{index - 1}")
            start = index
    if merge_o and start is not None and len(rows) + 2 > start:
        sheet.merge_cells(f"A{start}:A{len(rows) + 2}")
    buffer = io.BytesIO()
    book.save(buffer)
    return buffer.getvalue()


def _csv(rows: list[list[Any]], header: list[str] = TEMPLATE_HEADER) -> bytes:
    buffer = io.StringIO()
    writer = csv.writer(buffer)
    writer.writerow(header)
    writer.writerows(rows)
    return buffer.getvalue().encode("utf-8-sig")


GOOD: list[list[Any]] = [
    ["提升交付质量", "承诺型", "zhangsan", "线上缺陷数", "", 50, 10, "个", 50],
    [None, None, None, "营收", "提升", 100, 200, "万元", 50],
    ["让新人一周内上手", "挑战型", "李四", "入门教程完成率", "提升", 20, 80, "%", 60],
    [None, None, None, "首次响应时间", "保持≤", 8, 4, "小时", 40],
]


def _post(
    api: TestClient, cycle_id: int, content: bytes, name: str, *, apply: bool = False
) -> dict[str, Any]:
    response = api.post(
        f"/api/v1/okr/cycles/{cycle_id}/import",
        params={"apply": "true"} if apply else None,
        files={"file": (name, content)},
    )
    assert response.status_code == 200, response.text
    body: dict[str, Any] = response.json()
    return body


def _count(runtime: Runtime) -> tuple[int, int]:
    with demo(runtime) as given:
        objectives = len(given.session.scalars(select(Objective.id)).all())
        krs = len(given.session.scalars(select(KeyResult.id)).all())
    return objectives, krs


def test_template_xlsx_dry_run_then_apply_then_reimport_does_not_double(api: TestClient) -> None:
    runtime = _runtime(api)
    cycle_id = _cycle_id(api, "2026Q4")
    before = _count(runtime)
    content = _template_xlsx(GOOD)

    dry = _post(api, cycle_id, content, "okr.xlsx")
    assert dry["applied"] is False
    assert dry["problems"] == []
    assert [(o["title"], o["owner"], o["okr_type"]) for o in dry["objectives"]] == [
        ("提升交付质量", "zhangsan", "committed"),
        ("让新人一周内上手", "lisi", "aspirational"),  # matched by display name 李四
    ]
    assert [o["row"] for o in dry["objectives"]] == [3, 5]
    assert dry["objectives"][0]["key_results"][0]["kind"] is None  # inferred when created
    assert "试运行" in dry["summary"][0]
    assert _count(runtime) == before  # a dry run writes nothing

    done = _post(api, cycle_id, content, "okr.xlsx", apply=True)
    assert done["applied"] is True and done["problems"] == []
    assert _count(runtime) == (before[0] + 2, before[1] + 4)
    with demo(runtime) as given:
        made = given.session.scalars(
            select(Objective).where(Objective.cycle_id == cycle_id).order_by(Objective.number)
        ).all()
        assert [(o.title, o.state, o.okr_type) for o in made] == [
            ("提升交付质量", "draft", "committed"),
            ("让新人一周内上手", "draft", "aspirational"),
        ]
        defects = given.session.scalars(
            select(KeyResult).where(KeyResult.title == "线上缺陷数", KeyResult.cycle_id == cycle_id)
        ).one()
        assert (defects.kind, defects.start_value, defects.target_value) == ("decrease", 50, 10)
        assert (defects.unit, defects.weight) == ("个", 50)
        response_time = given.session.scalars(
            select(KeyResult).where(
                KeyResult.title == "首次响应时间", KeyResult.cycle_id == cycle_id
            )
        ).one()
        assert response_time.kind == "stay_below"

    again = _post(api, cycle_id, content, "okr.xlsx", apply=True)
    assert again["problems"] == []
    assert [o["exists"] for o in again["objectives"]] == [True, True]
    assert _count(runtime) == (before[0] + 2, before[1] + 4)  # idempotent: nothing doubled


def test_bad_rows_are_each_reported_with_their_row_number_and_nothing_is_created(
    api: TestClient,
) -> None:
    runtime = _runtime(api)
    cycle_id = _cycle_id(api, "2026Q4")
    rows: list[list[Any]] = [
        [
            "质量",
            "承诺型",
            "zhangsan",
            "缺陷",
            "",
            50,
            "十",
            "个",
            50,
        ],  # row 2: target not a number
        ["", "", "", "营收", "", 100, 100, "万元", 50],  # row 3: target == start
        ["体验", "", "zhangsan", "满意度", "翻倍", 1, 2, "分", 50],  # row 4: unknown kind
        ["", "", "", "留存", "", 1, 2, "%", 50],
        ["效率", "", "zhangsan", "构建时长", "降低", 30, 10, "分钟", 40],  # row 6: 40 + 50
        ["", "", "", "发布次数", "", 1, 4, "次", 50],
        ["招聘", "", "周八", "到岗人数", "", 0, 3, "人", 50],  # row 8: unknown owner
        ["", "", "", "面试数", "", 0, 30, "场", 50],
    ]
    # Rows 10–15: three more Os for zhangsan, who then has six (at most five).
    for index in range(3):
        rows.append([f"目标{index}", "", "zhangsan", "甲", "", 0, 1, "个", 50])
        rows.append(["", "", "", "乙", "", 0, 1, "个", 50])
    before = _count(runtime)
    report = _post(api, cycle_id, _csv(rows), "bad.csv", apply=True)
    assert report["applied"] is False
    problems = [(p["row"], p["message"]) for p in report["problems"]]
    rows_with_problems = [row for row, _m in problems]
    assert rows_with_problems == [2, 3, 4, 6, 8, 14]
    messages = dict(problems)
    assert "「十」不是数字" in messages[2]
    assert "目标值和起始值都是 100" in messages[3]
    assert "「翻倍」不是KR类型" in messages[4]
    assert "「效率」的KR权重合计 90%" in messages[6]
    assert "找不到负责人「周八」" in messages[8]
    assert "将有 6 个目标，最多 5 个" in messages[14]
    assert "表格有 6 处问题" in report["summary"][0]
    assert "第 2 行：" in "\n".join(report["summary"])
    assert _count(runtime) == before  # all or nothing


def test_the_refusal_counts_the_problems_it_lists_and_marks_warnings(api: TestClient) -> None:
    # given the tester's sheet: one O with a single KR (a warning) and the unknown owner "ghost"
    cycle_id = _cycle_id(api, "2026Q4")
    rows: list[list[Any]] = [["孤单目标", "", "ghost", "唯一KR", "", 0, 10, "个", 100]]
    # when it is dry-run
    report = _post(api, cycle_id, _csv(rows), "one.csv")
    summary: list[str] = report["summary"]
    # then the head counts one problem, one unmarked row line follows it, the warning says so
    assert [p["row"] for p in report["problems"]] == [2]
    assert "表格有 1 处问题" in summary[0]
    assert "找不到负责人「ghost」" in summary[1]
    row_lines = [line for line in summary if line.startswith("第 ")]
    assert len([line for line in row_lines if "（提醒" not in line]) == 1
    warned = [line for line in row_lines if "（提醒" in line]
    assert len(warned) == 1 and "只有 1 个关键结果" in warned[0]


def test_too_many_krs_and_a_missing_header_are_reported(api: TestClient) -> None:
    cycle_id = _cycle_id(api, "2026Q4")
    six = [["大目标", "", "zhangsan", "KR1", "", 0, 1, "个", 20]] + [
        ["", "", "", f"KR{n}", "", 0, 1, "个", 16] for n in range(2, 7)
    ]
    report = _post(api, cycle_id, _template_xlsx(six), "six.xlsx")
    assert [(p["row"], "最多 5 个" in p["message"]) for p in report["problems"]] == [(8, True)]
    headless = _post(api, cycle_id, _csv([["a", "b"]], header=["名称", "说明"]), "x.csv")
    assert headless["problems"][0]["row"] == 0
    assert "没有找到表头" in headless["problems"][0]["message"]


def test_the_export_of_one_cycle_imports_into_the_next(api: TestClient) -> None:
    runtime = _runtime(api)
    exported = api.get(f"/api/v1/okr/cycles/{_cycle_id(api, '2026Q3')}/export.xlsx").content
    cycle_id = _cycle_id(api, "2026Q4")
    report = _post(api, cycle_id, exported, "okr-2026Q3.xlsx", apply=True)
    assert report["problems"] == [], report["summary"]
    assert report["applied"] is True
    assert [o["title"] for o in report["objectives"]] == [
        "社区成为开发者的首选",
        "提升交付质量",
        "让新人一周内上手",
    ]
    weights = [k["weight"] for o in report["objectives"] for k in o["key_results"]]
    assert weights == [60, 40, 50, 30, 20, 50, 50]  # read back from the percent format
    with demo(runtime) as given:
        binary = given.session.scalars(
            select(KeyResult).where(KeyResult.title == "新版本上线", KeyResult.cycle_id == cycle_id)
        ).one()
        assert binary.kind == "binary"
    csv_export = api.get(f"/api/v1/okr/cycles/{_cycle_id(api, '2026Q3')}/export.csv").content
    again = _post(api, cycle_id, csv_export, "okr-2026Q3.csv")
    assert [o["exists"] for o in again["objectives"]] == [True, True, True]


def test_members_may_not_import_and_a_broken_file_is_refused(api: TestClient) -> None:
    cycle_id = _cycle_id(api, "2026Q4")
    broken = api.post(
        f"/api/v1/okr/cycles/{cycle_id}/import",
        files={"file": ("x.xlsx", b"PK\x03\x04 not really a zip")},
    )
    assert broken.status_code == 422, broken.text
    give_account(_runtime(api), "zhangsan")
    api.cookies.clear()
    sign_in(api, "zhangsan", "pw-zhangsan")
    refused = api.post(
        f"/api/v1/okr/cycles/{cycle_id}/import", files={"file": ("a.csv", _csv(GOOD))}
    )
    assert refused.status_code == 403, refused.text


def test_a_cell_too_long_for_the_reader_is_refused_naming_its_row(api: TestClient) -> None:
    """Tester s28 E-9: a CSV with one cell over 128 KiB (or a quote never closed) answered 500
    and printed a traceback in the CLI; it is refused like any unreadable sheet (422)."""
    cycle_id = _cycle_id(api, "2026Q4")
    for data in (
        '目标,KR\n"'.encode() + b"x" * 140_000 + b"\n",  # a quote never closed
        "目标,KR\n质量,".encode() + b"a" * 140_000 + b"\n",  # one long cell
    ):
        refused = api.post(
            f"/api/v1/okr/cycles/{cycle_id}/import", files={"file": ("g.csv", data, "text/csv")}
        )
        assert refused.status_code == 422, refused.text
        assert refused.json()["error"] == "okr_sheet.import.bad_csv"
        assert "表格第 2 行读不了" in refused.json()["message"], refused.text


runner = CliRunner()


def test_cli_import_is_a_dry_run_until_apply(env: Path) -> None:
    (env / "okr.csv").write_bytes(_csv(GOOD))
    args = ["okr", "import", "okr.csv", "--team", "community", "--cycle", "2027Q1"]
    dry = runner.invoke(app, args)
    assert dry.exit_code == 0, dry.output
    assert "试运行" in dry.output and "将在 2027Q1 创建 2 个目标、4 个关键结果" in dry.output
    applied = runner.invoke(app, [*args, "--apply"])
    assert applied.exit_code == 0, applied.output
    assert "已在 2027Q1 创建 2 个目标" in applied.output
    again = runner.invoke(app, [*args, "--apply"])
    assert "创建 0 个目标" in again.output and "跳过" in again.output
    (env / "bad.csv").write_bytes(_csv([["质量", "", "zhangsan", "缺陷", "", 5, 5, "个", 100]]))
    bad = runner.invoke(app, ["okr", "import", "bad.csv", "--cycle", "2027Q1", "--apply"])
    assert bad.exit_code == 1
    assert "第 2 行：目标值和起始值都是 5" in bad.output
    (env / "long.csv").write_bytes("目标,KR\n质量,".encode() + b"a" * 140_000 + b"\n")
    long = runner.invoke(app, ["okr", "import", "long.csv", "--cycle", "2027Q1"])
    assert long.exit_code == 1, long.output
    assert "表格第 2 行读不了" in long.output and "Traceback" not in long.output, long.output


@pytest.mark.parametrize("word", ["yes", "on", "1", "y"])
def test_apply_takes_true_or_false_only(api: TestClient, word: str) -> None:
    """Tester s28 E-15: ``?apply=yes`` (``on``, ``1``) applied the sheet meant as a dry run,
    read as pydantic reads a query boolean. Now a 422 naming ``apply``, nothing stored; any
    case of ``true`` still applies (Python's requests sends ``True``)."""
    runtime = _runtime(api)
    cycle_id = _cycle_id(api, "2026Q4")
    before = _count(runtime)
    url = f"/api/v1/okr/cycles/{cycle_id}/import"
    refused = api.post(url, params={"apply": word}, files={"file": ("a.csv", _csv(GOOD))})
    assert refused.status_code == 422, refused.text
    [detail] = refused.json()["details"]
    assert detail["loc"] == ["query", "apply"] and detail["type"] == "bool_type", detail
    assert "应为 true 或 false" in detail["msg"], detail
    assert _count(runtime) == before
    applied = api.post(url, params={"apply": "True"}, files={"file": ("a.csv", _csv(GOOD))})
    assert applied.status_code == 200 and applied.json()["applied"] is True, applied.text
    assert _count(runtime) == (before[0] + 2, before[1] + 4)
