"""One card per report (issue 21): a second one-liner opens its own card, the open card takes
typed fixes, the same kind is asked about, cards outlive a restart, /myreports lists them, and
their owner is told before one is dropped."""

from __future__ import annotations

import asyncio
import csv
from datetime import date, timedelta
from pathlib import Path

import pytest

from bot.app import SANDBOX_TOKEN, build_application, serving
from bot.cli.main import build_parser, resolve
from bot.domain.records import Org
from bot.services.reporting import CARD_KEEP_AFTER_WARNING, CARD_WARN_AFTER
from bot.settings import Settings
from tests.conftest import Harness
from tests.fakes import FakeTelegram, message_update, to_update, user, without_card
from tests.test_reporting import drain

STAFF = 6301
OTHER = 6302
THEME = "tematräff i trygghetscentret igår ca 20 pers"  # Tuesday 12 March 2024: Monday 11
VISIT = "synlighet bro centrum i förrgår, pratade med Ahmed 0701234567 om hans son"


async def make_staff(h: Harness, user_id: int = STAFF) -> None:
    await h.services.staff.upsert(user_id, Org.POLICE, "Sam", h.clock.now(), None)


def offered(h: Harness, user_id: int = STAFF) -> list[str]:
    return [without_card(data) for _label, data in h.tg.last(user_id).buttons]


def export(settings: Settings, tmp_path: Path) -> list[str]:
    out = tmp_path / "export.csv"
    args = build_parser().parse_args(["export-activities", "--out", str(out)])
    assert resolve(args.command)(args, settings) == 0
    # The five contract columns; the condition columns after them: tests/test_conditions.py.
    lines = out.read_text(encoding="utf-8").splitlines()[1:]
    return [",".join(row[:5]) for row in csv.reader(lines)]


async def test_two_one_liners_give_two_cards_and_two_true_rows(
    harness: Harness, settings: Settings, tmp_path: Path
) -> None:
    h = harness
    await make_staff(h)
    await h.say(STAFF, THEME)
    first = h.tg.last(STAFF)
    assert "Tematräffar" in first.text and "Personer: 20" in first.text
    await h.say(STAFF, VISIT)
    second = h.tg.last(STAFF)
    # A card of its own; the first one is named as kept, unchanged.
    assert second.text.startswith("Ett nytt kort.")
    assert "Tematräffar, måndag 11 mars 2024" in second.text
    # The personal data in the second text is caught on its own card.
    assert "personuppgifter" in second.text
    assert "rep:redact:0" in offered(h)
    await h.press(STAFF, "rep:redact:0")
    assert "0701234567" not in h.tg.last(STAFF).text
    await h.press(STAFF, "rep:save:0")
    assert "Sparad" in h.tg.last(STAFF).text
    # The first card, tapped on its own message, saves the first report as it was.
    save_first = next(d for _label, d in first.buttons if d.startswith("rep:save:"))
    await h.press(STAFF, save_first)
    assert "Sparad" in h.tg.last(STAFF).text
    rows = sorted(await asyncio.to_thread(export, settings, tmp_path))
    assert len(rows) == 2
    assert rows[0].startswith("theme_meeting,2024-03-11,")
    assert ",20," in rows[0] and rows[0].endswith(THEME)
    assert rows[1].startswith("visibility_effort,2024-03-10,Bro centrum,,")
    assert "0701234567" not in rows[1] and "Ahmed" in rows[1]


async def test_the_open_card_takes_fixes_and_another_kind_opens_a_card(harness: Harness) -> None:
    h = harness
    await make_staff(h)
    await h.say(STAFF, THEME)
    await h.say(STAFF, "25 pers")  # no kind: a fix to the open card
    assert "Personer: 25" in h.tg.last(STAFF).text
    await h.say(STAFF, "det var en synlighetsinsats")  # only the kind: also a fix
    assert "Synlighetsinsatser" in h.tg.last(STAFF).text
    assert not h.tg.last(STAFF).text.startswith("Ett nytt kort.")
    assert len(await h.app.bot_data.features.reporting.cards_repo.of_user(STAFF)) == 1


async def test_the_same_kind_is_asked_about_and_either_answer_works(harness: Harness) -> None:
    h = harness
    await make_staff(h)
    reporting = h.app.bot_data.features.reporting
    await h.say(STAFF, THEME)
    await h.say(STAFF, "tematräff i förrgår 30 pers")
    asked = h.tg.last(STAFF)
    assert "ändring av kortet du har öppet (Tematräffar, måndag 11 mars 2024)" in asked.text
    assert next(without_card(d) for _label, d in asked.buttons).startswith("rep:fix:")
    assert len(await reporting.cards_repo.of_user(STAFF)) == 2  # the text is kept while asked
    await h.press(STAFF, "rep:fix")  # "Change the open card"
    card = h.tg.last(STAFF)
    assert "söndag 10 mars 2024" in card.text and "Personer: 30" in card.text
    assert len(await reporting.cards_repo.of_user(STAFF)) == 1
    await h.say(STAFF, "tematräff idag 12 pers")
    await h.press(STAFF, "rep:open:0")  # "A new report"
    assert "Personer: 12" in h.tg.last(STAFF).text
    assert len(await reporting.cards_repo.of_user(STAFF)) == 2
    assert "rep:cards:0" in offered(h)  # the other card is one tap away
    await h.press(STAFF, "rep:cards:0")
    assert "Inte sparade än:" in h.tg.last(STAFF).text


async def test_myreports_lists_the_cards_and_opens_one(harness: Harness) -> None:
    h = harness
    await make_staff(h)
    await h.say(STAFF, THEME)
    await h.say(STAFF, "synlighetsinsats bro centrum idag 40 pers")
    await h.say(STAFF, "/minarapporter")
    listing = h.tg.last(STAFF)
    assert "Inte sparade än:" in listing.text
    assert "• Tematräffar, måndag 11 mars 2024" in listing.text
    assert "• Synlighetsinsatser, tisdag 12 mars 2024" in listing.text
    open_theme = next(d for label, d in listing.buttons if "Tematräffar" in label)
    await h.press(STAFF, open_theme)
    assert "Vad: Tematräffar" in h.tg.last(STAFF).text
    await h.say(STAFF, "ca 22")  # the opened card is the open one now
    assert "Personer: 22" in h.tg.last(STAFF).text
    assert "Vad: Tematräffar" in h.tg.last(STAFF).text


async def test_a_card_outlives_a_restart(harness: Harness, settings: Settings) -> None:
    h = harness
    await make_staff(h)
    await h.say(STAFF, THEME)
    card = h.tg.last(STAFF)
    save = next(d for _label, d in card.buttons if d.startswith("rep:save:"))
    tg = FakeTelegram()
    again = build_application(
        settings,
        clock=h.clock,
        request=tg.request(),
        updates_request=tg.request(),
        rate_limit=False,
        token=SANDBOX_TOKEN,
    )
    async with serving(again):
        from tests.fakes import callback_update

        await again.process_update(to_update(callback_update(user(STAFF), save), again.bot))
    assert "Sparad" in tg.last(STAFF).text
    [saved] = await h.services.activities.by_reporter(STAFF)
    assert (saved.commitment, saved.date, saved.count) == ("theme_meeting", date(2024, 3, 11), 20)


async def test_nobody_taps_another_persons_card(harness: Harness) -> None:
    h = harness
    await make_staff(h)
    await make_staff(h, OTHER)
    await h.say(STAFF, THEME)
    save = next(d for _label, d in h.tg.last(STAFF).buttons if d.startswith("rep:save:"))
    for data in (save, save.replace("rep:save", "rep:drop"), save.replace("rep:save", "rep:open")):
        await h.press(OTHER, data)
        assert "Rapporten finns inte längre" in h.tg.last(OTHER).text
    await h.press(6399, save)  # a resident: not staff at all
    assert await h.services.activities.by_reporter(STAFF) == []
    assert len(await h.app.bot_data.features.reporting.cards_repo.of_user(STAFF)) == 1


async def test_the_owner_is_told_before_a_card_is_dropped(harness: Harness) -> None:
    h = harness
    await make_staff(h)
    reporting = h.app.bot_data.features.reporting
    await h.say(STAFF, THEME)
    start = h.clock.now()
    h.clock.set(start + CARD_WARN_AFTER - timedelta(minutes=1))
    assert await reporting.cards_tick() == 0  # not a day yet
    h.clock.set(start + CARD_WARN_AFTER + timedelta(minutes=1))
    assert await reporting.cards_tick() == 1
    await drain(h)
    told = h.tg.last(STAFF)
    assert "inte är sparad: Tematräffar, måndag 11 mars 2024" in told.text
    assert "tas den bort om 24 timmar" in told.text
    assert await reporting.cards_tick() == 0  # told once
    h.clock.set(start + CARD_WARN_AFTER + CARD_KEEP_AFTER_WARNING - timedelta(minutes=5))
    await reporting.cards_tick()
    assert (
        len(await reporting.cards_repo.of_user(STAFF)) == 1
    )  # kept at least a day after the message
    h.clock.set(start + CARD_WARN_AFTER + CARD_KEEP_AFTER_WARNING + timedelta(minutes=5))
    await reporting.cards_tick()
    assert await reporting.cards_repo.of_user(STAFF) == []
    # The message's button now says so, calmly.
    open_it = next(d for _label, d in told.buttons if d.startswith("rep:open:"))
    await h.press(STAFF, open_it)
    assert "Rapporten finns inte längre" in h.tg.last(STAFF).text


async def test_opening_the_card_from_the_message_keeps_it_another_day(harness: Harness) -> None:
    h = harness
    await make_staff(h)
    reporting = h.app.bot_data.features.reporting
    await h.say(STAFF, THEME)
    start = h.clock.now()
    h.clock.set(start + CARD_WARN_AFTER + timedelta(minutes=1))
    await reporting.cards_tick()
    await drain(h)
    open_it = next(d for _label, d in h.tg.last(STAFF).buttons if d.startswith("rep:open:"))
    await h.press(STAFF, open_it)
    assert "Vad: Tematräffar" in h.tg.last(STAFF).text
    h.clock.set(start + CARD_WARN_AFTER + CARD_KEEP_AFTER_WARNING + timedelta(minutes=5))
    await reporting.cards_tick()
    assert len(await reporting.cards_repo.of_user(STAFF)) == 1


@pytest.mark.parametrize("lang", ["sv", "en"])
async def test_delete_me_removes_the_cards(harness: Harness, lang: str) -> None:
    h = harness
    await make_staff(h)
    await h.say(STAFF, THEME, lang=lang)
    await h.services.users.forget(STAFF, keep_work_records=True)
    assert await h.app.bot_data.features.reporting.cards_repo.of_user(STAFF) == []


async def test_a_resident_text_that_reads_like_a_report_never_opens_a_card(
    harness: Harness,
) -> None:
    h = harness
    await h.raw(message_update(user(6398), THEME))
    assert "rep:" not in " ".join(offered(h, 6398))
    assert await h.app.bot_data.features.reporting.cards_repo.of_user(6398) == []


async def test_privacy_tells_staff_about_their_cards(harness: Harness) -> None:
    h = harness
    await make_staff(h)
    await h.say(STAFF, "/integritet")
    assert "rapportkort" not in h.tg.last(STAFF).text
    await h.say(STAFF, THEME)
    await h.say(STAFF, "/integritet")
    assert "• 1 rapportkort som inte är sparat än" in h.tg.last(STAFF).text
    await h.say(STAFF, "/privacy", lang="en")
    assert "• 1 report card not saved yet" in h.tg.last(STAFF).text


async def test_a_fix_an_hour_later_asks_which_card(harness: Harness) -> None:
    h = harness
    await make_staff(h)
    await h.say(STAFF, THEME)
    h.clock.set(h.clock.now() + timedelta(hours=2))
    await h.say(STAFF, "ca 25")
    asked = h.tg.last(STAFF)
    assert "Vilket kort gäller det?" in asked.text and "Tematräffar" in asked.text
    await h.press(STAFF, "rep:open:0")
    await h.say(STAFF, "ca 25")  # now it is the open card
    assert "Personer: 25" in h.tg.last(STAFF).text


# --- the promise's conditions on the card ------------------------------------------------


async def test_the_card_asks_only_what_the_text_did_not_say(harness: Harness) -> None:
    h = harness
    await make_staff(h)  # police
    await h.say(STAFF, "synlighetsinsats bro centrum igår 30 pers med civilsamhället")
    card = h.tg.last(STAFF)
    assert "Polisen ✔" in card.text and "Civilsamhället ✔" in card.text
    taps = [label for label, data in card.buttons if data.startswith("rep:cond:")]
    assert taps and not any("Polisen" in t or "Civilsamhället" in t for t in taps), taps
    assert "Kommunen ☐" in taps


async def test_a_tap_goes_unknown_met_not_met_and_not_met_does_not_count(
    harness: Harness,
) -> None:
    h = harness
    await make_staff(h)
    await h.say(STAFF, "synlighetsinsats bro centrum igår 30 pers")
    await h.press(STAFF, "rep:cond:civil_society")
    assert "Civilsamhället ✔" in h.tg.last(STAFF).text
    await h.press(STAFF, "rep:cond:civil_society")
    card = h.tg.last(STAFF)
    assert "Civilsamhället ✖" in card.text
    assert "räknas inte mot målet: civilsamhället var inte på plats" in card.text
    assert "rep:save:0" in offered(h)  # saved anyway, never refused
    await h.press(STAFF, "rep:save:0")
    assert "Den räknas inte för Synlighetsinsatser" in h.tg.last(STAFF).text
    [saved] = await h.services.activities.by_reporter(STAFF)
    assert saved.conditions["civil_society"].value == "not_met"
    assert saved.conditions["police"].value == "met"  # a police officer reported it
    await h.say(STAFF, "/lage")
    assert "räknas inte" in h.tg.last(STAFF).text


async def test_a_condition_the_card_does_not_ask_is_a_stale_button(harness: Harness) -> None:
    h = harness
    await make_staff(h)
    await h.say(STAFF, "synlighetsinsats bro centrum igår 30 pers utan civilsamhället")
    card = next(d for _label, d in h.tg.last(STAFF).buttons if d.startswith("rep:save:"))
    card_id = card.rsplit(":", 1)[1]
    for forged in ("civil_society", "police", "nope"):
        await h.press(STAFF, f"rep:cond:{forged}:{card_id}")
        assert "gäller inte längre" in h.tg.last(STAFF).text
    await h.press(STAFF, card)
    [saved] = await h.services.activities.by_reporter(STAFF)
    assert saved.conditions["civil_society"].value == "not_met"


async def test_another_kind_asks_its_own_conditions(harness: Harness) -> None:
    h = harness
    await make_staff(h)
    await h.say(STAFF, "synlighetsinsats bro centrum igår 30 pers")
    await h.say(STAFF, "det var en tematräff")
    card = h.tg.last(STAFF)
    assert "Vad: Tematräffar" in card.text
    assert "Civilsamhället" not in card.text
    assert "I Trygghetscenter i Bro ☐" in card.text


async def test_editing_a_saved_report_can_change_every_condition(harness: Harness) -> None:
    h = harness
    await make_staff(h)
    await h.say(STAFF, "synlighetsinsats bro centrum igår 30 pers utan civilsamhället")
    await h.press(STAFF, "rep:save:0")
    [saved] = await h.services.activities.by_reporter(STAFF)
    await h.press(STAFF, f"rep:edit:{saved.id}")
    assert "Civilsamhället ✖" in [label for label, _data in h.tg.last(STAFF).buttons]
    await h.press(STAFF, "rep:cond:civil_society")  # ✖ → ☐: nobody says
    await h.press(STAFF, "rep:cond:civil_society")  # ☐ → ✔
    await h.press(STAFF, "rep:save:0")
    assert "Den räknas för Synlighetsinsatser" in h.tg.last(STAFF).text
    [edited] = await h.services.activities.by_reporter(STAFF)
    assert edited.conditions["civil_society"].value == "met"
