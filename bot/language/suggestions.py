"""Residents' suggestions, read from their own words: a theme for a theme meeting, a wish or
idea, or a place that feels unsafe (where, when, why).

The words are data, one file per language (``locales/<lang>/suggestions.toml``, in the phrase
syntax of ``bot.language.phrases``): ``[kinds]`` (words of a wish, of a meeting, of feeling
unsafe), ``[themes]`` (one family per theme id, the same ids in every language, so an Arabic
and a Swedish suggestion about mopeds land in one group), ``[when]`` and ``[why]``, and
``[names]``, each theme's name in the file's language. Places are the promise file's areas
(``[[areas]]``). Every language's tables are read together: a text may mix languages.

Danger is never read here: ``refine`` leaves an emergency, a pasted scam, a past crime or a
stop alone, so 112 always comes first.
"""

from __future__ import annotations

import math
import re
from dataclasses import dataclass, replace
from functools import lru_cache
from pathlib import Path

from bot.domain.promise import Promise, per_promise
from bot.domain.records import SuggestionKind
from bot.domain.voice import Reading, TimeOfDay, Why
from bot.language.emergency import Danger
from bot.language.phrases import CompiledPhrase, compile_family, compile_phrase, load_phrase_file
from bot.language.questions import Intent, Match
from bot.language.textkit import LOCALES_DIR, tokens

__all__ = [
    "area_at",
    "for_poster",
    "load_tables",
    "read_suggestion",
    "refine",
    "theme_ids",
    "theme_name",
]

_TABLES = ("kinds", "themes", "when", "why")
_KINDS = ("wish", "meeting", "unsafe", "fear", "place")
# Longer texts are pasted messages, not suggestions.
MAX_SUGGESTION = 600
# Intents a suggestion never replaces: danger first, always; a scam, a stop, a tip to the
# police, a poisoning question keep their own answers (a theme for a theme meeting about
# fraud or drugs is still a theme: see ``_THEME_OVER``).
_KEEP = frozenset(
    {
        Intent.EMERGENCY,
        Intent.SCAM_CHECK,
        Intent.STOP_TIPS,
        Intent.POISON_QUESTION,
        Intent.TIP_OFF,
        Intent.FRAUD_HELP,
        Intent.SUBSCRIBE_TIPS,
    }
)


_THEME_OVER = frozenset({Intent.FRAUD_HELP, Intent.TIP_OFF})


@dataclass(frozen=True)
class _Tables:
    kinds: dict[str, re.Pattern[str]]
    themes: tuple[tuple[str, re.Pattern[str]], ...]  # in the Swedish file's order
    when: tuple[tuple[TimeOfDay, re.Pattern[str]], ...]
    why: tuple[tuple[Why, re.Pattern[str]], ...]
    names: dict[str, dict[str, str]]  # language → theme → name


def _one(phrases: list[CompiledPhrase]) -> re.Pattern[str] | None:
    found = compile_family(p.source for p in phrases)
    return found[0] if found else None


@lru_cache(maxsize=4)
def load_tables(locales_dir: Path = LOCALES_DIR) -> _Tables:
    merged: dict[str, dict[str, list[CompiledPhrase]]] = {t: {} for t in _TABLES}
    order: list[str] = []
    names: dict[str, dict[str, str]] = {}
    paths = sorted(locales_dir.glob("*/suggestions.toml"), key=lambda p: p.parent.name != "sv")
    for path in paths:
        loaded = load_phrase_file(path, _TABLES)
        for table in _TABLES:
            for family in loaded.tables[table]:
                merged[table].setdefault(family, []).extend(loaded.families[family])
                if table == "themes" and family not in order:
                    order.append(family)
        for family in loaded.tables["kinds"]:
            if family not in _KINDS:
                raise ValueError(f"{path}: [kinds] {family} is not one of {_KINDS}")
        for family in loaded.tables["when"]:
            TimeOfDay(family)
        for family in loaded.tables["why"]:
            Why(family)
        raw = loaded.data.get("names", {})
        if not isinstance(raw, dict):
            raise ValueError(f"{path}: [names] must be a table")
        names[loaded.language] = {str(k): str(v) for k, v in raw.items()}
    kinds = {k: p for k in _KINDS if (p := _one(merged["kinds"].get(k, []))) is not None}
    themes = tuple((t, p) for t in order if (p := _one(merged["themes"][t])) is not None)
    when = tuple(
        (TimeOfDay(w), p) for w, ps in merged["when"].items() if (p := _one(ps)) is not None
    )
    why = tuple((Why(w), p) for w, ps in merged["why"].items() if (p := _one(ps)) is not None)
    return _Tables(kinds, themes, when, why, names)


def theme_ids() -> tuple[str, ...]:
    return tuple(t for t, _p in load_tables().themes)


def theme_name(theme: str, locale: str) -> str:
    """A theme's name in ``locale`` (else Swedish, else its id)."""
    names = load_tables().names
    return names.get(locale, {}).get(theme) or names.get("sv", {}).get(theme) or theme


@dataclass(frozen=True)
class _Places:
    """Every area's places in one pattern (a text is searched once): group ``p<i>`` is
    ``places[i]`` (area id, place as written), longest first ("bro station" before "bro")."""

    pattern: re.Pattern[str] | None
    places: tuple[tuple[str, str], ...]

    def find(self, words: str) -> tuple[str, str] | None:
        found = self.pattern.search(words) if self.pattern is not None else None
        if found is None or found.lastgroup is None:
            return None
        return self.places[int(found.lastgroup[1:])]


def _places(promise: Promise) -> _Places:
    written = sorted(
        ((area.id, place) for area in promise.areas for place in area.places),
        key=lambda item: -len(item[1]),
    )
    sources = [f"(?P<p{i}>{compile_phrase(p).source})" for i, (_a, p) in enumerate(written)]
    pattern = compile_family(sources)
    return _Places(pattern[0] if pattern else None, tuple((a, p.rstrip("*")) for a, p in written))


_places_of = per_promise(_places)


def place_named(text: str, promise: Promise) -> tuple[str, str] | None:
    """(area id, place) of a place of ``promise``'s areas that ``text`` names, or None."""
    return _places_of(promise).find(" ".join(tokens(text[:MAX_SUGGESTION])))


def read_suggestion(text: str, promise: Promise) -> Reading | None:
    """What ``text`` suggests, or None when it suggests nothing."""
    return _read(text, promise)[0]


def _read(text: str, promise: Promise) -> tuple[Reading | None, Reading]:
    """What ``text`` suggests (or None), and what it would be as a wish if its writer chose to
    send it (a worry's "Do you want us to include this?", a poster's text)."""
    tables = load_tables()
    words = " ".join(tokens(text[:MAX_SUGGESTION]))
    if not words or len(text) > MAX_SUGGESTION:
        return None, Reading(SuggestionKind.WISH)
    kinds = {k for k, p in tables.kinds.items() if p.search(words)}
    area, place = _places_of(promise).find(words) or (None, None)
    theme = next((t for t, p in tables.themes if p.search(words)), None)
    wish = Reading(SuggestionKind.WISH, theme, area, place)
    # Fear alone is a worry ("I'm afraid my son …"); fear of a place is an unsafe place.
    if "unsafe" in kinds or ("fear" in kinds and (area is not None or "place" in kinds)):
        when = next((w for w, p in tables.when if p.search(words)), None)
        why = tuple(w for w, p in tables.why if p.search(words))
        return Reading(SuggestionKind.UNSAFE_PLACE, theme, area, place, when, why), wish
    if "wish" in kinds and "meeting" in kinds:
        return Reading(SuggestionKind.THEME, theme, area, place), wish
    if "wish" in kinds:
        return wish, wish
    return None, wish


def refine(match: Match, text: str, promise: Promise) -> Match:
    """The question matcher's ``match``, or a suggestion when the text makes one. Danger, a
    scam, a past crime, a stop and a tip to the police keep their own answers."""
    if match.intent is Intent.EMERGENCY or match.danger == Danger.PAST_CRIME.value:
        return match
    reading, offered = _read(text, promise)
    if reading is None or (
        match.intent in _KEEP
        and not (match.intent in _THEME_OVER and reading.kind is SuggestionKind.THEME)
    ):
        # Not a suggestion; ``suggestion`` is what it would be if she chose to send it.
        return replace(match, suggestion=offered)
    intent = (
        Intent.UNSAFE_PLACE if reading.kind is SuggestionKind.UNSAFE_PLACE else Intent.SUGGESTION
    )
    return replace(match, intent=intent, kind=None, alternatives=(), suggestion=reading)


# What a text after a poster's link never becomes: danger and the like keep their answers.
_NOT_FOR_POSTER = frozenset(
    {Intent.EMERGENCY, Intent.SCAM_CHECK, Intent.STOP_TIPS, Intent.POISON_QUESTION}
)


def for_poster(match: Match) -> Match:
    """A text written after a poster's link is what its writer wants brought up: a theme
    (with the theme and place it names), unless it is about danger, a scam, a stop or a
    poisoning, or already a suggestion."""
    if (
        match.intent in _NOT_FOR_POSTER
        or match.danger == Danger.PAST_CRIME.value
        or match.intent in (Intent.SUGGESTION, Intent.UNSAFE_PLACE)
    ):
        return match
    offered = match.suggestion or Reading(SuggestionKind.THEME)
    theme = Reading(SuggestionKind.THEME, offered.theme, offered.area, offered.place)
    return replace(match, intent=Intent.SUGGESTION, kind=None, alternatives=(), suggestion=theme)


def area_at(promise: Promise, latitude: float, longitude: float) -> str | None:
    """The area whose centre is nearest a shared location (within 15 km), if any."""
    best: tuple[float, str] | None = None
    for area in promise.areas:
        if area.center is None:
            continue
        lat, lon = area.center
        dx = (lon - longitude) * 111.32 * math.cos(math.radians(lat))
        dy = (lat - latitude) * 110.57
        km = math.hypot(dx, dy)
        if km <= 15 and (best is None or km < best[0]):
            best = (km, area.id)
    return None if best is None else best[1]
