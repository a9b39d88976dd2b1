"""The composition root: the one module that names every domain and every chat platform.

Adding a domain is one line in ``DOMAINS``; its package declares the rest in its ``DOMAIN``
descriptor (``<domain>/domain.py``). From the list this module builds the :class:`Runtime`
(engine, ports, event bus, command registry, dispatcher, scheduler, senders) and the parts the
web app mounts; Alembic and the tests take the model modules and migration folders from here.
"""

from __future__ import annotations

import importlib
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from datetime import timedelta
from functools import partial
from importlib.abc import Traversable

from fastapi import APIRouter
from sqlalchemy.orm import Session, sessionmaker

from teamassist import i18n, redact
from teamassist.actions.domain import DOMAIN as ACTIONS
from teamassist.adapters.web.sender import WebSender
from teamassist.announcements.domain import DOMAIN as ANNOUNCEMENTS
from teamassist.awards.domain import DOMAIN as AWARDS
from teamassist.careers.domain import DOMAIN as CAREERS
from teamassist.chat.command_index import resolve
from teamassist.chat.dispatcher import Dispatcher
from teamassist.chat.registry import Registry
from teamassist.chat.retention import RetentionSweep
from teamassist.chat.types import InboundMessage
from teamassist.clock import Clock, utcnow
from teamassist.config import Settings
from teamassist.database import make_engine, make_session_factory
from teamassist.documents import limits as document_limits
from teamassist.documents.limits import RenderLimits
from teamassist.domain import Domain, Wiring
from teamassist.duty.domain import DOMAIN as DUTY
from teamassist.events import Bus
from teamassist.feedback.domain import DOMAIN as FEEDBACK
from teamassist.http import auth
from teamassist.http.idempotency import IdempotencySweep
from teamassist.meetings.domain import DOMAIN as MEETINGS
from teamassist.okr.domain import DOMAIN as OKR
from teamassist.one_on_ones.domain import DOMAIN as ONE_ON_ONES
from teamassist.org_contact.domain import DOMAIN as ORG_CONTACT
from teamassist.outbox.senders import Sender
from teamassist.ports import Calendar, Directory, Documents, PortMissing, Ports, Tasks
from teamassist.qualifications.domain import DOMAIN as QUALIFICATIONS
from teamassist.reports.domain import DOMAIN as REPORTS
from teamassist.reviews.domain import DOMAIN as REVIEWS
from teamassist.runtime import Kicker, Runtime, WebParts
from teamassist.scheduler.registry import JobGroup
from teamassist.scheduler.runner import Scheduler
from teamassist.shared_state import LocalState, SharedState
from teamassist.smalltalk.domain import DOMAIN as SMALLTALK
from teamassist.team.directory import PlatformDirectories, PlatformLookup
from teamassist.team.domain import DOMAIN as TEAM
from teamassist.team.platform_tools import (
    BuiltinCalendar,
    BuiltinDocuments,
    BuiltinTasks,
    TeamCalendar,
    TeamDocuments,
    TeamTasks,
)
from teamassist.web.domain import DOMAIN as CORE

# Order matters: /帮助 lists commands, the API and the navigation in this order, and demo data
# loads in it (the feedback demo routes items to the people on duty).
DOMAINS: list[Domain] = [
    CORE,
    TEAM,
    DUTY,
    FEEDBACK,
    OKR,
    ACTIONS,
    MEETINGS,
    ONE_ON_ONES,
    ANNOUNCEMENTS,
    ORG_CONTACT,
    AWARDS,
    QUALIFICATIONS,
    REPORTS,
    REVIEWS,
    CAREERS,
    SMALLTALK,
]


@dataclass(frozen=True)
class Platform:
    """A chat platform: what it adds when it is enabled in the settings."""

    key: str
    enabled: Callable[[Settings], bool]
    models: Sequence[str] = ()
    # Platform parts that talk to the platform get the runtime's shared state (tokens, limits).
    senders: Callable[[Settings, sessionmaker[Session], Clock, SharedState], list[Sender]] = (
        lambda *_: []
    )
    jobs: Callable[[Settings, SharedState], list[JobGroup]] = lambda *_: []
    inbound: Callable[[Settings, Dispatcher, sessionmaker[Session], Clock], APIRouter] | None = None
    # Its part of the ``Directory`` port (users, chats, members), when it has one.
    directory: Callable[[Settings, SharedState], PlatformLookup] | None = None
    # Its workspace tools (the ``Tasks``, ``Calendar`` and ``Documents`` ports for its teams),
    # when it has them and the install enabled them; other teams get the built-in ones.
    workspace: Callable[[Settings, sessionmaker[Session], Clock], WorkspaceTools] | None = None


@dataclass(frozen=True)
class WorkspaceTools:
    """A platform's implementations of the workspace ports (None: the built-in one)."""

    tasks: Tasks | None = None
    calendar: Calendar | None = None
    documents: Documents | None = None


# Platform modules are imported only when the platform is enabled (lark-oapi alone takes ~0.5 s).
def _qq_senders(
    settings: Settings, factory: sessionmaker[Session], clock: Clock, shared: SharedState
) -> list[Sender]:
    from teamassist.adapters.qq.client import QQClient
    from teamassist.adapters.qq.sender import QQSender

    return [QQSender(settings.qq, factory, clock, QQClient(settings.qq, tokens=shared))]


def _qq_jobs(settings: Settings, shared: SharedState) -> list[JobGroup]:
    from teamassist.adapters.qq.client import QQClient
    from teamassist.adapters.qq.jobs import quiet_jobs

    return [quiet_jobs(QQClient(settings.qq, tokens=shared))]


def _qq_inbound(
    settings: Settings, dispatcher: Dispatcher, factory: sessionmaker[Session], clock: Clock
) -> APIRouter:
    from teamassist.adapters.qq.webhook import build_router

    def record(message: InboundMessage) -> int | None:
        return dispatcher.record(message)

    def process(row_id: int, message: InboundMessage) -> None:
        dispatcher.process(row_id, message, reply_via_outbox=True)

    return build_router(settings.qq, record=record, process=process, factory=factory, clock=clock)


def _qq_directory(settings: Settings, shared: SharedState) -> PlatformLookup:
    from teamassist.adapters.qq.client import QQClient
    from teamassist.adapters.qq.directory import QQDirectory

    return QQDirectory(QQClient(settings.qq, tokens=shared))


def _feishu_directory(settings: Settings, shared: SharedState) -> PlatformLookup:
    from teamassist.adapters.feishu.client import build_client
    from teamassist.adapters.feishu.directory import FeishuDirectory
    from teamassist.adapters.feishu.tokens import share_tenant_tokens

    share_tenant_tokens(settings.feishu, shared)

    # A short timeout: a mention is looked up while the platform waits for our answer.
    return FeishuDirectory(build_client(settings.feishu, timeout=2.0), settings.feishu.app_id)


def _feishu_senders(
    settings: Settings, factory: sessionmaker[Session], clock: Clock, shared: SharedState
) -> list[Sender]:
    from teamassist.adapters.feishu.sender import FeishuSender
    from teamassist.adapters.feishu.tokens import share_tenant_tokens

    share_tenant_tokens(settings.feishu, shared)

    senders: list[Sender] = [FeishuSender(settings.feishu)]
    if settings.feishu.workspace_tools:
        from teamassist.adapters.feishu.operations import WorkspaceSender

        senders.append(
            WorkspaceSender(
                settings.feishu, factory, clock, max_attempts=settings.outbox.max_attempts
            )
        )
    return senders


def _feishu_workspace(settings: Settings, *_: object) -> WorkspaceTools:
    if not settings.feishu.workspace_tools:
        return WorkspaceTools()
    from teamassist.adapters.feishu.workspace import FeishuCalendar, FeishuDocuments, FeishuTasks

    return WorkspaceTools(
        tasks=FeishuTasks(), calendar=FeishuCalendar(), documents=FeishuDocuments()
    )


def _feishu_inbound(
    settings: Settings, dispatcher: Dispatcher, factory: sessionmaker[Session], clock: Clock
) -> APIRouter:
    from teamassist.adapters.feishu.webhook import build_router

    return build_router(settings.feishu, dispatcher=dispatcher, factory=factory, clock=clock)


def _wecom_senders(
    settings: Settings, _factory: object, _clock: Clock, shared: SharedState
) -> list[Sender]:
    from teamassist.adapters.wecom.sender import WeComSender

    return [WeComSender(settings.wecom, shared=shared)]


def _web_senders(
    _settings: Settings, factory: sessionmaker[Session], clock: Clock, _shared: SharedState
) -> list[Sender]:
    return [WebSender(factory, clock)]


def build_shared_state(settings: Settings, clock: Clock) -> SharedState:
    """Redis when ``scale_out.redis_url`` is set (every process shares it), else this process's
    memory (limit windows on the runtime's clock, as before)."""
    if settings.scale_out.redis_url:
        from teamassist.shared_state.redis_state import RedisState

        scale_out = settings.scale_out
        return RedisState(
            scale_out.redis_url,
            prefix=scale_out.redis_prefix,
            timeout=scale_out.redis_timeout_seconds,
            backoff=scale_out.redis_backoff_seconds,
        )
    return LocalState(now=lambda: clock().timestamp())


PLATFORMS: list[Platform] = [
    Platform("web", enabled=lambda _s: True, senders=_web_senders),
    Platform(
        "qq",
        enabled=lambda s: s.qq.enabled,
        models=("teamassist.adapters.qq.models",),
        senders=_qq_senders,
        jobs=_qq_jobs,
        inbound=_qq_inbound,
        directory=_qq_directory,
    ),
    Platform(
        "feishu",
        enabled=lambda s: s.feishu.enabled,
        models=("teamassist.adapters.feishu.models",),
        senders=_feishu_senders,
        inbound=_feishu_inbound,
        directory=_feishu_directory,
        workspace=_feishu_workspace,
    ),
    Platform("wecom", enabled=lambda s: s.wecom.enabled, senders=_wecom_senders),
]


def model_modules(domains: Sequence[Domain] | None = None) -> list[str]:
    """Every model module of the domains and platforms (all platforms: the schema is one)."""
    domains = DOMAINS if domains is None else domains
    return [
        *(m for d in domains for m in d.models),
        *(m for p in PLATFORMS for m in p.models),
    ]


def import_models(domains: Sequence[Domain] | None = None) -> None:
    """Import every model module, so ``Base.metadata`` holds every table."""
    for name in model_modules(domains):
        importlib.import_module(name)


def unmodelled_names(domains: Sequence[Domain] | None = None) -> set[str]:
    """Names of database objects that migrations build outside the models (a model module's
    ``UNMODELLED``): full-text tables and special indexes."""
    names: set[str] = set()
    for name in model_modules(domains):
        names.update(getattr(importlib.import_module(name), "UNMODELLED", ()))
    return names


def include_name(name: str | None, _type: str, _parents: object) -> bool:
    """Alembic's ``include_name`` hook: compare everything but the unmodelled objects (a
    table's name or its prefix, e.g. FTS5's shadow tables ``<name>_data``)."""
    if name is None:
        return True
    return not any(name == u or name.startswith(f"{u}_") for u in unmodelled_names())


def migration_folders(domains: Sequence[Domain] | None = None) -> list[Traversable]:
    """Each domain's Alembic versions folder (one branch per domain key)."""
    domains = DOMAINS if domains is None else domains
    return [f for d in domains if (f := d.folder("migrations")) is not None]


def check_keys(domains: Sequence[Domain]) -> None:
    """Refuse two domains with one key (their catalogue, branch and URLs would collide)."""
    seen: set[str] = set()
    for domain in domains:
        if domain.key in seen:
            raise ValueError(f"two domains share the key {domain.key!r}")
        seen.add(domain.key)


def check_requires(domains: Sequence[Domain]) -> None:
    """Refuse to start when a domain requires a port no listed domain provides."""
    provided = {port for domain in domains for port in domain.provides}
    for domain in domains:
        for port in domain.requires:
            if port not in provided:
                raise PortMissing(
                    f"the {domain.key!r} domain requires the {port.__name__} port, "
                    "but no installed domain provides it (see teamassist.bootstrap.DOMAINS)"
                )


def provide_ports(domains: Sequence[Domain], wiring: Wiring) -> None:
    """Fill ``wiring.ports`` from the domains' ``provides``."""
    for domain in domains:
        for port, factory in domain.provides.items():
            wiring.ports.provide(port, factory(wiring))


def provide_workspace_ports(
    ports: Ports,
    platforms: Sequence[Platform],
    settings: Settings,
    factory: sessionmaker[Session],
    clock: Clock,
) -> None:
    """The ``Tasks``, ``Calendar`` and ``Documents`` ports: per team, the tools of the platform
    it lives on when that platform has them enabled, else the built-in ones."""
    tools = {
        p.key: p.workspace(settings, factory, clock) for p in platforms if p.workspace is not None
    }
    tasks: Tasks = TeamTasks(
        BuiltinTasks(), {k: t.tasks for k, t in tools.items() if t.tasks is not None}
    )
    calendar: Calendar = TeamCalendar(
        BuiltinCalendar(), {k: t.calendar for k, t in tools.items() if t.calendar is not None}
    )
    documents: Documents = TeamDocuments(
        BuiltinDocuments(), {k: t.documents for k, t in tools.items() if t.documents is not None}
    )
    ports.provide(Tasks, tasks)
    ports.provide(Calendar, calendar)
    ports.provide(Documents, documents)


def build_runtime(
    settings: Settings, *, clock: Clock = utcnow, domains: Sequence[Domain] | None = None
) -> Runtime:
    """Assemble the runtime of ``domains`` (default: ``DOMAINS``) from settings."""
    domains = list(DOMAINS if domains is None else domains)
    check_keys(domains)
    check_requires(domains)  # before anything is built
    redact.install(redact.settings_secrets(settings))  # before anything can log a secret
    auth.install_hash_cost(settings.web.password_hash)
    document_limits.install(
        RenderLimits(
            workers=settings.documents.render_workers,
            memory_mib=settings.documents.render_memory_mib,
            seconds=settings.documents.render_seconds,
            batch_seconds=settings.documents.render_batch_seconds,
            save_seconds=settings.documents.render_save_seconds,
        )
    )
    for domain in domains:
        if (locale := domain.folder("locale")) is not None:
            i18n.add_folder(locale)  # built-in ones are found anyway; a domain outside is not
    db = settings.database
    engine = make_engine(
        db.url,
        echo=db.echo,
        connect_timeout=db.connect_timeout_seconds,
        statement_timeout=db.statement_timeout_seconds,
    )
    factory = make_session_factory(engine)
    shared = build_shared_state(settings, clock)
    ports = Ports()
    wiring = Wiring(settings=settings, factory=factory, clock=clock, ports=ports)
    provide_ports(domains, wiring)
    platforms = [p for p in PLATFORMS if p.enabled(settings)]
    directories: Directory = PlatformDirectories(
        {p.key: p.directory(settings, shared) for p in platforms if p.directory is not None}
    )
    ports.provide(Directory, directories)
    provide_workspace_ports(ports, platforms, settings, factory, clock)
    bus = Bus(s for d in domains if d.subscriptions is not None for s in d.subscriptions(wiring))
    bus.install(factory)
    for domain in domains:
        if domain.install is not None:
            domain.install(wiring)
    kicker = Kicker()
    registry = Registry(modules=[m for d in domains for m in d.commands])
    dispatcher = Dispatcher(
        factory,
        registry,
        clock=clock,
        after_commit=kicker.kick,
        public_url=settings.web.public_url,
        ports=ports,
    )

    def job_groups() -> list[JobGroup]:
        # Asked on the scheduler's first use of its jobs: `serve` with the scheduler on imports
        # them at its first tick, a process that never ticks never does.
        return [
            *(resolve(path) for d in domains for path in d.jobs),
            *(g for p in platforms for g in p.jobs(settings, shared)),
        ]

    scheduler = Scheduler(
        factory,
        job_groups,
        clock=clock,
        catch_up=timedelta(minutes=settings.scheduler.catch_up_minutes),
        system_jobs=[
            dispatcher.replay_pending,
            RetentionSweep(
                factory,
                clock,
                inbox_days=settings.retention.inbox_days,
                outbox_days=settings.retention.outbox_days,
            ),
            IdempotencySweep(factory, clock, days=settings.retention.idempotency_days),
        ],
        after_commit=kicker.kick,
        ports=ports,
    )
    web = WebParts(
        api=[r for d in domains for r in d.api],
        pages=[r for d in domains for r in d.pages],
        public=[r for d in domains for r in d.public],
        webhooks=[
            partial(p.inbound, settings, dispatcher, factory, clock)
            for p in platforms
            if p.inbound is not None
        ],
        nav=[n for d in domains for n in d.nav],
        templates=[f for d in domains if (f := d.folder("templates")) is not None],
        static=[f for d in domains if (f := d.folder("static")) is not None],
    )
    return Runtime(
        settings=settings,
        engine=engine,
        factory=factory,
        registry=registry,
        dispatcher=dispatcher,
        scheduler=scheduler,
        clock=clock,
        kicker=kicker,
        ports=ports,
        events=bus,
        domains=domains,
        models=model_modules(domains),
        web=web,
        senders={
            s.platform: s for p in platforms for s in p.senders(settings, factory, clock, shared)
        },
        shared=shared,
    )
