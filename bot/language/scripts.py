"""Which writing system a text is in, to tell text the question matcher cannot read.

The matcher reads Latin letters (Swedish, English). A question in Arabic or Persian script,
Cyrillic, Ethiopic and so on can never match it, whatever the chat's language, so the answer
must not be a Swedish menu: it starts with 112 (``bot.services.answers``).
"""

from __future__ import annotations

import re

# Letters that only Persian (not Arabic) uses: پ چ ژ گ and the Persian kāf and yeh.
_PERSIAN_ONLY = frozenset("پچژگکی")


# Letters by script, counted by the regular-expression engine (a text is read this way for
# every message). Latin: Basic Latin to Latin Extended-B (Swedish, Finnish, Polish, Somali)
# and the Latin Extended Additional block; Arabic: its main, supplement, extended and
# presentation blocks.
_LETTER = re.compile(r"[^\W\d_]")
_LATIN = re.compile(r"(?=[^\W\d_])[A-Za-z\u00C0-\u024F\u1E00-\u1EFF]")
_ARABIC = re.compile(
    r"(?=[^\W\d_])[\u0600-\u06FF\u0750-\u077F\u08A0-\u08FF\uFB50-\uFDFF\uFE70-\uFEFF]"
)
_NOT_LATIN = re.compile(r"(?![A-Za-z\u00C0-\u024F\u1E00-\u1EFF])[^\W\d_]")
_NOT_ARABIC = re.compile(
    r"(?![\u0600-\u06FF\u0750-\u077F\u08A0-\u08FF\uFB50-\uFDFF\uFE70-\uFEFF])[^\W\d_]"
)
_PERSIAN = re.compile("[" + "".join(sorted(_PERSIAN_ONLY)) + "]")


def script_language(text: str) -> str | None:
    """A language code for the script most letters of ``text`` are written in: "ar" or
    "fa" for Arabic script, "other" for another non-Latin script, None for Latin or no
    letters at all."""
    # Most texts are in one script: one search tells it, without counting letters.
    if text.isascii() or _NOT_LATIN.search(text) is None:
        return None  # every letter is Latin (or there is none)
    if _NOT_ARABIC.search(text) is None:  # every letter is Arabic, and there is one
        return "fa" if _PERSIAN.search(text) is not None else "ar"
    letters = len(_LETTER.findall(text))
    latin = len(_LATIN.findall(text))
    arabic = len(_ARABIC.findall(text))
    other = letters - latin - arabic
    persian = arabic > 0 and _PERSIAN.search(text) is not None
    if latin >= arabic + other:
        return None
    if arabic >= other:
        return "fa" if persian else "ar"
    return "other"
