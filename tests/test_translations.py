"""Residents and seniors in Finnish, Arabic, Persian, Somali and Polish (issue 17).

Every resident screen is rendered through the real Application and the fake transport in
every language, and checked for what a translation can get wrong: a placeholder left
unformatted, a message over Telegram's 4,096 characters, a button label too long for a
phone, a Swedish sentence where a translation belongs, and right-to-left text that starts
at the wrong end. The catalogue, glossary and tip files are checked as data.
"""

from __future__ import annotations

import asyncio
import re
import tomllib
from datetime import datetime, timedelta
from functools import cache
from pathlib import Path

import pytest
from babel.messages.catalog import Catalog

from bot import catalog
from bot.clock import STOCKHOLM
from bot.domain.promise import Text, load_promise
from bot.domain.records import Org
from bot.domain.tips import load_tips
from bot.i18n import FSI, PDI, RLM, language_name, pick_locale, translator
from bot.settings import STAFF_LOCALES, SUPPORTED_LOCALES, Settings
from handlers.delivery import delivery_service, telegram_send
from storage.activities import ActivityRepo, NewActivity
from storage.events import NewEvent
from storage.subscriptions import SubscriptionRepo
from tests.conftest import Harness
from tests.fakes import Call

RESIDENT_LOCALES = tuple(c for c in SUPPORTED_LOCALES if c not in STAFF_LOCALES)
RESIDENT = 8101
STAFF = 8102

# Telegram's limit for a message.
MAX_MESSAGE = 4096
# An inline button label alone in its row: about 40 characters of Latin text fit across a
# 360-dp phone at Telegram's default size before the label is cut with "…"; Arabic script
# is narrower per character. A longer label loses its end, which is where a verb often is.
MAX_BUTTON = 40
# A row of several buttons shares the same width.
MAX_ROW = 48

_UNFORMATTED = re.compile(r"\{[a-z_]+\}")
_SWEDISH_WORDS = frozenset(
    [
        "och", "är", "inte", "för", "med", "det", "att", "som", "på", "du", "jag", "kan", "har",
        "till", "av", "om", "eller", "vill", "din", "dig", "när", "hur", "vad", "här", "nu",
        "också", "bara",
    ]
)  # fmt: skip
_WORD = re.compile(r"\w+")


# --- the files -----------------------------------------------------------------------------


def _catalogue(lang: str) -> Catalog:
    with catalog._po_path(lang).open("rb") as handle:
        from babel.messages.pofile import read_po

        return read_po(handle, locale=lang)


def test_the_check_covers_seven_languages_and_passes() -> None:
    assert set(catalog.LANGS) == set(SUPPORTED_LOCALES) and len(catalog.LANGS) == 7
    assert catalog.problems() == []


def test_resident_catalogues_hold_exactly_the_resident_messages() -> None:
    template = catalog.extract()
    residents = catalog.resident_ids(template)
    staff = catalog.staff_only(template)
    assert residents and staff and not residents & staff
    assert "For staff:" in staff and "Remind me" in residents and "Stop the tips" in residents
    for lang in RESIDENT_LOCALES:
        ids = {catalog._singular(m.id) for m in _catalogue(lang) if m.id}
        assert ids == residents, lang


def test_the_check_fails_on_an_untranslated_or_fuzzy_resident_message(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    import shutil

    from babel.messages.pofile import read_po

    copy = tmp_path / "locales"
    shutil.copytree(catalog.LOCALES, copy)
    monkeypatch.setattr(catalog, "LOCALES", copy)
    monkeypatch.setattr(catalog, "POT", copy / "messages.pot")
    monkeypatch.setattr(catalog, "SCOPE", copy / "scope.toml")

    def edit(lang: str, msgid: str, **change: object) -> None:
        path = catalog._po_path(lang)
        with path.open("rb") as handle:
            po = read_po(handle, locale=lang)
        message = po[msgid]
        for key, value in change.items():
            setattr(message, key, value)
        catalog._write(path, po, lang)

    edit("fi", "Remind me", string="")
    edit("ar", "Stop the tips", flags={"fuzzy"})
    edit("so", "Add to calendar", string="Add to calendar")
    edit("pl", "Where: {place}", string="Gdzie: {miejsce}")
    found = catalog.problems()
    assert "fi: untranslated: 'Remind me'" in found
    assert "ar: fuzzy: 'Stop the tips'" in found
    assert "so: untranslated: 'Add to calendar'" in found
    assert any(line.startswith("pl: placeholders ['miejsce']") for line in found)
    # A staff-only message may be missing from a resident language, never from Swedish.
    edit("sv", "For staff:", string="")
    assert "sv: untranslated: 'For staff:'" in catalog.problems()


def test_an_english_copy_counts_as_untranslated() -> None:
    assert catalog._still_english("Remind me", "Remind me")
    assert not catalog._still_english("{name}: {state}", "{name}: {state}")
    assert not catalog._still_english("Remind me", "Muistuta minua")


def test_a_staff_only_message_reads_swedish_never_english() -> None:
    for lang in RESIDENT_LOCALES:
        assert translator(lang).gettext("For staff:") == translator("sv").gettext("For staff:")


def _glossary(lang: str) -> list[dict[str, object]]:
    path = catalog.LOCALES / lang / "glossary.toml"
    with path.open("rb") as handle:
        terms: list[dict[str, object]] = tomllib.load(handle)["term"]
    return terms


def _promise_texts() -> list[Text]:
    promise = load_promise()
    texts = [promise.name, promise.summary, *promise.assumptions]
    for c in promise.commitments:
        texts += [c.title, c.short, c.description]
    if promise.trygghetscenter is not None:
        texts += [promise.trygghetscenter.opening_hours, promise.trygghetscenter.about]
    return texts


@pytest.mark.parametrize("lang", RESIDENT_LOCALES)
def test_glossary_terms_are_used_consistently(lang: str) -> None:
    """Every message, tip and promise text whose English names a term of the promise uses
    that language's glossary term for it (one of its stems, to allow inflection)."""
    terms = _glossary(lang)
    assert {t["sv"] for t in terms} == {
        "medborgarlöfte", "tematräff", "synlighetsinsats", "trygghetscenter", "GVI", "bedrägeri"
    }  # fmt: skip
    pairs: list[tuple[str, str]] = []
    for message in _catalogue(lang):
        if not message.id:
            continue
        ids = message.id if isinstance(message.id, tuple) else (message.id,)
        forms = message.string if isinstance(message.string, tuple) else (message.string,)
        pairs += [(" ".join(ids), form) for form in forms]
    english, book = load_tips("en"), load_tips(lang)
    pairs += [(tip.text, book.by_id(tip.id).text) for tip in english.tips]
    pairs += [(text.en, text.get(lang)) for text in _promise_texts()]
    for term in terms:
        stems = [str(s).casefold() for s in term["stems"]]  # type: ignore[attr-defined]
        for en, translated in pairs:
            if str(term["en"]).casefold() in en.casefold():
                assert any(s in translated.casefold() for s in stems), (term["en"], translated)


@pytest.mark.parametrize("lang", RESIDENT_LOCALES)
def test_promise_texts_are_translated(lang: str) -> None:
    for text in _promise_texts():
        assert text.get(lang) not in (text.sv, "") or text.sv == text.en, text.sv


def test_tip_books_match_in_every_language() -> None:
    swedish = load_tips("sv")
    for lang in SUPPORTED_LOCALES:
        book = load_tips(lang)
        assert [(t.id, t.topic) for t in book.tips] == [(t.id, t.topic) for t in swedish.tips]
        assert "BankID" in book.signoff, lang
        texts = " ".join(t.text for t in book.tips)
        assert "114 14" in texts and "112" in texts and "08-411 122 22" in texts, lang


# --- choosing the language -----------------------------------------------------------------


@pytest.mark.parametrize(
    ("saved", "telegram", "expected"),
    [(None, "ar", "ar"), (None, "fa-IR", "fa"), (None, "pl-PL", "pl"), (None, "so", "so"),
     (None, "fi", "fi"), ("sv", "ar", "sv"), ("fi", "en", "fi"), (None, "de", "sv")],
)  # fmt: skip
def test_saved_choice_then_telegram_then_swedish(
    saved: str | None, telegram: str, expected: str
) -> None:
    assert pick_locale(saved, telegram, "sv") == expected


def test_languages_by_their_own_names() -> None:
    names = [language_name(code) for code in SUPPORTED_LOCALES]
    assert names == ["Svenska", "English", "Suomi", "العربية", "فارسی", "Soomaali", "Polski"]


async def test_language_menu_offers_every_language_and_confirms_in_it(harness: Harness) -> None:
    h = harness
    await h.say(RESIDENT, "/language", lang="ar")
    offered = h.tg.last(RESIDENT).buttons
    assert [label for label, _ in offered] == [language_name(c) for c in SUPPORTED_LOCALES]
    await h.press(RESIDENT, "lang:set:so", lang="ar")
    assert (
        h.tg.last(RESIDENT).text == "Hadda wixii ka dambeeya Af-Soomaali ayaan kuugu qori doonaa."
    )
    await h.say(RESIDENT, "/help", lang="ar")
    assert h.tg.last(RESIDENT).text.startswith("Waa kuwan waxa aan qaban karo:")


async def test_staff_screens_stay_swedish_for_a_finnish_staff_member(harness: Harness) -> None:
    h = harness
    await h.services.staff.upsert(STAFF, Org.POLICE, "Aino", h.clock.now(), None)
    await h.say(STAFF, "/help", lang="fi")
    text = h.tg.last(STAFF).text
    assert text.startswith("Det här kan jag:") and "För personal:" in text
    await h.say(STAFF, "/language", lang="fi")
    assert [label for label, _ in h.tg.last(STAFF).buttons] == ["Svenska", "English"]


# --- every resident screen in every language ------------------------------------------------


def _at(day: int, hour: int) -> datetime:
    return datetime(2024, 3, day, hour, tzinfo=STOCKHOLM)


async def _event(h: Harness, commitment: str, title: str, start: datetime) -> int:
    event = await h.services.events.add(
        NewEvent(commitment, title, start, start + timedelta(hours=2), "public",
                 place="Bro centrum", organiser_id=None),
        h.clock.now(),
    )  # fmt: skip
    return int(event.id)


@cache
def _swedish_fragments() -> frozenset[str]:
    """Pieces of the Swedish translations of resident messages, long enough to be a
    sentence (three words or more) and not a name."""
    fragments: set[str] = set()
    residents = catalog.resident_ids(catalog.extract())
    for message in _catalogue("sv"):
        if not message.id or catalog._singular(message.id) not in residents:
            continue
        forms = message.string if isinstance(message.string, tuple) else (message.string,)
        for form in forms:
            for piece in re.split(r"\{[a-z_]+\}|\n", form):
                piece = piece.strip(' .,:;–-•()"”')
                if len(piece.split()) >= 3:
                    fragments.add(piece)
    return frozenset(fragments)


def _check_screen(call: Call, lang: str, swedish: frozenset[str]) -> None:
    text = call.text
    where = f"{lang} {call.method}: {text[:80]!r}"
    assert len(text) <= MAX_MESSAGE, where
    assert not _UNFORMATTED.search(text), where
    for fragment in swedish:
        assert fragment not in text, (where, fragment)
    for line in text.split("\n"):
        words = {w.casefold() for w in _WORD.findall(line)}
        assert len(words & _SWEDISH_WORDS) < 3, (where, line)
    markup = call.params.get("reply_markup") or {}
    rows = markup.get("inline_keyboard", []) if isinstance(markup, dict) else []
    for row in rows:
        labels = [button["text"] for button in row]
        assert all(len(label) <= MAX_BUTTON for label in labels), (where, labels)
        assert len(row) == 1 or sum(map(len, labels)) <= MAX_ROW, (where, labels)
    if lang in ("ar", "fa"):
        for line in text.split("\n"):
            # Each line reads from the right: it starts with Arabic script or with a mark.
            first = next((ch for ch in line if ch.isalpha() or ch in (RLM, FSI)), None)
            assert first is None or first == RLM or "\u0600" <= first <= "\u06ff", (where, line)


@pytest.mark.parametrize("lang", RESIDENT_LOCALES)
async def test_every_resident_screen_in_every_language(harness: Harness, lang: str) -> None:
    h = harness
    meeting = await _event(h, "theme_meeting", "Trygg i Bro", _at(14, 18))
    await _event(h, "mobile_dialogue", "Bussen på torget", _at(20, 15))
    tr = translator(lang)
    for text in ("/start", "/help", "/events", "/next", "/progress", "/follow", "/privacy"):
        await h.say(RESIDENT, text, lang=lang)
    await h.press(RESIDENT, "ev:list:0", lang=lang)
    await h.press(RESIDENT, "ask:about:0", lang=lang)
    await h.press(RESIDENT, "ask:tips:0", lang=lang)
    await h.press(RESIDENT, f"ev:show:{meeting}", lang=lang)
    await h.press(RESIDENT, f"ev:rem:{meeting}", lang=lang)
    await h.press(RESIDENT, f"ev:ics:{meeting}", lang=lang)
    await h.say(RESIDENT, "/tips", lang=lang)
    for label in ("Once a week", "Tuesday", "Morning (9:00)"):
        await h.say(RESIDENT, tr.gettext(label), lang=lang)
    await h.say(RESIDENT, "/delete_me", lang=lang)
    await h.press(RESIDENT, "me:delete:no", lang=lang)
    await h.say(RESIDENT, "/cancel", lang=lang)
    await h.say(RESIDENT, "Ωραία μέρα σήμερα", lang=lang)  # a language the bot cannot read
    # The reminder the evening before, sent by the outbox in the resident's language.
    h.clock.set(_at(13, 18))
    await delivery_service(h.app).drain(telegram_send(h.app.bot))

    calls = [c for c in h.tg.sent(RESIDENT) if c.text]
    assert len(calls) >= 20
    swedish = _swedish_fragments()
    for call in calls:
        _check_screen(call, lang, swedish)
    reminder = calls[-1]
    expected = tr.gettext("Reminder: tomorrow {when}: {title}. Place: {place}.")
    assert reminder.text == expected.format(
        when=tr.time(_at(14, 18)), title="Trygg i Bro", place="Bro centrum"
    )
    assert (tr.gettext("Stop this reminder"), f"ev:unrem:{meeting}") in reminder.buttons


# --- safety -----------------------------------------------------------------------------------


def _first_line_is_112(text: str, lang: str) -> None:
    expected = translator(lang).gettext(
        "{emergency} – call now if someone is in danger or it is happening now."
    )
    assert text.split("\n", 1)[0] == expected.format(emergency="112")


@pytest.mark.parametrize(
    ("lang", "text"),
    [
        ("fa", "Ωραία μέρα σήμερα"),  # Greek, Cyrillic, Ge'ez: scripts the matcher cannot read
        ("so", "ሰላም፣ ስብሰባው መቼ ነው?"),
        ("pl", "Когда следующая встреча?"),
        ("fi", "Ωραία μέρα σήμερα"),
        ("ar", "Когда следующая встреча?"),
        ("sv", "ሰላም፣ ስብሰባው መቼ ነው?"),
    ],
)
async def test_text_the_bot_cannot_read_gets_112_first_then_the_menu(
    harness: Harness, lang: str, text: str
) -> None:
    h = harness
    await h.say(RESIDENT, text, lang=lang)
    answer = h.tg.last(RESIDENT)
    # Not understood: the safety line first, in the chat's language, then the menu.
    assert answer.text.split("\n", 1)[0] == translator(lang).gettext(
        "Is someone in danger? Call 112."
    )
    assert "ask:about:0" in {data for _label, data in answer.buttons}


@pytest.mark.parametrize(
    ("lang", "text"),
    [
        ("fi", "Naapurin talo palaa, mitä teen?"),
        ("fi", "mieheni lyö minua"),
        ("ar", "زوجي يضربني"),
        ("ar", "شخص فاقد الوعي في الشارع"),
        ("fa", "خانه همسایه آتش گرفته"),
        ("so", "ninkayga ayaa i garaacaya"),
        ("pl", "ona nie oddycha"),
    ],
)
async def test_an_emergency_in_any_language_is_answered_112_first(
    harness: Harness, lang: str, text: str
) -> None:
    h = harness
    await h.say(RESIDENT, text, lang=lang)
    _first_line_is_112(h.tg.last(RESIDENT).text, lang)


@pytest.mark.parametrize(
    ("lang", "text"),
    [
        ("fi", "milloin on seuraava teematapaaminen"),
        ("ar", "متى اللقاء الموضوعي القادم؟"),
        ("fa", "نشست موضوعی بعدی کی است؟"),
        ("so", "Goorma ayuu yahay kulanka mawduuca ee xiga?"),
        ("pl", "Kiedy jest następne spotkanie tematyczne?"),
    ],
)
async def test_questions_in_every_resident_language_are_understood(
    harness: Harness, lang: str, text: str
) -> None:
    h = harness
    await _event(h, "theme_meeting", "Trygg i Bro", _at(14, 18))
    await h.say(RESIDENT, text, lang=lang)
    answer = h.tg.last(RESIDENT)
    assert answer.text.startswith(translator(lang).gettext("The next one:"))
    assert "Trygg i Bro" in answer.text


@pytest.mark.parametrize("lang", SUPPORTED_LOCALES)
def test_emergency_lines_are_in_every_catalogue(lang: str) -> None:
    tr = translator(lang)
    start = tr.gettext(
        "I am not monitored around the clock. In an emergency, call 112. To report a crime "
        "or reach the police otherwise, call 114 14 or use polisen.se."
    )
    assert "112" in start and "114 14" in start
    book = " ".join(t.text for t in load_tips(lang).tips)
    assert "112" in book and "114 14" in book


# --- seniors -----------------------------------------------------------------------------------


@pytest.mark.parametrize("lang", ["fi", "ar"])
async def test_a_senior_subscribes_in_three_taps_and_gets_tips_in_their_language(
    harness: Harness, lang: str
) -> None:
    from bot.services.tips_service import TipService

    h = harness
    tr = translator(lang)
    await h.say(RESIDENT, "/tips", lang=lang)
    for label in ("Once a week", "Tuesday", "Morning (9:00)"):
        await h.say(RESIDENT, tr.gettext(label), lang=lang)
    confirm = h.tg.last(RESIDENT).text
    done = tr.gettext(
        "Done! You will get a tip: {when}.\nThe first one comes {first}.\n"
        "To stop, write /stop or tap the stop button under a tip."
    )
    assert confirm.startswith(done.split("{when}")[0])
    assert tr.weekday_date(_at(19, 9).date()) in confirm
    sub = await SubscriptionRepo(h.services.db).get(RESIDENT)
    assert sub is not None and sub.active and sub.locale == lang

    h.clock.set(_at(19, 9))
    assert await TipService(h.services).tick() == 1
    h.tg.clear()
    await delivery_service(h.app).drain(telegram_send(h.app.bot))
    tip = h.tg.last(RESIDENT)
    book = load_tips(lang)
    assert tip.text == book.render(book.tips[0])
    assert tip.text.endswith(book.signoff)
    assert (tr.gettext("Stop the tips"), "tips:stop") in tip.buttons


def test_right_to_left_text_isolates_values_and_keeps_latin_digits() -> None:
    tr = translator("ar")
    line = tr.gettext("Reminder: tomorrow {when}: {title}. Place: {place}.").format(
        when=tr.time(_at(14, 18)), title="Trygg i Bro", place="Bro centrum"
    )
    assert f"{FSI}18:00{PDI}" in line and f"{FSI}Trygg i Bro{PDI}" in line
    assert tr.weekday_date(_at(12, 10).date()) == "الثلاثاء، 12 مارس 2024"
    assert tr.gettext("/language – change language").startswith(RLM)
    assert not tr.gettext("Monday").startswith(RLM)  # a reply-keyboard label stays as typed
    assert not translator("fi").gettext("Monday").startswith(RLM)


def test_locale_files_exist_for_every_language() -> None:
    for lang in SUPPORTED_LOCALES:
        folder = Path(catalog.LOCALES) / lang
        assert (folder / "LC_MESSAGES" / "messages.po").is_file()
        assert (folder / "tips.toml").is_file()
        assert (folder / "questions.toml").is_file()
        with (folder / "safety.toml").open("rb") as handle:
            families = tomllib.load(handle)["families"]
        assert {"suicide", "fire", "weapon", "violence", "medical", "plea"} <= set(families), lang
        if lang not in STAFF_LOCALES:
            assert (folder / "glossary.toml").is_file()


# --- the follow-up page and its open data ----------------------------------------------------


def test_follow_up_in_arabic_reads_right_to_left_and_its_data_has_no_marks(
    settings: Settings, capsys: pytest.CaptureFixture[str]
) -> None:
    from bot.cli.main import build_parser, resolve
    from storage.db import Database

    async def one_report() -> None:  # an empty database has no periods to show
        async with Database(settings.db_path) as db:
            await ActivityRepo(db).add(
                NewActivity("theme_meeting", datetime(2024, 2, 1).date(), count=9),
                datetime(2024, 2, 1, tzinfo=STOCKHOLM),
            )

    asyncio.run(one_report())

    def run(*argv: str) -> str:
        args = build_parser().parse_args(["report", *argv, "--locale", "ar"])
        assert resolve(args.command)(args, settings) == 0
        return capsys.readouterr().out

    page = run("--format", "html", "--today", "2024-03-12")
    assert '<html lang="ar" dir="rtl">' in page
    assert "متابعة وعد المواطنين" in page
    for fmt in ("json", "csv"):
        data = run("--format", fmt, "--today", "2024-03-12")
        assert not any(mark in data for mark in (RLM, FSI, PDI)), fmt
        assert "وعد المواطنين" in data or "الفصل" in data


def test_a_promise_file_with_only_swedish_and_english_still_works() -> None:
    text = Text(sv="Tematräffar", en="Theme meetings")
    assert text.get("fi") == "Tematräffar" and text.get("en") == "Theme meetings"
    full = load_promise().commitment("theme_meeting")
    assert full.short.get("fi") == "Teematapaamiset"
    assert full.short.get("ar") == "اللقاءات الموضوعية"
    assert "teematapaami*" in full.question_words.all()


# --- dates and punctuation per language (Babel's CLDR data and the catalogues) ---------------

LEAP_THURSDAY = datetime(2024, 2, 29, 18, 0, tzinfo=STOCKHOLM)


@pytest.mark.parametrize(
    ("lang", "weekday_date", "full_date"),
    [
        ("sv", "torsdag 29 februari", "29 februari 2024"),
        ("fi", "torstaina 29. helmikuuta", "29. helmikuuta 2024"),  # the ordinal dot
        ("ar", "الخميس، 29 فبراير", "29 فبراير 2024"),  # the Arabic comma
        ("pl", "czwartek, 29 lutego", "29 lutego 2024"),
        ("en", "Thursday 29 February", "29 February 2024"),
    ],
)
def test_dates_are_written_the_way_each_language_writes_them(
    lang: str, weekday_date: str, full_date: str
) -> None:
    tr = translator(lang)
    assert tr.date(LEAP_THURSDAY.date(), "EEEE d MMMM") == weekday_date
    assert tr.date(LEAP_THURSDAY.date(), "d MMMM yyyy") == full_date


async def test_finnish_screen_has_the_ordinal_dot(harness: Harness) -> None:
    h = harness
    await h.services.activities.add(
        NewActivity("theme_meeting", LEAP_THURSDAY.date(), place="Trygghetscenter", count=20),
        h.clock.now(),
    )
    await h.say(RESIDENT, "/progress", lang="fi")
    text = h.tg.last(RESIDENT).text
    assert "Teematapaamiset, Trygghetscenter – torstaina 29. helmikuuta" in text
    assert "12. maaliskuuta 2024" in text  # "how the promise is going" on the clock's day


async def test_arabic_screens_use_the_arabic_comma(harness: Harness) -> None:
    h = harness
    await h.services.activities.add(
        NewActivity("theme_meeting", LEAP_THURSDAY.date(), place="Trygghetscenter", count=20),
        h.clock.now(),
    )
    start = datetime(2024, 3, 14, 18, 0, tzinfo=STOCKHOLM)
    await h.services.events.add(
        NewEvent(
            "theme_meeting",
            "Trygg i Bro",
            start,
            start + timedelta(hours=2),
            "public",
            place="Bro centrum",
        ),
        h.clock.now(),
    )
    await h.say(RESIDENT, "/progress", lang="ar")
    progress = h.tg.last(RESIDENT).text
    assert "Trygghetscenter" in progress and "الخميس، 29 فبراير" in progress
    await h.say(RESIDENT, "/events", lang="ar")
    events = h.tg.last(RESIDENT).text
    assert "Trygg i Bro، Bro centrum" in events and "الخميس، 14 مارس 18:00" in events
    for text in (progress, events):
        assert "," not in text, text  # Arabic text never carries a Latin comma
