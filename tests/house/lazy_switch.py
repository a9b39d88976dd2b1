"""Knobs and a count for ``lazy_probe`` that outlive its re-imports."""

from __future__ import annotations

imports = 0  # how often lazy_probe's body ran
fail = False  # make its import raise
delay = 0.0  # seconds its import takes
