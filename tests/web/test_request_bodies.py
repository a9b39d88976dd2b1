"""Session 14's testers: pydantic's lax reading took ``"due_at": "20261209"`` and bare numbers as
Unix timestamps (1970-08-23: "past"), and most request bodies dropped a typo'd key without a
word. Every REST request body now refuses an unknown key and reads its dates and times as ISO
8601 text only; the walk below covers every body of every route the app builds."""

from __future__ import annotations

import typing
from collections.abc import Iterator
from datetime import UTC, date, datetime
from typing import Any

import pytest
from fastapi.routing import APIRoute
from fastapi.testclient import TestClient
from pydantic import BaseModel, ValidationError

from teamassist.runtime import Runtime
from teamassist.team import service as team_service
from teamassist.web.app import create_app
from teamassist.web.lazy_routes import load_all_routes
from tests.conftest import load_demo
from tests.support.web import sign_in

# What the testers sent: the seed's digits, a Unix timestamp as a number and as text.
NOT_ISO = ("20261209", 20261209, 1765238400, "1765238400", "12/09/2026", True)


def _leaves(annotation: Any) -> Iterator[Any]:
    args = typing.get_args(annotation)
    if typing.get_origin(annotation) is typing.Annotated:
        yield from _leaves(args[0])
    elif args:
        for arg in args:
            yield from _leaves(arg)
    else:
        yield annotation


def _bodies(app_routes: list[Any]) -> dict[type[BaseModel], str]:
    """Every request body model (nested ones too) and a route that takes it."""
    found: dict[type[BaseModel], str] = {}

    def walk(model: type[BaseModel], where: str) -> None:
        if model in found:
            return
        found[model] = where
        for field in model.model_fields.values():
            for leaf in _leaves(field.annotation):
                if isinstance(leaf, type) and issubclass(leaf, BaseModel):
                    walk(leaf, where)

    for route in app_routes:
        if not isinstance(route, APIRoute):
            continue
        for param in route.dependant.body_params:
            for leaf in _leaves(param.field_info.annotation):
                if isinstance(leaf, type) and issubclass(leaf, BaseModel):
                    walk(leaf, f"{sorted(route.methods or ())} {route.path}")
    return found


def _time_fields(model: type[BaseModel]) -> list[str]:
    return [
        name
        for name, field in model.model_fields.items()
        if any(leaf in (date, datetime) for leaf in _leaves(field.annotation))
    ]


@pytest.fixture(scope="module")
def bodies() -> dict[type[BaseModel], str]:
    from teamassist.clock import FrozenClock
    from tests.conftest import make_runtime

    rt = make_runtime("sqlite://", FrozenClock(datetime(2026, 12, 2, 8, 0, tzinfo=UTC)))
    try:
        app = create_app(rt, start_background=False)
        load_all_routes(app)
        return _bodies(app.router.routes)
    finally:
        rt.close()


def test_the_walk_finds_the_bodies(bodies: dict[type[BaseModel], str]) -> None:
    names = {m.__name__ for m in bodies}
    assert {"AnnouncementCreate", "ActionCreate", "GoalIn", "OverrideCreate"} <= names
    assert len(bodies) >= 60
    assert sum(len(_time_fields(m)) for m in bodies) >= 15


def test_every_body_refuses_an_unknown_key(bodies: dict[type[BaseModel], str]) -> None:
    lax = []
    for model, where in bodies.items():
        with pytest.raises(ValidationError) as refused:
            model.model_validate({"zz_typo": 1})
        if not any(e["type"] == "extra_forbidden" for e in refused.value.errors()):
            lax.append(f"{model.__module__}.{model.__name__} ({where})")
    assert lax == []


def test_every_time_field_refuses_numbers_and_bare_digits(
    bodies: dict[type[BaseModel], str],
) -> None:
    read: list[str] = []
    for model in bodies:
        for name in _time_fields(model):
            for value in NOT_ISO:
                try:
                    model.model_validate({name: value})
                except ValidationError as refused:
                    errors = [e for e in refused.errors() if e["loc"][:1] == (name,)]
                    if errors and all(e["type"] == "iso_8601" for e in errors):
                        continue
                read.append(f"{model.__name__}.{name} = {value!r}")
    assert read == []


def test_iso_text_still_reads(bodies: dict[type[BaseModel], str]) -> None:
    by_name = {m.__name__: m for m in bodies}
    plan = by_name["GoalIn"].model_validate({"title": "评审", "target_date": "2027-06-30"})
    assert plan.target_date == date(2027, 6, 30)  # type: ignore[attr-defined]
    made = by_name["AnnouncementCreate"].model_validate(
        {"group": "g", "text": "t", "due_at": "2026-12-09", "send_at": "2026-12-08T09:00+08:00"}
    )
    assert made.due_at == datetime(2026, 12, 9, 18, 0)  # type: ignore[attr-defined]
    assert made.send_at.isoformat() == "2026-12-08T09:00:00+08:00"  # type: ignore[attr-defined]


@pytest.fixture
def admin(sqlite_runtime: Runtime) -> Iterator[tuple[TestClient, int]]:
    load_demo(sqlite_runtime)
    with sqlite_runtime.factory() as session:
        ws = team_service.get_workspace_by_key(session, key="demo")
        assert ws is not None
        team_id = team_service.default_team(session, workspace_id=ws.id).id
    client = TestClient(create_app(sqlite_runtime, start_background=False))
    sign_in(client)
    yield client, team_id


def test_a_rest_deadline_in_seed_digits_is_a_friendly_422(admin: tuple[TestClient, int]) -> None:
    client, _team = admin
    sent = client.post(
        "/api/v1/announcements",
        json={"group": "产品核心群", "text": "交周报", "due_at": "20261209"},
    )
    assert sent.status_code == 422, sent.text
    (detail,) = sent.json()["details"]
    assert detail["loc"] == ["body", "due_at"]
    assert "20261209" in detail["msg"] and "2026-12-09T18:00:00+08:00" in detail["msg"]


def test_a_typo_d_key_is_named_not_dropped(admin: tuple[TestClient, int]) -> None:
    client, _team = admin
    sent = client.post(
        "/api/v1/feedback/items", json={"text": "登录页报错", "descripton": "点登录后 500"}
    )
    assert sent.status_code == 422, sent.text
    details = sent.json()["details"]
    assert any(d["loc"] == ["body", "descripton"] and "descripton" in d["msg"] for d in details)


def test_pydantic_refusals_are_said_chinese_first(admin: tuple[TestClient, int]) -> None:
    """Testers saw "Field required" and "Input should be a valid integer" in 422 details: only
    unknown keys and dates were said in Chinese."""
    client, _team = admin
    missing = client.post("/api/v1/feedback/items", json={})
    assert missing.status_code == 422, missing.text
    (detail,) = missing.json()["details"]
    assert detail["loc"] == ["body", "text"] and detail["msg"] == "必须提供 / is required"
    wrong = client.post("/api/v1/feedback/items", json={"text": 5})
    assert wrong.status_code == 422, wrong.text
    assert wrong.json()["details"][0]["msg"] == "应为文字 / must be text"
