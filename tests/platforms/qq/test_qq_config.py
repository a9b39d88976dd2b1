"""QQ is turned on by configuration alone; `teamassist config check` names what is missing."""

from __future__ import annotations

import os
from pathlib import Path

import pytest
from fastapi.testclient import TestClient
from typer.testing import CliRunner

from teamassist.adapters.qq.config import QQSettings
from teamassist.bootstrap import build_runtime
from teamassist.cli import app
from teamassist.clock import FrozenClock
from teamassist.config import Settings
from teamassist.web.app import create_app


def test_disabled_qq_needs_nothing() -> None:
    assert QQSettings().missing() == []


def test_enabled_qq_names_each_missing_setting() -> None:
    assert QQSettings(enabled=True).missing() == [
        "qq.app_id is empty (TEAMASSIST_QQ__APP_ID)",
        "TEAMASSIST_QQ__SECRET is not set",
    ]
    bad = QQSettings(
        enabled=True,
        app_id="1",
        secret="s",
        api_base="api.sgroup.qq.com",
        fallback_channel="somewhere",
    )
    assert bad.missing() == [
        "qq.api_base must be an http(s) URL, not 'api.sgroup.qq.com'",
        "qq.fallback_channel must be a channel id or '<platform>:<address>', not 'somewhere'",
    ]
    assert (
        QQSettings(enabled=True, app_id="1", secret="s", fallback_channel="feishu:oc_1").missing()
        == []
    )


@pytest.fixture
def env(tmp_path: Path, sqlite_url: str, monkeypatch: pytest.MonkeyPatch) -> dict[str, str]:
    """A clean environment: no config file, a migrated database."""
    for name in list(os.environ):
        if name.startswith("TEAMASSIST_"):
            monkeypatch.delenv(name)
    monkeypatch.setenv("TEAMASSIST_CONFIG", str(tmp_path / "absent.toml"))
    monkeypatch.setenv("TEAMASSIST_DATABASE__URL", sqlite_url)
    monkeypatch.setenv("TEAMASSIST_WEB__SECRET_KEY", "x" * 32)
    return {}


def test_config_check_says_what_qq_lacks(env: dict[str, str]) -> None:
    result = CliRunner().invoke(app, ["config", "check"], env={"TEAMASSIST_QQ__ENABLED": "true"})

    assert result.exit_code == 1
    assert "platforms enabled: qq" in result.output
    assert "problem: qq.app_id is empty (TEAMASSIST_QQ__APP_ID)" in result.output
    assert "problem: TEAMASSIST_QQ__SECRET is not set" in result.output


def test_config_check_passes_once_qq_is_configured_by_env(env: dict[str, str]) -> None:
    result = CliRunner().invoke(
        app,
        ["config", "check"],
        env={
            "TEAMASSIST_QQ__ENABLED": "true",
            "TEAMASSIST_QQ__APP_ID": "102000001",
            "TEAMASSIST_QQ__SECRET": "qqFakeSecret0123",
            "TEAMASSIST_QQ__API_BASE": "https://sandbox.api.sgroup.qq.com/",
        },
    )

    assert result.exit_code == 0, result.output
    assert "configuration OK" in result.output


def test_without_qq_there_is_no_webhook_and_no_sender(sqlite_url: str, clock: FrozenClock) -> None:
    runtime = build_runtime(Settings(database={"url": sqlite_url}), clock=clock)
    try:
        client = TestClient(create_app(runtime, start_background=False))
        assert "qq" not in runtime.senders
        assert client.post("/qq/webhook", content=b"{}").status_code in (404, 405)
    finally:
        runtime.close()


def test_enabled_without_a_secret_the_webhook_refuses_instead_of_hanging(
    sqlite_url: str, clock: FrozenClock
) -> None:
    settings = Settings(database={"url": sqlite_url}, qq={"enabled": True, "app_id": "1"})
    runtime = build_runtime(settings, clock=clock)
    try:
        client = TestClient(create_app(runtime, start_background=False))
        response = client.post("/webhooks/qq", content=b"{}", headers={"X-Bot-Appid": "1"})
        assert response.status_code == 503
    finally:
        runtime.close()
