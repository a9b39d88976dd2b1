"""The running parts of one process, held together: a plain container built by the bootstrap.

Nothing here builds anything or names a domain; ``teamassist.bootstrap`` assembles the parts
and fills this in.
"""

from __future__ import annotations

import importlib
from collections.abc import Callable, Collection, Sequence
from dataclasses import dataclass, field
from importlib.abc import Traversable
from typing import Protocol

from fastapi import APIRouter
from sqlalchemy import Engine
from sqlalchemy.orm import Session, sessionmaker

from teamassist import documents
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
from teamassist.shared_state import LocalState, SharedState


class Wakeable(Protocol):
    """Something a commit that queued notices wakes: the embedded delivery worker, or in
    scale-out mode the publisher of delivery nudges (``teamassist.workers``)."""

    def kick(self, platforms: Collection[str] | None = None) -> None:
        """Deliver (or ask for delivery) soon: of ``platforms``' lanes, or every lane (None)."""


class Kicker:
    """Wakes the delivery worker after a commit that queued notices.

    Created first, so the dispatcher and scheduler can be handed ``kick`` when they are built;
    the worker attaches itself when it starts. Without a worker a kick does nothing (tests and
    the CLI deliver by hand).
    """

    def __init__(self) -> None:
        self.worker: Wakeable | None = None

    def kick(self, platforms: Collection[str] | None = None) -> None:
        """Ask the attached worker (if any) to deliver ``platforms``' notices (None: all) right
        away; an empty collection asks for nothing."""
        if self.worker is not None and (platforms is None or platforms):
            self.worker.kick(platforms)


@dataclass(frozen=True)
class WebParts:
    """What the web app mounts, gathered from the domains and platforms by the bootstrap."""

    # import paths of routers (teamassist.domain.Domain.api), loaded by the web app
    api: Sequence[str] = ()
    pages: Sequence[str] = ()
    public: Sequence[str] = ()
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
    # import paths of every model module of the domains and platforms (the schema is one)
    models: Sequence[str] = ()
    web: WebParts = field(default_factory=WebParts)
    senders: dict[str, Sender] = field(default_factory=dict)
    worker: DeliveryWorker | None = None
    # Tokens, limits and short-lived values every process of the install agrees on.
    shared: SharedState = field(default_factory=LocalState)

    def import_models(self) -> None:
        """Import every model module, so ``Base.metadata`` holds every table of the schema.

        A process imports a domain's models when it first serves that domain (a CLI command, a
        server that has not yet loaded a route): whatever walks the whole schema, such as a
        workspace's export, calls this first or silently misses the tables not yet loaded.
        """
        for name in self.models:
            importlib.import_module(name)

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

    def delivery_lanes(self) -> list[str]:
        """The delivery lanes: one per enabled platform, and ``""`` for the notices of platforms
        not enabled here (so a slow or failing platform's passes never hold up another's)."""
        return [*sorted(self.senders), ""]

    def lanes_of(self, platforms: Collection[str] | None) -> list[str]:
        """The delivery lanes carrying notices of ``platforms`` (every lane for None)."""
        lanes = self.delivery_lanes()
        if platforms is None:
            return lanes
        return sorted({p if p in self.senders else "" for p in platforms})

    def deliver_lane(self, lane: str) -> DeliveryStats:
        """One delivery pass of at most ``DELIVERY_BATCH`` notices of ``lane``."""
        return self._lane_pass(lane)()

    def _lane_pass(self, lane: str) -> Callable[[], DeliveryStats]:
        if lane:
            return self._delivery_pass(platforms=[lane])
        return self._delivery_pass(exclude=sorted(self.senders))

    def kick(self, platforms: Collection[str] | None = None) -> None:
        """Ask the background worker (if running) to deliver ``platforms``' notices (None: all)
        right away."""
        self.kicker.kick(platforms)

    def start_worker(self) -> None:
        """Deliver in the background, kicked after every commit that queued notices."""
        if self.worker is None:
            lanes = self.delivery_lanes()
            self.worker = DeliveryWorker(
                [self._lane_pass(lane) for lane in lanes],
                interval=self.settings.scheduler.tick_seconds,
                batch=DELIVERY_BATCH,
                lanes=lanes,
                gather=self.settings.outbox.gather_seconds,
            )
            self.kicker.worker = self.worker
            self.worker.start()

    def close(self) -> None:
        """Stop background work and release connections, and the template render host (if a
        render started one, and no test session holds it: ``documents.hold_sandbox``)."""
        if self.worker is not None:
            self.kicker.worker = None
            self.worker.stop()
            self.worker = None
        self.engine.dispose()
        self.shared.close()
        documents.release_sandbox()
