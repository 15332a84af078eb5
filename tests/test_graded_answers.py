"""Graded answers, as a resident meets them in chat: danger now gets 112 first and only the
lines that fit; a worry gets a calm answer without the crisis block; a question about a
poisoning gets Giftinformationscentralen; what is not understood opens with the safety line
and offers "Did you mean …?"; every answer comes in the language the text is written in."""

from __future__ import annotations

import pytest

from bot.render.callbacks import Meant, MeantPress
from storage.subscriptions import SubscriptionRepo
from tests.conftest import Harness

RESIDENT = 8301
SENIOR = 5301

SAFETY_LINE = {
    "sv": "Är någon i fara? Ring 112.",
    "en": "Is someone in danger? Call 112.",
}
SUICIDE_LINE = "90101"
VIOLENCE_LINE = "020-50 50 50"


async def subscribe(h: Harness, chat: int, lang: str) -> None:
    """A senior who chose weekly tips in her language (the /tips taps are tested elsewhere)."""
    now = h.clock.now()
    await SubscriptionRepo(h.services.db).upsert(
        chat, locale=lang, cadence="weekly", weekday=1, slot="morning", next_at=now, now=now
    )


def first_line(text: str) -> str:
    return text.splitlines()[0]


def plain(text: str) -> str:
    """Without the direction marks that keep numbers upright in Arabic script."""
    return "".join(c for c in text if c not in "\u200e\u200f\u2066\u2067\u2068\u2069")


@pytest.mark.parametrize(
    ("text", "lang"),
    [
        ("det brinner i trapphuset hjälp", "sv"),
        ("bilen har kört in i en grupp människor", "sv"),
        ("my dad collapsed and isnt breathing", "en"),
        ("kaveri veti ison kasan pillereitä eikä herää", "fi"),
        ("aabahay wuu dhacay mana neefsanayo", "so"),
        ("zgubiłam synka, ma 4 latka", "pl"),
        ("ساعدوني في حريق في البيت", "ar"),
        ("کمک! یکی داره در خونه رو میشکنه", "fa"),
    ],
)
async def test_danger_now_gets_112_first_in_every_language(
    harness: Harness, text: str, lang: str
) -> None:
    # The phone is set to Swedish: the answer still comes in the language of the text.
    await harness.say(RESIDENT, text, lang="sv")
    reply = plain(harness.tg.last(RESIDENT).text)
    assert first_line(reply).startswith("112")
    assert "?" not in first_line(reply), "recognised as danger, not only the unsure line"
    if lang != "sv":
        sv_line = "112 – ring nu om någon är i fara eller om det händer nu."
        assert first_line(reply) != sv_line


@pytest.mark.parametrize(
    "text",
    [
        "jag har tagit alla mina tabletter",
        "en jaksa enää elää, haluun vaan kuolla",
        "nie chce juz zyc, dzis to skoncze",
    ],
)
async def test_self_harm_gets_the_suicide_line_and_never_report_a_crime(
    harness: Harness, text: str
) -> None:
    await harness.say(RESIDENT, text)
    reply = plain(harness.tg.last(RESIDENT).text)
    assert first_line(reply).startswith("112")
    assert SUICIDE_LINE in reply and "1177" in reply
    assert "114 14" not in reply and VIOLENCE_LINE not in reply


async def test_close_violence_gets_kvinnofridslinjen_not_the_suicide_line(
    harness: Harness,
) -> None:
    await harness.say(RESIDENT, "mąż mnie bije, boję się", lang="sv")
    reply = plain(harness.tg.last(RESIDENT).text)
    assert first_line(reply).startswith("112")
    assert VIOLENCE_LINE in reply and SUICIDE_LINE not in reply


@pytest.mark.parametrize(
    ("text", "lang", "expected"),
    [
        ("mitt barn blir mobbat i skolan", "sv", "116 111"),
        ("det e mycket ungdomar som hänger vid stationen på kvällarna", "sv", "fältassistenter"),
        ("jag tror att min 15-åring har börjat röka på", "sv", "Socialtjänsten"),
        ("my son is 14 and hangs out with older guys who sell weed", "en", "field workers"),
    ],
)
async def test_a_worry_gets_a_calm_useful_answer(
    harness: Harness, text: str, lang: str, expected: str
) -> None:
    await harness.say(RESIDENT, text, lang=lang)
    reply = harness.tg.last(RESIDENT).text
    assert expected in reply
    assert SUICIDE_LINE not in reply and VIOLENCE_LINE not in reply
    # Calm: the 112 line once, as the safety line that opens the reply, never the crisis block.
    assert first_line(reply) == SAFETY_LINE[lang]
    assert reply.count("112") == 1


@pytest.mark.parametrize(
    "text",
    ["sonen sköt ett grymt mål i matchen igår", "my son shot an amazing goal today"],
)
async def test_harmless_texts_with_alarming_words_get_no_crisis_reply(
    harness: Harness, text: str
) -> None:
    await harness.say(RESIDENT, text, lang="sv" if "sonen" in text else "en")
    reply = harness.tg.last(RESIDENT).text
    assert SUICIDE_LINE not in reply and VIOLENCE_LINE not in reply
    assert not first_line(reply).startswith("112 –")


async def test_a_poisoning_question_gets_giftinformationscentralen(harness: Harness) -> None:
    await harness.say(RESIDENT, "min 2-åring slickade på en diskmaskinstablett, är det farligt?")
    reply = harness.tg.last(RESIDENT).text
    assert "010-456 67 00" in reply and "112" in reply


@pytest.mark.parametrize("lang", ["sv", "en"])
async def test_not_understood_opens_with_the_safety_line(harness: Harness, lang: str) -> None:
    await harness.say(RESIDENT, "blå ballong" if lang == "sv" else "blue balloon", lang=lang)
    reply = harness.tg.last(RESIDENT)
    assert first_line(reply.text) == SAFETY_LINE[lang]
    assert reply.buttons


async def test_did_you_mean_buttons_give_their_answer(harness: Harness) -> None:
    await harness.press(RESIDENT, MeantPress(Meant.WORRY, "sv", "bullying").encode())
    reply = harness.tg.last(RESIDENT).text
    assert "116 111" in reply and SUICIDE_LINE not in reply
    await harness.press(RESIDENT, MeantPress(Meant.EMERGENCY, "en").encode(), lang="sv")
    assert first_line(harness.tg.last(RESIDENT).text).startswith("112")
    assert "Call" in harness.tg.last(RESIDENT).text or "call" in harness.tg.last(RESIDENT).text


@pytest.mark.parametrize(
    "data",
    ["mean:worry:xx:bullying", "mean:next_event:sv:gvi", "mean:nope:sv:0", "mean:worry:sv:../x"],
)
async def test_did_you_mean_data_is_untrusted(harness: Harness, data: str) -> None:
    await harness.press(RESIDENT, data)
    reply = harness.tg.last(RESIDENT).text
    # Never an internal commitment's plans, never a crash; an unknown language reads the chat's.
    assert "GVI" not in reply
    assert reply


@pytest.mark.parametrize(
    ("text", "lang"),
    [
        ("jag vill inte ha fler", "sv"),
        ("avregistrera mig", "sv"),
        ("inga mer meddelanden tack", "sv"),
        ("please stop sending me these", "en"),
        ("en halua enää näitä viestejä", "fi"),
        ("nie chcę więcej tych wiadomości", "pl"),
        ("لا أريد المزيد من الرسائل", "ar"),
    ],
)
async def test_a_subscriber_stops_in_her_own_words(harness: Harness, text: str, lang: str) -> None:
    await subscribe(harness, SENIOR, lang)
    await harness.say(SENIOR, text, lang=lang)
    sub = await SubscriptionRepo(harness.services.db).get(SENIOR)
    if sub is not None and sub.active:
        # At most one confirming tap.
        buttons = [data for _label, data in harness.tg.last(SENIOR).buttons]
        stop = [data for data in buttons if data.startswith("mean:stop_tips")]
        assert stop, harness.tg.last(SENIOR).text
        await harness.press(SENIOR, stop[0], lang=lang)
        sub = await SubscriptionRepo(harness.services.db).get(SENIOR)
    assert sub is not None and not sub.active
    assert SUICIDE_LINE not in harness.tg.last(SENIOR).text
