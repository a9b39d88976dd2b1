"""The feedback domain's chat commands by key, in /帮助 order, and their modules.

Written by ``python -m teamassist.write_command_index`` from those modules: do not edit by hand.
"""

from teamassist.chat.command_index import CommandModule, Listed

COMMANDS = (
    CommandModule(
        "teamassist.feedback.commands:commands",
        (
            Listed("feedback.report", "public", "anyone"),
            Listed("feedback.suggest", "public", "anyone"),
            Listed("feedback.today", "duty", "on_duty"),
            Listed("feedback.resolve", "duty", "on_duty"),
            Listed("feedback.ack", "duty", "on_duty"),
            Listed("feedback.wontfix", "duty", "on_duty"),
            Listed("feedback.duplicate", "duty", "on_duty"),
            Listed("feedback.reopen", "duty", "on_duty"),
            Listed("feedback.assign", "duty", "on_duty"),
            Listed("feedback.search", "duty", "on_duty"),
            Listed("feedback.mine", "public", "anyone"),
            Listed("feedback.show", "public", "anyone"),
        ),
    ),
)
