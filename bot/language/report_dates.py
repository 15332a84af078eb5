"""Dates in a staff one-liner: "igår", "i tisdags", "fre", "12/3", "5 mars", "2024-03-02",
"3 days ago", "för två veckor sedan", "monday last week".

Part of the report parser (bot.language.report_parser), which hands over the folded text (see
bot.language.textkit.fold_chars: position for position with the source) and the source itself.
Reports look back: a weekday or a day without a year means the most recent such day, and
"i fredags" / "last Friday" the last one before today. Dates are read as people mean them
where they point forward: "på fredag", "nästa fredag", "next Friday", "this Friday" are the
coming Friday (the card then offers to plan it); English "on Friday" is read as the most
recent one, as staff write it after the fact. Some phrases name a range rather than a
day: "förra veckan" / "last week", "i veckan" / "this week", "i helgen" / "the weekend",
"i början (mitten, slutet) av mars" / "early (mid, late) March"; the card asks which of its
days it was (``FoundDate.last``) instead of guessing.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import date, timedelta

from bot.language.textkit import fold_chars, month_numbers, weekday_numbers

__all__ = ["PEOPLE_ALT", "PEOPLE_WORDS", "FoundDate", "find_dates"]

# Words for people that make a number a participant count (folded).
PEOPLE_WORDS = (
    "deltagare", "deltagarna", "personer", "pers", "besokare", "besokarna", "foraldrar",
    "foraldrarna", "elever", "eleverna", "ungdomar", "ungdomarna", "unga", "seniorer",
    "pensionarer", "boende", "invanare", "barn", "st", "stycken", "people", "persons",
    "participants", "attendees", "visitors", "parents", "students", "pupils", "youths",
    "seniors", "pensioners", "residents", "guests", "gaster", "kom", "came", "showed", "aldre",
    "elderly", "kids", "besokande", "individer", "individuals", "volunteers", "frivilliga",
    "volontarer", "nattvandrare", "narvarande", "killar", "tjejer",
    "attended", "deltog", "pax", "samtal", "ppl", "vuxna", "conversations", "adults", "joined",
    "dok", "turned",
)  # fmt: skip
PEOPLE_ALT = "|".join(sorted(PEOPLE_WORDS, key=len, reverse=True))


def _fold(text: str) -> str:
    return fold_chars(text)


# Weekday and month names come from the CLDR data through Babel (bot.language.textkit), folded.
_WEEKDAYS: dict[str, int] = {_fold(name): day for name, day in weekday_numbers().items()}
# Folding turns "mån" into "man" and "sön" into "son", which are ordinary words in both
# languages; the abbreviations are only trusted when the source had the diacritic.
_NEEDS_DIACRITIC = {"man": "mån", "son": "sön", "lor": "lör"}

_MONTHS: dict[str, int] = {_fold(name): month for name, month in month_numbers().items()}
_MONTH_ALT = "|".join(sorted(_MONTHS, key=len, reverse=True))

_ISO_RE = re.compile(r"(?<![\d/.-])(\d{4})-(\d{1,2})-(\d{1,2})(?![\d-])")
_SLASH_RE = re.compile(
    r"(?<![\d/.,:-])(\d{1,2})\s?/\s?(\d{1,2})(?:/(\d{4}|\d{2}))?(?![\d/]|\s?/\s?\d)"
)
# "12.3" is a date, but "18.30" and "kl 10.15" are times; a month above 12 rules itself out.
_DOT_RE = re.compile(
    r"(?<![\d/.,:-])(?<!kl )(?<!kl\. )(?<!at )"
    r"(\d{1,2})\.(\d{1,2})(?:\.(\d{4}|\d{2}))?\.?(?![\d.:-])"
)
# "den 12:e" / "den 3:e": a day in the current month, or the previous one if still ahead.
_DAY_ONLY_RE = re.compile(r"(?<![^\W_])den\s+(\d{1,2})(?::?e|:a)(?![^\W_])")
_DAY_MONTH_RE = re.compile(
    rf"(?<![\d.,:/-])(\d{{1,2}})(?::?e|:a|st|nd|rd|th)?\.?\s*(?:of\s+)?({_MONTH_ALT})\.?"
    r"(?:\s+(\d{4}))?(?![^\W\d_])"
)
# Month before day is English usage ("March 12"); Swedish "i mars 20 deltagare" is a count.
_SWEDISH_ONLY_MONTHS = frozenset(
    {"januari", "februari", "mars", "maj", "juni", "juli", "augusti", "oktober", "okt"}
)
_EN_MONTH_ALT = "|".join(sorted(set(_MONTHS) - _SWEDISH_ONLY_MONTHS, key=len, reverse=True))
_MONTH_DAY_RE = re.compile(
    rf"(?<![^\W\d_])({_EN_MONTH_ALT})\.?\s+(\d{{1,2}})(?:st|nd|rd|th)?(?![\d:.])"
    rf"(?!\s*(?:[^\W\d_]+\s+)?(?:{PEOPLE_ALT})(?![^\W_]))(?:,?\s+(\d{{4}}))?"
)

# Relative words, folded. Longer phrases first so "i forrgar" is not read as "i gar".
_RELATIVE: tuple[tuple[str, int], ...] = (
    (r"tomorrow|imorgon|i\s+morgon", -1),
    (r"day before yesterday", 2),
    (r"i\s*forrgar|forrgar|forgar|i\s*forgar", 2),
    (r"yesterday|yday|last\s+night|igar|i\s+gar|igaar|igarkvall", 1),
    (r"today|tonight|this\s+morning|this\s+evening|idag|i\s+dag|ikvall|i\s+kvall|i\s*morse"
     r"|i\s+eftermiddag|nyss|just\s+nu", 0),
)  # fmt: skip
_RELATIVE_RES = tuple(
    (re.compile(rf"(?<![^\W_])(?:{pattern})(?![^\W_])"), days) for pattern, days in _RELATIVE
)
# "i fredags", "förra fredagen", "last friday" point strictly into the past.
_WEEKDAY_ALT = "|".join(sorted(_WEEKDAYS, key=len, reverse=True))
_PAST_WEEKDAY_RE = re.compile(
    rf"(?<![^\W_])(?:i\s+({_WEEKDAY_ALT})s|(?:forra|last)\s+({_WEEKDAY_ALT})(?:en)?)(?![^\W_])"
)
_WEEKDAY_RE = re.compile(rf"(?<![^\W_])({_WEEKDAY_ALT})(?:en|s)?\.?(?![^\W_])")
# "3 days ago", "a week ago", "för tre dagar sedan", "2 dgr sen": counted back from today.
_AGO_NUMBERS: dict[str, int] = {
    "a": 1, "an": 1, "one": 1, "two": 2, "three": 3, "four": 4, "five": 5, "six": 6,
    "seven": 7, "eight": 8, "nine": 9, "ten": 10, "a couple of": 2, "couple of": 2,
    "en": 1, "ett": 1, "tva": 2, "tre": 3, "fyra": 4, "fem": 5, "sex": 6, "sju": 7,
    "atta": 8, "nio": 9, "tio": 10, "ett par": 2, "par": 2,
}  # fmt: skip
_AGO_NUMBER_ALT = "|".join(sorted(map(re.escape, _AGO_NUMBERS), key=len, reverse=True))
_AGO_UNITS = {
    "day": 1, "days": 1, "dag": 1, "dagar": 1, "dgr": 1, "d": 1,
    "week": 7, "weeks": 7, "wk": 7, "wks": 7, "vecka": 7, "veckor": 7, "v": 7,
}  # fmt: skip
_AGO_UNIT_ALT = "|".join(sorted(_AGO_UNITS, key=len, reverse=True))
_AGO_RE = re.compile(
    rf"(?<![^\W_])(?:for\s+)?(\d{{1,2}}|{_AGO_NUMBER_ALT})\s*({_AGO_UNIT_ALT})\.?\s+"
    r"(?:ago|back|sedan|sen)(?![^\W_])"
)
# "monday last week", "förra veckan på tisdag", "i måndags förra veckan": last week's day.
_LAST_WEEK = r"(?:last\s+week|forra\s+veckan)"
_WEEKDAY_LAST_WEEK_RE = re.compile(
    rf"(?<![^\W_])(?:(?:i\s+|on\s+)?({_WEEKDAY_ALT})(?:en|s)?\s+{_LAST_WEEK}"
    rf"|{_LAST_WEEK}\s+(?:on\s+|pa\s+|i\s+)?({_WEEKDAY_ALT})(?:en|s)?)(?![^\W_])"
)


# "på fredag", "nästa fredag", "next friday": the coming one, after today; "this friday"
# may be today. English "on friday" stays the most recent one: staff write "info meeting
# on tuesday, 11 attendees" after the fact. Longer phrases ("last week on friday") win.
_COMING_WEEKDAY_RE = re.compile(
    rf"(?<![^\W_])(?:(?:nu\s+)?(?:pa|nasta|kommande|next|coming|this\s+coming)|(this))\s+"
    rf"({_WEEKDAY_ALT})(?:en|s)?\.?(?![^\W_])"
)
# Ranges: the card asks which day it was.
_LAST_WEEK_RANGE_RE = re.compile(
    r"(?<![^\W_])(?:forra|forriga|last)\s+(?:veckan|vecka|week)(?![^\W_])"
)
_THIS_WEEK_RE = re.compile(
    r"(?<![^\W_])(?:(?:tidigare\s+)?i\s+veckan|denna\s+vecka|den\s+har\s+veckan"
    r"|(?:earlier\s+)?this\s+week)(?![^\W_])"
)
_WEEKEND_RE = re.compile(
    r"(?<![^\W_])(?:((?:forra|forriga|last)\s+(?:helgen|helg|weekend))"
    r"|i\s+helgen|helgen|(?:over|during|at)\s+the\s+weekend|this\s+weekend)(?![^\W_])"
)
_PARTS = {
    "borjan": (1, 10), "mitten": (11, 20), "slutet": (21, 31),
    "early": (1, 10), "beginning": (1, 10), "start": (1, 10),
    "mid": (11, 20), "middle": (11, 20), "late": (21, 31), "end": (21, 31),
}  # fmt: skip
_PART_OF_MONTH_RE = re.compile(
    rf"(?<![^\W_])(?:(?:i\s+)?(borjan|mitten|slutet)\s+(?:av|pa)\s+({_MONTH_ALT})"
    rf"|(early|mid|late)[\s-]+({_MONTH_ALT})"
    rf"|(?:the\s+|at\s+the\s+)?(beginning|start|middle|end)\s+of\s+({_MONTH_ALT}))\.?"
    r"(?![^\W_])"
)


@dataclass(frozen=True, slots=True)
class FoundDate:
    value: date | None
    start: int
    end: int
    last: date | None = None  # a range: ``value`` is its first day and this its last


def _range(first: date, last: date, start: int, end: int) -> FoundDate:
    return FoundDate(first, start, end, None if last == first else last)


def _weekend(today: date, previous: bool) -> tuple[date, date]:
    """The weekend "i helgen" means: this one when it is the weekend (up to today), the
    coming one on a Friday, else the last one; ``previous``: the one before that."""
    weekday = today.weekday()
    if weekday >= 5:  # Saturday or Sunday
        saturday = today - timedelta(days=weekday - 5)
        if previous:
            saturday -= timedelta(days=7)
            return saturday, saturday + timedelta(days=1)
        return saturday, today
    last_saturday = today - timedelta(days=weekday + 2)
    if weekday == 4 and not previous:  # Friday: the weekend to come
        saturday = today + timedelta(days=1)
        return saturday, saturday + timedelta(days=1)
    return last_saturday, last_saturday + timedelta(days=1)


def _part_of_month(part: str, month: int, today: date) -> tuple[date, date]:
    """Days ``part`` of ``month``, up to today: this month, the next one (ahead: the card
    offers planning), or else the most recent one past; a part that has not begun yet is
    ahead too."""
    ahead = (month - today.month) % 12
    if ahead <= 1:
        year = today.year + (today.month + ahead > 12)
    else:
        year = today.year if month < today.month else today.year - 1
    low, high = _PARTS[part]
    following = date(year + (month == 12), month % 12 + 1, 1)
    first = date(year, month, low)
    last = date(year, month, min(high, (following - timedelta(days=1)).day))
    return first, (last if first > today else min(last, today))


def _year_for(day: int, month: int, today: date) -> date | None:
    """The most recent ``day``/``month`` that is not after ``today``; None if it never exists."""
    # Feb 29 only exists in leap years, so look back far enough to meet one.
    for year in range(today.year, today.year - 9, -1):
        try:
            candidate = date(year, month, day)
        except ValueError:
            continue
        if candidate <= today:
            return candidate
    return None


def _day_of_recent_month(day: int, today: date) -> date | None:
    year, month = today.year, today.month
    for _ in range(3):  # the 31st may need to skip a short month
        try:
            candidate = date(year, month, day)
        except ValueError:
            candidate = None
        if candidate is not None and candidate <= today:
            return candidate
        year, month = (year, month - 1) if month > 1 else (year - 1, 12)
    return None


def _full_year(raw: str) -> int:
    year = int(raw)
    return year + 2000 if year < 100 else year


def _explicit_date(day: int, month: int, year: str | None, today: date) -> date | None:
    if year is None:
        return _year_for(day, month, today)
    try:
        return date(_full_year(year), month, day)
    except ValueError:
        return None


def find_dates(folded: str, source: str, today: date) -> list[FoundDate]:
    """All date expressions, explicit ones first: they are more precise than "fredag"."""
    found: list[FoundDate] = []
    for m in _ISO_RE.finditer(folded):
        try:
            value: date | None = date(int(m.group(1)), int(m.group(2)), int(m.group(3)))
        except ValueError:
            value = None
        found.append(FoundDate(value, m.start(), m.end()))
    for m in _SLASH_RE.finditer(folded):
        value = _explicit_date(int(m.group(1)), int(m.group(2)), m.group(3), today)
        found.append(FoundDate(value, m.start(), m.end()))
    for m in _DOT_RE.finditer(folded):
        day, month = int(m.group(1)), int(m.group(2))
        if 1 <= month <= 12 and 1 <= day <= 31:
            value = _explicit_date(day, month, m.group(3), today)
            found.append(FoundDate(value, m.start(), m.end()))
    for m in _DAY_ONLY_RE.finditer(folded):
        found.append(FoundDate(_day_of_recent_month(int(m.group(1)), today), m.start(), m.end()))
    for m in _DAY_MONTH_RE.finditer(folded):
        value = _explicit_date(int(m.group(1)), _MONTHS[m.group(2)], m.group(3), today)
        found.append(FoundDate(value, m.start(), m.end()))
    for m in _MONTH_DAY_RE.finditer(folded):
        value = _explicit_date(int(m.group(2)), _MONTHS[m.group(1)], m.group(3), today)
        found.append(FoundDate(value, m.start(), m.end()))
    explicit = _drop_overlaps(found)
    relative: list[FoundDate] = []
    for regex, days in _RELATIVE_RES:
        for m in regex.finditer(folded):
            relative.append(FoundDate(today - timedelta(days=days), m.start(), m.end()))
    for m in _AGO_RE.finditer(folded):
        number = m.group(1)
        amount = int(number) if number.isdigit() else _AGO_NUMBERS[" ".join(number.split())]
        back = amount * _AGO_UNITS[m.group(2)]
        relative.append(FoundDate(today - timedelta(days=back), m.start(), m.end()))
    for m in _WEEKDAY_LAST_WEEK_RE.finditer(folded):
        index = 1 if m.group(1) else 2
        name = m.group(index)
        if _weekday_trusted(name, source, m.start(index)):
            monday = today - timedelta(days=today.weekday() + 7)
            relative.append(FoundDate(monday + timedelta(days=_WEEKDAYS[name]), *m.span()))
    for m in _COMING_WEEKDAY_RE.finditer(folded):
        name = m.group(2)
        if _weekday_trusted(name, source, m.start(2)):
            ahead = (_WEEKDAYS[name] - today.weekday()) % 7
            if ahead == 0 and not m.group(1):  # "på fredag" on a Friday: next week's
                ahead = 7
            relative.append(FoundDate(today + timedelta(days=ahead), m.start(), m.end()))
    for m in _LAST_WEEK_RANGE_RE.finditer(folded):
        monday = today - timedelta(days=today.weekday() + 7)
        relative.append(_range(monday, monday + timedelta(days=6), m.start(), m.end()))
    for m in _THIS_WEEK_RE.finditer(folded):
        monday = today - timedelta(days=today.weekday())
        relative.append(_range(monday, today, m.start(), m.end()))
    for m in _WEEKEND_RE.finditer(folded):
        first, last = _weekend(today, previous=bool(m.group(1)))
        relative.append(_range(first, last, m.start(), m.end()))
    for m in _PART_OF_MONTH_RE.finditer(folded):
        part = m.group(1) or m.group(3) or m.group(5)
        month = _MONTHS[m.group(2) or m.group(4) or m.group(6)]
        relative.append(_range(*_part_of_month(part, month, today), m.start(), m.end()))
    for m in _PAST_WEEKDAY_RE.finditer(folded):
        name = m.group(1) or m.group(2)
        if _weekday_trusted(name, source, m.start(m.lastindex or 1)):
            back = (today.weekday() - _WEEKDAYS[name]) % 7 or 7
            relative.append(FoundDate(today - timedelta(days=back), m.start(), m.end()))
    for m in _WEEKDAY_RE.finditer(folded):
        name = m.group(1)
        if _weekday_trusted(name, source, m.start(1)):
            back = (today.weekday() - _WEEKDAYS[name]) % 7
            relative.append(FoundDate(today - timedelta(days=back), m.start(), m.end()))
    return explicit + [r for r in _drop_overlaps(relative) if not _overlaps_any(r, explicit)]


def _weekday_trusted(name: str, source: str, start: int) -> bool:
    wanted = _NEEDS_DIACRITIC.get(name)
    if wanted is None:
        return True
    return source[start : start + len(wanted)].lower() == wanted


def _overlaps_any(item: FoundDate, others: list[FoundDate]) -> bool:
    return any(item.start < o.end and o.start < item.end for o in others)


def _drop_overlaps(items: list[FoundDate]) -> list[FoundDate]:
    """Keep the longest of overlapping matches ("i förrgår" over "i går")."""
    kept: list[FoundDate] = []
    for item in sorted(items, key=lambda f: (-(f.end - f.start), f.start)):
        if not _overlaps_any(item, kept):
            kept.append(item)
    return sorted(kept, key=lambda f: f.start)
