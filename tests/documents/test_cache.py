"""The rendered-document cache: a second request for the same content renders nothing, other
content (a rebuilt pack, another title or format) renders anew, and the bytes held stay bounded."""

from __future__ import annotations

from teamassist.documents import RENDER_CACHE, cached_docx
from teamassist.documents.cache import RenderCache


def test_the_same_content_renders_once() -> None:
    cache = RenderCache()
    renders: list[str] = []

    def render(text: str) -> bytes:
        renders.append(text)
        return text.encode()

    first = cache.get_or_render(
        "docx", "# 周报\n\n| a |\n|---|\n| 1 |", "周报", lambda: render("a")
    )
    second = cache.get_or_render(
        "docx", "# 周报\n\n| a |\n|---|\n| 1 |", "周报", lambda: render("b")
    )
    assert first == second == b"a" and renders == ["a"]
    assert (cache.hits, cache.misses) == (1, 1)
    # a changed pack (its Markdown), another title or format: a new render each
    cache.get_or_render("docx", "# 周报\n\n| a |\n|---|\n| 2 |", "周报", lambda: render("c"))
    cache.get_or_render("docx", "# 周报\n\n| a |\n|---|\n| 1 |", "月报", lambda: render("d"))
    cache.get_or_render("pdf", "# 周报\n\n| a |\n|---|\n| 1 |", "周报", lambda: render("e"))
    assert renders == ["a", "c", "d", "e"] and len(cache) == 4


def test_the_least_recently_used_go_beyond_the_byte_bound() -> None:
    cache = RenderCache(max_bytes=10)
    cache.get_or_render("docx", "one", "t", lambda: b"1111")
    cache.get_or_render("docx", "two", "t", lambda: b"2222")
    cache.get_or_render("docx", "one", "t", lambda: b"xxxx")  # a hit: "one" is now the newest
    cache.get_or_render("docx", "three", "t", lambda: b"3333")  # 12 bytes: "two" goes
    assert cache.get_or_render("docx", "one", "t", lambda: b"new1") == b"1111"
    assert cache.get_or_render("docx", "two", "t", lambda: b"new2") == b"new2"
    # something larger than the bound is returned but never kept
    assert cache.get_or_render("docx", "big", "t", lambda: b"b" * 11) == b"b" * 11
    assert len(cache) <= 3 and cache.get_or_render("docx", "big", "t", lambda: b"") == b""


def test_a_failed_render_keeps_nothing() -> None:
    cache = RenderCache()

    def broken() -> bytes:
        raise RuntimeError("pango missing")

    for _ in range(2):
        try:
            cache.get_or_render("pdf", "x", "t", broken)
        except RuntimeError:
            pass
        else:  # pragma: no cover - the render must raise
            raise AssertionError("the render's error must pass through")
    assert len(cache) == 0 and cache.misses == 2


def test_cached_docx_is_the_real_document_again() -> None:
    RENDER_CACHE.clear()
    markdown = "# 周报\n\n| 姓名 | 完成 |\n|---|---|\n| 张三 | 接口文档 |\n"
    first = cached_docx(markdown, title="周报")
    assert first[:2] == b"PK"  # a .docx is a zip
    assert cached_docx(markdown, title="周报") is first
    assert (RENDER_CACHE.hits, RENDER_CACHE.misses) == (1, 1)
    RENDER_CACHE.clear()
