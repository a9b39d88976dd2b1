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


def _setting_env_names(model: type[Any], prefix: str = "TEAMASSIST_") -> set[str]:
    """Every environment variable a setting is read from (``TEAMASSIST_SECTION__KEY``)."""
    from pydantic import BaseModel

    names: set[str] = set()
    for name, field in model.model_fields.items():
        annotation = field.annotation
        if isinstance(annotation, type) and issubclass(annotation, BaseModel):
            names |= _setting_env_names(annotation, f"{prefix}{name.upper()}__")
        else:
            names.add(prefix + name.upper())
    return names


# Read by teamassist.config itself, not settings: the file and the secrets folder.
CONFIG_VARIABLES = {"TEAMASSIST_CONFIG", "TEAMASSIST_SECRETS_DIR"}


def test_every_teamassist_variable_compose_sets_is_a_real_setting() -> None:
    from teamassist import config
    from teamassist.config import Settings

    source = Path(config.__file__).read_text("utf-8")
    assert all(f'"{name}"' in source for name in CONFIG_VARIABLES)
    known = _setting_env_names(Settings) | CONFIG_VARIABLES
    compose = _compose()
    for name, service in compose["services"].items():
        for variable in service.get("environment") or {}:
            if variable.startswith("TEAMASSIST_"):
                assert variable in known, f"{name}: {variable} is no setting"
    # secrets are mounted as files named like their variable, read only for secret settings
    secret_variables = {"TEAMASSIST_" + "__".join(p).upper() for p in config.secret_paths()}
    for service in compose["services"].values():
        for secret in service.get("secrets") or []:
            assert secret["target"] in secret_variables, secret
            assert secret["source"] in compose["secrets"]


def test_ports_and_health_checks_point_at_what_serve_listens_on() -> None:
    from teamassist.web import health

    routes = {getattr(route, "path", "") for route in health.router.routes}
    assert {"/healthz", "/readyz"} <= routes
    services = _compose()["services"]
    nginx = (ROOT / "deploy" / "nginx.conf").read_text("utf-8")
    for name in ("web1", "web2"):
        command = services[name]["command"]
        port = command[command.index("--port") + 1]
        # the health check asks this replica's own port for a route the app serves
        probe = " ".join(services[name]["healthcheck"]["test"])
        url = probe.split("'")[1]
        assert url.startswith(f"http://127.0.0.1:{port}/"), url
        assert "/" + url.split("/", 3)[3] in routes
        # the proxy sends to the same port
        assert f"server {name}:{port}" in nginx
    # what the proxy publishes reaches its listener
    published = services["proxy"]["ports"]
    assert any(p.endswith(":80") for p in published) and "listen 80;" in nginx
    # the image's default command is a replica on the same port
    dockerfile = (ROOT / "deploy" / "Dockerfile").read_text("utf-8")
    assert f"EXPOSE {services['web1']['command'][-1]}" in dockerfile


def test_every_host_file_compose_mounts_is_shipped_or_made_by_a_setup_step() -> None:
    # A bind-mounted host file that does not exist is created by Docker as an empty folder,
    # and every container then fails to read its configuration.
    text = (ROOT / "compose.yaml").read_text("utf-8")
    header = "\n".join(line for line in text.splitlines() if line.startswith("#"))
    compose = _compose()
    mounts = [
        volume.split(":")[0]
        for service in compose["services"].values()
        for volume in service.get("volumes") or []
        if volume.startswith("./")
    ]
    mounts += [secret["file"] for secret in compose["secrets"].values()]
    for mount in mounts:
        path = mount.removeprefix("./")
        shipped = (ROOT / path).exists() and path.startswith("deploy/")
        made = path in header or path.split("/")[0] + "/" in header
        assert shipped or made, f"{mount}: neither in deploy/ nor made by the header's steps"


def test_the_metrics_folder_starts_empty_in_every_container_of_ours() -> None:
    # prometheus-client's multiprocess mode adds up every file in PROMETHEUS_MULTIPROC_DIR; a
    # restarted container keeps its writable layer, so the folder must be a tmpfs (tester s29
    # F-12; docs/deployment.md, Metrics).
    ours = {
        name: service
        for name, service in _compose()["services"].items()
        if service.get("image") == "teamassist:local"
    }
    assert len(ours) == 6
    for name, service in ours.items():
        folder = service["environment"]["PROMETHEUS_MULTIPROC_DIR"]
        mounts = [entry.split(":")[0] for entry in service.get("tmpfs") or []]
        assert folder in mounts, name
