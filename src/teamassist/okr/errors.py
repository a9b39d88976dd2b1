"""The OKR desk's own error kind: input that is well-formed but breaks a rule (422 in REST)."""

from __future__ import annotations

from teamassist.exceptions import DomainError


class Invalid(DomainError):
    """The request is understood but its values break an OKR rule (weights, scores, values)."""

    status_code = 422
