"""The okr domain's chat commands by key, in /帮助 order, and their modules.

Written by ``python -m teamassist.write_command_index`` from those modules: do not edit by hand.
"""

from teamassist.chat.command_index import CommandModule, Listed

COMMANDS = (
    CommandModule(
        "teamassist.okr.commands:commands",
        (
            Listed("okr.new_objective", "public", "anyone"),
            Listed("okr.new_kr", "public", "anyone"),
            Listed("okr.people", "public", "anyone"),
            Listed("okr.delete_kr", "public", "anyone"),
            Listed("okr.delete_objective", "public", "anyone"),
            Listed("okr.weights", "public", "anyone"),
            Listed("okr.publish", "public", "anyone"),
            Listed("okr.mine", "public", "anyone"),
            Listed("okr.team", "public", "anyone"),
            Listed("okr.progress", "public", "anyone"),
            Listed("okr.score", "public", "anyone"),
            Listed("okr.align", "public", "anyone"),
            Listed("okr.reopen", "admin", "admin"),
            Listed("okr.close", "admin", "admin"),
        ),
    ),
    CommandModule(
        "teamassist.okr.retro_commands:commands",
        (Listed("okr.retro", "public", "anyone"),),
    ),
)
