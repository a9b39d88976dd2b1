"""Issue 11, found by a tester: the one-time ``/setup`` link submitted 12 times at once on
PostgreSQL founded 12 workspaces. The winner now comes from the database (the first-run claim
row, written in the transaction that founds the workspace): through a real server, on every
backend, exactly one submission founds the install; the others get the friendly 409 page and
write nothing."""

from __future__ import annotations

import re
import threading

import httpx
from sqlalchemy import func, select

from teamassist.runtime import Runtime
from teamassist.team.models import LocalAccount, Member, Workspace
from teamassist.team.setup_models import FirstRunClaim
from teamassist.team.setup_pages import setup_token
from teamassist.web.app import create_app
from tests.support.server import serve

AT_ONCE = 12
ALREADY = "这个实例已经完成首次设置"


def _count(runtime: Runtime, model: type) -> int:
    with runtime.factory() as session:
        return int(session.scalar(select(func.count()).select_from(model)) or 0)


def test_twelve_setup_submissions_at_once_found_one_workspace(runtime: Runtime) -> None:
    app = create_app(runtime, start_background=False)
    token = setup_token(app)
    with serve(app) as base:
        # httpx's default 5 s read timeout: a fresh server's first page took longer on a
        # loaded CI machine (2 cores, the whole suite running); the race is the posts below
        with httpx.Client(base_url=base, timeout=120) as browser:
            form = browser.get("/setup", params={"token": token})
            assert form.status_code == 200
            match = re.search(r'name="form_key" value="([^"]+)"', form.text)
            assert match, form.text
            cookies = dict(browser.cookies)
        barrier = threading.Barrier(AT_ONCE)
        results: list[httpx.Response] = []
        lock = threading.Lock()

        def submit(i: int) -> None:
            data = {
                "token": token,
                "form_key": match.group(1),
                "workspace": f"社区{i}",  # all different: nothing but the claim can collide
                "workspace_key": "",
                "team": "核心团队",
                "timezone": "Asia/Shanghai",
                "handle": f"boss{i}",
                "name": "",
                "password": "correct-horse-battery",
                "password_again": "correct-horse-battery",
            }
            with httpx.Client(base_url=base, cookies=cookies, timeout=300) as client:
                barrier.wait()
                response = client.post("/setup", data=data, follow_redirects=False)
            with lock:
                results.append(response)

        threads = [threading.Thread(target=submit, args=(i,)) for i in range(AT_ONCE)]
        for thread in threads:
            thread.start()
        for thread in threads:
            thread.join(timeout=320)
    codes = sorted(r.status_code for r in results)
    assert codes == [303] + [409] * (AT_ONCE - 1), codes
    for refused in (r for r in results if r.status_code == 409):
        assert ALREADY in refused.text and "/login" in refused.text
    assert _count(runtime, Workspace) == 1
    assert _count(runtime, LocalAccount) == 1 and _count(runtime, Member) == 1
    assert _count(runtime, FirstRunClaim) == 1
