"""``teamassist chat --at`` and ``scheduler tick --at``: the whole run sees the pinned instant."""

from __future__ import annotations

import sqlite3
from datetime import UTC, datetime
from pathlib import Path

import pytest
from typer.testing import CliRunner

from teamassist.cli import app
from teamassist.clock import utcnow

runner = CliRunner()


def _chat(at: str, text: str, as_: str = "zhangsan") -> str:
    result = runner.invoke(app, ["chat", "--as", as_, "--at", at, text])
    assert result.exit_code == 0, result.output
    return result.output


def _rows(env: Path, sql: str) -> list[tuple[object, ...]]:
    with sqlite3.connect(env / "ta.db") as db:
        return db.execute(sql).fetchall()


def test_chat_at_lands_in_the_cycle_of_that_local_time(env: Path) -> None:
    # 2026-09-30 23:30 in Beijing is still Q3; written naive it is read in the team's zone.
    assert "2026Q3" in _chat("2026-09-30 23:30", "/新建目标 三季度收尾")
    assert "2026Q3" in _chat("2026-09-30T15:30:00Z", "/新建目标 同一刻写成UTC")
    assert "2026Q4" in _chat("2026-09-30T16:30+00:00", "/新建目标 十月零点半")
    assert "2026Q4" in _chat("2026-10-01T00:30", "/新建目标 国庆开始")
    # The rows were written at the pinned instants, not at the wall clock.
    created = _rows(env, "SELECT created_at FROM okr_objective WHERE title = '国庆开始'")
    assert str(created[0][0]).startswith("2026-09-30 16:30")
    assert utcnow() > datetime(2026, 11, 1, tzinfo=UTC)  # the pin ended with the command


def test_check_in_at_a_pinned_time_is_late_in_the_grading_window(env: Path) -> None:
    _chat("2026-12-28 10:00", "/新建目标 四季度")
    _chat("2026-12-28 10:00", "/新建KR O-1 缺陷 起始 50 目标 10 单位 个 权重 50%")
    _chat("2026-12-28 10:00", "/新建KR O-1 营收 起始 1 目标 2 单位 万元 权重 50%")
    assert "已发布" in _chat("2026-12-28 10:00", "/发布OKR")
    # 2027-01-05 is in 2026Q4's grading window: the check-in is taken, flagged late (补登).
    assert "（补登）" in _chat("2027-01-05 10:00", "/进展 KR-1 30")
    rows = _rows(env, "SELECT local_date, late FROM okr_check_in ORDER BY id DESC LIMIT 1")
    assert rows == [("2027-01-05", 1)]
    # After the window (01-10) it is refused, and nothing is written.
    result = runner.invoke(
        app, ["chat", "--as", "zhangsan", "--at", "2027-01-11 09:00", "/进展 KR-1 20"]
    )
    assert "已于1月11日关闭" in result.output
    assert len(_rows(env, "SELECT 1 FROM okr_check_in WHERE local_date >= '2027-01-01'")) == 1


def test_tick_at_a_pinned_time_sends_the_check_in_reminder(env: Path) -> None:
    _chat("2026-10-08 10:00", "/新建目标 四季度")
    _chat("2026-10-08 10:00", "/新建KR O-1 缺陷 起始 50 目标 10 单位 个 权重 50%")
    _chat("2026-10-08 10:00", "/新建KR O-1 营收 起始 1 目标 2 单位 万元 权重 50%")
    _chat("2026-10-08 10:00", "/发布OKR")
    result = runner.invoke(app, ["scheduler", "tick", "--at", "2026-10-09 16:00"])
    assert result.exit_code == 0, result.output
    assert _rows(env, "SELECT 1 FROM outbox_message WHERE idempotency_key LIKE 'okr.%'") == []
    result = runner.invoke(app, ["scheduler", "tick", "--at", "2026-10-16T16:00+08:00"])
    assert result.exit_code == 0, result.output
    [(key, created)] = _rows(
        env,
        "SELECT idempotency_key, created_at FROM outbox_message WHERE idempotency_key LIKE "
        "'okr.checkin_reminder:%'",
    )
    assert ":2026-10-16:" in str(key) and str(created).startswith("2026-10-16 08:00")
    again = runner.invoke(app, ["scheduler", "tick", "--at", "2026-10-16T16:00+08:00"])
    assert again.exit_code == 0
    assert len(_rows(env, "SELECT 1 FROM outbox_message WHERE idempotency_key LIKE 'okr.%'")) == 1


@pytest.mark.parametrize("value", ["tomorrow", "2026-13-01", "16:00", ""])
def test_bad_at_is_one_line_and_exit_2(env: Path, value: str) -> None:
    for args in (
        ["chat", "--as", "zhangsan", "--at", value, "/我的OKR"],
        ["scheduler", "tick", "--at", value],
    ):
        result = runner.invoke(app, args)
        assert result.exit_code == 2, result.output
        lines = [line for line in result.output.splitlines() if line.strip()]
        assert len(lines) == 1 and "不是 ISO 8601 时间" in lines[0]
    assert (
        _rows(
            env,
            "SELECT 1 FROM okr_objective WHERE cycle_id IN "
            "(SELECT id FROM okr_cycle WHERE key = '2026Q4')",
        )
        == []
    )


def test_naive_tick_time_is_refused_when_teams_keep_several_zones(env: Path) -> None:
    with sqlite3.connect(env / "ta.db") as db:
        db.execute(
            "INSERT INTO team (workspace_id, key, folded_key, name, timezone, settings,"
            " created_at, updated_at)"
            " SELECT workspace_id, 'berlin', 'berlin', '柏林组', 'Europe/Berlin', settings,"
            " created_at, updated_at FROM team ORDER BY id LIMIT 1"
        )
    result = runner.invoke(app, ["scheduler", "tick", "--at", "2026-10-16 16:00"])
    assert result.exit_code == 2 and "没有写时区" in result.output
    result = runner.invoke(app, ["scheduler", "tick", "--at", "2026-10-16T16:00+08:00"])
    assert result.exit_code == 0, result.output
