"""The shipped example configuration is valid and keeps secrets out of the file."""

from __future__ import annotations

import re
from pathlib import Path

import pytest
from pydantic import BaseModel

from teamassist.config import Settings, load_settings, read_toml

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


def _sections(text: str) -> dict[str, str]:
    """The example's text per TOML section ("" for the top-level keys)."""
    parts = re.split(r"^\[([a-z_]+)\]\s*$", text, flags=re.MULTILINE)
    found = {"": parts[0]}
    for name, body in zip(parts[1::2], parts[2::2], strict=True):
        found[name] = body
    return found


def _documented(block: str, section: str, key: str) -> bool:
    """A key is documented as ``key = …`` (maybe commented out) or, for a secret, its variable."""
    variable = "TEAMASSIST_" + "__".join(p for p in (section, key) if p).upper()
    return bool(re.search(rf"^\s*#?\s*{key}\s*=", block, flags=re.MULTILINE)) or variable in block


def test_every_setting_is_in_the_example() -> None:
    """A setting nobody can find is a setting nobody uses: each one appears in the example."""
    blocks = _sections(EXAMPLE.read_text("utf-8"))
    missing: list[str] = []
    for name, field in Settings.model_fields.items():
        annotation = field.annotation
        if isinstance(annotation, type) and issubclass(annotation, BaseModel):
            block = blocks.get(name, "")
            missing += [
                f"{name}.{key}"
                for key in annotation.model_fields
                if not _documented(block, name, key)
            ]
        elif not _documented(blocks[""], "", name):
            missing.append(name)
    assert missing == []
