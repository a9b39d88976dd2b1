"""The ``teamassist`` script (and ``python -m teamassist``): ``serve`` straight, the rest through
the Typer command line.

A server starts once per deploy and restart, and is judged by its time to the first answer
(issue 9: within 1.5× of a bare FastAPI app). Typer, its vendored click and the eleven command
modules cost 0.10-0.14 s of CPU before the first line of ``serve`` ran (in-process, 2 runs at
load 3, 2026-12-03; ~1.45 s in all): a plain ``serve [--host H] [--port P]`` therefore goes to
:func:`teamassist.launch.server.serve` without them. Anything else (``--help``, another command,
an option spelt in a way only Typer reads, a port that is not a number) is Typer's, which calls
the same function for ``serve``.
"""

from __future__ import annotations

import sys
from collections.abc import Sequence

_SERVE_OPTIONS = ("--host", "--port")


def main() -> None:
    """Run the command line of ``sys.argv``; exits with the command's code."""
    plain = plain_serve(sys.argv[1:])
    if plain is not None:
        from teamassist.launch.server import serve

        host, port = plain
        serve(host, port)
        return
    from teamassist.cli import app

    app()


def plain_serve(args: Sequence[str]) -> tuple[str | None, int | None] | None:
    """The ``(host, port)`` of ``serve`` with at most one ``--host`` and one ``--port``
    (``--port 8000`` or ``--port=8000``; None when not given), or None for any other command
    line, left to Typer."""
    if not args or args[0] != "serve":
        return None
    given: dict[str, str] = {}
    rest = list(args[1:])
    while rest:
        name, equals, value = rest.pop(0).partition("=")
        if name not in _SERVE_OPTIONS or name in given:
            return None
        if not equals:
            if not rest:
                return None
            value = rest.pop(0)
        if value.startswith("-"):
            return None
        given[name] = value
    port = given.get("--port")
    if port is not None and not (port.isascii() and port.isdigit()):
        return None
    return given.get("--host"), int(port) if port is not None else None


if __name__ == "__main__":
    main()
