"""Translations (gettext via Babel) and locale-aware dates.

One gettext domain, ``messages``, under ``locales/<lang>/LC_MESSAGES``. Message ids are
English; the English catalogue is still complete so a test can tell a forgotten string from
a translated one. Use named placeholders and ``str.format`` after translation, never
f-strings inside ``_()``; plurals go through ``ngettext``.

Residents and seniors also read Finnish, Arabic, Persian, Somali and Polish; those catalogues
hold the resident-facing messages only (``locales/scope.toml``), and anything else reads
Swedish. Staff screens stay Swedish or English (``staff_locale``). Arabic and Persian text
gets direction marks (``bidi``) so it reads right to left in Telegram.
"""

from __future__ import annotations

import datetime as dt
import functools
import io
import re
import unicodedata
from collections.abc import Iterable
from importlib import resources
from pathlib import Path

from babel import Locale
from babel.dates import format_date, format_datetime, format_time, match_skeleton
from babel.messages.mofile import write_mo
from babel.messages.pofile import read_po
from babel.numbers import format_percent
from babel.support import NullTranslations, Translations

from bot.clock import STOCKHOLM
from bot.settings import STAFF_LOCALES, SUPPORTED_LOCALES

DOMAIN = "messages"
DEFAULT_LOCALE = "sv"

# Right-to-left languages get each line started with a RIGHT-TO-LEFT MARK (so Telegram lays
# the paragraph out from the right even when it begins with "/events", "112" or a Swedish
# name) and every placeholder wrapped in FIRST STRONG ISOLATE ... POP DIRECTIONAL ISOLATE
# (so a time, a phone number or a Swedish title keeps its own order and does not drag the
# punctuation next to it to the wrong end). Digits stay Latin, as Babel writes them in dates
# and as the numbers to call are printed everywhere in Sweden.
RLM = "\u200f"
FSI = "\u2068"
PDI = "\u2069"
_PLACEHOLDER = re.compile(r"(?<!\{)\{[A-Za-z_][A-Za-z0-9_]*\}(?!\})")


def N_(message: str) -> str:
    """Mark a string for extraction where it is translated later (module-level tables)."""
    return message


@functools.cache
def locales_dir() -> Path:
    return Path(str(resources.files("locales")))


def pick_locale(saved: str | None, telegram_code: str | None, default: str) -> str:
    """Saved choice, else Telegram's language_code base part if we support it, else default."""
    if saved in SUPPORTED_LOCALES:
        return saved
    if telegram_code:
        base = telegram_code.replace("_", "-").split("-", 1)[0].lower()
        if base in SUPPORTED_LOCALES:
            return base
    return default


def staff_locale(locale: str | None, default: str = DEFAULT_LOCALE) -> str:
    """Staff and admin screens stay Swedish or English: any other choice reads Swedish."""
    if locale in STAFF_LOCALES:
        return locale
    return default if default in STAFF_LOCALES else DEFAULT_LOCALE


@functools.cache
def is_rtl(locale: str) -> bool:
    return Locale.parse(locale).character_order == "right-to-left"


def language_name(locale: str) -> str:
    """A language by its own name, as its speakers write it: "Suomi", "العربية", "Polski"."""
    name = Locale.parse(locale).get_display_name(locale) or locale
    return name[:1].upper() + name[1:]


_MARKS = str.maketrans("", "", RLM + FSI + PDI)


def plain(text: str) -> str:
    """``text`` without the invisible direction marks ``bidi`` adds: for open-data files,
    which are read by programs rather than laid out on a screen."""
    return text.translate(_MARKS)


def _starts_right_to_left(line: str) -> bool:
    """Whether Telegram will lay ``line`` out from the right by itself: its first strongly
    directional character is Arabic or Hebrew (a placeholder counts as unknown, so no)."""
    for char in line:
        if char == FSI:
            return False
        kind = unicodedata.bidirectional(char)
        if kind in ("R", "AL"):
            return True
        if kind == "L":
            return False
    return False


def bidi(text: str) -> str:
    """``text`` (a right-to-left translation) made to read correctly in Telegram: values
    isolated, and a RIGHT-TO-LEFT MARK before a line that would otherwise start left to right
    ("/events – ...", "BankID ...", "{name}: ..."). A line that already starts with Arabic
    script is left as it is, so a button label still equals what a user types."""
    isolated = _PLACEHOLDER.sub(lambda m: FSI + m.group(0) + PDI, text)
    return "\n".join(
        line if not line or _starts_right_to_left(line) else RLM + line
        for line in isolated.split("\n")
    )


# A date pattern is written once, for Swedish ("EEEE d MMMM"); every other language takes the
# order, the punctuation and the words of the same fields from CLDR through Babel: Finnish
# "torstaina 29. helmikuuta" (the ordinal dot), Arabic "الخميس، 29 فبراير" (its own comma),
# Polish "czwartek, 29 lutego". English keeps the pattern as written (day before month, as
# in British English and in the rest of the bot's texts).
_WIDTHS = ("full", "long", "medium", "short")
_FIELD = re.compile(r"'[^']*'|([A-Za-z])\1*")
_AS_WRITTEN = frozenset({"en"})
# Canonical skeleton order, and which pattern letters stand for the same field.
_SKELETON_ORDER = "yMEd"
_SAME_FIELD = {"L": "M", "c": "E", "e": "E"}


def _fields(pattern: str) -> dict[str, int]:
    """Field letter → width in a Babel/CLDR pattern (quoted text skipped)."""
    out: dict[str, int] = {}
    for m in _FIELD.finditer(pattern):
        if m.group(1):
            letter = _SAME_FIELD.get(m.group(1), m.group(1))
            out[letter] = len(m.group(0))
    return out


@functools.cache
def localised_pattern(pattern: str, locale: str) -> str:
    """``pattern`` (written for Swedish) as ``locale`` writes the same fields: CLDR's pattern
    for the skeleton, with each field as wide as asked (a full weekday stays full, in its
    format form: Finnish "torstaina"). A pattern with fields CLDR has no skeleton for is
    kept as written."""
    if pattern in _WIDTHS or locale in _AS_WRITTEN:
        return pattern
    wanted = _fields(pattern)
    if not wanted or set(wanted) - set(_SKELETON_ORDER):
        return pattern
    skeleton = "".join(
        letter * (min(wanted[letter], 4) if letter == "M" else 1)
        for letter in _SKELETON_ORDER
        if letter in wanted
    )
    skeletons = Locale.parse(locale).datetime_skeletons
    match = match_skeleton(skeleton, skeletons.keys(), allow_different_fields=False)
    if match is None:
        return pattern
    found = str(skeletons[match].pattern)

    def widen(m: re.Match[str]) -> str:
        run = m.group(0)
        letter = m.group(1)
        if not letter:
            return run
        field = _SAME_FIELD.get(letter, letter)
        if field == "E":
            return "E" * wanted["E"]  # format form: "torstaina 29.", not "torstai 29."
        if field == "M" and len(run) >= 3 and wanted.get("M", 0) >= 3:
            return letter * wanted["M"]
        if field == "y":
            return "y" * wanted["y"]
        return run

    return _FIELD.sub(widen, found)


class Translator:
    """Everything needed to speak one locale: messages, plurals, dates and times.

    A resident language (fi, ar, fa, so, pl) translates what residents and seniors see;
    a message it lacks (a staff screen) is read from ``fallback``, the Swedish catalogue,
    never shown as the English message id.
    """

    def __init__(
        self,
        locale: str,
        translations: NullTranslations,
        fallback: NullTranslations | None = None,
        tz: dt.tzinfo = STOCKHOLM,
    ) -> None:
        self.locale = locale
        self._t = translations
        self._fallback = fallback
        self._babel_locale = Locale.parse(locale)
        self.rtl = is_rtl(locale)
        self.tz = tz

    def _lacks(self, key: object) -> bool:
        # GNUTranslations keeps its messages in ``_catalog`` (msgid, or (msgid, form) for
        # plurals); a message it lacks is a staff-only one, read from the fallback.
        return self._fallback is not None and key not in getattr(self._t, "_catalog", {})

    def local(self, value: dt.datetime) -> dt.datetime:
        """Times are stored in UTC; people read them in the bot's zone (Europe/Stockholm),
        whatever zone the value arrives in. A naive value is taken as already local."""
        return value.astimezone(self.tz) if value.tzinfo is not None else value

    def gettext(self, message: str) -> str:
        if self._fallback is not None and self._lacks(message):
            return self._fallback.gettext(message)
        text = self._t.gettext(message)
        return bidi(text) if self.rtl else text

    def ngettext(self, singular: str, plural: str, n: int) -> str:
        if self._fallback is not None and self._lacks((singular, 0)):
            return self._fallback.ngettext(singular, plural, n)
        text = self._t.ngettext(singular, plural, n)
        return bidi(text) if self.rtl else text

    def percent(self, share: float) -> str:
        """``31 %`` / ``31%``: a share (0–1) as a whole percentage, as the language writes it."""
        return format_percent(share, locale=self._babel_locale)

    def date(self, value: dt.date, fmt: str = "long") -> str:
        """``12 mars 2024`` / ``March 12, 2024``; ``fmt`` is a Babel width, or a pattern
        written for Swedish that each language writes its own way (``localised_pattern``)."""
        pattern = localised_pattern(fmt, self.locale)
        return format_date(value, format=pattern, locale=self._babel_locale)

    @property
    def comma(self) -> str:
        """The comma between items, with its space, from the catalogue (Arabic and Persian
        "، "); never given direction marks, it sits between two values."""
        # TRANSLATORS: the comma (and space) between two items in a list or a line, e.g.
        # "Tematräffar, Bro". Arabic and Persian use "، ".
        return self._t.gettext(", ")

    def join(self, items: Iterable[str]) -> str:
        """Items one after the other with this language's comma."""
        return self.comma.join(items)

    def weekday_date(self, value: dt.date) -> str:
        """``tisdag 12 mars 2024`` / ``Tuesday, March 12, 2024``."""
        return format_date(value, format="full", locale=self._babel_locale)

    def time(self, value: dt.time | dt.datetime) -> str:
        if isinstance(value, dt.datetime):
            value = self.local(value)
        return format_time(value, format="HH:mm", locale=self._babel_locale)

    def datetime(self, value: dt.datetime) -> str:
        """``tisdag 12 mars 2024 kl. 18:00`` / ``Tuesday, March 12, 2024 at 18:00``."""
        # TRANSLATORS: a date followed by a time, e.g. "tisdag 12 mars 2024 kl. 18:00".
        pattern = self.gettext("{date} at {time}")
        value = self.local(value)
        return pattern.format(date=self.weekday_date(value.date()), time=self.time(value))

    def short_datetime(self, value: dt.datetime) -> str:
        """``tis 12 mars 18:00`` — for lists on a phone screen."""
        value = self.local(value)
        pattern = localised_pattern("EEE d MMM", self.locale)
        day = format_datetime(value, format=pattern, locale=self._babel_locale)
        return f"{day} {self.time(value)}"


@functools.cache
def _load(locale: str, directory: str) -> NullTranslations:
    """The compiled ``.mo`` when it is at least as new as its ``.po``, else the ``.po`` itself.

    Reading the ``.po`` with Babel (about 15 ms, once per locale and process) means every
    install speaks Swedish — a wheel, ``pip install .``, an editable install or a checkout
    where nobody ran ``make`` — and a stale ``.mo`` can never hide a fresh translation."""
    folder = Path(directory) / locale / "LC_MESSAGES"
    po, mo = folder / f"{DOMAIN}.po", folder / f"{DOMAIN}.mo"
    if mo.is_file() and (not po.is_file() or mo.stat().st_mtime >= po.stat().st_mtime):
        return Translations.load(directory, [locale], DOMAIN)
    if not po.is_file():
        return NullTranslations()
    with po.open("rb") as handle:
        catalog = read_po(handle, locale=locale, domain=DOMAIN)
    buffer = io.BytesIO()
    write_mo(buffer, catalog, use_fuzzy=False)
    buffer.seek(0)
    return Translations(buffer, domain=DOMAIN)


def translator(locale: str, directory: Path | None = None, tz: dt.tzinfo = STOCKHOLM) -> Translator:
    if locale not in SUPPORTED_LOCALES:
        locale = DEFAULT_LOCALE
    path = directory if directory is not None else locales_dir()
    fallback = None if locale in STAFF_LOCALES else _load(DEFAULT_LOCALE, str(path))
    return Translator(locale, _load(locale, str(path)), fallback, tz)
