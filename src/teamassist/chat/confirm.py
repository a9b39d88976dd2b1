"""The word that confirms a repeat: a command's author sends again what a repeat guard refused
(``/群发``, ``/通知``, ``/销项``). One word for every guard, so people learn one."""

from __future__ import annotations

import re

# Closing the message (after any deadline) as a word of its own: "…请找我确认重发" is a
# sentence, not a confirmation (tester F16, session 18). Copied with the reply's brackets
# (「确认重发」) it is still the word.
_FORCE = re.compile(r"(?:^|\s+)[「\"]?(?:确认重发|--force)[」\"]?\s*$", re.IGNORECASE)


def split_force(text: str) -> tuple[str, bool]:
    """``text`` without a closing ``确认重发`` (or ``--force``), and whether it had one."""
    found = _FORCE.search(text)
    return (text[: found.start()], True) if found else (text, False)
