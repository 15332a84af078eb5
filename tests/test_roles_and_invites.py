from __future__ import annotations

from datetime import timedelta

import pytest

from bot.domain.records import Org
from handlers.menus import ALL_COMMANDS, Command
from tests.conftest import ADMIN_ID, Harness

RESIDENT = 5001
NEWCOMER = 6001


def _invite_code(text: str) -> str:
    return text.rsplit("start=inv_", 1)[1].split()[0]


async def test_admin_invites_staff_who_joins_by_deep_link(harness: Harness) -> None:
    await harness.say(ADMIN_ID, "/invite")
    choice = harness.tg.last(ADMIN_ID)
    assert ("Polisen", "invite:new:police") in choice.buttons
    await harness.press(ADMIN_ID, "invite:new:police")
    link_text = harness.tg.last(ADMIN_ID).text
    assert "https://t.me/trygghetsbot_test_bot?start=inv_" in link_text
    code = _invite_code(link_text)

    await harness.say(NEWCOMER, f"/start inv_{code}")
    welcome = harness.tg.last(NEWCOMER).text
    assert "registrerad som personal för polisen" in welcome
    member = await harness.services.staff.active(NEWCOMER)
    assert member is not None and member.org is Org.POLICE
    # The joined member gets a chat-scoped staff menu.
    scoped = [c for c in harness.tg.calls if c.method == "setMyCommands" and "scope" in c.params]
    assert any(
        '"chat_id": 6001' in str(c.params["scope"]) or "6001" in str(c.params["scope"])
        for c in scoped
    )

    # Single use: a second person with the same link is turned away.
    await harness.say(NEWCOMER + 1, f"/start inv_{code}")
    assert "gäller inte längre" in harness.tg.last(NEWCOMER + 1).text
    assert await harness.services.staff.active(NEWCOMER + 1) is None
    audit = await harness.services.audit.recent()
    assert {"invite.create", "staff.join", "invite.rejected"} <= {a.action for a in audit}


async def test_expired_invite_is_refused(harness: Harness) -> None:
    await harness.say(ADMIN_ID, "/invite municipality")
    code = _invite_code(harness.tg.last(ADMIN_ID).text)
    harness.clock.advance(timedelta(hours=72, minutes=1))
    await harness.say(NEWCOMER, f"/start inv_{code}", lang="en")
    assert "not valid any more" in harness.tg.last(NEWCOMER).text
    assert await harness.services.staff.active(NEWCOMER) is None


async def test_invite_cli_code_works_in_chat(harness: Harness) -> None:
    code = await harness.app.bot_data.people.create_invite(None, Org.OTHER)
    await harness.say(NEWCOMER, f"/start inv_{code}", lang="en")
    assert "registered as staff for a partner organisation" in harness.tg.last(NEWCOMER).text


async def test_admin_lists_and_removes_staff(harness: Harness) -> None:
    now = harness.clock.now()
    await harness.services.staff.upsert(NEWCOMER, Org.MUNICIPALITY, "Lisa", now, None)
    await harness.say(ADMIN_ID, "/personal")
    listing = harness.tg.last(ADMIN_ID)
    assert "Lisa – Kommunen" in listing.text
    await harness.press(ADMIN_ID, f"staff:ask:{NEWCOMER}")
    assert ("Ja, ta bort", f"staff:yes:{NEWCOMER}") in harness.tg.last(ADMIN_ID).buttons
    await harness.press(ADMIN_ID, f"staff:yes:{NEWCOMER}")
    assert "Lisa är inte längre personal" in harness.tg.last(ADMIN_ID).text
    assert await harness.services.staff.active(NEWCOMER) is None


def _gated_commands() -> list[Command]:
    from handlers import menus

    menus_registered = menus._registered
    return [c for c in ALL_COMMANDS if c.audience.value != "resident" and c.en in menus_registered]


@pytest.mark.parametrize("lang", ["sv", "en"])
async def test_every_staff_and_admin_command_is_refused_for_residents(
    harness: Harness, lang: str
) -> None:
    gated = _gated_commands()
    assert gated, "no staff or admin commands registered"
    for cmd in gated:
        for name in cmd.names:
            harness.tg.clear()
            await harness.say(RESIDENT, f"/{name}", lang=lang)
            texts = [c.text for c in harness.tg.sent(RESIDENT)]
            expected = "bara för personal" if lang == "sv" else "only for staff"
            assert any(expected in t for t in texts), (name, texts)
    refusals = [a for a in await harness.services.audit.recent(limit=500) if a.action == "refused"]
    assert len(refusals) >= sum(len(c.names) for c in gated)


@pytest.mark.parametrize("data", ["staff:yes:6001", "staff:ask:6001", "invite:new:police"])
async def test_admin_buttons_are_refused_for_staff_and_residents(
    harness: Harness, data: str
) -> None:
    now = harness.clock.now()
    await harness.services.staff.upsert(NEWCOMER, Org.POLICE, "Per", now, None)
    for user_id, refusal in ((RESIDENT, "bara för personal"), (NEWCOMER, "bara en administratör")):
        harness.tg.clear()
        await harness.press(user_id, data)
        assert any(refusal in c.text for c in harness.tg.sent(user_id))
    assert await harness.services.staff.active(NEWCOMER) is not None
    assert await harness.services.invites.list_open(now) == []


async def test_garbage_callback_data_gets_a_calm_answer(harness: Harness) -> None:
    for data in ["staff:yes:abc", "lang:set:de", "nonsense", "staff:yes:1:2:3", "x" * 64]:
        harness.tg.clear()
        await harness.press(ADMIN_ID, data)
        answered = [c for c in harness.tg.calls if c.method == "answerCallbackQuery"]
        assert answered, data
    # Nothing crashed into the generic error message.
    assert not any("något gick fel" in c.text.lower() for c in harness.tg.sent(ADMIN_ID))
