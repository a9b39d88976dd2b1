"""Starting a process of the install without the command line's Typer (issue 9: cold start).

What every start needs (the settings, the schema check, the runtime, a refusal on stderr) and
``serve`` itself live here: :mod:`teamassist.__main__` runs ``teamassist serve`` straight from
them, and :mod:`teamassist.cli` wraps the same functions for its commands. Typer and its command
tree cost ~0.1 s of CPU before a server's first answer (measured 2026-12-03, see
:mod:`teamassist.__main__`), and a server parses two options.
"""
