"""The rotation editor withdraws a pending change (issue #10 C) and names changes in Chinese;
its dates are bounded like chat's and REST's (issue #10 G)."""

from __future__ import annotations

import re

from fastapi.testclient import TestClient

from teamassist.duty import service
from teamassist.runtime import Runtime
from tests.duty.helpers import demo_team, snapshot
from tests.duty.test_dashboard import _form, _tech_id, admin, demo, member  # noqa: F401


def test_a_pending_change_is_withdrawn_from_the_editor(
    admin: TestClient,  # noqa: F811
    member: TestClient,  # noqa: F811
    demo: Runtime,  # noqa: F811
) -> None:
    tech = _tech_id(demo)
    _team, people = demo_team(demo)
    form = _form(tech, "add", people["sunqi"].id, effective_date="2026-12-10")
    assert admin.post("/duty/editor/save", data=form).status_code == 200
    page = admin.get(f"/duty/editor?rotation={tech}").text
    assert "加入成员" in page and "创建轮值" in page  # not "add" / "create"
    [version_id] = re.findall(r'data-testid="withdraw-(\d+)"', page)
    # members see no button and cannot post one
    assert "withdraw-" not in member.get(f"/duty/editor?rotation={tech}").text
    before = snapshot(demo)
    refused = member.post(f"/duty/editor/withdraw/{version_id}", data={"rotation_id": str(tech)})
    assert refused.status_code == 403 and snapshot(demo) == before
    done = admin.post(f"/duty/editor/withdraw/{version_id}", data={"rotation_id": str(tech)})
    assert done.status_code == 200, done.text
    assert "withdraw-" not in done.text and "✕" in done.text
    team, _ = demo_team(demo)
    with demo.factory() as session:
        rotation = service.get_rotation(session, team=team, name="tech")
        assert service.versions(session, rotation=rotation)[-1].cancelled_at is not None
    too_big = admin.post(f"/duty/editor/withdraw/{2**63}", data={"rotation_id": str(tech)})
    assert too_big.status_code == 422


def test_an_editor_date_out_of_range_is_refused(admin: TestClient, demo: Runtime) -> None:  # noqa: F811
    before = snapshot(demo)
    answer = admin.post(
        "/duty/editor/save",
        data={
            "rotation_id": str(_tech_id(demo)),
            "action": "params",
            "effective_date": "9999-12-31",
        },
    )
    assert answer.status_code == 400, answer.text
    assert "超出了可以安排的范围" in answer.text
    assert snapshot(demo) == before
