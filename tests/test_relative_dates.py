"""Relative dates in a staff report, as people mean them (issue 21): "på fredag" is the
coming Friday, "i fredags" the last one, "förra veckan" and "i helgen" are ranges the card
asks about. The table pins each phrase on reference days chosen for their edges: the end of
a week, a month and a year, the weekends when summer time starts and ends, a holiday, a leap
day. A single day is the date the card shows; a pair (first, last) is a range, offered as one
tap among its days up to today; a day after "today" is a date to plan."""

from __future__ import annotations

from datetime import date, timedelta

import pytest

from bot.domain.promise import load_promise
from bot.language.report_parser import parse_report

PROMISE = load_promise()

TUE = date(2024, 3, 12)  # an ordinary Tuesday
DST_SUN = date(2024, 3, 31)  # summer time starts; Easter Sunday; the last day of March
EASTER_MON = date(2024, 4, 1)  # a holiday, the first day of a month and of a week
FRI_END = date(2024, 5, 31)  # a Friday that ends a month
DST_SAT = date(2024, 10, 26)  # summer time ends tomorrow
NEW_YEAR = date(2025, 1, 1)  # a Wednesday holiday that opens a year
LEAP = date(2024, 2, 29)  # a leap day, Thursday

Expected = date | tuple[date, date]

TABLE: list[tuple[str, date, Expected]] = [
    # The coming day, the last one, the most recent one.
    ("på fredag", TUE, date(2024, 3, 15)),
    ("pa fredag", TUE, date(2024, 3, 15)),
    ("nu på fredag", TUE, date(2024, 3, 15)),
    ("nästa fredag", TUE, date(2024, 3, 15)),
    ("kommande fredag", TUE, date(2024, 3, 15)),
    ("next friday", TUE, date(2024, 3, 15)),
    ("this friday", TUE, date(2024, 3, 15)),
    ("this coming friday", TUE, date(2024, 3, 15)),
    ("på tisdag", TUE, date(2024, 3, 19)),
    ("i fredags", TUE, date(2024, 3, 8)),
    ("last friday", TUE, date(2024, 3, 8)),
    ("förra fredagen", TUE, date(2024, 3, 8)),
    ("fredag", TUE, date(2024, 3, 8)),
    ("fre", TUE, date(2024, 3, 8)),
    ("on friday", TUE, date(2024, 3, 8)),
    ("i tisdags", TUE, date(2024, 3, 5)),
    ("i måndags", TUE, date(2024, 3, 11)),
    ("idag", TUE, TUE),
    ("igår", TUE, date(2024, 3, 11)),
    ("i förrgår", TUE, date(2024, 3, 10)),
    ("monday last week", TUE, date(2024, 3, 4)),
    ("förra veckan på tisdag", TUE, date(2024, 3, 5)),
    # Ranges.
    ("förra veckan", TUE, (date(2024, 3, 4), date(2024, 3, 10))),
    ("forra veckan", TUE, (date(2024, 3, 4), date(2024, 3, 10))),
    ("last week", TUE, (date(2024, 3, 4), date(2024, 3, 10))),
    ("i veckan", TUE, (date(2024, 3, 11), TUE)),
    ("this week", TUE, (date(2024, 3, 11), TUE)),
    ("tidigare i veckan", TUE, (date(2024, 3, 11), TUE)),
    ("i helgen", TUE, (date(2024, 3, 9), date(2024, 3, 10))),
    ("I HELGEN", TUE, (date(2024, 3, 9), date(2024, 3, 10))),
    ("förra helgen", TUE, (date(2024, 3, 9), date(2024, 3, 10))),
    ("over the weekend", TUE, (date(2024, 3, 9), date(2024, 3, 10))),
    ("i början av mars", TUE, (date(2024, 3, 1), date(2024, 3, 10))),
    ("i borjan av mars", TUE, (date(2024, 3, 1), date(2024, 3, 10))),
    ("early march", TUE, (date(2024, 3, 1), date(2024, 3, 10))),
    ("i mitten av mars", TUE, (date(2024, 3, 11), TUE)),
    ("mid-february", TUE, (date(2024, 2, 11), date(2024, 2, 20))),
    ("late february", TUE, (date(2024, 2, 21), date(2024, 2, 29))),
    ("the end of january", TUE, (date(2024, 1, 21), date(2024, 1, 31))),
    ("i slutet av december", TUE, (date(2023, 12, 21), date(2023, 12, 31))),
    ("i slutet av mars", TUE, date(2024, 3, 21)),  # still to come: plan it
    # Summer time starts; Easter Sunday ends the month.
    ("i helgen", DST_SUN, (date(2024, 3, 30), DST_SUN)),
    ("this weekend", DST_SUN, (date(2024, 3, 30), DST_SUN)),
    ("förra helgen", DST_SUN, (date(2024, 3, 23), date(2024, 3, 24))),
    ("i veckan", DST_SUN, (date(2024, 3, 25), DST_SUN)),
    ("förra veckan", DST_SUN, (date(2024, 3, 18), date(2024, 3, 24))),
    ("på fredag", DST_SUN, date(2024, 4, 5)),
    ("i fredags", DST_SUN, date(2024, 3, 29)),
    ("igår", DST_SUN, date(2024, 3, 30)),
    ("i slutet av mars", DST_SUN, (date(2024, 3, 21), DST_SUN)),
    ("på söndag", DST_SUN, date(2024, 4, 7)),
    ("this sunday", DST_SUN, DST_SUN),
    # Easter Monday: a new week and a new month.
    ("i helgen", EASTER_MON, (date(2024, 3, 30), date(2024, 3, 31))),
    ("förra veckan", EASTER_MON, (date(2024, 3, 25), date(2024, 3, 31))),
    ("i veckan", EASTER_MON, EASTER_MON),
    ("i början av april", EASTER_MON, EASTER_MON),
    ("i slutet av mars", EASTER_MON, (date(2024, 3, 21), date(2024, 3, 31))),
    ("igår", EASTER_MON, date(2024, 3, 31)),
    ("i fredags", EASTER_MON, date(2024, 3, 29)),
    ("på fredag", EASTER_MON, date(2024, 4, 5)),
    ("söndag", EASTER_MON, date(2024, 3, 31)),
    # A Friday that ends a month: "i helgen" is the weekend to come.
    ("i helgen", FRI_END, date(2024, 6, 1)),
    ("förra helgen", FRI_END, (date(2024, 5, 25), date(2024, 5, 26))),
    ("på fredag", FRI_END, date(2024, 6, 7)),
    ("fredag", FRI_END, FRI_END),
    ("i fredags", FRI_END, date(2024, 5, 24)),
    ("i slutet av maj", FRI_END, (date(2024, 5, 21), FRI_END)),
    ("i veckan", FRI_END, (date(2024, 5, 27), FRI_END)),
    ("next monday", FRI_END, date(2024, 6, 3)),
    ("i början av juni", FRI_END, date(2024, 6, 1)),
    # Summer time ends tomorrow.
    ("i helgen", DST_SAT, DST_SAT),
    ("förra helgen", DST_SAT, (date(2024, 10, 19), date(2024, 10, 20))),
    ("last weekend", DST_SAT, (date(2024, 10, 19), date(2024, 10, 20))),
    ("på söndag", DST_SAT, date(2024, 10, 27)),
    ("förra veckan", DST_SAT, (date(2024, 10, 14), date(2024, 10, 20))),
    # New Year's Day.
    ("förra veckan", NEW_YEAR, (date(2024, 12, 23), date(2024, 12, 29))),
    ("i slutet av december", NEW_YEAR, (date(2024, 12, 21), date(2024, 12, 31))),
    ("i veckan", NEW_YEAR, (date(2024, 12, 30), NEW_YEAR)),
    ("i helgen", NEW_YEAR, (date(2024, 12, 28), date(2024, 12, 29))),
    ("i fredags", NEW_YEAR, date(2024, 12, 27)),
    ("på fredag", NEW_YEAR, date(2025, 1, 3)),
    ("igår", NEW_YEAR, date(2024, 12, 31)),
    ("24 dec", NEW_YEAR, date(2024, 12, 24)),
    # A leap day.
    ("förra veckan", LEAP, (date(2024, 2, 19), date(2024, 2, 25))),
    ("i slutet av februari", LEAP, (date(2024, 2, 21), LEAP)),
    ("på måndag", LEAP, date(2024, 3, 4)),
    ("i måndags", LEAP, date(2024, 2, 26)),
]


def _days(first: date, last: date) -> tuple[date, ...]:
    return tuple(first + timedelta(days=n) for n in range((last - first).days + 1))


@pytest.mark.parametrize(
    ("phrase", "today", "expected"), TABLE, ids=[f"{p} @ {t}" for p, t, _ in TABLE]
)
def test_relative_dates_mean_what_people_mean(phrase: str, today: date, expected: Expected) -> None:
    parsed = parse_report(f"tematräff {phrase} 20 pers", PROMISE, today)
    if isinstance(expected, tuple):
        assert (parsed.date, parsed.date_choices) == (None, _days(*expected))
    else:
        assert (parsed.date, parsed.date_choices) == (expected, ())
    assert parsed.count == 20 and parsed.commitment == "theme_meeting"


def test_the_table_covers_sixty_phrases_and_every_edge() -> None:
    assert len(TABLE) >= 60
    assert {today for _p, today, _e in TABLE} == {
        TUE,
        DST_SUN,
        EASTER_MON,
        FRI_END,
        DST_SAT,
        NEW_YEAR,
        LEAP,
    }
