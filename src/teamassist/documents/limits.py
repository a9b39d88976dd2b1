"""The limits of one render of a team-editable template (the general cap), installed once per
process from the settings (``[documents]``) by the bootstrap; :mod:`teamassist.documents.sandbox`
reads them when it starts its workers. Plain values only: a start imports this, not the pool."""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True)
class RenderLimits:
    """How team-editable templates render: in up to ``workers`` processes (one owner, such as
    a team, in at most ``workers - 1`` of them when there are two or more), each allowed
    ``memory_mib`` MiB over its own start, ``seconds`` of wall time per document and
    ``batch_seconds`` for all the documents of one call; a template tried before it is saved
    gets ``save_seconds`` of CPU time per document. A render that runs longer than
    ``heavy_seconds`` is heavy, and its owner for ``heavy_for`` seconds after it ends: heavy
    renders take at most ``workers - 1`` places together (``sandbox.Pool``). The default
    templates render a 50-member pack in ~0.1 s. A document converted to .pdf or .docx (in
    a child of the same host, in a place as a render) gets ``convert_seconds`` of CPU time and
    ``convert_memory_mib`` MiB over the host's mappings: WeasyPrint maps ~250 MiB more for a
    500-row table (3.4 s of CPU, at load), a 50-row one 0.3 s."""

    workers: int = 2
    memory_mib: int = 256
    seconds: float = 5.0
    batch_seconds: float = 30.0
    save_seconds: float = 1.0
    heavy_seconds: float = 2.0
    heavy_for: float = 600.0
    convert_seconds: float = 30.0
    convert_memory_mib: int = 1024

    @property
    def share(self) -> int:
        """The renders one owner may run at once: all but one place, so another owner always
        finds one (all of them when there is only one)."""
        return max(1, self.workers - 1)


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
