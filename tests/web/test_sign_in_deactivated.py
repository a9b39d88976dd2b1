"""A deactivated member's right password: the sign-in form says why, and only to that caller
(tester s26 A-2: bounced from / back to an empty form, no word, as if it had worked)."""

from __future__ import annotations

from fastapi.testclient import TestClient
from sqlalchemy import func, select

from teamassist.database import transaction
from teamassist.i18n import t
from teamassist.runtime import Runtime
from teamassist.team import people
from teamassist.team.models import WebSession
from teamassist.web.app import create_app
from tests.conftest import load_demo
from tests.support.web import give_account
from tests.team.support import demo


def _sessions(runtime: Runtime) -> int:
    with runtime.factory() as session:
        return session.scalar(select(func.count()).select_from(WebSession)) or 0


def test_the_right_password_of_a_deactivated_member_is_told_why(sqlite_runtime: Runtime) -> None:
    runtime = sqlite_runtime
    load_demo(runtime)
    password = give_account(runtime, "lisi")
    with transaction(runtime.factory) as session:
        people.deactivate(session, member=demo(session)["lisi"], now=runtime.clock())
    before = _sessions(runtime)
    with TestClient(create_app(runtime, start_background=False)) as client:
        right = client.post(
            "/login", data={"username": "lisi", "password": password}, follow_redirects=False
        )
        wrong = client.post(
            "/login", data={"username": "lisi", "password": "nope"}, follow_redirects=False
        )
        nobody = client.post(
            "/login", data={"username": "nobody", "password": "nope"}, follow_redirects=False
        )
    assert right.status_code == 403, right.text
    assert "这个账号的成员已停用" in right.text and "/启用成员" in right.text
    assert t("web.login_failed") not in right.text
    # a wrong password learns nothing: the same answer as for a name nobody has
    for other in (wrong, nobody):
        assert other.status_code == 200 and t("web.login_failed") in other.text
        assert "已停用" not in other.text
    assert _sessions(runtime) == before


def test_an_active_member_still_signs_in(sqlite_runtime: Runtime) -> None:
    runtime = sqlite_runtime
    load_demo(runtime)
    password = give_account(runtime, "lisi")
    with TestClient(create_app(runtime, start_background=False)) as client:
        signed = client.post(
            "/login", data={"username": "lisi", "password": password}, follow_redirects=False
        )
        assert signed.status_code == 303 and signed.headers["location"] == "/"
        assert client.get("/", follow_redirects=False).status_code == 200


def test_a_nul_in_the_name_is_a_wrong_sign_in_on_every_backend(runtime: Runtime) -> None:
    """Tester s26 A-10: PostgreSQL answered 422 「超出了可以保存的范围」, the others the form."""
    load_demo(runtime)
    with TestClient(create_app(runtime, start_background=False)) as client:
        answer = client.post(
            "/login", data={"username": "ad\x00min", "password": "admin"}, follow_redirects=False
        )
    assert answer.status_code == 200, answer.text
    assert t("web.login_failed") in answer.text
