"""A departure cancels the leaver's covers and swaps from the leaving day; calling it off
restores what still fits, and tells who had the rest.

Testers (session 15): a cover (``/值班代班``) planned for a day after someone's leaving day
stayed, leaving that day with nobody on duty (swaps were cancelled, covers were not), and swaps
a departure cancelled were not restored when the departure was called off. Demo: 技术
张三→李四→王五 and 产品 赵六→孙七→李华 daily, today Monday 2026-06-01 09:00 in Shanghai.
"""

from __future__ import annotations

from tests.support.chat import ChatDriver


def _day(roster: str, label: str) -> str:
    """The roster's block of one day ("06-08 周一")."""
    [block] = [b for b in roster.split("\n\n") if b.startswith(label)]
    return block


def _roster(chat: ChatDriver) -> str:
    return chat.text("/查看值班表 14", as_="admin")


def _make_admin(chat: ChatDriver, handle: str) -> None:
    assert "管理员" in chat.text(f"/设置角色 @{handle} 管理员", as_="admin")


def _notices_to(chat: ChatDriver, handle: str) -> list[str]:
    """Direct notices queued for a demo member (web inbox or platform address)."""
    from sqlalchemy import select

    from teamassist.team.models import Member
    from teamassist.team.service import INBOX_PREFIX

    with chat.runtime.factory() as session:
        member = session.scalars(select(Member).where(Member.handle == handle)).one()
        addresses = {i.user_key for i in member.identities} | {f"{INBOX_PREFIX}{member.id}"}
    return [text for m in chat.queued() if m.address in addresses for text in [_plain(m)]]


def _plain(message: object) -> str:
    from teamassist.chat.render import to_plain
    from teamassist.chat.types import Reply

    return to_plain(Reply.model_validate(message.payload))  # type: ignore[attr-defined]


def test_a_cover_after_the_leaving_day_is_cancelled_and_its_maker_told(
    chat: ChatDriver,
) -> None:
    # given 李华, an admin too, planned 王五 to cover 技术 on Monday 06-08
    _make_admin(chat, "lihua")
    assert "由 @王五 值班" in chat.text("/值班代班 @wangwu 2026-06-08", as_="lihua")
    # when 王五 is set to leave on Saturday 06-06
    chat.text("/停用成员 @wangwu 2026-06-06", as_="admin")
    # then 06-08 has the roster's person on duty, not nobody
    day = _day(_roster(chat), "06-08 周一")
    assert "无人值班" not in day.split("「产品」")[0] and "「技术」@" in day, day
    assert "王五" not in day
    # and the lead, who made the cover, is told it was cancelled
    [notice] = [n for n in _notices_to(chat, "lihua") if "代班" in n]
    assert "「王五」要停用了" in notice and "已自动取消" in notice, notice


def test_a_swap_into_another_rotation_after_the_leaving_day_is_cancelled(
    chat: ChatDriver,
) -> None:
    # given 王五 (not in 产品) covers 赵六's 产品 shift on Thursday 06-04... and 06-10
    assert "代班成功" in chat.text("/值班换班 @zhaoliu 2026-06-10 @wangwu 产品", as_="admin")
    # when 王五 is set to leave on 06-06
    chat.text("/停用成员 @wangwu 2026-06-06", as_="admin")
    # then 赵六 is back on 06-10 (it was 无人值班: the views leave 王五 out)
    day = _day(_roster(chat), "06-10 周三")
    assert "「产品」@赵六" in day, day
    # and 赵六, one of the swap's people, is told
    assert any("换班" in n and "已整项取消" in n for n in _notices_to(chat, "zhaoliu"))


def test_calling_the_departure_off_restores_its_covers_and_swaps(chat: ChatDriver) -> None:
    _make_admin(chat, "lihua")
    chat.text("/值班代班 @wangwu 2026-06-08", as_="lihua")
    chat.text("/值班换班 @zhaoliu 2026-06-10 @wangwu 产品", as_="admin")
    before = _roster(chat)
    chat.text("/停用成员 @wangwu 2026-06-06", as_="admin")
    assert _roster(chat) != before
    # when the departure is called off
    reply = chat.text("/启用成员 @wangwu", as_="admin")
    # then the cover and the swap are back, and the reply says so
    assert "为这次停用取消的 2 项代班或换班已恢复。" in reply, reply
    assert _roster(chat) == before


def test_a_cover_that_no_longer_fits_is_not_restored_and_its_maker_told(
    chat: ChatDriver,
) -> None:
    _make_admin(chat, "lihua")
    chat.text("/值班代班 @wangwu 2026-06-08", as_="lihua")
    chat.text("/停用成员 @wangwu 2026-06-06", as_="admin")
    # meanwhile an admin gave 06-08 to 孙七
    assert "由 @孙七 值班" in chat.text("/值班代班 @sunqi 2026-06-08", as_="admin")
    reply = chat.text("/启用成员 @wangwu", as_="admin")
    assert "1 项代班或换班已经排不回去" in reply, reply
    assert "「技术」@孙七" in _day(_roster(chat), "06-08 周一")
    assert any("排不回去" in n for n in _notices_to(chat, "lihua"))


def test_a_swap_that_would_undo_a_newer_one_is_not_restored(chat: ChatDriver) -> None:
    """Session 15's second tester: the restored swap took 王五's shift back from under a swap
    made meanwhile, which then did nothing and nobody was told. Dates where the rotation gives
    the same people the same days with and without 李四 (王五 Friday 06-12, 张三 06-13)."""
    # given 李四 traded Thursday 06-11 for 王五's Friday 06-12, then was set to leave on 06-06
    chat.text("/值班换班 @lisi 2026-06-11 @wangwu 2026-06-12 技术", as_="admin")
    chat.text("/停用成员 @lisi 2026-06-06", as_="admin")
    # and meanwhile 王五 traded that Friday for 张三's Saturday 06-13
    made = chat.text("/值班换班 @wangwu 2026-06-12 @zhangsan 2026-06-13 技术", as_="admin")
    assert "换班成功" in made, made
    # when the departure is called off
    reply = chat.text("/启用成员 @lisi", as_="admin")
    # then the older swap stays cancelled, and the newer one holds
    assert "1 项代班或换班已经排不回去" in reply, reply
    roster = _roster(chat)
    assert "「技术」@李四" in _day(roster, "06-11 周四"), roster
    assert "「技术」@张三" in _day(roster, "06-12 周五"), roster
    assert "「技术」@王五" in _day(roster, "06-13 周六"), roster


def test_the_departure_reply_names_the_covers_and_swaps_it_cancelled(chat: ChatDriver) -> None:
    """Session 16 tester: ``/停用成员``'s reply said nothing of the cover and swap it cancelled,
    so the admin learned of them only from the people who had made them."""
    _make_admin(chat, "lihua")
    chat.text("/值班代班 @wangwu 2026-06-08", as_="lihua")
    chat.text("/值班换班 @zhaoliu 2026-06-10 @wangwu 产品", as_="admin")
    reply = chat.text("/停用成员 @wangwu 2026-06-06", as_="admin")
    assert "已一并取消 TA 的 2 项代班或换班" in reply, reply
    assert "「技术」代班（王五 2026-06-08 " in reply, reply
    assert "「产品」换班（王五 代 赵六 值 2026-06-10）" in reply, reply


def test_a_departure_that_cancels_nothing_says_nothing_of_covers(chat: ChatDriver) -> None:
    reply = chat.text("/停用成员 @wangwu 2026-06-06", as_="admin")
    assert "将于 2026-06-06 停用" in reply and "代班或换班" not in reply, reply


def test_the_people_of_a_restored_swap_are_told_it_is_back(chat: ChatDriver) -> None:
    """Session 16 tester: 赵六 was told the swap was cancelled, and never that it was back."""
    chat.text("/值班换班 @zhaoliu 2026-06-10 @wangwu 产品", as_="admin")
    chat.text("/停用成员 @wangwu 2026-06-06", as_="admin")
    assert "已恢复" in chat.text("/启用成员 @wangwu", as_="admin")
    [notice] = [n for n in _notices_to(chat, "zhaoliu") if "已恢复" in n]
    assert "「王五」的停用已取消" in notice and "2026-06-10" in notice, notice
    assert any("已恢复" in n for n in _notices_to(chat, "wangwu"))


def test_the_returning_member_is_told_a_swap_of_theirs_was_not_restored(
    chat: ChatDriver,
) -> None:
    """The notice left the leaver out, right while they leave, wrong once they are back: 李四
    did not learn that their swap with 王五 stayed cancelled."""
    chat.text("/值班换班 @lisi 2026-06-11 @wangwu 2026-06-12 技术", as_="admin")
    chat.text("/停用成员 @lisi 2026-06-06", as_="admin")
    chat.text("/值班换班 @wangwu 2026-06-12 @zhangsan 2026-06-13 技术", as_="admin")
    assert "排不回去" in chat.text("/启用成员 @lisi", as_="admin")
    [notice] = [n for n in _notices_to(chat, "lisi") if "排不回去" in n]
    assert "「李四」的停用已取消" in notice and "2026-06-11" in notice, notice
    # and none of them hears the cancelled swap was restored
    assert not any("已恢复" in n for n in _notices_to(chat, "lisi") + _notices_to(chat, "wangwu"))


def test_a_swap_made_on_the_roster_without_the_leaver_stands_when_they_stay(
    chat: ChatDriver,
) -> None:
    """Session 16 tester: with 李四 set to leave 技术 on 06-06, 王五 traded Monday 06-08 (his
    on the roster without 李四) for 张三's Tuesday 06-09. Calling the departure off withdrew
    the removal, 06-08 went back to 李四 and the swap did nothing, unsaid. The newer swap
    stands, so the removal does too; the admin and 李四 are told, and 李四's own older swap,
    which no longer fits, is not restored."""
    chat.text("/值班换班 @lisi 2026-06-11 @wangwu 2026-06-12 技术", as_="admin")
    chat.text("/停用成员 @lisi 2026-06-06", as_="admin")
    made = chat.text("/值班换班 @wangwu 2026-06-08 @zhangsan 2026-06-09 技术", as_="admin")
    assert "换班成功" in made, made
    reply = chat.text("/启用成员 @lisi", as_="admin")
    kept = "「技术」轮值已有人按 TA 移出后的名单安排了换班或变更"
    assert kept in reply and "仍从 2026-06-06 起移出该轮值" in reply, reply
    assert "1 项代班或换班已经排不回去" in reply, reply
    roster = _roster(chat)
    assert "「技术」@张三（换班）" in _day(roster, "06-08 周一"), roster
    assert "「技术」@王五（换班）" in _day(roster, "06-09 周二"), roster
    assert "李四" not in _day(roster, "06-11 周四"), roster
    assert any(kept in n for n in _notices_to(chat, "lisi"))


def test_a_departure_called_off_with_no_newer_swap_withdraws_the_removal(
    chat: ChatDriver,
) -> None:
    before = _roster(chat)
    chat.text("/停用成员 @lisi 2026-06-06", as_="admin")
    reply = chat.text("/启用成员 @lisi", as_="admin")
    assert "已一并撤回" in reply and "仍从" not in reply, reply
    assert _roster(chat) == before


def test_a_cover_running_into_the_leaving_day_is_said_cut_not_cancelled(
    chat: ChatDriver,
) -> None:
    """Tester s23 F6: 王五 covered 技术 06-04…06-05 and was set to leave on 06-05; the roster
    kept 06-04 with 王五, but the reply and 王五's notice said the whole cover was cancelled."""
    _make_admin(chat, "lihua")
    assert "由 @王五 值班" in chat.text("/值班代班 @wangwu 2026-06-04 2026-06-05 技术", as_="lihua")
    reply = chat.text("/停用成员 @wangwu 2026-06-05", as_="admin")
    assert "已一并取消" not in reply, reply
    assert "TA 的 1 项代班截到停用之时为止，之前的部分仍由 TA 值班" in reply, reply
    assert "「技术」代班（王五 2026-06-04 " in reply and "只到 2026-06-05 " in reply, reply
    assert "王五" in _day(_roster(chat), "06-04 周四")
    [notice] = [n for n in _notices_to(chat, "lihua") if "代班" in n]
    assert "只保留到 2026-06-05 " in notice and "已自动取消" not in notice, notice


def test_a_cover_cancelled_by_an_effective_departure_comes_back_with_the_person(
    chat: ChatDriver,
) -> None:
    """Tester s23 F7: 孙七 covered 技术 on a later day; `/停用成员 @孙七` (now) cancelled it and
    `/启用成员 @孙七` two seconds later restored 1on1s and 360 invitations, not the cover, and
    said nothing of it."""
    assert "由 @孙七 值班" in chat.text("/值班代班 @sunqi 2026-06-04 技术", as_="admin")
    gone = chat.text("/停用成员 @sunqi", as_="admin")
    assert "已一并取消 TA 的 1 项代班或换班" in gone, gone
    assert "孙七" not in _day(_roster(chat), "06-04 周四").split("「产品」")[0]
    back = chat.text("/启用成员 @sunqi", as_="admin")
    assert "为这次停用取消的 1 项代班或换班已恢复" in back, back
    assert "@孙七（代班）" in _day(_roster(chat), "06-04 周四").split("「产品」")[0]


def test_rest_says_a_cover_cut_by_a_departure_is_cut_not_cancelled(chat: ChatDriver) -> None:
    """Tester s23 F6, REST side: GET overrides said ``cancelled: true`` of 王五's cover that
    still held 06-04 (chat rightly says 「截到停用之时为止」); only the cover that starts after
    the leaving day is cancelled."""
    from fastapi.testclient import TestClient

    from teamassist.web.app import create_app
    from tests.duty.helpers import demo_team
    from tests.support.web import sign_in

    _make_admin(chat, "lihua")
    chat.text("/值班代班 @wangwu 2026-06-04 2026-06-05 技术", as_="lihua")
    chat.text("/值班代班 @wangwu 2026-06-08 技术", as_="lihua")
    chat.text("/停用成员 @wangwu 2026-06-05", as_="admin")
    team, members = demo_team(chat.runtime)
    with TestClient(create_app(chat.runtime, start_background=False)) as client:
        sign_in(client, "admin", "admin")
        rotations = client.get(f"/api/v1/duty/teams/{team.id}/rotations").json()
        tech = next(r["id"] for r in rotations if r["key"] == "tech")
        found = client.get(f"/api/v1/duty/rotations/{tech}/overrides").json()
    covers = {c["start"][:10]: c for c in found if c["member_id"] == members["wangwu"].id}
    cut, later = covers["2026-06-03"], covers["2026-06-07"]
    # the cover of 06-04…06-05 is cut at the leaving day's start (06-05 03:00 Shanghai)
    assert (cut["cut"], cut["cancelled"]) == (True, False), cut
    assert cut["ends_at"] == "2026-06-04T19:00:00Z" and cut["end"] == "2026-06-05T19:00:00Z", cut
    # the cover of 06-08, all after the leaving day, is cancelled and held nothing
    assert (later["cut"], later["cancelled"]) == (False, True), later
    assert later["ends_at"] == later["start"], later


def test_rest_departure_lists_the_covers_and_swaps_it_changed(chat: ChatDriver) -> None:
    """Session 25: chat's /停用成员 reply named the covers and swaps a departure cancelled or
    cut; REST's answer (PATCH with deactivate_at, DELETE) said nothing of them. Both call
    ``people.depart``; REST now lists its sentences in ``changes``, dates included."""
    from fastapi.testclient import TestClient

    from teamassist.web.app import create_app
    from tests.duty.helpers import demo_team
    from tests.support.web import sign_in

    _make_admin(chat, "lihua")
    chat.text("/值班代班 @wangwu 2026-06-08", as_="lihua")
    chat.text("/值班换班 @zhaoliu 2026-06-10 @wangwu 产品", as_="admin")
    assert "由 @孙七 值班" in chat.text("/值班代班 @sunqi 2026-06-04 2026-06-05 技术", as_="lihua")
    _team, members = demo_team(chat.runtime)
    with TestClient(create_app(chat.runtime, start_background=False)) as client:
        sign_in(client, "admin", "admin")
        planned = client.patch(
            f"/api/v1/members/{members['wangwu'].id}", json={"deactivate_at": "2026-06-06"}
        )
        assert planned.status_code == 200, planned.text
        [said] = planned.json()["changes"]
        assert said.startswith("已一并取消 TA 的 2 项代班或换班："), said
        assert "「技术」代班（王五 2026-06-08 " in said, said
        assert "「产品」换班（王五 代 赵六 值 2026-06-10）" in said, said
        # a departure that changes nothing else answers an empty list
        quiet = client.patch(
            f"/api/v1/members/{members['zhangsan'].id}", json={"deactivate_at": "2026-06-20"}
        )
        assert quiet.json()["changes"] == [], quiet.text
        # DELETE (a departure from a moment): a cover running into it is said cut, not cancelled
        cut = client.delete(
            f"/api/v1/members/{members['sunqi'].id}", params={"at": "2026-06-05T00:00:00+08:00"}
        )
        assert cut.status_code == 200, cut.text
        [said] = cut.json()["changes"]
        assert "TA 的 1 项代班截到停用之时为止" in said and "只到 2026-06-05 " in said, said
        # an ordinary change answers no changes
        renamed = client.patch(f"/api/v1/members/{members['lisi'].id}", json={"address_as": "四哥"})
        assert renamed.json()["changes"] == [], renamed.text
