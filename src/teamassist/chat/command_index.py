"""What the registry knows of a command before its module is imported: its key, group and
permission, and the module that defines it.

Each domain's ``command_index.py`` is written from its command modules by
``python -m teamassist.write_command_index`` (``tests/house/test_command_index.py`` fails while
an index differs from what the modules declare), so the words stay in one place: the catalogue
entry of the key (``locale/<domain>.toml``, ``[commands.<action>]``). A process imports a
domain's handlers on its first command of that domain, not at start (issue 9).
"""

from __future__ import annotations

import importlib
from dataclasses import dataclass
from typing import Any

from teamassist.i18n import lookup, t


class Worded:
    """A command's words, read from the catalogue entry of its ``key``."""

    key: str

    @property
    def catalogue_key(self) -> str:
        """Where the command's words live: ``feedback.report`` → ``feedback.commands.report``."""
        domain, _, action = self.key.partition(".")
        return f"{domain}.commands.{action}"

    @property
    def name(self) -> str:
        """The Chinese command word, without the slash."""
        return str(t(f"{self.catalogue_key}.name"))

    @property
    def aliases(self) -> list[str]:
        """Other words (English first) that run the same command."""
        value = lookup(f"{self.catalogue_key}.aliases") or []
        return [str(a) for a in value]

    @property
    def usage(self) -> str:
        """How to call it, e.g. ``/问题反馈 <反馈内容>``."""
        return str(lookup(f"{self.catalogue_key}.usage") or f"/{self.name}")

    @property
    def help(self) -> str:
        """One line on what it does."""
        return str(t(f"{self.catalogue_key}.help"))


@dataclass(frozen=True)
class Listed(Worded):
    """One command as an index lists it (``permission`` is a ``Permission`` value)."""

    key: str
    group: str
    permission: str


@dataclass(frozen=True)
class CommandModule:
    """A module's ``CommandGroup`` by import path (``"teamassist.duty.commands:commands"``) and
    the commands it declares, in declaration order."""

    path: str
    commands: tuple[Listed, ...]


def resolve(path: str) -> Any:
    """The object at ``"package.module:attribute"``, importing the module."""
    module, _, attribute = path.partition(":")
    return getattr(importlib.import_module(module), attribute)
