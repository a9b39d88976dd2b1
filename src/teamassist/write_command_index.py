"""Writes each domain's command index (``<domain package>/command_index.py``) from the command
modules it lists.

The registry knows a command before its module is imported from that index (its key, group and
permission; its words come from the catalogue by key). Run
``python -m teamassist.write_command_index`` after declaring, removing or reordering a chat
command, or changing its permission or group: ``tests/house/test_command_index.py`` fails until
the indexes say what the modules declare. A new command module is listed once by hand, as
``CommandModule("teamassist.<domain>.<module>:commands", ())``, and filled in by this.
"""

from __future__ import annotations

import sys
from collections.abc import Sequence
from pathlib import Path

from teamassist.chat.command_index import resolve
from teamassist.chat.registry import CommandGroup
from teamassist.domain import Domain

LINE_LENGTH = 100  # ruff's, so that `ruff format` leaves a written index as it is

HEADER = '''"""The {key} domain's chat commands by key, in /帮助 order, and their modules.

Written by ``python -m teamassist.write_command_index`` from those modules: do not edit by hand.
"""

from teamassist.chat.command_index import CommandModule, Listed

COMMANDS = (
'''


def source(domain: Domain) -> str:
    """The index of ``domain`` as its command modules declare it now (importing them)."""
    lines = [HEADER.format(key=domain.key)]
    for module in domain.commands:
        group = resolve(module.path)
        if not isinstance(group, CommandGroup):
            raise TypeError(f"{module.path} is not a CommandGroup")
        entries = [
            f'Listed("{s.key}", "{s.group}", "{s.permission.value}"),' for s in group.commands
        ]
        lines.append(f'    CommandModule(\n        "{module.path}",\n')
        one_line = f"        ({''.join(entries)}),\n"
        if len(entries) == 1 and len(one_line) <= LINE_LENGTH + 1:  # as ruff format has it
            lines.append(one_line)
        else:
            lines.append("        (\n")
            lines.extend(f"            {entry}\n" for entry in entries)
            lines.append("        ),\n")
        lines.append("    ),\n")
    lines.append(")\n")
    return "".join(lines)


def index_file(domain: Domain) -> Path:
    """Where ``domain``'s index lives: beside the ``domain.py`` that exports it."""
    for module in list(sys.modules.values()):
        if getattr(module, "DOMAIN", None) is domain and module.__file__:
            return Path(module.__file__).with_name("command_index.py")
    raise LookupError(f"no imported module exports the {domain.key!r} domain")


def write(domains: Sequence[Domain]) -> list[Path]:
    """Rewrite the indexes that differ from their modules; the files written."""
    written: list[Path] = []
    for domain in domains:
        if not domain.commands:
            continue
        path, text = index_file(domain), source(domain)
        if not path.exists() or path.read_text(encoding="utf-8") != text:
            path.write_text(text, encoding="utf-8")
            written.append(path)
    return written


def main() -> None:
    """Rewrite every installed domain's index."""
    from teamassist.bootstrap import DOMAINS

    for path in write(DOMAINS):
        print(f"wrote {path}")  # noqa: T201  (a developer's tool says what it changed)


if __name__ == "__main__":
    main()
