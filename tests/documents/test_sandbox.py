"""The general cap on a team-editable template (tester s27 B-1, s26 B-19): every render runs in a
child of the render host with a memory and a time limit, so a template that grows a value
without bound or loops for minutes is refused with the friendly error, and the server, the
next render and the renders beside it go on. A pool of its own here, with low limits."""

from __future__ import annotations

import contextlib
import signal
import subprocess
import sys
import threading
import time
from collections.abc import Callable, Iterator
from concurrent.futures import ThreadPoolExecutor
from dataclasses import replace
from pathlib import Path

import pytest

from teamassist import documents
from teamassist.clock import FrozenClock
from teamassist.documents import sandbox, templating
from teamassist.documents.limits import RenderLimits
from teamassist.documents.sandbox_worker import Batch, Conversion
from teamassist.exceptions import Invalid
from teamassist.reports import kinds
from tests.conftest import make_runtime

REPORTS = "teamassist.reports"
BUDGET = "reports.error.template_budget"
SECONDS = 1.0  # the test pool's time limit per document
MEMORY_MIB = 32  # and its memory over the host's

# Tester s27 B-1's templates, each saved (200) before, and what refuses each now.
DOUBLING = (
    '{% set ns = namespace(s="x" * 100000) %}{% for i in range(40) %}'
    "{% set ns.s = ns.s ~ ns.s %}{% endfor %}{{ ns.s|length }}"
)
B1 = {
    "lipsum": ("{{ lipsum(100000)|length }}", "没有叫「lipsum」的字段"),
    "concat": (DOUBLING, f"内存太多（每次最多 {MEMORY_MIB} MB）"),
    "plus": (DOUBLING.replace("ns.s ~ ns.s", "ns.s + ns.s"), "内存太多"),
    "extend": (
        '{% set l = ["x"] %}{% for i in range(40) %}{{ l.extend(l) or "" }}{% endfor %}'
        "{{ l|length }}",
        "不允许使用「extend」",
    ),
    "list_plus": (
        "{% set ns = namespace(l=[1]) %}{% for i in range(40) %}"
        "{% set ns.l = ns.l + ns.l %}{% endfor %}{{ ns.l|length }}",
        "内存太多",
    ),
    "wordwrap": (
        '{{ ("x " * 1000)|wordwrap(1, wrapstring=("y" * 1000))|length }}',
        "折行",
    ),
}
# Passes every budget (no range, no product, little output) and would loop for minutes.
SPINS = '{% for a in "x" * 99999 %}{% for b in "x" * 99999 %}{% endfor %}{% endfor %}'


@pytest.fixture(scope="module")
def pool() -> Iterator[sandbox.Pool]:
    low = sandbox.Pool(RenderLimits(workers=2, memory_mib=MEMORY_MIB, seconds=SECONDS))
    assert low.render(_batch("ok")) == ["ok"]  # its host started (once per process)
    yield low
    low.close()


def _batch(
    source: str,
    *contexts: dict[str, object],
    budget_key: str | None = BUDGET,
    seconds: float = SECONDS,
    total_seconds: float | None = None,
    cpu_seconds: float | None = None,
) -> Batch:
    return Batch(
        source=source,
        contexts=list(contexts) or [{}],
        package=REPORTS,
        error_key="reports.error.template",
        budget_key=budget_key,
        seconds=seconds,
        total_seconds=total_seconds,
        cpu_seconds=cpu_seconds,
    )


def _weekly() -> tuple[str, dict[str, object]]:
    return documents.default_source("weekly.md.j2", package=REPORTS), kinds.sample_context()


@pytest.mark.parametrize("name", list(B1))
def test_each_of_the_testers_templates_is_refused_quickly(pool: sandbox.Pool, name: str) -> None:
    source, said = B1[name]
    with pytest.raises(Invalid) as refused:
        pool.render(_batch(source))
    assert refused.value.key in (BUDGET, "reports.error.template")
    assert said in refused.value.message()  # the limit that stopped it, not the time limit


def test_a_normal_report_renders_as_it_did_in_process(pool: sandbox.Pool) -> None:
    source, context = _weekly()
    expected = templating.render_here(source, context, package=REPORTS)
    assert "## " in expected  # a real report, not an empty one
    assert pool.render(_batch(source, context)) == [expected]
    # and through the process's own pool (the installed limits), one context or several
    other = {**context, "title": "另一份"}
    assert documents.render_markdown(source, context, package=REPORTS) == expected
    assert documents.render_many(source, [context, other], package=REPORTS) == [
        expected,
        templating.render_here(source, other, package=REPORTS),
    ]


def test_a_render_over_the_time_limit_is_stopped_and_the_next_one_works(
    pool: sandbox.Pool,
) -> None:
    started = time.monotonic()
    with pytest.raises(Invalid) as refused:
        pool.render(_batch(SPINS))
    assert refused.value.key == BUDGET
    assert f"时间太长（每份最多 {SECONDS:g} 秒）" in refused.value.message()
    assert SECONDS <= time.monotonic() - started < SECONDS + 3
    source, context = _weekly()
    assert pool.render(_batch(source, context)) == [
        templating.render_here(source, context, package=REPORTS)
    ]


# Tester s27 C-1's template: ~4 s of CPU a document, under the 5 s cap, so it was saved and
# each per-person pack then held a render place for ~4 s a person.
SLOW = '{% for i in range(19999) %}{% if ("ab"*49999).count("ba") %}{% endif %}{% endfor %}x'


def test_a_batch_shares_one_time_limit_however_quick_each_document(pool: sandbox.Pool) -> None:
    # Given a batch whose documents each have minutes, but all of them a third of a second
    # (the first two quick, the third a runaway: a pack of a slow template, shortened)
    started = time.monotonic()
    pack: list[dict[str, object]] = [{"n": n} for n in range(3)]
    batch = _batch("{% if n == 2 %}" + SPINS + "{% endif %}{{ n }}", *pack)
    with pytest.raises(Invalid) as refused:
        pool.render(replace(batch, seconds=120.0, total_seconds=0.3))
    # then it is stopped at the batch's limit, which the refusal names with its size
    assert "这一次要生成 3 份，合计超过了一次最多的 0.3 秒" in refused.value.message()
    assert time.monotonic() - started < 3  # not the 120 s a document may take


def test_a_template_tried_for_saving_is_held_to_its_cpu_time(pool: sandbox.Pool) -> None:
    # Given C-1's template, tried as a save tries it (CPU time, a fifth of a second here)
    started = time.monotonic()
    with pytest.raises(Invalid) as refused:
        pool.render(_batch(SLOW, seconds=30.0, cpu_seconds=0.2))
    # then it is refused once it has spent that, not at the wall-time cap, saying why
    assert refused.value.key == BUDGET
    assert "生成一份就超过了 0.2 秒" in refused.value.message()
    assert time.monotonic() - started < 3
    # and without a budget key, in the caller's words with the template's line
    with pytest.raises(Invalid) as plain:
        pool.render(_batch("a\n" + SLOW, budget_key=None, seconds=30.0, cpu_seconds=0.2))
    assert plain.value.key == "reports.error.template" and plain.value.params["line"] == 2
    # while the default weekly report, tried the same way, passes far within it
    source, context = _weekly()
    assert pool.render(_batch(source, context, cpu_seconds=0.2)) == [
        templating.render_here(source, context, package=REPORTS)
    ]


def test_one_owner_never_holds_every_place(pool: sandbox.Pool) -> None:
    # Given team 1 rendering in one of the two places
    done = threading.Event()

    def second() -> None:
        pool.render(_batch("二"), owner=("team", 1))
        done.set()

    with pool._place(("team", 1)):
        waiting = threading.Thread(target=second)
        waiting.start()
        # then team 2 renders at once, while team 1's second render waits for its own place
        assert pool.render(_batch("ok"), owner=("team", 2)) == ["ok"]
        assert not done.wait(0.3)
    # and goes once team 1's first is done
    waiting.join(10)
    assert done.is_set()


@pytest.fixture
def heavy_pool(pool: sandbox.Pool) -> Iterator[sandbox.Pool]:
    """The module's pool, its host shared, where a render is heavy after 0.2 s."""
    fair = sandbox.Pool(replace(pool.limits, heavy_seconds=0.2))
    fair._host = pool._host
    yield fair
    fair._host = None  # the module's pool closes it


def _held(pool: sandbox.Pool, *owners: object) -> contextlib.ExitStack:
    """A slow render of each of ``owners`` running: their places held (no CPU spent)."""
    stack = contextlib.ExitStack()
    for owner in owners:
        stack.enter_context(pool._place(owner))
    return stack


def test_two_heavy_teams_never_hold_every_place(heavy_pool: sandbox.Pool) -> None:
    # Tester s28 E-5: teams 1 and 2 render templates slow off the save's sample in both places
    one, two, three = ("team", 1), ("team", 2), ("team", 3)
    with ThreadPoolExecutor(2) as threads, _held(heavy_pool, one, two):
        # then team 3's plain pack renders while both still run (a place more, once they are
        # heavy), instead of waiting up to the batch cap for one of them to end
        plain = threads.submit(heavy_pool.render, _batch("第三队"), owner=three)
        assert plain.result(timeout=15) == ["第三队"]
        assert len(heavy_pool._running) == 2
    # and once known heavy, the two share one place: team 1's next waits while team 2 renders
    with ThreadPoolExecutor(2) as threads, _held(heavy_pool, two):
        again = threads.submit(heavy_pool.render, _batch("一队"), owner=one)
        _until(lambda: heavy_pool.waiting == 1)
        # while a light team still finds the other place at once
        assert heavy_pool.render(_batch("四队"), owner=("team", 4)) == ["四队"]
        assert not again.done()
    assert again.result(timeout=15) == ["一队"]


def test_the_next_place_goes_to_the_team_running_fewest(pool: sandbox.Pool) -> None:
    # three places, two a team (nothing turns heavy here)
    fair = sandbox.Pool(replace(pool.limits, workers=3, heavy_seconds=3600.0))
    fair._host = pool._host
    one, two = ("team", 1), ("team", 2)
    order: list[str] = []

    def render(owner: object, text: str) -> None:
        fair.render(_batch(text), owner=owner)
        order.append(text)

    with ThreadPoolExecutor(2) as threads, _held(fair, one, ("team", 9)):
        with _held(fair, ("team", 8)):  # every place busy, one of them team 1's
            ones = threads.submit(render, one, "一队")
            _until(lambda: fair.waiting == 1)
            twos = threads.submit(render, two, "二队")
            _until(lambda: fair.waiting == 2)
        # a place frees: team 2 (none running) goes before team 1 (one running), which asked
        # first; then team 1 in the next
        twos.result(timeout=15)
        assert order == ["二队"] and not ones.done()
    ones.result(timeout=15)
    fair._host = None


def _until(check: Callable[[], bool], seconds: float = 10.0) -> None:
    deadline = time.monotonic() + seconds
    while not check():
        assert time.monotonic() < deadline, "timed out"
        time.sleep(0.01)


def test_without_a_budget_key_a_limit_is_said_in_the_callers_words(pool: sandbox.Pool) -> None:
    # (a career plan's template): its error key, with the line that ran out of memory
    with pytest.raises(Invalid) as refused:
        pool.render(_batch("ok\n" + DOUBLING, budget_key=None))
    assert refused.value.key == "reports.error.template"
    assert refused.value.params["line"] == 2
    assert "内存太多" in refused.value.message()


def test_a_batch_stops_at_its_first_refusal_with_that_ones_error(pool: sandbox.Pool) -> None:
    source = "{{ members[0].name }}"
    with pytest.raises(Invalid) as refused:
        pool.render(_batch(source, {"members": [{"name": "甲"}]}, {"members": []}))
    assert refused.value.key == "reports.error.template"
    assert "列表里没有第 1 项" in refused.value.message()


def test_renders_side_by_side_get_their_own_text_beside_a_runaway(pool: sandbox.Pool) -> None:
    # Given eight renders at once in a pool of two, one of them a runaway
    def render(number: int) -> str:
        if number == 3:
            with pytest.raises(Invalid):
                pool.render(_batch(B1["concat"][0]))
            return "refused"
        return pool.render(_batch("第{{ n }}份", {"n": number}))[0]

    with ThreadPoolExecutor(8) as threads:
        done = list(threads.map(render, range(8)))
    # then each got its own text, and the runaway its refusal
    assert done == [f"第{n}份" if n != 3 else "refused" for n in range(8)]


def test_the_host_stops_with_its_pool_and_its_server() -> None:
    # A pool's close ends its host.
    closing = sandbox.Pool(RenderLimits(workers=1, memory_mib=MEMORY_MIB, seconds=SECONDS))
    assert closing.render(_batch("ok")) == ["ok"]
    host = closing._host
    assert host is not None
    closing.close()
    assert host.process.returncode is not None
    with pytest.raises(sandbox.HostGone):
        closing.render(_batch("ok"))
    # A server that dies without closing anything (no exit handler) leaves no host behind.
    probe = (
        "import os\n"
        "from teamassist import documents\n"
        "from teamassist.documents import sandbox\n"
        "documents.render_markdown('ok', {}, package='teamassist.reports')\n"
        "print(sandbox.pool()._host.process.pid, flush=True)\n"
        "os._exit(0)\n"
    )
    out = subprocess.run([sys.executable, "-c", probe], capture_output=True, text=True, check=True)
    pid = int(out.stdout.split()[-1])
    deadline = time.monotonic() + 10
    while _running(pid) and time.monotonic() < deadline:
        time.sleep(0.05)
    assert not _running(pid)


def _running(pid: int) -> bool:
    """Whether ``pid`` is a live process (a zombie waiting for its reaper is not)."""
    try:
        state = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()[0]
    except OSError:
        return False
    return state != "Z"


def test_a_host_killed_while_idle_costs_the_next_render_nothing(pool: sandbox.Pool) -> None:
    # Tester s27 C-8: after a kill -9 of the host (the OOM killer's pick) the next report
    # answered an internal error; the send had failed, so nothing had been rendered.
    assert pool.render(_batch("ok")) == ["ok"]
    dead = pool._host
    assert dead is not None
    dead.process.kill()
    dead.process.wait()
    assert pool.render(_batch("第{{ n }}份", {"n": 1})) == ["第1份"]
    assert pool._host is not dead and not dead.alive


def test_a_stuck_host_is_answered_kindly_and_replaced_at_once(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    # Tester s28 E-6: a host that stops answering (kill -STOP; stuck in swap looks the same)
    # cost the person an internal-error id after 20 s
    own = sandbox.Pool(RenderLimits(workers=1, memory_mib=MEMORY_MIB, seconds=0.5))
    try:
        assert own.render(_batch("ok")) == ["ok"]  # its host started, with the usual grace
        stuck = own._host
        assert stuck is not None
        stuck.process.send_signal(signal.SIGSTOP)
        monkeypatch.setattr(sandbox, "_HOST_GRACE_SECONDS", 0.3)
        started = time.monotonic()
        with pytest.raises(sandbox.HostGone) as gone:
            own.render(_batch("第{{ n }}份", {"n": 1}))
        took = time.monotonic() - started
        monkeypatch.undo()
        # then a 503 saying nothing was made or changed, once the render's time and the grace
        # are past (0.8 s here), not also the 5 s a stopped host was given to exit
        assert gone.value.status_code == 503
        assert gone.value.message().startswith("生成文档的服务这次没有响应，文档没有生成")
        assert took < 5.0, took
        # the stuck host is gone, another already started, and the next render works
        assert stuck.process.returncode is not None
        assert own._host is not None and own._host is not stuck and own._host.alive
        assert own.render(_batch("第{{ n }}份", {"n": 2})) == ["第2份"]
    finally:
        own.close()


def test_a_big_table_is_converted_within_the_cap_or_refused() -> None:
    # Tester s28 D-9: a saved template's 5,500-row table cost 215 s of server CPU per PDF
    # (17.6 s per .docx) in the server's request thread; now in a child, 1 s of CPU here
    own = sandbox.Pool(RenderLimits(workers=1, memory_mib=MEMORY_MIB, convert_seconds=1.0))
    rows = "".join(f"| {i} | x | x | x | x | x | x | x |\n" for i in range(5500))
    big = "| a | b | c | d | e | f | g | h |\n|---|---|---|---|---|---|---|---|\n" + rows

    def job(kind: str, markdown: str) -> Conversion:
        return Conversion(kind=kind, markdown=markdown, title="t", cpu_seconds=1.0, memory_mib=1024)

    try:
        assert own.convert(job("pdf", "# 你好")).startswith(b"%PDF")  # host up, PDF warm
        for kind in ("pdf", "docx"):
            started = time.monotonic()
            with pytest.raises(Invalid) as refused:
                own.convert(job(kind, big))
            took = time.monotonic() - started
            assert refused.value.key == "documents.error.convert_budget"
            assert refused.value.message().startswith(
                "这份文档太大，没能转换成可下载的 PDF 或 Word"
            )
            assert took < 15.0, (kind, took)  # 1 s of CPU, 3 s of wall at most, and a fork
        # and the host goes on
        assert own.convert(job("docx", "# 你好")).startswith(b"PK")
    finally:
        own.close()


def test_a_context_that_does_not_pickle_is_a_programming_error(pool: sandbox.Pool) -> None:
    # Contexts are plain values; anything else fails loudly here, not as the template's fault.
    with pytest.raises(AttributeError, match="pickle"):
        pool.render(_batch("{{ f() }}", {"f": lambda: 1}))
    assert pool.render(_batch("ok")) == ["ok"]  # and the pool goes on


def test_a_runtime_closes_the_render_host_unless_the_test_session_holds_it(
    sqlite_url: str, clock: FrozenClock, monkeypatch: pytest.MonkeyPatch
) -> None:
    # Given a runtime that rendered, in a test session (which holds the host)
    held = make_runtime(sqlite_url, clock)
    assert documents.render_markdown("ok", {}, package=REPORTS) == "ok"
    host = sandbox.pool()._host
    assert host is not None
    held.close()
    # then its close leaves the host for the session's next runtime
    assert host.alive and host.process.poll() is None
    # When nothing holds it (a server, a CLI command), a runtime's close stops it
    monkeypatch.setattr(documents, "_holds", 0)
    make_runtime(sqlite_url, clock).close()
    assert host.process.poll() is not None and not host.alive
    # and a runtime that renders nothing starts none
    make_runtime(sqlite_url, clock).close()
    assert sandbox._current is None
