"""Action buttons that run a chat command: the words come from the catalogue, never from code."""

from __future__ import annotations

from teamassist.chat.types import Button, ButtonStyle
from teamassist.i18n import t


def command_text(command_key: str, *args: object) -> str:
    """The text a user would type for ``command_key`` (``"feedback.ack"``) with ``args``."""
    domain, _, action = command_key.partition(".")
    name = t(f"{domain}.commands.{action}.name")
    return " ".join([f"/{name}", *(str(a) for a in args)])


def command_button(
    command_key: str, label_key: str, *args: object, style: ButtonStyle = ButtonStyle.DEFAULT
) -> Button:
    """A button that sends ``command_key`` with ``args`` as whoever presses it."""
    return Button(label=t(label_key), command=command_text(command_key, *args), style=style)
