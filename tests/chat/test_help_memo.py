"""The /帮助 listing is built once per registry, and again when the commands change (issue 9)."""

from __future__ import annotations

from teamassist.chat.commands import commands as core_commands
from teamassist.chat.registry import CommandGroup, Registry


def test_listing_is_built_once_then_again_after_a_command_is_added() -> None:
    # Given a registry with the help command only
    help_spec, whoami_spec = (
        next(s for s in core_commands.commands if s.key == key)
        for key in ("core.help", "core.whoami")
    )
    group = CommandGroup("core", commands=[help_spec])
    registry = Registry([group])
    builds: list[int] = []

    def build() -> str:
        builds.append(len(registry.specs))
        return f"{len(registry.specs)} commands"

    # When the listing is asked for twice
    first = registry.memo("core.help", build)
    again = registry.memo("core.help", build)
    # Then it was built once
    assert (first, again, builds) == ("1 commands", "1 commands", [1])

    # When a command is added, the next listing is built anew and names it
    registry.add(whoami_spec)
    assert registry.memo("core.help", build) == "2 commands"
    assert builds == [1, 2]
