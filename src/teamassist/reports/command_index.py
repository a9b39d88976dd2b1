"""The reports domain's chat commands by key, in /帮助 order, and their modules.

Written by ``python -m teamassist.write_command_index`` from those modules: do not edit by hand.
"""

from teamassist.chat.command_index import CommandModule, Listed

COMMANDS = (
    CommandModule(
        "teamassist.reports.commands:commands",
        (
            Listed("reports.entry", "public", "anyone"),
            Listed("reports.generate", "public", "anyone"),
            Listed("reports.packs", "public", "anyone"),
            Listed("reports.read_start", "public", "anyone"),
            Listed("reports.read", "public", "anyone"),
            Listed("reports.ask", "public", "anyone"),
            Listed("reports.decide", "public", "anyone"),
            Listed("reports.action", "public", "anyone"),
            Listed("reports.read_end", "public", "anyone"),
        ),
    ),
)
