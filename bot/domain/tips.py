"""Fraud-prevention tips for seniors: the tip books, their rotation and the send schedule.

Pure domain code: no Telegram, no SQL. The texts live in ``locales/<lang>/tips.toml`` so
that translators and reviewers can work on them without touching Python. The sign-off is
stored once per language and appended when a tip is rendered, so every message ends with
the same recognisable promise ("we never ask you for codes or BankID").
"""

from __future__ import annotations

import re
import tomllib
from dataclasses import dataclass
from datetime import datetime, time, timedelta
from functools import cache
from importlib.resources import files
from types import MappingProxyType
from typing import Any, Final

from bot.clock import STOCKHOLM
from bot.i18n import bidi, is_rtl

TOPICS: Final[tuple[str, ...]] = (
    "bank_police_caller",
    "bankid_codes",
    "grandchild",
    "sms_delivery_parking_tax",
    "swish_card",
    "door_to_door",
    "romance",
    "investment",
    "fake_invoice",
    "tech_support",
    "already_happened",
    "general",
)

# Minimum number of local calendar days between two tips. Calendar days rather than
# elapsed hours: across a DST change a week is 167 or 169 hours, and a strict 168-hour
# gap would silently skip a whole week every spring.
CADENCES: Final[MappingProxyType[str, int]] = MappingProxyType(
    {"weekly": 7, "biweekly": 14, "monthly": 28}
)

# Daytime only: a message in the evening or at night worries people and is easy to
# mistake for the urgent calls that the tips warn about.
SLOTS: Final[MappingProxyType[str, time]] = MappingProxyType(
    {"morning": time(9, 0), "midday": time(12, 0), "afternoon": time(15, 0)}
)

_LOCALE_RE = re.compile(r"^[a-z]{2}(?:_[A-Z]{2})?$")


@dataclass(frozen=True, slots=True)
class Tip:
    id: str
    topic: str
    text: str


@dataclass(frozen=True, slots=True)
class TipBook:
    locale: str
    signoff: str
    tips: tuple[Tip, ...]

    def render(self, tip: Tip) -> str:
        text = f"{tip.text}\n\n{self.signoff}"
        # Arabic and Persian lines start with a right-to-left mark, like their messages.
        return bidi(text) if is_rtl(self.locale) else text

    def by_id(self, tip_id: str) -> Tip:
        for tip in self.tips:
            if tip.id == tip_id:
                return tip
        raise KeyError(tip_id)

    def __len__(self) -> int:
        return len(self.tips)


def _require_str(entry: dict[str, Any], key: str, where: str) -> str:
    value = entry.get(key)
    if not isinstance(value, str) or not value.strip():
        raise ValueError(f"{where}: '{key}' must be a non-empty string")
    return value.strip()


@cache  # the lru_cache without a bound: two small files, read once
def load_tips(locale: str) -> TipBook:
    """Read and validate ``locales/<locale>/tips.toml``; cached, the files never change."""
    if not _LOCALE_RE.match(locale):
        raise ValueError(f"invalid locale {locale!r}")
    resource = files("locales") / locale / "tips.toml"
    where = f"locales/{locale}/tips.toml"
    try:
        data = tomllib.loads(resource.read_text(encoding="utf-8"))
    except FileNotFoundError as exc:
        raise ValueError(f"{where}: file not found") from exc
    except tomllib.TOMLDecodeError as exc:
        raise ValueError(f"{where}: {exc}") from exc

    signoff = _require_str(data, "signoff", where)
    entries = data.get("tip")
    if not isinstance(entries, list) or not entries:
        raise ValueError(f"{where}: no [[tip]] entries")

    tips: list[Tip] = []
    seen: set[str] = set()
    for position, entry in enumerate(entries, start=1):
        if not isinstance(entry, dict):
            raise ValueError(f"{where}: tip #{position} is not a table")
        tip_id = _require_str(entry, "id", f"{where}: tip #{position}")
        here = f"{where}: tip {tip_id!r}"
        if tip_id in seen:
            raise ValueError(f"{here}: duplicate id")
        seen.add(tip_id)
        topic = _require_str(entry, "topic", here)
        if topic not in TOPICS:
            raise ValueError(f"{here}: unknown topic {topic!r}")
        text = _require_str(entry, "text", here)
        tips.append(Tip(id=tip_id, topic=topic, text=text))
    return TipBook(locale=locale, signoff=signoff, tips=tuple(tips))


def next_tip(book: TipBook, sent_count: int) -> Tip:
    """The tip for a subscriber who has already received ``sent_count`` tips.

    Walking the book in order means nobody sees a repeat before they have seen them all;
    after that the rotation simply starts over.
    """
    if not book.tips:
        raise ValueError(f"tip book {book.locale!r} is empty")
    if sent_count < 0:
        raise ValueError("sent_count must not be negative")
    return book.tips[sent_count % len(book.tips)]


# --- content checks ---------------------------------------------------------------------
# A tip that contains a link or asks for something looks exactly like the scams it warns
# about, so the same check guards the tip files (in tests) and composed alerts.

_TLDS = "se|nu|com|org|net|info|eu|io|app|link|me|biz|xyz|online|site|shop|top|co|uk"
_LINK_RES: Final[tuple[re.Pattern[str], ...]] = (
    re.compile(r"\bhttps?\b", re.IGNORECASE),
    re.compile(r"\bwww\.", re.IGNORECASE),
    re.compile(rf"\b[\w-]+(?:\.[\w-]+)*\.(?:{_TLDS})\b(?:/\S*)?", re.IGNORECASE),
)
_EMAIL_RE: Final = re.compile(r"[\w.+-]+@[\w-]+(?:\.[\w-]+)+")

# Phrases that are a request whatever follows them.
_REQUEST_PHRASES: Final = re.compile(
    r"\b(?:svara\s+med|svara\s+på\s+(?:detta|det\s+här)\s+sms|skicka\s+(?:till\s+)?oss"
    r"|skicka\s+mig|reply\s+with|send\s+(?:it\s+)?(?:to\s+)?(?:us|me)"
    r"|text\s+(?:us|me)|ange\s+din\s+kod|enter\s+your\s+code)\b",
    re.IGNORECASE,
)
# Imperative verbs that become a request when a sensitive thing follows in the same
# sentence, e.g. "Ange ditt personnummer", "Confirm your card details".
_REQUEST_VERBS: Final = re.compile(
    r"\b(?:skicka|ange|uppge|lämna|ge|berätta|säg|skriv|fyll\s+i|bekräfta|verifiera"
    r"|logga\s+in|identifiera|legitimera|signera|swisha|sätt\s+in|för\s+över"
    r"|send|enter|give|provide|share|tell|type|fill\s+in|confirm|verify|log\s+in"
    r"|sign\s+in|identify|transfer|pay|wire)\b",
    re.IGNORECASE,
)
_SENSITIVE: Final = re.compile(
    r"\b(?:kod\w*|pin(?:kod\w*)?|bank\s*-?id|personnummer\w*|kortnummer\w*|kortuppgift\w*"
    r"|kort(?:et)?|lösenord\w*|cvc|cvv|kontonummer\w*|kontouppgift\w*|inloggning\w*"
    r"|pengar(?:na)?|code\w*|passwords?|card(?:\s+(?:number|details))?s?"
    r"|personal\s+(?:identity\s+)?number|account(?:\s+(?:number|details))?s?"
    r"|login|money|security\s+number)\b",
    re.IGNORECASE,
)
_NEGATION: Final = re.compile(
    r"\b(?:aldrig|inte|inga|ingen|inget|never|not|no|don't|do\s+not|don’t)\b",
    re.IGNORECASE,
)
_SENTENCE_SPLIT: Final = re.compile(r"(?<=[.!?])\s+")
_WORDS_BEFORE_VERB = 3
_WORDS_AFTER_VERB = 6


def _asks_for_something(sentence: str) -> str | None:
    for verb in _REQUEST_VERBS.finditer(sentence):
        before = " ".join(sentence[: verb.start()].split()[-_WORDS_BEFORE_VERB:])
        after_words = sentence[verb.end() :].split()[:_WORDS_AFTER_VERB]
        after = " ".join(after_words)
        sensitive = _SENSITIVE.search(after)
        if sensitive is None:
            continue
        # "Ge aldrig din kod", "Never enter your code": advice, not a request.
        if _NEGATION.search(before) or _NEGATION.search(after[: sensitive.start()]):
            continue
        return f"{verb.group(0)} {after[: sensitive.end()]}"
    return None


def find_violations(text: str) -> list[str]:
    """Reasons why ``text`` must not be sent to residents; empty when it is fine."""
    problems: list[str] = []
    for pattern in _LINK_RES:
        problems.extend(f"link: {m.group(0)!r}" for m in pattern.finditer(text))
    problems.extend(f"e-mail address: {m.group(0)!r}" for m in _EMAIL_RE.finditer(text))
    problems.extend(f"request: {m.group(0)!r}" for m in _REQUEST_PHRASES.finditer(text))
    for sentence in _SENTENCE_SPLIT.split(text):
        asked = _asks_for_something(sentence)
        if asked is not None:
            problems.append(f"request: {asked!r}")
    return problems


# --- schedule ---------------------------------------------------------------------------


def next_send_time(
    now: datetime, cadence: str, weekday: int, slot: str, last_sent: datetime | None
) -> datetime:
    """When the next tip goes out, as an aware Europe/Stockholm datetime.

    The first ``weekday`` (0 = Monday) at the ``slot`` time that is strictly after ``now``
    and at least the cadence's number of calendar days after ``last_sent``.
    """
    if now.tzinfo is None or (last_sent is not None and last_sent.tzinfo is None):
        raise ValueError("next_send_time needs timezone-aware datetimes")
    if cadence not in CADENCES:
        raise ValueError(f"unknown cadence {cadence!r}")
    if slot not in SLOTS:
        raise ValueError(f"unknown slot {slot!r}")
    if not 0 <= weekday <= 6:
        raise ValueError(f"weekday must be 0..6, got {weekday}")

    tz = STOCKHOLM
    earliest = now.astimezone(tz).date()
    if last_sent is not None:
        earliest = max(earliest, last_sent.astimezone(tz).date() + timedelta(CADENCES[cadence]))
    day = earliest + timedelta(days=(weekday - earliest.weekday()) % 7)
    # combine() with tzinfo gives the local wall-clock time; zoneinfo picks the right
    # UTC offset for that date, so 09:00 stays 09:00 on both sides of a DST change.
    candidate = datetime.combine(day, SLOTS[slot], tzinfo=tz)
    if candidate <= now:
        candidate = datetime.combine(day + timedelta(days=7), SLOTS[slot], tzinfo=tz)
    return candidate
