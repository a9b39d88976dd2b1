"""Keep secrets out of log lines: one record factory, installed at start-up, redacts every record.

What is redacted, in the message template, in each argument and in the formatted traceback:

- every secret value of the settings (API token, session key, platform secrets, WeCom robot keys),
- token-shaped URL parts: calendar feed paths ``/ical/<token>.ics``, sign-in links
  ``/auth/link/<token>``, query parameters named like
  a credential (``key=``, ``token=``, ``access_token=``, ``secret=``, ``sig=``, ``code=`` …),
- ``Authorization: Bearer …`` values.

A record factory (not a handler filter) so that it covers every logger and every handler —
uvicorn's access log included, which installs its own handlers after start-up.
"""

from __future__ import annotations

import logging
import re
import threading
from collections.abc import Iterable, Iterator
from typing import Any

from pydantic import BaseModel, SecretStr

MASK = "***"
# Shorter values would redact ordinary words; real secrets are far longer.
MIN_SECRET_LENGTH = 8

_PATTERNS: tuple[tuple[re.Pattern[str], str], ...] = (
    (re.compile(r"(/ical/)[^/\s?\"']+(\.ics)"), rf"\g<1>{MASK}\g<2>"),
    # single-use sign-in links (``/登录``): the token in the path is the credential
    (re.compile(r"(/auth/link/)[^/\s?\"'#)]+"), rf"\g<1>{MASK}"),
    (
        re.compile(
            r"(?i)([?&;](?:key|token|access_token|refresh_token|api_key|apikey|secret|"
            r"client_secret|app_secret|sig|signature|password|code|ticket)=)[^&\s\"'#]+"
        ),
        rf"\g<1>{MASK}",
    ),
    (re.compile(r"(?i)(bearer\s+)[A-Za-z0-9._~+/=-]+"), rf"\g<1>{MASK}"),
)

_lock = threading.Lock()
_secrets: set[str] = set()
_installed = False


def secret_values(model: BaseModel) -> Iterator[str]:
    """Every ``SecretStr`` value in a settings tree (nested models, dicts and lists)."""

    def walk(value: Any) -> Iterator[str]:
        if isinstance(value, SecretStr):
            yield value.get_secret_value()
        elif isinstance(value, BaseModel):
            for name in type(value).model_fields:
                yield from walk(getattr(value, name))
        elif isinstance(value, dict):
            for item in value.values():
                yield from walk(item)
        elif isinstance(value, list | tuple):
            for item in value:
                yield from walk(item)

    yield from walk(model)


def settings_secrets(settings: BaseModel) -> list[str]:
    """The secrets of a ``Settings``: every SecretStr and the database URL's password."""
    found = list(secret_values(settings))
    database = getattr(settings, "database", None)
    if database is not None:
        from sqlalchemy.engine import make_url

        try:
            password = make_url(database.url).password
        except Exception:  # an unparsable URL fails later, with its own message
            password = None
        if password:
            found.append(str(password))
    return found


def redact(text: str) -> str:
    """``text`` with every known secret and token-shaped part masked."""
    for secret in sorted(_secrets, key=len, reverse=True):
        if secret in text:
            text = text.replace(secret, MASK)
    for pattern, replacement in _PATTERNS:
        text = pattern.sub(replacement, text)
    return text


def _redact_arg(value: Any) -> Any:
    if isinstance(value, int | float) or value is None:
        return value  # keeps %d and %f working
    text = str(value)
    cleaned = redact(text)
    return value if cleaned == text else cleaned


def _clean(record: logging.LogRecord) -> None:
    if isinstance(record.msg, str):
        record.msg = redact(record.msg)
    if isinstance(record.args, tuple):
        record.args = tuple(_redact_arg(a) for a in record.args)
    elif isinstance(record.args, dict):
        record.args = {k: _redact_arg(v) for k, v in record.args.items()}
    if record.exc_info and record.exc_info[0] is not None:
        # Formatters use a pre-set exc_text instead of formatting the traceback again.
        record.exc_text = redact(logging.Formatter().formatException(record.exc_info))


def install(secrets: Iterable[str] = ()) -> None:
    """Redact every log record from now on; ``secrets`` adds known values (idempotent)."""
    global _installed
    with _lock:
        _secrets.update(s for s in secrets if s and len(s) >= MIN_SECRET_LENGTH)
        if _installed:
            return
        factory = logging.getLogRecordFactory()

        def redacting_factory(*args: Any, **kwargs: Any) -> logging.LogRecord:
            record = factory(*args, **kwargs)
            _clean(record)
            return record

        logging.setLogRecordFactory(redacting_factory)
        _installed = True
