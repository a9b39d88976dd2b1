"""Text search for feedback on every backend: Chinese, English, emoji, wildcards and FTS syntax as
plain text, bounded counts, and the SQLite full-text table kept in sync by its triggers."""

from __future__ import annotations

import uuid
from collections.abc import Iterator
from datetime import UTC, date, datetime
from functools import partial
from pathlib import Path
from typing import cast
from unittest.mock import patch

import pytest
from sqlalchemy import (
    Engine,
    Table,
    create_engine,
    delete,
    event,
    func,
    insert,
    inspect,
    select,
    text,
    update,
)
from sqlalchemy.engine import make_url
from sqlalchemy.orm import Session, sessionmaker

from teamassist import migrate
from teamassist.database import make_engine, make_session_factory, normalise_url, transaction
from teamassist.feedback import grams, queries
from teamassist.feedback.models import FeedbackItem
from teamassist.feedback.queries import FeedbackFilter
from teamassist.team import service as team_service
from teamassist.team.models import Team, Workspace
from tests.support.databases import server_url

NOW = datetime(2026, 6, 1, 1, 0, tzinfo=UTC)

TEXTS = {
    "login": "无法登录，提示密码错误",
    "crash": "App crashes on Login page",
    "pay": "支付页面 Login 后闪退",
    "emoji": "点赞👍🏽按钮没反应",
    "percent": "折扣显示 100% 不对",
    "underscore": "字段 user_name 为空",
    "quote": 'He said "NEAR" twice',
    "star": "a-b*c 运算符",
    # holds every pair of characters of 登录失败 (登录, 录失, 失败) but not the phrase
    "scrambled": "登录后录失败",
    "end": "今天又卡顿",
    "short": "卡",
}


def _item(team: Team, text_: str) -> FeedbackItem:
    return FeedbackItem(
        workspace_id=team.workspace_id,
        team_id=team.id,
        kind="bug",
        text=text_,
        reporter_name="r",
        status="open",
        plus_ones=0,
        local_date=date(2026, 6, 1),
        created_at=NOW,
        awaiting_since=NOW,
        digest_pending=False,
        updated_at=NOW,
    )


def _store_old(session: Session, team: Team, text_: str) -> None:
    """An item written at an older revision of the schema: only the columns it had then
    (the model's newer ones, such as ``repeat_key`` of feedback_0005, are not there yet)."""
    item = _item(team, text_)
    columns: tuple[str, ...] = ("workspace_id", "team_id", "kind", "text", "reporter_name")
    columns += (
        "status",
        "plus_ones",
        "local_date",
        "created_at",
        "awaiting_since",
        "digest_pending",
    )
    session.execute(
        insert(cast(Table, FeedbackItem.__table__)).values(
            {name: getattr(item, name) for name in (*columns, "updated_at")}
        )
    )


def _team(session: Session, key: str) -> Team:
    workspace = team_service.create_workspace(session, key=key, name=key)
    return team_service.create_team(
        session, workspace=workspace, key=key, name=key, timezone="Asia/Shanghai"
    )


class World:
    def __init__(self, engine: Engine) -> None:
        self.engine = engine
        self.factory: sessionmaker[Session] = make_session_factory(engine)
        with transaction(self.factory) as session:
            self.team = _team(session, "ws")
            other = _team(session, "other")
            items = {k: _item(self.team, v) for k, v in TEXTS.items()}
            session.add_all(items.values())
            # the same words in another workspace: never found from "ws"
            session.add_all(_item(other, v) for v in TEXTS.values())
            session.flush()
            self.ids = {k: i.id for k, i in items.items()}
            self.workspace_id = self.team.workspace_id
            self.other_team_id = other.id

    def find(self, needle: str) -> set[str]:
        with self.factory() as session:
            items, total = queries.search(
                session,
                workspace_id=self.workspace_id,
                filters=FeedbackFilter(text=needle),
                limit=100,
            )
        names = {k for k, v in self.ids.items() if v in {i.id for i in items}}
        assert total == len(items)
        return names


@pytest.fixture
def world(db_url: str) -> Iterator[World]:
    engine = make_engine(db_url)
    yield World(engine)
    engine.dispose()


@pytest.mark.parametrize(
    ("needle", "expected"),
    [
        ("登录", {"login", "scrambled"}),  # two Chinese characters
        ("无法登录", {"login"}),  # four
        ("密码错误", {"login"}),  # at the end of the text
        ("卡顿", {"end"}),  # two characters ending the text
        ("卡", {"end", "short"}),  # one character, and a one-character text
        ("闪退", {"pay"}),
        ("login", {"crash", "pay"}),  # English, any case
        ("LOGIN", {"crash", "pay"}),
        ("Login 后", {"pay"}),  # mixed, with a space
        ("👍🏽", {"emoji"}),
        ("赞👍🏽按", {"emoji"}),
        ("100%", {"percent"}),  # % is text, not a wildcard
        ("%", {"percent"}),
        ("0% 不", {"percent"}),
        ("r_n", {"underscore"}),  # _ is text, not "any character"
        ("_", {"underscore"}),
        ('"NEAR"', {"quote"}),  # quotes and NEAR are text, not FTS syntax
        ("NEAR", {"quote"}),
        ('"', {"quote"}),
        ("b*c", {"star"}),
        ("a-b", {"star"}),
        ("-", {"star"}),
        ("*", {"star"}),
        ("AND", set()),
        ("不存在的词", set()),
        ("登录失败", set()),  # every pair of characters is there, the phrase is not
        ("后录失", {"scrambled"}),
        ("ashes on l", {"crash"}),
        ("ashes on p", set()),
        ("ab", set()),
    ],
)
def test_search_finds_substrings_as_text(world: World, needle: str, expected: set[str]) -> None:
    assert world.find(needle) == expected


def test_search_ignores_deleted_and_other_workspaces(world: World) -> None:
    with transaction(world.factory) as session:
        session.execute(delete(FeedbackItem).where(FeedbackItem.id == world.ids["login"]))
    assert world.find("登录") == {"scrambled"}
    assert world.find("login") == {"crash", "pay"}
    # the other workspace's copies are gone with their team, and never showed anyway
    with transaction(world.factory) as session:
        session.execute(delete(Team).where(Team.id == world.other_team_id))
    assert world.find("login") == {"crash", "pay"}


def test_search_follows_edited_text(world: World) -> None:
    with transaction(world.factory) as session:
        session.execute(
            update(FeedbackItem)
            .where(FeedbackItem.id == world.ids["login"])
            .values(text="注册按钮灰色")
        )
    assert world.find("登录") == {"scrambled"}
    assert world.find("注册") == {"login"}
    assert world.find("按钮灰色") == {"login"}


def test_counts_are_bounded(world: World, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(queries, "COUNT_LIMIT", 3)
    with world.factory() as session:
        items, total = queries.search(
            session, workspace_id=world.workspace_id, filters=FeedbackFilter(), limit=2
        )
        assert [i.id for i in items] == sorted(world.ids.values(), reverse=True)[:2]
        assert total == 4 and queries.count_label(total) == "3+"
        # deeper pages count further: a page is never past the count
        _items, total = queries.search(
            session, workspace_id=world.workspace_id, filters=FeedbackFilter(), offset=8
        )
        assert total == len(TEXTS) and queries.count_label(total, 8) == str(len(TEXTS))
        _items, total = queries.search(
            session, workspace_id=world.workspace_id, filters=FeedbackFilter(text="登录")
        )
        assert total == 2 and queries.count_label(total) == "2"


def test_short_query_window_reads_the_newest_items(
    world: World, monkeypatch: pytest.MonkeyPatch
) -> None:
    """A short query the index cannot answer reads only the newest items (a defined bound)."""
    monkeypatch.setattr(queries, "SHORT_QUERY_WINDOW", 2)
    monkeypatch.setattr(queries, "MAX_PREFIX_TERMS", 0)
    # "卡" is in the two newest items ("end", "short"); "登" only in an older one
    assert world.find("卡") == {"end", "short"}
    assert world.find("登") == set()
    # three characters and more always use the index, whatever their age
    assert world.find("无法登") == {"login"}


# -- SQLite's full-text table and its migration ------------------------------------------------


def _fts_ids(session: Session, needle: str) -> list[int]:
    phrase = '"' + needle.replace('"', '""') + '"'
    rows = session.execute(
        text("SELECT rowid FROM feedback_item_fts WHERE feedback_item_fts MATCH :q ORDER BY rowid"),
        {"q": phrase},
    )
    return [r[0] for r in rows]


def test_fts_table_follows_insert_update_delete(sqlite_url: str) -> None:
    engine = make_engine(sqlite_url)
    factory = make_session_factory(engine)
    try:
        with transaction(factory) as session:
            team = _team(session, "ws")
            item = _item(team, "扫码登录失败")
            session.add(item)
            session.flush()
            item_id = item.id
        with factory() as session:
            assert _fts_ids(session, "码登录") == [item_id]
        with transaction(factory) as session:
            session.execute(
                update(FeedbackItem).where(FeedbackItem.id == item_id).values(text="扫码支付失败")
            )
        with factory() as session:
            assert _fts_ids(session, "码登录") == []
            assert _fts_ids(session, "码支付") == [item_id]
        with transaction(factory) as session:
            # deleting the workspace cascades to its items: the triggers fire for those too
            session.execute(delete(Workspace).where(Workspace.id == team.workspace_id))
        with factory() as session:
            assert _fts_ids(session, "码支付") == []
            assert session.scalar(text("SELECT count(*) FROM feedback_item_fts_vocab")) == 0
    finally:
        engine.dispose()


def test_search_migration_upgrades_with_data_and_downgrades(tmp_path: Path) -> None:
    url = f"sqlite:///{tmp_path / 'm.db'}"
    migrate.upgrade(url, revision="feedback@feedback_0001")
    migrate.upgrade(url, revision="heads")
    migrate.downgrade(url, "feedback_0001")
    engine = make_engine(url)
    try:
        names = set(inspect(engine).get_table_names())
        assert not {n for n in names if n.startswith("feedback_item_fts")}
        factory = make_session_factory(engine)
        with transaction(factory) as session:
            _store_old(session, _team(session, "ws"), "旧数据里的登录问题")
    finally:
        engine.dispose()
    # upgrading again indexes the rows written before the migration
    migrate.upgrade(url, revision="heads")
    engine = make_engine(url)
    try:
        with make_session_factory(engine)() as session:
            assert len(_fts_ids(session, "登录问")) == 1
            workspace_id = session.scalar(select(Workspace.id).where(Workspace.key == "ws"))
            assert workspace_id is not None
            items, _total = queries.search(
                session, workspace_id=workspace_id, filters=FeedbackFilter(text="登录")
            )
            assert [i.text for i in items] == ["旧数据里的登录问题"]
    finally:
        engine.dispose()


# -- MariaDB's bigram table and its migration --------------------------------------------------


def _grams(session: Session, item_id: int) -> set[bytes]:
    rows = session.execute(
        select(grams.grams_table.c.gram).where(grams.grams_table.c.item_id == item_id)
    )
    return {bytes(r[0]) for r in rows}


def _mariadb(db_url: str) -> None:
    if not db_url.startswith("mysql"):
        pytest.skip("the bigram table is MariaDB's")


def test_grams_follow_insert_update_delete(db_url: str) -> None:
    _mariadb(db_url)
    engine = make_engine(db_url)
    factory = make_session_factory(engine)
    try:
        # given an item written through the ORM
        with transaction(factory) as session:
            team = _team(session, "ws")
            item = _item(team, "扫码Login失败")
            session.add(item)
            session.flush()
            item_id = item.id
        with factory() as session:
            # then its lower-cased bigrams are stored, each once
            assert _grams(session, item_id) == set(grams.grams_of("扫码login失败"))
        # when its text is changed by a Core UPDATE, then the grams follow
        with transaction(factory) as session:
            session.execute(
                update(FeedbackItem).where(FeedbackItem.id == item_id).values(text="扫码支付")
            )
        with factory() as session:
            assert _grams(session, item_id) == {g.encode() for g in ("扫码", "码支", "支付")}
        # an update that leaves the text alone keeps them
        with transaction(factory) as session:
            session.execute(
                update(FeedbackItem).where(FeedbackItem.id == item_id).values(status="resolved")
            )
        with factory() as session:
            assert len(_grams(session, item_id)) == 3
        # deleting the workspace cascades to its items and their grams
        with transaction(factory) as session:
            session.execute(delete(Workspace).where(Workspace.id == team.workspace_id))
        with factory() as session:
            assert session.scalar(select(func.count()).select_from(grams.grams_table)) == 0
    finally:
        engine.dispose()


def test_a_rolled_back_item_leaves_no_grams(db_url: str) -> None:
    _mariadb(db_url)
    engine = make_engine(db_url)
    factory = make_session_factory(engine)
    try:
        with transaction(factory) as session:
            team = _team(session, "ws")
        # given an item flushed in a transaction that then fails
        with pytest.raises(RuntimeError), transaction(factory) as session:
            session.add(_item(session.merge(team), "回滚的反馈"))
            session.flush()
            raise RuntimeError("boundary fails after the flush")
        # then neither the item nor its grams were kept
        with factory() as session:
            assert session.scalar(select(func.count()).select_from(grams.grams_table)) == 0
    finally:
        engine.dispose()


def test_mariadb_migration_backfills_the_grams(db_url: str) -> None:
    """feedback_0003 on a MariaDB database that already holds items: their grams are written
    in batches; downgrading drops the table and its triggers."""
    _mariadb(db_url)
    admin_url = normalise_url(server_url("mysql") or "")
    name = f"ta_grams_{uuid.uuid4().hex[:8]}"
    admin = create_engine(admin_url, isolation_level="AUTOCOMMIT")
    with admin.connect() as connection:
        connection.execute(text(f"CREATE DATABASE {name} CHARACTER SET utf8mb4"))
    url = make_url(admin_url).set(database=name).render_as_string(hide_password=False)
    try:
        # given items stored before the migration (no table, no trigger)
        migrate.upgrade(url, revision="feedback@feedback_0002")
        migrate.upgrade(url, revision="heads")
        migrate.downgrade(url, "feedback_0002")
        engine = make_engine(url)
        try:
            assert grams.TABLE not in inspect(engine).get_table_names()
            with transaction(make_session_factory(engine)) as session:
                team = _team(session, "ws")
                for n in range(7):
                    _store_old(session, team, f"旧数据 {n} 登录问题")
                _store_old(session, team, "别的")
        finally:
            engine.dispose()
        # when upgrading again, in batches of three item ids
        with patch.object(grams, "backfill", partial(grams.backfill, batch=3)):
            migrate.upgrade(url, revision="heads")
        # then every old item is found through the grams, and only those
        engine = make_engine(url)
        try:
            with make_session_factory(engine)() as session:
                workspace_id = session.scalar(select(Workspace.id).where(Workspace.key == "ws"))
                assert workspace_id is not None
                found = queries.find(
                    session, workspace_id=workspace_id, filters=FeedbackFilter(text="登录问题")
                )
                assert len(found.items) == 7 and found.window is None
                stored = session.scalar(select(func.count()).select_from(grams.grams_table))
                expected = sum(len(grams.grams_of(f"旧数据 {n} 登录问题")) for n in range(7))
                assert stored == expected + len(grams.grams_of("别的"))
        finally:
            engine.dispose()
    finally:
        with admin.connect() as connection:
            connection.execute(text(f"DROP DATABASE IF EXISTS {name}"))
        admin.dispose()


def test_postgresql_has_the_trigram_index(db_url: str) -> None:
    if not db_url.startswith("postgresql"):
        pytest.skip("the trigram index is PostgreSQL's")
    engine = make_engine(db_url)
    try:
        indexes = {i["name"] for i in inspect(engine).get_indexes("feedback_item")}
        with engine.connect() as connection:
            definition = connection.scalar(
                text("SELECT indexdef FROM pg_indexes WHERE indexname = :n"),
                {"n": "ix_feedback_item_text_trgm"},
            )
    finally:
        engine.dispose()
    assert "ix_feedback_item_workspace_id_id" in indexes
    assert definition is not None and "gin_trgm_ops" in definition


# -- windows the reply tells, and pages cut from the matches' ids --------------------------------


def _found(world: World, needle: str) -> queries.Found:
    with world.factory() as session:
        return queries.find(
            session, workspace_id=world.workspace_id, filters=FeedbackFilter(text=needle)
        )


def test_a_window_is_reported_only_when_the_workspace_is_larger(
    world: World, monkeypatch: pytest.MonkeyPatch
) -> None:
    # given a short query the index may not serve, and a window of 2 of the 10 items
    monkeypatch.setattr(queries, "SHORT_QUERY_WINDOW", 2)
    monkeypatch.setattr(queries, "MAX_PREFIX_TERMS", 0)
    # when searched, then the newest two were read and the result says so
    found = _found(world, "卡")
    assert (len(found.items), found.total, found.window) == (2, 2, 2)
    # a window as large as the workspace is no bound: nothing to tell
    monkeypatch.setattr(queries, "SHORT_QUERY_WINDOW", len(TEXTS))
    assert _found(world, "登").window is None


def test_two_characters_and_more_search_every_item_on_mariadb(
    world: World, monkeypatch: pytest.MonkeyPatch
) -> None:
    """MariaDB's bigram table serves two characters and more: the oldest item is found however
    small the window; PostgreSQL's trigram index needs three (two stay windowed)."""
    monkeypatch.setattr(queries, "SHORT_QUERY_WINDOW", 2)
    found = _found(world, "无法登")  # the oldest item of the workspace
    assert ([i.id for i in found.items], found.window) == ([world.ids["login"]], None)
    found = _found(world, "登录")
    if world.engine.dialect.name == "postgresql":
        assert (found.items, found.window) == ([], 2)
    else:
        assert ({i.id for i in found.items}, found.window) == (
            {world.ids["login"], world.ids["scrambled"]},
            None,
        )


def test_a_date_range_is_searched_whole_when_a_window_remains(
    db_url: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    """The window counts the newest items matching the other filters: the board's date range
    of old items is searched in full, not the workspace's newest items."""
    monkeypatch.setattr(queries, "SHORT_QUERY_WINDOW", 2)
    monkeypatch.setattr(queries, "MAX_PREFIX_TERMS", 0)
    engine = make_engine(db_url)
    factory = make_session_factory(engine)
    old = date(2026, 5, 1)  # the others are on _item's 2026-06-01
    try:
        with transaction(factory) as session:
            team = _team(session, "ws")
            items = [_item(team, t) for t in ("五月卡顿", "五月又卡", "六月卡", "六月卡", "六月卡")]
            for item in items[:2]:
                item.local_date = old
            session.add_all(items)
            session.flush()
            old_ids = {items[0].id, items[1].id}
        with factory() as session:
            # given five items holding 卡, the two oldest in May, and a window of two
            whole = queries.find(
                session, workspace_id=team.workspace_id, filters=FeedbackFilter(text="卡")
            )
            # when searched for May only
            may = queries.find(
                session,
                workspace_id=team.workspace_id,
                filters=FeedbackFilter(text="卡", date_from=old, date_to=old),
            )
    finally:
        engine.dispose()
    # then May's two items are found and nothing is said to be left out
    assert {i.id for i in may.items} == old_ids and may.window is None
    # while the workspace-wide search is bounded to the newest two (no index serves it here)
    assert whole.window == 2 and not old_ids & {i.id for i in whole.items}


def test_pages_of_a_two_character_word_are_newest_first(
    db_url: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Pages through MariaDB's bigram table (and the other indexes): newest first, no gaps,
    the look-alikes that hold the characters in another order never among them."""
    engine = make_engine(db_url)
    factory = make_session_factory(engine)
    try:
        with transaction(factory) as session:
            team = _team(session, "ws")
            texts = [f"第{n}次卡顿" if n % 3 else f"顿卡 {n}" for n in range(14)]
            items = [_item(team, t) for t in texts]
            session.add_all(items)
            session.flush()
            wanted = [i.id for i in reversed(items) if "卡顿" in i.text]
        for count_limit in (3, 100):
            monkeypatch.setattr(queries, "COUNT_LIMIT", count_limit)
            paged: list[int] = []
            with factory() as session:
                for offset in range(0, len(wanted) + 2, 4):
                    found = queries.find(
                        session,
                        workspace_id=team.workspace_id,
                        filters=FeedbackFilter(text="卡顿"),
                        limit=4,
                        offset=offset,
                    )
                    assert found.total == min(len(wanted), offset + count_limit + 1)
                    paged += [i.id for i in found.items]
            assert paged == wanted
    finally:
        engine.dispose()


@pytest.mark.parametrize("count_limit", [3, 100])
@pytest.mark.parametrize("needle", [None, "a", "e"])
def test_pages_are_newest_first_without_gaps(
    world: World, monkeypatch: pytest.MonkeyPatch, count_limit: int, needle: str | None
) -> None:
    """Cut from the ids when the count ends below the bound, scanned in order when it passes
    it: either way the same pages, newest first."""
    monkeypatch.setattr(queries, "COUNT_LIMIT", count_limit)
    with world.factory() as session:
        everything = [
            i.id
            for i in session.scalars(
                select(FeedbackItem)
                .where(FeedbackItem.workspace_id == world.workspace_id)
                .order_by(FeedbackItem.id.desc())
            )
            if needle is None or needle.lower() in i.text.lower()
        ]
        assert len(everything) >= 3
        paged: list[int] = []
        for offset in range(0, len(everything) + 2, 2):
            found = queries.find(
                session,
                workspace_id=world.workspace_id,
                filters=FeedbackFilter(text=needle),
                limit=2,
                offset=offset,
            )
            assert found.total == min(len(everything), offset + count_limit + 1)
            paged += [i.id for i in found.items]
    assert paged == everything


# -- a phrase whose every part is common: the newest items only, and the reply says so ------------

# Oldest first. Each part of 页面白屏 (bigrams 页面 面白 白屏, trigrams 页面白 面白屏) is in three
# items, the phrase in the first, second and fourth; the others hold parts only.
COMMON_PARTS = ["旧的页面白屏", "页面白屏又来了", "登录页面", "页面白屏！", "白屏了"]


@pytest.fixture
def common(db_url: str, monkeypatch: pytest.MonkeyPatch) -> Iterator[tuple[World, list[int]]]:
    """A workspace of COMMON_PARTS (ids oldest first), with "common" meaning in two items."""
    monkeypatch.setattr(queries, "GRAM_PROBE", 2)
    engine = make_engine(db_url)
    factory = make_session_factory(engine)
    with transaction(factory) as session:
        team = _team(session, "ws")
        items = [_item(team, t) for t in COMMON_PARTS]
        for item in items:  # one flush each: ids in this order on every backend
            session.add(item)
            session.flush()
        ids = [i.id for i in items]
    world = World.__new__(World)
    world.engine, world.factory, world.workspace_id = engine, factory, team.workspace_id
    yield world, ids
    engine.dispose()


def test_common_parts_search_the_newest_items_and_say_so(
    common: tuple[World, list[int]], monkeypatch: pytest.MonkeyPatch
) -> None:
    world, ids = common
    # given a window of the two newest items: the phrase is in the fourth, not the fifth
    monkeypatch.setattr(queries, "SHORT_QUERY_WINDOW", 2)
    found = _found(world, "页面白屏")
    # then it is found inside the window, the older two are not read, and the bound is told
    assert [i.id for i in found.items] == [ids[3]] and found.total == 1
    assert (found.window, found.window_reason) == (2, "common")
    # a window of four reaches the second item, still not the first
    monkeypatch.setattr(queries, "SHORT_QUERY_WINDOW", 4)
    found = _found(world, "页面白屏")
    assert [i.id for i in found.items] == [ids[3], ids[1]]
    assert (found.total, found.window, found.window_reason) == (2, 4, "common")
    # a window as large as the workspace is no bound: all three, nothing to tell
    monkeypatch.setattr(queries, "SHORT_QUERY_WINDOW", len(COMMON_PARTS))
    found = _found(world, "页面白屏")
    assert [i.id for i in found.items] == [ids[3], ids[1], ids[0]]
    assert (found.total, found.window, found.window_reason) == (3, None, None)


def test_a_rare_part_searches_every_item(
    common: tuple[World, list[int]], monkeypatch: pytest.MonkeyPatch
) -> None:
    world, ids = common
    monkeypatch.setattr(queries, "SHORT_QUERY_WINDOW", 1)
    # given 旧的 in one item only (below the probe): the index answers, the oldest is found
    found = _found(world, "旧的页面白屏")
    assert ([i.id for i in found.items], found.window) == ([ids[0]], None)
    # and a phrase whose rarest part is in no item is nothing, without a window
    assert (_found(world, "页面白屏黑").items, _found(world, "页面白屏黑").window) == ([], None)


def test_a_window_full_of_matches_is_the_whole_answer(
    common: tuple[World, list[int]], monkeypatch: pytest.MonkeyPatch
) -> None:
    """When the window holds more matches than the count bound and the page, its page and
    "N+" label are those of the whole search: no bound to tell."""
    world, ids = common
    monkeypatch.setattr(queries, "SHORT_QUERY_WINDOW", 4)  # the newest four: two matches
    monkeypatch.setattr(queries, "COUNT_LIMIT", 1)
    with world.factory() as session:
        filters = FeedbackFilter(text="页面白屏")
        found = queries.find(session, workspace_id=world.workspace_id, filters=filters, limit=2)
        assert [i.id for i in found.items] == [ids[3], ids[1]] and found.window is None
        assert queries.count_label(found.total) == "1+"
        # a page reaching past the window's matches is told
        found = queries.find(session, workspace_id=world.workspace_id, filters=filters, limit=3)
        assert [i.id for i in found.items] == [ids[3], ids[1]] and found.window == 4


def test_no_probe_when_the_window_is_everything(
    common: tuple[World, list[int]], monkeypatch: pytest.MonkeyPatch
) -> None:
    """A workspace no larger than the window searches its whole index, as before the probes:
    asking how common the parts are would cost without changing the plan."""
    world, ids = common
    monkeypatch.setattr(queries, "SHORT_QUERY_WINDOW", len(COMMON_PARTS))
    seen: list[str] = []

    def record(_conn: object, _cursor: object, statement: str, *_args: object) -> None:
        seen.append(statement)

    event.listen(world.engine, "before_cursor_execute", record)
    try:
        found = _found(world, "页面白屏")
    finally:
        event.remove(world.engine, "before_cursor_execute", record)
    assert [i.id for i in found.items] == [ids[3], ids[1], ids[0]] and found.window is None
    probes = [s for s in seen if "feedback_item_fts_instance" in s or "strpos" in s]
    assert probes == [], probes
    # with a window smaller than the workspace they are asked (SQLite, PostgreSQL)
    monkeypatch.setattr(queries, "SHORT_QUERY_WINDOW", 2)
    event.listen(world.engine, "before_cursor_execute", record)
    try:
        _found(world, "页面白屏")
    finally:
        event.remove(world.engine, "before_cursor_execute", record)
    probes = [s for s in seen if "feedback_item_fts_instance" in s or "strpos" in s]
    assert bool(probes) == (world.engine.dialect.name in ("sqlite", "postgresql")), seen
