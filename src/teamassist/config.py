"""Settings: one TOML file (``teamassist.toml``) overridden by ``TEAMASSIST_*`` variables.

Secrets (tokens, passwords, keys) are only read from the environment or from a secrets directory
(``TEAMASSIST_SECRETS_DIR``, one file per setting, as Docker/Kubernetes mount them). A secret
written into the TOML file is ignored and reported by ``teamassist config check``.
"""

from __future__ import annotations

import ipaddress
import os
import socket
import tomllib
from pathlib import Path
from typing import Any, Literal
from urllib.parse import urlsplit

from pydantic import (
    BaseModel,
    Field,
    PrivateAttr,
    SecretStr,
    field_validator,
    model_validator,
)
from pydantic_settings import (
    BaseSettings,
    PydanticBaseSettingsSource,
    SettingsConfigDict,
)

from teamassist.adapters.feishu.config import FeishuSettings
from teamassist.adapters.qq.config import QQSettings
from teamassist.adapters.wecom.config import WeComSettings

DEFAULT_CONFIG_FILE = "teamassist.toml"


class DatabaseSettings(BaseModel):
    """Where the data lives."""

    url: str = "sqlite:///var/teamassist.db"
    echo: bool = False
    # Seconds to wait for a new connection to PostgreSQL or MariaDB/MySQL before giving up
    # (a host that drops packets would otherwise hang a request for minutes); 0: the driver's
    # default (none). Not used by SQLite.
    connect_timeout_seconds: float = Field(default=10.0, ge=0)
    # Longest one statement may run, in seconds: PostgreSQL cancels it (statement_timeout),
    # MariaDB/MySQL stop waiting for its answer (pymysql's read/write timeout); a request then
    # answers 503. 0: no limit. SQLite has its busy timeout instead. Migrations have no limit.
    statement_timeout_seconds: float = Field(default=30.0, ge=0)

    @field_validator("url")
    @classmethod
    def _database_url(cls, value: str) -> str:
        """A URL SQLAlchemy can read, of a backend and driver we install; an empty or mistyped one
        (``sqlite//x.db``, ``postgres:/bad url``) failed later with SQLAlchemy's traceback on
        ``serve``, ``config check`` and ``db upgrade`` (tester F2, session 21)."""
        from sqlalchemy.engine import make_url  # loaded by the first query anyway
        from sqlalchemy.exc import ArgumentError

        try:
            driver = make_url(value.strip()).drivername
        except ArgumentError:
            driver = ""
        if driver not in _DATABASES:
            raise ValueError(
                "不是可用的数据库地址 / not a database URL we support (e.g. "
                "sqlite:///var/teamassist.db, postgresql://user:password@host:5432/teamassist, "
                "mysql://user:password@host:3306/teamassist)"
            )
        return value.strip()


# The backends and drivers a database URL may name: those the product installs (SQLite's own,
# psycopg 3, PyMySQL); a bare name gets them from database.normalise_url. Another driver
# (postgresql+psycopg2, mysql+mysqldb) is not installed and ended in an import traceback
# (tester 2 F1, session 21).
_DATABASES = frozenset(
    {
        "sqlite",
        "sqlite+pysqlite",
        "postgresql",
        "postgres",
        "postgresql+psycopg",
        "mysql",
        "mariadb",
        "mysql+pymysql",
        "mariadb+pymysql",
    }
)


ARGON2_MAX = 2**32 - 1  # time_cost and memory_kib (RFC 9106 §3.1: 32-bit)
ARGON2_MAX_LANES = 2**24 - 1  # parallelism (RFC 9106 §3.1)
HASH_MEMORY_WARN_KIB = 1_048_576  # 1 GiB: config check warns above (a 2-core host has ~4)
HASH_TIME_WARN = 10  # passes: config check warns above


class PasswordHashSettings(BaseModel):
    """The Argon2id cost of a new dashboard password hash (``teamassist.http.auth``).

    The defaults are RFC 9106's second recommended option (§4, for memory-constrained
    environments: t=3, 64 MiB, 4 lanes), argon2-cffi's own default since 21.2
    (``argon2.profiles.RFC_9106_LOW_MEMORY``): ~0.26 s CPU a hash on one of this project's
    EPYC cores, 1–2 s wall at load 15. A hash carries its cost, so a changed cost applies to
    passwords set after the change and every stored hash is still checked at its own. Lower it
    only where no real password is kept: the test suite sets the cheapest (t=1, 8 KiB, 1 lane)
    through ``TEAMASSIST_WEB__PASSWORD_HASH__*``.
    """

    # The bounds are Argon2's (RFC 9106 §3.1; argon2.h's ARGON2_MAX_TIME, _MAX_MEMORY,
    # _MAX_LANES): argon2-cffi passes each as a 32-bit unsigned int, and a larger one ended
    # the first password set in an OverflowError (tester s23 report 2 F2).
    time_cost: int = Field(default=3, ge=1, le=ARGON2_MAX)  # passes over the memory
    # KiB, at least 8 per lane (Argon2's floor)
    memory_kib: int = Field(default=65_536, ge=8, le=ARGON2_MAX)
    parallelism: int = Field(default=4, ge=1, le=ARGON2_MAX_LANES)  # lanes (threads)

    @model_validator(mode="after")
    def _memory_per_lane(self) -> PasswordHashSettings:
        if self.memory_kib < 8 * self.parallelism:
            raise ValueError(
                f"memory_kib must be at least 8 per lane: {8 * self.parallelism} for "
                f"parallelism {self.parallelism} (Argon2, RFC 9106 §3.1)"
            )
        return self

    def unreasonable(self) -> list[str]:
        """Costs Argon2 takes but a server should not: each new hash would hold more than
        :data:`HASH_MEMORY_WARN_KIB` of memory or make more than :data:`HASH_TIME_WARN`
        passes (RFC 9106 §4's options use t=1 at 2 GiB or t=3 at 64 MiB)."""
        found = []
        if self.memory_kib > HASH_MEMORY_WARN_KIB:
            found.append(
                f"web.password_hash.memory_kib {self.memory_kib} KiB: every new password hash "
                f"holds that much memory (more than {HASH_MEMORY_WARN_KIB // 1024} MiB)"
            )
        if self.time_cost > HASH_TIME_WARN:
            found.append(
                f"web.password_hash.time_cost {self.time_cost}: every new password hash makes "
                f"that many passes (more than {HASH_TIME_WARN}); a sign-in takes as long"
            )
        return found


class WebSettings(BaseModel):
    """The HTTP server, dashboard and REST API."""

    host: str = "127.0.0.1"
    port: int = Field(default=8000, ge=1, le=65535)  # a TCP port
    # Where people reach the server (links in chat, calendar feed URLs). Unset: derived from the
    # listener (host and port, also when ``teamassist serve --port`` changes them).
    public_url: str = ""
    # Which proxies' X-Forwarded-For/-Proto are believed (uvicorn's ``forwarded_allow_ips``:
    # comma-separated addresses or networks, "*" for any). The sign-in throttle counts per
    # client address: behind a proxy not listed here every client has the proxy's address, and
    # five wrong passwords from anyone would lock a username for everyone.
    forwarded_allow_ips: str = "127.0.0.1"
    demo_mode: bool = False
    # Demo mode signs every visitor in as the demo admin: it serves only on a loopback address
    # unless this says the exposure is meant.
    allow_public_demo: bool = False
    secret_key: SecretStr | None = None
    # The global API token: acts as the first local account (or the owner of the first
    # workspace); members create their own personal tokens in the dashboard.
    api_token: SecretStr | None = None
    # Who may scrape /metrics: a request bearing this token; unset, only loopback clients.
    metrics_token: SecretStr | None = None
    # A dashboard session ends this long after sign-in, however much it is used (absolute).
    session_days: float = Field(default=14.0, gt=0)
    # Password sign-in throttling (per username and client address, for the whole install:
    # counted on the shared state, see teamassist.http.throttle).
    login_max_failures: int = Field(default=5, ge=1)
    login_window_minutes: int = Field(default=15, ge=1)
    # A dashboard form's body above this many bytes is refused (413) before it is read.
    max_form_bytes: int = Field(default=1_048_576, ge=1024)
    # Any request body above these many bytes is refused (413) before a layer buffers it
    # (teamassist.http.body_limit): a form or file upload (the OKR sheet import takes 5 MiB),
    # and anything else (JSON, webhook events).
    max_upload_bytes: int = Field(default=6 * 1_048_576, ge=1024)
    max_body_bytes: int = Field(default=1_048_576, ge=1024)
    # The bytes of request bodies being read at once, all requests together: a body that would
    # pass it is refused (503, Retry-After) until others end (at least one whole upload).
    max_buffered_body_bytes: int = Field(default=64 * 1_048_576, ge=1024)
    # One client address's share of them (at least one whole upload): one client cannot take
    # them all (tester s29 G-1).
    max_buffered_body_bytes_per_client: int = Field(default=8 * 1_048_576, ge=1024)
    # A request body that sends nothing for this long is answered 408 and its connection closed.
    body_read_timeout_seconds: float = Field(default=30.0, gt=0)
    # ... and one not whole within this long, however it trickles.
    body_deadline_seconds: float = Field(default=120.0, gt=0)
    # Open connections (uvicorn's limit_concurrency; 0: no limit): past it a new request is
    # answered a bare 503. uvicorn counts idle and half-sent connections too: set it only behind
    # a proxy that times out headers (tester s29 G-7; launch.server.connection_limit).
    max_connections: int = Field(default=0, ge=0)
    # The cost of a new dashboard password hash (argon2id); the default is the strong one.
    password_hash: PasswordHashSettings = Field(default_factory=PasswordHashSettings)
    # Feishu's OAuth authorize page (sign-in inside Feishu's workbench); the token and user-info
    # endpoints are on ``feishu.domain``.
    feishu_authorize_url: str = "https://accounts.feishu.cn/open-apis/authen/v1/authorize"
    _derived: bool = PrivateAttr(default=False)

    @field_validator("forwarded_allow_ips")
    @classmethod
    def _known_proxies(cls, value: str) -> str:
        """``"*"`` alone, or addresses, networks and Unix socket paths (uvicorn's forms,
        ``uvicorn.middleware.proxy_headers._TrustedHosts``). Anything else uvicorn takes as a
        literal host that never matches, silently believing no proxy: ``10.0.0.0/33``,
        ``10.0.0.1/8`` (host bits set: uvicorn parses networks strictly), ``nginx``, or ``*``
        inside a list."""
        entries = [entry.strip() for entry in value.split(",")]
        if entries == ["*"]:
            return "*"
        for entry in entries:
            if entry.startswith(("unix:", "/")):
                continue
            try:
                if "/" in entry:
                    ipaddress.ip_network(entry)  # strict, as uvicorn reads it
                else:
                    ipaddress.ip_address(entry)
            except ValueError:
                raise ValueError(
                    f"{entry!r} is not an IP address, a network such as 10.0.0.0/8 or a Unix "
                    'socket path ("*" alone believes any proxy; comma-separated; a proxy is '
                    "named by its address, not its host name)"
                ) from None
        return ",".join(entries)

    @model_validator(mode="after")
    def _one_upload_fits(self) -> WebSettings:
        for name in ("max_buffered_body_bytes", "max_buffered_body_bytes_per_client"):
            if getattr(self, name) < self.max_upload_bytes:
                raise ValueError(
                    f"web.{name} ({getattr(self, name)}) is below web.max_upload_bytes "
                    f"({self.max_upload_bytes}): no upload that big could ever be read; "
                    "raise the first or lower the second"
                )
        return self

    @model_validator(mode="after")
    def _derive_public_url(self) -> WebSettings:
        if not self.public_url:
            self._derived = True
        if self._derived:
            self.public_url = listener_url(self.host, self.port)
        return self

    @property
    def public_url_derived(self) -> bool:
        """Whether ``public_url`` was derived from the listener rather than configured."""
        return self._derived

    def listen(self, host: str | None, port: int | None) -> None:
        """Take the real listener's address (``serve --host/--port``); a derived URL follows."""
        self.host = host or self.host
        self.port = port or self.port
        if self._derived:
            self.public_url = listener_url(self.host, self.port)

    def reached_from_elsewhere(self) -> bool:
        """Whether people on other machines may reach this server: it listens beyond loopback,
        or its ``public_url`` (what a reverse proxy in front serves) names another host."""
        public_host = urlsplit(self.public_url).hostname or ""
        return not is_loopback(self.host) or not is_loopback(public_host)

    def demo_exposure(self) -> str | None:
        """Why demo mode must not serve on this address, or None."""
        if not self.demo_mode or self.allow_public_demo or is_loopback(self.host):
            return None
        return (
            f"demo_mode is on and web.host is {self.host!r}: every visitor would be signed in "
            "as the demo admin. Bind to 127.0.0.1, turn demo_mode off, or set "
            "web.allow_public_demo = true if that exposure is meant"
        )


def is_loopback(host: str) -> bool:
    """Whether ``host`` only listens on this machine."""
    if host == "localhost":
        return True
    try:
        return ipaddress.ip_address(host).is_loopback
    except ValueError:
        return False


def listener_url(host: str, port: int) -> str:
    """The URL of a listener; a wildcard address is reached by the machine's name."""
    if host in ("0.0.0.0", "::", ""):
        host = socket.gethostname() or "127.0.0.1"
    elif ":" in host:
        host = f"[{host}]"
    return f"http://{host}:{port}"


class SchedulerSettings(BaseModel):
    """The embedded job runner."""

    enabled: bool = True
    # > 0: a tick of 0 or less never came (and the server then hung on shutdown)
    tick_seconds: float = Field(default=20.0, gt=0, le=3600)
    # How late a daily job may still run after a restart; older occurrences are recorded as missed.
    catch_up_minutes: int = Field(default=120, ge=0)


class OutboxSettings(BaseModel):
    """Retries for outgoing notices."""

    max_attempts: int = Field(default=12, ge=1)  # 0 would never send anything
    base_backoff_seconds: float = Field(default=5.0, gt=0)
    max_backoff_seconds: float = Field(default=3600.0, gt=0)
    lease_seconds: float = Field(default=120.0, gt=0)
    # The longest one send may take (adapters time out at 10 s; a split notice is several
    # calls): a claim's lease grows by this for every notice of its platform ahead of it.
    send_seconds_max: float = Field(default=30.0, gt=0)
    # Destinations of one platform sent to at the same time (one lane per address).
    lanes_per_platform: int = Field(default=4, ge=1)
    # A kicked delivery loop claims again at most this often (seconds since its last pass
    # began; 0: at every kick), so a busy stream of commands shares passes (issue 9).
    gather_seconds: float = Field(default=0.05, ge=0, le=5)


class DocumentsSettings(BaseModel):
    """The general cap on a team-editable template's render (report and career-plan templates):
    each render runs in a child of a render host process (``documents/sandbox.py``), killed
    past these limits; the template is refused with the sandbox's friendly error."""

    # Renders at once (each a child process); more wait for a free place. One team takes at
    # most all but one of them (the only one, if 1), so another team never waits on it.
    render_workers: int = Field(default=2, ge=1, le=64)
    # Memory a render may take over the render host's own (RLIMIT_AS); a report takes a few MiB.
    render_memory_mib: int = Field(default=256, ge=16, le=65_536)
    # Wall time per document (a per-person pack: per person); a report takes milliseconds.
    render_seconds: float = Field(default=5.0, gt=0, le=600)
    # Wall time for all the documents of one render (a per-person pack of 50: ~0.1 s of CPU).
    render_batch_seconds: float = Field(default=30.0, gt=0, le=3600)
    # CPU time a sample document may take when a template is saved or previewed (the default
    # templates: ~10 ms); a slower one is refused, as a pack renders it once per person.
    render_save_seconds: float = Field(default=1.0, gt=0, le=600)


class RetentionSettings(BaseModel):
    """How long handled events, delivered notices and REST Idempotency-Keys are kept."""

    # Longer than any platform redelivers an event (Feishu: up to 6 hours).
    inbox_days: int = Field(default=7, ge=1)
    outbox_days: int = Field(default=30, ge=1)
    # REST Idempotency-Keys (http.idempotency): a retry comes within minutes of its request.
    idempotency_days: int = Field(default=7, ge=1)


class ChatProviderSettings(BaseModel):
    """An OpenAI-compatible chat-completions endpoint that answers small talk in 1:1 platform
    chats (off while ``url`` is empty). Its key is a secret: set it in the environment."""

    url: str = ""  # e.g. https://api.example.com/v1/chat/completions
    api_key: SecretStr | None = None
    model: str = "gpt-4o-mini"
    # Short: the person waits, and a late answer gives way to the help hint.
    timeout_seconds: float = Field(default=4.0, gt=0, le=30)
    system_prompt: str = (
        "你是团队助理，用一两句简短友好的中文闲聊；涉及工作请建议对方发送 /帮助 查看指令。"
    )


def _url(value: str, name: str, schemes: tuple[str, ...] | None) -> str:
    """``value`` stripped, checked as a URL of one of ``schemes`` (any ``scheme://`` when None;
    a Redis one needs a host). Raises ValueError naming ``name``, never the value (it may hold
    a password)."""
    value = value.strip()
    if not value:
        return value
    parts = urlsplit(value)
    example = "redis://redis:6379/0"
    if not parts.scheme or "://" not in value:
        raise ValueError(f"{name} is not a URL (expected e.g. {example})")
    if schemes is not None and parts.scheme not in schemes:
        raise ValueError(
            f"{name} has scheme {parts.scheme!r}; expected one of {', '.join(schemes)} "
            f"(e.g. {example})"
        )
    if parts.scheme in ("redis", "rediss"):
        try:
            parts.port  # noqa: B018 -- urlsplit checks the port only when asked
        except ValueError:
            raise ValueError(f"{name} has a port that is not a number (e.g. {example})") from None
        if not parts.hostname:
            raise ValueError(f"{name} names no host (e.g. {example})")
    return value


class ScaleOutSettings(BaseModel):
    """Scale-out mode: several web replicas, Celery workers and beat sharing PostgreSQL or MySQL
    and Redis. Off while ``redis_url`` is empty (the embedded single-process mode)."""

    # e.g. redis://redis:6379/0 — shared caches, rate limits and counters of every process.
    redis_url: str = ""
    # Prefix of every shared-state key in that Redis (teamassist.shared_state): installs that
    # share one Redis database need different prefixes.
    redis_prefix: str = "teamassist:"
    # The Celery broker; empty means the same Redis as ``redis_url``.
    broker_url: str = ""
    # Longest one shared-state call waits for Redis (connect or answer), in seconds; a healthy
    # Redis answers in under a millisecond.
    redis_timeout_seconds: float = Field(default=1.0, gt=0)
    # After Redis failed to answer, shared-state calls and delivery nudges fail at once for
    # this long, in seconds, rather than each waiting out the timeout (the fallbacks apply:
    # platform sends wait, the sign-in throttle counts per replica).
    redis_backoff_seconds: float = Field(default=10.0, ge=0)
    # How long ``worker`` and ``beat`` wait at start for a Redis broker to answer before they
    # stop with a message naming it (exit 1), in seconds; once running, Celery reconnects on
    # its own.
    broker_wait_seconds: float = Field(default=30.0, ge=0)

    # A malformed URL failed deep inside redis-py or Celery with a traceback (session 13's
    # tester); the refusal never repeats the value (Settings.model_config).

    @field_validator("redis_url")
    @classmethod
    def _redis_url(cls, value: str) -> str:
        """Empty, or a URL redis-py reads: ``redis://`` or ``rediss://`` with a host, or
        ``unix://`` with a socket path (redis-py ``Redis.from_url``)."""
        return _url(value, "redis_url", ("redis", "rediss", "unix"))

    @field_validator("broker_url")
    @classmethod
    def _broker_url(cls, value: str) -> str:
        """Empty, or a Celery broker URL (``scheme://…``); a Redis one as :meth:`_redis_url`."""
        return _url(value, "broker_url", None)


LOG_LEVELS = ("DEBUG", "INFO", "WARNING", "ERROR", "CRITICAL")
_LEVEL_REFUSED = (
    "只能是 DEBUG、INFO、WARNING、ERROR 或 CRITICAL（不分大小写） / "
    "must be one of DEBUG, INFO, WARNING, ERROR, CRITICAL (any case)"
)


class Settings(BaseSettings):
    """Every setting of Team Assistant."""

    model_config = SettingsConfigDict(
        env_prefix="TEAMASSIST_",
        env_nested_delimiter="__",
        extra="ignore",
        # A refusal names the key and the reason; the value may be a secret or a URL holding a
        # password (printed by `serve`, `worker` and `config check`), so it is not repeated.
        hide_input_in_errors=True,
    )

    default_timezone: str = "Asia/Shanghai"
    log_level: str = "INFO"
    # "text" for people at a terminal; "json" (one object per line: time, level, logger,
    # message, request_id, error_id) for a log collector.
    log_format: Literal["text", "json"] = "text"
    database: DatabaseSettings = Field(default_factory=DatabaseSettings)
    web: WebSettings = Field(default_factory=WebSettings)
    scheduler: SchedulerSettings = Field(default_factory=SchedulerSettings)
    outbox: OutboxSettings = Field(default_factory=OutboxSettings)
    retention: RetentionSettings = Field(default_factory=RetentionSettings)
    documents: DocumentsSettings = Field(default_factory=DocumentsSettings)
    qq: QQSettings = Field(default_factory=QQSettings)
    feishu: FeishuSettings = Field(default_factory=FeishuSettings)
    wecom: WeComSettings = Field(default_factory=WeComSettings)
    chat_provider: ChatProviderSettings = Field(default_factory=ChatProviderSettings)
    scale_out: ScaleOutSettings = Field(default_factory=ScaleOutSettings)

    @field_validator("log_level")
    @classmethod
    def _known_level(cls, value: str) -> str:
        """One of Python's logging level names, any case (uvicorn and Celery take it too)."""
        level = value.strip().upper()
        if level not in LOG_LEVELS:
            raise ValueError(_LEVEL_REFUSED)
        return level

    @classmethod
    def settings_customise_sources(
        cls,
        settings_cls: type[BaseSettings],
        init_settings: PydanticBaseSettingsSource,
        env_settings: PydanticBaseSettingsSource,
        dotenv_settings: PydanticBaseSettingsSource,
        file_secret_settings: PydanticBaseSettingsSource,
    ) -> tuple[PydanticBaseSettingsSource, ...]:
        return (
            init_settings,
            env_settings,
            _SecretsDirSource(settings_cls),
            _TomlSource(settings_cls),
        )


def config_path() -> Path:
    """Return the configuration file in use (``TEAMASSIST_CONFIG`` or ./teamassist.toml; set
    but empty, as an env file easily leaves it, counts as not set)."""
    return Path(os.environ.get("TEAMASSIST_CONFIG") or DEFAULT_CONFIG_FILE)


def missing_config() -> str | None:
    """A warning for ``config check`` when ``TEAMASSIST_CONFIG`` names a file that does not
    exist (a mistyped path left the install on the defaults without a word), else None. Only
    there, and only a warning: the default ./teamassist.toml is optional, a named one may be
    written later, and scripts (the tests among them) name an empty one on purpose."""
    named = os.environ.get("TEAMASSIST_CONFIG")
    if named and not Path(named).exists():
        return (
            f"TEAMASSIST_CONFIG 指向的文件 {named} 不存在，使用默认设置 / "
            f"TEAMASSIST_CONFIG names {named}, which does not exist: the defaults are used"
        )
    return None


def secret_paths(
    model: type[BaseModel] = Settings, prefix: tuple[str, ...] = ()
) -> list[tuple[str, ...]]:
    """List the dotted paths of every secret setting."""
    found: list[tuple[str, ...]] = []
    for name, field in model.model_fields.items():
        annotation = field.annotation
        args = getattr(annotation, "__args__", ())
        if annotation is SecretStr or SecretStr in args:
            found.append((*prefix, name))
        elif isinstance(annotation, type) and issubclass(annotation, BaseModel):
            found.extend(secret_paths(annotation, (*prefix, name)))
    return found


def _pop_path(data: dict[str, Any], path: tuple[str, ...]) -> bool:
    node: Any = data
    for part in path[:-1]:
        if not isinstance(node, dict) or part not in node:
            return False
        node = node[part]
    if isinstance(node, dict) and path[-1] in node:
        del node[path[-1]]
        return True
    return False


def unreadable(path: Path, exc: Exception) -> str:
    """The problem of a config file that does not parse (its line and column in ``exc``)."""
    if isinstance(exc, UnicodeDecodeError):
        return not_utf8(path, exc)
    return f"{path}: 不是有效的 TOML / not valid TOML ({exc})"


def not_utf8(path: Path, exc: UnicodeDecodeError) -> str:
    """Where a file stops being UTF-8, by line and column as an editor shows them: Python's
    own message gives the byte offset from the file's start ("position 123"), which no editor
    shows. The usual cause is a file saved as GBK by a Chinese-language Windows editor."""
    data = exc.object
    line = data.count(b"\n", 0, exc.start) + 1
    line_start = data.rfind(b"\n", 0, exc.start) + 1
    column = len(data[line_start : exc.start].decode("utf-8", errors="replace")) + 1
    return (
        f"{path}: 第 {line} 行第 {column} 个字符起不是 UTF-8 编码（可能存成了 GBK）："
        "请用 UTF-8 重新保存这个文件 / "
        f"not UTF-8 from line {line}, column {column} (saved as GBK?): save the file as UTF-8"
    )


def toml_problem() -> str | None:
    """Why the config file cannot be read as TOML, or None (no file, or a readable one).
    Every command but ``config check`` stops on it: the settings would otherwise fall back to
    the defaults (an empty SQLite file instead of the database the file names)."""
    return _parse(config_path())[1]


def _parse(path: Path) -> tuple[dict[str, Any], str | None]:
    """The file's TOML, or ``{}`` and why it cannot be read: not TOML, not UTF-8, or not a
    readable file (a directory, no permission). A missing file is ``{}`` and no problem."""
    if not path.exists():
        return {}, None
    try:
        return tomllib.loads(path.read_text("utf-8")), None
    except (tomllib.TOMLDecodeError, UnicodeDecodeError, OSError) as exc:
        return {}, unreadable(path, exc)


def read_toml() -> tuple[dict[str, Any], list[str]]:
    """Read the config file, dropping any secrets in it; return the data and the problems seen."""
    path = config_path()
    data, problem = _parse(path)
    if problem is not None:
        return {}, [problem]
    problems: list[str] = []
    for secret in secret_paths():
        if _pop_path(data, secret):
            dotted = ".".join(secret)
            env = "TEAMASSIST_" + "__".join(secret).upper()
            problems.append(
                f"{path}: `{dotted}` is a secret and is ignored in the file; set {env} instead"
            )
    problems.extend(
        f"{path}: 不认识的设置项 `{key}`（拼写错误？它被忽略了）/ unknown key `{key}` (a typo? "
        "it is ignored)"
        for key in unknown_keys(data, Settings)
    )
    return data, problems


def unknown_keys(data: dict[str, Any], model: type[BaseModel], prefix: str = "") -> list[str]:
    """The dotted keys of ``data`` (a parsed teamassist.toml) that ``model`` has no field for,
    looking into sections that are settings models themselves: ``[databse] url`` is
    ``databse``, ``[web] prot`` is ``web.prot``. The settings ignore them (an operator's
    ``[databse]`` left the install on the default SQLite file without a word)."""
    found: list[str] = []
    fields = model.model_fields
    by_alias = {f.alias: name for name, f in fields.items() if f.alias}
    for key, value in data.items():
        name = key if key in fields else by_alias.get(key)
        if name is None:
            found.append(prefix + key)
            continue
        section = fields[name].annotation
        if isinstance(value, dict) and isinstance(section, type) and issubclass(section, BaseModel):
            found.extend(unknown_keys(value, section, f"{prefix}{key}."))
    return found


class _TomlSource(PydanticBaseSettingsSource):
    def get_field_value(self, field: Any, field_name: str) -> tuple[Any, str, bool]:
        return None, field_name, False

    def __call__(self) -> dict[str, Any]:
        data, _ = read_toml()
        return data


class _SecretsDirSource(PydanticBaseSettingsSource):
    """Files named like the env variables (``TEAMASSIST_QQ__SECRET``) inside the secrets dir."""

    def get_field_value(self, field: Any, field_name: str) -> tuple[Any, str, bool]:
        return None, field_name, False

    def __call__(self) -> dict[str, Any]:
        folder = os.environ.get("TEAMASSIST_SECRETS_DIR")
        if not folder or not Path(folder).is_dir():
            return {}
        data: dict[str, Any] = {}
        for secret in secret_paths():
            file = Path(folder) / ("TEAMASSIST_" + "__".join(secret).upper())
            if file.is_file():
                node = data
                for part in secret[:-1]:
                    node = node.setdefault(part, {})
                node[secret[-1]] = file.read_text("utf-8").strip()
        return data


def load_settings(**overrides: Any) -> Settings:
    """Build the settings from file, secrets and environment (and explicit overrides)."""
    return Settings(**overrides)
