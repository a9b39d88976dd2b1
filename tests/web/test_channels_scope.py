"""Channels over REST belong to their teams (tester s24 F12): a member sees their teams'
channels, ``?team_id=`` of another team is refused, and a team's admin adds a channel by the
query's ``team_id`` as by the body's."""

from __future__ import annotations

from fastapi.testclient import TestClient
from sqlalchemy import func, select

from teamassist.database import transaction
from teamassist.events import StoredDoubles
from teamassist.runtime import Runtime
from teamassist.team import doubles as team_doubles
from teamassist.team import service as team_service
from teamassist.team.models import Channel, Workspace
from teamassist.web.app import create_app
from tests.conftest import load_demo
from tests.support.web import give_account, sign_in
from tests.team.support import second_team_with_web_room


def _count(runtime: Runtime) -> int:
    with runtime.factory() as session:
        return session.scalar(select(func.count()).select_from(Channel)) or 0


def test_channels_are_listed_and_added_by_team(runtime: Runtime) -> None:
    load_demo(runtime)
    with transaction(runtime.factory) as session:
        two = second_team_with_web_room(session)
        two_id = two.id
    app = create_app(runtime, start_background=False)
    with TestClient(app) as admin, TestClient(app) as boss2:
        sign_in(admin, "admin", give_account(runtime, "admin"))
        sign_in(boss2, "boss2", give_account(runtime, "boss2"))
        # 第二团队's admin sees 第二团队's channel, none of 开发者社区's
        theirs = boss2.get("/api/v1/channels")
        assert theirs.status_code == 200
        assert [c["address"] for c in theirs.json()] == ["ops-room"]
        refused = boss2.get("/api/v1/channels?team_id=1")
        assert refused.status_code == 403
        assert refused.json()["error"] == "core.error.not_in_team"
        # 开发者社区's admin sees its own, and 第二团队's only when he asks for a team he is in
        own = {c["address"] for c in admin.get("/api/v1/channels").json()}
        assert "duty-room" in own and "ops-room" not in own
        assert admin.get(f"/api/v1/channels?team_id={two_id}").status_code == 403
        # the query's team_id names the team a new channel is for
        before = _count(runtime)
        made = boss2.post(
            f"/api/v1/channels?team_id={two_id}",
            json={"platform": "web", "address": "ops-2", "purpose": "team", "name": "运维二群"},
        )
        assert made.status_code == 201, made.text
        assert made.json()["team_id"] == two_id
        clash = boss2.post(
            f"/api/v1/channels?team_id={two_id}",
            json={"platform": "web", "address": "ops-3", "purpose": "team", "team_id": 1},
        )
        assert clash.status_code == 400, clash.text
        assert clash.json()["error"] == "core.error.two_teams"
        assert _count(runtime) == before + 1


def test_an_address_another_team_has_is_refused_with_one_to_use(runtime: Runtime) -> None:
    """Tester s25 F-3: 第二团队's admin adding a web channel at an address 开发者社区's channel
    has read only 「duty-room」已经存在. An address stays the workspace's once (a web channel's
    feed is its address's); the refusal says so, names no team and offers one to use."""
    load_demo(runtime)
    with transaction(runtime.factory) as session:
        two = second_team_with_web_room(session)
        two_id = two.id
    app = create_app(runtime, start_background=False)
    with TestClient(app) as boss2:
        sign_in(boss2, "boss2", give_account(runtime, "boss2"))
        before = _count(runtime)
        body = {"platform": "web", "address": "duty-room", "purpose": "internal", "name": "值班"}
        elsewhere = boss2.post(f"/api/v1/channels?team_id={two_id}", json=body)
        assert elsewhere.status_code == 409, elsewhere.text
        assert elsewhere.json()["error"] == "core.error.address_elsewhere"
        message = elsewhere.json()["message"]
        assert "本工作区另一个团队" in message and "「team2-duty-room」" in message, message
        assert "开发者社区" not in message
        # the team's own address keeps the plain answer
        own = {"platform": "web", "address": "ops-room", "purpose": "internal", "name": "另一个"}
        same = boss2.post(f"/api/v1/channels?team_id={two_id}", json=own)
        assert same.status_code == 409 and same.json()["error"] == "core.error.exists", same.text
        assert _count(runtime) == before


def test_an_address_is_one_rule_on_every_backend(runtime: Runtime) -> None:
    """Tester s26 A-10: `duty-room` then `DUTY-ROOM` were two web channels on SQLite and
    PostgreSQL and 409 on MariaDB (its collation). A web channel's address is ours: one key
    whatever its case or width, stored folded, everywhere. A platform's chat id is opaque:
    two ids differing only in case are two chats, on MariaDB too."""
    load_demo(runtime)
    with transaction(runtime.factory) as session:
        two = second_team_with_web_room(session)
        two_id = two.id
    app = create_app(runtime, start_background=False)
    with TestClient(app) as boss2:
        sign_in(boss2, "boss2", give_account(runtime, "boss2"))
        before = _count(runtime)
        for address, error in (
            ("DUTY-ROOM", "core.error.address_elsewhere"),  # 开发者社区's
            ("Ｄｕｔｙ-Room", "core.error.address_elsewhere"),
            ("OPS-ROOM", "core.error.exists"),  # the team's own
            # tester s28 E-8: a trailing blank made a second channel on PostgreSQL and SQLite
            # and "already exists" on MariaDB (PAD SPACE); now trimmed on every backend
            ("duty-room ", "core.error.address_elsewhere"),
            (" ops-room\u3000", "core.error.exists"),
        ):
            body = {"platform": "web", "address": address, "purpose": "internal"}
            refused = boss2.post(f"/api/v1/channels?team_id={two_id}", json=body)
            assert refused.status_code == 409, (address, refused.text)
            assert refused.json()["error"] == error
        assert _count(runtime) == before
        made = boss2.post(
            f"/api/v1/channels?team_id={two_id}",
            json={"platform": "web", "address": "Ops-Lab", "purpose": "team"},
        )
        assert made.status_code == 201, made.text
        assert made.json()["address"] == "ops-lab"  # the feed's key, as every lookup reads it
        for chat_id in ("GrpAbC123", "grpabc123"):
            qq = boss2.post(
                f"/api/v1/channels?team_id={two_id}",
                json={"platform": "qq", "address": chat_id, "purpose": "team"},
            )
            assert qq.status_code == 201, (chat_id, qq.text)
            assert qq.json()["address"] == chat_id
        # a platform's id with a blank around it is the same chat, on every backend
        again = boss2.post(
            f"/api/v1/channels?team_id={two_id}",
            json={"platform": "qq", "address": "GrpAbC123 ", "purpose": "team"},
        )
        assert (again.status_code, again.json()["error"]) == (409, "core.error.exists"), again.text
        assert _count(runtime) == before + 3


def test_an_address_with_an_invisible_character_is_refused(runtime: Runtime) -> None:
    """Tester s29 G-3: `duty-room\u200b` (and U+200C, U+2060, U+00AD) became a room of its
    own beside 开发者社区's `duty-room`, reading the same on every list. Refused on every
    platform, nothing added; a gap between words is no invisible character."""
    load_demo(runtime)
    with transaction(runtime.factory) as session:
        two = second_team_with_web_room(session)
        two_id = two.id
    app = create_app(runtime, start_background=False)
    with TestClient(app) as boss2:
        sign_in(boss2, "boss2", give_account(runtime, "boss2"))
        before = _count(runtime)
        for platform, address in (
            ("web", "duty-room\u200b"),
            ("web", "duty-room\u200c"),
            ("web", "duty\u2060-room"),
            ("web", "duty-room\u00ad"),
            ("web", "\u202eduty-room"),
            ("web", "duty\u3164room"),
            ("qq", "Grp\u200bAbC"),
            ("qq", "Grp\nAbC"),
        ):
            body = {"platform": platform, "address": address, "purpose": "internal"}
            refused = boss2.post(f"/api/v1/channels?team_id={two_id}", json=body)
            assert refused.status_code == 422, (address, refused.text)
            assert refused.json()["error"] == "core.error.address_invisible"
            assert "看不见的字符" in refused.json()["message"]
        assert _count(runtime) == before
        # a blank address was stored empty, and every blank one after it 「「」已经存在」 (s29c F-7)
        for platform, address, error in (
            ("web", " ", "core.error.address_empty"),
            ("qq", "\u3000\t", "core.error.address_empty"),
            ("qq", "", "core.error.invalid_request"),  # the schema's min_length
        ):
            body = {"platform": platform, "address": address, "purpose": "internal"}
            refused = boss2.post(f"/api/v1/channels?team_id={two_id}", json=body)
            assert refused.status_code == 422, (address, refused.text)
            assert refused.json()["error"] == error
        assert _count(runtime) == before
        gap = {"platform": "wecom", "address": "值班 机器人", "purpose": "internal"}
        made = boss2.post(f"/api/v1/channels?team_id={two_id}", json=gap)
        assert made.status_code == 201, made.text
        assert _count(runtime) == before + 1


def test_a_web_address_is_one_teams_room_whatever_the_purpose(runtime: Runtime) -> None:
    """Tester s29 F-2: the guard kept a web address one team's per purpose only, while a web
    channel's notices are stored and read by address: 第二团队's admin added a channel at
    开发者社区's `duty-room` with another purpose, and every member of 第二团队 read (and
    wrote into) that room. Now refused whatever the purpose; the same team may keep one room
    for several purposes (its people read them all anyway). A pair made before is not shown
    to either team's people on /feeds, and `teamassist doctor` names it."""
    load_demo(runtime)
    with transaction(runtime.factory) as session:
        two = second_team_with_web_room(session)
        two_id = two.id
    app = create_app(runtime, start_background=False)
    with TestClient(app) as boss2:
        sign_in(boss2, "boss2", give_account(runtime, "boss2"))
        before = _count(runtime)
        for purpose in ("internal", "team", "public", "core", "webhook"):
            body = {"platform": "web", "address": "DUTY-ROOM", "purpose": purpose}
            refused = boss2.post(f"/api/v1/channels?team_id={two_id}", json=body)
            assert refused.status_code == 409, (purpose, refused.text)
            assert refused.json()["error"] == "core.error.address_elsewhere"
        assert _count(runtime) == before
        # its own room for another purpose: one room, the same readers
        mine = {"platform": "web", "address": "ops-room", "purpose": "core"}
        assert boss2.post(f"/api/v1/channels?team_id={two_id}", json=mine).status_code == 201
        # a QQ group of another team, whatever the purpose: its notices would go into that
        # team's group (the tester's `group:G-OPENID-1`)
        qq = {"platform": "qq", "address": "group:G-1", "purpose": "core"}
        with transaction(runtime.factory) as session:
            d_ws = session.get(Workspace, 1)
            assert d_ws is not None
            team_service.create_channel(session, workspace=d_ws, platform="qq",
                                        address="group:G-1", purpose="core")  # fmt: skip
        for purpose in ("internal", "core"):
            other = boss2.post(
                f"/api/v1/channels?team_id={two_id}", json={**qq, "purpose": purpose}
            )
            assert other.status_code == 409, (purpose, other.text)
            assert other.json()["error"] == "core.error.address_elsewhere"
    # a pair stored before the rule (as the tester made it)
    with transaction(runtime.factory) as session:
        session.add(
            Channel(
                workspace_id=1, team_id=two_id, platform="web", address="duty-room",
                purpose="public", name="", enabled=True,
            )
        )  # fmt: skip
    with TestClient(app) as m2:
        sign_in(m2, "m2", give_account(runtime, "m2"))
        peek = m2.get("/feeds?address=duty-room", headers={"Accept": "text/html"})
        assert peek.status_code == 403, peek.status_code
        listed = m2.get("/feeds", headers={"Accept": "text/html"})
        assert listed.status_code == 200 and "duty-room" not in listed.text
        assert "ops-room" in listed.text
    with runtime.factory() as session:
        (double,) = [d for d in team_doubles.answer(session, StoredDoubles()) if
                     d.kind == "team.web_room"]  # fmt: skip
        assert "「duty-room」" in double.line and "2 个团队" in double.line
