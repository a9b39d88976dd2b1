"""An account name is one name whatever its case or width, on every backend (tester s24 F10:
``Admin`` made a second account on SQLite and PostgreSQL and changed ``admin``'s on MariaDB,
whose collation ignores case)."""

from __future__ import annotations

from collections.abc import Callable

import pytest
from fastapi.testclient import TestClient
from sqlalchemy import select
from sqlalchemy.orm import Session

from teamassist.database import transaction
from teamassist.exceptions import Conflict, DomainError
from teamassist.http import auth
from teamassist.runtime import Runtime
from teamassist.team.models import LocalAccount
from teamassist.team.workspaces import Founding, found
from teamassist.web.app import create_app
from tests.conftest import load_demo
from tests.support.races import side_by_side


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


def test_two_creates_folding_alike_at_once_make_one_account(runtime: Runtime) -> None:
    """``Admin`` and ``ａｄｍｉｎ`` created at one instant: on PostgreSQL and MariaDB both find no
    account; the unique folded name keeps the first, the other hears the same refusal a late
    create does (SQLite lets one writer in at a time: the second reads the first's account)."""

    def create(name: str) -> Callable[[Session], None]:
        def work(session: Session) -> None:
            auth.set_password(session, username=name, password="Abcdefgh1234!!", member=None)

        return work

    outcome = side_by_side(runtime, [create("Admin"), create("ａｄｍｉｎ")], read=_read_accounts)

    assert outcome == ["ok", "setup.error.username_near"], outcome
    [(name, _hash)] = _accounts(runtime)
    assert name in ("Admin", "ａｄｍｉｎ")


def test_a_workspace_founded_by_a_handle_folding_like_an_account_is_refused(
    runtime: Runtime,
) -> None:
    """The founding's check read the exact name: ``Admin`` beside the ``admin`` account made a
    second sign-in on SQLite and PostgreSQL; now the folded name is one account's."""
    load_demo(runtime)
    before = _accounts(runtime)
    with pytest.raises(Conflict) as refused, transaction(runtime.factory) as session:
        found(
            session,
            Founding(workspace_name="新社区", team_name="新团队", admin_handle="Admin"),
            password_hash="x",
        )
    assert refused.value.key == "setup.error.account_exists"
    assert _accounts(runtime) == before


def _read_accounts(session: Session) -> None:
    session.scalars(select(LocalAccount)).all()


def test_sign_in_folds_the_name_as_account_creation_does(runtime: Runtime) -> None:
    """Testers s25 F-B10, F-21: ``BOSS`` signed in on MariaDB only (its collation) and ``ｂｏｓｓ``
    nowhere, while the CLI called both the same name as ``boss``. On every backend now."""
    load_demo(runtime)
    with TestClient(create_app(runtime, start_background=False)) as client:
        for typed in ("Admin", "ＡＤＭＩＮ", "ａｄｍｉｎ", " admin "):
            signed = client.post(
                "/login", data={"username": typed, "password": "admin"}, follow_redirects=False
            )
            assert signed.status_code == 303, (typed, signed.text)
            client.cookies.clear()
        wrong = client.post(
            "/login", data={"username": "ＡＤＭＩＮ", "password": "nope"}, follow_redirects=False
        )
        assert wrong.status_code == 200 and "login" in wrong.text.lower()


def test_names_differing_by_accents_are_two_accounts(runtime: Runtime) -> None:
    """The folding rule is case and width only: ``Anne`` and ``Änne`` are two names, as their
    folded keys say. MariaDB's unique key on the name itself compared them accent-blind
    (utf8mb4_unicode_ci): the second create met an IntegrityError that no folded name
    explained, a 500. Each backend; each account signs in with its own password."""
    load_demo(runtime)
    passwords = {"Anne": "Abcdefgh1234!!", "Änne": "Zyxwvuts9876??", "Åsa": "Qwertyui5678##"}
    with transaction(runtime.factory) as session:
        auth.set_password(session, username="Asa", password="Asdfghjk1234$$", member=None)
    for name, password in passwords.items():
        with transaction(runtime.factory) as session:
            assert auth.set_password(session, username=name, password=password, member=None)
    assert [name for name, _ in _accounts(runtime)] == ["admin", "Asa", "Anne", "Änne", "Åsa"]
    with TestClient(create_app(runtime, start_background=False)) as client:
        for name, password in passwords.items():
            signed = client.post(
                "/login", data={"username": name, "password": password}, follow_redirects=False
            )
            assert signed.status_code == 303, (name, signed.text)
            client.cookies.clear()
        # and one account's password is not the other's
        wrong = client.post(
            "/login",
            data={"username": "Änne", "password": passwords["Anne"]},
            follow_redirects=False,
        )
        assert wrong.status_code == 200
