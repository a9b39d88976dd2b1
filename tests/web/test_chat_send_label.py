"""The web chat's transcript line of a refused message names who sent it."""

from __future__ import annotations

import re

from fastapi.testclient import TestClient

from teamassist.runtime import Runtime
from teamassist.web.app import create_app
from tests.conftest import load_demo
from tests.support.web import give_account, sign_in


def test_a_refused_line_is_labelled_with_the_signed_in_person(runtime: Runtime) -> None:
    """Tester F5 (session 16): signed in as zhangsan, ``POST /chat/send`` with
    ``speaker=lisi`` and ``text=/我是谁`` was refused, yet the transcript labelled it "lisi"."""
    load_demo(runtime)
    with TestClient(create_app(runtime, start_background=False)) as client:
        sign_in(client, "zhangsan", give_account(runtime, "zhangsan"))
        page = client.post("/chat/send", data={"text": "/我是谁", "speaker": "lisi"})
        assert page.status_code == 200, page.text
        [who] = re.findall(r'<span class="who">([^<]*)</span>', page.text)
        assert who == "zhangsan", page.text
        # the "as" rule, said (5eb8fc9): only the default team's admins speak for others
        assert "只有工作区管理员（默认团队「" in page.text
        # Their own line keeps their name.
        own = client.post("/chat/send", data={"text": "/我是谁", "speaker": "zhangsan"})
        assert re.findall(r'<span class="who">([^<]*)</span>', own.text) == ["zhangsan"]
