"""Issue 16: compose.yaml (Docker is not available here) parses, has the topology the deployment
guide describes, and runs only commands and options our CLI has."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import typer.main
import yaml

from teamassist.cli import app

ROOT = Path(__file__).resolve().parents[2]


def _compose() -> dict[str, Any]:
    data = yaml.safe_load((ROOT / "compose.yaml").read_text("utf-8"))
    assert isinstance(data, dict)
    return data


def _parses(argv: list[str]) -> Any:
    """Resolve ``argv`` (after ``teamassist``) through the CLI's groups and parse its options
    and arguments as the real command line would, without running it (Typer's own click)."""
    command: Any = typer.main.get_command(app)
    args = list(argv)
    ctx = command.make_context("teamassist", list(args))
    while hasattr(command, "resolve_command"):  # a group: the next word names a command
        name, sub, args = command.resolve_command(ctx, args)
        assert sub is not None, f"no command {name!r} in `teamassist {' '.join(argv)}`"
        command = sub
        ctx = command.make_context(name or "", list(args), parent=ctx)
    return command


def test_compose_has_the_scale_out_topology() -> None:
    services = _compose()["services"]
    ours = {
        name: service["command"]
        for name, service in services.items()
        if service.get("image") == "teamassist:local"
    }
    assert {name: command[:2] for name, command in ours.items()} == {
        "migrate": ["teamassist", "db"],
        "web1": ["teamassist", "serve"],
        "web2": ["teamassist", "serve"],
        "worker1": ["teamassist", "worker"],
        "worker2": ["teamassist", "worker"],
        "beat": ["teamassist", "beat"],
    }
    assert services["postgres"]["image"].startswith("postgres:")
    assert services["redis"]["image"].startswith("redis:")
    assert services["proxy"]["image"].startswith("nginx:")
    # the replicas wait for the one-shot migration; the proxy for healthy replicas
    for name in ("web1", "web2", "worker1", "worker2", "beat"):
        assert services[name]["depends_on"]["migrate"] == {
            "condition": "service_completed_successfully"
        }
    assert "/readyz" in " ".join(services["web1"]["healthcheck"]["test"])
    assert set(services["proxy"]["depends_on"]) == {"web1", "web2"}


def test_every_service_runs_a_command_our_cli_has() -> None:
    for name, service in _compose()["services"].items():
        command = service.get("command")
        if service.get("image") != "teamassist:local":
            continue
        assert command[0] == "teamassist", name
        _parses(command[1:])  # raises on an unknown command or option


def test_the_check_refuses_what_the_cli_lacks() -> None:
    for argv in (["nonsense"], ["serve", "--no-such-option"], ["db", "nothing"]):
        try:
            _parses(argv)
        except AssertionError:
            continue
        except Exception as exc:  # click's UsageError family (Typer vendors its own click)
            assert "Usage" in type(exc).__name__ or "NoSuch" in type(exc).__name__, exc
            continue
        raise AssertionError(f"`teamassist {' '.join(argv)}` was accepted")


def test_the_proxy_config_names_both_replicas() -> None:
    nginx = (ROOT / "deploy" / "nginx.conf").read_text("utf-8")
    assert "server web1:8000" in nginx and "server web2:8000" in nginx
    secrets = _compose()["secrets"]
    for secret in secrets.values():
        assert secret["file"].startswith("./secrets/TEAMASSIST_")
