"""Engine, sessions and the declarative base shared by every domain.

The boundary (HTTP request, chat dispatcher, job runner) owns the transaction through
:func:`transaction` or :func:`run_transaction`; services only ``flush()``.

Concurrency rules, per backend:

- SQLite (WAL): readers run side by side, one writer at a time. A deferred transaction that
  reads and then writes cannot upgrade its lock once another writer committed after its read
  (SQLITE_BUSY at once, the busy timeout does not help), so every transaction starts
  ``BEGIN IMMEDIATE`` unless it is declared read-only; this process's writers queue on a lock
  (fair, no sleeping busy handler) and other processes wait through ``busy_timeout``.
- PostgreSQL / MariaDB: READ COMMITTED; deadlocks and serialization failures can still abort a
  transaction. :func:`run_transaction` re-runs the whole unit of work a bounded number of times
  for those errors only (:func:`is_retryable`).
"""

from __future__ import annotations

import contextlib
import functools
import json
import logging
import math
import random
import sqlite3
import threading
import time
import weakref
from collections.abc import Callable, Iterator, Mapping, Sequence
from contextlib import contextmanager
from contextvars import ContextVar
from datetime import UTC, datetime
from pathlib import Path
from typing import Any, TypeVar

from sqlalchemy import DateTime, Engine, Insert, MetaData, create_engine, event
from sqlalchemy import inspect as sa_inspect
from sqlalchemy.engine import URL, Connection, Dialect, make_url
from sqlalchemy.exc import DBAPIError, DisconnectionError
from sqlalchemy.orm import DeclarativeBase, Session, make_transient_to_detached, sessionmaker
from sqlalchemy.pool import QueuePool
from sqlalchemy.types import TypeDecorator

log = logging.getLogger(__name__)

T = TypeVar("T")

# Execution option naming a transaction that only reads (SQLite: plain deferred BEGIN).
READ_ONLY = "teamassist_read_only"
# The largest 64-bit integer: REST path ids and chat id arguments are bounded by it,
# so an out-of-range id is a clear refusal, not a driver error.
MAX_ID = 2**63 - 1
# The largest id a row can have on every backend: ids are INTEGER columns (32-bit on PostgreSQL
# and MariaDB), so a larger id names no row anywhere.
MAX_STORED_ID = 2**31 - 1
# How long a writer waits for the database before giving up (SQLite busy_timeout, lock queue).
BUSY_TIMEOUT_SECONDS = 30.0
# A unit of work that lost a deadlock / lock race is re-run at most this many times in all.
RETRY_ATTEMPTS = 5
# Pool sizes per backend. SQLite has one writer at a time and the GIL caps useful parallelism,
# so a small fixed pool; the servers get a larger pool with overflow for bursts.
SQLITE_POOL = {"pool_size": 8, "max_overflow": 0}
SERVER_POOL = {"pool_size": 10, "max_overflow": 10}
# Connections kept free of requests for the delivery worker and the scheduler.
BACKGROUND_CONNECTIONS = 2
# A pooled server connection back in the pool longer than this is pinged before it is used
# again (:class:`_PingIdle`); one used more recently is handed out as it is.
PING_AFTER_IDLE_SECONDS = 1.0

NAMING_CONVENTION = {
    "ix": "ix_%(column_0_label)s",
    "uq": "uq_%(table_name)s_%(column_0_N_name)s",
    "ck": "ck_%(table_name)s_%(constraint_name)s",
    "fk": "fk_%(table_name)s_%(column_0_name)s_%(referred_table_name)s",
    "pk": "pk_%(table_name)s",
}


class Base(DeclarativeBase):
    """Declarative base with explicit constraint names (stable migrations on every backend)."""

    metadata = MetaData(naming_convention=NAMING_CONVENTION)


class UTCDateTime(TypeDecorator[datetime]):
    """A timestamp stored as UTC and always returned tz-aware.

    SQLite and MySQL keep no zone, so values are normalised to naive UTC on the way in and
    re-labelled UTC on the way out; naive input is a bug and is refused.
    """

    impl = DateTime
    cache_ok = True

    def load_dialect_impl(self, dialect: Dialect) -> Any:
        if dialect.name == "postgresql":
            return dialect.type_descriptor(DateTime(timezone=True))
        if dialect.name == "mysql":
            from sqlalchemy.dialects.mysql import DATETIME

            return dialect.type_descriptor(DATETIME(fsp=6))
        return dialect.type_descriptor(DateTime())

    def process_bind_param(self, value: datetime | None, dialect: Dialect) -> datetime | None:
        if value is None:
            return None
        if value.tzinfo is None:
            raise ValueError("naive datetime given to a UTCDateTime column")
        value = value.astimezone(UTC)
        return value if dialect.name == "postgresql" else value.replace(tzinfo=None)

    def process_result_value(self, value: datetime | None, dialect: Dialect) -> datetime | None:
        if value is None:
            return None
        if value.tzinfo is None:
            return value.replace(tzinfo=UTC)
        return value.astimezone(UTC)


def normalise_url(url: str) -> str:
    """Pick our drivers for bare URLs and force full Unicode (utf8mb4) on MySQL/MariaDB."""
    parsed = make_url(url)
    driver = parsed.drivername
    if driver in {"postgres", "postgresql"}:
        parsed = parsed.set(drivername="postgresql+psycopg")
    elif driver in {"mysql", "mariadb"}:
        parsed = parsed.set(drivername="mysql+pymysql")
    if parsed.drivername.startswith(("mysql", "mariadb")):
        parsed = parsed.update_query_dict({"charset": "utf8mb4"})
    return parsed.render_as_string(hide_password=False)


def json_text(value: Any) -> str:
    """A JSON column's value as stored: Chinese written as itself, not as ``\\uXXXX`` escapes
    (the standard library's default), which made every Chinese message and reply about twice
    its size in the inbox and outbox. Compact separators for the same reason. Every backend
    stores UTF-8 here (utf8mb4 on MariaDB, :func:`normalise_url`)."""
    return json.dumps(value, ensure_ascii=False, separators=(",", ":"))


def make_engine(
    url: str,
    *,
    echo: bool = False,
    connect_timeout: float = 0.0,
    statement_timeout: float = 0.0,
) -> Engine:
    """Create an engine for ``url`` with the per-backend settings we rely on.

    ``connect_timeout``, ``statement_timeout``: seconds, 0 for none (``database.*`` settings;
    what each backend does with them: :func:`server_timeouts`). SQLite ignores both.
    """
    url = normalise_url(url)
    parsed = make_url(url)
    kwargs: dict[str, Any] = {"echo": echo, "future": True, "json_serializer": json_text}
    sqlite = parsed.get_backend_name() == "sqlite"
    mysql = parsed.get_backend_name() in ("mysql", "mariadb")
    if mysql:
        # A connection is rolled back on its way back to the pool only when a transaction is
        # open there (:func:`_mysql_reset`), not after every commit.
        kwargs["pool_reset_on_return"] = None
    if sqlite:
        database = parsed.database or ""
        if database and database != ":memory:":
            Path(database).parent.mkdir(parents=True, exist_ok=True)
            kwargs.update(poolclass=QueuePool, pool_timeout=BUSY_TIMEOUT_SECONDS, **SQLITE_POOL)
        kwargs["connect_args"] = {"check_same_thread": False, "timeout": BUSY_TIMEOUT_SECONDS}
    else:
        # READ COMMITTED on both servers, as the rules above say: PostgreSQL's default, but
        # MariaDB/MySQL default to REPEATABLE READ, where a plain read after taking a row lock
        # still sees the transaction's older snapshot (a "lock, then re-check" reads stale data).
        kwargs.update(
            pool_recycle=1800,
            isolation_level="READ COMMITTED",
            connect_args=server_timeouts(parsed, connect_timeout, statement_timeout),
            **SERVER_POOL,
        )
    engine = create_engine(url, **kwargs)
    if mysql:
        event.listen(engine, "do_connect", _mysql_bounded_handshake)
        event.listen(engine, "reset", _mysql_reset)
    if not sqlite:
        ping = _PingIdle(engine.dialect)
        event.listen(engine, "checkin", ping.checkin)
        event.listen(engine, "checkout", ping.checkout)
    if parsed.get_backend_name() == "postgresql":
        event.listen(engine, "connect", _described_on_demand)
    if sqlite:
        writers = _SqliteWriters(BUSY_TIMEOUT_SECONDS)
        event.listen(engine, "connect", _sqlite_pragmas)
        # pysqlite's own transaction handling defers BEGIN and breaks SAVEPOINT; the driver is
        # put in autocommit mode (isolation_level=None) and we emit BEGIN ourselves (SQLAlchemy
        # docs, pysqlite "Serializable isolation / Savepoints / Transactional DDL").
        event.listen(engine, "begin", writers.begin)
        event.listen(engine, "commit", writers.commit)
        event.listen(engine, "rollback", writers.end)
    event.listen(engine, "after_cursor_execute", _note_change)
    event.listen(engine, "commit", _forget_changes)
    event.listen(engine, "rollback", _forget_changes)
    _COUNTING.add(engine)
    return engine


class _PingIdle:
    """Ping a pooled connection before use only when it sat idle in the pool: a dropped
    connection (server restart, idle timeout) is replaced instead of failing a request.

    ``pool_pre_ping`` pinged at every checkout: a round trip and ~0.3 ms of client CPU per
    transaction, and a /问题反馈 served with its notices' delivery runs four or more (issue 9).
    A connection back in the pool less than :data:`PING_AFTER_IDLE_SECONDS` ago was working
    then; a server that went away within that second fails the statement, which invalidates
    the pool's older connections as any disconnect does (SQLAlchemy's pessimistic
    disconnect handling, its custom checkout ping, public API)."""

    def __init__(self, dialect: Dialect) -> None:
        self.dialect = dialect

    def checkin(self, _dbapi_connection: Any, record: Any) -> None:
        record.info[_RETURNED] = time.monotonic()

    def checkout(self, dbapi_connection: Any, record: Any, _proxy: Any) -> None:
        returned = record.info.get(_RETURNED)
        if returned is None or time.monotonic() - returned < PING_AFTER_IDLE_SECONDS:
            return  # new (just connected), or in use a moment ago
        try:
            alive = self.dialect.do_ping(dbapi_connection)
        except Exception as exc:
            # The pool drops this connection and checks out another (three tries).
            raise DisconnectionError(str(exc)) from exc
        if not alive:
            raise DisconnectionError("the ping was not answered")


_RETURNED = "teamassist_returned"  # pool record info: when the connection was checked in

# pymysql's server status bit for "a transaction is open" (SERVER_STATUS_IN_TRANS).
_MYSQL_IN_TRANSACTION = 1


def _mysql_reset(dbapi_connection: Any, _record: Any, state: Any) -> None:
    """Roll a MariaDB connection back on its way back to the pool only if a transaction is
    open on it: the pool's own reset (``reset_on_return="rollback"``) sent a ROLLBACK, a
    round trip, after every transaction the ORM had committed already. The ORM's commit
    ends the Core transaction before it closes the connection, so the pool is never told the
    transaction was reset (``transaction_was_reset``); psycopg and sqlite3 skip a rollback
    with no transaction open on their own, pymysql sends it. Whether one is open is the
    server's word, carried on every reply (``server_status``, as pymysql's own
    ``get_autocommit`` reads it); a result not read to its end has not brought it yet, so it
    is rolled back. SQLAlchemy's documented custom reset: ``pool_reset_on_return=None`` and
    this ``reset`` event; a rollback that fails invalidates the connection, as before."""
    if state.terminate_only or state.transaction_was_reset:
        return
    unread = getattr(getattr(dbapi_connection, "_result", None), "unbuffered_active", False)
    status = getattr(dbapi_connection, "server_status", None)
    if not unread and status is not None and not status & _MYSQL_IN_TRANSACTION:
        return
    dbapi_connection.rollback()


def _described_on_demand(dbapi_connection: Any, _record: Any) -> None:
    """psycopg: cursors whose ``description`` makes its ``Column`` objects only when read."""
    dbapi_connection.cursor_factory = _described_cursor()


@functools.cache
def _described_cursor() -> type[Any]:
    """A ``psycopg.Cursor`` whose ``description`` is a sequence that makes psycopg's own
    ``Column`` objects on first read, not at once.

    SQLAlchemy asks every statement that returns rows for its ``description``, and reads it
    only the first time it runs a compiled statement (later runs reuse the result's columns
    cached on the compiled form: ``CursorResult._init_metadata``; it only tells rows from none
    by ``None``). psycopg makes a ``Column`` per column on every ask (a type lookup, a name
    decoded): 30 µs for the caller lookup's 33 columns, ~6 % of a /今日值班 (issue 9,
    PostgreSQL, in process). Built on first connect: a process serving another backend never
    imports psycopg. What a ``Column`` reads (the result, the connection's encoding and types)
    is taken when asked, so it describes that result even read after the cursor moved on."""
    import psycopg
    from psycopg.pq import ExecStatus

    with_rows = (ExecStatus.TUPLES_OK, ExecStatus.SINGLE_TUPLE, ExecStatus.TUPLES_CHUNK)

    class Described(Sequence[psycopg.Column]):
        """One result's ``description``: ``Column(self, i)`` reads what it needs of the
        cursor (``pgresult``, ``_encoding``, ``adapters``) from this snapshot."""

        __slots__ = ("_columns", "_encoding", "adapters", "pgresult")

        def __init__(self, cursor: psycopg.Cursor[Any], result: Any) -> None:
            self.pgresult = result
            self._encoding = cursor._encoding
            self.adapters = cursor.adapters
            self._columns: list[psycopg.Column] | None = None

        def _made(self) -> list[psycopg.Column]:
            if self._columns is None:
                made = [psycopg.Column(self, i) for i in range(self.pgresult.nfields)]  # type: ignore[arg-type]
                self._columns = made
            return self._columns

        def __len__(self) -> int:
            return int(self.pgresult.nfields)

        def __getitem__(self, index: Any) -> Any:
            return self._made()[index]

        def __iter__(self) -> Iterator[psycopg.Column]:
            return iter(self._made())

    class DescribedCursor(psycopg.Cursor[Any]):
        @property
        def description(self) -> Described | None:  # type: ignore[override]
            # psycopg's own test: columns, or a result that said it has rows ("SELECT ;")
            result = self.pgresult
            if result and (result.nfields or result.status in with_rows):
                return Described(self, result)
            return None

    return DescribedCursor


# -- what a transaction changed -------------------------------------------------------------
#
# A refused chat command that changed nothing ("已经签到过了": its one INSERT … ON CONFLICT DO
# NOTHING skipped the row) may keep its transaction and write its inbox row there, instead of a
# rollback and a second transaction (issue 9). Whether it changed nothing is read from the
# driver's row counts, statement by statement, with no statement of our own.
_CHANGED = "teamassist_changed"  # connection info: statements that changed rows, or may have
_RETURNING = "teamassist_returning"  # SQLite: a DML cursor with rows not read yet (count unknown)
_UNREAD_KEPT = 64
# Statements that change no row (a SAVEPOINT's ROLLBACK TO undoes changes counted before).
_NO_CHANGE = ("SELECT", "SAVEPOINT", "RELEASE", "ROLLBACK", "BEGIN", "COMMIT", "PRAGMA", "SHOW")
# The engines :func:`make_engine` made, whose connections count (a freed engine leaves).
_COUNTING: weakref.WeakSet[Engine] = weakref.WeakSet()


def _note_change(
    conn: Connection, cursor: Any, statement: str, _params: Any, _context: Any, _many: bool
) -> None:
    if statement.lstrip()[:9].upper().startswith(_NO_CHANGE):
        return
    count = cursor.rowcount
    if count == 0 and cursor.description is not None and conn.dialect.name == "sqlite":
        # sqlite3 counts the rows of an INSERT … RETURNING only once they are read: 0 here
        # even when it inserted one. Kept to be asked again (:func:`changed_since`); past
        # a bound (a bulk of notices) counted as a change rather than kept.
        unread = conn.info.setdefault(_RETURNING, [])
        if len(unread) < _UNREAD_KEPT:
            unread.append(cursor)
        else:
            conn.info[_CHANGED] = conn.info.get(_CHANGED, 0) + 1
    elif count != 0:  # -1 (unknown) counts as a change
        conn.info[_CHANGED] = conn.info.get(_CHANGED, 0) + 1


def _forget_changes(conn: Connection) -> None:
    if conn.invalidated or conn.closed:
        # Its DBAPI connection is gone (a statement timed out, the server went away), and
        # the counts with it; asking for its info would raise over the error being handled.
        return
    conn.info.pop(_CHANGED, None)
    conn.info.pop(_RETURNING, None)


def change_mark(session: Session) -> tuple[int, int]:
    """Where the session's transaction stands in its changes, for :func:`changed_since`."""
    info = session.connection().info
    return info.get(_CHANGED, 0), len(info.get(_RETURNING, ()))


def changed_since(session: Session, mark: tuple[int, int]) -> bool:
    """Whether the session's transaction changed a row after ``mark``, or holds ORM changes not
    flushed; True when the engine was not made by :func:`make_engine` (nothing is counted).

    Which engines count is kept here, not asked of ``event.contains``: SQLAlchemy keys a
    listener by ``id(engine)``, so an engine made where a counting one was, while that one's
    listeners outlived it, was taken as counting, and a refusal after a change would have
    kept the change (the trap f924e37 fixed for session factories, :func:`listen_once`)."""
    if session.new or session.dirty or session.deleted:
        return True
    connection = session.connection()
    if connection.engine not in _COUNTING:
        return True
    info = connection.info
    if info.get(_CHANGED, 0) != mark[0]:
        return True
    for cursor in info.get(_RETURNING, [])[mark[1] :]:
        with contextlib.suppress(sqlite3.ProgrammingError):  # closed: its count is final
            cursor.fetchall()  # rows nobody read: the count is final once they are
        if cursor.rowcount != 0:
            return True
    return False


def server_timeouts(url: URL, connect: float, statement: float) -> dict[str, Any]:
    """The driver arguments bounding a connect and a statement on a database server (seconds,
    0 = unbounded); what the URL's own query sets is left alone.

    PostgreSQL (psycopg / libpq): ``connect_timeout`` (whole seconds, libpq's unit; at least 2,
    libpq's floor) and ``options=-c statement_timeout=<ms>``: the server cancels the statement
    (SQLSTATE 57014) and the connection stays usable. MariaDB/MySQL (pymysql):
    ``connect_timeout``, and ``read_timeout``/``write_timeout`` on the socket: the client stops
    waiting and drops the connection; the server may finish the statement (a transaction
    rolls back with the connection). pymysql's ``connect_timeout`` covers only the TCP connect
    and reads the server's greeting under the *read* timeout (none by default), so a host that
    accepts and then stays silent held ``serve`` for minutes: :func:`_mysql_bounded_handshake`
    runs the whole handshake under the connect timeout. Both drivers give up a silent host
    after about the connect timeout (psycopg 3 bounds each address it tries by it). Sources:
    PostgreSQL 15 docs, "Connection Strings" (connect_timeout) and "Client Connection
    Defaults" (statement_timeout); PyMySQL 2.2 ``connections.Connection`` docstring and
    ``Connection.connect``.
    """
    given = set(url.query)
    args: dict[str, Any] = {}
    if url.get_backend_name() == "postgresql":
        if connect > 0 and "connect_timeout" not in given:
            args["connect_timeout"] = max(2, math.ceil(connect))
        if statement > 0 and "options" not in given:
            args["options"] = f"-c statement_timeout={max(1, round(statement * 1000))}"
    elif url.get_backend_name() in ("mysql", "mariadb"):
        if connect > 0 and "connect_timeout" not in given:
            args["connect_timeout"] = connect
        if statement > 0:
            for key in ("read_timeout", "write_timeout"):
                if key not in given:
                    args[key] = statement
    return args


# pymysql's own default connect timeout (seconds), used when neither the URL nor the settings
# name one: the handshake is then bounded by it too.
_PYMYSQL_CONNECT_TIMEOUT = 10.0


def _mysql_bounded_handshake(
    dialect: Dialect, _record: Any, cargs: tuple[Any, ...], cparams: dict[str, Any]
) -> Any:
    """Connect with pymysql, the greeting and authentication under the connect timeout, then
    hand the statements their own read/write timeouts (None: unbounded).

    pymysql applies ``read_timeout`` to the socket before it reads the greeting and checks
    ``_read_timeout`` before every later read, so setting it after the handshake is what the
    driver itself does when the timeouts change (PyMySQL 2.2 ``_read_bytes``/``_write_bytes``);
    tests/storage/test_timeouts.py holds both bounds on MariaDB.
    """
    handshake = float(cparams.get("connect_timeout") or _PYMYSQL_CONNECT_TIMEOUT)
    reading, writing = cparams.get("read_timeout"), cparams.get("write_timeout")
    bounded = {**cparams, "read_timeout": handshake, "write_timeout": handshake}
    connection = dialect.loaded_dbapi.connect(*cargs, **bounded)
    connection._read_timeout = None if reading is None else float(reading)
    connection._write_timeout = None if writing is None else float(writing)
    return connection


class _SqliteWriters:
    """Start SQLite transactions IMMEDIATE (unless read-only) and queue this process's writers.

    Waiting on a lock hands the database over in order the moment the writer before commits;
    SQLite's own busy handler sleeps in growing steps and lets late arrivals overtake.
    """

    def __init__(self, timeout: float) -> None:
        self._lock = threading.Lock()
        self._timeout = timeout
        # Which connection holds the lock is kept here, by identity, not in ``conn.info``:
        # after a crash inside a statement SQLAlchemy invalidates the connection, and touching
        # ``conn.info`` then raises, which would both hide the crash and keep the lock held.
        # (Not per thread: a request's transaction may begin and end on different threads.)
        self._holders: set[int] = set()

    def begin(self, conn: Connection) -> None:
        if conn.get_execution_options().get(READ_ONLY):
            conn.exec_driver_sql("BEGIN")
            return
        # On timeout go on without the lock: SQLite's busy timeout still decides.
        if self._lock.acquire(timeout=self._timeout):
            self._holders.add(id(conn))
        try:
            conn.exec_driver_sql("BEGIN IMMEDIATE")
        except BaseException:
            self.end(conn)
            raise

    def commit(self, conn: Connection) -> None:
        """Commit, then let the next writer in. SQLAlchemy's ``commit`` event fires *before* the
        driver's commit (``Connection._commit_impl``), so releasing there let the next writer's
        ``BEGIN IMMEDIATE`` meet the lock still held and fall back to SQLite's sleeping busy
        handler: the in-order hand-over above did not happen. The driver commits here; its
        ``commit()`` called again by SQLAlchemy right after finds no transaction open and does
        nothing (pysqlite commits only while ``in_transaction``)."""
        if id(conn) not in self._holders:
            return
        try:
            dbapi = conn.connection.dbapi_connection
            if dbapi is not None:
                dbapi.commit()
        except Exception:
            # Still open: SQLAlchemy's own commit right after tries again and raises it wrapped
            # (an exception out of this event would escape SQLAlchemy's error handling).
            pass
        finally:
            self.end(conn)

    def end(self, conn: Connection) -> None:
        if id(conn) in self._holders:
            self._holders.discard(id(conn))
            self._lock.release()


def _sqlite_pragmas(dbapi_connection: Any, _record: Any) -> None:
    dbapi_connection.isolation_level = None
    cursor = dbapi_connection.cursor()
    cursor.execute("PRAGMA journal_mode=WAL")
    cursor.execute("PRAGMA foreign_keys=ON")
    cursor.execute("PRAGMA synchronous=NORMAL")
    cursor.execute(f"PRAGMA busy_timeout={int(BUSY_TIMEOUT_SECONDS * 1000)}")
    cursor.close()


def request_slots(engine: Engine) -> int:
    """How many requests may use the database at once: the pool, less the background's share.

    Every request holds at most one connection, so with this many admitted no request ever
    waits for the pool (and none can hold one connection while waiting for another).
    """
    pool = engine.pool
    if isinstance(pool, QueuePool):
        return max(1, pool.size() + max(pool._max_overflow, 0) - BACKGROUND_CONNECTIONS)
    return 4  # in-memory SQLite: one shared connection, SQLite serialises anyway


def make_session_factory(engine: Engine) -> sessionmaker[Session]:
    """Return the session factory used by every boundary."""
    return sessionmaker(bind=engine, expire_on_commit=False, autoflush=True)


# What :func:`listen_once` added, per factory (a factory freed takes its entry with it).
_LISTENED: weakref.WeakKeyDictionary[sessionmaker[Session], set[tuple[str, Callable[..., Any]]]]
_LISTENED = weakref.WeakKeyDictionary()


def listen_once(factory: sessionmaker[Session], identifier: str, fn: Callable[..., Any]) -> None:
    """Listen to ``identifier`` on every session of ``factory`` with ``fn``, unless done already.

    Not ``event.contains``: SQLAlchemy keys a listener by ``id(target)``, and a factory freed
    while its session class still waits for the cycle collector leaves that key behind, so a
    new factory at the same address was taken as listened to and went without: a runtime
    whose schedule writes never bumped a rotation's revision, whose other process then kept
    answering from its stale cache (flaky tests/duty/test_on_duty_now.py [sqlite-swap-tech]
    and test_midday_changes, seen once each in loaded runs, session 25)."""
    done = _LISTENED.setdefault(factory, set())
    if (identifier, fn) not in done:
        event.listen(factory, identifier, fn)
        done.add((identifier, fn))


@contextmanager
def transaction(factory: sessionmaker[Session], *, read_only: bool = False) -> Iterator[Session]:
    """Open a session, commit when the block succeeds, roll back when it raises.

    ``read_only`` lets SQLite readers run beside the writer; a read-only block that writes
    anyway fails fast with "database is locked" under contention, which :func:`run_transaction`
    retries as a writer.
    """
    session = factory()
    if read_only:
        session.connection(execution_options={READ_ONLY: True})
    try:
        yield session
        session.commit()
    except BaseException:
        session.rollback()
        raise
    finally:
        session.close()


def run_transaction(
    factory: sessionmaker[Session],
    work: Callable[[Session], T],
    *,
    read_only: bool = False,
    attempts: int = RETRY_ATTEMPTS,
) -> T:
    """Run ``work`` in one transaction; re-run the whole of it after a lost lock race, and
    after work it asked to have done outside the transaction (:class:`WorkOutside`).

    Only the unit of work is repeated, never half of it: the failed attempt was rolled back.
    ``work`` must therefore have no effect outside the session.
    """
    with outside_scope():
        attempt = 1
        while True:
            try:
                with transaction(factory, read_only=read_only and attempt == 1) as session:
                    return work(session)
            except WorkOutside as asked:
                asked.run()  # the unit's transaction is rolled back and closed: no lock held
            except DBAPIError as exc:
                if attempt == attempts or not is_retryable(exc):
                    raise
                log.info("transaction retried after %s (attempt %d)", exc.orig, attempt)
                time.sleep(retry_delay(attempt))
                attempt += 1


class WorkOutside(BaseException):
    """Raised inside a unit of work by slow work that must not run while the unit's
    transaction is open, to have the unit's boundary run it with no transaction open and then
    run the unit again, which finds the result in :func:`outside_results` (and checks that it
    was made from what the unit reads now).

    Why: a transaction that writes holds SQLite's one write lock from its ``BEGIN IMMEDIATE``
    to its end, so a report template rendering in a chat command held every write of the
    install for up to the 30 s batch cap (tester s28 E-14); on PostgreSQL and MariaDB the
    unit's row locks were held as long. Re-running a unit whole is already how a lost lock
    race ends (:func:`run_transaction`), so the unit stays one transaction: the attempt that
    asked is rolled back, the attempt that commits reads and writes everything itself.

    A ``BaseException``: nothing between the work and the boundary may take it for a failure
    (a command's ``except Exception`` answers an error id). Boundaries that run work outside:
    :func:`run_transaction` and the HTTP retry layer (``http.retry``); elsewhere (the
    scheduler's batches) :func:`outside_results` is None and the work is done in place.
    Subclasses define :meth:`run`, which keeps its result (or its error) in
    :func:`outside_results` and raises nothing of its own; the work's owner bounds how often
    a unit asks (else the unit runs for ever)."""

    def run(self) -> None:
        """Do the work (no transaction open) and keep its result for the next attempt."""
        raise NotImplementedError


# The results of work done outside the current unit's transaction, by the work's own keys;
# None where the boundary does no work outside (the work is done in place).
_OUTSIDE: ContextVar[dict[str, Any] | None] = ContextVar("teamassist_outside", default=None)


@contextmanager
def outside_scope() -> Iterator[dict[str, Any]]:
    """A boundary's scope in which units may raise :class:`WorkOutside`: the results kept
    across its attempts (a scope already open is kept: an inner boundary's units are run by
    the outer one's attempts too)."""
    current = _OUTSIDE.get()
    if current is not None:
        yield current
        return
    results: dict[str, Any] = {}
    token = _OUTSIDE.set(results)
    try:
        yield results
    finally:
        _OUTSIDE.reset(token)


def outside_results() -> dict[str, Any] | None:
    """The results of work done outside the current unit's transaction (see
    :class:`WorkOutside`); None where the boundary runs none (do the work in place)."""
    return _OUTSIDE.get()


def retry_delay(attempt: int) -> float:
    """Jittered exponential back-off between attempts (5 ms, 10 ms, 20 ms … up to 200 ms)."""
    return float(min(0.2, 0.005 * 2 ** (attempt - 1)) * (0.5 + random.random()))


# MariaDB/MySQL: 1213 deadlock, 1205 lock wait timeout. PostgreSQL: 40001 serialization
# failure, 40P01 deadlock. SQLite: SQLITE_BUSY (5) and SQLITE_LOCKED (6), any extended code.
# Deadlock, lock wait timeout, and a duplicate key: on PostgreSQL and MariaDB two transactions
# may both find "no such row yet" and insert it (a member's handle, a cycle created on first
# use, the next O-n); the loser's unit is run again, sees the winner's row and answers as it
# would have alone (409, or the next number). SQLite writers are serialised by BEGIN IMMEDIATE,
# so a duplicate key there is never a race and is not retried.
# 1305 "SAVEPOINT … does not exist": a deadlock inside a savepoint rolls the whole transaction
# back on MariaDB, savepoints with it, so the ROLLBACK TO SAVEPOINT that follows fails with this
# instead of the deadlock (seen: two account creates of one folded name at once).
_MYSQL_RETRYABLE = {1213, 1205, 1062, 1305}
_PG_RETRYABLE = {"40001", "40P01", "23505"}
_SQLITE_RETRYABLE = {5, 6}


def is_retryable(exc: BaseException) -> bool:
    """True for errors that mean "another transaction won; run yours again"."""
    orig = exc.orig if isinstance(exc, DBAPIError) else exc
    sqlstate = getattr(orig, "sqlstate", None) or getattr(orig, "pgcode", None)
    if sqlstate in _PG_RETRYABLE:
        return True
    code = getattr(orig, "sqlite_errorcode", None)
    if code is not None:
        return code & 0xFF in _SQLITE_RETRYABLE
    if type(orig).__module__.startswith("sqlite3"):
        text = str(orig).lower()
        return "database is locked" in text or "database table is locked" in text
    args: tuple[Any, ...] = tuple(getattr(orig, "args", ()))
    mysql = type(orig).__module__.startswith("pymysql")
    return mysql and bool(args) and args[0] in _MYSQL_RETRYABLE


class StatementCounter:
    """Count the statements and transactions an engine runs (benchmarks, tests).

    BEGIN counts as a statement where the driver is sent one through SQLAlchemy (SQLite here);
    PostgreSQL's and MySQL's drivers begin implicitly, unseen.
    """

    def __init__(self, engine: Engine) -> None:
        self.engine = engine
        self.statements: list[str] = []
        self.transactions = 0

    def __enter__(self) -> StatementCounter:
        event.listen(self.engine, "before_cursor_execute", self._statement)
        event.listen(self.engine, "commit", self._transaction)
        event.listen(self.engine, "rollback", self._transaction)
        return self

    def __exit__(self, *_exc: object) -> None:
        event.remove(self.engine, "before_cursor_execute", self._statement)
        event.remove(self.engine, "commit", self._transaction)
        event.remove(self.engine, "rollback", self._transaction)

    def reset(self) -> None:
        """Start counting afresh."""
        self.statements.clear()
        self.transactions = 0

    def _statement(self, _conn: Any, _cursor: Any, statement: str, *_args: Any) -> None:
        self.statements.append(statement.split(None, 1)[0].upper())

    def _transaction(self, _conn: Any) -> None:
        self.transactions += 1


def inserted(session: Session, entity: type[T], values: Mapping[str, Any], row_id: int) -> T:
    """The row an INSERT of ``values`` into ``entity``'s table has just written with id
    ``row_id``, as an object of the session (persistent, nothing to flush), built from the
    values instead of read back: the INSERT returns only the id.

    ``INSERT … RETURNING <entity>`` through the ORM loads the same object, at three times the
    CPU of a Core INSERT returning the id and this (session 18, per feedback item, thread CPU:
    SQLite 0.23–0.62 against 0.08–0.20 ms, PostgreSQL 1.3–1.6 against 0.4–0.6 ms). A column
    the values leave out takes its scalar default or NULL, as the INSERT wrote it; one whose
    default is computed (in Python or by the server) must be in the values (ValueError).
    """
    mapped: Any = entity  # any mapped class (functools.cache wants it typed hashable)
    fills, computed = _column_fills(mapped)
    if missing := computed.difference(values):
        raise ValueError(f"{entity.__name__}: computed defaults not given: {sorted(missing)}")
    row: T = entity.__mapper__.class_manager.new_instance()  # type: ignore[attr-defined]
    row.__dict__.update(fills)
    row.__dict__.update(values)
    row.__dict__["id"] = row_id
    make_transient_to_detached(row)
    session.add(row)
    return row


@functools.cache
def _column_fills(entity: Any) -> tuple[dict[str, Any], frozenset[str]]:
    """What an INSERT writes into each column of ``entity`` it does not name (scalar default
    or NULL), and the columns whose default is computed, so not known here."""
    fills: dict[str, Any] = {}
    computed: set[str] = set()
    for attribute in sa_inspect(entity).column_attrs:
        (column,) = attribute.columns
        if attribute.key != column.key or column.server_default is not None:
            computed.add(attribute.key)
        elif column.default is None:
            fills[attribute.key] = None
        elif column.default.is_scalar:
            fills[attribute.key] = column.default.arg
        else:
            computed.add(attribute.key)
    computed.discard("id")
    return fills, frozenset(computed)


def skipping_insert(session: Session, entity: type[Any], *key: str) -> Insert | None:
    """``INSERT … ON CONFLICT (key) DO NOTHING`` into ``entity`` on the session's database,
    for one statement that both writes a row unless its unique ``key`` is taken and, with
    ``RETURNING``, says which happened; a concurrent transaction's uncommitted row with the
    key is waited for, then skipped if it commits. The alternative, a SELECT for the key and
    the INSERT inside a savepoint in case someone took it meanwhile, is four statements.

    None on MariaDB: ``INSERT IGNORE`` skips rows for other errors too (a foreign key, a value
    too long), and its ``RETURNING`` does not tell a skipped row; callers keep the savepoint.
    The dialects' modules are imported on first use: a process serving SQLite never needs
    PostgreSQL's (issue 9: idle memory). None too on an SQLite older than 3.35 (no
    ``RETURNING``; SQLAlchemy turns ``insert_returning`` off for it).

    Built once per dialect, entity and key, and ``RETURNING`` the entity: execute it with the
    row's values as parameters (``session.scalars(insert, values).first()``, None when the key
    was taken). Built per call with ``.values()`` it cost more than the driver's execute
    (issue 9 profile: statement building and its cache key, per notice and per sign-in)."""
    return _skipping(session, entity, key, id_only=False)


def skipping_insert_id(session: Session, entity: type[Any], *key: str) -> Insert | None:
    """:func:`skipping_insert` into ``entity``'s table through Core, ``RETURNING`` only the id
    (``session.execute(insert, values).scalar()``, None when the key was taken); make the row
    an object with :func:`inserted` if it is wanted (a third of the CPU, see there)."""
    return _skipping(session, entity, key, id_only=True)


def _skipping(
    session: Session, entity: type[Any], key: tuple[str, ...], *, id_only: bool
) -> Insert | None:
    bound = session.get_bind().dialect
    if not bound.insert_returning:
        return None
    wanted = (bound.name, entity, key, id_only)
    if wanted not in _SKIPPING_INSERTS:
        _SKIPPING_INSERTS[wanted] = _build_skipping_insert(bound.name, entity, key, id_only)
    return _SKIPPING_INSERTS[wanted]


_SKIPPING_INSERTS: dict[tuple[str, type[Any], tuple[str, ...], bool], Insert | None] = {}


def _build_skipping_insert(
    dialect: str, entity: type[Any], key: tuple[str, ...], id_only: bool
) -> Insert | None:
    table = entity.__table__
    into = table if id_only else entity
    if dialect == "sqlite":
        from sqlalchemy.dialects import sqlite

        skipping: Insert = sqlite.insert(into).on_conflict_do_nothing(index_elements=list(key))
    elif dialect == "postgresql":
        from sqlalchemy.dialects import postgresql

        skipping = postgresql.insert(into).on_conflict_do_nothing(index_elements=list(key))
    else:
        return None
    return skipping.returning(table.c.id) if id_only else skipping.returning(entity)
