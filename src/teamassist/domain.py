"""The ``Domain`` descriptor: everything one domain brings to the house, in one value.

Each domain package exports ``DOMAIN`` from its ``domain.py``; the composition root
(``teamassist.bootstrap``) lists them and is the only module that names them all. Nothing here
imports a domain: the descriptor only describes. Nor does a ``domain.py`` import its domain's
handlers: commands come from the domain's generated index (``command_index.py``), jobs and demo
data by import path, and event handlers through :func:`later`, so a process imports a domain's
code when it first needs it (issue 9: a start costs the app, not every domain).
"""

from __future__ import annotations

import importlib
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, field
from datetime import datetime
from importlib import resources
from importlib.abc import Traversable
from typing import Any

from sqlalchemy.orm import Session, sessionmaker

from teamassist.chat.command_index import CommandModule
from teamassist.clock import Clock
from teamassist.config import Settings
from teamassist.events import Subscription
from teamassist.ports import Ports
from teamassist.team.models import Workspace

ASSET_KINDS = ("templates", "static", "locale", "migrations")

DemoLoader = Callable[[Session, Workspace, datetime], None]


@dataclass(frozen=True)
class Wiring:
    """What a domain's ``provides`` factories and ``install`` hook get at start-up."""

    settings: Settings
    factory: sessionmaker[Session]
    clock: Clock
    ports: Ports


@dataclass(frozen=True)
class NavEntry:
    """One dashboard navigation link: the path and the catalogue key of its label;
    ``admin`` links (a page only admins may open) are hidden from everyone else."""

    href: str
    label: str
    admin: bool = False


@dataclass(frozen=True)
class Domain:
    """One domain: its key, what it declares, and what it provides to and requires of others.

    ``key`` is the catalogue namespace (``locale/<key>.toml``), the Alembic branch label, and the
    prefix of its URLs and job keys. ``assets`` maps ``templates``/``static``/``locale``/
    ``migrations`` to folders (usually found by :func:`assets_in` inside the domain package).
    """

    key: str
    models: Sequence[str] = ()  # module names, imported so Base.metadata is complete
    # Its command modules and what they declare (the generated ``<domain>/command_index.py``),
    # in /帮助 order: a module is imported on the first command of it.
    commands: Sequence[CommandModule] = ()
    # JobGroups by import path ("teamassist.duty.jobs:jobs"), imported on the scheduler's
    # first use of its jobs (a process that never ticks never imports them).
    jobs: Sequence[str] = ()
    # Routers by import path ("teamassist.duty.api:router"), imported by the web app alone
    # (teamassist.http.routes.load): a worker, beat or CLI process never builds them.
    api: Sequence[str] = ()  # mounted under /api/v1
    pages: Sequence[str] = ()  # dashboard pages (sign-in applied by each page)
    public: Sequence[str] = ()  # no sign-in, e.g. /ical/<token>.ics
    nav: Sequence[NavEntry] = ()
    assets: Mapping[str, Traversable] = field(default_factory=dict)
    demo: str | None = None  # a DemoLoader by import path ("teamassist.duty.demo:load")
    # Built once the ports are filled, so a handler can hold the ports it needs.
    subscriptions: Callable[[Wiring], Sequence[Subscription[Any]]] | None = None
    provides: Mapping[type, Callable[[Wiring], object]] = field(default_factory=dict)
    requires: Sequence[type] = ()
    install: Callable[[Wiring], None] | None = None  # per-runtime hooks (e.g. session events)

    def folder(self, kind: str) -> Traversable | None:
        """The domain's ``kind`` folder (one of :data:`ASSET_KINDS`), or None."""
        return self.assets.get(kind)


class later:  # lower case: used like a function, ``on(Kind, later("pkg.mod:handler"))``
    """The function at ``"package.module:name"``, imported on its first call: an event handler
    a descriptor names without importing the domain's code at start."""

    def __init__(self, path: str) -> None:
        self.path = path
        self._found: Callable[..., Any] | None = None

    def resolve(self) -> Callable[..., Any]:
        """The function, importing its module if needed (two first calls at once both look it
        up; Python imports the module once)."""
        if self._found is None:
            module, _, name = self.path.partition(":")
            self._found = getattr(importlib.import_module(module), name)
        return self._found

    def __call__(self, *args: Any, **kwargs: Any) -> Any:
        return self.resolve()(*args, **kwargs)

    def __repr__(self) -> str:
        return f"later({self.path!r})"


def load_demo(domain: Domain) -> DemoLoader | None:
    """The domain's demo loader (importing its module), or None."""
    if domain.demo is None:
        return None
    module, _, name = domain.demo.partition(":")
    loader: DemoLoader = getattr(importlib.import_module(module), name)
    return loader


def assets_in(package: str) -> dict[str, Traversable]:
    """The asset folders that exist inside ``package`` (e.g. ``teamassist.duty``)."""
    root = resources.files(package)
    return {kind: root / kind for kind in ASSET_KINDS if (root / kind).is_dir()}
