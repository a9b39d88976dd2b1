"""Every REST body refuses unknown keys and booleans where numbers go (teamassist.request_body;
tester s26 B-2, B-12: ``true`` was read as 1)."""

from __future__ import annotations

import contextlib
import types
from typing import Annotated, Any, Literal, Union, get_args, get_origin

import pytest
from fastapi.routing import APIRoute
from pydantic import BaseModel, Field, ValidationError

from teamassist.request_body import RequestBody
from teamassist.runtime import Runtime
from teamassist.web.app import create_app
from teamassist.web.lazy_routes import load_all_routes


class _Shapes(RequestBody):
    count: int = 0
    share: float | None = None
    weights: list[int] | None = Field(default=None, max_length=5)
    answers: dict[str, int | str | None] = Field(default_factory=dict)
    pair: tuple[int, str] | None = None
    flag: bool = False
    either: bool | int = 0
    bounded: Annotated[int, Field(ge=0)] = 0
    kind: Literal["a", "b"] = "a"
    level: Literal[1, 2] | None = None
    maybe: bool | None = None
    flags: list[bool] | None = None
    toggles: dict[str, bool] = Field(default_factory=dict)


@pytest.mark.parametrize(
    "body",
    [
        {"count": True},
        {"share": False},
        {"weights": [50, True]},
        {"answers": {"a": True}},
        {"pair": [True, "x"]},
        {"bounded": True},
        {"level": True},
    ],
)
def test_a_boolean_where_a_number_goes_is_refused(body: dict[str, Any]) -> None:
    with pytest.raises(ValidationError) as refused:
        _Shapes.model_validate(body)
    [error] = refused.value.errors()
    assert error["type"] == "number_not_bool"
    assert error["loc"] == (next(iter(body)),)


def test_booleans_where_they_belong_and_numbers_as_before() -> None:
    read = _Shapes.model_validate(
        {
            "count": "3",
            "share": 2,
            "weights": [50, 50],
            "answers": {"a": 4, "b": "好", "c": None},
            "pair": [1, "x"],
            "flag": True,
            "either": True,
            "bounded": 5,
        }
    )
    assert (read.count, read.share, read.weights, read.pair) == (3, 2.0, [50, 50], (1, "x"))
    assert read.answers == {"a": 4, "b": "好", "c": None}
    assert read.flag is True and read.either is True and read.bounded == 5
    with pytest.raises(ValidationError):
        _Shapes.model_validate({"cuont": 1})  # an unknown key, as ever


def _models(annotation: Any) -> list[type[BaseModel]]:
    if isinstance(annotation, type) and issubclass(annotation, BaseModel):
        return [annotation]
    return [m for arg in getattr(annotation, "__args__", ()) for m in _models(arg)]


def test_every_json_body_of_the_app_is_a_request_body(sqlite_runtime: Runtime) -> None:
    """A new body built on plain BaseModel would read ``true`` as 1 and drop unknown keys."""
    app = create_app(sqlite_runtime, start_background=False)
    load_all_routes(app)  # the domains' routers are built on first use
    bodies = {
        model
        for route in app.routes
        if isinstance(route, APIRoute) and route.body_field is not None
        for model in _models(route.body_field.field_info.annotation)
    }
    assert len(bodies) > 40  # the walk sees the app's bodies, not an empty list
    # FastAPI's own Body_* models wrap a page's form fields, which are text by nature
    plain = sorted(
        m.__qualname__
        for m in bodies
        if not issubclass(m, RequestBody) and not m.__name__.startswith("Body_")
    )
    assert plain == []


@pytest.mark.parametrize("value", [[], {}, ["a"], {"a": 1}, [1]])
def test_a_list_or_an_object_where_a_literal_goes_is_refused(value: object) -> None:
    """Tester s27 B-4: a list or an object for a Literal field raised TypeError in the bool
    check (issubclass of typing.Literal): a 500 on POST /api/v1/actions and three others."""
    for field in ("kind", "level"):
        with pytest.raises(ValidationError) as refused:
            _Shapes.model_validate({field: value})
        assert [e["loc"] for e in refused.value.errors()] == [(field,)]


def test_no_body_field_fails_on_a_list_or_an_object(sqlite_runtime: Runtime) -> None:
    """Every field of every JSON body of the app, sent a list or an object: a ValidationError
    (422), never another exception (a 500)."""
    app = create_app(sqlite_runtime, start_background=False)
    load_all_routes(app)
    bodies = {
        model
        for route in app.routes
        if isinstance(route, APIRoute) and route.body_field is not None
        for model in _models(route.body_field.field_info.annotation)
        if issubclass(model, RequestBody)
    }
    tried = 0
    for model in sorted(bodies, key=lambda m: m.__qualname__):
        for name in model.model_fields:
            for value in ([], {}, [1], {"a": 1}, [True]):
                with contextlib.suppress(ValidationError):
                    model.model_validate({name: value})
                tried += 1
    assert tried > 500, tried


@pytest.mark.parametrize(
    "body",
    [
        {"flag": "yes"},
        {"flag": "1"},
        {"flag": 1},
        {"flag": 0},
        {"flag": "true"},
        {"maybe": "on"},
        {"flags": [True, "no"]},
        {"toggles": {"a": 1}},
    ],
)
def test_anything_but_true_or_false_where_a_boolean_goes_is_refused(body: dict[str, Any]) -> None:
    """Tester s26 (b4a3c5c fixed two fields of one body): pydantic's lax mode read ``"yes"``,
    ``"on"``, ``"1"``, ``1`` as true in every other body; JSON true/false only now."""
    with pytest.raises(ValidationError) as refused:
        _Shapes.model_validate(body)
    [error] = refused.value.errors()
    assert error["type"] == "bool_type"
    assert error["loc"] == (next(iter(body)),)


def test_a_boolean_or_a_number_still_takes_either() -> None:
    read = _Shapes.model_validate(
        {"either": 1, "maybe": None, "flags": [True, False], "toggles": {"a": False}}
    )
    assert read.either == 1 and read.either is not True
    assert read.maybe is None and read.flags == [True, False] and read.toggles == {"a": False}


def _only_boolean(annotation: Any) -> bool:
    return annotation is bool or (
        get_origin(annotation) in (Union, types.UnionType)
        and {a for a in get_args(annotation) if a is not type(None)} == {bool}
    )


@pytest.mark.parametrize("said", ["yes", "1", 1, "on", "false"])
def test_every_boolean_of_every_json_body_takes_true_or_false_only(
    sqlite_runtime: Runtime, said: object
) -> None:
    """A walk of every JSON body of the app: each field that takes a boolean (bool or
    bool | None), sent a word or a number, is a ValidationError naming it (a 422, nothing
    stored); true and false are still read."""
    app = create_app(sqlite_runtime, start_background=False)
    load_all_routes(app)
    bodies = {
        model
        for route in app.routes
        if isinstance(route, APIRoute) and route.body_field is not None
        for model in _models(route.body_field.field_info.annotation)
        if issubclass(model, RequestBody)
    }
    walked = []
    for model in sorted(bodies, key=lambda m: m.__qualname__):
        for name, field in model.model_fields.items():
            if not _only_boolean(field.annotation):
                continue
            with pytest.raises(ValidationError) as refused:
                model.model_validate({name: said})
            assert any(
                e["loc"] == (name,) and e["type"] == "bool_type" for e in refused.value.errors()
            ), (model.__qualname__, name, refused.value.errors())
            for value in (True, False):
                # another field may be required: the boolean itself is never the complaint
                try:
                    model.model_validate({name: value})
                except ValidationError as other:
                    assert all(e["loc"] != (name,) for e in other.errors()), other.errors()
            walked.append(f"{model.__qualname__}.{name}")
    assert len(walked) >= 12, walked  # the app's 12 switches when this was written
