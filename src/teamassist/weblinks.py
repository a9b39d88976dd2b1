"""Links people type that the product later shows as links: only whole ``http(s)`` URLs.

A link shown in a page becomes an ``href``, where HTML escaping does not help: a stored
``javascript:…`` runs on a click (tester s23 F9, a 1on1's video link). A link put into a chat
reply is Markdown on Feishu cards and WeCom: ``https://x/[点这里](javascript:…)`` carried a whole
Markdown link of another scheme there (tester s23 report 2 F11). So every stored link is checked
when it is written (:func:`require_web_link`), every template renders a link only if it still is
one (:func:`web_href`), and a chat message shows a stored value that is no link as user text
(:func:`chat_link`), for rows written before the check.
"""

from __future__ import annotations

import re
from urllib.parse import urlsplit

from teamassist.chat.types import user_text
from teamassist.exceptions import Invalid

# Characters no link here may hold: they end or open Markdown links, code and HTML attributes
# and tags (``" ' < > [ ] ( ) ` \``), or are not allowed unencoded in a URL at all (RFC 3986
# §2: ``{ } | ^``; encode them as %XX). An IPv6 literal's brackets are refused with them.
_UNSAFE = frozenset("\"'<>[]()`\\{}|^")
# A host name: labels of letters (any script: IDN), digits, "-" and "_", joined by dots.
_HOST = re.compile(r"[^\W_](?:[\w-]*[^\W_])?(?:\.[^\W_](?:[\w-]*[^\W_])?)*\.?")


def is_web_link(value: str) -> bool:
    """Whether ``value`` is one whole link that parses (:func:`urllib.parse.urlsplit`) with the
    scheme ``http`` or ``https``, a host name, a valid port if any and no user name, and holds
    no space, control character or one of ``_UNSAFE``."""
    if not value or any(c in _UNSAFE or c.isspace() or not c.isprintable() for c in value):
        return False
    if not value[:8].lower().startswith(("http://", "https://")):
        return False  # "https:x" parses with that scheme and no host: no link either
    try:
        parts = urlsplit(value)
        _ = parts.port  # a port of letters or past 65535 raises ValueError here
    except ValueError:
        return False
    if "@" in parts.netloc:  # https://bank.example@evil.example reads as the bank's
        return False
    return parts.hostname is not None and _HOST.fullmatch(parts.hostname) is not None


def require_web_link(value: str) -> str:
    """``value`` stripped; the empty text (no link) passes. Raises :class:`Invalid`
    ``core.error.bad_link`` for anything that is not one http(s) link (``javascript:…``,
    ``ftp://…``, text with spaces, quotes or brackets); nothing is stored then."""
    value = value.strip()
    if value and not is_web_link(value):
        raise Invalid("core.error.bad_link", link=value[:60])
    return value


def web_href(value: str | None) -> str:
    """``value`` when it is an http(s) link, else the empty text: templates write
    ``{% if web_href(url) %}<a href="{{ web_href(url) }}">`` and show anything else as text."""
    return value if value and is_web_link(value) else ""


def chat_link(value: str) -> str:
    """A stored link for a chat reply's body: as written when it is a link (it can open no
    markup), else marked as user text, which every renderer shows literally."""
    return value if is_web_link(value) else user_text(value)
