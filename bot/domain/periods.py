"""Periods of a promise: terms, school years, calendar years, the whole window, milestones.

Every period is clipped to the promise window (``start``/``end``) but remembers its full
extent (``full_start``/``full_end``) so targets can be prorated when the window cuts it.
"""

from __future__ import annotations

import bisect
from dataclasses import dataclass
from datetime import date, timedelta
from enum import StrEnum

from bot.domain.promise import Cadence, Commitment, Promise
from bot.i18n import Translator


class PeriodKind(StrEnum):
    TERM = "term"
    SCHOOL_YEAR = "school_year"
    YEAR = "year"
    WINDOW = "window"
    MILESTONE = "milestone"


@dataclass(frozen=True)
class Period:
    kind: PeriodKind
    key: str
    start: date
    end: date
    full_start: date
    full_end: date
    label_hint: str = ""  # an explicit term's own label

    @property
    def days(self) -> int:
        return (self.end - self.start).days + 1

    @property
    def full_days(self) -> int:
        return (self.full_end - self.full_start).days + 1

    @property
    def is_cut(self) -> bool:
        return (self.start, self.end) != (self.full_start, self.full_end)

    def __contains__(self, day: object) -> bool:
        return isinstance(day, date) and self.start <= day <= self.end


def _clip(
    kind: PeriodKind,
    key: str,
    start: date,
    end: date,
    window_start: date,
    window_end: date,
    hint: str = "",
) -> Period | None:
    lo, hi = max(start, window_start), min(end, window_end)
    if lo > hi:
        return None
    return Period(kind, key, lo, hi, start, end, hint)


def _default_terms(promise: Promise) -> list[Period]:
    out = []
    for year in range(promise.window.start.year, promise.window.end.year + 1):
        for key, start, end in (
            (f"{year}-VT", date(year, 1, 1), date(year, 6, 30)),
            (f"{year}-HT", date(year, 7, 1), date(year, 12, 31)),
        ):
            period = _clip(
                PeriodKind.TERM, key, start, end, promise.window.start, promise.window.end
            )
            if period:
                out.append(period)
    return out


def _explicit_terms(promise: Promise) -> list[Period]:
    """Explicit school terms; a gap between two terms belongs to the next one, and the last
    term runs to the window's end, so every day of the window is in exactly one term."""
    terms = sorted(promise.terms, key=lambda t: t.start)
    out = []
    start = promise.window.start
    for index, term in enumerate(terms):
        end = promise.window.end if index == len(terms) - 1 else term.end
        period = Period(
            PeriodKind.TERM,
            term.label,
            max(start, promise.window.start),
            min(end, promise.window.end),
            term.start,
            term.end,
            term.label,
        )
        if period.start <= period.end:
            out.append(period)
        start = term.end + timedelta(days=1)
    return out


def _school_years(promise: Promise) -> list[Period]:
    out = []
    for year in range(promise.window.start.year - 1, promise.window.end.year + 1):
        key = f"{year}/{(year + 1) % 100:02d}"
        period = _clip(
            PeriodKind.SCHOOL_YEAR,
            key,
            date(year, 7, 1),
            date(year + 1, 6, 30),
            promise.window.start,
            promise.window.end,
        )
        if period:
            out.append(period)
    return out


def _years(promise: Promise) -> list[Period]:
    return [
        p
        for year in range(promise.window.start.year, promise.window.end.year + 1)
        if (
            p := _clip(
                PeriodKind.YEAR,
                str(year),
                date(year, 1, 1),
                date(year, 12, 31),
                promise.window.start,
                promise.window.end,
            )
        )
    ]


def window_period(promise: Promise) -> Period:
    w = promise.window
    return Period(PeriodKind.WINDOW, "window", w.start, w.end, w.start, w.end)


def _periods(promise: Promise, cadence: Cadence, due: date | None) -> tuple[Period, ...]:
    if cadence is Cadence.TERM:
        return tuple(_explicit_terms(promise) if promise.terms else _default_terms(promise))
    if cadence is Cadence.SCHOOL_YEAR:
        return tuple(_school_years(promise))
    if cadence in (Cadence.YEAR, Cadence.TRACKED):
        return tuple(_years(promise))
    if cadence is Cadence.MILESTONE:
        assert due is not None
        w = promise.window
        return (Period(PeriodKind.MILESTONE, "milestone", w.start, due, w.start, due),)
    return (window_period(promise),)


def periods_for(commitment: Commitment, promise: Promise) -> tuple[Period, ...]:
    """All periods of the commitment's cadence that meet the window, in order."""
    return _periods(promise, commitment.cadence, commitment.due)


def period_containing(commitment: Commitment, promise: Promise, day: date) -> Period:
    """The period holding ``day``; before the window the first, after it the last."""
    periods = periods_for(commitment, promise)
    index = bisect.bisect_right([p.start for p in periods], day) - 1
    if index < 0:
        return periods[0]
    period = periods[index]
    if day > period.end and index + 1 < len(periods):
        return periods[index + 1]
    return period


def period_label(period: Period, tr: Translator) -> str:
    """``VT 2024``, ``läsår 23/24``, ``2024``, ``2022–2024`` (Swedish) and English forms."""
    _ = tr.gettext
    if period.kind is PeriodKind.TERM:
        if period.label_hint:
            return period.label_hint
        year, half = period.key.split("-")
        # TRANSLATORS: spring term, Swedish "VT 2024"
        spring = _("Spring {year}")
        # TRANSLATORS: autumn term, Swedish "HT 2024"
        autumn = _("Autumn {year}")
        return (spring if half == "VT" else autumn).format(year=year)
    if period.kind is PeriodKind.SCHOOL_YEAR:
        first, second = period.key.split("/")
        # TRANSLATORS: Swedish "läsår 23/24"
        return _("school year {start}/{end}").format(start=first[2:], end=second)
    if period.kind is PeriodKind.YEAR:
        return period.key
    if period.kind is PeriodKind.MILESTONE:
        return _("by {date}").format(date=tr.date(period.end, "d MMM yyyy"))
    return f"{period.full_start.year}–{period.full_end.year}"
