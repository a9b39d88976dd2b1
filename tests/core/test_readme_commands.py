"""The README names real commands: every /word in its "What it does" table is registered."""

from __future__ import annotations

import re
from pathlib import Path

from teamassist.bootstrap import DOMAINS
from teamassist.chat.registry import Registry

README = Path(__file__).resolve().parents[2] / "README.md"


def test_readme_commands_exist() -> None:
    text = README.read_text("utf-8")
    section = text[text.index("## What it does") : text.index("## Configuration")]
    words = set(re.findall(r"`/([^\s`<]+)", section))
    registry = Registry(modules=[m for d in DOMAINS for m in d.commands])
    assert words, "the README lists no commands"
    assert sorted(w for w in words if registry.get(w) is None) == []
