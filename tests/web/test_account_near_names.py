"""An account name is one name whatever its case or width, on every backend (tester s24 F10:
``Admin`` made a second account on SQLite and PostgreSQL and changed ``admin``'s on MariaDB,
whose collation ignores case)."""

from __future__ import annotations

import pytest
from sqlalchemy import select

from teamassist.database import transaction
from teamassist.exceptions import DomainError
from teamassist.http import auth
from teamassist.runtime import Runtime
from teamassist.team.models import LocalAccount
from tests.conftest import load_demo


def _accounts(runtime: Runtime) -> list[tuple[str, str]]:
    with runtime.factory() as session:
        rows = session.execute(
            select(LocalAccount.username, LocalAccount.password_hash).order_by(LocalAccount.id)
        )
        return [(name, hashed) for name, hashed in rows]


def test_a_name_differing_only_in_case_or_width_is_refused(runtime: Runtime) -> None:
    load_demo(runtime)
    before = _accounts(runtime)
    assert [name for name, _ in before] == ["admin"]
    for near in ("Admin", "ＡＤＭＩＮ", "ａｄｍｉｎ"):
        with pytest.raises(DomainError) as refused, transaction(runtime.factory) as session:
            auth.set_password(session, username=near, password="Abcdefgh1234!!", member=None)
        assert refused.value.key == "setup.error.username_near"
        assert _accounts(runtime) == before
    with transaction(runtime.factory) as session:
        assert (
            auth.set_password(session, username="admin", password="Abcdefgh1234!!", member=None)
            is False
        )
        assert (
            auth.set_password(session, username="auditor", password="Abcdefgh1234!!", member=None)
            is True
        )
    after = _accounts(runtime)
    assert [name for name, _ in after] == ["admin", "auditor"] and after[0] != before[0]
