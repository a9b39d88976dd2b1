"""`teamassist import bot-onduty`: a real MariaDB loaded with the seed's schema and generated rows,
imported twice into an SQLite workspace (the second run creates nothing), bad sources refused
with a clear message and nothing half-imported."""

from __future__ import annotations

import re
import uuid
from collections.abc import Iterator
from datetime import UTC, date, datetime
from pathlib import Path

import pytest
from sqlalchemy import create_engine, func, select, text
from sqlalchemy.engine import make_url
from typer.testing import CliRunner

from teamassist.cli import app
from teamassist.database import make_engine, make_session_factory
from teamassist.duty.models import Rotation, RotationVersion, SignIn
from teamassist.feedback.models import FeedbackEvent, FeedbackItem
from teamassist.importers.models import ImportSource
from teamassist.team.models import Member, PlatformIdentity, Workspace
from tests.support.databases import require_backend, server_url

SCHEMA = Path(__file__).parent / "data" / "bot_onduty.sql"
runner = CliRunner()

OWNERS = [  # id, owner_id, owner_name, on_duty_time, owner_type
    (1, "u1001", "张三", "2026-06-02", "技术"),
    (2, "u1002", "李四", "2026-06-01", "技术"),
    (3, "u2001", "王芳", "2026-06-01", "产品"),
    (4, "u2002", None, "2026-06-03", None),  # no name; NULL type is the column's 技术
    (5, "u3001", "赵运营", "2026-06-01", "运营"),  # a type the seed never had: skipped
    (6, "u1001", "张三", "2026-06-05", "产品"),  # the same person in both rotations
]
SIGNS = [  # id, owner_id, owner_name, sign_in_time, sign_out_time, date
    (1, "u1002", "李四", "2022-04-20 10:05:00", "2022-04-20 23:10:00", "2022-04-20 03:00:00"),
    (2, "u2001", "王芳", None, None, "2022-04-20 03:00:00"),  # never signed in: skipped
    (3, "u9999", "路人", "2022-04-20 10:00:00", None, "2022-04-20 03:00:00"),  # not on a roster
    (4, "u1002", "李四", "2022-04-20 11:00:00", None, "2022-04-20 03:00:00"),  # same day again
    (5, "u2002", None, "2022-04-21 09:59:00", None, None),  # no date: the sign-in's local day
]
TRICKY = '登录 <b>失败</b>\' OR 1=1; -- \\ 反斜杠 "引号"\n第二行'
FEEDBACK = [  # id, user_id, user_name, message_id, text, create_time, owner_id, owner_name,
    #           status, type
    (
        1,
        "u5001",
        "小明",
        "m-1",
        "登录页面打不开",
        "2022-04-20 10:00:00",
        "u1002",
        "李四",
        0,
        "缺陷",
    ),
    (
        2,
        "u5002",
        "小红",
        "m-2",
        "希望支持深色模式",
        "2022-04-20 12:30:00",
        "u2001",
        "王芳",
        1,
        "需求",
    ),
    (3, "u5001", "小明", "m-3", None, "2022-04-20 13:00:00", "u1002", "李四", 0, "缺陷"),
    (4, "u5001", "小明", "m-4", "别的", "2022-04-20 13:00:00", "u1002", "李四", 0, "其他"),
    (5, None, "匿名", "m-5", "没有署名的反馈", "2022-04-21 01:30:00", None, None, None, "缺陷"),
    (6, "u5001", "小明", "x" * 300, TRICKY, "2022-04-21 08:00:00", "u1002", "李四", 1, "缺陷"),
    (7, "u5002", "小红", "m-7", "没有时间", None, "u2001", "王芳", 0, "需求"),
]


def load_schema(connection: object, sql: str) -> None:
    """Run a mysqldump file statement by statement (its conditional comments included)."""
    body = "\n".join(line for line in sql.splitlines() if not line.startswith("--"))
    for statement in body.split(";\n"):
        if statement.strip():
            connection.exec_driver_sql(statement)  # type: ignore[attr-defined]


@pytest.fixture
def seed_url() -> Iterator[str]:
    """A fresh database on the test MariaDB holding the seed's tables and the rows above."""
    require_backend("mysql")
    admin_url = server_url("mysql")
    assert admin_url
    name = f"ta_seed_{uuid.uuid4().hex[:10]}"
    base = make_url(admin_url).set(drivername="mysql+pymysql")
    admin = create_engine(base, isolation_level="AUTOCOMMIT")
    with admin.connect() as conn:
        conn.execute(text(f"CREATE DATABASE {name} CHARACTER SET utf8 COLLATE utf8_general_ci"))
    url = base.set(database=name)
    seed = create_engine(url.update_query_dict({"charset": "utf8mb4"}))
    try:
        with seed.begin() as conn:
            load_schema(conn, SCHEMA.read_text("utf-8"))
        with seed.begin() as conn:
            conn.execute(
                text(
                    "INSERT INTO t_owner (id, owner_id, owner_name, on_duty_time, owner_type) "
                    "VALUES (:id, :owner_id, :name, :day, :type)"
                ),
                [
                    dict(zip(("id", "owner_id", "name", "day", "type"), r, strict=True))
                    for r in OWNERS
                ],
            )
            conn.execute(
                text(
                    "INSERT INTO t_sign (id, owner_id, owner_name, sign_in_time, sign_out_time, "
                    "`date`) VALUES (:id, :owner_id, :name, :sin, :sout, :day)"
                ),
                [
                    dict(zip(("id", "owner_id", "name", "sin", "sout", "day"), r, strict=True))
                    for r in SIGNS
                ],
            )
            conn.execute(
                text(
                    "INSERT INTO t_feedback (id, feedback_user_id, feedback_user_name, "
                    "feedback_message_id, feedback_text, create_time, feedback_owner_id, "
                    "feedback_owner_name, feedback_status, feedback_type) VALUES (:id, :uid, "
                    ":uname, :mid, :text, :created, :oid, :oname, :status, :type)"
                ),
                [
                    dict(
                        zip(
                            (
                                "id",
                                "uid",
                                "uname",
                                "mid",
                                "text",
                                "created",
                                "oid",
                                "oname",
                                "status",
                                "type",
                            ),
                            r,
                            strict=True,
                        )
                    )
                    for r in FEEDBACK
                ],
            )
        # The NULL creation time really is NULL (the column's default would fill it in).
        with seed.begin() as conn:
            conn.execute(text("UPDATE t_feedback SET create_time = NULL WHERE id = 7"))
        yield url.render_as_string(hide_password=False).replace("mysql+pymysql://", "mysql://")
    finally:
        seed.dispose()
        with admin.connect() as conn:
            conn.execute(text(f"DROP DATABASE IF EXISTS {name}"))
        admin.dispose()


@pytest.fixture
def target(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> str:
    """An empty, migrated SQLite database for the CLI."""
    url = f"sqlite:///{tmp_path}/ta.db"
    monkeypatch.chdir(tmp_path)
    monkeypatch.setenv("TEAMASSIST_DATABASE__URL", url)
    monkeypatch.setenv("TEAMASSIST_CONFIG", str(tmp_path / "teamassist.toml"))
    monkeypatch.setenv("TEAMASSIST_DEFAULT_TIMEZONE", "Asia/Shanghai")
    assert runner.invoke(app, ["db", "upgrade"]).exit_code == 0
    return url


def _import(seed_url: str) -> str:
    result = runner.invoke(
        app,
        [
            "import",
            "bot-onduty",
            "--from",
            seed_url,
            "--workspace",
            "seed",
            "--team",
            "community",
            "--guild",
            "9988",
        ],
    )
    assert result.exit_code == 0, result.output
    return result.output


def _counts(output: str) -> dict[str, tuple[int, int, int]]:
    found = re.findall(r"^(\S+)：新建 (\d+)，已存在 (\d+)，跳过 (\d+)$", output, re.M)
    return {what: (int(a), int(b), int(c)) for what, a, b, c in found}


def test_import_twice_imports_once(seed_url: str, target: str) -> None:
    first = _import(seed_url)
    assert _counts(first) == {
        "成员": (6, 0, 1),
        "值班表": (2, 0, 0),
        "签到记录": (2, 0, 3),
        "反馈": (4, 0, 3),
    }, first
    assert "不认识的值班类型「运营」" in first
    assert "没有签到时间" in first and "不在 t_owner 里" in first and "已经有签到记录" in first
    assert "反馈内容为空" in first and "不认识的反馈类型「其他」" in first
    assert "没有创建时间" in first

    second = _import(seed_url)
    assert _counts(second) == {
        "成员": (0, 4, 1),
        "值班表": (0, 2, 0),
        "签到记录": (0, 2, 3),
        "反馈": (0, 4, 3),
    }, second

    engine = make_engine(target)
    try:
        with make_session_factory(engine)() as session:
            workspace = session.scalar(select(Workspace).where(Workspace.key == "seed"))
            assert workspace is not None
            identities = {i.user_key: i for i in session.scalars(select(PlatformIdentity))}
            assert set(identities) == {"u1001", "u1002", "u2001", "u2002", "u5001", "u5002"}
            assert {i.platform for i in identities.values()} == {"qq"}
            assert {i.tenant_key for i in identities.values()} == {"9988"}
            people = {m.id: m for m in session.scalars(select(Member))}
            name = {k: people[i.member_id].display_name for k, i in identities.items()}
            assert name["u1001"] == "张三" and name["u5002"] == "小红"

            rotations = {r.key: r for r in session.scalars(select(Rotation))}
            assert {k: r.name for k, r in rotations.items()} == {"tech": "技术", "product": "产品"}

            def lineup(key: str) -> list[str]:
                version = session.scalar(
                    select(RotationVersion).where(RotationVersion.rotation_id == rotations[key].id)
                )
                assert version is not None
                by_id = {i.member_id: k for k, i in identities.items()}
                return [by_id[m] for m in version.member_ids]

            assert lineup("tech") == ["u1002", "u1001", "u2002"]  # by on_duty_time
            assert lineup("product") == ["u2001", "u1001"]

            signs = list(session.scalars(select(SignIn).order_by(SignIn.duty_date)))
            assert [(s.duty_date, s.rotation_id) for s in signs] == [
                (date(2022, 4, 20), rotations["tech"].id),
                (date(2022, 4, 21), rotations["tech"].id),
            ]
            # local (Asia/Shanghai) wall clock → UTC
            assert signs[0].signed_in_at == datetime(2022, 4, 20, 2, 5, tzinfo=UTC)
            assert signs[0].signed_out_at == datetime(2022, 4, 20, 15, 10, tzinfo=UTC)
            assert signs[1].signed_out_at is None

            items = list(session.scalars(select(FeedbackItem).order_by(FeedbackItem.id)))
            assert [(i.kind, i.status) for i in items] == [
                ("bug", "open"),
                ("suggestion", "resolved"),
                ("bug", "open"),
                ("bug", "resolved"),
            ]
            assert items[0].text == "登录页面打不开"
            assert items[0].created_at == datetime(2022, 4, 20, 2, 0, tzinfo=UTC)
            assert items[0].local_date == date(2022, 4, 20)
            assert items[0].reporter_name == "小明"
            assert items[0].owner_id == identities["u1002"].member_id
            assert items[0].origin_platform == "qq" and items[0].origin_message_id == "m-1"
            assert items[2].reporter_id is None and items[2].reporter_name == "匿名"
            assert items[2].owner_id is None
            assert items[2].local_date == date(2022, 4, 21)  # 01:30 local is still that day
            assert items[3].text == TRICKY  # stored exactly, quotes and all
            assert items[3].origin_message_id is None  # too long for our column: dropped
            # resolved in the seed: when is unknown, so no invented times
            assert items[1].resolved_at is None and items[1].acknowledged_at is None
            notes = list(
                session.scalars(
                    select(FeedbackEvent.note).where(FeedbackEvent.item_id == items[1].id)
                )
            )
            assert notes == ["从值班小助理导入：原系统没有记录解决时间。"]
            # old open items are not chased all at once by the follow-up sweep
            assert items[0].escalated_at is not None

            mapped = session.scalar(select(func.count()).select_from(ImportSource))
            assert mapped == 5 + 2 + 2 + 4  # owners rows, rotations, sign-ins, feedback
    finally:
        engine.dispose()


def _workspaces(url: str) -> int:
    engine = make_engine(url)
    try:
        with engine.connect() as conn:
            return int(conn.execute(select(func.count()).select_from(Workspace)).scalar_one())
    finally:
        engine.dispose()


def test_unreachable_source_is_a_clear_error(target: str) -> None:
    from tests.support.server import free_port

    result = runner.invoke(
        app, ["import", "bot-onduty", "--from", f"mysql://u:p@127.0.0.1:{free_port()}/bot"]
    )
    assert result.exit_code == 1
    assert "连不上值班小助理的数据库" in result.output
    assert "没有写入任何数据" in result.output
    bad = runner.invoke(app, ["import", "bot-onduty", "--from", "postgresql://x@h/db"])
    assert bad.exit_code == 1 and "mysql://" in bad.output
    assert _workspaces(target) == 0


def test_missing_tables_are_named(seed_url: str, target: str) -> None:
    url = make_url(seed_url.replace("mysql://", "mysql+pymysql://"))
    engine = create_engine(url)
    with engine.begin() as conn:
        conn.execute(text("DROP TABLE t_sign"))
    engine.dispose()
    result = runner.invoke(app, ["import", "bot-onduty", "--from", seed_url])
    assert result.exit_code == 1
    assert "缺少表：t_sign" in result.output
    assert _workspaces(target) == 0


def test_a_failure_midway_leaves_nothing_behind(
    seed_url: str, target: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    from teamassist.exceptions import DomainError
    from teamassist.importers import bot_onduty

    def boom(self: object, rows: object) -> None:
        raise DomainError("feedback.error.empty")

    monkeypatch.setattr(bot_onduty._Importer, "feedback", boom)
    result = runner.invoke(app, ["import", "bot-onduty", "--from", seed_url, "--workspace", "seed"])
    assert result.exit_code == 1
    assert "导入失败，没有写入任何数据" in result.output
    assert _workspaces(target) == 0  # members, rotations and sign-ins were rolled back too


def test_target_without_schema_is_a_clear_error(
    seed_url: str, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.chdir(tmp_path)
    monkeypatch.setenv("TEAMASSIST_DATABASE__URL", f"sqlite:///{tmp_path}/empty.db")
    monkeypatch.setenv("TEAMASSIST_CONFIG", str(tmp_path / "teamassist.toml"))
    monkeypatch.setenv("TEAMASSIST_IMPORT_FROM", seed_url)  # the password stays out of argv
    result = runner.invoke(app, ["import", "bot-onduty"])
    assert result.exit_code == 1
    assert "teamassist db upgrade" in result.output
