"""The limits of one render of a team-editable template (the general cap), installed once per
process from the settings (``[documents]``) by the bootstrap; :mod:`teamassist.documents.sandbox`
reads them when it starts its workers. Plain values only: a start imports this, not the pool."""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True)
class RenderLimits:
    """How team-editable templates render: in up to ``workers`` processes, each allowed
    ``memory_mib`` MiB over its own start and ``seconds`` of wall time per document."""

    workers: int = 2
    memory_mib: int = 256
    seconds: float = 5.0


_installed = RenderLimits()


def install(limits: RenderLimits) -> None:
    """Render with ``limits`` from now on: workers started under other limits are stopped (the
    next render starts new ones)."""
    global _installed
    if limits != _installed:
        _installed = limits
        import sys

        sandbox = sys.modules.get("teamassist.documents.sandbox")
        if sandbox is not None:
            sandbox.shutdown()


def current() -> RenderLimits:
    """The limits installed (the defaults until the bootstrap installs the settings')."""
    return _installed
