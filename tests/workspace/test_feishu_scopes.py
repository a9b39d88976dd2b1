"""``teamassist config check`` asks Feishu (the fake Open API, through lark-oapi) whether the app
has the scopes its enabled features need, and names a missing one from Feishu's own answer
(code 99991672, the scope list in its message), without making or changing anything."""

from __future__ import annotations

import socket
import uuid
from collections.abc import Iterator
from pathlib import Path

import pytest
from lark_oapi.api.im.v1 import ListChatRequest
from pydantic import SecretStr
from typer.testing import CliRunner

from teamassist import migrate
from teamassist.adapters.feishu import client as feishu_client
from teamassist.adapters.feishu.config import FeishuSettings
from teamassist.cli import app
from teamassist.outbox.senders import CREDENTIALS, UNREACHABLE, DeliveryError
from tests.platforms.fakes import feishu as fk
from tests.platforms.fakes.feishu import FakeFeishu

runner = CliRunner()


@pytest.fixture(scope="module")
def fake() -> Iterator[FakeFeishu]:
    server = FakeFeishu().start()
    yield server
    server.stop()


@pytest.fixture
def env(tmp_path: Path, monkeypatch: pytest.MonkeyPatch, fake: FakeFeishu) -> Path:
    fake.reset()
    monkeypatch.chdir(tmp_path)
    monkeypatch.setenv("TEAMASSIST_DATABASE__URL", f"sqlite:///{tmp_path}/ta.db")
    monkeypatch.setenv("TEAMASSIST_CONFIG", str(tmp_path / "teamassist.toml"))
    for name in ("TEAMASSIST_QQ__ENABLED", "TEAMASSIST_WECOM__ENABLED"):
        monkeypatch.delenv(name, raising=False)
    feishu = {
        "ENABLED": "true",
        "APP_ID": f"cli_{uuid.uuid4().hex[:12]}",  # lark-oapi caches tokens per app id
        "APP_SECRET": fk.APP_SECRET,
        "ENCRYPT_KEY": fk.ENCRYPT_KEY,
        "VERIFICATION_TOKEN": fk.VERIFICATION_TOKEN,
        "DOMAIN": fake.url,
        "WORKSPACE_TOOLS": "true",
    }
    for name, value in feishu.items():
        monkeypatch.setenv(f"TEAMASSIST_FEISHU__{name}", value)
    migrate.upgrade(f"sqlite:///{tmp_path}/ta.db")
    return tmp_path


def test_missing_task_and_calendar_scopes_are_named(env: Path, fake: FakeFeishu) -> None:
    # Given an app whose published version lacks the task and calendar scopes
    fake.workspace.denied["/task/v2/tasks"] = ["task:task:read", "task:task:write"]
    fake.workspace.denied["/calendar/v4/calendars"] = ["calendar:calendar"]
    # When the admin checks the configuration
    result = runner.invoke(app, ["config", "check"])
    # Then it fails naming each missing scope from Feishu's answer, and what to do
    assert result.exit_code == 1, result.output
    lines = [ln for ln in result.output.splitlines() if "lacks the scope" in ln]
    assert len(lines) == 3, result.output  # task read, task write, calendar
    assert sum("task:task:read, task:task:write" in ln for ln in lines) == 2
    assert any("calendar:calendar" in ln and "99991672" in ln for ln in lines)
    assert all("权限管理" in ln and "publish" in ln for ln in lines)
    assert "drive" not in "\n".join(lines) and "docx" not in "\n".join(lines)


def test_a_missing_group_join_scope_is_named_with_workspace_tools_off(
    env: Path, fake: FakeFeishu, monkeypatch: pytest.MonkeyPatch
) -> None:
    # Given an app without the scope the bot needs to join a public group by itself (a notice
    # to a group it is not in), even with the workspace tools off
    monkeypatch.setenv("TEAMASSIST_FEISHU__WORKSPACE_TOOLS", "false")
    fake.workspace.denied["/members/me_join"] = ["im:chat", "im:chat.members:write_only"]
    # When the admin checks the configuration
    result = runner.invoke(app, ["config", "check"])
    # Then it fails naming the scope from Feishu's answer, and the bot joined no group
    assert result.exit_code == 1, result.output
    [line] = [ln for ln in result.output.splitlines() if "lacks the scope" in ln]
    assert "groups (bot joins a group)" in line, line
    assert "im:chat, im:chat.members:write_only" in line and "99991672" in line
    assert fake.joins == ["oc_teamassist-scope-probe"]


def test_an_app_with_every_scope_passes_and_nothing_is_made(env: Path, fake: FakeFeishu) -> None:
    result = runner.invoke(app, ["config", "check"])
    assert result.exit_code == 0, result.output
    assert "configuration OK" in result.output
    # The probes did ask Feishu, on ids that do not exist: nothing made or changed
    ws = fake.workspace
    assert ws.of("GET", "/task/v2/tasks/teamassist-scope-probe")
    assert ws.of("PATCH", "/task/v2/tasks/teamassist-scope-probe")
    assert ws.of("GET", "/docx/v1/documents/teamassist-scope-probe")
    assert ws.of("GET", "/drive/v1/files") and ws.of("POST", "/calendars/primary")
    assert not ws.tasks and not ws.events and not ws.files
    # the join probe asked to join a group that does not exist (Feishu answers 232006)
    assert fake.joins == ["oc_teamassist-scope-probe"]


def test_workspace_tools_off_probes_no_workspace_scope(
    env: Path, fake: FakeFeishu, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("TEAMASSIST_FEISHU__WORKSPACE_TOOLS", "false")
    fake.workspace.denied["/task/v2/tasks"] = ["task:task:read"]
    result = runner.invoke(app, ["config", "check"])
    assert result.exit_code == 0, result.output
    assert not fake.workspace.calls


def test_a_wrong_secret_says_the_scopes_were_not_checked(
    env: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("TEAMASSIST_FEISHU__APP_SECRET", "wrong")
    result = runner.invoke(app, ["config", "check"])
    assert result.exit_code == 1
    assert "feishu scopes not checked" in result.output and "tenant token" in result.output


def test_feishu_out_of_reach_is_a_warning_not_a_fault(env: Path, fake: FakeFeishu) -> None:
    # Given Feishu's gateway answers the token request with a 502 page (not the app's fault)
    fake.down = True
    # When the admin checks the configuration
    result = runner.invoke(app, ["config", "check"])
    # Then the scopes are said to be unchecked, as a warning: the configuration may be right
    assert result.exit_code == 0, result.output
    assert "feishu scopes not checked" in result.output
    assert not fake.workspace.calls


def test_no_feishu_at_the_address_is_a_warning(env: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    # Given nothing listens where Feishu should be (connection refused)
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        closed = probe.getsockname()[1]
    monkeypatch.setenv("TEAMASSIST_FEISHU__DOMAIN", f"http://127.0.0.1:{closed}")
    result = runner.invoke(app, ["config", "check"])
    assert result.exit_code == 0, result.output
    assert "feishu scopes not checked" in result.output


def test_delivery_errors_name_their_kind(fake: FakeFeishu) -> None:
    # Given the same call failing for the two causes config check must tell apart
    settings = FeishuSettings(
        enabled=True,
        app_id=f"cli_{uuid.uuid4().hex[:12]}",
        app_secret=SecretStr("wrong"),
        domain=fake.url,
    )
    fake.reset()
    client = feishu_client.build_client(settings)
    request = ListChatRequest.builder().page_size(1).build()
    # When the secret is refused, then when the gateway is down
    with pytest.raises(DeliveryError) as refused:
        feishu_client.call(settings.app_id, "chat list", client.im.v1.chat.list, request)
    fake.down = True
    with pytest.raises(DeliveryError) as down:
        feishu_client.call(settings.app_id, "chat list", client.im.v1.chat.list, request)
    # Then each carries its kind; the words of the message play no part
    assert refused.value.kind == CREDENTIALS and refused.value.code == 10014
    assert down.value.kind == UNREACHABLE
