"""The shipped example configuration is valid and keeps secrets out of the file."""

from __future__ import annotations

from pathlib import Path

import pytest

from teamassist.config import load_settings, read_toml

EXAMPLE = Path(__file__).resolve().parents[2] / "teamassist.example.toml"


def test_example_config_loads(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("TEAMASSIST_CONFIG", str(EXAMPLE))
    data, problems = read_toml()
    assert problems == []
    assert data["database"]["url"].startswith("sqlite")
    settings = load_settings()
    assert settings.default_timezone == "Asia/Shanghai"
    assert settings.qq.admin_role_ids == ["2", "4"]


def test_environment_overrides_file(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("TEAMASSIST_CONFIG", str(EXAMPLE))
    monkeypatch.setenv("TEAMASSIST_WEB__PORT", "9123")
    assert load_settings().web.port == 9123
