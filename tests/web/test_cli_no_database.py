"""Issue 16, operations item 4: a process started against a database it cannot reach stops with
one line naming the setting to check (and no password), exit code 3, not a traceback."""

from __future__ import annotations

from pathlib import Path

import pytest
from typer.testing import CliRunner

from teamassist.cli import app
from tests.support.tcp_proxy import closed_port

runner = CliRunner()
PASSWORD = "s3cret-pw"


@pytest.fixture
def unreachable(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> str:
    """Settings whose PostgreSQL nobody listens on (a broker set, for the scale-out roles)."""
    monkeypatch.chdir(tmp_path)
    monkeypatch.setenv("TEAMASSIST_CONFIG", str(tmp_path / "teamassist.toml"))
    url = f"postgresql://team:{PASSWORD}@127.0.0.1:{closed_port()}/teamassist"
    monkeypatch.setenv("TEAMASSIST_DATABASE__URL", url)
    monkeypatch.setenv("TEAMASSIST_DATABASE__CONNECT_TIMEOUT_SECONDS", "2")
    monkeypatch.setenv("TEAMASSIST_SCALE_OUT__REDIS_URL", f"redis://127.0.0.1:{closed_port()}/0")
    return url


@pytest.mark.parametrize(
    "command", [["serve"], ["worker"], ["scheduler", "tick"]], ids=lambda c: " ".join(c)
)
def test_a_role_without_its_database_says_which_setting_to_check(
    unreachable: str, command: list[str]
) -> None:
    result = runner.invoke(app, command)
    assert result.exit_code == 3, result.output
    assert result.exception is None or isinstance(result.exception, SystemExit)
    out = result.output
    assert "database.url" in out and "TEAMASSIST_DATABASE__URL" in out
    assert "postgresql 127.0.0.1:" in out and "/teamassist" in out  # which database
    assert PASSWORD not in out
    assert "Traceback" not in out
    assert len(out.strip().splitlines()) == 1


def test_a_sqlite_file_that_cannot_be_read_is_named_too(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.chdir(tmp_path)
    monkeypatch.setenv("TEAMASSIST_CONFIG", str(tmp_path / "teamassist.toml"))
    garbage = tmp_path / "ta.db"
    garbage.write_bytes(b"not a database, " * 512)  # e.g. a backup restored to the wrong path
    monkeypatch.setenv("TEAMASSIST_DATABASE__URL", f"sqlite:///{garbage}")
    result = runner.invoke(app, ["scheduler", "tick"])
    assert result.exit_code == 3, result.output
    assert "database.url" in result.output and "SQLite" in result.output
