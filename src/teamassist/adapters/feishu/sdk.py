"""lark-oapi without its package-wide imports: a slim client.

``import lark_oapi`` (1.7.5) runs a package ``__init__`` that imports every API of the open
platform, its models and event processors: ~10,600 modules, 11 CPU seconds and ~170 MiB
resident on this machine (``python -X importtime -c "import lark_oapi"``, 2026-12-02, load
~5), and any ``from lark_oapi.x import y`` runs it first. The adapter needs six services and the
core (token manager, transport, JSON). :mod:`.sdk_packages`, run by this adapter's package
``__init__``, registers the packages ``lark_oapi`` and ``lark_oapi.api`` with their
``__init__`` deferred: their submodules import as usual, each bringing only what it imports
itself, and the first read of a name the real ``__init__`` defines (``lark_oapi.Client``, say)
runs it then, so code elsewhere that wants the whole SDK still gets it.

:class:`FeishuClient` stands for ``lark_oapi.Client``, whose module imports all ~60 services:
the same ``Config`` (values as ``lark_oapi.ClientBuilder`` sets them) and the services the
adapter calls, each made on first use.
"""

from __future__ import annotations

import importlib
from functools import cached_property
from typing import Any

from lark_oapi.core.enum import LogLevel
from lark_oapi.core.model import Config


def _service(package: str, cls: str, config: Config) -> Any:
    return getattr(importlib.import_module(f"lark_oapi.api.{package}.service"), cls)(config)


class FeishuClient:
    """The services of ``lark_oapi.Client`` the adapter uses, over one ``Config``:
    ``client.im.v1.message.create(request)`` as with the SDK's client."""

    def __init__(self, config: Config) -> None:
        self.config = config

    @cached_property
    def im(self) -> Any:
        return _service("im", "ImService", self.config)

    @cached_property
    def task(self) -> Any:
        return _service("task", "TaskService", self.config)

    @cached_property
    def docx(self) -> Any:
        return _service("docx", "DocxService", self.config)

    @cached_property
    def drive(self) -> Any:
        return _service("drive", "DriveService", self.config)

    @cached_property
    def calendar(self) -> Any:
        return _service("calendar", "CalendarService", self.config)

    @cached_property
    def contact(self) -> Any:
        return _service("contact", "ContactService", self.config)


def make_client(app_id: str, app_secret: str, domain: str, timeout: float) -> FeishuClient:
    """A client as ``lark_oapi.Client.builder()`` builds one with these values and log level
    WARNING. ``domain`` must already be checked (``config.domain_problem`` applies the SDK
    builder's rule: an https origin, plain http only for loopback)."""
    from lark_oapi.core.log import logger

    config = Config()
    config.app_id = app_id
    config.app_secret = app_secret
    config.domain = domain
    config.timeout = timeout
    config.log_level = LogLevel.WARNING
    logger.setLevel(int(LogLevel.WARNING.value))  # what the builder does for its log level
    return FeishuClient(config)
