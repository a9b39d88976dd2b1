"""Keeping the direction controls in user text inside that text.

An unpaired RIGHT-TO-LEFT OVERRIDE (U+202E) in an action item's title reversed everything
after it on the line wherever the title was shown: the rest of a chat reply, a table row. Unicode's
bidirectional algorithm ends every embedding, override and isolate opened inside an isolate at
its closing POP DIRECTIONAL ISOLATE (UAX #9, rules X6a and BD9), so user text that holds such
controls is shown inside FIRST STRONG ISOLATE (U+2068) … PDI (U+2069), its own isolates
balanced first. Text without them is left as it is (the usual case: nothing changes).
"""

from __future__ import annotations

import re

FSI = "\u2068"
PDI = "\u2069"
_OPENERS = "\u2066\u2067\u2068"  # LRI, RLI, FSI
# LRE, RLE, PDF, LRO, RLO and the isolates: what can reach past the text it was typed in.
_CONTROLS = re.compile("[\u202a-\u202e\u2066-\u2069]")


def isolate(text: str) -> str:
    """``text`` as is when it has no embedding, override or isolate control; otherwise wrapped in
    FSI … PDI, with a PDI that closes nothing of its own dropped (it would close the wrapper) and
    each isolate it leaves open closed before the wrapper's PDI."""
    if not _CONTROLS.search(text):
        return text
    kept: list[str] = []
    depth = 0
    for char in text:
        if char in _OPENERS:
            depth += 1
        elif char == PDI:
            if depth == 0:
                continue
            depth -= 1
        kept.append(char)
    return f"{FSI}{''.join(kept)}{PDI * depth}{PDI}"
