"""The awards domain's chat commands by key, in /帮助 order, and their modules.

Written by ``python -m teamassist.write_command_index`` from those modules: do not edit by hand.
"""

from teamassist.chat.command_index import CommandModule, Listed

COMMANDS = (
    CommandModule(
        "teamassist.awards.commands:commands",
        (
            Listed("awards.nominate", "public", "anyone"),
            Listed("awards.vote", "public", "anyone"),
            Listed("awards.status", "public", "anyone"),
        ),
    ),
)
