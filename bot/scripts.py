"""Which writing system a text is in, to tell text the question matcher cannot read.

The matcher reads Latin letters (Swedish, English). A question in Arabic or Persian script,
Cyrillic, Ethiopic and so on can never match it, whatever the chat's language, so the answer
must not be a Swedish menu: it starts with 112 (``bot.services.answers``).
"""

from __future__ import annotations

import unicodedata

# Letters that only Persian (not Arabic) uses: پ چ ژ گ and the Persian kāf and yeh.
_PERSIAN_ONLY = frozenset("پچژگکی")


def script_language(text: str) -> str | None:
    """A language code for the script most letters of ``text`` are written in: "ar" or
    "fa" for Arabic script, "other" for another non-Latin script, None for Latin or no
    letters at all."""
    latin = arabic = other = 0
    persian = False
    for char in text:
        if not char.isalpha():
            continue
        name = unicodedata.name(char, "")
        if name.startswith("LATIN"):
            latin += 1
        elif name.startswith("ARABIC"):
            arabic += 1
            persian = persian or char in _PERSIAN_ONLY
        else:
            other += 1
    if latin >= arabic + other:
        return None
    if arabic >= other:
        return "fa" if persian else "ar"
    return "other"
