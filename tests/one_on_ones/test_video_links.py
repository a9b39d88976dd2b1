"""Only http(s) links become links (tester s23 F9): a 1on1's ``video_url`` took
``javascript:alert(1)`` and the pair page rendered it as ``<a href="javascript:…">``, a script
that ran on the report's click. Now REST refuses it (422 ``core.error.bad_link``, nothing
changed), a row stored before the check shows as text, and a meeting series' video link that
is not one falls back to its default."""

from __future__ import annotations

from collections.abc import Iterator

import pytest
from fastapi.testclient import TestClient
from sqlalchemy import func, select

from teamassist.chat.render import escape_markup, to_markdown
from teamassist.database import transaction
from teamassist.exceptions import Invalid
from teamassist.meetings import settings as meeting_settings
from teamassist.one_on_ones.models import OneOnOne
from teamassist.runtime import Runtime
from teamassist.team import service as team_service
from teamassist.team.models import Team
from teamassist.web.app import create_app
from teamassist.weblinks import require_web_link, web_href
from tests.conftest import load_demo
from tests.one_on_ones.support import make_director, pair_id
from tests.support.chat import ChatDriver
from tests.support.web import sign_in

BAD = "javascript:alert(1)"
REFUSED = (
    "「javascript:alert(1)」不是有效的链接（需是以 http:// 或 https:// 开头、带域名的完整网址，"
    "不能含空格、引号、尖括号或括号），这次没有改动。"
)


@pytest.fixture
def admin(sqlite_runtime: Runtime) -> Iterator[TestClient]:
    load_demo(sqlite_runtime)
    make_director(sqlite_runtime)
    with TestClient(create_app(sqlite_runtime, start_background=False)) as client:
        sign_in(client)
        yield client


def _video(runtime: Runtime, pair: int) -> str:
    with runtime.factory() as session:
        found = session.get(OneOnOne, pair)
        assert found is not None
        return found.video_url


def test_a_pairs_video_link_must_be_http(sqlite_runtime: Runtime, admin: TestClient) -> None:
    pair = pair_id(sqlite_runtime)
    before = _video(sqlite_runtime, pair)
    for bad in (BAD, " JavaScript:alert(1)", "ftp://x/y", "https://meet.example.com/a b"):
        refused = admin.patch(f"/api/v1/one-on-ones/{pair}", json={"video_url": bad})
        assert refused.status_code == 422, (bad, refused.text)
        assert "不是有效的链接" in refused.json()["message"], refused.text
    assert (
        admin.patch(f"/api/v1/one-on-ones/{pair}", json={"video_url": BAD}).json()["message"]
        == REFUSED
    )
    assert _video(sqlite_runtime, pair) == before
    # a new pair with such a link is not made
    with sqlite_runtime.factory() as session:
        pairs = session.scalar(select(func.count()).select_from(OneOnOne))
        sunqi = team_service.get_member_by_handle(session, workspace_id=1, handle="sunqi")
        assert sunqi is not None
    made = admin.post("/api/v1/one-on-ones", json={"report_id": sunqi.id, "video_url": BAD})
    assert made.status_code == 422 and made.json()["message"] == REFUSED, made.text
    with sqlite_runtime.factory() as session:
        assert session.scalar(select(func.count()).select_from(OneOnOne)) == pairs
    # an https link is kept, and cleared by the empty text
    good = "https://meet.example.com/abc?x=1"
    assert admin.patch(f"/api/v1/one-on-ones/{pair}", json={"video_url": good}).status_code == 200
    assert _video(sqlite_runtime, pair) == good
    assert admin.patch(f"/api/v1/one-on-ones/{pair}", json={"video_url": ""}).status_code == 200
    assert _video(sqlite_runtime, pair) == ""


def test_a_stored_script_link_shows_as_text(sqlite_runtime: Runtime, admin: TestClient) -> None:
    # given a pair whose link was stored before the check
    pair = pair_id(sqlite_runtime)
    with transaction(sqlite_runtime.factory) as session:
        found = session.get(OneOnOne, pair)
        assert found is not None
        found.video_url = BAD
    page = admin.get(f"/one-on-ones/{pair}")
    assert page.status_code == 200, page.text
    assert 'href="javascript:' not in page.text.lower()
    assert BAD in page.text
    # and an http(s) one is still a link
    with transaction(sqlite_runtime.factory) as session:
        found = session.get(OneOnOne, pair)
        assert found is not None
        found.video_url = "https://meet.example.com/abc"
    assert 'href="https://meet.example.com/abc"' in admin.get(f"/one-on-ones/{pair}").text


def test_a_meeting_series_link_that_is_no_web_link_takes_its_default(
    sqlite_runtime: Runtime,
) -> None:
    load_demo(sqlite_runtime)
    with transaction(sqlite_runtime.factory) as session:
        team = team_service.default_team(session, workspace_id=1)
        default = meeting_settings.DEFAULTS[meeting_settings.Kind.WEEKLY].video_url
        team.settings = {**team.settings, "meetings": {"weekly": {"video_url": BAD}}}
        assert meeting_settings.of(team)[meeting_settings.Kind.WEEKLY].video_url == default
        team.settings = {**team.settings, "meetings": {"weekly": {"video_url": "https://v.cn/1"}}}
        assert meeting_settings.of(team)[meeting_settings.Kind.WEEKLY].video_url == "https://v.cn/1"


def test_the_link_rule() -> None:
    assert require_web_link("  https://a.cn/x  ") == "https://a.cn/x"
    assert require_web_link("") == ""
    assert web_href("HTTP://A.CN") == "HTTP://A.CN"
    for bad in (BAD, "data:text/html,x", "http://", "https:// a.cn", "//a.cn", "http://a.cn/\x00"):
        assert web_href(bad) == "", bad


# s23 report 2 F11: what `https?://` followed by anything let through
BREAKOUTS = (
    'https://a"onmouseover="alert(1)',
    "https://x.example/[点这里](javascript:alert(1))",
    "https://x.example/<script>",
    "https://x.example/`code`",
    "https:alert(1)",
    "https://bank.example@evil.example/",
    "https://a.cn:99999/",
    "http://%00/",
    "https://-a.cn/",
)


def test_a_link_parses_with_a_host_and_opens_no_markup() -> None:
    for bad in BREAKOUTS:
        assert web_href(bad) == "", bad
        with pytest.raises(Invalid):
            require_web_link(bad)
    for good in ("https://会议.中国/x", "https://a.cn:8443/x?y=1#z", "http://192.168.1.1/m"):
        assert require_web_link(good) == good


def test_a_pairs_breakout_link_is_refused_and_an_old_one_is_shown_as_text(
    sqlite_runtime: Runtime, admin: TestClient
) -> None:
    pair = pair_id(sqlite_runtime)
    before = _video(sqlite_runtime, pair)
    for bad in BREAKOUTS[:2]:
        refused = admin.patch(f"/api/v1/one-on-ones/{pair}", json={"video_url": bad})
        assert refused.status_code == 422 and "不是有效的链接" in refused.text, refused.text
    assert _video(sqlite_runtime, pair) == before
    # given a link and a place stored before the check
    with transaction(sqlite_runtime.factory) as session:
        found = session.get(OneOnOne, pair)
        assert found is not None
        found.video_url = BREAKOUTS[1]
        found.place = "[会议室](javascript:alert(2))"
    reply = ChatDriver(sqlite_runtime).say("/一对一 @张三", as_="lihua")
    assert reply is not None
    shown = to_markdown(reply, escape=escape_markup)  # as WeCom and Feishu cards get it
    assert "](javascript:" not in shown and "[点这里]" not in shown, shown
    assert "［点这里］" in shown and "［会议室］" in shown, shown


def test_a_meetings_place_and_old_link_are_user_text_in_chat() -> None:
    from teamassist.meetings import messages as meeting_messages
    from teamassist.meetings.models import MeetingOccurrence

    occ = MeetingOccurrence(title="周会", place="[会议室](javascript:alert(3))", video_url=BAD)
    shown = to_markdown(meeting_messages.start(Team(), occ, agenda=[]), escape=escape_markup)
    assert "](javascript:" not in shown and "［会议室］" in shown, shown
