"""``web.forwarded_allow_ips`` reaches the server: behind compose's nginx (another container)
uvicorn believed no X-Forwarded-For, so every client had nginx's address and five wrong
passwords from anyone locked a username for everyone (the tester's reading of compose)."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest
import uvicorn
from typer.testing import CliRunner

from teamassist.cli import app


@pytest.mark.parametrize(("configured", "believed"), [(None, "127.0.0.1"), ("*", "*")])
def test_serve_hands_the_trusted_proxies_to_uvicorn(
    sqlite_url: str,
    tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch,
    configured: str | None,
    believed: str,
) -> None:
    monkeypatch.chdir(tmp_path)
    monkeypatch.setenv("TEAMASSIST_CONFIG", str(tmp_path / "teamassist.toml"))
    monkeypatch.setenv("TEAMASSIST_DATABASE__URL", sqlite_url)
    if configured is not None:
        monkeypatch.setenv("TEAMASSIST_WEB__FORWARDED_ALLOW_IPS", configured)
    started: dict[str, Any] = {}
    # uvicorn's own entry point stands in for the server (the library, not our code)
    monkeypatch.setattr(uvicorn, "run", lambda _app, **kwargs: started.update(kwargs))
    result = CliRunner().invoke(app, ["serve"])
    assert result.exit_code == 0, result.output
    assert started["proxy_headers"] is True
    assert started["forwarded_allow_ips"] == believed
