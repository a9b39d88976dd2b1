"""Someone outside a team does not see its 360 cycles (tester s23 F12): 二队成员, only in
第二团队, listed 开发者社区's cycles with their reviewees over REST and opened an answer page.
Now REST and the pages answer 403 ``core.error.not_in_team`` for a team the caller is not in;
its own people still see them, and a visitor not signed in is sent to sign in first."""

from __future__ import annotations

from fastapi.testclient import TestClient
from sqlalchemy import select

from teamassist.database import transaction
from teamassist.reviews.models import ReviewCycle
from teamassist.runtime import Runtime
from teamassist.web.app import create_app
from tests.support.web import signed_in
from tests.team.support import demo, second_team


def test_an_outsider_sees_no_360_cycle_of_another_team(demo_runtime: Runtime) -> None:
    with transaction(demo_runtime.factory) as session:
        second_team(session)
        home = demo(session).team.id
        cycle = session.scalars(select(ReviewCycle.id).where(ReviewCycle.team_id == home)).first()
        person = demo(session)["zhangsan"].id
    assert cycle is not None, "the demo has a 360 cycle"
    with signed_in(demo_runtime, "m2", "zhangsan") as clients:
        outsider, insider = clients["m2"], clients["zhangsan"]
        for url in (
            f"/api/v1/reviews/360?team_id={home}",
            f"/api/v1/reviews/360/{cycle}?team_id={home}",
            f"/reviews/360?team={home}",
            f"/reviews/360/{cycle}/answer/{person}?team={home}",
        ):
            refused = outsider.get(url)
            assert refused.status_code == 403, (url, refused.text)
            assert "你不在「开发者社区」里" in refused.text, (url, refused.text)
        listed = insider.get(f"/api/v1/reviews/360?team_id={home}")
        assert listed.status_code == 200 and cycle in [c["id"] for c in listed.json()]
        assert insider.get(f"/reviews/360?team={home}").status_code == 200
    with TestClient(create_app(demo_runtime, start_background=False)) as visitor:
        first = visitor.get(f"/reviews/360?team={home}", follow_redirects=False)
    assert first.status_code in (302, 303, 307) and "/login" in first.headers["location"]
