"""Issue #10 G: the public URL follows the real listener when unset, and demo mode stays local.

``/值班订阅`` gave a URL on port 8000 while the server listened elsewhere; ``config check`` said
OK for demo_mode on 0.0.0.0 (every visitor becomes admin).
"""

from __future__ import annotations

import re
import socket
from pathlib import Path

import pytest
from typer.testing import CliRunner

from teamassist import migrate
from teamassist.bootstrap import build_runtime
from teamassist.cli import app
from teamassist.config import Settings, WebSettings
from tests.conftest import load_demo
from tests.support.chat import ChatDriver

runner = CliRunner()


def test_unset_public_url_follows_the_listener() -> None:
    web = WebSettings(port=9123)
    assert web.public_url == "http://127.0.0.1:9123" and web.public_url_derived
    web.listen(None, 9555)  # `teamassist serve --port 9555`
    assert web.public_url == "http://127.0.0.1:9555"
    web.listen("0.0.0.0", None)
    assert web.public_url == f"http://{socket.gethostname()}:9555"
    configured = WebSettings(port=9123, public_url="https://duty.example.com")
    configured.listen(None, 9555)
    assert configured.public_url == "https://duty.example.com"
    assert not configured.public_url_derived


def test_feed_command_uses_the_listening_port(sqlite_url: str) -> None:
    settings = Settings(database={"url": sqlite_url})
    settings.web.listen(None, 9123)
    runtime = build_runtime(settings)
    try:
        load_demo(runtime)
        text = ChatDriver(runtime).text("/值班订阅", as_="zhangsan")
    finally:
        runtime.close()
    assert re.search(r"http://127\.0\.0\.1:9123/ical/[\w-]+\.ics", text), text
    assert ":8000" not in text


@pytest.fixture
def env(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    monkeypatch.chdir(tmp_path)
    monkeypatch.setenv("TEAMASSIST_DATABASE__URL", f"sqlite:///{tmp_path}/ta.db")
    monkeypatch.setenv("TEAMASSIST_CONFIG", str(tmp_path / "teamassist.toml"))
    monkeypatch.setenv("TEAMASSIST_WEB__SECRET_KEY", "x" * 32)
    for name in ("TEAMASSIST_QQ__ENABLED", "TEAMASSIST_FEISHU__ENABLED"):
        monkeypatch.delenv(name, raising=False)
    monkeypatch.delenv("TEAMASSIST_WECOM__ENABLED", raising=False)
    migrate.upgrade(f"sqlite:///{tmp_path}/ta.db")
    return tmp_path


def test_config_check_says_where_the_public_url_comes_from(
    env: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("TEAMASSIST_WEB__PORT", "9123")
    result = runner.invoke(app, ["config", "check"])
    assert result.exit_code == 0, result.output
    assert "web.public_url is not set" in result.output
    assert "http://127.0.0.1:9123" in result.output


def test_demo_mode_on_a_public_address_is_refused(
    env: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("TEAMASSIST_WEB__DEMO_MODE", "true")
    monkeypatch.setenv("TEAMASSIST_WEB__HOST", "0.0.0.0")
    check = runner.invoke(app, ["config", "check"])
    assert check.exit_code == 1
    assert "problem: demo_mode is on and web.host is '0.0.0.0'" in check.output
    assert "configuration OK" not in check.output
    served = runner.invoke(app, ["serve"])
    assert served.exit_code == 2
    assert "refusing to serve: demo_mode is on" in served.output
    # the same refusal for `serve --host 0.0.0.0` on a loopback configuration
    monkeypatch.setenv("TEAMASSIST_WEB__HOST", "127.0.0.1")
    assert runner.invoke(app, ["serve", "--host", "0.0.0.0"]).exit_code == 2
    # an explicit override serves (checked, not started here) and is still warned about
    monkeypatch.setenv("TEAMASSIST_WEB__HOST", "0.0.0.0")
    monkeypatch.setenv("TEAMASSIST_WEB__ALLOW_PUBLIC_DEMO", "true")
    allowed = runner.invoke(app, ["config", "check"])
    assert allowed.exit_code == 0 and "warning: demo_mode serves every visitor" in allowed.output
