"""The web chat's 发言身份 list offers only whom the signed-in person may speak as. A tester's
plain member was offered all 308 people ("在这里以任意成员的身份…"), and each was refused when
chosen: a promise the page did not keep."""

from __future__ import annotations

import re

from teamassist.runtime import Runtime
from tests.conftest import load_demo
from tests.web.test_member_scope import member_client


def _speakers(page: str) -> list[str]:
    select = re.search(r'<select name="speaker".*?</select>', page, re.S)
    assert select, page
    return re.findall(r'<option value="([^"]+)"', select.group(0))


def test_a_member_speaks_only_as_themself_and_an_admin_as_anyone(
    sqlite_runtime: Runtime,
) -> None:
    load_demo(sqlite_runtime)
    member = member_client(sqlite_runtime, "zhangsan").get("/chat")
    assert member.status_code == 200
    assert _speakers(member.text) == ["zhangsan"]
    assert "任意成员" not in member.text
    admin = member_client(sqlite_runtime, "admin").get("/chat")
    assert len(_speakers(admin.text)) > 5 and "任意成员" in admin.text
