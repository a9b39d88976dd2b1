"""Fixtures the OKR tests share: a CLI environment on a file database with the demo loaded."""

from __future__ import annotations

from pathlib import Path

import pytest
from typer.testing import CliRunner

from teamassist.cli import app

cli = CliRunner()


@pytest.fixture
def env(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    """A working directory whose ``teamassist`` commands use ``ta.db`` there (migrated, the demo
    loaded) with every chat platform off; returns the directory."""
    monkeypatch.chdir(tmp_path)
    monkeypatch.setenv("TEAMASSIST_DATABASE__URL", f"sqlite:///{tmp_path}/ta.db")
    monkeypatch.setenv("TEAMASSIST_CONFIG", str(tmp_path / "teamassist.toml"))
    for name in (
        "TEAMASSIST_QQ__ENABLED",
        "TEAMASSIST_FEISHU__ENABLED",
        "TEAMASSIST_WECOM__ENABLED",
    ):
        monkeypatch.delenv(name, raising=False)
    assert cli.invoke(app, ["db", "upgrade"]).exit_code == 0
    assert cli.invoke(app, ["demo", "load"]).exit_code == 0
    return tmp_path
