"""Language knowledge as data: the question matcher's phrases, read from
``locales/<lang>/questions.toml``.

Every language's file is read at once (residents mix languages and the matcher is bilingual);
adding a file adds a language, adding a line adds a phrase. See locales/sv/questions.toml for
how phrases are written.
"""

from __future__ import annotations

import tomllib
from dataclasses import dataclass, field
from functools import lru_cache
from pathlib import Path

from bot.language.textkit import LOCALES_DIR

__all__ = ["LOCALES_DIR", "Phrasebook", "load_phrasebook"]


# Greetings and thanks weigh less than anything specific.
SMALL_TALK = frozenset({"greeting", "thanks"})
SMALL_TALK_WEIGHT = 0.6


@dataclass(frozen=True)
class Phrasebook:
    # intent name → (phrase, weight) in file order, every language together
    intents: dict[str, list[tuple[str, float]]] = field(default_factory=dict)
    when: list[str] = field(default_factory=list)
    place: list[str] = field(default_factory=list)
    explain: list[str] = field(default_factory=list)
    secret: list[str] = field(default_factory=list)
    not_typos: frozenset[str] = frozenset()
    # language → words that hint a message is written in it
    hints: dict[str, frozenset[str]] = field(default_factory=dict)


def _strings(data: dict[str, object], key: str, path: Path) -> list[str]:
    value = data.get(key, [])
    if not isinstance(value, list) or not all(isinstance(v, str) for v in value):
        raise ValueError(f"{path}: '{key}' must be a list of strings")
    return [str(v) for v in value]


@lru_cache(maxsize=4)
def load_phrasebook(locales_dir: Path = LOCALES_DIR) -> Phrasebook:
    book = Phrasebook()
    not_typos: set[str] = set()
    for path in sorted(locales_dir.glob("*/questions.toml")):
        data = tomllib.loads(path.read_text(encoding="utf-8"))
        weights = data.get("weights", {})
        for intent in data.get("intents", {}):
            default = SMALL_TALK_WEIGHT if intent in SMALL_TALK else 1.0
            book.intents.setdefault(intent, []).extend(
                (p, float(weights.get(p, default))) for p in _strings(data["intents"], intent, path)
            )
        book.when.extend(_strings(data, "when", path))
        book.place.extend(_strings(data, "place", path))
        book.explain.extend(_strings(data, "explain", path))
        book.secret.extend(_strings(data, "secret", path))
        not_typos.update(_strings(data, "not_typos", path))
        book.hints[path.parent.name] = frozenset(_strings(data, "hints", path))
    return Phrasebook(
        book.intents,
        book.when,
        book.place,
        book.explain,
        book.secret,
        frozenset(not_typos),
        book.hints,
    )
