"""The demo workspace: a team with an admin and a handful of members, channels, and each
domain's demo data (rotations, feedback...). Loaded once; loading again changes nothing."""

from __future__ import annotations

import secrets
from collections.abc import Sequence
from datetime import datetime

from sqlalchemy.orm import Session

from teamassist.clock import pinned
from teamassist.domain import Domain, load_demo
from teamassist.enums import ChannelPurpose, Platform, Role
from teamassist.http import auth
from teamassist.team import service as team_service

DEMO_KEY = "demo"
DEMO_PASSWORD = auth.DEMO_PASSWORD

# handle, display name, role
DEMO_PEOPLE = [
    ("admin", "王管理", Role.ADMIN),
    ("lihua", "李华", Role.LEAD),
    ("zhangsan", "张三", Role.MEMBER),
    ("lisi", "李四", Role.MEMBER),
    ("wangwu", "王五", Role.MEMBER),
    ("zhaoliu", "赵六", Role.MEMBER),
    ("sunqi", "孙七", Role.MEMBER),
]


def load(
    session: Session,
    *,
    now: datetime,
    domains: Sequence[Domain],
    timezone: str = "Asia/Shanghai",
    password: str | None = DEMO_PASSWORD,
) -> bool:
    """Create the demo workspace unless it exists, with each of ``domains``' demo data (in
    order); returns True when it was created. The dashboard account ``admin`` gets
    ``password``; None leaves it without a usable one (a random secret nobody is told:
    ``teamassist admin password admin`` sets one), as ``teamassist demo load`` does outside
    demo mode (tester s25 F-B20: a real install got a working admin/admin).

    Every row's ``created_at``/``updated_at`` (the models' ``default=utcnow``) is ``now``, the
    runtime's clock, not the machine's: the demo of a runtime set to June was stamped December
    (item 6 of h-fix23, session 23)."""
    with pinned(lambda: now):
        created = _load(session, now=now, domains=domains, timezone=timezone, password=password)
        session.flush()  # the defaults are read when the rows are written: inside the pin
    return created


def _load(
    session: Session,
    *,
    now: datetime,
    domains: Sequence[Domain],
    timezone: str,
    password: str | None,
) -> bool:
    """:func:`load`'s work, under its pinned clock."""
    if team_service.get_workspace_by_key(session, key=DEMO_KEY) is not None:
        return False
    workspace = team_service.create_workspace(session, key=DEMO_KEY, name="演示社区 Demo Community")
    team = team_service.create_team(
        session, workspace=workspace, key="community", name="开发者社区", timezone=timezone
    )
    for handle, name, role in DEMO_PEOPLE:
        team_service.create_member(
            session, workspace=workspace, handle=handle, display_name=name, team=team, role=role
        )
    admin = team_service.get_member_by_handle(session, workspace_id=workspace.id, handle="admin")
    secret = password if password is not None else secrets.token_urlsafe(32)
    auth.set_password(session, username="admin", password=secret, member=admin)
    team_service.create_channel(
        session,
        workspace=workspace,
        platform=Platform.WEB.value,
        address="public",
        purpose=ChannelPurpose.PUBLIC.value,
        name="公共频道",
        team=team,
        quiet_start="00:00",
        quiet_end="08:00",
    )
    team_service.create_channel(
        session,
        workspace=workspace,
        platform=Platform.WEB.value,
        address="duty-room",
        purpose=ChannelPurpose.INTERNAL.value,
        name="值班频道",
        team=team,
    )
    for domain in domains:
        if (loader := load_demo(domain)) is not None:
            loader(session, workspace, now)
    return True
