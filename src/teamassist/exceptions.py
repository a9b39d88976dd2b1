"""Errors that carry a catalogue key, so every layer can turn them into a friendly reply."""

from __future__ import annotations

from typing import Any


class DomainError(Exception):
    """A rule of the domain said no; ``key`` names the catalogue message shown to the user."""

    status_code = 400

    def __init__(self, key: str, **params: Any) -> None:
        super().__init__(key)
        self.key = key
        self.params = params

    def message(self) -> str:
        """Render the user-facing text from the catalogue. Text parameters (what the user typed:
        a name, a word) keep their direction controls inside them (:func:`teamassist.bidi.isolate`):
        a REST owner holding U+202E made the rest of the message read backwards."""
        from teamassist.bidi import isolate
        from teamassist.i18n import t

        params = {k: isolate(v) if isinstance(v, str) else v for k, v in self.params.items()}
        return t(self.key, **params)


class NotFound(DomainError):
    """The thing asked for does not exist in this workspace."""

    status_code = 404


class PermissionDenied(DomainError):
    """The member lacks the role a command or endpoint needs."""

    status_code = 403


class Conflict(DomainError):
    """The change collides with the current state (already done, overlapping, ...)."""

    status_code = 409


class Invalid(DomainError):
    """A value the user gave cannot be used (out of range, malformed): 422, nothing changed."""

    status_code = 422
