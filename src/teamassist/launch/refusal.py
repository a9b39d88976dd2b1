"""A start's refusal or warning: one line on stderr, coloured on a terminal, and an exit code.

Typer's ``secho`` did this for the command line; ``serve`` starts without Typer, and the
command line uses these too, so a refusal reads the same on both paths (plain when the stream
is not a terminal, as ``secho`` left it).
"""

from __future__ import annotations

import sys
from typing import Literal, NoReturn

Colour = Literal["red", "yellow", "green"]

# ANSI SGR foreground codes, the ones click's ``style`` writes for these names.
_CODES: dict[Colour, int] = {"red": 31, "green": 32, "yellow": 33}


def say(message: str, colour: Colour, *, err: bool = True) -> None:
    """Print ``message`` on stderr (stdout when ``err`` is false), in ``colour`` on a terminal."""
    stream = sys.stderr if err else sys.stdout
    if stream.isatty():
        message = f"\x1b[{_CODES[colour]}m{message}\x1b[0m"
    print(message, file=stream, flush=True)


def fail(message: str, code: int = 1) -> NoReturn:
    """Print a refusal on stderr and stop with ``code`` (:class:`SystemExit`, which the command
    line and a plain script end on alike)."""
    say(message, "red")
    raise SystemExit(code)
