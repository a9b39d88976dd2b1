"""A chat command through REST reads who speaks and where their own chat lands in one
statement: the principal lookup places the speaker as the dispatcher would (given/when/then)."""

from __future__ import annotations

from fastapi.testclient import TestClient
from pydantic import SecretStr
from sqlalchemy import event, select

from teamassist.chat import placement
from teamassist.chat import service as chat_service
from teamassist.database import StatementCounter, transaction
from teamassist.enums import ChannelPurpose, Role
from teamassist.feedback import flows
from teamassist.feedback.models import FeedbackItem
from teamassist.http import auth, tokens
from teamassist.runtime import Runtime
from teamassist.team.models import Channel, Member, Team, TeamMembership
from teamassist.web.app import create_app
from tests.conftest import load_demo

TOKEN = "own-chat-test-token"


def _second_team_for_zhangsan(rt: Runtime) -> int:
    """A second team, zhangsan its lead, and zhangsan's own web chat bound to it."""
    with transaction(rt.factory) as session:
        zhangsan = session.scalars(select(Member).where(Member.handle == "zhangsan")).one()
        team = Team(workspace_id=zhangsan.workspace_id, key="own-chat", name="自聊二组")
        session.add(team)
        session.flush()
        session.add(TeamMembership(team_id=team.id, member_id=zhangsan.id, role=Role.LEAD.value))
        session.add(
            Channel(
                workspace_id=zhangsan.workspace_id,
                team_id=team.id,
                platform="web",
                address="web:zhangsan",
                purpose=ChannelPurpose.TEAM.value,
                name="张三的自聊",
            )
        )
        return team.id


def _placed(session_team: tuple[Team, Role | None] | None) -> tuple[int, Role | None] | None:
    return None if session_team is None else (session_team[0].id, session_team[1])


def test_a_lookup_places_each_member_where_the_dispatcher_would(runtime: Runtime) -> None:
    # given the demo workspace, and zhangsan's own web chat bound to a second team he leads
    load_demo(runtime)
    second = _second_team_for_zhangsan(runtime)
    with transaction(runtime.factory) as session:
        members = session.scalars(select(Member).order_by(Member.id)).all()
        assert len(members) > 2
        for member in members:
            # when each member is looked up for a chat on the web
            found = auth.member_principal(session, member.id, placed_on="web")
            if found is None:
                continue  # one who may not act has no principal at all
            # then the team and role are what the dispatcher's own statement answers
            expected = placement.team_and_role(
                session,
                workspace_id=member.workspace_id,
                platform="web",
                chat_key=f"web:{member.handle}",
                member_id=member.id,
            )
            assert _placed(found.own_chat) == _placed(expected), member.handle
            # and the chat's channel name is what a report would have asked for on its own
            assert found.own_chat_name == flows.channel_name(
                session, team=expected[0], platform="web", chat_key=f"web:{member.handle}"
            )
            # and a lookup not asked about a chat reads nothing of it
            assert auth.member_principal(session, member.id).own_chat is None  # type: ignore[union-attr]
        zhangsan = next(m for m in members if m.handle == "zhangsan")
        placed = auth.member_principal(session, zhangsan.id, placed_on="web")
        assert placed is not None and _placed(placed.own_chat) == (second, Role.LEAD)
        assert placed.own_chat_name == "张三的自聊"
        # the global token's voice is placed the same way
        owner = auth.token_principal(session, placed_on="web")
        assert owner is not None and owner.voice is not None
        expected = placement.team_and_role(
            session,
            workspace_id=owner.workspace.id,
            platform="web",
            chat_key=f"web:{owner.voice.handle}",
            member_id=owner.voice.id,
        )
        assert _placed(owner.own_chat) == _placed(expected)
        assert owner.own_chat_name == ""  # no channel at the admin's own chat


def test_rest_chat_reads_speaker_and_team_in_one_statement(runtime: Runtime) -> None:
    # given the demo workspace, a global token, and a personal token of zhangsan, whose own
    # web chat is bound to a second team
    runtime.settings.web.api_token = SecretStr(TOKEN)
    load_demo(runtime)
    _second_team_for_zhangsan(runtime)
    with transaction(runtime.factory) as session:
        zhangsan = auth.member_principal(
            session, session.scalars(select(Member.id).where(Member.handle == "zhangsan")).one()
        )
        assert zhangsan is not None
        _, personal = tokens.create(session, principal=zhangsan, name="t", now=runtime.clock())
    app = create_app(runtime, start_background=False)
    with TestClient(app) as client, StatementCounter(runtime.engine) as counter:
        # when /帮助 is sent with the global token
        response = client.post(
            "/api/v1/chat", json={"text": "/帮助"}, headers={"authorization": f"Bearer {TOKEN}"}
        )
        # then it is answered with one lookup, in one transaction (a read nobody named keeps
        # no inbox row)
        assert response.status_code == 200 and response.json()["handled"] is True
        assert _without_begin(counter.statements) == ["SELECT"]
        assert counter.transactions == 1
        # when zhangsan asks who he is with his own token
        counter.reset()
        response = client.post(
            "/api/v1/chat",
            json={"text": "/我是谁"},
            headers={"authorization": f"Bearer {personal}"},
        )
        # then the token row and the member with his chat's team, and no inbox row (a read
        # nobody named)
        assert response.status_code == 200, response.text
        assert _without_begin(counter.statements)[:2] == ["SELECT", "SELECT"]
        assert "INSERT" not in counter.statements
        # and the reply speaks of the team his own chat is bound to
        assert "自聊二组" in response.json()["text"]
        # when he sends /帮助 with his own token
        counter.reset()
        response = client.post(
            "/api/v1/chat", json={"text": "/帮助"}, headers={"authorization": f"Bearer {personal}"}
        )
        # then the token, he and his chat's team are one statement (the token and the member
        # were two statements until session 23)
        assert response.status_code == 200 and response.json()["handled"] is True
        assert _without_begin(counter.statements) == ["SELECT"]
        assert counter.transactions == 1


def test_rest_report_names_its_origin_without_a_statement_of_its_own(runtime: Runtime) -> None:
    # given the demo workspace and a personal token of zhangsan, whose own web chat is a
    # channel named 张三的自聊
    load_demo(runtime)
    _second_team_for_zhangsan(runtime)
    with transaction(runtime.factory) as session:
        zhangsan = auth.member_principal(
            session, session.scalars(select(Member.id).where(Member.handle == "zhangsan")).one()
        )
        assert zhangsan is not None
        _, personal = tokens.create(session, principal=zhangsan, name="t", now=runtime.clock())
    ran: list[str] = []

    def record(_conn: object, _cursor: object, statement: str, *_args: object) -> None:
        ran.append(" ".join(statement.replace("`", "").replace('"', "").split()).lower())

    app = create_app(runtime, start_background=False)
    with TestClient(app) as client:
        event.listen(runtime.engine, "before_cursor_execute", record)
        try:
            # when he reports a bug through REST
            response = client.post(
                "/api/v1/chat",
                json={"text": "/问题反馈 登录页打不开"},
                headers={"authorization": f"Bearer {personal}"},
            )
        finally:
            event.remove(runtime.engine, "before_cursor_execute", record)
    assert response.status_code == 200 and response.json()["handled"] is True, response.text
    # then the item records the chat's channel name as its origin
    with transaction(runtime.factory) as session:
        item = session.scalars(select(FeedbackItem).order_by(FeedbackItem.id.desc())).first()
        assert item is not None and item.text == "登录页打不开"
        assert (item.origin_chat_key, item.origin_chat_name) == ("web:zhangsan", "张三的自聊")
    # and that name came with his lookup: no statement of its own asked for it
    assert ran and not [s for s in ran if s.startswith("select channel.name from channel")]


def test_an_admin_speaking_as_a_member_places_them_in_the_lookup(runtime: Runtime) -> None:
    # given the demo workspace, the global token, and zhangsan's own web chat bound to a
    # second team (a channel named 张三的自聊)
    runtime.settings.web.api_token = SecretStr(TOKEN)
    load_demo(runtime)
    second = _second_team_for_zhangsan(runtime)
    ran: list[str] = []

    def record(_conn: object, _cursor: object, statement: str, *_args: object) -> None:
        ran.append(" ".join(statement.replace("`", "").replace('"', "").split()).lower())

    app = create_app(runtime, start_background=False)
    with TestClient(app) as client:
        event.listen(runtime.engine, "before_cursor_execute", record)
        try:
            # when the token's owner reports a bug speaking as zhangsan
            response = client.post(
                "/api/v1/chat",
                json={"text": "/问题反馈 登录页打不开", "as": "ＺhangSan"},
                headers={"authorization": f"Bearer {TOKEN}"},
            )
        finally:
            event.remove(runtime.engine, "before_cursor_execute", record)
    assert response.status_code == 200 and response.json()["handled"] is True, response.text
    # then the item is his, in the team his own chat is bound to, from that chat's channel
    with transaction(runtime.factory) as session:
        item = session.scalars(select(FeedbackItem).order_by(FeedbackItem.id.desc())).first()
        assert item is not None and item.text == "登录页打不开"
        reporter = session.get(Member, item.reporter_id)
        assert reporter is not None and reporter.handle == "zhangsan"
        assert item.team_id == second
        assert (item.origin_chat_key, item.origin_chat_name) == ("web:zhangsan", "张三的自聊")
    # and his team, role and channel name came with his lookup by handle: no statement of
    # their own (the dispatcher's placement selects the team by its channel, choice or first
    # team, a coalesce; the item's fallback owner reads the default team, see below)
    assert ran and not [
        s
        for s in ran
        if (s.startswith("select team.") and "coalesce(" in s)
        or s.startswith("select channel.name from channel")
        or (s.startswith("select member.") and "member.handle_key =" in s)
    ]
    # (his second team has no rotation and no admin: the item goes to the workspace's admin,
    # read from the default team, feedback.flows.workspace_owner, since 104e301)
    assert [s for s in ran if s.startswith("select team.") and "coalesce(" not in s]


def _without_begin(statements: list[str]) -> list[str]:
    """What ran, without SQLite's BEGIN (the server drivers begin unseen)."""
    return [s for s in statements if s != "BEGIN"]


def test_the_global_token_finds_whom_it_speaks_as_in_its_own_statement(runtime: Runtime) -> None:
    # given the demo workspace, the global token, and zhangsan's own web chat bound to a
    # second team he leads
    runtime.settings.web.api_token = SecretStr(TOKEN)
    load_demo(runtime)
    _second_team_for_zhangsan(runtime)
    app = create_app(runtime, start_background=False)
    headers = {"authorization": f"Bearer {TOKEN}"}
    with TestClient(app) as client, StatementCounter(runtime.engine) as counter:
        # when the token's owner sends /帮助 speaking as zhangsan
        response = client.post(
            "/api/v1/chat", json={"text": "/帮助", "as": "zhangsan"}, headers=headers
        )
        # then the token's workspace, zhangsan and his chat's team are one statement (the
        # owner's lookup and zhangsan's were two statements until session 26)
        assert response.status_code == 200 and response.json()["handled"] is True
        assert _without_begin(counter.statements) == ["SELECT"]
        assert counter.transactions == 1
        # when it asks who he is, his handle written another way
        response = client.post(
            "/api/v1/chat", json={"text": "/我是谁", "as": " ＺhangSan "}, headers=headers
        )
        # then the reply is his, in the team his own chat is bound to
        assert response.status_code == 200, response.text
        assert "自聊二组" in response.json()["text"] and "张三" in response.json()["text"]
        # when it names nobody of the workspace
        response = client.post(
            "/api/v1/chat", json={"text": "/帮助", "as": "nobody"}, headers=headers
        )
        # then that is said, as before
        assert response.status_code == 404, response.text


def test_speaking_as_places_each_member_as_a_lookup_by_handle_does(runtime: Runtime) -> None:
    # given the demo workspace, and zhangsan's own web chat bound to a second team he leads
    load_demo(runtime)
    _second_team_for_zhangsan(runtime)
    with transaction(runtime.factory) as session:
        owner = auth.token_principal(session)
        assert owner is not None
        members = session.scalars(select(Member).order_by(Member.id)).all()
        for member in members:
            # when the global token speaks as each member, by handle
            spoken = auth.token_speaking_as(session, member.handle.upper(), placed_on="web")
            # then it is that member of the token's workspace, placed as the lookup by handle
            # places them, with the channel's name
            expected = chat_service._named(session, owner.workspace.id, member.handle, "web")
            assert spoken is not None and expected is not None, member.handle
            assert spoken.caller.workspace.id == owner.workspace.id
            assert spoken.caller.member is None and spoken.caller.voice is None
            assert spoken.member.id == member.id
            assert _placed(spoken.own_chat) == _placed(expected[1]), member.handle
            assert spoken.own_chat_name == expected[2]
        # and a handle nobody has is not found
        assert auth.token_speaking_as(session, "nobody", placed_on="web") is None
