"""The actions domain's chat commands by key, in /帮助 order, and their modules.

Written by ``python -m teamassist.write_command_index`` from those modules: do not edit by hand.
"""

from teamassist.chat.command_index import CommandModule, Listed

COMMANDS = (
    CommandModule(
        "teamassist.actions.commands:commands",
        (
            Listed("actions.create", "public", "anyone"),
            Listed("actions.mine", "public", "anyone"),
            Listed("actions.done", "public", "anyone"),
            Listed("actions.confirm", "public", "anyone"),
            Listed("actions.reopen", "public", "anyone"),
            Listed("actions.extend", "public", "anyone"),
            Listed("actions.reassign", "public", "anyone"),
        ),
    ),
)
