"""Shared fixtures: migrated databases on every backend, a runtime with a frozen clock, the demo
workspace, and the chat driver."""

from __future__ import annotations

import logging
import os
from collections.abc import Iterator, Sequence
from datetime import UTC, datetime

import pytest

from teamassist import demo, documents
from teamassist.bootstrap import build_runtime
from teamassist.clock import FrozenClock
from teamassist.config import Settings
from teamassist.database import transaction
from teamassist.domain import Domain
from teamassist.runtime import Runtime
from tests.support import compiled, schedule, snapshots
from tests.support.chat import ChatDriver, RecordingSender
from tests.support.databases import BACKENDS, MigratedDatabase, require_backend
from tests.support.inbox import settle_before_delivery

_databases: dict[str, MigratedDatabase] = {}

# Dashboard passwords are hashed at Argon2's floor in tests, through the product's setting
# (``web.password_hash``; the environment reaches the processes a test starts too): the strong
# default costs 1–2 s a hash and as much a check at load 15 (0.26 s CPU, 4 threads), and
# 57 test files sign someone in. tests/web/test_password_cost.py keeps the default strong.
CHEAP_PASSWORD_HASH = {"TIME_COST": "1", "MEMORY_KIB": "8", "PARALLELISM": "1"}
for _name, _value in CHEAP_PASSWORD_HASH.items():
    os.environ.setdefault(f"TEAMASSIST_WEB__PASSWORD_HASH__{_name}", _value)

# 2026-06-01 is a Monday and a normal working day in China (UTC 01:00 = 09:00 Asia/Shanghai).
DEFAULT_NOW = datetime(2026, 6, 1, 1, 0, tzinfo=UTC)


def pytest_collection_modifyitems(config: pytest.Config, items: list[pytest.Item]) -> None:
    """A test marked ``forms_of_one_path`` runs every case on SQLite and its first case on
    PostgreSQL and MariaDB too: its cases are spellings of one input (date words, marks) that
    the parser reads before anything is stored, and the stored outcome takes the same
    statements whatever the spelling, so the servers see that path once. Cases on the servers
    are deselected (pytest's summary counts them)."""
    kept: list[pytest.Item] = []
    dropped: list[pytest.Item] = []
    first: set[tuple[str, str, str]] = set()  # (file, function, server) whose first case is kept
    for item in items:
        callspec = getattr(item, "callspec", None)
        server = callspec.params.get("db_url", "sqlite") if callspec is not None else "sqlite"
        if server != "sqlite" and item.get_closest_marker("forms_of_one_path"):
            name = getattr(item, "originalname", item.name)
            function = (item.nodeid.split("::")[0], name, server)
            if function in first:
                dropped.append(item)
                continue
            first.add(function)
        kept.append(item)
    if dropped:
        config.hook.pytest_deselected(items=dropped)
        items[:] = kept
    if hasattr(config, "workerinput"):  # an xdist worker: files longest first (scripts/test.sh)
        items[:] = schedule.longest_first(items)


def pytest_sessionfinish(session: pytest.Session, exitstatus: int) -> None:
    for database in _databases.values():
        database.drop()


@pytest.fixture(autouse=True, scope="session")
def _render_host_held() -> Iterator[None]:
    """One template render host per test process: a runtime's close stops it
    (``documents.release_sandbox``), and a start costs an interpreter (~0.2 s of CPU, up to
    1 s at load) while hundreds of tests build a runtime and a few hundred render."""
    with documents.hold_sandbox():
        yield


@pytest.fixture(autouse=True)
def _root_logger_restored() -> Iterator[None]:
    """Put the root logger's handlers and level back after each test: a CLI command run
    in-process (``serve``, ``worker``) calls ``logs.configure``, which otherwise leaves INFO
    lines from every library flowing into later tests' ``caplog``."""
    root = logging.getLogger()
    handlers, level = list(root.handlers), root.level
    yield
    for handler in list(root.handlers):
        if handler not in handlers:
            root.removeHandler(handler)
    for handler in handlers:
        if handler not in root.handlers:
            root.addHandler(handler)
    root.setLevel(level)


def migrated(backend: str) -> MigratedDatabase:
    """The session's migrated database for ``backend``."""
    require_backend(backend)
    if backend not in _databases:
        _databases[backend] = MigratedDatabase(backend)
    return _databases[backend]


@pytest.fixture(params=BACKENDS)
def db_url(request: pytest.FixtureRequest) -> str:
    """An empty, migrated database on each backend in turn. A test that asks for the demo
    (``demo_runtime``, ``chat``) loads it before anything else writes, which spares MariaDB's
    id counters a reset the copy would undo (``MigratedDatabase.fresh_url``)."""
    return migrated(request.param).fresh_url(demo_next="demo_runtime" in request.fixturenames)


@pytest.fixture
def sqlite_url() -> str:
    """An empty, migrated SQLite database (for tests whose subject is not storage)."""
    return migrated("sqlite").fresh_url()


@pytest.fixture
def clock() -> FrozenClock:
    """A clock the test moves by hand."""
    return FrozenClock(DEFAULT_NOW)


def make_runtime(
    url: str, clock: FrozenClock, *, domains: Sequence[Domain] | None = None, **settings: object
) -> Runtime:
    """A runtime on ``url`` with recording senders for every chat platform; ``domains``
    defaults to the bootstrap's list."""
    config = Settings(database={"url": url}, **settings)  # type: ignore[arg-type]
    runtime = build_runtime(config, clock=clock, domains=domains)
    compiled.share(runtime.engine)  # compiled SQL kept across the session's engines
    for platform in ("qq", "feishu", "wecom"):
        runtime.senders.setdefault(platform, RecordingSender(platform))
    # Webhooks may finish a command after acknowledging it; deliver only once that work is done.
    return settle_before_delivery(runtime)


@pytest.fixture
def runtime(db_url: str, clock: FrozenClock) -> Iterator[Runtime]:
    """A runtime on every backend (storage and workflow tests)."""
    rt = make_runtime(db_url, clock)
    yield rt
    rt.close()


@pytest.fixture
def sqlite_runtime(sqlite_url: str, clock: FrozenClock) -> Iterator[Runtime]:
    """A runtime on SQLite only."""
    rt = make_runtime(sqlite_url, clock)
    yield rt
    rt.close()


def load_demo(rt: Runtime) -> None:
    """Load the demo workspace into ``rt``'s database: on a session database, the rows of this
    session's first real load of the same key are copied in (``tests/support/snapshots.py``)."""

    def load() -> None:
        with transaction(rt.factory) as session:
            demo.load(session, now=rt.clock(), domains=rt.domains)

    url = rt.engine.url.render_as_string(hide_password=False)
    for database in _databases.values():
        if database.owns(url):
            key = snapshots.demo_key(rt.clock(), [domain.key for domain in rt.domains])
            database.load_demo(url, key, load)
            return
    load()


def bind_tenant(
    rt: Runtime, platform: str, tenant_key: str, *, kind: str = "", workspace: str = "demo"
) -> None:
    """Bind a platform tenant to a workspace, as an operator does with `teamassist bind`."""
    from teamassist.team import binding
    from teamassist.team import service as team_service

    with transaction(rt.factory) as session:
        ws = team_service.get_workspace_by_key(session, key=workspace)
        assert ws is not None, workspace
        binding.bind(
            session,
            workspace=ws,
            platform=platform,
            tenant_key=tenant_key,
            kind=kind,
            now=rt.clock(),
        )


@pytest.fixture
def demo_runtime(runtime: Runtime) -> Runtime:
    """A runtime (every backend) with the demo workspace loaded."""
    load_demo(runtime)
    return runtime


@pytest.fixture
def chat(demo_runtime: Runtime) -> ChatDriver:
    """Given the demo workspace on every backend: a driver to talk to the assistant."""
    return ChatDriver(demo_runtime)


@pytest.fixture
def sqlite_chat(sqlite_runtime: Runtime) -> ChatDriver:
    """Given the demo workspace on SQLite: a driver to talk to the assistant."""
    load_demo(sqlite_runtime)
    return ChatDriver(sqlite_runtime)
