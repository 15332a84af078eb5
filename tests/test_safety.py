"""Residents' safety through the whole bot, in Swedish and English: danger is answered with 112
first, suicide and close violence get their lines, a past crime gets 114 14, a pasted scam text
is checked, and every "I did not understand" ends with the 112 line."""

from __future__ import annotations

import pytest

from bot.language.emergency import Danger, assess
from bot.language.scamcheck import looks_pasted
from storage.subscriptions import ScamCountRepo
from tests.conftest import Harness

RESIDENT = 8101

DANGER_NOW = (
    ("min pappa slår mamma", "sv"),
    ("någon ligger på marken och andas inte", "sv"),
    ("hjälp", "sv"),
    ("SOS", "sv"),
    ("hörde skott vid stationen", "sv"),
    ("my son is missing", "en"),
    ("she took a lot of pills and wont wake up", "en"),
    ("help me", "en"),
)


# Added after safety batch 9 and 10: texting and spoken forms ("e", "o", "sej", "snutarna", "rn",
# "plz"), the third person (a person word, then a grave state), typos in long words of the tables
# and a vehicle that hits someone and drives off.
THIRD_PERSON_AND_SPOKEN = (
    ("mamma svarar inte har knackat länge", "sv"),
    ("en tjej ligger vid busskuren o rör sej inte", "sv"),
    ("snutarna måste komma han e helt borta", "sv"),
    ("farmor pratar konstigt och ena armen hänger", "sv"),
    ("my dad isnt answering and hes on the floor", "en"),
    ("someone is trying to force my front door open rn", "en"),
    ("plz send someone quick", "en"),
    ("theres a fier in the kitchen", "en"),
    ("en bil backade på en gammal dam o åkte därifrån", "sv"),
    ("a van hit a cyclist and took off", "en"),
)


@pytest.mark.parametrize(("text", "lang"), DANGER_NOW + THIRD_PERSON_AND_SPOKEN)
async def test_danger_now_is_answered_with_112_first(
    harness: Harness, text: str, lang: str
) -> None:
    await harness.say(RESIDENT, text, lang=lang)
    reply = harness.tg.last(RESIDENT).text
    assert reply.startswith("112")
    assert ("dygnet runt" if lang == "sv" else "around the clock") in reply


async def test_suicide_gets_the_suicide_line_and_1177(harness: Harness) -> None:
    await harness.say(RESIDENT, "jag vill inte leva längre")
    sv = harness.tg.last(RESIDENT).text
    assert sv.startswith("112") and "Självmordslinjen 90101" in sv and "1177" in sv
    await harness.say(RESIDENT, "i want to kill myself", lang="en")
    en = harness.tg.last(RESIDENT).text
    assert en.startswith("112") and "90101" in en and "You are not alone" in en


async def test_close_violence_gets_kvinnofridslinjen(harness: Harness) -> None:
    await harness.say(RESIDENT, "min sambo slår mig")
    sv = harness.tg.last(RESIDENT).text
    assert sv.startswith("112") and "Kvinnofridslinjen 020-50 50 50" in sv
    await harness.say(RESIDENT, "my husband hits me", lang="en")
    assert "Kvinnofridslinjen" in harness.tg.last(RESIDENT).text


@pytest.mark.parametrize(
    ("text", "lang"),
    [("någon stal min cykel igår", "sv"), ("I was robbed last week", "en")],
)
async def test_past_crime_gets_114_14_not_112_first(harness: Harness, text: str, lang: str) -> None:
    await harness.say(RESIDENT, text, lang=lang)
    reply = harness.tg.last(RESIDENT).text
    assert not reply.startswith("112")
    assert reply.index("114 14") < reply.index("112") and "polisen.se" in reply


@pytest.mark.parametrize(
    ("lang", "line"),
    [("sv", "Är någon i fara? Ring 112."), ("en", "Is someone in danger? Call 112.")],
)
async def test_not_understood_opens_with_the_112_line(
    harness: Harness, lang: str, line: str
) -> None:
    await harness.say(RESIDENT, "qwerty asdf zxcv", lang=lang)
    assert harness.tg.last(RESIDENT).text.splitlines()[0] == line


async def test_a_sentence_about_people_not_understood_starts_with_112(harness: Harness) -> None:
    await harness.say(RESIDENT, "han står bara där och stirrar på oss", lang="sv")
    reply = harness.tg.last(RESIDENT).text
    # Unsure: 112 on the first line, never the full crisis block with its helplines.
    assert "112" in reply.splitlines()[0] and "90101" not in reply


async def test_pasted_scam_is_checked_and_counted(harness: Harness) -> None:
    h = harness
    await h.say(RESIDENT, "Hej mamma, detta är mitt nya nummer. Kan du swisha 2000 kr idag?")
    sv = h.tg.last(RESIDENT).text
    assert "tecken på bedrägeri" in sv and "nytt nummer" in sv
    assert "Ring din bank på numret som står på ditt kort" in sv and "114 14" in sv
    assert "säker" in sv and "är säker." not in sv.split("\n", 1)[1]
    counts = await ScamCountRepo(h.services.db).month("2024-03")
    assert counts.get("relative") == 1
    await h.say(RESIDENT, "Your parcel is waiting. Pay the fee at parcel-fee.top", lang="en")
    en = h.tg.last(RESIDENT).text
    assert "It has a link" in en and "Call your bank on the number on your card" in en


async def test_scam_button_checks_the_next_text(harness: Harness) -> None:
    h = harness
    await h.say(RESIDENT, "qwerty", lang="en")
    buttons = [data for _label, data in h.tg.last(RESIDENT).buttons]
    assert "ask:scam:0" in buttons
    await h.press(RESIDENT, "ask:scam:0", lang="en")
    assert "Paste the text" in h.tg.last(RESIDENT).text
    # Even a text that would not look pasted is checked now, and nothing calls it safe.
    await h.say(RESIDENT, "Call me on this number about your bank account", lang="sv")
    reply = h.tg.last(RESIDENT).text
    assert reply.startswith("I looked for signs of fraud")
    # Only the next text: the one after is a question again.
    await h.say(RESIDENT, "när är nästa tematräff", lang="en")
    assert "signs of fraud" not in h.tg.last(RESIDENT).text


def test_ordinary_personal_messages_are_not_scams() -> None:
    for text in (
        "Hej mamma! Kommer hem vid sex. Ska jag köpa mjölk?",
        "hej mormor, tack för paketet!",
        "Ditt paket finns att hämta hos Coop. Visa koden 8812 i kassan.",
        "Hi grandma, see you on Sunday!",
    ):
        assert looks_pasted(text) is None, text


def test_not_urgent_is_not_an_emergency() -> None:
    assert assess("vilket nummer ringer man om det inte är akut").danger is Danger.NONE
    assert assess("non emergency number please").danger is Danger.NONE
    assert not assess("kan jag få skjuts till mötet").urgent


async def test_words_of_harm_put_112_before_any_other_answer(harness: Harness) -> None:
    await harness.say(RESIDENT, "min dotter gråter hela tiden, var ligger trygghetscentret")
    reply = harness.tg.last(RESIDENT).text
    assert reply.startswith("Är någon i fara? Ring 112.") and "Trygghetscent" in reply


def test_every_tip_offers_the_scam_check(harness: Harness) -> None:
    from bot.render.tips import tip_buttons

    rows = tip_buttons(harness.services.translator("sv"))
    pairs = [(b.label, b.data.encode()) for row in rows for b in row]
    assert ("Är det här ett bedrägeri?", "ask:scam:0") in pairs


async def test_danger_inside_the_tips_menu_gets_112(harness: Harness) -> None:
    await harness.say(RESIDENT, "/tips")
    await harness.say(RESIDENT, "hjälp någon slår mig")
    assert harness.tg.last(RESIDENT).text.startswith("112")


async def test_a_grave_state_wins_over_a_question_in_the_same_message(harness: Harness) -> None:
    await harness.say(
        RESIDENT, "my mom fell down the stairs and isnt moving, when is the next meeting", lang="en"
    )
    assert harness.tg.last(RESIDENT).text.startswith("112")
    await harness.say(RESIDENT, "pappa ligger på golvet och svarar inte, när är nästa tematräff")
    assert harness.tg.last(RESIDENT).text.startswith("112")


async def test_indirect_suicide_gets_the_suicide_line(harness: Harness) -> None:
    await harness.say(RESIDENT, "ingen skulle märka om jag försvann")
    assert "Självmordslinjen 90101" in harness.tg.last(RESIDENT).text
    await harness.say(RESIDENT, "been thinking about ending things lately", lang="en")
    assert "90101" in harness.tg.last(RESIDENT).text


def test_a_death_threat_reported_is_a_threat_not_suicide() -> None:
    sv = assess("min kille stryper mig o idag sa han att jag ska dö")
    assert sv.danger is Danger.CLOSE_VIOLENCE
    en = assess("my ex texted that im going to die")
    assert en.urgent and en.danger is not Danger.SUICIDE


def test_typos_in_long_words_of_the_tables() -> None:
    for text in ("skottlosning vid skolan", "an ambulence please", "min son har försvunit"):
        assert assess(text).urgent, text
    # A word the tables spell out is never read as a typo of another word.
    assert assess("det finns ingen mening med livet").danger is Danger.SUICIDE


@pytest.mark.parametrize(
    ("text", "lang"),
    [
        ("när är brandövningen på skolan", "sv"),
        ("finns det skjuts till trygghetsvandringen", "sv"),
        ("jag heter anna", "sv"),
        ("when is the fire drill at the school", "en"),
        ("thanks for the help yesterday", "en"),
        ("tack för all hjälp", "sv"),
        ("we took some great shots at the event", "en"),
        ("my son wants to shoot hoops at the school yard, is it open", "en"),
    ],
)
async def test_harmless_senses_are_not_sent_to_112_first(
    harness: Harness, text: str, lang: str
) -> None:
    await harness.say(RESIDENT, text, lang=lang)
    assert not harness.tg.last(RESIDENT).text.startswith("112")
