"""The team domain's chat commands by key, in /帮助 order, and their modules.

Written by ``python -m teamassist.write_command_index`` from those modules: do not edit by hand.
"""

from teamassist.chat.command_index import CommandModule, Listed

COMMANDS = (
    CommandModule(
        "teamassist.team.commands:commands",
        (
            Listed("people.list", "public", "anyone"),
            Listed("people.org", "public", "anyone"),
            Listed("people.add", "admin", "admin"),
            Listed("people.set_role", "admin", "admin"),
            Listed("people.set_address", "admin", "admin"),
            Listed("people.rename", "admin", "admin"),
            Listed("people.deactivate", "admin", "admin"),
            Listed("people.activate", "admin", "admin"),
            Listed("people.merge", "admin", "admin"),
            Listed("people.set_manager", "admin", "admin"),
            Listed("people.grant_director", "admin", "admin"),
            Listed("people.revoke_director", "admin", "admin"),
        ),
    ),
    CommandModule(
        "teamassist.team.binding_commands:commands",
        (Listed("binding.bind", "public", "anyone"),),
    ),
)
