"""The core domain's chat commands by key, in /帮助 order, and their modules.

Written by ``python -m teamassist.write_command_index`` from those modules: do not edit by hand.
"""

from teamassist.chat.command_index import CommandModule, Listed

COMMANDS = (
    CommandModule(
        "teamassist.chat.commands:commands",
        (
            Listed("core.help", "public", "anyone"),
            Listed("core.whoami", "public", "anyone"),
            Listed("core.switch_team", "public", "anyone"),
        ),
    ),
    CommandModule(
        "teamassist.web.signin_commands:commands",
        (Listed("signin.login", "public", "anyone"),),
    ),
)
