"""Which of the bot's languages a resident's text is written in.

A resident answers in the language she writes, not the one her phone is set to: a Persian text
from a phone set to Swedish gets its answer in Persian. The language of the text is read by
lingua (``lingua-language-detector``, whose models ship inside its wheel), restricted to the
seven languages the bot speaks, in its low-accuracy mode (trigram models only: about 30 MB for
the seven and 0.05 ms a text; the high-accuracy mode costs 220 MB and reads short texts no
better for what we need, because a short text decides nothing here).

"Clearly written in one of them" means: enough letters to tell (a greeting like "hej" or "ok"
says nothing: Polish and Swedish share it), lingua's confidence for the first language well
above the second, and words that residents write (at least a third of the words are in that
language's labelled examples: lingua is sure of something for any string of letters).
Otherwise the answer is None and the chat keeps its saved choice, then Telegram's language
(``bot.i18n.pick_locale``).
"""

from __future__ import annotations

from functools import cache
from typing import TYPE_CHECKING

from bot.language.examples import language_words
from bot.language.scripts import script_language
from bot.language.textkit import BoundedMemo, tokens

if TYPE_CHECKING:
    from lingua import LanguageDetector

__all__ = ["reading_languages", "text_language"]

# The bot's languages by lingua's names.
_CODES = {
    "SWEDISH": "sv",
    "ENGLISH": "en",
    "FINNISH": "fi",
    "ARABIC": "ar",
    "PERSIAN": "fa",
    "SOMALI": "so",
    "POLISH": "pl",
}

# Fewer letters than this in Latin script decide nothing ("hej", "ok", "help me").
_MIN_LATIN_LETTERS = 12
# In Arabic script the choice is between two languages only, and few letters tell them apart.
_MIN_ARABIC_LETTERS = 4
# The first language's confidence, and its lead over the second.
_MIN_CONFIDENCE = 0.7
_MIN_LEAD = 0.4
# At least one word in this many must be a word of the language's labelled examples.
_MIN_KNOWN = 3


@cache
def _detector() -> LanguageDetector:
    from lingua import Language, LanguageDetectorBuilder

    languages = [getattr(Language, name) for name in _CODES]
    return LanguageDetectorBuilder.from_languages(*languages).with_low_accuracy_mode().build()


def warm() -> None:
    """Build the detector now (at start) rather than for the first resident."""
    _detector().compute_language_confidence_values("hej")


_SEEN: BoundedMemo[str, str | None] = BoundedMemo(4096)
_LONGEST = 1000


def text_language(text: str) -> str | None:
    """The bot language ``text`` is clearly written in, or None. Never raises."""
    if not isinstance(text, str):
        return None
    text = text[:_LONGEST]
    if text in _SEEN:
        return _SEEN[text]
    return _SEEN.keep(text, _read(text))


# Swedish and English are read in every text: residents mix them into any language.
_ALWAYS = frozenset({"sv", "en"})


def reading_languages(text: str) -> frozenset[str] | None:
    """Whose phrase tables to read ``text`` with (danger words, scam signs): its language with
    Swedish and English, or every language (None) when the language is not clear. Reading
    seven languages' tables costs about three times as much as reading three."""
    written = text_language(text)
    if written is not None:
        return _ALWAYS | {written}
    if script_language(text) in ("ar", "fa"):
        return _ALWAYS | {"ar", "fa"}
    return None


def _read(text: str) -> str | None:
    letters = sum(map(str.isalpha, text))
    script = script_language(text)
    if script == "other":
        return None
    if script in ("ar", "fa"):
        if letters < _MIN_ARABIC_LETTERS:
            return script
        # Persian-only letters decide for Persian (an Arabic text never has them); without
        # them, lingua tells Arabic from Persian by the words.
        if script == "fa":
            return "fa"
        return _pick(text, among=("ar", "fa")) or "ar"
    if letters < _MIN_LATIN_LETTERS:
        return None  # too short to tell
    first = _pick(text, among=("sv", "en", "fi", "so", "pl"))
    if first is None:
        return None
    # lingua is sure of something for any string of letters ("qwerty asdf" is "Finnish"):
    # the text must also be made of words residents write in that language.
    words = tokens(text)
    known = language_words().get(first, frozenset())
    if _MIN_KNOWN * sum(w in known for w in words) < len(words):
        return None
    return first


# lingua reads this much of a text: the language shows in the first sentences.
_READ = 300


def _pick(text: str, among: tuple[str, ...]) -> str | None:
    values = _detector().compute_language_confidence_values(text[:_READ])
    ranked = [(code, v.value) for v in values if (code := _CODES[v.language.name]) in among]
    if not ranked:
        return None
    total = sum(value for _code, value in ranked) or 1.0
    first, value = ranked[0]
    second = ranked[1][1] if len(ranked) > 1 else 0.0
    share, lead = value / total, (value - second) / total
    if share >= _MIN_CONFIDENCE and lead >= _MIN_LEAD:
        return first
    return None
