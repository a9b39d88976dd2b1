"""`teamassist config check` names exactly what an enabled Feishu app or WeCom robot lacks."""

from __future__ import annotations

import os
from collections.abc import Callable

import pytest
from typer.testing import CliRunner

from teamassist.cli import app

Check = Callable[..., tuple[int, str]]


@pytest.fixture
def check(monkeypatch: pytest.MonkeyPatch, sqlite_url: str, tmp_path: os.PathLike[str]) -> Check:
    for name in list(os.environ):
        if name.startswith("TEAMASSIST_"):
            monkeypatch.delenv(name)
    monkeypatch.setenv("TEAMASSIST_CONFIG", str(tmp_path) + "/absent.toml")
    monkeypatch.setenv("TEAMASSIST_DATABASE__URL", sqlite_url)
    monkeypatch.setenv("TEAMASSIST_WEB__SECRET_KEY", "s3cret")

    def run(**env: str) -> tuple[int, str]:
        for name, value in env.items():
            monkeypatch.setenv(name, value)
        result = CliRunner().invoke(app, ["config", "check"])
        return result.exit_code, result.output

    return run


def test_enabled_feishu_without_anything_lists_every_gap(check: Check) -> None:
    code, out = check(TEAMASSIST_FEISHU__ENABLED="true")
    assert code == 1
    assert "platforms enabled: feishu" in out
    for gap in (
        "feishu.app_id is empty",
        "TEAMASSIST_FEISHU__APP_SECRET is not set",
        "TEAMASSIST_FEISHU__VERIFICATION_TOKEN is not set",
        "TEAMASSIST_FEISHU__ENCRYPT_KEY is not set",
    ):
        assert gap in out


def test_complete_feishu_webhook_config_is_ok(check: Check) -> None:
    code, out = check(
        TEAMASSIST_FEISHU__ENABLED="true",
        TEAMASSIST_FEISHU__APP_ID="cli_a1",
        TEAMASSIST_FEISHU__APP_SECRET="x",
        TEAMASSIST_FEISHU__ENCRYPT_KEY="y",
        TEAMASSIST_FEISHU__VERIFICATION_TOKEN="z",
        TEAMASSIST_FEISHU__DOMAIN="https://open.larksuite.com",
    )
    assert code == 0, out
    assert "configuration OK" in out


def test_long_connection_needs_no_webhook_secrets(check: Check) -> None:
    code, out = check(
        TEAMASSIST_FEISHU__ENABLED="true",
        TEAMASSIST_FEISHU__APP_ID="cli_a1",
        TEAMASSIST_FEISHU__APP_SECRET="x",
        TEAMASSIST_FEISHU__MODE="long_connection",
    )
    assert code == 0, out


def test_plain_http_domain_is_refused_unless_loopback(check: Check) -> None:
    base = {
        "TEAMASSIST_FEISHU__ENABLED": "true",
        "TEAMASSIST_FEISHU__APP_ID": "cli_a1",
        "TEAMASSIST_FEISHU__APP_SECRET": "x",
        "TEAMASSIST_FEISHU__MODE": "long_connection",
    }
    code, out = check(**base, TEAMASSIST_FEISHU__DOMAIN="http://gateway.internal")
    assert code == 1 and "must use https" in out
    code, out = check(**base, TEAMASSIST_FEISHU__DOMAIN="http://127.0.0.1:9000")
    assert code == 0, out


def test_enabled_wecom_without_robots(check: Check) -> None:
    code, out = check(TEAMASSIST_WECOM__ENABLED="true")
    assert code == 1
    assert "TEAMASSIST_WECOM__ROBOTS is empty" in out


def test_wecom_robots_from_the_environment(check: Check) -> None:
    code, out = check(
        TEAMASSIST_WECOM__ENABLED="true", TEAMASSIST_WECOM__ROBOTS='{"duty": "abc", "ops": ""}'
    )
    assert code == 1
    assert "robot 'ops' has an empty key" in out and "duty" not in out.split("problem")[-1]
    code, out = check(TEAMASSIST_WECOM__ROBOTS='{"duty": "abc"}')
    assert code == 0, out
    assert "platforms enabled: wecom" in out
