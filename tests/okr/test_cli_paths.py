"""Every path the command line takes (okr import FILE, okr export --to, workspace export --to):
missing, a folder, in a missing folder, or an existing file, is one Chinese-first line and
exit 1, never a traceback, nothing written (tester s25 F-24: FileNotFoundError and
IsADirectoryError tracebacks; an existing export overwritten in silence)."""

from __future__ import annotations

from pathlib import Path

import pytest
from typer.testing import CliRunner

from teamassist.cli import app

runner = CliRunner()


def _run(*args: str) -> tuple[int, str]:
    result = runner.invoke(app, list(args))
    assert "Traceback" not in result.output, result.output
    assert result.exception is None or isinstance(result.exception, SystemExit), result.exception
    return result.exit_code, result.output


@pytest.mark.parametrize(
    ("command", "said"),
    [
        (("okr", "import", "nonexist.csv", "--cycle", "2026Q4"), "找不到文件「nonexist.csv」"),
        (("okr", "import", "."), "「.」是一个文件夹，请给出文件名（例如 okr.xlsx）"),
        # tester s27 A-3: it wrote an .xlsx into x.txt; /dev/zero was read for ever
        (("okr", "export", "--to", "x.txt"), "扩展名不是 .xlsx 或 .csv"),
        (("okr", "import", "/dev/zero", "--cycle", "2026Q4"), "表格太大"),
        (("okr", "export", "--to", "nowhere/x.csv"), "文件夹「nowhere」不存在"),
        (("workspace", "export", "demo", "--to", "nowhere/x.zip"), "文件夹「nowhere」不存在"),
        (
            ("workspace", "export", "demo", "--to", "."),
            "「.」是一个文件夹，请给出文件名（例如 export.zip）",
        ),
    ],
)
def test_a_path_that_cannot_be_used_is_one_line(
    env: Path, command: tuple[str, ...], said: str
) -> None:
    code, output = _run(*command)
    assert code == 1 and said in output and "没有" in output, output
    assert not (env / "nowhere").exists()


def test_an_existing_file_is_kept_unless_overwrite(env: Path) -> None:
    for command in (("okr", "export", "--to", "q.csv"), ("workspace", "export", "demo")):
        target = env / ("q.csv" if command[0] == "okr" else "ws.zip")
        to = () if command[0] == "okr" else ("--to", str(target))
        target.write_text("mine")
        code, output = _run(*command, *to)
        assert code == 1 and "已经存在，这次没有覆盖它" in output, output
        assert target.read_text() == "mine"
        code, output = _run(*command, *to, "--overwrite")
        assert code == 0, output
        assert target.read_bytes() != b"mine" and not list(env.glob(".*.part"))
