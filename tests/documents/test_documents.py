"""The core document renderer: sandboxed templates, PDF (and its 503 without pango), .docx."""

from __future__ import annotations

import base64
import http.server
import io
import sys
import threading
import time
from datetime import date

import pytest
from docx import Document
from pypdf import PdfReader

from teamassist import documents
from teamassist.documents import pdf, render_markdown, sandbox
from teamassist.exceptions import Invalid
from teamassist.reports import chart
from tests.support.documents import PangoMissing

REPORTS = "teamassist.reports"  # a package with sources/ partials


def test_template_renders_with_filters_and_the_packages_partials() -> None:
    # Given a template using the cell and pct filters, when it is rendered, then the values
    # are made safe for a table cell and shown as whole percents.
    markdown = documents.render_markdown(
        "| {{ name | cell }} | {{ share | pct }} | {{ none | pct }} |",
        {"name": "a|b\nc", "share": 0.425, "none": None},
        package=REPORTS,
    )
    assert markdown == "| a｜b c | 42% | — |"
    assert "{%" in documents.default_source("weekly.md.j2", package=REPORTS)


def test_a_missing_field_is_invalid_with_the_callers_key_and_line() -> None:
    with pytest.raises(Invalid) as caught:
        documents.render_markdown("ok\n{{ nope.x }}", {}, package=REPORTS)
    assert caught.value.key == "documents.error.template"
    assert "nope" in caught.value.params["detail"]
    with pytest.raises(Invalid) as caught:
        documents.render_markdown("ok\n{% if %}", {}, package=REPORTS)
    assert "模板第 2 行有错误" in caught.value.message()
    with pytest.raises(Invalid) as caught:
        documents.render_markdown(
            "{{ nope.x }}", {}, package=REPORTS, error_key="reports.error.template"
        )
    assert caught.value.key == "reports.error.template"


def test_the_sandbox_refuses_to_reach_python_internals() -> None:
    with pytest.raises(Invalid):
        documents.render_markdown(
            "{{ ''.__class__.__mro__[1].__subclasses__() }}", {}, package=REPORTS
        )


def test_pdf_has_the_chinese_text() -> None:
    pdf = documents.markdown_to_pdf("# 标题\n\n| 列 |\n|---|\n| 正文 |", title="t")
    text = "".join(page.extract_text() for page in PdfReader(io.BytesIO(pdf)).pages)
    assert "标题" in text and "正文" in text


def test_without_pango_pdf_raises_render_unavailable_and_pdf_or_503_a_503(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    # where the conversion runs (a child of the render host, which answers "unavailable")
    monkeypatch.setitem(sys.modules, "weasyprint", PangoMissing("weasyprint"))
    with pytest.raises(documents.RenderUnavailable):
        pdf.markdown_to_pdf("# t", title="t")

    # and what the server makes of that answer
    def unavailable(*_args: object, **_kwargs: object) -> bytes:
        raise documents.RenderUnavailable("no pango")

    monkeypatch.setattr(sandbox, "convert", unavailable)
    with pytest.raises(documents.RenderUnavailable):
        documents.markdown_to_pdf("# t", title="t")
    with pytest.raises(documents.PdfUnavailable) as caught:
        documents.pdf_or_503("# t", title="t")
    assert caught.value.status_code == 503
    assert caught.value.key == "documents.error.pdf_unavailable"
    assert "pango" in caught.value.message()


def test_docx_keeps_the_cjk_font_and_the_text() -> None:
    document = Document(io.BytesIO(documents.markdown_to_docx("# 标题\n\n- 正文", title="t")))
    fonts = document.styles["Normal"].element.rPr.rFonts
    assert fonts.get("{http://schemas.openxmlformats.org/wordprocessingml/2006/main}eastAsia") == (
        documents.CJK_FONT
    )
    assert [p.text for p in document.paragraphs] == ["标题", "正文"]
    assert document.core_properties.title == "t"


@pytest.mark.parametrize(
    "source",
    [
        # The tester's template: 9 million loop steps, 9 MB.
        "{% for a in range(3000) %}{% for b in range(3000) %}x{% endfor %}{% endfor %}",
        # The same steps printing nothing.
        "{% for a in range(3000) %}{% for b in range(3000) %}{% endfor %}{% endfor %}",
        # Output built without range.
        "{{ 'x' * 100000000 }}",
        "{{ 9 ** 9999999 }}",
        "{% for a in [1] * 1000 %}{{ 'y' * 1000 }}{% endfor %}",
        # Values built by join and replace before any output (tester s26 B-19: 137 MB).
        "{{ (range(6000)|join(range(6000)|join))|length }}",
        "{{ ('x' * 2000)|replace('', 'x' * 2000)|length }}",
        "{{ ('x' * 2000).replace('', 'x' * 2000)|length }}",
        "{{ ','.join(['x' * 50000, 'y' * 50000, 'z'])|length }}",
        "{{ ''|center(100000000)|length }}",
        "{{ 'a'.rjust(100000000)|length }}",
        # padding asked for in a format or an indent
        "{{ '{:>50000000}'.format(1)|length }}",
        "{{ '{:>{}}'.format(1, 50000000)|length }}",
        "{{ ('%50000000s' % 1)|length }}",
        "{{ ('%*s' % (50000000, 1))|length }}",
        "{{ ('%50000000s'|format(1))|length }}",
        "{{ ('x'|indent(50000000, true))|length }}",
        "{{ ('\t'.expandtabs(50000000))|length }}",
        # Tester s27 B-1: filler text, a template's own list doubled, a wrap string per letter.
        "{{ lipsum(100000)|length }}",
        "{% set l = ['x'] %}{% for i in range(40) %}{{ l.extend(l) or '' }}{% endfor %}",
        "{{ ('x ' * 1000)|wordwrap(1, wrapstring=('y' * 1000))|length }}",
        "{{ ('x' * 99999)|wordwrap(1)|length }}",
    ],
)
def test_a_runaway_template_is_refused_quickly(source: str) -> None:
    # When a template would loop or write far past any report's size (timed once the render
    # host runs: its start, ~1 s at load, is not the refusal's time)
    render_markdown("ok", {}, package="teamassist.reports")
    started = time.monotonic()
    with pytest.raises(Invalid) as raised:
        render_markdown(source, {}, package="teamassist.reports")
    # Then it is refused with the friendly key, within a second; with its line where one is
    # known (an output over the budget is seen outside the template: no line, not "第 ? 行").
    assert raised.value.key in ("documents.error.template", "documents.error.template_unplaced")
    assert "?" not in raised.value.message()
    assert time.monotonic() - started < 1.0


def test_an_ordinary_loop_and_product_still_render() -> None:
    text = render_markdown(
        "{% for i in range(3) %}{{ i }}{% endfor %}|{{ '-' * 3 }}|{{ 2 ** 3 }}",
        {},
        package="teamassist.reports",
    )
    assert text == "012|---|8"
    # join, replace and center within the budget render as Jinja's own
    text = render_markdown(
        "{{ range(3)|join('-') }}|{{ 'a-b'|replace('-', '+') }}|{{ 'ab'.replace('', '.') }}"
        "|{{ [{'n': 1}, {'n': 2}]|join(',', attribute='n') }}|{{ 'x'|center(3) }}|"
        "{{ '%3d%%'|format(5) }}|{{ '%.1f' % 2.25 }}|{{ '{:>3}'.format(7) }}|"
        "{{ 'a\nb'|indent(2) }}|{{ 'ab cd ef'|wordwrap(5, wrapstring='/') }}|"
        "{% set ns = namespace(n=0) %}{% for i in range(4) %}{% set ns.n = ns.n + i %}"
        "{% endfor %}{{ ns.n }}|{{ ([1] + [2])|join }}|{{ {'k': 'v'}.k }}",
        {},
        package="teamassist.reports",
    )
    assert text == "0-1-2|a+b|.a.b.|1,2| x |  5%|2.2|  7|a\n  b|ab cd/ef|6|12|v"


def test_a_strings_own_methods_render_inside_a_loop_and_are_still_counted_there() -> None:
    # Tester s28 D-7: in a {% for %} Jinja passes its loop's scope with each call, and
    # "abc".replace("a", "x") was refused: 「_replaced_size() got an unexpected keyword
    # argument '_loop_vars'」, worded as the author's mistake.
    methods = (
        "{{ 'abc'.replace('a', 'x') }}{{ '-'.join(['a', 'b']) }}{{ 'x'.center(3) }}"
        "{{ 'x'.ljust(2) }}{{ 'x'.rjust(2) }}{{ '7'.zfill(2) }}{{ 'a\tb'.expandtabs(2) }}"
        "{{ '{}!'.format(i) }}"
    )
    source = "{% for i in range(2) %}" + methods + ";{% endfor %}"
    assert render_markdown(source, {}, package="teamassist.reports") == (
        "xbca-b x x  x07a b0!;xbca-b x x  x07a b1!;"
    )
    # and a {% set %} in a loop, over the members as a report does
    members = {"members": [{"name": "张 三"}, {"name": "李 四"}]}
    tidy = "{% for m in members %}{% set n = m.name.replace(' ', '') %}{{ n }};{% endfor %}"
    assert render_markdown(tidy, members, package="teamassist.reports") == "张三;李四;"
    # while a replace in a loop that would build too much is still refused by the budget
    with pytest.raises(Invalid) as refused:
        render_markdown(
            "{% for i in range(2) %}{{ ('x' * 1000).replace('', 'y' * 1000) }}{% endfor %}",
            {},
            package="teamassist.reports",
        )
    assert "重复、拼接、替换、折行或乘方得到的值太大" in refused.value.message()


def test_a_pdf_loads_nothing_but_data_images() -> None:
    # Tester s29 F-1 (SSRF): a member's Markdown image in a weekly entry, a career plan or a
    # 360 answer made the server GET any URL when the PDF rendered, internal hosts included
    hits: list[str] = []

    class Listener(http.server.BaseHTTPRequestHandler):
        def do_GET(self) -> None:
            hits.append(self.path)
            self.send_response(404)
            self.end_headers()

        def log_message(self, *_args: object) -> None:
            pass

    server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), Listener)
    threading.Thread(target=server.serve_forever, daemon=True).start()
    port = server.server_address[1]
    png = chart.line_chart(
        [("O-1", [(date(2026, 1, 1), 0.2), (date(2026, 1, 5), 0.6)])],
        start=date(2026, 1, 1),
        end=date(2026, 1, 10),
    )
    markdown = (
        f"![x](http://127.0.0.1:{port}/in-the-host)\n\n![f](file:///etc/hostname)\n\n"
        f"![c](data:image/png;base64,{base64.b64encode(png).decode()})"
    )
    try:
        made = documents.markdown_to_pdf(markdown, title="t")  # in the render host's child
        here = pdf.markdown_to_pdf(markdown.replace("in-the-host", "here"), title="t")
    finally:
        server.shutdown()
        server.server_close()
    assert hits == []
    # the trend chart (a data: image) is still drawn, and only it
    assert made.count(b"/Subtype /Image") == here.count(b"/Subtype /Image") == 1
