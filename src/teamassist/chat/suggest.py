"""Which commands a message probably meant: ``/进站`` → ``/进展``, "查一下我的销项" → ``/我的销项``.

Fuzzy matching over every command's name and aliases with :mod:`difflib` (a ratio of at least
0.5: two Chinese characters of which one matches; 0.7 for a word in Latin letters), plus the
commands whose name the message contains. No ranking model: the registry is small and the
answer is only a hint.
"""

from __future__ import annotations

import difflib

from teamassist.chat import parser
from teamassist.chat.context import CommandIndex, CommandInfo
from teamassist.chat.types import Reply
from teamassist.i18n import t

CUTOFF = 0.5
# English words are longer and share letters by chance: at 0.5 a tester's "thanks!" was offered
# /评价 (alias "rank", 0.55). A one-letter slip in a short alias still passes ("hepl": 0.75).
ASCII_CUTOFF = 0.7
LIMIT = 3


def closest(text: str, registry: CommandIndex, *, limit: int = LIMIT) -> list[CommandInfo]:
    """Up to ``limit`` commands ``text`` may have meant, best first (empty when none is near)."""
    body = text.strip().lstrip("/／")
    if not body:
        return []
    word = parser.split_token(body)[0].casefold()
    by_word: dict[str, CommandInfo] = {}
    for spec in registry.listed:  # words only: a typo imports no domain's commands
        for name in [spec.name, *spec.aliases]:
            by_word.setdefault(name.casefold(), spec)
    found: list[CommandInfo] = []
    # A name written inside a sentence, longest first ("我的销项" before "销项").
    folded = body.casefold()
    for name in sorted(by_word, key=len, reverse=True):
        if len(name) >= 2 and not name.isascii() and name in folded:
            found.append(by_word[name])
    cutoff = ASCII_CUTOFF if word.isascii() else CUTOFF
    for name in difflib.get_close_matches(word, list(by_word), n=limit * 2, cutoff=cutoff):
        found.append(by_word[name])
    unique: list[CommandInfo] = []
    for spec in found:
        if all(spec.name != u.name for u in unique):
            unique.append(spec)
    return unique[:limit]


def did_you_mean(text: str, registry: CommandIndex) -> str:
    """``你是不是想用 /进展？`` for the closest commands, or "" when none is near."""
    specs = closest(text, registry)
    if not specs:
        return ""
    return str(t("core.did_you_mean", commands="、".join(f"/{s.name}" for s in specs)))


def written_in_latin(text: str) -> bool:
    """Whether ``text`` has Latin letters and no Chinese (or other CJK) character: someone
    writing English, who gets the English line of a hint too."""
    letters = [c for c in text if c.isalpha()]
    return bool(letters) and all(c.isascii() for c in letters)


def hint(text: str, registry: CommandIndex) -> Reply:
    """The reply to a 1:1 message that is not a command: the closest commands and the help,
    with its English line for a message in English (tester F4, session 16: "thanks!" and
    "hello" got Chinese only)."""
    near = did_you_mean(text, registry)
    body = str(t("core.not_a_command"))
    if written_in_latin(text):
        body += "\n" + str(t("core.not_a_command_en"))
    return Reply(body=f"{near}\n\n{body}" if near else body)
