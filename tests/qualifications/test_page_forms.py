"""The /qualifications page's forms: the director sets a level with evidence and records a
year's assessment through the same service calls as REST and chat; a member is refused (403)
and sees neither the forms nor anyone else's level; bad input changes nothing."""

from __future__ import annotations

from collections.abc import Iterator

import pytest
from fastapi.testclient import TestClient

from teamassist.i18n import t
from teamassist.runtime import Runtime
from tests.conftest import load_demo
from tests.okr.support import set_clock
from tests.outreach.support import ids, set_up_groups
from tests.support.web import signed_in

ROLES = ("lihua", "zhangsan", "lisi")


@pytest.fixture
def clients(sqlite_runtime: Runtime) -> Iterator[dict[str, TestClient]]:
    load_demo(sqlite_runtime)
    set_clock(sqlite_runtime, "2026-12-01 10:00")
    set_up_groups(sqlite_runtime)  # 李华 directs the demo team
    with signed_in(sqlite_runtime, *ROLES) as made:
        yield made


def test_set_a_level_and_record_an_assessment_on_the_page(
    sqlite_runtime: Runtime, clients: dict[str, TestClient]
) -> None:
    people = ids(sqlite_runtime)
    director, lisi = clients["lihua"], clients["lisi"]
    lisi_id = people["lisi"]
    # given 李四 at P2; the director's page offers the forms, 李四's does not
    page = director.get("/qualifications").text
    assert 'data-testid="qual-set-level"' in page and 'data-testid="qual-assess"' in page
    assert 'data-testid="qual-set-level"' not in lisi.get("/qualifications").text
    # a member may not post them
    refused = lisi.post(f"/qualifications/people/{lisi_id}/level", data={"level": "P3"})
    assert refused.status_code == 403
    # when the director sets 李四 to P3 with evidence
    sent = director.post(
        f"/qualifications/people/{lisi_id}/level",
        data={"level": "P3", "evidence": "独立负责支付网关", "since": "2026-11-20"},
        follow_redirects=True,
    )
    assert sent.status_code == 200 and 'data-testid="qual-saved"' in sent.text
    # then 李四 reads P3 with the evidence (REST says the same)
    mine = lisi.get("/api/v1/qualifications/people/lisi").json()
    assert (mine["level"], mine["evidence"], mine["since"]) == (
        "P3",
        "独立负责支付网关",
        "2026-11-20",
    )
    # when the director records 2026's assessment: not yet at P4
    director.post(
        f"/qualifications/people/{lisi_id}/assessments",
        data={
            "level": "P4",
            "outcome": "not_yet",
            "effective_date": "2026-12-01",
            "evidence": "架构评审还要多练",
        },
    )
    mine = lisi.get("/api/v1/qualifications/people/lisi").json()
    [assessment] = [a for a in mine["assessments"] if a["year"] == 2026]
    assert (assessment["level"], assessment["outcome"]) == ("P4", "not_yet")
    assert mine["level"] == "P3"  # not qualified: the level stays
    assert "暂未通过" in lisi.get("/qualifications").text
    # bad input: an unknown level (404), a bad outcome or date (422); nothing changes
    assert (
        director.post(f"/qualifications/people/{lisi_id}/level", data={"level": "P99"}).status_code
        == 404
    )
    assert (
        director.post(
            f"/qualifications/people/{lisi_id}/assessments",
            data={"level": "P4", "outcome": "maybe"},
        ).status_code
        == 422
    )
    assert (
        director.post(
            f"/qualifications/people/{lisi_id}/assessments",
            data={"level": "P4", "outcome": "qualified", "effective_date": "12/01"},
        ).status_code
        == 422
    )
    # a level "since" 9999-12-31 (the tester's; it was saved and shown): more than a year ahead
    far = director.post(
        f"/qualifications/people/{lisi_id}/level",
        data={"level": "P4", "since": "9999-12-31"},
    )
    assert far.status_code == 422
    assert (
        t("qualifications.error.since_too_late", since="9999-12-31", latest="2027-12-02")
        in far.json()["message"]
    )
    assert lisi.get("/api/v1/qualifications/people/lisi").json() == mine
