"""The meetings domain's chat commands by key, in /帮助 order, and their modules.

Written by ``python -m teamassist.write_command_index`` from those modules: do not edit by hand.
"""

from teamassist.chat.command_index import CommandModule, Listed

COMMANDS = (
    CommandModule(
        "teamassist.meetings.commands:commands",
        (
            Listed("meetings.list", "public", "anyone"),
            Listed("meetings.move", "public", "anyone"),
            Listed("meetings.cancel", "public", "anyone"),
            Listed("meetings.rank", "public", "anyone"),
            Listed("meetings.results", "public", "anyone"),
        ),
    ),
)
