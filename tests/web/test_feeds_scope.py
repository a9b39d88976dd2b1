"""The feeds page shows only the caller's teams' web channels (tester s24 F1: a member of
another team read 开发者社区's duty channel, its feedback texts and reporters, by
``/feeds?address=duty-room``)."""

from __future__ import annotations

from fastapi.testclient import TestClient

from teamassist.database import transaction
from teamassist.runtime import Runtime
from teamassist.web.app import create_app
from tests.conftest import load_demo
from tests.support.chat import ChatDriver
from tests.support.web import BROWSER, give_account, sign_in
from tests.team.support import second_team_with_web_room

SECRET = "一队的机密bug：支付接口密钥泄露"


def _setup(runtime: Runtime) -> None:
    load_demo(runtime)
    ChatDriver(runtime).text(f"/问题反馈 {SECRET}", as_="zhaoliu")
    runtime.deliver()  # the notice reaches the duty channel's web feed
    with transaction(runtime.factory) as session:
        second_team_with_web_room(session)


def test_another_teams_channel_is_refused_and_not_listed(runtime: Runtime) -> None:
    _setup(runtime)
    app = create_app(runtime, start_background=False)
    with TestClient(app) as admin, TestClient(app) as m2:
        sign_in(admin, "admin", give_account(runtime, "admin"))
        sign_in(m2, "m2", give_account(runtime, "m2"))
        # the team's own admin reads its duty channel, with the feedback in it
        own = admin.get("/feeds?address=duty-room", headers=BROWSER)
        assert own.status_code == 200
        assert SECRET in own.text
        # a member of 第二团队 only: refused by name, the page says whose channel it is
        refused = m2.get("/feeds?address=duty-room", headers=BROWSER)
        assert refused.status_code == 403
        assert "你不在「开发者社区」里" in refused.text
        assert SECRET not in refused.text
        # their own page lists their team's channel and none of 开发者社区's
        page = m2.get("/feeds", headers=BROWSER)
        assert page.status_code == 200
        assert "ops-room" in page.text
        assert "duty-room" not in page.text
        assert "core-room" not in page.text
        assert SECRET not in page.text


def test_the_overview_lists_only_the_callers_channels_and_counts_for_admins(
    runtime: Runtime,
) -> None:
    """Tester s26 A-8: a plain member of 第二团队 saw 开发者社区's channels on ``/`` and the
    whole workspace's delivery counts, which ``GET /api/v1/outbox`` refuses them."""
    _setup(runtime)
    app = create_app(runtime, start_background=False)
    with TestClient(app) as admin, TestClient(app) as m2:
        sign_in(admin, "admin", give_account(runtime, "admin"))
        sign_in(m2, "m2", give_account(runtime, "m2"))
        mine = m2.get("/", headers=BROWSER)
        assert mine.status_code == 200
        assert "运维频道" in mine.text  # 第二团队's own channel
        assert "duty-room" not in mine.text and "值班频道" not in mine.text
        assert "通知投递" not in mine.text and "已送达" not in mine.text
        assert m2.get("/api/v1/outbox").status_code == 403  # the same rule as the API
        whole = admin.get("/", headers=BROWSER)
        assert whole.status_code == 200
        assert "运维频道" in whole.text and "通知投递" in whole.text and "已送达" in whole.text
