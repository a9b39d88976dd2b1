"""Jinja2 templates that produce Markdown, in the sandbox.

Templates are user-editable (a team's own report text), so they run in Jinja2's
:class:`~jinja2.sandbox.SandboxedEnvironment` with ``StrictUndefined``: a typo in a field name
fails when the template is saved, not in front of the meeting. Each calling package keeps its
partials in ``<package>/sources/*.j2``; ``{% include %}`` finds them there.
"""

from __future__ import annotations

from collections.abc import Mapping
from functools import cache
from typing import Any

from jinja2 import PackageLoader, StrictUndefined, TemplateError
from jinja2.sandbox import SandboxedEnvironment

from teamassist.exceptions import Invalid


def _cell(value: object) -> str:
    """A value safe inside a Markdown table cell (no pipe, no line break)."""
    return str(value).replace("|", "｜").replace("\r", " ").replace("\n", " ").strip()


def _pct(value: object) -> str:
    """0.425 → ``43%`` (None → ``—``)."""
    if value is None:
        return "—"
    return f"{round(float(value) * 100)}%"  # type: ignore[arg-type]


@cache
def environment(package: str) -> SandboxedEnvironment:
    """The sandbox whose ``{% include %}`` finds ``<package>/sources/*.j2`` (the partials),
    with the filters ``cell`` (a value safe in a table cell) and ``pct`` (0.425 → ``43%``).
    One per package, cached."""
    env = SandboxedEnvironment(
        loader=PackageLoader(package, "sources"),
        undefined=StrictUndefined,
        autoescape=False,  # Markdown, not HTML: the HTML step escapes
        trim_blocks=True,
        lstrip_blocks=True,
        keep_trailing_newline=True,
    )
    env.filters["cell"] = _cell
    env.filters["pct"] = _pct
    return env


def default_source(name: str, *, package: str) -> str:
    """The text of ``<package>/sources/<name>`` (a default template)."""
    env = environment(package)
    assert env.loader is not None
    text, _path, _uptodate = env.loader.get_source(env, name)
    return text


def render_markdown(
    source: str,
    context: Mapping[str, Any],
    *,
    package: str,
    error_key: str = "documents.error.template",
) -> str:
    """The template ``source`` rendered with ``context`` (plain values); ``{% include %}``
    reads the partials of ``package``.

    Raises :class:`teamassist.exceptions.Invalid` (``error_key``, with ``line`` and the
    engine's message as ``detail``) when the text is not a template or uses a missing field;
    a domain passes its own catalogue key to word it for its users."""
    try:
        return environment(package).from_string(source).render(**context)
    except Exception as error:
        line = (getattr(error, "lineno", None) if isinstance(error, TemplateError) else None) or "?"
        raise Invalid(error_key, line=line, detail=str(error)) from error
