"""Swedish working days: no staff reminder on a weekend or a public holiday.

Public holidays come from the ``holidays`` package. Midsommarafton, julafton and nyårsafton
are not public holidays by law but almost nobody works then, so they count as days off too.
"""

from __future__ import annotations

import functools
from datetime import date, timedelta

import holidays


@functools.cache
def _days_off(year: int) -> frozenset[date]:
    calendar = holidays.country_holidays("SE", years=year)
    days = set(calendar)
    days.add(date(year, 12, 24))
    days.add(date(year, 12, 31))
    # Midsommarafton: the Friday between 19 and 25 June.
    days.update(day for day in (date(year, 6, d) for d in range(19, 26)) if day.weekday() == 4)
    return frozenset(days)


def is_holiday(day: date) -> bool:
    return day in _days_off(day.year)


def is_working_day(day: date) -> bool:
    return day.weekday() < 5 and not is_holiday(day)


def next_working_day(day: date) -> date:
    """``day`` itself when it is a working day, else the next one."""
    while not is_working_day(day):
        day += timedelta(days=1)
    return day
