"""Build the running parts once: engine, dispatcher, scheduler, senders, delivery."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import timedelta

from sqlalchemy import Engine
from sqlalchemy.orm import Session, sessionmaker

from teamassist import domains, redact
from teamassist.adapters.web.sender import WebSender
from teamassist.chat.dispatcher import Dispatcher
from teamassist.chat.registry import Registry
from teamassist.chat.retention import RetentionSweep
from teamassist.clock import Clock, utcnow
from teamassist.config import Settings
from teamassist.database import make_engine, make_session_factory
from teamassist.duty.roster import DutyRoster
from teamassist.outbox.delivery import DeliveryStats, DeliveryWorker, deliver_due
from teamassist.outbox.senders import Sender
from teamassist.ports import Ports, Roster, Workdays
from teamassist.scheduler.registry import JobGroup
from teamassist.scheduler.runner import Scheduler
from teamassist.workdays import ChinaWorkdays


@dataclass
class Runtime:
    """Everything a boundary (web request, CLI, job, test) needs to act."""

    settings: Settings
    engine: Engine
    factory: sessionmaker[Session]
    registry: Registry
    dispatcher: Dispatcher
    scheduler: Scheduler
    clock: Clock
    ports: Ports = field(default_factory=Ports)
    senders: dict[str, Sender] = field(default_factory=dict)
    worker: DeliveryWorker | None = None

    def deliver(self) -> DeliveryStats:
        """Run one delivery pass now."""
        return deliver_due(self.factory, self.senders, self.settings.outbox, self.clock())

    def kick(self) -> None:
        """Ask the background worker (if running) to deliver right away."""
        if self.worker is not None:
            self.worker.kick()

    def start_worker(self) -> None:
        """Deliver in the background, kicked after every commit that queued notices."""
        if self.worker is None:
            self.worker = DeliveryWorker(
                self.deliver, interval=self.settings.scheduler.tick_seconds
            )
            self.worker.start()

    def close(self) -> None:
        """Stop background work and release connections."""
        if self.worker is not None:
            self.worker.stop()
            self.worker = None
        self.engine.dispose()


def build_runtime(settings: Settings, *, clock: Clock = utcnow) -> Runtime:
    """Assemble the runtime from settings."""
    redact.install(redact.settings_secrets(settings))  # before anything can log a secret
    engine = make_engine(settings.database.url, echo=settings.database.echo)
    factory = make_session_factory(engine)
    registry = Registry(domains.command_groups())
    # The ports (until the bootstrap fills them from each Domain's ``provides``).
    ports = Ports()
    workdays: Workdays = ChinaWorkdays()
    roster: Roster = DutyRoster()
    ports.provide(Workdays, workdays)
    ports.provide(Roster, roster)
    domains.wire_events(ports)
    runtime_ref: dict[str, Runtime] = {}

    def kick() -> None:
        if "rt" in runtime_ref:
            runtime_ref["rt"].kick()

    dispatcher = Dispatcher(
        factory,
        registry,
        clock=clock,
        after_commit=kick,
        public_url=settings.web.public_url,
        ports=ports,
    )
    scheduler = Scheduler(
        factory,
        [*domains.job_groups(), *_platform_job_groups(settings)],
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
        ],
        after_commit=kick,
        ports=ports,
    )
    runtime = Runtime(
        settings=settings,
        engine=engine,
        factory=factory,
        registry=registry,
        dispatcher=dispatcher,
        scheduler=scheduler,
        clock=clock,
        ports=ports,
    )
    runtime.senders[WebSender.platform] = WebSender(factory, clock)
    for sender in _platform_senders(settings, factory, clock):
        runtime.senders[sender.platform] = sender
    runtime_ref["rt"] = runtime
    return runtime


def _platform_senders(
    settings: Settings, factory: sessionmaker[Session], clock: Clock
) -> list[Sender]:
    """Senders of the enabled chat platforms (QQ, Feishu, WeCom)."""
    senders: list[Sender] = []
    if settings.qq.enabled:
        from teamassist.adapters.qq.sender import QQSender

        senders.append(QQSender(settings.qq, factory, clock))
    if settings.feishu.enabled:
        from teamassist.adapters.feishu.sender import FeishuSender

        senders.append(FeishuSender(settings.feishu))
    if settings.wecom.enabled:
        from teamassist.adapters.wecom.sender import WeComSender

        senders.append(WeComSender(settings.wecom, now=lambda: clock().timestamp()))
    return senders


def _platform_job_groups(settings: Settings) -> list[JobGroup]:
    """Jobs of the enabled chat platforms (the QQ guild quiet-window mute)."""
    if not settings.qq.enabled:
        return []
    from teamassist.adapters.qq.client import QQClient
    from teamassist.adapters.qq.jobs import quiet_jobs

    return [quiet_jobs(QQClient(settings.qq))]
