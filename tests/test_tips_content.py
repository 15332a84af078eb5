"""The fraud-prevention tips: content rules, rotation and the send schedule.

The tips warn seniors about messages with links and requests for codes, so the tips
themselves must never contain either; these tests are the gate for every edit of the
tip files.
"""

from __future__ import annotations

import re
from datetime import UTC, date, datetime, time, timedelta
from itertools import product

import pytest

from bot.clock import STOCKHOLM
from bot.domain.tips import (
    CADENCES,
    SLOTS,
    TOPICS,
    Tip,
    TipBook,
    find_violations,
    load_tips,
    next_send_time,
    next_tip,
)
from bot.i18n import RLM
from bot.settings import SUPPORTED_LOCALES

LOCALES = SUPPORTED_LOCALES
MIN_TIPS = 30
MAX_SWEDISH_WORDS = 20
SENTENCE_END = re.compile(r"(?<=[.!?])\s+")


def _sentences(text: str) -> list[str]:
    return [part for part in SENTENCE_END.split(text.strip()) if part]


def _words(sentence: str) -> list[str]:
    return re.findall(r"[\wåäöÅÄÖ][\wåäöÅÄÖ:'’-]*", sentence)


@pytest.fixture(params=LOCALES)
def book(request: pytest.FixtureRequest) -> TipBook:
    locale: str = request.param
    return load_tips(locale)


# --- the files -------------------------------------------------------------------------


def test_each_language_has_enough_tips(book: TipBook) -> None:
    assert len(book.tips) >= MIN_TIPS


def test_same_ids_in_same_order() -> None:
    sv, en = load_tips("sv"), load_tips("en")
    assert [tip.id for tip in sv.tips] == [tip.id for tip in en.tips]
    assert [tip.topic for tip in sv.tips] == [tip.topic for tip in en.tips]


def test_every_topic_is_covered(book: TipBook) -> None:
    assert {tip.topic for tip in book.tips} == set(TOPICS)


def test_ids_are_stable_slugs(book: TipBook) -> None:
    for tip in book.tips:
        assert re.fullmatch(r"[a-z0-9]+(?:-[a-z0-9]+)*", tip.id), tip.id


def test_texts_are_unique(book: TipBook) -> None:
    texts = [tip.text for tip in book.tips]
    assert len(set(texts)) == len(texts)


def test_tips_and_signoff_obey_their_own_advice(book: TipBook) -> None:
    assert find_violations(book.signoff) == []
    for tip in book.tips:
        assert find_violations(tip.text) == [], tip.id
        assert find_violations(book.render(tip)) == [], tip.id


def test_every_rendered_tip_ends_with_the_same_signoff(book: TipBook) -> None:
    # Arabic and Persian lines may start with a right-to-left mark; the words are the same.
    def render(tip: Tip) -> str:
        return book.render(tip).replace(RLM, "")

    endings = {render(tip).rsplit("\n\n", 1)[1] for tip in book.tips}
    assert endings == {book.signoff}
    for tip in book.tips:
        assert render(tip) == f"{tip.text}\n\n{book.signoff}"
        assert book.signoff not in tip.text


def test_signoff_promises_we_never_ask() -> None:
    assert "aldrig" in load_tips("sv").signoff
    assert "BankID" in load_tips("sv").signoff
    assert "never" in load_tips("en").signoff
    assert "BankID" in load_tips("en").signoff


def test_tips_are_short(book: TipBook) -> None:
    for tip in book.tips:
        assert 2 <= len(_sentences(tip.text)) <= 5, tip.id


def test_swedish_sentences_are_short() -> None:
    for tip in load_tips("sv").tips:
        for sentence in _sentences(tip.text):
            assert len(_words(sentence)) <= MAX_SWEDISH_WORDS, (tip.id, sentence)


def test_swedish_uses_du_not_ni() -> None:
    plural_you = re.compile(r"\b(?:ni|er|ert|era|eder)\b", re.IGNORECASE)
    du_forms = re.compile(r"\b(?:du|dig|din|ditt|dina)\b", re.IGNORECASE)
    book = load_tips("sv")
    for text in (*(tip.text for tip in book.tips), book.signoff):
        assert plural_you.search(text) is None, text
    for tip in book.tips:
        assert du_forms.search(tip.text), tip.id


def test_emergency_numbers_are_given() -> None:
    for locale in LOCALES:
        texts = " ".join(tip.text for tip in load_tips(locale).tips)
        assert "08-411 122 22" in texts
        assert "114 14" in texts
        assert "112" in texts


def test_load_is_cached() -> None:
    assert load_tips("sv") is load_tips("sv")


@pytest.mark.parametrize("locale", ["", "../sv", "xx", "sv/../en"])
def test_bad_locale_is_refused(locale: str) -> None:
    with pytest.raises(ValueError):
        load_tips(locale)


# --- find_violations -------------------------------------------------------------------


@pytest.mark.parametrize(
    "text",
    [
        "Gå in på www.bank.se",
        "Läs mer på polisen.se",
        "See https://example.org/help",
        "Besök kommunen.nu/trygg för mer",
        "Svara med din kod",
        "Ange din kod här.",
        "Skicka oss ditt personnummer.",
        "Bekräfta ditt BankID nu.",
        "mail me at a@b.se",
        "send us your card number",
        "Please reply with YES",
        "Enter your code to continue.",
        "Confirm your card details today.",
    ],
)
def test_find_violations_catches_bad_text(text: str) -> None:
    assert find_violations(text) != []


@pytest.mark.parametrize(
    "text",
    [
        "Ge aldrig din kod till någon.",
        "Lämna inte ut ditt kort.",
        "Never give your code to anyone.",
        "Do not share your BankID with a caller.",
        "Ring polisen på 114 14. Vid fara, ring 112.",
        "Spärra kortet hos spärrservice på 08-411 122 22.",
        "Det är nu dags att lägga på.",
    ],
)
def test_find_violations_accepts_advice(text: str) -> None:
    assert find_violations(text) == []


# --- rotation ---------------------------------------------------------------------------


def _small_book(n: int) -> TipBook:
    tips = tuple(Tip(id=f"tip-{i}", topic="general", text=f"Tips {i}.") for i in range(n))
    return TipBook(locale="sv", signoff="— Avsändare.", tips=tips)


@pytest.mark.parametrize("n", [1, 2, 7, 42])
def test_rotation_sends_each_tip_once_then_starts_over(n: int) -> None:
    book = _small_book(n)
    first_round = [next_tip(book, count) for count in range(n)]
    assert sorted(tip.id for tip in first_round) == sorted(tip.id for tip in book.tips)
    assert len(set(first_round)) == n
    assert [next_tip(book, count) for count in range(n, 2 * n)] == first_round


def test_rotation_over_real_book(book: TipBook) -> None:
    n = len(book.tips)
    assert {next_tip(book, count).id for count in range(n)} == {tip.id for tip in book.tips}
    assert next_tip(book, n) == next_tip(book, 0)


def test_rotation_refuses_nonsense() -> None:
    with pytest.raises(ValueError):
        next_tip(_small_book(0), 0)
    with pytest.raises(ValueError):
        next_tip(_small_book(3), -1)


# --- schedule ---------------------------------------------------------------------------

MONDAY, SUNDAY = 0, 6


def _local(y: int, m: int, d: int, hh: int = 0, mm: int = 0) -> datetime:
    return datetime(y, m, d, hh, mm, tzinfo=STOCKHOLM)


def test_slots_are_daytime_only() -> None:
    assert set(SLOTS) == {"morning", "midday", "afternoon"}
    assert [SLOTS[name].hour for name in ("morning", "midday", "afternoon")] == [9, 12, 15]
    assert set(CADENCES) == {"weekly", "biweekly", "monthly"}


def test_first_send_is_next_weekday_at_slot() -> None:
    now = _local(2024, 3, 12, 10, 0)  # a Tuesday
    sent = next_send_time(now, "weekly", MONDAY, "morning", None)
    assert sent == _local(2024, 3, 18, 9, 0)


def test_same_day_before_slot_is_today() -> None:
    now = _local(2024, 3, 18, 8, 59)  # a Monday
    assert next_send_time(now, "weekly", MONDAY, "morning", None) == _local(2024, 3, 18, 9, 0)


def test_strictly_after_now() -> None:
    now = _local(2024, 3, 18, 9, 0)
    assert next_send_time(now, "weekly", MONDAY, "morning", None) == _local(2024, 3, 25, 9, 0)


def test_weekly_across_spring_dst_keeps_wall_clock() -> None:
    # 2024-03-31 is the last Sunday in March: clocks go from 02:00 to 03:00.
    last = _local(2024, 3, 25, 9, 0)
    sent = next_send_time(_local(2024, 3, 25, 9, 5), "weekly", MONDAY, "morning", last)
    assert sent == _local(2024, 4, 1, 9, 0)
    assert (sent.hour, sent.minute) == (9, 0)
    assert sent.utcoffset() == timedelta(hours=2)
    # Only 167 real hours have passed, yet a week must not be skipped. (Subtracting two
    # datetimes with the same tzinfo gives wall-clock time, so compare in UTC.)
    assert sent.astimezone(UTC) - last.astimezone(UTC) == timedelta(hours=167)


def test_on_the_dst_sundays_themselves() -> None:
    spring = next_send_time(_local(2024, 3, 30, 12), "weekly", SUNDAY, "morning", None)
    assert spring == _local(2024, 3, 31, 9, 0)
    assert spring.utcoffset() == timedelta(hours=2)
    autumn = next_send_time(_local(2024, 10, 26, 12), "weekly", SUNDAY, "morning", None)
    assert autumn == _local(2024, 10, 27, 9, 0)
    assert autumn.utcoffset() == timedelta(hours=1)


def test_weekly_across_autumn_dst_keeps_wall_clock() -> None:
    # 2024-10-27 is the last Sunday in October: clocks go from 03:00 back to 02:00.
    last = _local(2024, 10, 21, 15, 0)
    sent = next_send_time(_local(2024, 10, 22, 8), "weekly", MONDAY, "afternoon", last)
    assert sent == _local(2024, 10, 28, 15, 0)
    assert sent.utcoffset() == timedelta(hours=1)
    assert sent.astimezone(UTC) - last.astimezone(UTC) == timedelta(hours=169)


def test_biweekly_gap() -> None:
    last = _local(2024, 3, 18, 12, 0)
    now = _local(2024, 3, 19, 12, 0)
    sent = next_send_time(now, "biweekly", MONDAY, "midday", last)
    assert sent == _local(2024, 4, 1, 12, 0)
    # The gap counts from the last send, not from now.
    later = next_send_time(_local(2024, 3, 30, 12), "biweekly", MONDAY, "midday", last)
    assert later == _local(2024, 4, 1, 12, 0)


def test_monthly_gap_is_28_days_same_weekday() -> None:
    last = _local(2024, 10, 7, 9, 0)
    sent = next_send_time(_local(2024, 10, 8, 9), "monthly", MONDAY, "morning", last)
    assert sent == _local(2024, 11, 4, 9, 0)
    assert sent.weekday() == MONDAY


def test_changed_weekday_still_respects_gap() -> None:
    # The subscriber moved from Monday to Wednesday right after a Monday send.
    last = _local(2024, 3, 18, 9, 0)
    sent = next_send_time(_local(2024, 3, 18, 10), "weekly", 2, "morning", last)
    assert sent == _local(2024, 3, 27, 9, 0)


def test_overdue_subscriber_gets_the_next_slot() -> None:
    last = _local(2024, 1, 1, 9, 0)
    now = _local(2024, 3, 12, 10, 0)
    assert next_send_time(now, "monthly", MONDAY, "morning", last) == _local(2024, 3, 18, 9, 0)


def test_now_in_another_zone_is_converted() -> None:
    # 23:30 UTC on Sunday is already Monday 00:30 in Stockholm.
    utc_now = datetime(2024, 3, 17, 23, 30, tzinfo=UTC)
    sent = next_send_time(utc_now, "weekly", MONDAY, "morning", None)
    assert sent == _local(2024, 3, 18, 9, 0)
    assert sent.tzinfo is STOCKHOLM


def test_schedule_invariants_over_a_year() -> None:
    start = date(2024, 1, 1)
    for offset, cadence, weekday, slot in product(range(0, 366, 5), CADENCES, range(7), SLOTS):
        day = start + timedelta(days=offset)
        now = datetime.combine(day, time((offset * 7) % 24, 30), tzinfo=STOCKHOLM)
        last = now - timedelta(days=offset % 20)
        sent = next_send_time(now, cadence, weekday, slot, last)
        assert sent > now
        assert sent.tzinfo is STOCKHOLM
        assert sent.weekday() == weekday
        assert sent.timetz().replace(tzinfo=None) == SLOTS[slot]
        assert 9 <= sent.hour <= 15
        assert (sent.date() - last.astimezone(STOCKHOLM).date()).days >= CADENCES[cadence]
        assert sent - now <= timedelta(days=CADENCES[cadence] + 7, hours=1)


def test_schedule_refuses_bad_input() -> None:
    now = _local(2024, 3, 12, 10)
    with pytest.raises(ValueError):
        next_send_time(now.replace(tzinfo=None), "weekly", MONDAY, "morning", None)
    with pytest.raises(ValueError):
        next_send_time(now, "daily", MONDAY, "morning", None)
    with pytest.raises(ValueError):
        next_send_time(now, "weekly", MONDAY, "evening", None)
    with pytest.raises(ValueError):
        next_send_time(now, "weekly", 7, "morning", None)
