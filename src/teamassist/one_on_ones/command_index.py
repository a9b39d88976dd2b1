"""The one_on_ones domain's chat commands by key, in /帮助 order, and their modules.

Written by ``python -m teamassist.write_command_index`` from those modules: do not edit by hand.
"""

from teamassist.chat.command_index import CommandModule, Listed

COMMANDS = (
    CommandModule(
        "teamassist.one_on_ones.commands:commands",
        (
            Listed("one_on_ones.show", "public", "anyone"),
            Listed("one_on_ones.topic", "public", "anyone"),
            Listed("one_on_ones.done", "public", "anyone"),
            Listed("one_on_ones.action", "public", "anyone"),
            Listed("one_on_ones.move", "public", "anyone"),
            Listed("one_on_ones.cancel", "public", "anyone"),
        ),
    ),
)
