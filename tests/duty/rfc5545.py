"""A validator of whole iCalendar files over their raw bytes (RFC 5545 §3.1, §3.3.11), so a test
checks every line a generator writes, not property by property."""

from __future__ import annotations

import re

# Properties whose value type is TEXT (escaped: backslash, semicolon, comma, newline).
TEXT_PROPERTIES = {
    "CATEGORIES",
    "COMMENT",
    "DESCRIPTION",
    "LOCATION",
    "PRODID",
    "RESOURCES",
    "SUMMARY",
    "UID",
    "X-WR-CALDESC",
    "X-WR-CALNAME",
    "X-WR-TIMEZONE",
}
LIST_PROPERTIES = {"CATEGORIES", "RESOURCES"}  # a comma separates values there
_NAME = r"[A-Za-z0-9-]+"
_PARAM = rf';{_NAME}=(?:"[^"\x00-\x08\x0a-\x1f\x7f]*"|[^";:,\x00-\x08\x0a-\x1f\x7f]*)'
_LINE = re.compile(rf"(?P<name>{_NAME})(?:{_PARAM})*:(?P<value>.*)", re.DOTALL)
_CONTROL = re.compile(r"[\x00-\x08\x0a-\x1f\x7f]")


def problems(raw: bytes) -> list[str]:
    """Everything in ``raw`` that breaks RFC 5545's content-line rules (empty: valid)."""
    found: list[str] = []
    if not raw.endswith(b"\r\n"):
        found.append("the file does not end with CRLF")
    physical = raw.split(b"\r\n")
    if physical and physical[-1] == b"":
        physical.pop()
    logical: list[bytes] = []
    for number, line in enumerate(physical, 1):
        if b"\r" in line or b"\n" in line:
            found.append(f"line {number}: a bare CR or LF")
        if len(line) > 75:
            found.append(f"line {number}: {len(line)} octets (more than 75)")
        try:
            line.decode("utf-8")
        except UnicodeDecodeError:
            found.append(f"line {number}: not UTF-8 on its own (a character split by folding)")
        if line[:1] in (b" ", b"\t"):
            if not logical:
                found.append(f"line {number}: a continuation with nothing to continue")
                continue
            logical[-1] += line[1:]
        else:
            logical.append(line)
    depth: list[str] = []
    for line in logical:
        text = line.decode("utf-8", errors="replace")
        match = _LINE.fullmatch(text)
        if match is None:
            found.append(f"not a content line: {text[:60]!r}")
            continue
        name, value = match["name"].upper(), match["value"]
        if _CONTROL.search(value):
            found.append(f"{name}: a control character in the value")
        if name == "BEGIN":
            depth.append(value)
        elif name == "END" and (not depth or depth.pop() != value):
            found.append(f"END:{value} without its BEGIN")
        if name in TEXT_PROPERTIES:
            found += _text_problems(name, value)
    if depth:
        found.append(f"not ended: {depth}")
    return found


def _text_problems(name: str, value: str) -> list[str]:
    found: list[str] = []
    index = 0
    while index < len(value):
        char = value[index]
        if char == "\\":
            following = value[index + 1 : index + 2]
            if following not in ("\\", ";", ",", "n", "N"):
                found.append(f"{name}: a backslash escapes {following!r}")
            index += 2
            continue
        if char == ";" or (char == "," and name not in LIST_PROPERTIES):
            found.append(f"{name}: an unescaped {char!r}")
        index += 1
    return found
