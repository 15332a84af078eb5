"""Labelled residents' messages: loading and checking them (docs/labelled-examples.md).

The development part, ``locales/<lang>/examples/<batch>.toml``, ships in the wheel: the learned
classifier (``bot.language.classifier``) trains on it. The held-out part,
``tests/data/heldout/<lang>-<batch>.toml``, never ships; only ``tests/scores.py`` reads it,
through ``load_heldout``. Both are the same format, and a row that breaks it stops the load with
an error that names the file and the row, so a translator sees at once which example to fix.
"""

from __future__ import annotations

import tomllib
from collections.abc import Iterable
from dataclasses import dataclass
from functools import cache
from pathlib import Path

from bot.domain.promise import WorryTopic
from bot.language.textkit import LOCALES_DIR, tokens

__all__ = [
    "DANGER",
    "LABELS",
    "LOCALES_DIR",
    "QUESTIONS",
    "SCAM_KINDS",
    "WORRY_TOPICS",
    "Example",
    "ExampleError",
    "example_files",
    "heldout_files",
    "load_examples",
    "load_file",
    "load_heldout",
]


# Danger now: the reply starts with 112.
DANGER = frozenset({"emergency", "suicide", "close_violence", "overdose"})
# The questions a resident asks (each is an answer intent of bot.language.questions).
QUESTIONS = frozenset(
    {
        "next_event",
        "events_list",
        "about_promise",
        "progress",
        "contact_police",
        "fraud_help",
        "subscribe_tips",
        "trygghetscenter",
        "tip_off",
        "explain",
        "greeting",
        "thanks",
    }
)
LABELS = (
    DANGER
    | QUESTIONS
    | frozenset(
        {"poison_question", "past_crime", "worry", "harmless", "scam", "stop_tips", "other"}
    )
)
WORRY_TOPICS = frozenset(topic.value for topic in WorryTopic)
SCAM_KINDS = frozenset(
    {
        "hi_mum",
        "fake_bank",
        "safe_account",
        "fake_police",
        "tech_support",
        "romance",
        "job_mule",
        "investment",
        "delivery",
        "authority",
        "prize",
        "other",
    }
)
ORIGINS = frozenset({"questions", "safety"})
_FIELDS = frozenset({"text", "label", "topic", "kind", "event", "origin"})


class ExampleError(ValueError):
    """A labelled-example file that breaks the format; the message names the file and row."""


@dataclass(frozen=True, slots=True)
class Example:
    """One labelled message. ``batch`` is the file's batch name (``legacy``, ``2026-12``)."""

    text: str
    label: str
    lang: str
    batch: str
    topic: str | None = None
    kind: str | None = None
    event: str | None = None
    origin: str | None = None


def example_files(locales_dir: Path = LOCALES_DIR) -> list[Path]:
    """Every development file, in a fixed order (language, then batch)."""
    return sorted(locales_dir.glob("*/examples/*.toml"))


def heldout_files(heldout_dir: Path) -> list[Path]:
    return sorted(heldout_dir.glob("*-*.toml"))


def load_examples(locales_dir: Path = LOCALES_DIR) -> list[Example]:
    """The development part: ``<locales_dir>/<lang>/examples/<batch>.toml``."""
    return _load_all(
        (path, path.parent.parent.name, path.stem) for path in example_files(locales_dir)
    )


@cache
def language_words(locales_dir: Path = LOCALES_DIR) -> dict[str, frozenset[str]]:
    """Per language, every folded word its labelled examples hold: what residents write in it
    (``bot.language.language_id`` asks whether a text is made of such words)."""
    words: dict[str, set[str]] = {}
    for example in load_examples(locales_dir):
        words.setdefault(example.lang, set()).update(tokens(example.text))
    return {lang: frozenset(found) for lang, found in words.items()}


def load_heldout(heldout_dir: Path) -> list[Example]:
    """The held-out part: ``<heldout_dir>/<lang>-<batch>.toml`` (for tests/scores.py only)."""
    named = []
    for path in heldout_files(heldout_dir):
        lang, _, batch = path.stem.partition("-")
        named.append((path, lang, batch))
    return _load_all(named)


def _load_all(files: Iterable[tuple[Path, str, str]]) -> list[Example]:
    out: list[Example] = []
    for path, lang, batch in files:
        out.extend(load_file(path, lang, batch))
    return out


def load_file(path: Path, lang: str, batch: str) -> list[Example]:
    """One file's rows, checked; raises ``ExampleError`` naming the file and the row."""
    try:
        data = tomllib.loads(path.read_text(encoding="utf-8"))
    except (OSError, UnicodeDecodeError, tomllib.TOMLDecodeError) as exc:
        raise ExampleError(f"{path}: cannot read: {exc}") from exc
    extra = set(data) - {"m"}
    if extra:
        raise ExampleError(f"{path}: unknown table(s) {sorted(extra)}; rows are [[m]]")
    rows = data.get("m", [])
    if not isinstance(rows, list):
        raise ExampleError(f"{path}: m must be an array of tables, [[m]]")
    return [_row(path, n, row, lang, batch) for n, row in enumerate(rows, 1)]


def _row(path: Path, n: int, row: object, lang: str, batch: str) -> Example:
    def fail(why: str) -> ExampleError:
        text = row.get("text") if isinstance(row, dict) else None
        shown = f" ({text[:40]!r})" if isinstance(text, str) else ""
        return ExampleError(f"{path}: row {n}{shown}: {why}")

    if not isinstance(row, dict):
        raise fail("not a table")
    unknown = set(row) - _FIELDS
    if unknown:
        raise fail(f"unknown field(s) {sorted(unknown)}")
    for key, value in row.items():
        if not isinstance(value, str):
            raise fail(f"{key} must be a string")
    if "text" not in row:
        raise fail("no text")
    label = row.get("label")
    if label not in LABELS:
        raise fail(f"unknown label {label!r}" if label else "no label")
    topic, kind = row.get("topic"), row.get("kind")
    if label == "worry":
        if topic not in WORRY_TOPICS:
            raise fail(f"worry needs a topic from {sorted(WORRY_TOPICS)}, not {topic!r}")
    elif topic is not None:
        raise fail("only worry has a topic")
    if label == "scam":
        if kind not in SCAM_KINDS:
            raise fail(f"scam needs a kind from {sorted(SCAM_KINDS)}, not {kind!r}")
    elif kind is not None:
        raise fail("only scam has a kind")
    if "event" in row and label != "next_event":
        raise fail("only next_event has an event")
    if "origin" in row and row["origin"] not in ORIGINS:
        raise fail(f"origin is one of {sorted(ORIGINS)}")
    return Example(
        text=row["text"],
        label=label,
        lang=lang,
        batch=batch,
        topic=topic,
        kind=kind,
        event=row.get("event"),
        origin=row.get("origin"),
    )
