"""Markdown → .docx with python-docx, from markdown-it-py's token stream: headings, paragraphs
(bold, italic, code, line breaks), bullet and numbered lists, tables, rules and PNG images given
as ``data:`` URIs (a trend chart). Enough for a report; anything else falls back to its text.

Word picks a font per script: the East Asian font is set on the styles (``w:eastAsia``), else
Chinese text shows in whatever the reader's Word substitutes.
"""

from __future__ import annotations

import base64
import io
from collections.abc import Sequence

from docx import Document
from docx.document import Document as DocumentObject
from docx.oxml.ns import qn
from docx.shared import Inches, Pt
from docx.table import Table
from docx.text.paragraph import Paragraph
from markdown_it import MarkdownIt
from markdown_it.token import Token

from teamassist.documents.fonts import CJK_FONT

_MARKDOWN = MarkdownIt("commonmark", {"html": False}).enable("table")
_PNG_URI = "data:image/png;base64,"


def _set_fonts(document: DocumentObject) -> None:
    for name in ("Normal", "Heading 1", "Heading 2", "Heading 3", "List Bullet", "List Number"):
        style = document.styles[name]
        style.font.name = CJK_FONT
        r_pr = style.element.get_or_add_rPr()
        fonts = r_pr.find(qn("w:rFonts"))
        if fonts is None:
            fonts = r_pr.makeelement(qn("w:rFonts"), {})
            r_pr.append(fonts)
        fonts.set(qn("w:eastAsia"), CJK_FONT)
    document.styles["Normal"].font.size = Pt(10.5)


def _inline(paragraph: Paragraph, children: Sequence[Token]) -> None:
    bold = italic = False
    for token in children:
        if token.type == "strong_open":
            bold = True
        elif token.type == "strong_close":
            bold = False
        elif token.type == "em_open":
            italic = True
        elif token.type == "em_close":
            italic = False
        elif token.type in ("softbreak", "hardbreak"):
            paragraph.add_run().add_break()
        elif token.type == "image":
            src = str(token.attrs.get("src", ""))
            if src.startswith(_PNG_URI):
                data = base64.b64decode(src[len(_PNG_URI) :])
                paragraph.add_run().add_picture(io.BytesIO(data), width=Inches(6))
            else:
                paragraph.add_run(token.content)
        elif token.type in ("text", "code_inline"):
            run = paragraph.add_run(token.content)
            run.bold = bold or None
            run.italic = italic or None
        elif token.children:
            _inline(paragraph, token.children)


def _table(document: DocumentObject, tokens: Sequence[Token], at: int) -> int:
    """Write the table starting at ``tokens[at]``; return the index after its close."""
    rows: list[list[Sequence[Token]]] = []
    i = at + 1
    while tokens[i].type != "table_close":
        token = tokens[i]
        if token.type == "tr_open":
            rows.append([])
        elif token.type == "inline":
            rows[-1].append(token.children or [])
        i += 1
    width = max((len(r) for r in rows), default=0)
    if rows and width:
        table: Table = document.add_table(rows=len(rows), cols=width)
        table.style = "Table Grid"
        # Row by row: ``table.cell(r, c)`` walks every cell of the table on each call, which
        # made a 50-person pack's tables quadratic (benchmarks/report_pack.py).
        for r, (row, table_row) in enumerate(zip(rows, table.rows, strict=True)):
            for children, cell in zip(row, table_row.cells, strict=False):
                paragraph = cell.paragraphs[0]
                _inline(paragraph, children)
                if r == 0:
                    for run in paragraph.runs:
                        run.bold = True
    return i + 1


def markdown_to_docx(markdown: str, *, title: str) -> bytes:
    """The .docx of ``markdown`` (``title`` goes in the document's properties)."""
    document = Document()
    _set_fonts(document)
    document.core_properties.title = title
    tokens = _MARKDOWN.parse(markdown)
    lists: list[str] = []  # the open lists' styles, innermost last
    i = 0
    while i < len(tokens):
        token = tokens[i]
        kind = token.type
        if kind == "table_open":
            i = _table(document, tokens, i)
            continue
        if kind == "bullet_list_open":
            lists.append("List Bullet")
        elif kind == "ordered_list_open":
            lists.append("List Number")
        elif kind in ("bullet_list_close", "ordered_list_close"):
            lists.pop()
        elif kind == "heading_open":
            level = min(int(token.tag[1]), 3)
            heading = document.add_heading(level=level)
            _inline(heading, tokens[i + 1].children or [])
            i += 3
            continue
        elif kind == "inline":
            style = lists[-1] if lists else None
            _inline(document.add_paragraph(style=style), token.children or [])
        elif kind in ("fence", "code_block"):
            document.add_paragraph(token.content.rstrip("\n"))
        elif kind == "hr":
            document.add_paragraph("—" * 20)
        i += 1
    buffer = io.BytesIO()
    document.save(buffer)
    return buffer.getvalue()
