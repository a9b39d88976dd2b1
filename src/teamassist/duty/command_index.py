"""The duty domain's chat commands by key, in /帮助 order, and their modules.

Written by ``python -m teamassist.write_command_index`` from those modules: do not edit by hand.
"""

from teamassist.chat.command_index import CommandModule, Listed

COMMANDS = (
    CommandModule(
        "teamassist.duty.commands:commands",
        (
            Listed("duty.roster", "public", "anyone"),
            Listed("duty.who", "public", "anyone"),
            Listed("duty.sign_in", "public", "anyone"),
            Listed("duty.sign_out", "public", "anyone"),
            Listed("duty.calendar", "public", "anyone"),
            Listed("duty.add", "admin", "admin"),
            Listed("duty.remove", "admin", "admin"),
            Listed("duty.swap", "admin", "admin"),
            Listed("duty.replan", "admin", "admin"),
            Listed("duty.shift_swap", "public", "anyone"),
            Listed("duty.cover", "admin", "admin"),
            Listed("duty.pause", "admin", "admin"),
            Listed("duty.cancel_cover", "admin", "admin"),
            Listed("duty.withdraw", "admin", "admin"),
        ),
    ),
    CommandModule(
        "teamassist.duty.feed_commands:commands",
        (Listed("duty_feeds.subscribe", "public", "anyone"),),
    ),
)
