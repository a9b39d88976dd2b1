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
        """Render the user-facing text from the catalogue."""
        from teamassist.i18n import t

        return t(self.key, **self.params)


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
