"""Typed start and end times for planning events: "20/3 18-21", "2024-03-20 18:00",
"imorgon 18.30", "fre 18-20", "tomorrow 6pm" is not supported (24-hour clock only).

Planning looks forward: a day without a year, or a weekday, means the next such day
from today (today included)."""

from __future__ import annotations

import re
from datetime import date, datetime, time, timedelta, tzinfo

from bot.language.textkit import month_numbers, weekday_numbers

# Month and weekday names (Swedish and English, from CLDR through Babel): lower case.
MONTHS = month_numbers()
WEEKDAYS = weekday_numbers()
RELATIVE = {"idag": 0, "i dag": 0, "today": 0, "imorgon": 1, "i morgon": 1, "tomorrow": 1}
DEFAULT_LENGTH = timedelta(hours=2)

_ISO = re.compile(r"\b(\d{4})-(\d{1,2})-(\d{1,2})\b")
_DM = re.compile(r"\b(\d{1,2})/(\d{1,2})(?:/(\d{2,4}))?\b")
_DAY_MONTH = re.compile(r"\b(\d{1,2})\s+([a-zåäö]+)\b")
_TIME = re.compile(
    r"(?:kl\.?\s*|at\s+)?\b([01]?\d|2[0-3])(?:[:.]([0-5]\d))?"
    r"(?:\s*[-–]\s*([01]?\d|2[0-3])(?:[:.]([0-5]\d))?)?\b"
)


def _next_date(day: int, month: int, today: date) -> date | None:
    for year in (today.year, today.year + 1):
        try:
            candidate = date(year, month, day)
        except ValueError:
            return None
        if candidate >= today:
            return candidate
    return None


def parse_day(text: str, today: date) -> tuple[date | None, str]:
    """The day in ``text`` and the rest of the text (for the time)."""
    folded = text.casefold().strip()
    for word, offset in RELATIVE.items():
        if folded.startswith(word):
            return today + timedelta(days=offset), folded[len(word) :]
    if m := _ISO.search(folded):
        try:
            found = date(int(m[1]), int(m[2]), int(m[3]))
        except ValueError:
            return None, folded
        return found, folded[: m.start()] + folded[m.end() :]
    if m := _DM.search(folded):
        day, month = int(m[1]), int(m[2])
        if m[3]:
            year = int(m[3]) + (2000 if len(m[3]) == 2 else 0)
            try:
                return date(year, month, day), folded[m.end() :]
            except ValueError:
                return None, folded
        return _next_date(day, month, today), folded[m.end() :]
    if (m := _DAY_MONTH.search(folded)) and m[2] in MONTHS:
        return _next_date(int(m[1]), MONTHS[m[2]], today), folded[m.end() :]
    first = folded.split(" ", 1)
    if first and first[0].rstrip(".,") in WEEKDAYS:
        wanted = WEEKDAYS[first[0].rstrip(".,")]
        return today + timedelta(days=(wanted - today.weekday()) % 7), [*first, ""][1]
    return None, folded


def parse_when(text: str, now: datetime, tz: tzinfo) -> tuple[datetime, datetime] | None:
    """Start and end as aware local datetimes, or None when the text is not understood."""
    if len(text) > 100:
        return None
    day, rest = parse_day(text, now.astimezone(tz).date())
    if day is None:
        return None
    m = _TIME.search(rest)
    if m is None:
        return None
    start = datetime.combine(day, time(int(m[1]), int(m[2] or 0)), tzinfo=tz)
    if m[3] is not None:
        end = datetime.combine(day, time(int(m[3]), int(m[4] or 0)), tzinfo=tz)
        if end <= start:
            return None
    else:
        end = start + DEFAULT_LENGTH
    return start, end
