"""Links people type that the product later shows as links: only ``http://`` and ``https://``.

A link shown in a page becomes an ``href``, where HTML escaping does not help: a stored
``javascript:…`` runs on a click (tester s23 F9, a 1on1's video link). So every stored link is
checked when it is written (:func:`require_web_link`) and every template renders a link only
if it still is one (:func:`web_href`), for rows written before the check.
"""

from __future__ import annotations

import re

from teamassist.exceptions import Invalid

# A whole http(s) URL: scheme, a host, no spaces or control characters (RFC 3986 §3's
# scheme://authority, loosely: the browser resolves the rest).
_WEB_LINK = re.compile(r"https?://[^\s/?#\x00-\x1f\x7f]+[^\s\x00-\x1f\x7f]*", re.IGNORECASE)


def is_web_link(value: str) -> bool:
    """Whether ``value`` is one whole ``http://`` or ``https://`` link."""
    return _WEB_LINK.fullmatch(value) is not None


def require_web_link(value: str) -> str:
    """``value`` stripped; the empty text (no link) passes. Raises :class:`Invalid`
    ``core.error.bad_link`` for anything that is not one http(s) link (``javascript:…``,
    ``ftp://…``, text with spaces); nothing is stored then."""
    value = value.strip()
    if value and not is_web_link(value):
        raise Invalid("core.error.bad_link", link=value[:60])
    return value


def web_href(value: str | None) -> str:
    """``value`` when it is an http(s) link, else the empty text: templates write
    ``{% if web_href(url) %}<a href="{{ web_href(url) }}">`` and show anything else as text."""
    return value if value and is_web_link(value) else ""
