"""The reviews domain's chat commands by key, in /帮助 order, and their modules.

Written by ``python -m teamassist.write_command_index`` from those modules: do not edit by hand.
"""

from teamassist.chat.command_index import CommandModule, Listed

COMMANDS = (
    CommandModule(
        "teamassist.reviews.commands:commands",
        (
            Listed("reviews.start", "public", "anyone"),
            Listed("reviews.mine", "public", "anyone"),
            Listed("reviews.add_reviewer", "public", "anyone"),
            Listed("reviews.approve", "public", "anyone"),
            Listed("reviews.decline", "public", "anyone"),
            Listed("reviews.release", "public", "anyone"),
            Listed("reviews.close", "public", "anyone"),
        ),
    ),
)
