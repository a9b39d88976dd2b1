"""Documents: one Markdown text, rendered for people to read. A core package (no domain, no
platform): the reports domain and the people-development domains (career plans, 360 summaries)
stand on it; the ``Documents`` port's built-in implementation serves what it renders.

Public API (import from ``teamassist.documents``):

* ``render_markdown(source, context, *, package, error_key="documents.error.template") -> str``:
  a user-editable Jinja2 text rendered in the sandbox (``StrictUndefined``; filters ``cell`` and
  ``pct``), ``{% include %}`` reading ``<package>/sources/*.j2``, in a worker process with a
  memory and a time limit (``documents/sandbox.py``; ``context`` holds plain values: it is
  pickled). Raises ``Invalid(error_key, line=, detail=)`` on a bad template or a missing field:
  validate a team's own text on save by rendering a sample context. With ``budget_key=`` a
  render over a budget (output size, range steps, ``*``/``**``, the worker's memory or time)
  raises ``Invalid(budget_key, detail=)`` instead, to word it apart.
  ``owner=`` (e.g. ``("team", id)``) names whose render it is: one owner takes at most all but
  one of the render places. ``trial=True`` for a template tried before it is saved (or
  previewed): each document may take ``documents.render_save_seconds`` of CPU time.
* ``render_many(source, contexts, *, package, ...) -> list[str]``: the same for several
  contexts in one worker call (a pack's per-person documents), all within
  ``documents.render_batch_seconds``; the first refusal raises.
* ``check_sample(markdown, *, error_key, budget_key)``: refuse a template whose document for
  the sample values runs over ``SAMPLE_MAX_LINES``/``SAMPLE_MAX_CHARS`` (a save calls it).
* ``stop_sandbox()``: stop the template workers (``serve``'s end); ``release_sandbox()``: the
  same unless ``hold_sandbox()`` holds them (a runtime's close: a test session holds them
  across its many runtimes).
* ``default_source(name, *, package) -> str``: the text of ``<package>/sources/<name>``.
* ``environment(package) -> SandboxedEnvironment``: that sandbox, cached per package.
* ``markdown_to_html(markdown, *, title) -> str``: a whole HTML page with the print CSS.
* ``markdown_to_pdf(markdown, *, title, owner=None) -> bytes`` (A4, WeasyPrint, CJK fonts), in
  a child of the render host under ``convert_seconds`` of CPU and ``convert_memory_mib``
  (``Invalid`` ``documents.error.convert_budget`` over them); raises ``RenderUnavailable`` when
  pango is missing. ``html_to_pdf(html) -> bytes`` likewise, in this process (our own pages
  only).
* ``pdf_or_503(markdown, *, title, error_key="documents.error.pdf_unavailable") -> bytes``:
  the same, raising ``PdfUnavailable`` (a ``DomainError``, HTTP 503 with the catalogue text)
  instead, for download routes.
* ``markdown_to_docx(markdown, *, title, owner=None) -> bytes``: a Word document (headings,
  lists, tables, ``data:image/png`` pictures), East Asian font ``CJK_FONT`` set on the styles;
  in a child of the render host as a PDF is.

* ``cached_docx(markdown, *, title)`` / ``cached_pdf_or_503(markdown, *, title, error_key=…)``:
  the same, kept per process by content hash (``RENDER_CACHE``, LRU by bytes), so a second
  download of an unchanged document renders nothing (``documents/cache.py``).

Media types for downloads: ``MARKDOWN_TYPE``, ``DOCX_TYPE``, ``PDF_TYPE``.
"""

from __future__ import annotations

import sys
import threading
from collections.abc import Hashable, Iterator, Mapping, Sequence
from contextlib import contextmanager
from typing import TYPE_CHECKING, Any

from teamassist.documents.cache import RENDER_CACHE
from teamassist.documents.fonts import CJK_FONT
from teamassist.documents.pdf import (
    CJK_FONTS,
    PdfUnavailable,
    RenderUnavailable,
    html_to_pdf,
    markdown_to_html,
)

if TYPE_CHECKING:
    from jinja2.sandbox import SandboxedEnvironment

MARKDOWN_TYPE = "text/markdown; charset=utf-8"
DOCX_TYPE = "application/vnd.openxmlformats-officedocument.wordprocessingml.document"
PDF_TYPE = "application/pdf"

__all__ = [
    "CJK_FONT",
    "CJK_FONTS",
    "DOCX_TYPE",
    "MARKDOWN_TYPE",
    "PDF_TYPE",
    "RENDER_CACHE",
    "SAMPLE_MAX_CHARS",
    "SAMPLE_MAX_LINES",
    "PdfUnavailable",
    "RenderUnavailable",
    "cached_docx",
    "cached_pdf_or_503",
    "check_sample",
    "default_source",
    "environment",
    "hold_sandbox",
    "html_to_pdf",
    "markdown_to_docx",
    "markdown_to_html",
    "markdown_to_pdf",
    "pdf_or_503",
    "release_sandbox",
    "render_many",
    "render_markdown",
    "stop_sandbox",
]


# Jinja2 (~20 modules, ~2 MiB) loads with the first document template, not when the server
# starts (issue 9): the three functions below import the sandbox on their first call.


def environment(package: str) -> SandboxedEnvironment:
    """The sandbox of ``package``'s templates (see ``documents.templating.environment``)."""
    from teamassist.documents import templating

    return templating.environment(package)


def default_source(name: str, *, package: str) -> str:
    """The text of ``<package>/sources/<name>`` (a default template)."""
    from teamassist.documents import templating

    return templating.default_source(name, package=package)


def render_markdown(
    source: str,
    context: Mapping[str, Any],
    *,
    package: str,
    error_key: str = "documents.error.template",
    budget_key: str | None = None,
    owner: Hashable = None,
    trial: bool = False,
) -> str:
    """``source`` rendered with ``context`` in the sandbox, in a worker process with a memory
    and a time limit (``documents.sandbox``); raises ``Invalid`` as
    ``documents.templating.render_here`` documents, and when a limit is passed. ``owner``:
    whose render it is (one owner takes at most all but one of the places); ``trial``: a
    template tried before it is saved, held to a CPU time per document."""
    return render_many(
        source,
        [context],
        package=package,
        error_key=error_key,
        budget_key=budget_key,
        owner=owner,
        trial=trial,
    )[0]


def render_many(
    source: str,
    contexts: Sequence[Mapping[str, Any]],
    *,
    package: str,
    error_key: str = "documents.error.template",
    budget_key: str | None = None,
    owner: Hashable = None,
    trial: bool = False,
) -> list[str]:
    """:func:`render_markdown` of each of ``contexts``, in order, in one call to one worker
    (a pack's per-person documents), all within one time limit; raises the Invalid of the
    first one refused. Asked inside a unit of work whose boundary can (a chat command, a
    REST request), it renders with no transaction open and the unit runs again
    (``documents/outside.py``)."""
    from teamassist.documents import outside

    return outside.render(
        outside.Render(
            source=source,
            contexts=list(contexts),
            package=package,
            error_key=error_key,
            budget_key=budget_key,
            owner=owner,
            trial=trial,
        )
    )


# A sample document (one person's worth of values) longer than this was made long by its
# template, not by a team's data: every pack's .pdf pays for it (WeasyPrint takes ~7 ms of CPU
# a table row; tester s28 D-9: a 5,500-row table saved, 215 s a PDF). The defaults' samples
# are 25-46 lines and under 500 characters.
SAMPLE_MAX_LINES = 1_000
SAMPLE_MAX_CHARS = 50_000


def check_sample(
    markdown: str,
    *,
    error_key: str = "documents.error.template",
    budget_key: str | None = None,
) -> None:
    """Refuse a template whose ``markdown`` for the sample values is longer than
    :data:`SAMPLE_MAX_LINES` lines or :data:`SAMPLE_MAX_CHARS` characters: ``Invalid``
    ``budget_key`` (or ``documents.error.template_unplaced``) naming the size."""
    lines = markdown.count("\n") + 1
    if lines <= SAMPLE_MAX_LINES and len(markdown) <= SAMPLE_MAX_CHARS:
        return
    from teamassist.documents import templating
    from teamassist.i18n import t

    detail = t(
        "documents.engine.budget_sample",
        lines=lines,
        chars=len(markdown),
        max_lines=SAMPLE_MAX_LINES,
        max_chars=SAMPLE_MAX_CHARS,
    )
    raise templating.refusal(None, detail, error_key=error_key, budget_key=budget_key)


def stop_sandbox() -> None:
    """Stop this process's template workers, if any started (``serve``'s end); the next
    render starts new ones."""
    sandbox = sys.modules.get("teamassist.documents.sandbox")
    if sandbox is not None:
        sandbox.shutdown()


_holds = 0  # hold_sandbox() calls not yet released
_holds_lock = threading.Lock()


@contextmanager
def hold_sandbox() -> Iterator[None]:
    """Keep the template workers across runtimes closed meanwhile (a test session builds and
    closes hundreds: starting a render host costs an interpreter, ~0.2 s of CPU)."""
    global _holds
    with _holds_lock:
        _holds += 1
    try:
        yield
    finally:
        with _holds_lock:
            _holds -= 1


def release_sandbox() -> None:
    """A runtime's close: stop the template workers (:func:`stop_sandbox`) unless
    :func:`hold_sandbox` keeps them."""
    with _holds_lock:
        if _holds:
            return
    stop_sandbox()


# The conversions run in a child of the render host, capped as a template's render is
# (tester s28 D-9: a saved template's 5,500-row table cost 215 s of server CPU per PDF and
# 17.6 s per .docx, in the server's request thread): ``documents.limits.RenderLimits``'s
# ``convert_seconds`` of CPU and ``convert_memory_mib``, in a render place (``owner``: whose).
# Over a limit: ``Invalid`` ``documents.error.convert_budget`` (422), nothing kept.


def markdown_to_docx(markdown: str, *, title: str, owner: Hashable = None) -> bytes:
    """The .docx of ``markdown`` (``title`` goes in the document's properties), converted in a
    child of the render host (python-docx and lxml load there, never in the server)."""
    from teamassist.documents import sandbox

    return sandbox.convert("docx", markdown, title=title, owner=owner)


def markdown_to_pdf(markdown: str, *, title: str, owner: Hashable = None) -> bytes:
    """The PDF of ``markdown`` (A4), converted in a child of the render host; raises
    :class:`RenderUnavailable` where WeasyPrint cannot load pango."""
    from teamassist.documents import sandbox

    return sandbox.convert("pdf", markdown, title=title, owner=owner)


def pdf_or_503(
    markdown: str,
    *,
    title: str,
    error_key: str = "documents.error.pdf_unavailable",
    owner: Hashable = None,
) -> bytes:
    """:func:`markdown_to_pdf`, raising :class:`PdfUnavailable` (``error_key``, HTTP 503)
    when WeasyPrint cannot run here."""
    try:
        return markdown_to_pdf(markdown, title=title, owner=owner)
    except RenderUnavailable as error:
        raise PdfUnavailable(error_key) from error


def cached_docx(markdown: str, *, title: str, owner: Hashable = None) -> bytes:
    """:func:`markdown_to_docx`, from ``RENDER_CACHE`` when this content was rendered."""
    return RENDER_CACHE.get_or_render(
        "docx", markdown, title, lambda: markdown_to_docx(markdown, title=title, owner=owner)
    )


def cached_pdf_or_503(
    markdown: str,
    *,
    title: str,
    error_key: str = "documents.error.pdf_unavailable",
    owner: Hashable = None,
) -> bytes:
    """:func:`pdf_or_503` (same errors), from ``RENDER_CACHE`` when this content was
    rendered."""
    return RENDER_CACHE.get_or_render(
        "pdf",
        markdown,
        title,
        lambda: pdf_or_503(markdown, title=title, error_key=error_key, owner=owner),
    )
