"""The command registry: each domain declares its commands in a :class:`CommandGroup`.

Names, aliases, usage and help lines come from the catalogue entry ``<domain>.commands.<action>``
(``locale/<domain>.toml``, table ``[commands.<action>]``) so that
user-facing words stay in one place; the code only names the stable key (``"feedback.report"``).
A start registers each domain's commands from its index (:mod:`teamassist.chat.command_index`)
and imports a command's module on its first use.
"""

from __future__ import annotations

import logging
import threading
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass, field
from enum import StrEnum
from typing import Any

from teamassist.chat.command_index import CommandModule, Listed, Worded, resolve
from teamassist.chat.context import Handler
from teamassist.i18n import catalogue


class Permission(StrEnum):
    """Who may run a command; higher levels include the ones below (admin can do everything)."""

    ANYONE = "anyone"
    ON_DUTY = "on_duty"  # on today's roster, or lead/admin
    LEAD = "lead"
    ADMIN = "admin"


class ArgKind(StrEnum):
    """How one argument is read from the message."""

    TEXT = "text"  # the rest of the message, kept exactly as written
    WORD = "word"  # one whitespace-separated token
    INT = "int"  # one token that must be a whole number
    MEMBER = "member"  # one @mention
    MEMBERS = "members"  # one or more @mentions
    DATE = "date"  # YYYY-MM-DD, 今天/明天/后天, today/tomorrow


@dataclass(frozen=True)
class Arg:
    """One declared argument of a command."""

    name: str
    kind: ArgKind
    required: bool = True
    # For optional WORD arguments: only accept a token from this set (e.g. rotation names are
    # checked later, but a WORD must not swallow a mention).
    max_length: int | None = None
    # Room for the command's own words inside a TEXT (匿名, 证据 1, a date): accepted beyond
    # max_length but never shown as the limit, since people count what they wrote (M10).
    overhead: int = 0


@dataclass
class CommandSpec(Worded):
    """A command as the dispatcher sees it (its words: :class:`Worded`)."""

    key: str
    handler: Handler
    args: tuple[Arg, ...] = ()
    permission: Permission = Permission.ANYONE
    group: str = "public"

    def listed(self) -> Listed:
        """The command as an index lists it."""
        return Listed(self.key, self.group, self.permission.value)


@dataclass
class CommandGroup:
    """The commands of one domain; the application composes groups explicitly."""

    domain: str
    commands: list[CommandSpec] = field(default_factory=list)

    def command(
        self,
        key: str,
        *,
        args: Iterable[Arg] = (),
        permission: Permission = Permission.ANYONE,
        group: str | None = None,
    ) -> Callable[[Handler], Handler]:
        """Declare a chat command handled by the decorated function."""

        def register(handler: Handler) -> Handler:
            self.commands.append(
                CommandSpec(
                    key=key,
                    handler=handler,
                    args=tuple(args),
                    permission=permission,
                    group=group or _default_group(permission),
                )
            )
            return handler

        return register


def _default_group(permission: Permission) -> str:
    return {
        Permission.ANYONE: "public",
        Permission.ON_DUTY: "duty",
        Permission.LEAD: "lead",
        Permission.ADMIN: "admin",
    }[permission]


log = logging.getLogger(__name__)


class StaleIndex(RuntimeError):
    """A command module declares other commands than its domain's index lists."""


class Registry:
    """All commands known to one application, looked up by name or alias.

    A command comes either as a spec (``groups``, :meth:`add`: its module is imported) or as a
    line of a domain's index (``modules``): then the registry knows its words, group and
    permission, and imports its module on the first :meth:`get` of one of its commands (one
    import per module, however many threads ask at once; a failed import raises to the caller
    and is tried again on the next use). :attr:`specs` imports every module (the /帮助
    listing); :attr:`listed` imports none.
    """

    def __init__(
        self, groups: Iterable[CommandGroup] = (), *, modules: Iterable[CommandModule] = ()
    ) -> None:
        self._listed: list[Listed] = []
        self._by_word: dict[str, Listed] = {}
        self._specs: dict[str, CommandSpec] = {}  # key -> spec, once its module is imported
        self._module_of: dict[str, CommandModule] = {}  # key -> module, until then
        self._lock = threading.Lock()
        self.loaded: list[str] = []  # modules imported by this registry, in order
        # name -> (the catalogue it was built from, text): see memo()
        self._memo: dict[str, tuple[dict[str, Any], str]] = {}
        self._words: tuple[str, ...] | None = None  # words(), sorted once per set of commands
        self._lengths: tuple[int, ...] | None = None  # word_lengths(), likewise
        for group in groups:
            for spec in group.commands:
                self.add(spec)
        for module in modules:
            self.index(module)

    def add(self, spec: CommandSpec) -> None:
        """Register one command; a clash of names is a programming error."""
        self._list(spec.listed())
        self._specs[spec.key] = spec

    def index(self, module: CommandModule) -> None:
        """Register the commands of ``module`` by their index lines, importing nothing."""
        for listed in module.commands:
            self._list(listed)
            self._module_of[listed.key] = module

    def _list(self, listed: Listed) -> None:
        for word in [listed.name, *listed.aliases]:
            folded = word.casefold()
            if folded in self._by_word:
                raise ValueError(f"command word {word!r} is declared twice")
            self._by_word[folded] = listed
        self._listed.append(listed)
        self._memo.clear()
        self._words = None
        self._lengths = None

    @property
    def listed(self) -> Sequence[Listed]:
        """Every command's index line, in order (its words, group, permission): nothing is
        imported, so a hint or a suggestion costs no domain's start."""
        return tuple(self._listed)

    @property
    def specs(self) -> list[CommandSpec]:
        """Every command, in order, each module imported if it was not yet."""
        return [self._spec(listed.key) for listed in self._listed]

    def _spec(self, key: str) -> CommandSpec:
        spec = self._specs.get(key)
        if spec is None:
            self._load(self._module_of[key])
            spec = self._specs[key]
        return spec

    def _load(self, module: CommandModule) -> None:
        """Import ``module`` and register its specs, once: a second thread waits for the
        first's import and then finds them registered."""
        with self._lock:
            if module.path in self.loaded:
                return
            group = resolve(module.path)
            if not isinstance(group, CommandGroup):
                raise TypeError(f"{module.path} is not a CommandGroup")
            declared = tuple(spec.listed() for spec in group.commands)
            if declared != module.commands:
                raise StaleIndex(
                    f"{module.path} declares other commands than its index lists: run "
                    "`python -m teamassist.write_command_index`"
                )
            for spec in group.commands:
                self._specs[spec.key] = spec
            self.loaded.append(module.path)
            log.debug("imported the commands of %s", module.path)

    def memo(self, name: str, build: Callable[[], str]) -> str:
        """Text derived from the commands and the catalogue alone (the /帮助 listing), built
        once: rebuilt when a command is added or the catalogue is reloaded.

        Building the listing read ~400 catalogue entries per call: 20 % of /帮助's CPU time
        in the issue 9 profile."""
        current = catalogue()
        kept = self._memo.get(name)
        if kept is not None and kept[0] is current:
            return kept[1]
        text = build()
        self._memo[name] = (current, text)
        return text

    def words(self) -> tuple[str, ...]:
        """Every command word (case-folded), longest first, so prefixes never shadow longer
        names; sorted once per set of commands. The parser looks words up by
        :meth:`word_lengths` instead of scanning this."""
        if self._words is None:
            self._words = tuple(sorted(self._by_word, key=len, reverse=True))
        return self._words

    def word_lengths(self) -> tuple[int, ...]:
        """The distinct lengths of the command words, longest first: a message's command is
        found by looking up its first this-many characters, ~15 dictionary lookups instead of
        a ``startswith`` per word (~300; 17 % of the function calls of a /帮助, session 12)."""
        if self._lengths is None:
            self._lengths = tuple(sorted({len(word) for word in self._by_word}, reverse=True))
        return self._lengths

    def find(self, word: str) -> Listed | None:
        """A command's index line by name or alias (case-insensitive), importing nothing."""
        return self._by_word.get(word.casefold())

    def get(self, word: str) -> CommandSpec | None:
        """Find a command by name or alias (case-insensitive), importing its module on its
        first use."""
        listed = self._by_word.get(word.casefold())
        return None if listed is None else self._spec(listed.key)

    def get_by_key(self, key: str) -> CommandSpec | None:
        """Find a command by its stable key."""
        if key not in self._specs and key not in self._module_of:
            return None
        return self._spec(key)
