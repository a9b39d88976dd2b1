"""The command line: chat as a member, config check in plain words."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import pytest
from fastapi.testclient import TestClient
from typer.testing import CliRunner

from teamassist import migrate
from teamassist.cli import app
from teamassist.launch.build import build
from teamassist.web.app import create_app

runner = CliRunner()


@pytest.fixture
def env(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    monkeypatch.chdir(tmp_path)
    monkeypatch.setenv("TEAMASSIST_DATABASE__URL", f"sqlite:///{tmp_path}/ta.db")
    monkeypatch.setenv("TEAMASSIST_CONFIG", str(tmp_path / "teamassist.toml"))
    for name in (
        "TEAMASSIST_QQ__ENABLED",
        "TEAMASSIST_FEISHU__ENABLED",
        "TEAMASSIST_WECOM__ENABLED",
    ):
        monkeypatch.delenv(name, raising=False)
    return tmp_path


def test_db_upgrade_demo_and_chat_help(env: Path) -> None:
    assert runner.invoke(app, ["db", "upgrade"]).exit_code == 0
    first = runner.invoke(app, ["demo", "load"])
    assert "已载入演示工作区" in first.output
    assert "演示工作区已经存在" in runner.invoke(app, ["demo", "load"]).output
    result = runner.invoke(app, ["chat", "--as", "admin", "/帮助"])
    assert result.exit_code == 0, result.output
    assert "小助理指令帮助" in result.output and "/帮助" in result.output


def test_db_upgrade_says_created_then_up_to_date(env: Path) -> None:
    """The first upgrade of an empty database said "已是最新" (already up to date): it creates."""
    first = runner.invoke(app, ["db", "upgrade"])
    assert first.exit_code == 0 and "已创建" in first.output and "已是最新" not in first.output
    again = runner.invoke(app, ["db", "upgrade"])
    assert again.exit_code == 0 and "已升级到最新" in again.output and "已创建" not in again.output


def test_db_upgrade_of_a_schema_a_newer_release_migrated_says_so_in_one_line(env: Path) -> None:
    """Tester s29 F-5, an operator's rollback: release N+1 migrated the database and N's
    `db upgrade` ended in a 281-line traceback (alembic's "Can't locate revision"). One line
    naming the revision and what to do, exit 3, and the database as it was."""
    import sqlite3

    assert runner.invoke(app, ["db", "upgrade"]).exit_code == 0
    database = sqlite3.connect(env / "ta.db")
    with database:
        database.execute(
            "UPDATE alembic_version SET version_num = 'okr_0099' WHERE version_num LIKE 'okr_%'"
        )
    refused = runner.invoke(app, ["db", "upgrade"])
    assert refused.exit_code == 3, refused.output
    lines = [line for line in refused.output.splitlines() if line.strip()]
    assert len(lines) == 1 and "Traceback" not in refused.output, refused.output
    assert "数据库已经被更新的版本迁移过（okr_0099）" in lines[0], lines
    with database:
        versions = {row[0] for row in database.execute("SELECT version_num FROM alembic_version")}
    database.close()
    assert "okr_0099" in versions  # nothing changed


@pytest.mark.parametrize(
    ("name", "value", "said"),
    [
        ("TEAMASSIST_WEB__PORT", "abc", "web.port（TEAMASSIST_WEB__PORT）：应为整数"),
        ("TEAMASSIST_WEB__PORT", "99999999", "web.port（TEAMASSIST_WEB__PORT）：不能大于 65535"),
        ("TEAMASSIST_LOG_LEVEL", "LOUD", "log_level（TEAMASSIST_LOG_LEVEL）：只能是 DEBUG"),
        # s23 report 2 F2: argon2 takes 32-bit costs; these passed and `admin password` crashed
        *(
            (
                f"TEAMASSIST_WEB__PASSWORD_HASH__{key}",
                value,
                f"web.password_hash.{key.lower()}（TEAMASSIST_WEB__PASSWORD_HASH__{key}）："
                f"不能大于 {bound}",
            )
            for key, value, bound in (
                ("MEMORY_KIB", "99999999999", 4294967295),
                ("MEMORY_KIB", "4294967296", 4294967295),
                ("TIME_COST", "4294967296", 4294967295),
                ("PARALLELISM", "16777216", 16777215),
            )
        ),
        (
            "TEAMASSIST_SCALE_OUT__BROKER_WAIT_SECONDS",
            "-1",
            "（TEAMASSIST_SCALE_OUT__BROKER_WAIT_SECONDS）：不能小于 0 /",
        ),
        # tester F2 (session 21): these ended in SQLAlchemy's ArgumentError traceback
        *(
            (
                "TEAMASSIST_DATABASE__URL",
                url,
                "database.url（TEAMASSIST_DATABASE__URL）：不是可用的数据库地址",
            )
            for url in (
                "",
                "postgres:/bad url",
                "sqlite//x.db",
                "oracle://x/y",
                # drivers not installed (tester 2 F1, session 21): an import traceback
                "postgresql+psycopg2://u@localhost/db",
                "mysql+mysqldb://u@localhost/db",
            )
        ),
    ],
)
def test_settings_that_do_not_validate_are_said_by_key_in_chinese(
    env: Path, monkeypatch: pytest.MonkeyPatch, name: str, value: str, said: str
) -> None:
    """pydantic's English ("Input should be a valid integer ... [type=int_parsing]" and a link)
    was printed as it came; a port of 99999999 and a log level of LOUD were taken."""
    monkeypatch.setenv(name, value)
    for command in (["config", "check"], ["serve"], ["db", "upgrade"]):
        result = runner.invoke(app, command)
        assert result.exit_code in (1, 2), result.output
        assert said in result.output
        assert "errors.pydantic.dev" not in result.output and "[type=" not in result.output


def test_a_bad_value_from_the_file_is_named_by_the_file(
    env: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """A tester's ``port = "abc"`` in teamassist.toml was said as ``web.port
    （TEAMASSIST_WEB__PORT）``: an operator then looks for a variable nobody set."""
    monkeypatch.delenv("TEAMASSIST_WEB__PORT", raising=False)
    (env / "teamassist.toml").write_text('[web]\nport = "abc"\n', encoding="utf-8")
    for command in (["config", "check"], ["serve"], ["db", "upgrade"]):
        result = runner.invoke(app, command)
        assert result.exit_code in (1, 2), result.output
        assert f"web.port（{env / 'teamassist.toml'} 中的 [web] port）：应为整数" in result.output
        assert "TEAMASSIST_WEB__PORT" not in result.output
    # the variable, when set, wins over the file and is the one named
    monkeypatch.setenv("teamassist_web__port", "99999999")
    result = runner.invoke(app, ["config", "check"])
    assert "web.port（TEAMASSIST_WEB__PORT）：不能大于 65535" in result.output, result.output


def test_a_lower_case_log_level_is_taken(env: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    from teamassist.config import load_settings

    monkeypatch.setenv("TEAMASSIST_LOG_LEVEL", "debug")
    assert load_settings().log_level == "DEBUG"


def test_chat_as_unknown_member_is_a_clear_error(env: Path) -> None:
    runner.invoke(app, ["db", "upgrade"])
    runner.invoke(app, ["demo", "load"])
    result = runner.invoke(app, ["chat", "--as", "nobody", "/帮助"])
    assert result.exit_code == 1 and "找不到成员" in result.output


def test_interactive_chat_reads_lines(env: Path) -> None:
    runner.invoke(app, ["db", "upgrade"])
    runner.invoke(app, ["demo", "load"])
    result = runner.invoke(app, ["chat", "--as", "zhangsan"], input="/我是谁\n/help\n")
    assert "张三" in result.output and "小助理指令帮助" in result.output


def test_config_check_reports_missing_schema_and_secrets_in_file(env: Path) -> None:
    (env / "teamassist.toml").write_text(
        '[qq]\nenabled = true\napp_id = ""\nsecret = "leaked"\n', encoding="utf-8"
    )
    result = runner.invoke(app, ["config", "check"])
    assert result.exit_code == 1
    assert "qq.secret" in result.output and "TEAMASSIST_QQ__SECRET" in result.output
    assert "qq.app_id is empty" in result.output
    assert "teamassist db upgrade" in result.output


def test_config_check_passes_when_complete(env: Path) -> None:
    migrate.upgrade(f"sqlite:///{env}/ta.db")
    result = runner.invoke(app, ["config", "check"])
    assert result.exit_code == 0, result.output
    assert "configuration OK" in result.output


def test_config_check_bad_toml_and_unreachable_database(
    env: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    (env / "teamassist.toml").write_text("[web\nport = ", encoding="utf-8")
    monkeypatch.setenv("TEAMASSIST_DATABASE__URL", "postgresql://nobody@127.0.0.1:1/none")
    result = runner.invoke(app, ["config", "check"])
    assert result.exit_code == 1
    assert "not valid TOML" in result.output and "cannot reach the database" in result.output


def test_secrets_dir_is_read(env: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    from teamassist.config import load_settings

    secrets = env / "secrets"
    secrets.mkdir()
    (secrets / "TEAMASSIST_QQ__SECRET").write_text("from-file\n", encoding="utf-8")
    monkeypatch.setenv("TEAMASSIST_SECRETS_DIR", str(secrets))
    settings = load_settings()
    assert settings.qq.secret is not None and settings.qq.secret.get_secret_value() == "from-file"


def test_the_options_default_to_the_demo_workspace() -> None:
    from teamassist import demo
    from teamassist.cli import DEMO_WORKSPACE

    assert DEMO_WORKSPACE == demo.DEMO_KEY


def test_the_command_line_loads_no_migrations_demo_or_importers() -> None:
    # A fresh interpreter: what `teamassist serve` pays for before it builds the app.
    probe = (
        "import sys, teamassist.cli; "
        "print(sorted(m for m in ('alembic', 'teamassist.demo', 'teamassist.migrate', "
        "'teamassist.importers', 'teamassist.bootstrap') if m in sys.modules))"
    )
    out = subprocess.run([sys.executable, "-c", probe], capture_output=True, text=True, check=True)
    assert out.stdout.strip() == "[]"


def test_misspelled_keys_in_the_file_are_said_not_ignored(env: Path) -> None:
    """A tester's ``[databse]`` (PostgreSQL meant) left the install on the default SQLite file
    without a word; ``[web] prot`` likewise."""
    (env / "teamassist.toml").write_text(
        '[databse]\nurl = "postgresql://ta@db/teamassist"\n[web]\nprot = 9000\nport = 8123\n',
        encoding="utf-8",
    )
    checked = runner.invoke(app, ["config", "check"])
    assert checked.exit_code == 1
    assert (
        "unknown key `databse`" in checked.output and "不认识的设置项 `web.prot`" in checked.output
    )
    assert "`web.port`" not in checked.output  # a known key is not named
    upgraded = runner.invoke(app, ["db", "upgrade"])  # every command warns, none refuses
    assert upgraded.exit_code == 0 and "warning:" in upgraded.output
    assert "unknown key `databse`" in upgraded.output


@pytest.mark.parametrize(
    ("section", "said"),
    [
        ("[scheduler]\ntick_seconds = -5\n", "scheduler.tick_seconds"),
        ("[scheduler]\ntick_seconds = 0\n", "scheduler.tick_seconds"),
        ("[outbox]\nmax_attempts = 0\n", "outbox.max_attempts"),
        ("[outbox]\nlease_seconds = -1\n", "outbox.lease_seconds"),
    ],
)
def test_a_scheduler_that_would_never_tick_is_refused(env: Path, section: str, said: str) -> None:
    """``tick_seconds = -5`` passed: the server never ticked and hung on shutdown."""
    (env / "teamassist.toml").write_text(section, encoding="utf-8")
    for command in (["config", "check"], ["serve"], ["db", "upgrade"]):
        result = runner.invoke(app, command)
        assert result.exit_code in (1, 2) and said in result.output, result.output


def test_a_config_file_that_does_not_parse_stops_every_command(env: Path) -> None:
    """A tester's ``[web`` (no closing bracket) was one warning; ``db upgrade`` then created
    the default SQLite file and ``serve`` served it, though the file named another database."""
    (env / "teamassist.toml").write_text(
        f'[database]\nurl = "sqlite:///{env}/named.db"\n[web\nport = 1\n', encoding="utf-8"
    )
    for command in (["db", "upgrade"], ["serve"], ["demo", "load"]):
        result = runner.invoke(app, command)
        assert result.exit_code == 2, (command, result.output)
        assert "不是有效的 TOML" in result.output and "line 3" in result.output
    assert not (env / "ta.db").exists() and not (env / "var").exists()
    checked = runner.invoke(app, ["config", "check"])  # says so too, with the rest it finds
    assert checked.exit_code == 1 and "not valid TOML" in checked.output


def test_a_config_file_saved_as_gbk_is_named_by_line_and_column(env: Path) -> None:
    """A tester's GBK-saved file was said as Python's "can't decode byte 0xd6 in position 27":
    a byte offset from the file's start, which no editor shows."""
    text = '[web]\nport = 8080\n# 中文注释\n[database]\nurl = "sqlite:///x.db"\n'
    (env / "teamassist.toml").write_bytes(text.encode("gbk"))
    for command in (["db", "upgrade"], ["config", "check"]):
        result = runner.invoke(app, command)
        assert result.exit_code in (1, 2), result.output
        assert "第 3 行第 3 个字符起不是 UTF-8 编码" in result.output
        assert "line 3, column 3" in result.output and "position" not in result.output


def test_a_config_path_that_is_a_folder_stops_plainly(
    env: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """A tester's ``TEAMASSIST_CONFIG`` naming a folder ended every command in a traceback."""
    (env / "folder.toml").mkdir()
    monkeypatch.setenv("TEAMASSIST_CONFIG", str(env / "folder.toml"))
    for command in (["db", "upgrade"], ["serve"]):
        result = runner.invoke(app, command)
        assert result.exit_code == 2 and "folder.toml" in result.output, result.output
        assert "Traceback" not in result.output and not isinstance(
            result.exception, IsADirectoryError
        )
    assert not (env / "ta.db").exists()


def test_a_named_config_file_that_does_not_exist_is_said(env: Path) -> None:
    """A mistyped ``TEAMASSIST_CONFIG`` path left the install on the defaults without a word."""
    checked = runner.invoke(app, ["config", "check"])  # the fixture names a file never written
    assert "teamassist.toml, which does not exist" in checked.output
    assert "warning: TEAMASSIST_CONFIG" in checked.output and "不存在" in checked.output


def test_an_empty_config_variable_means_the_default_file(
    env: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("TEAMASSIST_CONFIG", "")  # '.' was read as the file: a traceback
    result = runner.invoke(app, ["db", "upgrade"])
    assert result.exit_code == 0, result.output
    assert "Traceback" not in result.output


# tester 2 F2 (session 21): `db upgrade` ended in the mkdir's traceback, while `config check`
# and `serve` sent the operator to `db upgrade` for the same path.
@pytest.mark.parametrize(
    ("path", "said"),
    [
        ("/proc/x/y.db", "建不了 SQLite 数据库文件 /proc/x/y.db："),
        ("{env}/afile/sub.db", "{env}/afile 不是文件夹"),
        ("{env}/afile/deeper/sub.db", "{env}/afile 不是文件夹"),
    ],
)
@pytest.mark.parametrize("command", [["db", "upgrade"], ["serve"], ["demo", "load"]])
def test_an_sqlite_file_that_cannot_be_made_is_one_line(
    env: Path, monkeypatch: pytest.MonkeyPatch, path: str, said: str, command: list[str]
) -> None:
    (env / "afile").write_text("not a folder", encoding="utf-8")
    monkeypatch.setenv("TEAMASSIST_DATABASE__URL", "sqlite:///" + path.format(env=env))
    result = runner.invoke(app, command)
    assert result.exit_code == 3, result.output
    assert said.format(env=env) in result.output
    assert "database.url（环境变量 TEAMASSIST_DATABASE__URL）" in result.output
    assert "Traceback" not in result.output and "db upgrade" not in result.output
    checked = runner.invoke(app, ["config", "check"])
    assert checked.exit_code == 1
    assert said.format(env=env) in checked.output and "db upgrade" not in checked.output
    assert sorted(p.name for p in env.iterdir() if p.name.startswith(".teamassist")) == []


def test_a_missing_folder_that_can_be_made_is_still_made(
    env: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """The check refuses only what cannot be made: `db upgrade` still makes the folders."""
    monkeypatch.setenv("TEAMASSIST_DATABASE__URL", f"sqlite:///{env}/a/b/ta.db")
    assert "teamassist db upgrade" in runner.invoke(app, ["config", "check"]).output
    result = runner.invoke(app, ["db", "upgrade"])
    assert result.exit_code == 0, result.output
    assert (env / "a" / "b" / "ta.db").is_file()


# tester 2 F3 (session 21): `db upgrade` said "schema created (SQLite :memory:)", then `serve`
# said there was no schema, which sent the operator back to `db upgrade`.
@pytest.mark.parametrize("url", ["sqlite://", "sqlite:///", "sqlite:///:memory:"])
@pytest.mark.parametrize(
    ("command", "code"), [(["db", "upgrade"], 2), (["serve"], 2), (["config", "check"], 1)]
)
def test_an_in_memory_database_is_refused_by_the_commands(
    env: Path, monkeypatch: pytest.MonkeyPatch, url: str, command: list[str], code: int
) -> None:
    monkeypatch.setenv("TEAMASSIST_DATABASE__URL", url)
    result = runner.invoke(app, command)
    assert result.exit_code == code, result.output
    assert "没有指明 SQLite 文件：内存中的数据库在进程结束时就没了" in result.output
    assert "已创建" not in result.output and "db upgrade" not in result.output


# tester F3 (session 22): `config check` on a text file named as the database ended in
# "file is not a database"'s traceback; `db upgrade` and `serve` spoke of reaching a server.
@pytest.mark.parametrize(
    ("command", "code"), [(["db", "upgrade"], 3), (["serve"], 3), (["config", "check"], 1)]
)
def test_a_file_that_is_no_sqlite_database_is_one_line(
    env: Path, monkeypatch: pytest.MonkeyPatch, command: list[str], code: int
) -> None:
    text = env / "txt.db"
    text.write_text("hello\n", encoding="utf-8")
    monkeypatch.setenv("TEAMASSIST_DATABASE__URL", f"sqlite:///{text}")
    result = runner.invoke(app, command)
    assert result.exit_code == code, result.output
    assert f"{text} 不是 SQLite 数据库文件（文件头不对）" in result.output
    assert "Traceback" not in result.output and "server is up" not in result.output
    assert text.read_text(encoding="utf-8") == "hello\n"  # left as it was


def test_an_empty_file_is_a_new_sqlite_database(env: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """SQLite takes an empty file as a new database: `db upgrade` fills it."""
    empty = env / "empty.db"
    empty.touch()
    monkeypatch.setenv("TEAMASSIST_DATABASE__URL", f"sqlite:///{empty}")
    result = runner.invoke(app, ["db", "upgrade"])
    assert result.exit_code == 0, result.output
    assert empty.read_bytes().startswith(b"SQLite format 3\x00")


def test_admin_password_with_a_cost_argon2_cannot_take_says_one_line(
    env: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """s23 report 2 F2: a 60-line traceback ending in ``OverflowError: integer 99999999999 does
    not fit '32-bit unsigned int'`` after ``config check`` had said OK."""
    assert runner.invoke(app, ["db", "upgrade"]).exit_code == 0
    monkeypatch.setenv("TEAMASSIST_WEB__PASSWORD_HASH__MEMORY_KIB", "99999999999")
    typed = "Abcdefgh1234!!\nAbcdefgh1234!!\n"
    result = runner.invoke(app, ["admin", "password", "admin"], input=typed)
    assert result.exit_code == 2, result.output
    assert "web.password_hash.memory_kib" in result.output and "不能大于" in result.output
    assert "Traceback" not in result.output and "password set" not in result.output


def test_config_check_warns_of_a_cost_a_server_should_not_pay(
    env: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("TEAMASSIST_WEB__PASSWORD_HASH__TIME_COST", "1000000")
    monkeypatch.setenv("TEAMASSIST_WEB__PASSWORD_HASH__MEMORY_KIB", "8388608")  # 8 GiB
    result = runner.invoke(app, ["config", "check"])
    assert "warning: web.password_hash.time_cost 1000000" in result.output, result.output
    assert "warning: web.password_hash.memory_kib 8388608 KiB" in result.output, result.output


def test_demo_load_refuses_a_real_install_unless_forced(env: Path) -> None:
    """Tester s25 F-B20: `demo load` on a real install added members and a working admin/admin
    account in silence. Refused while another workspace exists (exit 1, nothing loaded);
    ``--force`` loads it, and outside demo mode its admin has no usable password, said so."""
    from sqlalchemy import create_engine, func, select

    from teamassist.team.models import LocalAccount, Workspace

    assert runner.invoke(app, ["db", "upgrade"]).exit_code == 0
    made = runner.invoke(
        app,
        ["init", "--workspace", "真实社区", "--team", "核心团队", "--admin-handle", "boss",
         "--no-input"],
        env={"TEAMASSIST_ADMIN_PASSWORD": "correct-horse-battery"},
    )  # fmt: skip
    assert made.exit_code == 0, made.output
    engine = create_engine(f"sqlite:///{env}/ta.db")

    def counts() -> tuple[int, int]:
        with engine.connect() as c:
            return (
                int(c.scalar(select(func.count()).select_from(Workspace)) or 0),
                int(c.scalar(select(func.count()).select_from(LocalAccount)) or 0),
            )

    refused = runner.invoke(app, ["demo", "load"])
    assert refused.exit_code == 1, refused.output
    assert "这里已经有工作区（「真实社区」）" in refused.output and "--force" in refused.output
    assert counts() == (1, 1)

    forced = runner.invoke(app, ["demo", "load", "--force"])
    assert forced.exit_code == 0, forced.output
    assert "已载入演示工作区" in forced.output and "没有设置默认密码 admin" in forced.output
    assert counts() == (2, 2)
    status, page = _sign_in_as_demo_admin()
    assert status == 200 and "账号或密码不正确" in page  # no live admin/admin
    engine.dispose()


def test_demo_load_in_demo_mode_keeps_the_demo_password(
    env: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """`make run` loads the demo in demo mode: admin/admin signs in as the README says."""
    monkeypatch.setenv("TEAMASSIST_WEB__DEMO_MODE", "true")
    assert runner.invoke(app, ["db", "upgrade"]).exit_code == 0
    loaded = runner.invoke(app, ["demo", "load"])
    assert loaded.exit_code == 0 and "没有设置默认密码" not in loaded.output, loaded.output
    status, page = _sign_in_as_demo_admin()
    assert status == 303, page


def _sign_in_as_demo_admin() -> tuple[int, str]:
    """admin/admin on the login form of a server on the CLI's settings: status and page."""
    runtime = build()
    try:
        with TestClient(create_app(runtime, start_background=False)) as client:
            tried = client.post(
                "/login", data={"username": "admin", "password": "admin"}, follow_redirects=False
            )
            return tried.status_code, tried.text
    finally:
        runtime.close()
