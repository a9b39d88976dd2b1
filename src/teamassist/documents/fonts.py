"""The East Asian font named on a .docx's styles, in a module of its own so ``documents.docx``
need not import the package that loads it lazily (no import cycle)."""

from __future__ import annotations

# Word substitutes a similar font where this one is missing.
CJK_FONT = "Noto Sans CJK SC"
