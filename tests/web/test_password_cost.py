"""The cost of a dashboard password hash is a setting (``web.password_hash``): strong by default
(RFC 9106's second recommended option), the cheapest in this suite (tests/conftest.py), and a
stored hash signs in at the cost it was made with, whatever the process's setting is now."""

from __future__ import annotations

from collections.abc import Iterator

import pytest
from fastapi.testclient import TestClient
from pydantic import ValidationError

from teamassist.clock import FrozenClock
from teamassist.config import PasswordHashSettings, Settings
from teamassist.database import transaction
from teamassist.http import auth
from teamassist.team.models import LocalAccount
from teamassist.web.app import create_app
from tests.conftest import CHEAP_PASSWORD_HASH, load_demo, make_runtime
from tests.support.web import give_account, sign_in

# RFC 9106 §4: "t=3 iterations, p=4 lanes, m=2^(16) (64 MiB of RAM)", as argon2 writes it.
STRONG = "$argon2id$v=19$m=65536,t=3,p=4$"
CHEAP = "$argon2id$v=19$m=8,t=1,p=1$"


@pytest.fixture
def default_cost(monkeypatch: pytest.MonkeyPatch) -> Iterator[None]:
    """The environment without the suite's cheap cost; the process's cost put back after (a
    runtime built here installs the strong one)."""
    for name in CHEAP_PASSWORD_HASH:
        monkeypatch.delenv(f"TEAMASSIST_WEB__PASSWORD_HASH__{name}")
    before = auth.hash_cost()
    yield
    auth.install_hash_cost(before)


def _stored_hash(url: str, clock: FrozenClock, username: str) -> str:
    rt = make_runtime(url, clock)
    try:
        with transaction(rt.factory) as session:
            account = session.query(LocalAccount).filter_by(username=username).one()
            return account.password_hash
    finally:
        rt.close()


def test_the_product_hashes_at_rfc_9106_low_memory_by_default(
    default_cost: None, sqlite_url: str, clock: FrozenClock
) -> None:
    assert Settings().web.password_hash == PasswordHashSettings(
        time_cost=3, memory_kib=65_536, parallelism=4
    )
    rt = make_runtime(sqlite_url, clock)  # build_runtime installs the settings' cost
    try:
        # No demo here: this worker's copy of the demo (tests/support/snapshots.py) would keep
        # the admin's strong hash, and every later sign-in as admin would pay for it.
        with transaction(rt.factory) as session:
            auth.set_password(session, username="owner", password="pw-strong", member=None)
    finally:
        rt.close()
    assert _stored_hash(sqlite_url, clock, "owner").startswith(STRONG)


def test_the_suite_hashes_at_the_cheapest_cost(sqlite_url: str, clock: FrozenClock) -> None:
    assert Settings().web.password_hash == PasswordHashSettings(
        time_cost=1, memory_kib=8, parallelism=1
    )
    rt = make_runtime(sqlite_url, clock)
    try:
        load_demo(rt)
        give_account(rt, "lisi", "pw-cheap")
        assert auth.hash_cost().time_cost == 1
    finally:
        rt.close()
    assert _stored_hash(sqlite_url, clock, "lisi").startswith(CHEAP)


def test_a_strong_hash_signs_in_where_new_ones_are_cheap(
    sqlite_url: str, clock: FrozenClock
) -> None:
    strong = PasswordHashSettings()
    rt = make_runtime(sqlite_url, clock)  # the suite's cheap cost
    try:
        load_demo(rt)
        auth.install_hash_cost(strong)  # as a process with the default settings would
        try:
            give_account(rt, "lisi", "pw-made-strong")
        finally:
            auth.install_hash_cost(rt.settings.web.password_hash)
        assert auth.hash_cost().time_cost == 1
        with TestClient(create_app(rt, start_background=False)) as client:
            sign_in(client, "lisi", "pw-made-strong")
            assert client.get("/").status_code == 200
        with TestClient(create_app(rt, start_background=False)) as client:
            refused = client.post(
                "/login",
                data={"username": "lisi", "password": "pw-made-cheap"},
                follow_redirects=False,
            )
            assert refused.status_code == 200  # the form again, not a redirect into the app
    finally:
        rt.close()
    assert _stored_hash(sqlite_url, clock, "lisi").startswith(STRONG)


@pytest.mark.parametrize(
    ("fields", "word"),
    [
        ({"memory_kib": 16, "parallelism": 4}, "at least 8 per lane: 32"),
        ({"time_cost": 0}, "greater than or equal to 1"),
        ({"memory_kib": 4, "parallelism": 1}, "greater than or equal to 8"),
        ({"memory_kib": 99_999_999_999}, "less than or equal to 4294967295"),
        ({"time_cost": 2**32}, "less than or equal to 4294967295"),
        ({"parallelism": 2**24}, "less than or equal to 16777215"),
    ],
)
def test_a_cost_argon2_cannot_run_is_refused(fields: dict[str, int], word: str) -> None:
    with pytest.raises(ValidationError, match=word):
        PasswordHashSettings(**fields)
