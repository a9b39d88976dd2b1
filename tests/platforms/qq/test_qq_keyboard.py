"""Issue 13: an action item's buttons on QQ. With ``qq.keyboard`` on, the card's 完成/延期 (and
the requester's 确认/退回) are a keyboard of QQ command buttons under the markdown; pressing one
makes QQ send the button's command as the presser, which the bot handles like a typed one. Off
(the default, since keyboards need QQ's approval), or refused by QQ, the commands are text."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import pytest

from teamassist.adapters import webhook_kit
from teamassist.clock import FrozenClock
from teamassist.database import transaction
from teamassist.team import service as team_service
from tests.okr.support import set_clock
from tests.platforms.fakes import qq as fakeqq
from tests.platforms.fakes.qq import Call
from tests.platforms.qq.conftest import QQHarness, make_harness

ZHANG, LI = "UO-ZHANG", "UO-LISI"


@pytest.fixture(autouse=True)
def _answer_after_handling(monkeypatch: pytest.MonkeyPatch) -> None:
    # The webhook answers QQ after at most ACK_SECONDS and may go on handling the command; on a
    # loaded machine deliver() could then run before the command's notices are queued.
    monkeypatch.setattr(webhook_kit, "ACK_SECONDS", 120.0)


def _people(harness: QQHarness) -> None:
    """张三 and 李四 both write to the bot in private chats (C2C)."""
    set_clock(harness.runtime, "2026-11-30 09:00")
    with transaction(harness.runtime.factory) as session:
        workspace = team_service.get_workspace_by_key(session, key="demo")
        assert workspace is not None
        for handle, openid in (("zhangsan", ZHANG), ("lisi", LI)):
            member = team_service.get_member_by_handle(
                session, workspace_id=workspace.id, handle=handle
            )
            assert member is not None
            team_service.add_identity(
                session,
                member=member,
                platform="qq",
                tenant_key=harness.fake.app_id,
                user_key=openid,
            )


@pytest.fixture
def qq_keys(sqlite_url: str, clock: FrozenClock, fake_qq: fakeqq.FakeQQ) -> Iterator[QQHarness]:
    """Given the demo on QQ with keyboards enabled."""
    harness = make_harness(sqlite_url, clock, fake_qq, keyboard=True)
    _people(harness)
    yield harness
    harness.runtime.close()


def _say(harness: QQHarness, openid: str, text: str, event_id: str) -> None:
    body = fakeqq.c2c_message(
        event_id=event_id, message_id=f"m-{event_id}", text=text, user_openid=openid
    )
    assert harness.post(body).status_code == 200
    harness.deliver()


def _last(harness: QQHarness, openid: str) -> dict[str, Any]:
    calls: list[Call] = harness.fake.messages(f"/v2/users/{openid}/messages")
    assert calls, f"nothing sent to {openid}"
    body = calls[-1].body
    assert isinstance(body, dict)
    return body


def _buttons(body: dict[str, Any]) -> list[tuple[str, str, bool]]:
    """(label, command, sent at once) of every button of the message's keyboard."""
    rows = body["keyboard"]["content"]["rows"]
    out = []
    for row in rows:
        for button in row["buttons"]:
            action = button["action"]
            assert action["type"] == 2 and action["permission"] == {"type": 2}
            assert action["unsupport_tips"]  # QQ requires it
            out.append((button["render_data"]["label"], action["data"], action["enter"]))
    return out


def test_action_item_buttons_are_a_keyboard_and_a_press_runs_the_command(
    qq_keys: QQHarness,
) -> None:
    # when 张三 gives 李四 an action item
    _say(qq_keys, ZHANG, "/销项 @李四 完成接口文档 2026-12-04", "C2C:new")
    # then 李四's notice is markdown with 完成 and 延期 as command buttons, not as text
    notice = _last(qq_keys, LI)
    assert notice["msg_type"] == 2
    labels = _buttons(notice)
    assert [label for label, _, _ in labels] == ["完成", "延期"]
    done_command = labels[0][1]
    assert done_command.startswith("/完成销项") and labels[0][2] is True  # C2C: sent at once
    # (the body's own hint may name the command; the list of commands to type is gone)
    assert f"`{done_command}`" not in notice["markdown"]["content"]
    # when 李四 presses 完成 (QQ sends the button's command as 李四)
    _say(qq_keys, LI, done_command, "C2C:press")
    # then the command ran as 李四: the item is done, and a notice asking 张三 to check it, with
    # 确认关闭 / 退回 buttons, is queued for him
    answer = _last(qq_keys, LI)
    assert answer["msg_id"] == "m-C2C:press" and "标记为完成" in answer["markdown"]["content"]
    [check] = [r for r in qq_keys.outbox() if r.address == ZHANG]
    assert [b["label"] for b in check.payload["buttons"]] == ["确认关闭", "退回"]


def test_without_keyboards_the_buttons_are_commands_in_the_text(qq: QQHarness) -> None:
    # given keyboards off (the default)
    _people(qq)
    # when 张三 gives 李四 an action item
    _say(qq, ZHANG, "/销项 @李四 完成接口文档 2026-12-04", "C2C:new")
    # then 李四's notice carries no keyboard and shows the command to type
    notice = _last(qq, LI)
    assert "keyboard" not in notice
    assert "- `/完成销项" in notice["markdown"]["content"]


def test_a_refused_keyboard_falls_back_to_text_for_that_kind_of_chat(qq_keys: QQHarness) -> None:
    # given QQ refuses keyboards in private chats (not approved there)
    qq_keys.fake.keyboard_refused.add("/v2/users/")
    # when 张三 gives 李四 two action items
    _say(qq_keys, ZHANG, "/销项 @李四 完成接口文档 2026-12-04", "C2C:one")
    _say(qq_keys, ZHANG, "/销项 @李四 评审设计稿 2026-12-05", "C2C:two")
    # then both notices arrived without a keyboard, the commands in the text, and QQ was asked
    # with a keyboard only once (the refusal is remembered)
    notices = qq_keys.fake.messages(f"/v2/users/{LI}/messages")
    assert len(notices) == 2
    assert all("keyboard" not in c.body and "- `/完成销项" in str(c.body) for c in notices)
    assert len([c for c in qq_keys.fake.refused if "keyboard" in c.body]) == 1
