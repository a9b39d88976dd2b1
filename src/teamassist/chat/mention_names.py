"""What a typed @name is, beside the mention pattern of :mod:`teamassist.chat.parser`: the
words that join two mentions of a list, and the tail a typed name may carry that is no part of
it. Apart from the parser so the command context (which the parser's registry imports) can use
them."""

from __future__ import annotations

import re
from collections.abc import Callable

# Words that join two mentions of a list as its commas do (@张三 和 @李四), longest first so a
# pattern built from them reads 以及 whole; shared by 群发 (who gets it) and /销项 (one owner).
LIST_WORDS = ("以及", "还有", "和", "与", "及", "跟", "同", "and", "&")

# What a typed @name may end in that is no part of it, when no member has the longer name: the
# marks the mention pattern lets through (half-width ones; the full-width end it already) and a
# joining word written without spaces (@张三和@李四).
# (Not "and": glued to a Latin name it is a part of it, 「@Rand」.)
_TAIL_WORDS = "|".join(re.escape(w) for w in LIST_WORDS if not w.isascii() or w == "&")
_NAME_TAIL = re.compile(rf"(?:[:;.!?。！？]+|(?:{_TAIL_WORDS})[:;.!?。！？]*)$")


def name_without_tail(name: str) -> str | None:
    """``name`` (a typed @name) without a trailing mark or joining word, or None when it ends
    in neither. Used only when no member has the whole name: a member's longer name wins
    (tester F6/F7 of session 21, F4/F5 of its second tester: 「@王五: 写周报」 looked for
    「王五:」, 「@张三和@李四」 for 「张三和」)."""
    shorter = _NAME_TAIL.sub("", name)
    return shorter if shorter and shorter != name else None


# Half-width marks that may be glued to both a name and the text after it (「@王五:写周报」,
# 「@张三;张工」): the mention pattern lets them through, since a handle or a name may hold
# them; the team's member names decide where the name ends (:func:`glued_cut`).
_GLUED_MARKS = re.compile("[:;]")


def glued_cut(name: str, known: Callable[[str], bool]) -> int | None:
    """Where a typed @name ends when a half-width ``:``/``;`` inside it is glued to the text
    after it, or None when the whole name stands (no such mark, or somebody has the whole
    name).

    ``known(typed)`` says whether a member (or the event's mention list) has that name. The
    longest name somebody has wins, as a member called 张三和 beats 张三 (``ddbb1c8``); when
    no name before a mark is anybody's, the first mark ends it as the full-width ``：``/``；``
    do, so the refusal names 「王五」, not 「王五:写周报」 (outside testers F5 of session 22,
    F6/F7 of session 21). ``known`` is asked only for a name holding such a mark, so a plain
    mention costs nothing."""
    marks = [found.start() for found in _GLUED_MARKS.finditer(name) if found.start() > 0]
    if not marks or known(name):
        return None
    for at in reversed(marks):
        if known(name[:at]):
            return at
    return marks[0]
