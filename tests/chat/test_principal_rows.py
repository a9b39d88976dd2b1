"""The caller of a chat request is read as plain rows and made into the session's own objects
(``teamassist.row_objects``): the same values as the ORM loads, changes flushed, relationships
loaded on use; and nothing of it is kept between requests, so a revoked token or a deactivated
person is refused at once (given/when/then)."""

from __future__ import annotations

from fastapi.testclient import TestClient
from pydantic import SecretStr
from sqlalchemy import inspect, select
from sqlalchemy.orm import InstanceState

from teamassist.database import transaction
from teamassist.http import auth, tokens
from teamassist.runtime import Runtime
from teamassist.team import people
from teamassist.team.models import Member, Team, Workspace
from teamassist.web.app import create_app
from tests.conftest import load_demo

TOKEN = "principal-rows-test-token"


def _columns(thing: object) -> dict[str, object]:
    return {a.key: getattr(thing, a.key) for a in inspect(type(thing)).column_attrs}


def test_the_lookups_objects_are_the_sessions_as_the_orm_would_load_them(
    runtime: Runtime,
) -> None:
    # given the demo workspace
    load_demo(runtime)
    with transaction(runtime.factory) as session:
        # when the global token's owner is looked up, placed in their own web chat
        owner = auth.token_principal(session, placed_on="web")
        assert owner is not None and owner.voice is not None and owner.own_chat is not None
        team = owner.own_chat[0]
        made = (owner.workspace, owner.voice, team)
        # then each object is the session's, persistent, with nothing to flush
        for thing in made:
            state: InstanceState[object] = inspect(thing)
            assert state.persistent and state.session_id == session.hash_key
            assert not session.dirty and not session.new
        # and the ORM's own load in the same session answers those very objects
        assert session.get(Workspace, owner.workspace.id) is owner.workspace
        assert session.get(Member, owner.voice.id) is owner.voice
        assert session.scalars(select(Team).where(Team.id == team.id)).one() is team
        # and a relationship is loaded on first use
        assert [i.member_id for i in owner.voice.identities] == [owner.voice.id] * len(
            owner.voice.identities
        )
        expected = {type(thing): _columns(thing) for thing in made}
        # and a change to one of them is flushed with the unit of work
        team.name = "改过名的团队"
    with transaction(runtime.factory) as session:
        # then a fresh ORM load sees every column as it was read, and the change kept
        for kind, columns in expected.items():
            loaded = session.get(kind, columns["id"])
            assert loaded is not None
            fresh = _columns(loaded)
            if kind is Team:
                assert fresh.pop("name") == "改过名的团队"
                columns = {k: v for k, v in columns.items() if k not in {"name", "updated_at"}}
                fresh.pop("updated_at")
            assert fresh == columns, kind.__name__
        # and a lookup in a session that holds the member already answers the held object
        held = session.scalars(select(Member).where(Member.handle == "admin")).one()
        again = auth.member_principal(session, held.id, placed_on="web")
        assert again is not None and again.member is held


def test_a_revoked_token_and_a_deactivated_person_are_refused_at_once(runtime: Runtime) -> None:
    # given the demo workspace and two personal tokens, of lisi and of zhangsan, each used once
    runtime.settings.web.api_token = SecretStr(TOKEN)
    load_demo(runtime)
    with transaction(runtime.factory) as session:
        raw = {}
        for handle in ("lisi", "zhangsan"):
            member_id = session.scalars(select(Member.id).where(Member.handle == handle)).one()
            principal = auth.member_principal(session, member_id)
            assert principal is not None
            _, raw[handle] = tokens.create(
                session, principal=principal, name="t", now=runtime.clock()
            )
    app = create_app(runtime, start_background=False)
    with TestClient(app) as client:

        def ask(handle: str) -> int:
            response = client.post(
                "/api/v1/chat",
                json={"text": "/我是谁"},
                headers={"authorization": f"Bearer {raw[handle]}"},
            )
            return response.status_code

        assert ask("lisi") == 200 and ask("zhangsan") == 200
        # when lisi's token is revoked and zhangsan is deactivated, outside any request
        with transaction(runtime.factory) as session:
            lisi = auth.member_principal(
                session, session.scalars(select(Member.id).where(Member.handle == "lisi")).one()
            )
            assert lisi is not None
            (token,) = tokens.listed(session, principal=lisi)
            tokens.revoke(session, principal=lisi, token_id=token.id, now=runtime.clock())
            zhangsan = session.scalars(select(Member).where(Member.handle == "zhangsan")).one()
            people.deactivate(session, member=zhangsan, now=runtime.clock())
        # then the very next request of each is refused, and the global token still speaks
        assert ask("lisi") == 401
        assert ask("zhangsan") == 401
        owner = client.post(
            "/api/v1/chat", json={"text": "/帮助"}, headers={"authorization": f"Bearer {TOKEN}"}
        )
        assert owner.status_code == 200 and owner.json()["handled"] is True
