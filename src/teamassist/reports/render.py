"""One template source, three documents: a Jinja2 template renders Markdown; the Markdown
becomes HTML (markdown-it-py) and a PDF (WeasyPrint), and a .docx (python-docx, in
:mod:`teamassist.reports.docx`). Generic: any report (a meeting's pack, a 360 summary) passes
its template text and a context of plain values.

Templates are user-editable, so they run in Jinja2's sandbox with ``StrictUndefined`` (a typo
in a field name fails when the template is saved, not in front of the meeting).
"""

from __future__ import annotations

from collections.abc import Mapping
from functools import cache
from html import escape
from typing import Any

from jinja2 import PackageLoader, StrictUndefined, TemplateError
from jinja2.sandbox import SandboxedEnvironment
from markdown_it import MarkdownIt

from teamassist.exceptions import Invalid

# fonts-noto-cjk (Debian) ships these families; WeasyPrint finds them through fontconfig. Named
# explicitly: without a CJK family first, pango may pick a Latin font and draw tofu boxes.
CJK_FONTS = '"Noto Sans CJK SC", "Noto Sans SC", "Source Han Sans SC", "WenQuanYi Micro Hei"'

_CSS = f"""
@page {{ size: A4; margin: 18mm 16mm; }}
body {{ font-family: {CJK_FONTS}, sans-serif; font-size: 10.5pt; line-height: 1.5; }}
h1 {{ font-size: 18pt; margin: 0 0 6pt; }}
h2 {{ font-size: 14pt; margin: 14pt 0 4pt; border-bottom: 1px solid #ccc; }}
h3 {{ font-size: 12pt; margin: 10pt 0 3pt; }}
table {{ border-collapse: collapse; width: 100%; margin: 4pt 0; }}
th, td {{ border: 1px solid #bbb; padding: 2pt 4pt; text-align: left; vertical-align: top; }}
th {{ background: #f2f2f2; }}
img {{ max-width: 100%; }}
"""


def _cell(value: object) -> str:
    """A value safe inside a Markdown table cell (no pipe, no line break)."""
    return str(value).replace("|", "｜").replace("\r", " ").replace("\n", " ").strip()


def _pct(value: object) -> str:
    """0.425 → ``43%`` (None → ``—``)."""
    if value is None:
        return "—"
    return f"{round(float(value) * 100)}%"  # type: ignore[arg-type]


@cache
def _environment(package: str) -> SandboxedEnvironment:
    """The sandbox whose ``{% include %}`` finds ``<package>/sources/*.j2`` (the partials)."""
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


def default_source(name: str, package: str = "teamassist.reports") -> str:
    """The text of ``<package>/sources/<name>`` (a default template)."""
    loader = _environment(package).loader
    assert loader is not None
    text, _path, _uptodate = loader.get_source(_environment(package), name)
    return text


def render_markdown(
    source: str, context: Mapping[str, Any], *, package: str = "teamassist.reports"
) -> str:
    """The template ``source`` rendered with ``context``; ``{% include %}`` reads the
    partials of ``package`` (another domain's report passes its own).

    Raises :class:`teamassist.exceptions.Invalid` (``reports.error.template``, with the line and
    the engine's message) when the text is not a template or uses a missing field."""
    try:
        return _environment(package).from_string(source).render(**context)
    except Exception as error:
        line = (getattr(error, "lineno", None) if isinstance(error, TemplateError) else None) or "?"
        raise Invalid("reports.error.template", line=line, detail=str(error)) from error


_MARKDOWN = MarkdownIt("commonmark", {"html": False}).enable("table")


def markdown_to_html(markdown: str, *, title: str) -> str:
    """A complete HTML page of ``markdown`` with the print CSS (CJK fonts named)."""
    body = _MARKDOWN.render(markdown)
    return (
        '<!doctype html><html lang="zh-CN"><head><meta charset="utf-8">'
        f"<title>{escape(title)}</title><style>{_CSS}</style></head>"
        f"<body>{body}</body></html>"
    )


class RenderUnavailable(Exception):
    """PDF rendering cannot run here (WeasyPrint's system libraries are missing)."""


def html_to_pdf(html: str) -> bytes:
    """The PDF of an HTML page (A4).

    Raises :class:`RenderUnavailable` when WeasyPrint cannot load pango (Debian:
    ``apt-get install libpango-1.0-0 libpangoft2-1.0-0``; ``make run`` installs no system
    packages, so a bare machine serves .md and .docx and says why the PDF is missing)."""
    try:
        from weasyprint import HTML  # imported here: loading pango takes ~0.3 s
    except OSError as error:  # cffi could not dlopen pango
        raise RenderUnavailable(str(error)) from error
    pdf = HTML(string=html).write_pdf()
    assert isinstance(pdf, bytes)
    return pdf


def markdown_to_pdf(markdown: str, *, title: str) -> bytes:
    """The PDF of ``markdown`` (see :func:`html_to_pdf` for what it raises)."""
    return html_to_pdf(markdown_to_html(markdown, title=title))
