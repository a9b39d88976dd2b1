"""The running parts of one process, held together: a plain container built by the bootstrap.

Nothing here builds anything or names a domain; ``teamassist.bootstrap`` assembles the parts
and fills this in.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from importlib.abc import Traversable

from fastapi import APIRouter
from sqlalchemy import Engine
from sqlalchemy.orm import Session, sessionmaker

from teamassist.chat.dispatcher import Dispatcher
from teamassist.chat.registry import Registry
from teamassist.clock import Clock
from teamassist.config import Settings
from teamassist.domain import Domain, NavEntry
from teamassist.events import Bus
from teamassist.outbox.delivery import DeliveryStats, DeliveryWorker, deliver_due
from teamassist.outbox.senders import Sender
from teamassist.ports import Ports
from teamassist.scheduler.runner import Scheduler


class Kicker:
    """Wakes the delivery worker after a commit that queued notices.

    Created first, so the dispatcher and scheduler can be handed ``kick`` when they are built;
    the worker attaches itself when it starts. Without a worker a kick does nothing (tests and
    the CLI deliver by hand).
    """

    def __init__(self) -> None:
        self.worker: DeliveryWorker | None = None

    def kick(self) -> None:
        """Ask the attached worker (if any) to deliver right away."""
        if self.worker is not None:
            self.worker.kick()


@dataclass(frozen=True)
class WebParts:
    """What the web app mounts, gathered from the domains and platforms by the bootstrap."""

    api: Sequence[APIRouter] = ()
    pages: Sequence[APIRouter] = ()
    public: Sequence[APIRouter] = ()
    webhooks: Sequence[Callable[[], APIRouter]] = ()  # built per app (a fresh worker pool)
    nav: Sequence[NavEntry] = ()
    templates: Sequence[Traversable] = ()
    static: Sequence[Traversable] = ()


DELIVERY_BATCH = 100  # notices one delivery pass claims


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
    kicker: Kicker
    ports: Ports
    events: Bus
    domains: Sequence[Domain] = ()
    web: WebParts = field(default_factory=WebParts)
    senders: dict[str, Sender] = field(default_factory=dict)
    worker: DeliveryWorker | None = None

    def deliver(self) -> DeliveryStats:
        """Run one delivery pass now."""
        return deliver_due(self.factory, self.senders, self.settings.outbox, self.clock())

    def _delivery_pass(
        self, *, platforms: list[str] | None = None, exclude: Sequence[str] = ()
    ) -> Callable[[], DeliveryStats]:
        def run() -> DeliveryStats:
            return deliver_due(
                self.factory,
                self.senders,
                self.settings.outbox,
                self.clock(),
                limit=DELIVERY_BATCH,
                platforms=platforms,
                exclude=exclude,
            )

        return run

    def kick(self) -> None:
        """Ask the background worker (if running) to deliver right away."""
        self.kicker.kick()

    def start_worker(self) -> None:
        """Deliver in the background, kicked after every commit that queued notices."""
        if self.worker is None:
            # One loop per platform (and one for notices of platforms not enabled here), so a
            # slow or failing platform's passes never hold up another's.
            enabled = sorted(self.senders)
            passes = [self._delivery_pass(platforms=[name]) for name in enabled]
            passes.append(self._delivery_pass(exclude=enabled))
            self.worker = DeliveryWorker(
                passes, interval=self.settings.scheduler.tick_seconds, batch=DELIVERY_BATCH
            )
            self.kicker.worker = self.worker
            self.worker.start()

    def close(self) -> None:
        """Stop background work and release connections."""
        if self.worker is not None:
            self.kicker.worker = None
            self.worker.stop()
            self.worker = None
        self.engine.dispose()
