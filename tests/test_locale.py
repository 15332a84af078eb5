from __future__ import annotations

import pytest

from bot.i18n import pick_locale, translator
from tests.conftest import Harness

RESIDENT = 5002


@pytest.mark.parametrize(
    ("saved", "telegram", "expected"),
    [
        ("en", "sv", "en"),
        (None, "en-GB", "en"),
        (None, "sv", "sv"),
        (None, "de", "sv"),
        (None, None, "sv"),
        ("xx", "en", "en"),
    ],
)
def test_locale_choice_order(saved: str | None, telegram: str | None, expected: str) -> None:
    assert pick_locale(saved, telegram, "sv") == expected


def test_dates_in_each_locale() -> None:
    from datetime import datetime

    moment = datetime(2024, 3, 12, 18, 0)
    assert translator("sv").datetime(moment) == "tisdag 12 mars 2024 kl. 18:00"
    assert translator("en").datetime(moment) == "Tuesday, March 12, 2024 at 18:00"


async def test_language_choice_is_saved_and_used(harness: Harness) -> None:
    await harness.say(RESIDENT, "/language", lang="sv")
    assert ("English", "lang:set:en") in harness.tg.last(RESIDENT).buttons
    await harness.press(RESIDENT, "lang:set:en", lang="sv")
    assert harness.tg.last(RESIDENT).text == "I will write to you in English from now on."
    # Telegram still says Swedish, but the saved choice wins.
    await harness.say(RESIDENT, "/help", lang="sv")
    assert harness.tg.last(RESIDENT).text.startswith("What I can do:")
    assert await harness.services.users.locale(RESIDENT) == "en"


async def test_unsupported_telegram_language_falls_back_to_swedish(harness: Harness) -> None:
    await harness.say(RESIDENT, "/help", lang="de")
    assert harness.tg.last(RESIDENT).text.startswith("Det här kan jag:")


async def test_privacy_and_delete_me(harness: Harness) -> None:
    await harness.press(RESIDENT, "lang:set:en")
    await harness.say(RESIDENT, "/privacy")
    assert "Your chosen language: English" in harness.tg.last(RESIDENT).text
    await harness.say(RESIDENT, "/delete_me")
    assert ("Yes, delete", "me:delete:yes") in harness.tg.last(RESIDENT).buttons
    await harness.press(RESIDENT, "me:delete:yes")
    assert "has been deleted" in harness.tg.last(RESIDENT).text
    assert await harness.services.users.locale(RESIDENT) is None


async def test_default_menus_are_published_per_language(harness: Harness) -> None:
    from bot.app import _post_init

    harness.tg.clear()
    await _post_init(harness.app)
    menus = [c for c in harness.tg.calls if c.method == "setMyCommands"]
    by_lang = {c.params.get("language_code"): c.params["commands"] for c in menus}
    assert {"sv", "en", None} <= set(by_lang)
    assert '"hjalp"' in str(by_lang["sv"]) and '"help"' in str(by_lang["en"])
    # Residents never see staff commands in their menu.
    assert "rapport" not in str(by_lang["sv"]) and "invite" not in str(by_lang["en"])


async def test_privacy_tells_whether_the_language_was_chosen(harness: Harness) -> None:
    """Following a commitment remembers the phone's language (the news arrives in it): /privacy
    says it came from the Telegram app, never "Språket du valt", until it is chosen."""
    await harness.say(RESIDENT, "/folj", lang="sv")
    await harness.press(RESIDENT, "fol:on:theme_meeting", lang="sv")
    assert await harness.services.users.locale(RESIDENT) == "sv"
    await harness.say(RESIDENT, "/privacy", lang="sv")
    text = harness.tg.last(RESIDENT).text
    assert "Språket du valt" not in text
    assert "• Ditt språk: Svenska, från språkinställningen i din Telegram-app" in text
    assert "• Du följer 1 åtagande" in text
    await harness.press(RESIDENT, "lang:set:sv", lang="sv")
    await harness.say(RESIDENT, "/privacy", lang="sv")
    assert "• Språket du valt: Svenska" in harness.tg.last(RESIDENT).text
    # Following something else later keeps it a choice.
    await harness.press(RESIDENT, "fol:on:mobile_dialogue", lang="sv")
    await harness.say(RESIDENT, "/privacy", lang="sv")
    assert "• Språket du valt: Svenska" in harness.tg.last(RESIDENT).text


async def test_privacy_for_a_language_stored_before_the_distinction(harness: Harness) -> None:
    await harness.services.users.set_locale(RESIDENT, "fi", harness.clock.now())
    await harness.services.db.execute("UPDATE users SET locale_chosen = NULL")
    await harness.say(RESIDENT, "/privacy", lang="fi")
    text = harness.tg.last(RESIDENT).text
    assert "• Kielesi: Suomi (/language vaihtaa sen)" in text and "Valitsemasi" not in text
