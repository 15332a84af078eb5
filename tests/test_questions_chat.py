"""Residents' free text through the whole bot: next event, emergencies, the menu for
anything else, non-text messages, very long text, and narcotics secrecy."""

from __future__ import annotations

from datetime import datetime, timedelta

from bot.clock import STOCKHOLM
from bot.domain.records import Event
from storage.events import NewEvent
from tests.conftest import Harness
from tests.fakes import message_update, user

RESIDENT = 8001


async def add(h: Harness, commitment: str, title: str, start: datetime) -> Event:
    event: Event = await h.services.events.add(
        NewEvent(
            commitment, title, start, start + timedelta(hours=2), "public", place="Trygghetscentret"
        ),
        h.clock.now(),
    )
    return event


def datas(buttons: list[tuple[str, str]]) -> list[str]:
    return [data for _label, data in buttons]


async def test_next_theme_meeting_is_answered_from_live_data(harness: Harness) -> None:
    h = harness
    await add(h, "theme_meeting", "Trygg i Bro", datetime(2024, 3, 21, 18, tzinfo=STOCKHOLM))
    first = await add(
        h, "theme_meeting", "Grannsamverkan", datetime(2024, 3, 14, 18, tzinfo=STOCKHOLM)
    )
    await add(h, "mobile_dialogue", "Bussen", datetime(2024, 3, 13, 15, tzinfo=STOCKHOLM))
    await h.say(RESIDENT, "när är nästa tematräff", lang="en")
    answer = h.tg.last(RESIDENT)
    assert "Grannsamverkan" in answer.text
    assert "Trygg i Bro" not in answer.text and "Bussen" not in answer.text
    assert f"ev:rem:{first.id}" in datas(answer.buttons)
    assert f"ev:ics:{first.id}" in datas(answer.buttons)


async def test_no_theme_meeting_planned(harness: Harness) -> None:
    h = harness
    await h.say(RESIDENT, "when is the next theme meeting", lang="sv")
    assert "planned" in h.tg.last(RESIDENT).text
    # A Swedish question from a phone set to English is answered in Swedish.
    await h.say(RESIDENT, "när är nästa tematräff", lang="en")
    assert "planerade" in h.tg.last(RESIDENT).text


async def test_emergency_points_to_112_first(harness: Harness) -> None:
    h = harness
    await h.say(RESIDENT, "det brinner hos grannen")
    text = h.tg.last(RESIDENT).text
    assert "112" in text
    digits = [text.find(n) for n in ("114 14", "11414") if n in text]
    assert all(text.index("112") < i for i in digits)
    assert text.startswith("112")
    await h.say(RESIDENT, "the house next door is on fire", lang="sv")
    assert h.tg.last(RESIDENT).text.startswith("112 – call now")


async def test_unknown_text_gets_the_menu(harness: Harness) -> None:
    h = harness
    await h.say(RESIDENT, "qwerty asdf zxcv", lang="en")
    answer = h.tg.last(RESIDENT)
    assert "I did not quite understand" in answer.text
    assert "ev:list:0" in datas(answer.buttons) and "ask:progress:0" in datas(answer.buttons)
    # The menu's buttons work.
    await h.press(RESIDENT, "ev:list:0", lang="en")
    assert "Nothing is planned" in h.tg.last(RESIDENT).text


async def test_sticker_and_photo_get_a_calm_text_answer(harness: Harness) -> None:
    h = harness
    update = message_update(user(RESIDENT, "en"), "")
    del update["message"]["text"]
    update["message"]["sticker"] = {
        "file_id": "s1",
        "file_unique_id": "s1u",
        "width": 512,
        "height": 512,
        "is_animated": False,
        "is_video": False,
        "type": "regular",
    }
    await h.raw(update)
    answer = h.tg.last(RESIDENT)
    assert answer.text.startswith("I can only read text")
    assert "ev:list:0" in datas(answer.buttons)

    h.tg.clear()
    photo = message_update(user(RESIDENT, "en"), "")
    del photo["message"]["text"]
    photo["message"]["photo"] = [{"file_id": "p", "file_unique_id": "pu", "width": 1, "height": 1}]
    await h.raw(photo)
    assert h.tg.last(RESIDENT).text.startswith("I can only read text")


async def test_very_long_text_gets_a_friendly_answer(harness: Harness) -> None:
    h = harness
    await h.say(RESIDENT, "bla " * 850, lang="en")
    answer = h.tg.last(RESIDENT)
    assert "long message" in answer.text
    assert "ev:list:0" in datas(answer.buttons)


async def test_narcotics_question_never_reveals_the_plan(harness: Harness) -> None:
    h = harness
    secret = "Tillslag Härnevi torsdag"
    event: Event = await h.services.events.add(
        NewEvent(
            "narcotics_operation",
            secret,
            datetime(2024, 3, 14, 20, tzinfo=STOCKHOLM),
            datetime(2024, 3, 14, 23, tzinfo=STOCKHOLM),
            "public",
            place="Kvarnvägen 3",
        ),
        h.clock.now(),
    )
    questions = [
        ("när är nästa narkotikainsats", "sv"),
        ("when is the next drug operation", "en"),
        ("vad händer", "sv"),
        ("what is coming up", "en"),
        ("när är nästa träff", "sv"),
    ]
    for text, lang in questions:
        h.tg.clear()
        await h.say(RESIDENT, text, lang=lang)
        for call in h.tg.sent(RESIDENT):
            assert "Tillslag" not in call.text and "Kvarnvägen" not in call.text
            assert f":{event.id}" not in " ".join(datas(call.buttons))
    await h.say(RESIDENT, "/events", lang="en")
    assert "Tillslag" not in h.tg.last(RESIDENT).text
