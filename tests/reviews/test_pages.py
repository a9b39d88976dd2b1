"""The 360 pages: the form answers as the signed-in member, the director's page shows status
and never an answer, the summary page follows the k rule and the release gate (SQLite: the
storage rules are walked on every backend in test_anonymity and test_api)."""

from __future__ import annotations

from collections.abc import Iterator

import pytest
from fastapi.testclient import TestClient

from teamassist.runtime import Runtime
from tests.conftest import load_demo
from tests.outreach.support import ids
from tests.reviews.support import set_up, start
from tests.support.web import signed_in

PEOPLE = ("lihua", "zhangsan", "lisi", "wangwu", "zhaoliu", "sunqi")


@pytest.fixture
def clients(sqlite_runtime: Runtime) -> Iterator[dict[str, TestClient]]:
    load_demo(sqlite_runtime)
    set_up(sqlite_runtime)
    with signed_in(sqlite_runtime, *PEOPLE) as made:
        yield made


def test_answer_form_director_page_and_summary(
    sqlite_runtime: Runtime, clients: dict[str, TestClient]
) -> None:
    # given a cycle for 张三 and 李四
    cycle = start(sqlite_runtime, "zhangsan", "lisi")
    people = ids(sqlite_runtime)
    zhangsan, lisi = people["zhangsan"], people["lisi"]
    # 王五 sees both on his list and opens the form
    listing = clients["wangwu"].get("/reviews/360")
    assert listing.status_code == 200 and "张三" in listing.text and "李四" in listing.text
    form = clients["wangwu"].get(f"/reviews/360/{cycle}/answer/{zhangsan}")
    assert 'data-testid="answer-form"' in form.text and "协作" in form.text
    # three peers answer 张三 through the form; 李四 gets two
    for handle in ("wangwu", "zhaoliu", "sunqi"):
        sent = clients[handle].post(
            f"/reviews/360/{cycle}/answer/{zhangsan}",
            data={"collaboration": "4", "keep": f"{handle}眼中的张三"},
            follow_redirects=True,
        )
        assert sent.status_code == 200 and 'data-testid="thanks"' in sent.text, sent.text
    for handle in ("wangwu", "zhaoliu"):
        clients[handle].post(
            f"/reviews/360/{cycle}/answer/{lisi}", data={"keep": f"{handle}眼中的李四"}
        )
    # a second submit is refused and the form is gone
    again = clients["wangwu"].post(
        f"/reviews/360/{cycle}/answer/{zhangsan}", data={"collaboration": "1"}
    )
    assert again.status_code == 409
    assert (
        'data-testid="answer-form"'
        not in clients["wangwu"].get(f"/reviews/360/{cycle}/answer/{zhangsan}").text
    )
    # 孙七 declines 李四 with a reason only the director sees
    clients["sunqi"].post(f"/reviews/360/{cycle}/answer/{lisi}/decline", data={"reason": "不熟"})
    # members may not open the director's page; the director sees asked/declined and the
    # reason, never who of the asked has submitted (counts only)
    assert clients["zhangsan"].get(f"/reviews/360/{cycle}").status_code == 403
    page = clients["lihua"].get(f"/reviews/360/{cycle}")
    assert page.status_code == 200 and "已邀请" in page.text and "不熟" in page.text
    assert "已提交" not in page.text
    assert "眼中的" not in page.text
    # summaries wait for the end; then 张三's peers show, 李四's two do not
    assert clients["lihua"].get(f"/reviews/360/{cycle}/summary/{zhangsan}").status_code == 409
    closed = clients["lihua"].post(f"/reviews/360/{cycle}/close", follow_redirects=True)
    assert closed.status_code == 200 and 'data-testid="release"' in closed.text
    shown = clients["lihua"].get(f"/reviews/360/{cycle}/summary/{zhangsan}").text
    assert 'data-pool="peer" data-shown="yes"' in shown and "sunqi眼中的张三" in shown
    hidden = clients["lihua"].get(f"/reviews/360/{cycle}/summary/{lisi}").text
    assert 'data-pool="peer" data-shown="no"' in hidden and "眼中的李四" not in hidden
    assert "答卷 2 份" not in hidden
    # the reviewee reads after release only
    assert clients["zhangsan"].get(f"/reviews/360/{cycle}/summary/{zhangsan}").status_code == 409
    clients["lihua"].post(f"/reviews/360/{cycle}/release/{zhangsan}")
    mine = clients["zhangsan"].get(f"/reviews/360/{cycle}/summary/{zhangsan}")
    assert mine.status_code == 200 and "wangwu眼中的张三" in mine.text
    assert clients["lisi"].get(f"/reviews/360/{cycle}/summary/{zhangsan}").status_code == 403
