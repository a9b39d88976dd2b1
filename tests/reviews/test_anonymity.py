"""360 anonymity in the data: no reviewer or time on an answer, the k rule for every reader,
free text in an order that says nothing, one submission per request, the release gate."""

from __future__ import annotations

import io
import json
import zipfile

import pytest
from PIL import Image
from sqlalchemy import DateTime, inspect, select

from teamassist.database import UTCDateTime
from teamassist.exceptions import Conflict, Invalid, PermissionDenied
from teamassist.reviews import chart, document, service
from teamassist.reviews.models import ReviewRequest, ReviewResponse
from teamassist.reviews.summary import text_order
from teamassist.runtime import Runtime
from teamassist.team.archive import export_workspace
from teamassist.team.models import Workspace
from tests.conftest import load_demo
from tests.okr.support import demo
from tests.reviews.support import answer, close, read, set_up, start


@pytest.fixture
def desk(runtime: Runtime) -> Runtime:
    load_demo(runtime)
    set_up(runtime)
    return runtime


def _pool(runtime: Runtime, reviewee: str, pool: str, *, as_: str) -> object:
    found = read(runtime, reviewee, as_=as_)
    return next(p for p in found.pools if p.pool == pool)


def test_response_rows_hold_no_reviewer_and_no_time(desk: Runtime) -> None:
    # given a cycle for 张三 and one peer's answers
    cycle = start(desk, "zhangsan")
    answer(desk, "wangwu", "zhangsan", {"collaboration": 4, "keep": "文档写得清楚"})
    with desk.factory() as session:
        # then the response table has no column naming a reviewer, and no time column at all
        columns = {c["name"]: c for c in inspect(session.get_bind()).get_columns("review_response")}
        assert set(columns) == {"id", "cycle_id", "reviewee_id", "pool", "answers"}
        # and the request table holds no time either (nor any answer)
        request_columns = inspect(session.get_bind()).get_columns("review_request")
        assert not [
            c["name"] for c in request_columns if isinstance(c["type"], DateTime | UTCDateTime)
        ]
        assert not {"answers", "submitted_at", "updated_at"} & {c["name"] for c in request_columns}
        [row] = session.scalars(select(ReviewResponse).filter_by(cycle_id=cycle)).all()
        # the id is random (uuid4 hex), not a counter that could be matched to submit order
        assert len(row.id) == 32 and int(row.id, 16) >= 0 and row.id != "1"
        assert row.answers == {"collaboration": 4, "keep": "文档写得清楚"}
        assert row.pool == "peer"
        # the reviewer's request is submitted; nothing on it says when
        requests = session.scalars(select(ReviewRequest).filter_by(cycle_id=cycle))
        wangwu = [r for r in requests if r.status == "submitted"]
        assert len(wangwu) == 1


def test_two_answers_show_nothing_of_the_pool_to_the_director_or_an_admin(desk: Runtime) -> None:
    # given two of 张三's five peers answered (k = 3) and the cycle is closed
    start(desk, "zhangsan")
    answer(desk, "wangwu", "zhangsan", {"collaboration": 2, "change": "周会常迟到"})
    answer(desk, "zhaoliu", "zhangsan", {"collaboration": 3, "change": "评审意见太简短"})
    close(desk)
    for reader in ("lihua", "admin"):
        # when the director and an admin read the summary
        found = read(desk, "zhangsan", as_=reader)
        peers = next(p for p in found.pools if p.pool == "peer")
        # then the peer pool is hidden: no count, no rating, no text
        assert (peers.shown, peers.answers, peers.ratings, peers.texts) == (False, None, (), ())
        # and a pool with no answer at all (reports) looks exactly the same
        reports = next(p for p in found.pools if p.pool == "report")
        assert reports == type(peers)("report", shown=False)
        markdown = document.markdown(found)
        assert "周会常迟到" not in markdown and "评审意见太简短" not in markdown
        assert "2.50" not in markdown and "答卷 2 份" not in markdown
        assert "data:image/png" not in markdown  # no pool shown, so no chart


def test_three_answers_show_the_pool(desk: Runtime) -> None:
    # given three peers answered, the manager alone, and 张三 about himself
    start(desk, "zhangsan")
    answer(desk, "wangwu", "zhangsan", {"collaboration": 2, "keep": "乐于分享"})
    answer(desk, "zhaoliu", "zhangsan", {"collaboration": 3, "ownership": 5, "keep": "守时"})
    answer(desk, "sunqi", "zhangsan", {"collaboration": 5, "keep": "代码评审认真"})
    answer(desk, "lihua", "zhangsan", {"collaboration": 1, "change": "上级的话"})
    answer(desk, "zhangsan", "zhangsan", {"collaboration": 4, "keep": "自评的话"})
    close(desk)
    # when the director reads
    found = read(desk, "zhangsan", as_="lihua")
    pools = {p.pool: p for p in found.pools}
    # then peers are shown: three answers, the averages over those who rated; ownership,
    # rated by one peer only, is below k and left out (k holds per question)
    peers = pools["peer"]
    assert peers.shown and peers.answers == 3
    ratings = {r.key: (r.average, r.answers) for r in peers.ratings}
    assert ratings == {"collaboration": (3.33, 3)}
    [keep] = [x for x in peers.texts if x.key == "keep"]
    assert keep.answers == tuple(sorted(["乐于分享", "守时", "代码评审认真"], key=text_order))
    # the single manager answer stays hidden (one answer would be the manager's name)
    assert pools["manager"].shown is False
    assert "上级的话" not in document.markdown(found)
    # the self pool is 张三's own view: shown, never counted towards k
    assert pools["self"].shown and pools["self"].answers == 1
    assert "自评的话" in document.markdown(found)
    # each shown pool with ratings has its chart: self and peers
    assert document.markdown(found).count("data:image/png;base64,") == 2
    png = chart.bars([3.33, 5.0])
    assert png.startswith(b"\x89PNG") and Image.open(io.BytesIO(png)).size == (560, 84)


def test_free_text_order_does_not_follow_submit_order(desk: Runtime) -> None:
    # given the same three texts about 张三 in one order and about 李四 in the reverse order
    texts = ["第一个交的", "第二个交的", "第三个交的"]
    start(desk, "zhangsan", "lisi")
    for reviewer, text in zip(("wangwu", "zhaoliu", "sunqi"), texts, strict=True):
        answer(desk, reviewer, "zhangsan", {"keep": text})
    for reviewer, text in zip(("wangwu", "zhaoliu", "sunqi"), reversed(texts), strict=True):
        answer(desk, reviewer, "lisi", {"keep": text})
    close(desk)
    # when the director reads both
    first = read(desk, "zhangsan", as_="lihua")
    second = read(desk, "lisi", as_="lihua")

    def keep(found: object) -> tuple[str, ...]:
        peers = next(p for p in found.pools if p.pool == "peer")  # type: ignore[attr-defined]
        return next(x.answers for x in peers.texts if x.key == "keep")

    # then both list them in one order, the hash order, whatever the order of submission
    assert keep(first) == keep(second) == tuple(sorted(texts, key=text_order))


def test_a_reviewer_submits_once(desk: Runtime) -> None:
    # given 王五 answered about 张三
    cycle = start(desk, "zhangsan")
    answer(desk, "wangwu", "zhangsan", {"collaboration": 4})
    # when he submits again, then it is refused and one response stays
    with pytest.raises(Conflict) as refused:
        answer(desk, "wangwu", "zhangsan", {"collaboration": 1})
    assert refused.value.key == "reviews.error.already_submitted"
    with desk.factory() as session:
        assert len(session.scalars(select(ReviewResponse).filter_by(cycle_id=cycle)).all()) == 1


def test_decline_stops_the_review_and_the_reason_stays_with_the_director(desk: Runtime) -> None:
    cycle_id = start(desk, "zhangsan")
    with demo(desk) as d:
        cycle = service.latest_cycle(d.session, team=d.team)
        service.decline(
            d.session,
            team=d.team,
            cycle=cycle,
            reviewee=d.member("zhangsan"),
            reviewer=d.member("wangwu"),
            reason="不熟悉他的工作",
            now=desk.clock(),
        )
    # then 王五 owes nothing more, and may not answer after declining
    with demo(desk) as d:
        assert (
            service.pending(d.session, team=d.team, reviewer=d.member("wangwu"), now=desk.clock())
            == []
        )
    with pytest.raises(Conflict) as refused:
        answer(desk, "wangwu", "zhangsan", {"collaboration": 4})
    assert refused.value.key == "reviews.error.already_declined"
    with desk.factory() as session:
        requests = session.scalars(select(ReviewRequest).filter_by(cycle_id=cycle_id))
        [row] = [r for r in requests if r.status == "declined"]
        assert row.decline_reason == "不熟悉他的工作"
        assert session.scalars(select(ReviewResponse).filter_by(cycle_id=cycle_id)).all() == []


def test_the_reviewee_reads_nothing_before_release(desk: Runtime) -> None:
    start(desk, "zhangsan")
    for reviewer in ("wangwu", "zhaoliu", "sunqi"):
        answer(desk, reviewer, "zhangsan", {"collaboration": 4})
    # while open, not even the director reads (a growing pool would give the newest away)
    with pytest.raises(Conflict):
        read(desk, "zhangsan", as_="lihua")
    close(desk)
    # closed but not released: the reviewee is refused, another member always is
    with pytest.raises(Conflict) as early:
        read(desk, "zhangsan", as_="zhangsan")
    assert early.value.key == "reviews.error.not_released"
    with pytest.raises(PermissionDenied):
        read(desk, "zhangsan", as_="lisi")
    # a member may not release; the director does
    with demo(desk) as d, pytest.raises(PermissionDenied):
        cycle = service.latest_cycle(d.session, team=d.team)
        service.release(
            d.session,
            team=d.team,
            cycle=cycle,
            reviewee=d.member("zhangsan"),
            by=d.member("lisi"),
            now=desk.clock(),
        )
    with demo(desk) as d:
        cycle = service.latest_cycle(d.session, team=d.team)
        service.release(
            d.session,
            team=d.team,
            cycle=cycle,
            reviewee=d.member("zhangsan"),
            by=d.member("lihua"),
            now=desk.clock(),
        )
    found = read(desk, "zhangsan", as_="zhangsan")
    assert found.released and next(p for p in found.pools if p.pool == "peer").answers == 3


def test_bad_answers_change_nothing(desk: Runtime) -> None:
    cycle = start(desk, "zhangsan")
    for bad, key in (
        ({"collaboration": 6}, "reviews.error.bad_rating"),
        ({"collaboration": "很好"}, "reviews.error.bad_rating"),
        ({"nosuch": 3}, "reviews.error.unknown_question"),
        ({"keep": "   "}, "reviews.error.empty"),
        ({}, "reviews.error.empty"),
        ({"keep": "长" * 2001}, "reviews.error.too_long"),
    ):
        with pytest.raises(Invalid) as refused:
            answer(desk, "wangwu", "zhangsan", bad)
        assert refused.value.key == key, bad
    with desk.factory() as session:
        assert session.scalars(select(ReviewResponse).filter_by(cycle_id=cycle)).all() == []
        statuses = {
            r.status for r in session.scalars(select(ReviewRequest).filter_by(cycle_id=cycle))
        }
        assert statuses == {"invited"}
    # and the request can still be answered
    answer(desk, "wangwu", "zhangsan", {"collaboration": "5"})


def test_k_is_fixed_when_the_cycle_starts_and_never_below_two(desk: Runtime) -> None:
    from teamassist.reviews import settings as review_settings

    with demo(desk) as d:
        with pytest.raises(Invalid):
            review_settings.update(d.team, min_answers=1)
        d.team.settings = {**(d.team.settings or {}), "reviews": {"min_answers": 1}}
        assert review_settings.of(d.team).min_answers == 2  # a hand-edited 1 reads as 2
        review_settings.update(d.team, min_answers=3)
    start(desk, "zhangsan")
    answer(desk, "wangwu", "zhangsan", {"collaboration": 4})
    answer(desk, "zhaoliu", "zhangsan", {"collaboration": 4})
    with demo(desk) as d:  # lowering the team's k later does not reveal this cycle's pool
        review_settings.update(d.team, min_answers=2)
    close(desk)
    assert (
        next(p for p in read(desk, "zhangsan", as_="lihua").pools if p.pool == "peer").shown
        is False
    )


def test_the_workspace_export_carries_no_answer(desk: Runtime) -> None:
    # given two peers answered about 张三 (below k) and three about 李四 (shown)
    start(desk, "zhangsan", "lisi")
    answer(desk, "wangwu", "zhangsan", {"collaboration": 2, "change": "只有两份的评语"})
    answer(desk, "zhaoliu", "zhangsan", {"collaboration": 3, "change": "另一份评语"})
    for reviewer in ("wangwu", "zhaoliu", "sunqi"):
        answer(desk, reviewer, "lisi", {"keep": f"{reviewer}对李四的评语"})
    close(desk)
    # when an admin exports the workspace
    with demo(desk) as d:
        workspace = d.session.get(Workspace, d.team.workspace_id)
        assert workspace is not None
        archive = export_workspace(d.session, workspace=workspace, now=desk.clock())
    files = zipfile.ZipFile(io.BytesIO(archive.data))
    everything = "".join(files.read(name).decode("utf-8") for name in files.namelist())
    # then no answer is in any file, below k or not; the requests are there, without time, and
    # an invited request cannot be told from a submitted one (who answered stays unsaid)
    assert "只有两份的评语" not in everything and "另一份评语" not in everything
    assert "对李四的评语" not in everything
    tables = json.loads(files.read("workspace.json"))["tables"]
    assert tables.get("review_response", []) == []
    assert "csv/review_response.csv" not in files.namelist()
    requests = tables["review_request"]
    assert len(requests) >= 6  # two reviewers of 张三 and three of 李四 answered, at least
    assert {r["status"] for r in requests} <= {None, "declined", "nominated"}
    assert None in {r["status"] for r in requests}
