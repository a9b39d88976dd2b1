"""REST creates of objectives and KRs honour ``Idempotency-Key`` through the one store
announcements use too (``http.idempotency``): the same key and body again answer the first
answer (201, the same body, ``Idempotency-Replayed: true``), nothing made again; the same key
with another body is refused naming it. A retried create used to be refused 409 by the repeat
guard (b8293a1), or, for the global token, doubled (tester s27 C-4)."""

from __future__ import annotations

from collections.abc import Iterator
from concurrent.futures import ThreadPoolExecutor
from typing import Any

import httpx
import pytest
from fastapi.testclient import TestClient
from sqlalchemy import func, select

from teamassist.clock import FrozenClock
from teamassist.http.idempotency import IdempotencyKey, stored_key
from teamassist.okr.models import KeyResult, Objective
from teamassist.runtime import Runtime
from teamassist.web.app import create_app
from tests.conftest import load_demo, make_runtime
from tests.okr.support import set_clock
from tests.support.server import serve
from tests.support.web import give_account, sign_in

TOKEN = "okr-idempotency-token"
REPLAYED = "Idempotency-Replayed"


def _count(runtime: Runtime, model: type[Any], *where: Any) -> int:
    with runtime.factory() as session:
        return session.scalar(select(func.count()).select_from(model).where(*where)) or 0


@pytest.fixture
def api(sqlite_url: str, clock: FrozenClock) -> Iterator[TestClient]:
    runtime = make_runtime(sqlite_url, clock, web={"api_token": TOKEN})
    load_demo(runtime)
    set_clock(runtime, "2026-11-16 09:00")
    with TestClient(create_app(runtime, start_background=False)) as client:
        sign_in(client)  # the demo's admin
        yield client
    runtime.close()


def _runtime(client: TestClient) -> Runtime:
    runtime: Runtime = client.app.state.runtime  # type: ignore[attr-defined]
    return runtime


def test_the_same_key_and_body_answer_the_first_objective(api: TestClient) -> None:
    runtime = _runtime(api)
    body = {"title": "幂等目标", "owner": "zhangsan"}
    key = {"Idempotency-Key": "o-1"}
    first = api.post("/api/v1/okr/objectives", json=body, headers=key)
    assert first.status_code == 201, first.text
    assert REPLAYED not in first.headers
    # the same request again, its keys in another order: the first answer, nothing made
    again = api.post("/api/v1/okr/objectives", json=dict(reversed(body.items())), headers=key)
    assert again.status_code == 201, again.text
    assert again.headers[REPLAYED] == "true"
    assert again.json() == first.json()
    assert _count(runtime, Objective, Objective.title == "幂等目标") == 1
    # another body with the key: refused, naming the key and what it made; nothing made
    other = api.post("/api/v1/okr/objectives", json={"title": "别的目标"}, headers=key)
    assert other.status_code == 422, other.text
    assert other.json()["error"] == "core.error.idempotency_key_reused"
    message = other.json()["message"]
    assert "o-1" in message and f"{first.json()['ref']}「幂等目标」" in message, message
    assert _count(runtime, Objective, Objective.title == "别的目标") == 0
    # without a key, the repeat guard still answers a retry (409, naming the first)
    repeat = api.post("/api/v1/okr/objectives", json=body)
    assert repeat.status_code == 409, repeat.text
    assert repeat.json()["error"] == "okr.error.objective_repeat_for"


def test_the_same_key_and_body_answer_the_first_key_result(api: TestClient) -> None:
    runtime = _runtime(api)
    made = api.post("/api/v1/okr/objectives", json={"title": "带KR的目标"})
    assert made.status_code == 201, made.text
    path = f"/api/v1/okr/objectives/{made.json()['id']}/key-results"
    body = {"title": "幂等KR", "start": 0, "target": 10, "unit": "个", "weight": 50}
    key = {"Idempotency-Key": "kr-1"}
    first = api.post(path, json=body, headers=key)
    assert first.status_code == 201, first.text
    again = api.post(path, json=body, headers=key)
    assert (again.status_code, again.headers.get(REPLAYED)) == (201, "true"), again.text
    assert again.json() == first.json()
    assert [k["weight"] for k in again.json()["key_results"]] == [50]  # not weighed twice
    assert _count(runtime, KeyResult, KeyResult.title == "幂等KR") == 1
    other = api.post(path, json={**body, "target": 20}, headers=key)
    assert other.status_code == 422 and "KR-1「幂等KR」" in other.json()["message"], other.text
    assert _count(runtime, KeyResult, KeyResult.objective_id == made.json()["id"]) == 1


def test_a_replay_after_the_objective_was_deleted_says_so(api: TestClient) -> None:
    """Tester s28 E-12: the key's retry after the O was deleted answered 201 with the deleted
    O's body, and a script went on to add KRs to it."""
    runtime = _runtime(api)
    key = {"Idempotency-Key": "del-1"}
    body = {"title": "删后重放"}
    made = api.post("/api/v1/okr/objectives", json=body, headers=key)
    assert made.status_code == 201, made.text
    kr_path = f"/api/v1/okr/objectives/{made.json()['id']}/key-results"
    kr_key = {"Idempotency-Key": "del-kr-1"}
    kr = {"title": "删后KR", "start": 0, "target": 3, "unit": "个"}
    assert api.post(kr_path, json=kr, headers=kr_key).status_code == 201
    assert api.delete(f"/api/v1/okr/objectives/{made.json()['id']}").status_code == 204
    again = api.post("/api/v1/okr/objectives", json=body, headers=key)
    assert (again.status_code, again.json()["error"]) == (409, "okr.error.replay_gone"), again.text
    assert f"{made.json()['ref']}「删后重放」已经删除了" in again.json()["message"], again.text
    kr_again = api.post(kr_path, json=kr, headers=kr_key)
    assert (kr_again.status_code, kr_again.json()["error"]) == (409, "okr.error.replay_gone")
    assert _count(runtime, Objective, Objective.title == "删后重放") == 0


def test_a_key_belongs_to_its_caller(api: TestClient) -> None:
    """The admin's key ``same`` and zhangsan's ``same`` each make their own O."""
    runtime = _runtime(api)
    key = {"Idempotency-Key": "same"}
    mine = api.post("/api/v1/okr/objectives", json={"title": "各自的目标"}, headers=key)
    assert mine.status_code == 201, mine.text
    with TestClient(create_app(runtime, start_background=False)) as other:
        sign_in(other, "zhangsan", give_account(runtime, "zhangsan"))
        theirs = other.post("/api/v1/okr/objectives", json={"title": "各自的目标"}, headers=key)
        assert theirs.status_code == 201, theirs.text
        assert REPLAYED not in theirs.headers
    assert theirs.json()["id"] != mine.json()["id"]
    assert _count(runtime, IdempotencyKey, IdempotencyKey.key == stored_key("same")) == 2


@pytest.fixture
def any_api(db_url: str, clock: FrozenClock) -> Iterator[TestClient]:
    """As ``api``, on every backend (MariaDB's collation is the subject)."""
    runtime = make_runtime(db_url, clock, web={"api_token": TOKEN})
    load_demo(runtime)
    set_clock(runtime, "2026-11-16 09:00")
    with TestClient(create_app(runtime, start_background=False)) as client:
        sign_in(client)
        yield client
    runtime.close()


def test_keys_differing_in_case_or_accents_are_two_keys(any_api: TestClient) -> None:
    """Tester s28 E-3: on MariaDB ``T28B-K1`` and ``t28b-k1`` (or ``kÉ`` and ``ke``) were one key
    (its collation folds case and accents): the second was refused as reused, or answered with
    the other's O. A key is opaque, compared exactly on every backend."""
    api = any_api
    runtime = _runtime(api)
    for first, second in (("T28B-K1", "t28b-k1"), ("t28b-kÉ", "t28b-ke")):
        for n, key in enumerate((first, second)):
            made = api.post(
                "/api/v1/okr/objectives",
                json={"title": f"键{first}{n}"},
                headers={b"Idempotency-Key": key.encode("latin-1")},  # as HTTP carries it
            )
            assert made.status_code == 201, made.text
            assert REPLAYED not in made.headers
    assert _count(runtime, Objective, Objective.title.like("键%")) == 4


@pytest.fixture
def served(db_url: str, clock: FrozenClock) -> Iterator[tuple[Runtime, str]]:
    """The demo workspace on 2026-11-16 (2026Q4) behind a real server, on every backend."""
    runtime = make_runtime(db_url, clock, web={"api_token": TOKEN})
    load_demo(runtime)
    set_clock(runtime, "2026-11-16 09:00")
    with serve(create_app(runtime)) as base:
        yield runtime, base
    runtime.close()


def test_twenty_retries_of_one_key_at_once_make_one_objective(
    served: tuple[Runtime, str],
) -> None:
    """Tester s27 C-4: 20 at once with one key made 20 objectives (PostgreSQL, MariaDB)."""
    runtime, base = served
    headers = {"authorization": f"Bearer {TOKEN}", "Idempotency-Key": "seq-k1"}
    with httpx.Client(base_url=base, headers=headers, timeout=120) as client:

        def create(_n: int) -> tuple[int, bool, dict[str, Any]]:
            answer = client.post("/api/v1/okr/objectives", json={"title": "幂等目标"})
            return answer.status_code, REPLAYED in answer.headers, answer.json()

        with ThreadPoolExecutor(max_workers=20) as pool:
            answers = list(pool.map(create, range(20)))

    assert (
        sorted((status, replayed) for status, replayed, _ in answers)
        == [(201, False)] + [(201, True)] * 19
    ), answers
    bodies = [body for _status, _replayed, body in answers]
    assert all(body == bodies[0] for body in bodies), bodies
    assert _count(runtime, Objective, Objective.title == "幂等目标") == 1
