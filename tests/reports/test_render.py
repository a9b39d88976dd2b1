"""A report pack for the demo team rendered to Markdown, .docx and PDF, downloaded from the
dashboard's API and opened with python-docx and pypdf: the Chinese text is really there."""

from __future__ import annotations

import io
from collections.abc import Iterator
from pathlib import Path

import pypdfium2
import pytest
from docx import Document
from fastapi.testclient import TestClient
from pypdf import PdfReader

from teamassist import documents
from teamassist.reports import chart, kinds, templates_store
from teamassist.runtime import Runtime
from teamassist.team.models import Team
from teamassist.web.app import create_app
from tests.conftest import load_demo
from tests.okr.support import set_clock
from tests.support.chat import ChatDriver
from tests.support.documents import without_pango
from tests.support.web import sign_in

# The first page of the last PDF rendered here, for a person to look at.
SCREENSHOT = Path("/tmp/teamassist-report-pack-page1.png")


@pytest.fixture
def api(sqlite_runtime: Runtime) -> Iterator[TestClient]:
    """The demo workspace loaded on 2026-11-23 09:00 (its OKRs are 2026Q3's, scored), signed
    in as its admin."""
    set_clock(sqlite_runtime, "2026-11-23 09:00")
    load_demo(sqlite_runtime)
    with TestClient(create_app(sqlite_runtime, start_background=False)) as client:
        sign_in(client)
        yield client


def _runtime(client: TestClient) -> Runtime:
    runtime: Runtime = client.app.state.runtime  # type: ignore[attr-defined]
    return runtime


def _build(client: TestClient, kind: str, *, status: int = 201, **period: str) -> dict[str, object]:
    response = client.post("/api/v1/reports/packs", json={"kind": kind, **period})
    assert response.status_code == status, response.text
    body: dict[str, object] = response.json()
    return body


def _docx_text(content: bytes) -> str:
    document = Document(io.BytesIO(content))
    cells = [c.text for t in document.tables for row in t.rows for c in row.cells]
    return "\n".join([p.text for p in document.paragraphs] + cells)


def test_weekly_pack_renders_to_md_docx_and_pdf_with_chinese(api: TestClient) -> None:
    # Monday 2026-09-28, report day of the last week of 2026Q3 (the demo's OKRs).
    set_clock(_runtime(api), "2026-09-28 09:00")
    chat = ChatDriver(_runtime(api))
    reply = chat.text(
        "/周报 完成 接口文档；压测 未完成 性能优化 下周 灰度上线 风险 人手不足", as_="zhangsan"
    )
    assert "已记下你 9月21日 那一周的周报" in reply, reply
    pack = _build(api, "weekly")
    assert pack["title"] == "OKR周报2026/09/21-09/27"
    markdown = api.get(f"/api/v1/reports/packs/{pack['id']}.md").text
    assert (
        "## 张三" in markdown
        and "- 完成：接口文档" in markdown
        and "- 未完成：性能优化" in markdown
    )
    # Live OKR data: 张三's O-2 rolled up from the demo's check-ins, with confidence.
    assert "**O-2 提升交付质量**" in markdown
    assert "| **O-2 提升交付质量** | 86% | 7.1 |\n| KR-3 线上缺陷数 | 90% | 7 |" in markdown

    response = api.get(f"/api/v1/reports/packs/{pack['id']}.docx")
    assert response.status_code == 200
    assert response.headers["content-type"].startswith(
        "application/vnd.openxmlformats-officedocument.wordprocessingml"
    )
    text = _docx_text(response.content)
    for expected in (
        "OKR周报2026/09/21-09/27",
        "张三",
        "接口文档",
        "灰度上线",
        "人手不足",
        "线上缺陷数",
    ):
        assert expected in text, expected

    response = api.get(f"/api/v1/reports/packs/{pack['id']}.pdf")
    assert response.status_code == 200 and response.content.startswith(b"%PDF")
    reader = PdfReader(io.BytesIO(response.content))
    pdf_text = "".join(page.extract_text() for page in reader.pages)
    for expected in ("OKR周报", "张三", "接口文档", "灰度上线"):
        assert expected in pdf_text, expected
    # The CJK family named in the CSS is the one embedded (not a Latin fallback with tofu).
    fonts = {
        str(font["/BaseFont"])
        for page in reader.pages
        for font in page["/Resources"]["/Font"].values()  # type: ignore[index]
    }
    assert any(f.endswith("+Noto-Sans-CJK-SC") for f in fonts), fonts
    page = pypdfium2.PdfDocument(response.content)[0]
    page.render(scale=1.5).to_pil().save(SCREENSHOT)


def test_quarter_pack_has_the_trend_chart_scores_and_retro(api: TestClient) -> None:
    pack = _build(api, "quarterly", period_start="2026-07-01", period_end="2026-09-30")
    assert pack["title"] == "2026年3季度OKR季报"
    markdown = api.get(f"/api/v1/reports/packs/{pack['id']}.md").text
    assert "![KR 趋势](data:image/png;base64," in markdown
    assert "## 复盘" in markdown and "根本原因" in markdown and "## 评分" in markdown
    content = api.get(f"/api/v1/reports/packs/{pack['id']}.docx").content
    assert len(Document(io.BytesIO(content)).inline_shapes) == 1  # the chart, as a picture


def test_chart_is_a_png_of_the_asked_size() -> None:
    from datetime import date

    png = chart.line_chart(
        [("O-1", [(date(2026, 10, 1), 0.0), (date(2026, 11, 1), 0.6)])],
        start=date(2026, 10, 1),
        end=date(2026, 12, 31),
    )
    from PIL import Image

    image = Image.open(io.BytesIO(png))
    assert (image.format, image.size) == ("PNG", (chart.WIDTH, chart.HEIGHT))


def test_default_templates_render_the_sample() -> None:
    for name in kinds.TEMPLATES:
        markdown = templates_store.render(
            documents.default_source(f"{name}.md.j2", package=templates_store.PACKAGE),
            kinds.sample_context(),
            team=Team(id=1),
            trial=True,  # as a save tries it: well within the CPU time of a sample
        )
        assert "## 张三" in markdown and "需要测试支持" in markdown


def test_pdf_download_without_pango_is_a_503_saying_why(
    api: TestClient, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Given a server where WeasyPrint cannot load pango, when the PDF is asked for, then the
    answer is 503 with the reports' message, and the .docx still downloads."""
    pack = _build(api, "weekly")
    without_pango(monkeypatch)
    response = api.get(f"/api/v1/reports/packs/{pack['id']}.pdf")
    assert response.status_code == 503
    assert response.json()["error"] == "reports.error.pdf_unavailable"
    assert "libpango-1.0-0" in response.json()["message"]
    assert api.get(f"/api/v1/reports/packs/{pack['id']}.docx").status_code == 200


def test_the_api_token_builds_and_lists_packs_and_saves_a_template(
    sqlite_runtime: Runtime,
) -> None:
    """The install's API token is an admin of every team (README): it builds the team's pack,
    lists it and saves a template; one's own entry asks for a member, with a reply that says so
    (the fresh tester's session-6 finding: 403 「报告 # 是个人材料」)."""
    from pydantic import SecretStr

    set_clock(sqlite_runtime, "2026-11-23 09:00")
    load_demo(sqlite_runtime)
    sqlite_runtime.settings.web.api_token = SecretStr("root-token-123")
    token = {"authorization": "Bearer root-token-123"}
    with TestClient(create_app(sqlite_runtime, start_background=False)) as client:
        built = client.post("/api/v1/reports/packs", headers=token, json={"kind": "weekly"})
        assert built.status_code == 201, built.text
        listed = client.get("/api/v1/reports/packs", headers=token).json()
        assert [p["id"] for p in listed] == [built.json()["id"]]
        saved = client.put(
            "/api/v1/reports/templates/weekly", headers=token, json={"body": "# 周报 {{ title }}"}
        )
        assert saved.status_code == 200 and saved.json()["custom"] is True, saved.text
        entry = client.put("/api/v1/reports/entries/me", headers=token, json={"done": "x"})
        assert entry.status_code == 403
        assert "要以成员身份操作" in entry.json()["message"]


def test_a_second_download_comes_from_the_cache_and_a_rebuilt_pack_renders_anew(
    api: TestClient,
) -> None:
    # given a weekly pack with one entry, downloaded once
    set_clock(_runtime(api), "2026-09-28 09:00")
    chat = ChatDriver(_runtime(api))
    chat.text("/周报 完成 接口文档 下周 灰度上线", as_="zhangsan")
    first_pack = _build(api, "weekly")
    documents.RENDER_CACHE.clear()
    first = api.get(f"/api/v1/reports/packs/{first_pack['id']}.docx").content
    assert (documents.RENDER_CACHE.hits, documents.RENDER_CACHE.misses) == (0, 1)
    # when it is downloaded again: the same bytes, nothing rendered
    assert api.get(f"/api/v1/reports/packs/{first_pack['id']}.docx").content == first
    assert (documents.RENDER_CACHE.hits, documents.RENDER_CACHE.misses) == (1, 1)
    # when the data changes and the pack is rebuilt within minutes: the first pack is updated in
    # place (57512d2, tester s25 F-B14; 200, the same id), and its download renders anew
    chat.text("/周报 完成 接口文档；压测报告 下周 灰度上线", as_="zhangsan")
    second_pack = _build(api, "weekly", status=200)
    assert second_pack["id"] == first_pack["id"]
    second = api.get(f"/api/v1/reports/packs/{second_pack['id']}.docx").content
    assert documents.RENDER_CACHE.misses == 2
    assert "压测报告" in _docx_text(second) and "压测报告" not in _docx_text(first)
    documents.RENDER_CACHE.clear()


@pytest.mark.parametrize(
    ("kind", "body", "said", "not_said"),
    [
        # members[1] in the sample's one-person list: 「没有第 1 项」 read as "no first item"
        (
            "reports",
            "# {{ title }}\n最后一位：{{ members[1].name }}\n",
            "列表里没有第 2 项（下标 [1] 从 0 数起）；保存时用的样例数据里列表可能更短",
            "没有第 1 项",
        ),
        ("careers", "{{ goals[5].title }}", "列表里没有第 6 项（下标 [5] 从 0 数起）", "第 5 项"),
        ("reports", '{% include "nope.j2" %}', "找不到模板文件「nope.j2」", "模板引擎的原话"),
        ("careers", '{% include "nope.j2" %}', "找不到模板文件「nope.j2」", "模板引擎的原话"),
    ],
)
def test_template_errors_count_from_one_and_name_a_missing_include(
    kind: str, body: str, said: str, not_said: str
) -> None:
    """Tester F12 (session 18): a zero-based index and the engine's raw words for an include."""
    from teamassist.careers import document as career_document
    from teamassist.exceptions import Invalid

    with pytest.raises(Invalid) as refused:
        if kind == "reports":
            templates_store.render(body, kinds.sample_context(), team=Team(id=1))
        else:
            career_document.render(body, career_document.sample_context(), team=Team(id=1))
    message = refused.value.message()
    assert said in message and not_said not in message, message
