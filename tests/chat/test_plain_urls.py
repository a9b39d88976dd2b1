"""Plain-text rendering keeps a URL exactly as written: a feed or sign-in token drawn by
``secrets.token_urlsafe`` may hold ``__``, which markdown would read as emphasis (a subscribed
calendar URL then answered 404 for about one token in a hundred)."""

from __future__ import annotations

from teamassist.chat.render import to_plain
from teamassist.chat.types import Reply

URL = "http://127.0.0.1:8000/ical/ab_cd_ef__gh__ij.ics"


def test_a_url_with_double_underscores_survives_plain_text() -> None:
    assert to_plain(Reply(body=f"订阅地址：\n{URL}")) == f"订阅地址：\n{URL}"


def test_marks_around_and_beside_a_url_are_still_removed() -> None:
    body = f"**订阅**：`{URL}`，__别转发__"
    assert to_plain(Reply(body=body)) == f"订阅：{URL}，别转发"


def test_a_sign_in_link_in_a_code_span_keeps_its_token() -> None:
    link = "https://team.example/auth/link/Zz__9-__q"
    assert to_plain(Reply(body=f"`{link}`")) == link
