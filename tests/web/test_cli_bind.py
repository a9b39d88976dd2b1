"""``teamassist bind``: codes, direct bindings, refusals across workspaces, unbinding, robots."""

from __future__ import annotations

import re
from pathlib import Path

import pytest
from typer.testing import CliRunner

from teamassist.cli import app
from tests.web.test_cli import env  # noqa: F401 (fixture)

runner = CliRunner()


@pytest.fixture
def ready(env: Path) -> Path:  # noqa: F811
    assert runner.invoke(app, ["db", "upgrade"]).exit_code == 0
    assert runner.invoke(app, ["demo", "load"]).exit_code == 0
    return env


def test_a_code_is_printed_once(ready: Path) -> None:
    result = runner.invoke(app, ["bind", "code", "--workspace", "demo", "--platform", "qq"])
    assert result.exit_code == 0, result.output
    assert re.search(r"绑定码：[2-9A-Z]{8}（30 分钟内有效", result.output)
    missing = runner.invoke(app, ["bind", "code", "--workspace", "nope"])
    assert missing.exit_code == 1 and "找不到工作区「nope」" in missing.output


def test_without_workspace_the_only_one_is_used_and_several_are_named(ready: Path) -> None:
    # given only the demo workspace, when `bind code` has no --workspace, then it is the demo's
    alone = runner.invoke(app, ["bind", "code"])
    assert alone.exit_code == 0, alone.output
    assert re.search(r"绑定码：[2-9A-Z]{8}", alone.output)
    from teamassist.config import load_settings
    from teamassist.database import make_engine, make_session_factory, transaction
    from teamassist.team import service as team_service
    from teamassist.team.models import BindingCode

    factory = make_session_factory(make_engine(load_settings().database.url))
    with transaction(factory) as session:
        demo = team_service.get_workspace_by_key(session, key="demo")
        assert demo is not None
        assert [c.workspace_id for c in session.query(BindingCode)] == [demo.id]
        team_service.create_workspace(session, key="other", name="别人")
    # when there are two, then it refuses and names both keys instead of guessing
    several = runner.invoke(app, ["bind", "code"])
    assert several.exit_code == 1 and "demo" in several.output and "other" in several.output


def test_bind_list_refuse_elsewhere_and_remove(
    ready: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    bound = runner.invoke(app, ["bind", "qq", "--guild", "g-1", "--workspace", "demo"])
    assert bound.exit_code == 0 and "已绑定：qq g-1" in bound.output
    again = runner.invoke(app, ["bind", "qq", "--guild", "g-1", "--workspace", "demo"])
    assert again.exit_code == 0 and "没有变化" in again.output
    feishu = runner.invoke(app, ["bind", "feishu", "--tenant", "tk-1", "--workspace", "demo"])
    assert feishu.exit_code == 0, feishu.output
    listed = runner.invoke(app, ["bind", "list", "--workspace", "demo"]).output
    assert "qq\tguild\tg-1" in listed and "feishu\ttenant\ttk-1" in listed
    # the same guild cannot be bound to a second workspace
    from teamassist.config import load_settings
    from teamassist.database import make_engine, make_session_factory, transaction
    from teamassist.team import service as team_service

    factory = make_session_factory(make_engine(load_settings().database.url))
    with transaction(factory) as session:
        team_service.create_workspace(session, key="other", name="别人")
    refused = runner.invoke(app, ["bind", "qq", "--guild", "g-1", "--workspace", "other"])
    assert refused.exit_code == 1 and "已经绑定到另一个工作区" in refused.output
    removed = runner.invoke(
        app, ["bind", "remove", "--workspace", "demo", "--platform", "qq", "--tenant", "g-1"]
    )
    assert removed.exit_code == 0 and "已解除绑定" in removed.output
    assert "g-1" not in runner.invoke(app, ["bind", "list", "--workspace", "demo"]).output
    runner.invoke(
        app, ["bind", "remove", "--workspace", "demo", "--platform", "feishu", "--tenant", "tk-1"]
    )
    # with nothing bound, the list says so instead of printing nothing
    empty = runner.invoke(app, ["bind", "list", "--workspace", "demo"])
    assert empty.exit_code == 0
    assert empty.output.strip().startswith("工作区「demo」还没有绑定任何平台。")
    assert runner.invoke(app, ["bind", "qq", "--workspace", "demo"]).exit_code == 2


def test_a_wecom_robot_becomes_a_webhook_channel(
    ready: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("TEAMASSIST_WECOM__ROBOTS", '{"ops": "KEY-ops", "dev": "KEY-dev"}')
    added = runner.invoke(app, ["bind", "wecom", "--workspace", "demo", "--robot", "ops"])
    assert added.exit_code == 0 and "已添加企业微信机器人「ops」" in added.output
    unknown = runner.invoke(app, ["bind", "wecom", "--workspace", "demo", "--robot", "nope"])
    assert unknown.exit_code == 1 and "known: dev, ops" in unknown.output
    # a label's zero-width and direction characters are dropped, as chat drops them in names
    named = runner.invoke(
        app,
        ["bind", "wecom", "--workspace", "demo", "--robot", "dev", "--name", "运维\u200b群\u202e"],
    )
    assert named.exit_code == 0, named.output
    from sqlalchemy import select

    from teamassist.config import load_settings
    from teamassist.database import make_engine
    from teamassist.team.models import Channel

    engine = make_engine(load_settings().database.url)
    with engine.connect() as c:
        names = c.execute(select(Channel.name).where(Channel.platform == "wecom")).scalars().all()
    engine.dispose()
    assert "运维群" in names and not any("\u200b" in n or "\u202e" in n for n in names)


def test_config_check_warns_that_qq_workspace_is_deprecated(
    ready: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("TEAMASSIST_QQ__WORKSPACE", "demo")
    result = runner.invoke(app, ["config", "check"])
    assert "qq.workspace = 'demo' is deprecated and ignored" in result.output


def test_bind_list_isolates_what_it_did_not_write(ready: Path) -> None:
    """``bind list --workspace`` printed a key holding U+202E bare, reversing the rest of the
    line (session 13); a tenant's key is shown isolated in its cell as well."""
    rlo, fsi, pdi = "\u202e", "\u2068", "\u2069"
    missing = runner.invoke(app, ["bind", "list", "--workspace", f"{rlo}demo"])
    assert missing.exit_code == 1 and f"找不到工作区「{fsi}{rlo}demo{pdi}」" in missing.output
    bound = runner.invoke(app, ["bind", "qq", "--guild", f"g{rlo}1", "--workspace", "demo"])
    assert bound.exit_code == 0, bound.output
    listed = runner.invoke(app, ["bind", "list", "--workspace", "demo"])
    assert listed.exit_code == 0 and f"\t{fsi}g{rlo}1{pdi}\t" in listed.output, listed.output
