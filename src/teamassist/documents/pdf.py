"""Markdown → HTML (markdown-it-py, CommonMark with tables, raw HTML off) → PDF (WeasyPrint, A4,
CJK fonts named in the print CSS).

WeasyPrint needs pango from the system; without it :func:`html_to_pdf` raises
:class:`RenderUnavailable`, and a download route answers 503 with :class:`PdfUnavailable`
instead of a 500 (the .md and .docx still work).
"""

from __future__ import annotations

from html import escape

from teamassist import markdown as markdown_text
from teamassist.exceptions import DomainError

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


def markdown_to_html(markdown: str, *, title: str) -> str:
    """A complete HTML page of ``markdown`` with the print CSS (CJK fonts named)."""
    body = markdown_text.to_html(markdown)
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
        from weasyprint import HTML, URLFetcher  # imported here: loading pango takes ~0.3 s
    except OSError as error:  # cffi could not dlopen pango
        raise RenderUnavailable(str(error)) from error
    # Nothing is loaded from anywhere but the page itself: a member's Markdown image
    # (``![x](http://169.254.169.254/…)``, ``file:///…``) made the server fetch any URL and
    # put the answer in the PDF (tester s29 F-1, SSRF). ``data:`` URIs (the trend chart) stay.
    fetcher = URLFetcher(allowed_protocols={"data"}, allow_redirects=False)
    pdf = HTML(string=html, url_fetcher=fetcher).write_pdf()
    assert isinstance(pdf, bytes)
    return pdf


def markdown_to_pdf(markdown: str, *, title: str) -> bytes:
    """The PDF of ``markdown`` (see :func:`html_to_pdf` for what it raises)."""
    return html_to_pdf(markdown_to_html(markdown, title=title))


class PdfUnavailable(DomainError):
    """A user-facing 503: PDF rendering is not possible on this server. Raise it from a
    download route with your catalogue key (default ``documents.error.pdf_unavailable``)."""

    status_code = 503


def pdf_or_503(
    markdown: str, *, title: str, error_key: str = "documents.error.pdf_unavailable"
) -> bytes:
    """:func:`markdown_to_pdf`, raising :class:`PdfUnavailable` (``error_key``, HTTP 503)
    when WeasyPrint cannot run here."""
    try:
        return markdown_to_pdf(markdown, title=title)
    except RenderUnavailable as error:
        raise PdfUnavailable(error_key) from error
