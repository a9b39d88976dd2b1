"""Export of a team's cycle as CSV and XLSX: REST and `teamassist okr export`."""

from __future__ import annotations

import csv
import io
from collections.abc import Iterator
from datetime import datetime
from pathlib import Path
from typing import Any

import pytest
from fastapi.testclient import TestClient
from openpyxl import load_workbook
from typer.testing import CliRunner

from teamassist.cli import app
from teamassist.clock import utcnow
from teamassist.runtime import Runtime
from teamassist.web.app import create_app
from tests.conftest import load_demo
from tests.okr.support import SHANGHAI, set_clock
from tests.support.web import sign_in

HEADER = [
    "目标(O)",
    "目标类型",
    "负责人",
    "关键结果(KR)",
    "KR类型",
    "起始值",
    "目标值",
    "当前值",
    "单位",
    "权重",
    "进展",
    "信心",
    "状态",
    "评分",
    "最近登记",
]


@pytest.fixture
def api(sqlite_runtime: Runtime) -> Iterator[TestClient]:
    """The demo on 2026-11-16: its finished 2026Q3 cycle has 3 Os and 7 KRs."""
    set_clock(sqlite_runtime, "2026-11-16 09:00")
    load_demo(sqlite_runtime)  # its OKRs go into the quarter before: 2026Q3
    with TestClient(create_app(sqlite_runtime, start_background=False)) as client:
        sign_in(client)
        yield client


def _cycle_id(api: TestClient, key: str) -> int:
    response = api.get("/api/v1/okr/cycles", params={"year": 2026})
    assert response.status_code == 200, response.text
    return int(next(c["id"] for c in response.json() if c["key"] == key))


def _csv(api: TestClient, cycle_id: int) -> list[list[str]]:
    response = api.get(f"/api/v1/okr/cycles/{cycle_id}/export.csv")
    assert response.status_code == 200, response.text
    assert response.headers["content-type"].startswith("text/csv")
    assert "okr-" in response.headers["content-disposition"]
    assert response.content.startswith("\ufeff".encode())
    return list(csv.reader(io.StringIO(response.content.decode("utf-8-sig"))))


def _by_kr(rows: list[list[Any]]) -> dict[str, dict[str, Any]]:
    return {row[3]: dict(zip(HEADER, row, strict=True)) for row in rows[1:]}


def test_csv_has_one_row_per_kr_with_values_progress_and_score(api: TestClient) -> None:
    rows = _csv(api, _cycle_id(api, "2026Q3"))
    assert rows[0] == HEADER
    assert len(rows) == 1 + 7
    defects = _by_kr(rows)["线上缺陷数"]
    assert defects["目标(O)"] == "提升交付质量"
    assert defects["目标类型"] == "承诺型"
    assert defects["KR类型"] == "降低"
    assert (defects["起始值"], defects["目标值"], defects["当前值"]) == ("50", "10", "14")
    assert defects["单位"] == "个"
    assert defects["权重"] == "50%"
    assert defects["进展"] == "90%"  # (14 − 50) / (10 − 50)
    assert defects["信心"] == "7"
    assert defects["评分"] == "0.9"
    assert defects["最近登记"].startswith("2026-09-")
    revenue = _by_kr(rows)["营收"]
    assert revenue["评分"] == "0.8"  # the override, not the suggestion
    assert revenue["进展"] == "70%"


def test_xlsx_keeps_numbers_as_numbers_and_formats_percents(api: TestClient) -> None:
    response = api.get(f"/api/v1/okr/cycles/{_cycle_id(api, '2026Q3')}/export.xlsx")
    assert response.status_code == 200, response.text
    assert response.headers["content-type"].startswith("application/vnd.openxmlformats")
    sheet = load_workbook(io.BytesIO(response.content)).active
    assert sheet is not None
    rows = [list(r) for r in sheet.iter_rows(values_only=True)]
    assert rows[0] == HEADER
    assert sheet["A1"].font.bold
    assert sheet.freeze_panes == "A2"
    assert sheet.column_dimensions["A"].width >= 30
    defects = _by_kr(rows)["线上缺陷数"]
    assert defects["起始值"] == 50 and defects["当前值"] == 14
    assert defects["权重"] == pytest.approx(0.5)
    assert defects["进展"] == pytest.approx(0.9)
    assert isinstance(defects["最近登记"], datetime)
    index = next(i for i, r in enumerate(rows) if r[3] == "线上缺陷数") + 1
    assert sheet.cell(index, HEADER.index("权重") + 1).number_format == "0%"
    assert sheet.cell(index, HEADER.index("进展") + 1).number_format == "0%"


def test_formula_like_cells_are_quoted_in_csv_and_xlsx(api: TestClient) -> None:
    created = api.post(
        "/api/v1/okr/objectives", json={"title": '=HYPERLINK("http://x","y")', "owner": "zhangsan"}
    )
    assert created.status_code == 201, created.text
    path = f"/api/v1/okr/objectives/{created.json()['id']}/key-results"
    for title in ("+1 营收", "-缺陷", "@负责人"):
        response = api.post(path, json={"title": title, "start": 1, "target": 2, "unit": "个"})
        assert response.status_code == 201, response.text
    cycle_id = _cycle_id(api, "2026Q4")
    rows = _csv(api, cycle_id)
    assert {r[0] for r in rows[1:]} == {'\'=HYPERLINK("http://x","y")'}
    assert sorted(r[3] for r in rows[1:]) == ["'+1 营收", "'-缺陷", "'@负责人"]
    book = api.get(f"/api/v1/okr/cycles/{cycle_id}/export.xlsx").content
    sheet = load_workbook(io.BytesIO(book)).active
    assert sheet is not None
    assert sheet["A2"].value == '\'=HYPERLINK("http://x","y")'
    assert sheet["A2"].data_type == "s"


def test_another_teams_cycle_is_not_found(api: TestClient) -> None:
    assert api.get("/api/v1/okr/cycles/99999/export.csv").status_code == 404


runner = CliRunner()


def _demo_quarter() -> str:
    """The quarter the demo put its OKRs in: the one before today's (in Beijing)."""
    today = utcnow().astimezone(SHANGHAI).date()
    quarter = (today.month + 2) // 3
    return f"{today.year}Q{quarter - 1}" if quarter > 1 else f"{today.year - 1}Q4"


def test_cli_export_writes_xlsx_and_csv(env: Path) -> None:
    key = _demo_quarter()
    result = runner.invoke(app, ["okr", "export", "--cycle", key])
    assert result.exit_code == 0, result.output
    written = list(env.glob(f"okr-*-{key}.xlsx"))
    assert len(written) == 1
    sheet = load_workbook(written[0]).active
    assert sheet is not None
    assert sheet.max_row == 1 + 7
    result = runner.invoke(app, ["okr", "export", "--cycle", key, "--to", "q3.csv"])
    assert result.exit_code == 0, result.output
    assert "7" in result.output
    text = (env / "q3.csv").read_text("utf-8-sig")
    assert text.splitlines()[0].split(",")[:3] == ["目标(O)", "目标类型", "负责人"]
    refused = runner.invoke(app, ["okr", "export", "--team", "nope"])
    assert refused.exit_code == 1
    assert "nope" in refused.output
