"""Find personal data in staff free text before it is stored.

Staff type one-liners on a phone; now and then a personnummer, a phone number or an e-mail
address slips in. The promise's secrecy rules say such text must be caught before saving, so
this module finds those three kinds and can redact them. It is pure text handling: no I/O.
"""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Callable
from dataclasses import dataclass
from datetime import date
from typing import Literal

from bot.language.textkit import BoundedMemo

PiiKind = Literal["personnummer", "phone", "email"]

REDACTED = "[borttaget]"

# YYMMDD or YYYYMMDD, an optional separator ("-", "+" for people over 100, or the space some
# type instead), then four digits. Digits may not touch the match on either side, otherwise a
# longer number (an order id, a phone number in international form) would yield a false
# personnummer from its middle.
_PERSONNUMMER_RE = re.compile(r"(?<![\d])(\d{8}|\d{6})([-+ ]?)(\d{4})(?!\d)")

# National form: a trunk 0, an area/mobile code that never starts with 0, then 6–8 more digits
# (8–10 digits in all, which covers Swedish landlines and mobiles). Separators are the ones
# people actually type. The look-behind keeps us out of dates like 2024-03-12 and ids.
_SEP = r"(?:\s?-\s?|\s)?"
_PHONE_RE = re.compile(
    r"(?<![\w+/.\-])"
    r"(?:"
    rf"(?:\+46|0046){_SEP}(?:\(0\)\s?)?[1-9](?:{_SEP}\d){{6,8}}"
    r"|"
    rf"\(?0[1-9]\)?(?:{_SEP}\d){{6,8}}"
    r")"
    r"(?![\w])"
)

_EMAIL_RE = re.compile(
    r"(?<![\w.+\-])[\w.+\-]+@[\w\-]+(?:\.[\w\-]+)*\.[A-Za-z]{2,}(?![\w\-])",
)

# The police's own numbers appear in staff notes all the time and are not personal data.
_PUBLIC_NUMBERS = frozenset({"112", "11414"})

# When two hits overlap, the more specific kind wins: an address may contain digits and a
# personnummer may look like a phone number, but not the other way round.
_PRIORITY: dict[PiiKind, int] = {"email": 0, "personnummer": 1, "phone": 2}


# --- one normaliser in front of every check ---------------------------------------------
#
# People (and phones) type a personnummer with an en dash or a non-breaking hyphen, a number
# in fullwidth digits or as 070.123.45.67, an address as "a.b (at) example.se". The checks
# below run on a normalised copy of the text; every normalised character remembers the span
# of the original it came from, so hits (and redaction) still point into the original.

_ZERO_WIDTH = frozenset("\u00ad\u200b\u200c\u200d\u2060\ufeff")


def _char(ch: str) -> str:
    if ch.isascii():
        return ch
    if ch in _ZERO_WIDTH:
        return ""
    category = unicodedata.category(ch)
    if category == "Pd" or ch == "\u2212":  # every dash and hyphen, and the minus sign
        return "-"
    if category == "Zs":  # no-break, thin, figure and other spaces
        return " "
    if category == "Nd":  # fullwidth and other decimal digits
        return str(unicodedata.decimal(ch))
    folded = unicodedata.normalize("NFKC", ch)  # fullwidth "＠" and "．", for example
    return folded if len(folded) == 1 and folded.isascii() else ch


_DOMAIN_AHEAD = r"(?=[\w-]+(?:\.[\w-]+)*\.[A-Za-z]{2,}\b)"
_REWRITES: tuple[tuple[re.Pattern[str], str | Callable[[re.Match[str]], str]], ...] = (
    # "(at)", "[at]", "{at}", "(snabel-a)", and a bare " at " before a domain name.
    (re.compile(r"\s*[(\[{<]\s*(?:at|snabel-?a)\s*[)\]}>]\s*", re.IGNORECASE), "@"),
    (re.compile(rf"(?<=\w) +(?:at|snabel-?a) +{_DOMAIN_AHEAD}", re.IGNORECASE), "@"),
    (re.compile(r"\s*[(\[{<]\s*(?:dot|punkt)\s*[)\]}>]\s*", re.IGNORECASE), "."),
    # 070.123.45.67 and 070/1234567: a dot or slash between digits reads as a dash.
    (re.compile(r"(?<=\d)[./](?=\d)"), "-"),
)


@dataclass(frozen=True, slots=True)
class Normalised:
    """``text`` normalised for the checks; ``starts``/``ends`` give each character's
    original span."""

    text: str
    starts: tuple[int, ...]
    ends: tuple[int, ...]

    def original_span(self, start: int, end: int) -> tuple[int, int]:
        return self.starts[start], self.ends[end - 1]


def normalise(text: str) -> Normalised:
    chars: list[str] = []
    starts: list[int] = []
    ends: list[int] = []
    for index, ch in enumerate(text):
        for out in _char(ch):
            chars.append(out)
            starts.append(index)
            ends.append(index + 1)
    current = "".join(chars)
    for pattern, replacement in _REWRITES:
        new_chars: list[str] = []
        new_starts: list[int] = []
        new_ends: list[int] = []
        pos = 0
        for m in pattern.finditer(current):
            if m.start() == m.end():
                continue
            new_chars.extend(current[pos : m.start()])
            new_starts.extend(starts[pos : m.start()])
            new_ends.extend(ends[pos : m.start()])
            repl = replacement if isinstance(replacement, str) else replacement(m)
            new_chars.extend(repl)
            new_starts.extend([starts[m.start()]] * len(repl))
            new_ends.extend([ends[m.end() - 1]] * len(repl))
            pos = m.end()
        new_chars.extend(current[pos:])
        new_starts.extend(starts[pos:])
        new_ends.extend(ends[pos:])
        current, starts, ends = "".join(new_chars), new_starts, new_ends
    return Normalised(current, tuple(starts), tuple(ends))


@dataclass(frozen=True, slots=True)
class PiiHit:
    kind: PiiKind
    start: int
    end: int


def luhn_ok(digits: str) -> bool:
    """Whether ``digits`` (the 10-digit personnummer form) ends in a correct Luhn check digit."""
    if not digits.isdigit() or len(digits) < 2:
        return False
    total = 0
    for i, ch in enumerate(digits[:-1]):
        n = int(ch) * (2 if i % 2 == 0 else 1)
        total += n - 9 if n > 9 else n
    return (10 - total % 10) % 10 == int(digits[-1])


def _valid_birth_date(year: int | None, yy: int, month: int, day: int) -> bool:
    # Samordningsnummer add 60 to the day so they never collide with a real birth date.
    if day > 60:
        day -= 60
    candidates = [year] if year is not None else [1900 + yy, 2000 + yy]
    for y in candidates:
        try:
            date(y, month, day)
        except ValueError:
            continue
        return True
    return False


def _is_personnummer(date_part: str, serial: str) -> bool:
    if len(date_part) == 8:
        century = int(date_part[:2])
        if century not in (18, 19, 20):
            return False
        year: int | None = int(date_part[:4])
        short = date_part[2:]
    else:
        year = None
        short = date_part
    yy, month, day = int(short[:2]), int(short[2:4]), int(short[4:6])
    if not _valid_birth_date(year, yy, month, day):
        return False
    return luhn_ok(short + serial)


def _personnummer_hits(text: str) -> list[PiiHit]:
    hits = []
    for m in _PERSONNUMMER_RE.finditer(text):
        if _is_personnummer(m.group(1), m.group(3)):
            hits.append(PiiHit("personnummer", m.start(), m.end()))
    return hits


def _phone_hits(text: str) -> list[PiiHit]:
    hits = []
    for m in _PHONE_RE.finditer(text):
        digits = re.sub(r"\D", "", m.group(0))
        if digits in _PUBLIC_NUMBERS:
            continue
        hits.append(PiiHit("phone", m.start(), m.end()))
    return hits


def _email_hits(text: str) -> list[PiiHit]:
    return [PiiHit("email", m.start(), m.end()) for m in _EMAIL_RE.finditer(text)]


def find_pii(text: str) -> list[PiiHit]:
    """Every personnummer, phone number and e-mail address in ``text``, in text order.

    The checks run on :func:`normalise`'s copy; the hits are spans of ``text`` itself.
    Hits never overlap: where two candidates share characters the more specific kind is kept.
    """
    norm = normalise(text)
    found = _find(norm.text)
    if norm.text == text:
        return found
    return [PiiHit(h.kind, *norm.original_span(h.start, h.end)) for h in found]


def _find(text: str) -> list[PiiHit]:
    candidates = _email_hits(text) + _personnummer_hits(text) + _phone_hits(text)
    candidates.sort(key=lambda h: (_PRIORITY[h.kind], h.start))
    kept: list[PiiHit] = []
    for hit in candidates:
        if all(hit.end <= k.start or hit.start >= k.end for k in kept):
            kept.append(hit)
    return sorted(kept, key=lambda h: h.start)


def pii_kinds(text: str) -> list[str]:
    """The kinds of personal data found in ``text``, sorted and without repeats."""
    return sorted({hit.kind for hit in find_pii(text)})


# Redacted texts, remembered: the same event titles, places and descriptions are redacted on
# every resident's question about them. Pure and bounded; cleared when full.
_REDACTED: BoundedMemo[str, str] = BoundedMemo(4096)
_REDACTED_LONGEST = 2000


def redact(text: str) -> str:
    """``text`` with every hit replaced by :data:`REDACTED`."""
    found = _REDACTED.get(text)
    if found is None:
        found = _redact(text)
        if len(text) <= _REDACTED_LONGEST:
            _REDACTED.keep(text, found)
    return found


def _redact(text: str) -> str:
    parts: list[str] = []
    pos = 0
    for hit in find_pii(text):
        parts.append(text[pos : hit.start])
        parts.append(REDACTED)
        pos = hit.end
    parts.append(text[pos:])
    return "".join(parts)
