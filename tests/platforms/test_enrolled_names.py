"""Issue 11, found by a tester: a platform nickname was stored as is when the bot enrolled its
owner, ``\\u202e`` (which turns the text after it around) and ``\\u200b`` included. Through
signed QQ webhooks: the nickname is cleaned like a typed name, and a nickname with nothing
visible left becomes the platform's user id."""

from __future__ import annotations

from sqlalchemy import select

from teamassist.team.models import Member, PlatformIdentity
from tests.platforms.test_binding import Install, feishu, install

__all__ = ["feishu", "install"]  # the fixtures this module borrows


def _person(install: Install, user_key: str) -> tuple[str, str, str]:
    with install.runtime.factory() as session:
        identity = session.scalar(
            select(PlatformIdentity).where(PlatformIdentity.user_key == user_key)
        )
        assert identity is not None
        member = session.get(Member, identity.member_id)
        assert member is not None
        return member.display_name, member.handle, identity.display_name


def test_a_nickname_with_invisible_characters_is_cleaned_when_enrolled(install: Install) -> None:
    code = install.code("alpha")
    install.qq_say(
        f"/绑定 {code}", author_id="u-boss", author_name="\u202e老\u200b板\u2066 ", roles=["2"]
    )
    assert "已绑定到工作区「阿尔法社区」" in install.replies()[-1]
    assert _person(install, "u-boss") == ("老板", "老板", "老板")
    install.qq_say("/我是谁", author_id="u-ghost", author_name="\u200b\u202e\ufeff")
    assert "u-ghost" in install.replies()[-1]
    name, handle, on_platform = _person(install, "u-ghost")
    assert name == on_platform == "u-ghost"
    assert handle == "qq-u-ghost"  # no usable name: the platform and the id (as on Feishu)
    install.qq_say("/我是谁", author_id="u-long", author_name="长" * 300 + "\u200b")
    name, _, _ = _person(install, "u-long")
    assert name == "长" * 200
