"""``web.forwarded_allow_ips`` reaches the server: behind compose's nginx (another container)
uvicorn believed no X-Forwarded-For, so every client had nginx's address and five wrong
passwords from anyone locked a username for everyone (the tester's reading of compose)."""

from __future__ import annotations

import socket
from pathlib import Path
from typing import Any

import pytest
import uvicorn
from typer.testing import CliRunner

from teamassist.cli import app
from tests.support.server import free_port


def _fake_server(monkeypatch: pytest.MonkeyPatch, started: dict[str, Any]) -> None:
    """uvicorn's server stands in (the library, not our code): it records its settings and
    closes the socket ``serve`` bound, on a free port."""
    monkeypatch.setenv("TEAMASSIST_WEB__PORT", str(free_port()))

    def run(server: uvicorn.Server, sockets: list[socket.socket] | None = None) -> None:
        for sock in sockets or []:
            sock.close()
        config = server.config
        started.update(
            proxy_headers=config.proxy_headers, forwarded_allow_ips=config.forwarded_allow_ips
        )

    monkeypatch.setattr(uvicorn.Server, "run", run)


@pytest.mark.parametrize(
    ("configured", "believed"),
    [
        (None, "127.0.0.1"),
        ("*", "*"),
        (" 10.0.0.0/8 , 192.168.1.7,::1 ", "10.0.0.0/8,192.168.1.7,::1"),
        ("unix:/run/nginx.sock", "unix:/run/nginx.sock"),
    ],
)
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
    _fake_server(monkeypatch, started)
    result = CliRunner().invoke(app, ["serve"])
    assert result.exit_code == 0, result.output
    assert started["proxy_headers"] is True
    assert started["forwarded_allow_ips"] == believed


@pytest.mark.parametrize(
    ("configured", "named"),
    [
        ("10.0.0.0/33", "'10.0.0.0/33'"),  # no such prefix
        ("10.0.0.1/8", "'10.0.0.1/8'"),  # host bits set: uvicorn would take it as a literal
        ("127.0.0.1, nginx", "'nginx'"),  # a host name never matches a client address
        ("127.0.0.1,*", "'*'"),  # "*" believes any proxy only alone
        ("", "''"),
    ],
)
def test_serve_refuses_proxies_uvicorn_would_never_match(
    sqlite_url: str,
    tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch,
    configured: str,
    named: str,
) -> None:
    # Given a junk entry that uvicorn would keep as a literal matching no client (it believed no
    # proxy, silently: a tester's `web.forwarded_allow_ips = "10.0.0.0/33"` started fine)
    monkeypatch.chdir(tmp_path)
    monkeypatch.setenv("TEAMASSIST_CONFIG", str(tmp_path / "teamassist.toml"))
    monkeypatch.setenv("TEAMASSIST_DATABASE__URL", sqlite_url)
    monkeypatch.setenv("TEAMASSIST_WEB__FORWARDED_ALLOW_IPS", configured)
    started: dict[str, Any] = {}
    _fake_server(monkeypatch, started)
    # When the server starts
    result = CliRunner().invoke(app, ["serve"])
    # Then it does not, and says which entry and what is expected
    assert result.exit_code != 0
    assert started == {}
    assert "web.forwarded_allow_ips" in result.output
    assert f"{named} is not an IP address" in result.output
