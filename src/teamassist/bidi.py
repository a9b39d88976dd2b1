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
import unicodedata

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


# LEFT-TO-RIGHT, RIGHT-TO-LEFT and ARABIC LETTER MARK: they only settle where neutral characters
# (spaces, punctuation, digits) go between runs of the two directions.
_MARKS = re.compile("[\u200e\u200f\u061c]")
# What runs right to left: Hebrew and Arabic letters and Arabic digits (UAX #9 classes R, AL, AN).
_RIGHT_TO_LEFT = frozenset({"R", "AL", "AN"})


def unmarked(text: str) -> str:
    """``text`` without its direction marks (LRM, RLM, ALM) when nothing in it runs right to
    left: there they change nothing on screen, yet made 「\u200f推进中」 a second check-in and
    a second 群发 (tester s26 B-1; what RTL keyboards and some copy and paste put in). Text
    with Hebrew or Arabic keeps them (they may be what places its punctuation). Overrides
    and isolates are kept: :func:`isolate` keeps them inside the text when it is shown."""
    if not _MARKS.search(text):
        return text
    bare = _MARKS.sub("", text)  # the marks themselves are of classes R and AL
    return text if any(unicodedata.bidirectional(c) in _RIGHT_TO_LEFT for c in bare) else bare


# -- pages -------------------------------------------------------------------------------------

# The controls' UTF-8 bytes: a page without any (nearly every page) is passed through after
# one search of its bytes.
_CONTROL_BYTES = re.compile(b"\xe2\x80[\xaa-\xae]|\xe2\x81[\xa6-\xa9]")
# One HTML token: a comment, a tag (quoted attribute values may hold ">"), or a run of text.
_HTML_TOKEN = re.compile(
    r"""<!--.*?-->"""
    r"""|<(/?)([A-Za-z][A-Za-z0-9-]*)((?:[^>"']|"[^"]*"|'[^']*')*)>"""
    r"""|[^<]+|<""",
    re.DOTALL,
)
# Text that is data, not shown as flowing text: script and style bodies, a textarea's value
# and an option's (sent back as typed when the option has no value attribute).
_KEEP_AS_IS = frozenset({"script", "style", "textarea", "option"})
_END_TAGS = {name: re.compile(f"</{name}", re.IGNORECASE) for name in _KEEP_AS_IS}


def has_controls(body: bytes) -> bool:
    """Whether ``body`` (UTF-8) holds an embedding, override or isolate control."""
    return _CONTROL_BYTES.search(body) is not None


def isolate_html(page: str) -> str:
    """``page`` with each run of element text that holds direction controls isolated
    (:func:`isolate`); attribute values, comments and the text of script, style, textarea and
    option elements are left as they are, so a form sends back what it was given."""
    out: list[str] = []
    at = 0
    while at < len(page):
        match = _HTML_TOKEN.match(page, at)
        assert match is not None  # the last alternative matches any single "<"
        token, at = match.group(0), match.end()
        name = (match.group(2) or "").lower()
        if name in _KEEP_AS_IS and not match.group(1) and not match.group(3).rstrip().endswith("/"):
            # Raw text up to the element's end tag, as the HTML parser reads it.
            closing = _END_TAGS[name].search(page, at)
            end = len(page) if closing is None else closing.start()
            token, at = token + page[at:end], end
        elif not token.startswith("<"):
            token = isolate(token)
        out.append(token)
    return "".join(out)
