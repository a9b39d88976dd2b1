"""What a typed @name is, beside the mention pattern of :mod:`teamassist.chat.parser`: the
words that join two mentions of a list, and the tail a typed name may carry that is no part of
it. Apart from the parser so the command context (which the parser's registry imports) can use
them."""

from __future__ import annotations

import re

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
