"""The command line: chat as a member, config check in plain words."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import pytest
from typer.testing import CliRunner

from teamassist import migrate
from teamassist.cli import app

runner = CliRunner()


@pytest.fixture
def env(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    monkeypatch.chdir(tmp_path)
    monkeypatch.setenv("TEAMASSIST_DATABASE__URL", f"sqlite:///{tmp_path}/ta.db")
    monkeypatch.setenv("TEAMASSIST_CONFIG", str(tmp_path / "teamassist.toml"))
    for name in (
        "TEAMASSIST_QQ__ENABLED",
        "TEAMASSIST_FEISHU__ENABLED",
        "TEAMASSIST_WECOM__ENABLED",
    ):
        monkeypatch.delenv(name, raising=False)
    return tmp_path


def test_db_upgrade_demo_and_chat_help(env: Path) -> None:
    assert runner.invoke(app, ["db", "upgrade"]).exit_code == 0
    first = runner.invoke(app, ["demo", "load"])
    assert "loaded" in first.output
    assert "already present" in runner.invoke(app, ["demo", "load"]).output
    result = runner.invoke(app, ["chat", "--as", "admin", "/帮助"])
    assert result.exit_code == 0, result.output
    assert "小助理指令帮助" in result.output and "/帮助" in result.output


def test_chat_as_unknown_member_is_a_clear_error(env: Path) -> None:
    runner.invoke(app, ["db", "upgrade"])
    runner.invoke(app, ["demo", "load"])
    result = runner.invoke(app, ["chat", "--as", "nobody", "/帮助"])
    assert result.exit_code == 1 and "找不到成员" in result.output


def test_interactive_chat_reads_lines(env: Path) -> None:
    runner.invoke(app, ["db", "upgrade"])
    runner.invoke(app, ["demo", "load"])
    result = runner.invoke(app, ["chat", "--as", "zhangsan"], input="/我是谁\n/help\n")
    assert "张三" in result.output and "小助理指令帮助" in result.output


def test_config_check_reports_missing_schema_and_secrets_in_file(env: Path) -> None:
    (env / "teamassist.toml").write_text(
        '[qq]\nenabled = true\napp_id = ""\nsecret = "leaked"\n', encoding="utf-8"
    )
    result = runner.invoke(app, ["config", "check"])
    assert result.exit_code == 1
    assert "qq.secret" in result.output and "TEAMASSIST_QQ__SECRET" in result.output
    assert "qq.app_id is empty" in result.output
    assert "teamassist db upgrade" in result.output


def test_config_check_passes_when_complete(env: Path) -> None:
    migrate.upgrade(f"sqlite:///{env}/ta.db")
    result = runner.invoke(app, ["config", "check"])
    assert result.exit_code == 0, result.output
    assert "configuration OK" in result.output


def test_config_check_bad_toml_and_unreachable_database(
    env: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    (env / "teamassist.toml").write_text("[web\nport = ", encoding="utf-8")
    monkeypatch.setenv("TEAMASSIST_DATABASE__URL", "postgresql://nobody@127.0.0.1:1/none")
    result = runner.invoke(app, ["config", "check"])
    assert result.exit_code == 1
    assert "not valid TOML" in result.output and "cannot reach the database" in result.output


def test_secrets_dir_is_read(env: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    from teamassist.config import load_settings

    secrets = env / "secrets"
    secrets.mkdir()
    (secrets / "TEAMASSIST_QQ__SECRET").write_text("from-file\n", encoding="utf-8")
    monkeypatch.setenv("TEAMASSIST_SECRETS_DIR", str(secrets))
    settings = load_settings()
    assert settings.qq.secret is not None and settings.qq.secret.get_secret_value() == "from-file"


def test_the_options_default_to_the_demo_workspace() -> None:
    from teamassist import demo
    from teamassist.cli import DEMO_WORKSPACE

    assert DEMO_WORKSPACE == demo.DEMO_KEY


def test_the_command_line_loads_no_migrations_demo_or_importers() -> None:
    # A fresh interpreter: what `teamassist serve` pays for before it builds the app.
    probe = (
        "import sys, teamassist.cli; "
        "print(sorted(m for m in ('alembic', 'teamassist.demo', 'teamassist.migrate', "
        "'teamassist.importers', 'teamassist.bootstrap') if m in sys.modules))"
    )
    out = subprocess.run([sys.executable, "-c", probe], capture_output=True, text=True, check=True)
    assert out.stdout.strip() == "[]"
