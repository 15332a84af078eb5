"""Odd input from real phones: edits, emoji, huge messages, absurd numbers, future dates.
Each gets a calm answer in the user's language, and no wrong row is written."""

from __future__ import annotations

from typing import Any

from bot.domain.records import Org
from tests.conftest import Harness
from tests.fakes import message_update, user

STAFF = 8101
RESIDENT = 8102


async def staff(h: Harness) -> None:
    await h.services.staff.upsert(STAFF, Org.POLICE, "Pia", h.clock.now(), None)


async def test_edited_message_is_not_acted_on(harness: Harness) -> None:
    await staff(harness)
    data: dict[str, Any] = message_update(user(STAFF, "sv"), "tematräff igår 23 pers")
    data["edited_message"] = {**data.pop("message"), "edit_date": 1_700_000_100}
    await harness.raw(data)
    assert "inte ändringar" in harness.tg.last(STAFF).text
    assert await harness.services.activities.by_reporter(STAFF) == []


async def test_emoji_only_and_huge_messages_get_the_menu(harness: Harness) -> None:
    await harness.say(RESIDENT, "👍👍🚓", lang="en")
    reply = harness.tg.last(RESIDENT)
    assert "/events" in reply.text and reply.buttons
    await harness.say(RESIDENT, "a" * 4096, lang="en")
    assert "long message" in harness.tg.last(RESIDENT).text
    await staff(harness)
    await harness.say(STAFF, "tematräff " + "x" * 4000, lang="en")
    assert harness.tg.last(STAFF).text  # a card or an answer, never a crash
    assert not any("went wrong" in c.text for c in harness.tg.sent(STAFF))


async def test_absurd_count_and_future_date_are_refused(harness: Harness) -> None:
    await staff(harness)
    await harness.say(STAFF, "/report", lang="en")
    await harness.press(STAFF, "rep:setk:theme_meeting", lang="en")
    await harness.press(STAFF, "rep:typec:0", lang="en")
    await harness.say(STAFF, "50000", lang="en")
    assert "Please write a number" in harness.tg.last(STAFF).text
    await harness.say(STAFF, "-3", lang="en")
    assert "Please write a number" in harness.tg.last(STAFF).text
    await harness.say(STAFF, "45", lang="en")
    assert "Write the place" in harness.tg.last(STAFF).text  # the count is not asked again
    await harness.press(STAFF, "rep:skip:0", lang="en")  # no place
    await harness.press(STAFF, "rep:skip:0", lang="en")  # no note
    assert "People: 45" in harness.tg.last(STAFF).text
    # A one-liner about tomorrow is shown on the card but cannot be saved.
    await harness.say(STAFF, "tematräff imorgon 20 pers", lang="en")
    assert "or a new report?" in harness.tg.last(STAFF).text  # the same kind: asked
    await harness.press(STAFF, "rep:open:0", lang="en")  # "A new report"
    future = harness.tg.last(STAFF)
    assert "future" in future.text
    assert not any(data.startswith("rep:save") for _label, data in future.buttons)
    assert await harness.services.activities.by_reporter(STAFF) == []


async def test_garbage_report_buttons_are_calm(harness: Harness) -> None:
    await staff(harness)
    for data in ("rep:setd:999", "rep:setk:nope", "rep:count:x:y", "rep:undo:99999", "rep:"):
        harness.tg.clear()
        await harness.press(STAFF, data, lang="en")
        assert not any("went wrong" in c.text for c in harness.tg.sent(STAFF)), data
    assert await harness.services.activities.by_reporter(STAFF) == []
