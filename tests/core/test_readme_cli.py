"""The README's command-line table lists exactly the commands `teamassist` has."""

from __future__ import annotations

import re
from pathlib import Path
from typing import Any

import typer

from teamassist.cli import app

README = Path(__file__).resolve().parents[2] / "README.md"


def _commands(group: Any, prefix: str = "") -> set[str]:
    """Every leaf command of a (Typer's own click) group, as typed after ``teamassist``."""
    found: set[str] = set()
    for name, command in group.commands.items():
        if hasattr(command, "commands"):
            found |= _commands(command, f"{prefix}{name} ")
        else:
            found.add(f"{prefix}{name}")
    return found


def test_readme_lists_every_cli_command_and_no_other() -> None:
    text = README.read_text("utf-8")
    section = text[text.index("### Command line") : text.index("## What it does")]
    listed = set(re.findall(r"^\| `teamassist ([a-z][a-z -]*[a-z])`", section, re.MULTILINE))
    cli = _commands(typer.main.get_command(app))
    assert "workspace delete" in cli and "init" in cli
    assert listed == cli
