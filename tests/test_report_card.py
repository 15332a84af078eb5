"""The report card and the guided /report on a phone: every step by tap or by typing, in
Swedish and English; problems shown on the card before Save; duplicates; cancelling; the
typed callback codec; milestones; local times."""

from __future__ import annotations

from datetime import date, datetime, timedelta

import pytest

from bot.clock import STOCKHOLM
from bot.domain.errors import UserFacingError
from bot.domain.records import Org
from bot.i18n import translator
from bot.language.report_fix import bare_count
from bot.render.callbacks import (
    CALLBACK_MAX,
    Card,
    CardAction,
    FollowupCount,
    MalformedCallback,
    MilestoneChoice,
)
from bot.services.reporting import ReportInvalid
from storage.events import NewEvent
from tests.conftest import ADMIN_ID, Harness
from tests.fakes import without_card
from tests.test_reporting import drain

STAFF = 6101
RESIDENT = 6102
ONE_LINER = "synlighetsinsats bro centrum idag 40 pers"  # Tuesday 12 March 2024


async def make_staff(h: Harness, user_id: int = STAFF) -> None:
    await h.services.staff.upsert(user_id, Org.POLICE, "Sam", h.clock.now(), None)


def datas(h: Harness, user_id: int = STAFF) -> list[str]:
    return [without_card(data) for _label, data in h.tg.last(user_id).buttons]


async def saved_one(h: Harness) -> tuple[str, date, int | None, str | None, str]:
    [a] = await h.services.activities.by_reporter(STAFF)
    return a.commitment, a.date, a.count, a.place, a.description


# --- the card: every field by button or by typing, sv and en ----------------------------------

# field → (button to open the step, then either a button or typed text per language)
CARD_FIXES: dict[str, tuple[str, str, dict[str, str]]] = {
    "kind": ("rep:kind:0", "rep:setk:theme_meeting", {"sv": "tematräff", "en": "theme meeting"}),
    "date": ("rep:date:0", "rep:setd:2", {"sv": "i förrgår", "en": "the day before yesterday"}),
    "count": ("rep:count:0", "rep:setc:20", {"sv": "ca 20", "en": "about 20"}),
    "place": ("rep:place:0", "", {"sv": "Brogård", "en": "Brogård"}),
}
EXPECTED = {
    "kind": lambda s: s[0] == "theme_meeting",
    "date": lambda s: s[1] == date(2024, 3, 10),
    "count": lambda s: s[2] == 20,
    "place": lambda s: s[3] == "Brogård",
}


@pytest.mark.parametrize("lang", ["sv", "en"])
@pytest.mark.parametrize("how", ["button", "typed", "typed on the card"])
@pytest.mark.parametrize("field", list(CARD_FIXES))
async def test_card_field_fixed_by_tap_or_typing(
    harness: Harness, field: str, how: str, lang: str
) -> None:
    h = harness
    await make_staff(h)
    await h.say(STAFF, ONE_LINER, lang=lang)
    opener, tap, typed = CARD_FIXES[field]
    if how == "button" and tap:
        await h.press(STAFF, opener, lang=lang)
        await h.press(STAFF, tap, lang=lang)
    elif how == "typed on the card":
        await h.say(STAFF, typed[lang], lang=lang)
    else:  # open the step with its button, then type (the place has only typing)
        await h.press(STAFF, opener, lang=lang)
        await h.say(STAFF, typed[lang], lang=lang)
    assert "rep:save:0" in datas(h), h.tg.last(STAFF).text
    assert await h.services.activities.by_reporter(STAFF) == []  # nothing counts before Save
    await h.press(STAFF, "rep:save:0", lang=lang)
    stored = await saved_one(h)
    assert EXPECTED[field](stored), stored
    # The rest of the one-liner is untouched by the fix.
    untouched = {
        "kind": "visibility_effort",
        "date": date(2024, 3, 12),
        "count": 40,
        "place": "Bro centrum",
    }
    for index, name in enumerate(("kind", "date", "count", "place")):
        if name != field:
            assert stored[index] == untouched[name], (name, stored)


# --- guided /report: each step by tap or typing ---------------------------------------------

GUIDED: dict[str, tuple[str, dict[str, str]]] = {
    "kind": ("rep:setk:visibility_effort", {"sv": "synlighetsinsats", "en": "visibility effort"}),
    "date": ("rep:setd:1", {"sv": "igår", "en": "yesterday"}),
    "count": ("rep:setc:10", {"sv": "10", "en": "10"}),
    "place": ("rep:skip:0", {"sv": "Brogård", "en": "Brogård"}),
    "note": ("rep:skip:0", {"sv": "lugn kväll", "en": "a calm evening"}),
}


@pytest.mark.parametrize("lang", ["sv", "en"])
@pytest.mark.parametrize("how", ["button", "typed"])
@pytest.mark.parametrize("step", list(GUIDED))
async def test_guided_report_step_by_tap_or_typing(
    harness: Harness, step: str, how: str, lang: str
) -> None:
    h = harness
    await make_staff(h)
    await h.say(STAFF, "/rapport" if lang == "sv" else "/report", lang=lang)
    for name, (tap, typed) in GUIDED.items():
        if name == step and how == "typed":
            await h.say(STAFF, typed[lang], lang=lang)
        else:
            await h.press(STAFF, tap, lang=lang)
    card = h.tg.last(STAFF)
    assert ("Stämmer det här?" if lang == "sv" else "Is this right?") in card.text
    await h.press(STAFF, "rep:save:0", lang=lang)
    commitment, day, count, place, note = await saved_one(h)
    assert (commitment, day, count) == ("visibility_effort", date(2024, 3, 11), 10)
    assert place == ("Brogård" if step == "place" and how == "typed" else None)
    if step == "note" and how == "typed":
        assert note == GUIDED["note"][1][lang]


async def test_words_typed_mid_report_fix_the_card_or_are_answered(harness: Harness) -> None:
    h = harness
    await make_staff(h)
    await h.say(STAFF, ONE_LINER)
    await h.press(STAFF, "rep:count:0")
    await h.say(STAFF, "många")  # not a number: asked again, the draft kept
    assert "Skriv ett tal" in h.tg.last(STAFF).text
    await h.say(STAFF, "25")
    await h.say(STAFF, "hej hej")  # nothing to fix on the card: a hint, the card stays
    assert "/avbryt" in h.tg.last(STAFF).text
    await h.say(STAFF, "när är nästa tematräff?")  # a question is answered, the card waits
    assert "tematräff" in h.tg.last(STAFF).text.casefold()
    await h.say(STAFF, "i förrgår")  # a fix still goes to the open card
    assert await h.services.activities.by_reporter(STAFF) == []
    await h.press(STAFF, "rep:save:0")
    assert await saved_one(h) == (
        "visibility_effort",
        date(2024, 3, 10),
        25,
        "Bro centrum",
        ONE_LINER,
    )


async def test_a_message_forwarded_mid_report_is_checked_not_taken_as_a_fix(
    harness: Harness,
) -> None:
    h = harness
    await make_staff(h)
    await h.say(STAFF, ONE_LINER)
    forwarded = {"type": "hidden_user", "sender_user_name": "X", "date": 1_700_000_000}
    await h.say(STAFF, "Hej mamma! Kan du swisha 4000 kr idag?", forward_origin=forwarded)
    assert "tecken på bedrägeri" in h.tg.last(STAFF).text
    await h.press(STAFF, "rep:save:0")  # the card is still there, unchanged
    assert (await saved_one(h))[:4] == ("visibility_effort", date(2024, 3, 12), 40, "Bro centrum")


@pytest.mark.parametrize("lang,command", [("sv", "/avbryt"), ("en", "/cancel")])
async def test_cancel_ends_the_report(harness: Harness, lang: str, command: str) -> None:
    h = harness
    await make_staff(h)
    await h.say(STAFF, ONE_LINER, lang=lang)
    await h.press(STAFF, "rep:place:0", lang=lang)
    await h.say(STAFF, command, lang=lang)
    assert ("Inget sparades" if lang == "sv" else "Nothing was saved") in h.tg.last(STAFF).text
    await h.press(STAFF, "rep:save:0", lang=lang)  # the old card's Save does nothing now
    assert await h.services.activities.by_reporter(STAFF) == []


# --- validation on the card, translated --------------------------------------------------------


@pytest.mark.parametrize("lang", ["sv", "en"])
async def test_future_date_shown_on_the_card_with_plan_offer(harness: Harness, lang: str) -> None:
    h = harness
    await make_staff(h)
    await h.say(STAFF, "tematräff imorgon 20 pers", lang=lang)
    card = h.tg.last(STAFF)
    assert ("i framtiden" if lang == "sv" else "in the future") in card.text
    assert ("Planera det i stället?" if lang == "sv" else "Plan it instead?") in card.text + str(
        card.buttons
    )
    assert "rep:save:0" not in datas(h) and "rep:plan:0" in datas(h)
    await h.press(STAFF, "rep:save:0", lang=lang)  # a forged Save shows the card again
    assert await h.services.activities.by_reporter(STAFF) == []
    # One tap into /plan with the kind and the day carried over.
    await h.press(STAFF, "rep:plan:0", lang=lang)
    assert "13" in h.tg.last(STAFF).text
    await h.say(STAFF, "Tematräff: trygg kväll", lang=lang)
    assert any(d == "plan:when:3" for d in datas(h))  # the card's day, 18:00


@pytest.mark.parametrize("lang", ["sv", "en"])
async def test_other_problems_are_shown_translated(harness: Harness, lang: str) -> None:
    h = harness
    await make_staff(h)
    await h.say(STAFF, "tematräff 3/3/2021 20000 pers", lang=lang)
    text = h.tg.last(STAFF).text
    assert ("utanför löftets period" if lang == "sv" else "outside the promise period") in text
    assert ("inte rimligt" if lang == "sv" else "not plausible") in text
    assert "rep:save:0" not in datas(h)


def test_error_reasons_are_translated() -> None:
    error = ReportInvalid(why="the date is in the future")
    assert error.render(translator("sv")) == "Rapporten kan inte sparas: datumet har inte varit än"
    assert "the future" in error.render(translator("en"))
    assert UserFacingError().render(translator("sv")) != UserFacingError().render(translator("en"))


@pytest.mark.parametrize("lang", ["sv", "en"])
async def test_possible_duplicate_flagged_and_saved_only_on_purpose(
    harness: Harness, lang: str
) -> None:
    h = harness
    await make_staff(h)
    await h.say(STAFF, ONE_LINER, lang=lang)
    await h.press(STAFF, "rep:save:0", lang=lang)
    await h.say(STAFF, ONE_LINER, lang=lang)
    card = h.tg.last(STAFF)
    assert ("redan har rapporterat" if lang == "sv" else "reported this already") in card.text
    assert "rep:save:0" not in datas(h) and "rep:force:0" in datas(h)
    await h.press(STAFF, "rep:save:0", lang=lang)
    assert len(await h.services.activities.by_reporter(STAFF)) == 1
    await h.press(STAFF, "rep:force:0", lang=lang)
    assert len(await h.services.activities.by_reporter(STAFF)) == 2


# --- staff text that reads like a report -------------------------------------------------------


@pytest.mark.parametrize(
    "question",
    ["när är nästa tematräff", "hur går det med tematräffar?", "When is the next theme meeting"],
)
async def test_a_staff_question_is_answered_not_made_a_card(
    harness: Harness, question: str
) -> None:
    h = harness
    await make_staff(h)
    await h.say(STAFF, question)
    assert "rep:save:0" not in datas(h) and "rep:kind:0" not in datas(h)


async def test_report_like_staff_text_gets_a_card_not_the_menu(harness: Harness) -> None:
    h = harness
    await make_staff(h)
    await h.say(STAFF, "gick runt i bro centrum med fältarna ikväll, pratade med typ 15 ungdomar")
    card = h.tg.last(STAFF)
    assert "Personer: 15" in card.text and "Bro centrum" in card.text
    assert "rep:kind:0" in datas(h) and "rep:save:0" not in datas(h)
    await h.press(STAFF, "rep:kind:0")
    await h.press(STAFF, "rep:setk:visibility_effort")
    await h.press(STAFF, "rep:save:0")
    assert (await saved_one(h))[:4] == ("visibility_effort", date(2024, 3, 12), 15, "Bro centrum")


# --- milestones --------------------------------------------------------------------------------


async def test_milestone_without_count_question_and_rejected(harness: Harness) -> None:
    h = harness
    await make_staff(h)
    await h.say(STAFF, "/report", lang="en")
    await h.press(STAFF, "rep:setk:gvi", lang="en")
    await h.press(STAFF, "rep:setd:0", lang="en")
    assert "How many" not in h.tg.last(STAFF).text  # straight to the place
    await h.press(STAFF, "rep:skip:0", lang="en")
    await h.press(STAFF, "rep:skip:0", lang="en")
    assert "People:" not in h.tg.last(STAFF).text
    await h.press(STAFF, "rep:save:0", lang="en")
    await h.press(STAFF, "ms:req:gvi", lang="en")
    h.tg.clear()
    await drain(h)
    assert {"ms:ok:gvi", "ms:no:gvi"} <= {d for _l, d in h.tg.last(ADMIN_ID).buttons}
    await h.press(STAFF, "ms:no:gvi", lang="en")  # staff cannot decide
    await h.press(ADMIN_ID, "ms:no:gvi", lang="en")
    assert "not confirmed" in h.tg.last(ADMIN_ID).text
    assert await h.services.milestones.all() == {}
    h.tg.clear()
    await drain(h)
    assert "inte bekräftat delmålet" in h.tg.last(STAFF).text  # in their saved language


# --- the event follow-up: another number -------------------------------------------------------


async def test_followup_offers_another_number_typed(harness: Harness) -> None:
    h = harness
    await make_staff(h)
    start = datetime(2024, 3, 11, 18, 0, tzinfo=STOCKHOLM)
    event = await h.services.events.add(
        NewEvent(
            "theme_meeting",
            "Trygg i Bro",
            start,
            start + timedelta(hours=2),
            "public",
            organiser_id=STAFF,
        ),
        h.clock.now(),
    )
    await h.press(STAFF, f"ev:done:{event.id}")
    [activity] = await h.services.activities.by_reporter(STAFF)
    assert f"evo:{activity.id}" in datas(h) and f"evc:{activity.id}:20" in datas(h)
    await h.press(STAFF, f"evo:{activity.id}")
    await h.say(STAFF, "37")
    await h.press(STAFF, "rep:save:0")
    [activity] = await h.services.activities.by_reporter(STAFF)
    assert activity.count == 37 and activity.event_id == event.id


# --- the codec ---------------------------------------------------------------------------------


def test_callback_codec_round_trips_and_refuses_malformed_data() -> None:
    card = Card(CardAction.SET_KIND, "theme_meeting")
    assert Card.decode(card.encode()) == card
    # A card's button names its card; a button sent before cards were kept names none.
    assert Card.decode(Card(CardAction.SAVE, "0", 12).encode()) == Card(CardAction.SAVE, "0", 12)
    assert card.encode() == "rep:setk:theme_meeting"
    assert Card.decode("rep:save:0") == Card(CardAction.SAVE, "0", 0)
    assert FollowupCount.decode("evc:12:30") == FollowupCount(12, 30)
    malformed = {
        Card: [
            "",
            "rep",
            "rep:save",
            "rep:nope:0",
            "rep:save:0:x",
            "rep:save:0:1:2",
            "rep:save:\x00",
        ],
        FollowupCount: ["evc:1:x", "evc:١:2", "evc:1:99999999999999999999", "evc:1:2:3"],
        MilestoneChoice: ["ms:req:" + "x" * 80, "ms:maybe:gvi", "rep:req:gvi"],
    }
    for codec, samples in malformed.items():
        for bad in samples:
            with pytest.raises(MalformedCallback):
                codec.decode(bad)
            assert codec.parse(bad) is None
    with pytest.raises(ValueError):
        Card(CardAction.NEW, "x" * CALLBACK_MAX).encode()


# --- every time in Europe/Stockholm ------------------------------------------------------------


@pytest.mark.parametrize("lang", ["sv", "en"])
@pytest.mark.parametrize("day", [date(2024, 3, 15), date(2024, 6, 14)], ids=["winter", "summer"])
async def test_status_detail_shows_local_time(harness: Harness, lang: str, day: date) -> None:
    h = harness
    await make_staff(h)
    h.clock.set(datetime(day.year, day.month, day.day - 3, 10, 0, tzinfo=STOCKHOLM))
    start = datetime(day.year, day.month, day.day, 18, 0, tzinfo=STOCKHOLM)
    await h.services.events.add(
        NewEvent(
            "theme_meeting",
            "Kvällsträff",
            start,
            start + timedelta(hours=2),
            "public",
            organiser_id=STAFF,
        ),
        h.clock.now(),
    )
    # Status detail, the residents' list and the organiser's list all say 18:00.
    for show in ("st:show:theme_meeting", "/events", "/myevents"):
        if show.startswith("/"):
            await h.say(STAFF, show, lang=lang)
        else:
            await h.press(STAFF, show, lang=lang)
        line = next(x for x in h.tg.last(STAFF).text.splitlines() if "Kvällsträff" in x)
        assert "18:00" in line and "17:00" not in line and "16:00" not in line, (show, line)


# --- joining, privacy and deletion for staff ---------------------------------------------------


async def test_admins_are_told_when_someone_joins(harness: Harness) -> None:
    h = harness
    code = await h.app.bot_data.people.create_invite(None, Org.POLICE)
    await h.say(STAFF, f"/start inv_{code}", lang="en")
    h.tg.clear()
    await drain(h)
    told = h.tg.last(ADMIN_ID).text
    assert "joined as staff" in told or "gick med som personal" in told
    assert "Polisen" in told or "Police" in told


@pytest.mark.parametrize("lang", ["sv", "en"])
async def test_staff_privacy_and_delete_me_say_what_stays(harness: Harness, lang: str) -> None:
    h = harness
    await make_staff(h)
    await h.say(STAFF, ONE_LINER, lang=lang)
    await h.press(STAFF, "rep:save:0", lang=lang)
    await h.say(STAFF, "/privacy", lang=lang)
    text = h.tg.last(STAFF).text
    never = "lagrar aldrig ditt namn" if lang == "sv" else "never store your name"
    assert never not in text  # staff names are stored: never claim otherwise
    assert ("1 rapport" if lang == "sv" else "1 report you made") in text
    await h.say(STAFF, "/delete_me", lang=lang)
    await h.press(STAFF, "me:delete:yes", lang=lang)
    done = h.tg.last(STAFF).text
    assert ("fortfarande personal" if lang == "sv" else "still staff") in done
    assert await h.services.staff.active(STAFF) is not None


async def test_milestone_confirmed_after_its_due_date_is_marked_late(harness: Harness) -> None:
    h = harness
    await make_staff(h)
    await h.press(ADMIN_ID, "ms:ok:gvi", lang="en")  # GVI was due 31 Dec 2023; today 12 Mar 2024
    assert "Milestone confirmed" in h.tg.last(ADMIN_ID).text
    await h.say(STAFF, "/status", lang="en")
    gvi = next(x for x in h.tg.last(STAFF).text.splitlines() if x.startswith("GVI"))
    assert "done, late" in gvi


@pytest.mark.parametrize(
    "text,count",
    [
        ("25", 25),
        ("ca 25", 25),
        ("typ 15 st", 15),
        ("det var 25", 25),
        ("about 30", 30),
        ("we were around 12", 12),
        ("kl 18", None),
        ("15/3", None),
        ("25 000 000", None),
    ],
)
def test_bare_counts(text: str, count: int | None) -> None:
    assert bare_count(text) == count


# --- dates as people mean them (issue 21) -----------------------------------------------------


@pytest.mark.parametrize("lang", ["sv", "en"])
async def test_a_range_is_one_tap_among_its_days(harness: Harness, lang: str) -> None:
    """ "förra veckan" (Tuesday 12 March): the card asks which day, with a button for each
    day of last week; Save appears once a day is tapped, and the row has that day."""
    h = harness
    await make_staff(h)
    text = {"sv": "Insats mot narkotika förra veckan", "en": "drug operation last week"}[lang]
    await h.say(STAFF, text, lang=lang)
    card = h.tg.last(STAFF)
    which = {"sv": "Vilken dag var det?", "en": "Which day was it?"}[lang]
    assert which in card.text and "rep:save:0" not in datas(h)
    days = [data for data in datas(h) if data.startswith("rep:setd:")]
    assert days == [f"rep:setd:{n}" for n in range(2, 9)]  # Sun 10 back to Mon 4 March
    monday = next(label for label, data in card.buttons if without_card(data) == "rep:setd:8")
    assert ("mån" if lang == "sv" else "Mon") in monday
    await h.press(STAFF, "rep:setd:6", lang=lang)  # Wednesday 6 March
    assert "rep:save:0" in datas(h)
    await h.press(STAFF, "rep:save:0", lang=lang)
    assert (await saved_one(h))[:2] == ("narcotics_operation", date(2024, 3, 6))


async def test_a_typed_day_settles_the_range(harness: Harness) -> None:
    h = harness
    await make_staff(h)
    await h.say(STAFF, "synlighetsinsats bro centrum i helgen 30 pers")
    assert "Vilken dag var det?" in h.tg.last(STAFF).text
    await h.say(STAFF, "i lördags")
    assert "rep:save:0" in datas(h)
    await h.press(STAFF, "rep:save:0")
    assert (await saved_one(h))[1] == date(2024, 3, 9)


async def test_pa_fredag_is_the_coming_friday_and_offers_planning(harness: Harness) -> None:
    """On Tuesday 12 March "på fredag" is Friday 15 March: nothing has happened yet, so the
    card offers to plan it instead of counting it."""
    h = harness
    await make_staff(h)
    await h.say(STAFF, "tematräff på fredag ca 20 pers")
    card = h.tg.last(STAFF)
    assert "fredag 15 mars" in card.text and "i framtiden" in card.text
    assert "rep:plan:0" in datas(h) and "rep:save:0" not in datas(h)
    await h.say(STAFF, "i fredags")
    assert "rep:save:0" in datas(h)
    await h.press(STAFF, "rep:save:0")
    assert (await saved_one(h))[1] == date(2024, 3, 8)


@pytest.mark.parametrize("lang", ["sv", "en"])
async def test_staff_buttons_stay_within_40_characters(harness: Harness, lang: str) -> None:
    """Every button a staff member meets on the way (the card, its kinds and days, the
    status, planning) fits a phone: at most 40 characters, a longer one cut with "…"."""
    h = harness
    await make_staff(h)
    labels: list[str] = []
    for step in ("/status", "/plan", "/report", ONE_LINER):
        await h.say(STAFF, step, lang=lang)
        labels += [label for label, _data in h.tg.last(STAFF).buttons]
        await h.say(STAFF, "/cancel", lang=lang)
    await h.say(STAFF, "Insats mot narkotika förra veckan", lang=lang)
    await h.press(STAFF, "rep:kind:0", lang=lang)
    labels += [label for label, _data in h.tg.last(STAFF).buttons]
    assert len(labels) > 20
    assert all(len(label) <= 40 for label in labels), [x for x in labels if len(x) > 40]


def test_a_long_label_is_cut_with_an_ellipsis() -> None:
    from bot.render import LABEL_MAX, Button

    long = Button("Modell för barns och ungas tillit till samhället (2022)", Card(CardAction.SAVE))
    assert len(long.label) <= LABEL_MAX and long.label.endswith("…")
    assert long.label.startswith("Modell för barns och ungas tillit")
    assert Button("Spara ✔", Card(CardAction.SAVE)).label == "Spara ✔"
