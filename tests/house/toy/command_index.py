"""The toy domain's chat commands by key, in /帮助 order, and their modules.

Written by ``python -m teamassist.write_command_index`` from those modules: do not edit by hand.
"""

from teamassist.chat.command_index import CommandModule, Listed

COMMANDS = (
    CommandModule(
        "tests.house.toy.commands:commands",
        (Listed("toy.note", "public", "anyone"),),
    ),
)
