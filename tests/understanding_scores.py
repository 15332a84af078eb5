"""The whole understanding, measured as a resident meets it: each labelled example is answered
by the same service the chat and the ``answer`` command use, and the reply is judged.

Per language and per part (development, held-out). What counts as right, per label:

- danger (emergency, suicide, close_violence, overdose): ``112 first`` — the reply's first line
  carries 112; ``recognised`` — answered as danger (the crisis reply, not the unsure line);
  ``lines`` — Självmordslinjen exactly when the text is about suicide, Kvinnofridslinjen exactly
  when it is about violence in a close relationship;
- harmless and worry: no crisis reply (neither the emergency answer nor the suicide or violence
  lines); a worry is also answered as a worry;
- scam: answered as a scam check; stop_tips (said by a subscriber): the tips stop, or the
  first button stops them; a question: its intent;
- past_crime: 114 14, not the crisis reply; poison_question: Giftinformationscentralen.

``python -m tests.understanding_scores [FILES…]`` prints the table (every example file when
none is given); ``tests.scores`` prints it too.
"""

from __future__ import annotations

import asyncio
import sys
import tempfile
from collections import defaultdict
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import date
from pathlib import Path
from typing import Any

from bot.language.examples import DANGER, Example, load_examples, load_file, load_heldout

ROOT = Path(__file__).resolve().parent.parent
HELDOUT = ROOT / "tests" / "data" / "heldout"
TODAY = date(2024, 3, 12)


@dataclass(frozen=True)
class Case:
    """A labelled example and the part it belongs to ("dev", "heldout", or "blind" for a new
    batch not yet in either)."""

    example: Example
    part: str

    @property
    def text(self) -> str:
        return self.example.text

    @property
    def label(self) -> str:
        return self.example.label

    @property
    def lang(self) -> str:
        return self.example.lang


def cases(part: str | None = None) -> list[Case]:
    """The development part, the held-out part, or both."""
    out: list[Case] = []
    if part in (None, "dev"):
        out += [Case(e, "dev") for e in load_examples()]
    if part in (None, "heldout"):
        out += [Case(e, "heldout") for e in load_heldout(HELDOUT)]
    return out


def batch(paths: Iterable[Path]) -> list[Case]:
    """New batch files (``<lang>.toml`` or ``<lang>-<batch>.toml``), measured blind."""
    return [
        Case(e, "blind")
        for path in paths
        for e in load_file(path, path.stem.split("-", 1)[0], "new")
    ]


@dataclass
class Tally:
    right: int = 0
    total: int = 0

    def add(self, ok: bool) -> None:
        self.right += int(ok)
        self.total += 1

    def __str__(self) -> str:
        return f"{self.right}/{self.total}" if self.total else "–"


FIGURES = ("112 first", "recognised", "lines", "no alarm", "worry", "scam", "stop", "question")


def _judge(example: Case, intent: str, text: str, contacts: Any) -> dict[str, bool]:
    first = text.splitlines()[0] if text else ""
    suicide_line = contacts.suicide_line in text
    violence_line = contacts.violence_line in text
    crisis = intent == "emergency" or suicide_line or violence_line
    label = example.label
    if label in DANGER:
        recognised = intent == "emergency" and "?" not in first
        return {
            "112 first": contacts.emergency in first,
            "recognised": recognised,
            "lines": suicide_line == (label == "suicide")
            and violence_line == (label == "close_violence"),
        }
    if label in ("harmless", "worry", "other"):
        judged = {"no alarm": not crisis}
        if label == "worry":
            judged["worry"] = intent == "worry" and not crisis
        return judged
    if label == "scam":
        return {"scam": intent == "scam_check"}
    if label == "stop_tips":
        return {"stop": intent == "stop_tips"}
    if label == "past_crime":
        return {"question": contacts.police_non_urgent in text and not crisis}
    if label == "poison_question":
        return {"question": getattr(contacts, "poison_info", "\0") in text}
    return {"question": intent == label}


async def _answer_all(examples: list[Case], phone: str | None) -> list[tuple[str, str]]:
    from bot.cli.common import open_services
    from bot.services.wiring import build_features
    from bot.settings import Settings

    with tempfile.TemporaryDirectory() as tmp:
        settings = Settings(db_path=Path(tmp) / "scores.sqlite3", bot_token=None)
        async with open_services(settings, TODAY) as services:
            answers = build_features(services).answers
            out = []
            for n, e in enumerate(examples):
                if e.label == "stop_tips":
                    # Stopping is said by a subscriber: as in chat, she may get the stop
                    # button as the first "Did you mean …?" (one tap).
                    out.append(await _as_subscriber(services, answers, e, 10_000 + n, phone))
                    continue
                answer = await answers.answer(e.text, phone or e.lang)
                out.append((answer.intent, answer.text))
            return out


async def _as_subscriber(
    services: Any, answers: Any, e: Case, chat: int, phone: str | None
) -> tuple[str, str]:
    from storage.subscriptions import SubscriptionRepo

    now = services.clock.now()
    await SubscriptionRepo(services.db).upsert(
        chat, locale=e.lang, cadence="weekly", weekday=1, slot="morning", next_at=now, now=now
    )
    understood = await answers.understand_in_chat(e.text, phone or e.lang, chat)
    answer = await answers.respond(understood)
    first = answer.buttons[0][0].data.encode() if answer.buttons else ""
    intent = "stop_tips" if first.startswith("mean:stop_tips") else answer.intent
    return intent, answer.text


def measure(
    examples: list[Case], phone: str | None = None
) -> dict[tuple[str, str], dict[str, Tally]]:
    """(language, part) → figure → tally. ``phone`` answers every text as if the phone were set
    to that language (None: the text's own language)."""
    from bot.domain.promise import load_promise

    contacts = load_promise().contacts
    replies = asyncio.run(_answer_all(examples, phone))
    table: dict[tuple[str, str], dict[str, Tally]] = defaultdict(lambda: defaultdict(Tally))
    for e, (intent, text) in zip(examples, replies, strict=True):
        for name, ok in _judge(e, intent, text, contacts).items():
            table[(e.lang, e.part)][name].add(ok)
            table[("all", e.part)][name].add(ok)
    return table


def render(table: dict[tuple[str, str], dict[str, Tally]]) -> str:
    order = ["sv", "en", "fi", "ar", "fa", "so", "pl", "all"]
    rows = sorted(table, key=lambda k: (k[1], order.index(k[0]) if k[0] in order else 99))
    lines = [f"{'lang':<5}{'part':<9}" + "".join(f"{f:>12}" for f in FIGURES)]
    for key in rows:
        figures = table[key]
        lines.append(
            f"{key[0]:<5}{key[1]:<9}" + "".join(f"{figures.get(f, Tally())!s:>12}" for f in FIGURES)
        )
    return "\n".join(lines)


def cross_validated(folds: int = 5, seed: int = 0) -> dict[tuple[str, str], dict[str, Tally]]:
    """The whole understanding on the development part, each example answered by a model that
    never saw it (k-fold: the classifier is retrained without the fold). This is what the rules
    and thresholds are tuned on; the held-out part is only ever measured."""
    import random

    from bot.language import classifier, questions

    examples = cases("dev")
    dev = [c.example for c in examples]
    order = list(range(len(dev)))
    random.Random(seed).shuffle(order)
    fold_of = {i: n % folds for n, i in enumerate(order)}
    table: dict[tuple[str, str], dict[str, Tally]] = defaultdict(lambda: defaultdict(Tally))
    saved = classifier._MODEL
    try:
        for k in range(folds):
            train = [e for i, e in enumerate(dev) if fold_of[i] != k]
            classifier._MODEL = classifier.train(train)
            questions.forget()
            held = [c for i, c in enumerate(examples) if fold_of[i] == k]
            for key, figures in measure(held).items():
                for name, tally in figures.items():
                    table[(key[0], "dev-cv")][name].right += tally.right
                    table[(key[0], "dev-cv")][name].total += tally.total
    finally:
        classifier._MODEL = saved
        questions.forget()
    return table


def main(argv: list[str]) -> int:
    phone = None
    if argv[:1] == ["--cv"]:
        print(render(cross_validated()))
        return 0
    if argv[:1] == ["--phone"]:
        phone, argv = argv[1], argv[2:]
    print(render(measure(batch(Path(a) for a in argv) if argv else cases(), phone)))
    return 0


if __name__ == "__main__":
    raise SystemExit(main(sys.argv[1:]))
