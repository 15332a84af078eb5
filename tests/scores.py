"""Accuracy figures on the labelled sets, development and held-out apart.

``python -m tests.scores`` prints them (docs/languages.md quotes its output); the scoring tests in
tests/test_scores.py hold each figure at or above the measured value. The development sets are
what the matchers were tuned on; the held-out sets are only ever read here, to measure.
"""

from __future__ import annotations

import tomllib
from dataclasses import dataclass
from datetime import date
from pathlib import Path
from typing import Any

from bot.domain.promise import Promise, load_promise
from bot.language import classifier
from bot.language.examples import DANGER, Example, load_examples, load_heldout
from bot.language.questions import Intent, Match, match_question
from bot.language.report_parser import parse_report

DATA = Path(__file__).parent / "data"
HELDOUT = DATA / "heldout"
NOT_DANGER = frozenset({"harmless", "worry", "other"})
URGENT = frozenset({"emergency", "close_violence", "suicide"})


@dataclass(frozen=True)
class Figure:
    right: int
    total: int

    @property
    def share(self) -> float:
        return self.right / self.total if self.total else 1.0

    def __str__(self) -> str:
        return f"{self.right}/{self.total} ({self.share:.1%})"


def _load(name: str, key: str) -> list[dict[str, Any]]:
    path = DATA / name
    if not path.exists():
        return []
    items: list[dict[str, Any]] = tomllib.loads(path.read_text(encoding="utf-8")).get(key, [])
    return items


# The development sets of the rules now live among the labelled examples
# (locales/<lang>/examples/legacy.toml, ``origin`` = the old set); the held-out ones stay here.
_LABEL_TO_INTENT = {"emergency": "emergency", "other": "unknown", "scam": "scam_check"}


def legacy_safety() -> list[dict[str, Any]]:
    """The former safety_dev.toml rows: text and expect."""
    return [{"text": e.text, "expect": e.label} for e in load_examples() if e.origin == "safety"]


def legacy_questions() -> list[dict[str, Any]]:
    """The former questions_eval.toml rows: text, intent and (next_event) kind."""
    out: list[dict[str, Any]] = []
    for e in load_examples():
        if e.origin == "questions":
            row: dict[str, Any] = {"text": e.text, "intent": _LABEL_TO_INTENT.get(e.label, e.label)}
            if e.event is not None:
                row["kind"] = e.event
            out.append(row)
    return out


def safety(split: str, promise: Promise | None = None) -> dict[str, Figure]:
    """112-first recall, the extra line for suicide / close violence, past crimes, pasted scams,
    and ordinary texts wrongly sent to 112 or called a scam."""
    promise = promise or load_promise()
    cases = legacy_safety() if split == "dev" else _load(f"safety_{split}.toml", "m")
    tallies: dict[str, list[int]] = {
        k: [0, 0]
        for k in ("urgent_112_first", "right_extra_line", "past_crime", "scam", "ordinary_ok")
    }

    def count(name: str, ok: bool) -> None:
        tallies[name][0] += int(ok)
        tallies[name][1] += 1

    for case in cases:
        got = match_question(case["text"], promise, "sv")
        expect = case["expect"]
        if expect in URGENT:
            count("urgent_112_first", _112_first(got))
            if expect != "emergency":
                # An unsure 112 answer ("possible") carries both lines; the 112 line put before
                # another answer does not.
                unsure = got.danger == "possible" and got.intent in (
                    Intent.EMERGENCY,
                    Intent.UNKNOWN,
                )
                count("right_extra_line", got.danger == expect or unsure)
        elif expect == "past_crime":
            count("past_crime", got.intent is Intent.CONTACT_POLICE and got.danger == expect)
        elif expect == "scam":
            count("scam", got.intent is Intent.SCAM_CHECK)
        else:
            # An ordinary text is never called a scam nor answered as danger. The safety line
            # that opens every unsure reply ("Är någon i fara? Ring 112.") is no alarm.
            count("ordinary_ok", got.intent not in (Intent.SCAM_CHECK, Intent.EMERGENCY))
    return {k: Figure(*v) for k, v in tallies.items()}


def _112_first(got: Match) -> bool:
    """The reply starts with 112: an emergency, or a text about people not understood."""
    return got.intent is Intent.EMERGENCY or got.danger == "possible"


def questions(split: str, promise: Promise | None = None) -> dict[str, Figure]:
    promise = promise or load_promise()
    cases = legacy_questions() if split == "dev" else _load(f"questions_{split}.toml", "q")
    right = sum(match_question(q["text"], promise, "sv").intent.value == q["intent"] for q in cases)
    return {"intent": Figure(right, len(cases))}


def reports(split: str, promise: Promise | None = None) -> dict[str, Figure]:
    """Staff one-liners: commitment, date and count right; personal data caught."""
    promise = promise or load_promise()
    name = "report_examples.toml" if split == "dev" else f"reports_{split}.toml"
    cases = _load(name, "example")
    tallies = {k: [0, 0] for k in ("commitment", "date", "count", "pii")}
    for case in cases:
        got = parse_report(case["text"], promise, _day(case["today"]))
        for key in ("commitment", "date", "count"):
            if key not in case:
                continue
            want = case[key] if case[key] != "" else None
            if isinstance(want, date):
                want = want.isoformat()
            value: object = getattr(got, key)
            if isinstance(value, date):
                value = value.isoformat()
            tallies[key][0] += int(value == want)
            tallies[key][1] += 1
        if case.get("pii"):
            tallies["pii"][0] += int(set(case["pii"]) <= set(got.pii))
            tallies["pii"][1] += 1
    return {k: Figure(*v) for k, v in tallies.items()}


def _day(value: object) -> date:
    return value if isinstance(value, date) else date.fromisoformat(str(value))


def learned(split: str, folds: int = 5) -> dict[str, dict[str, Figure]]:
    """The learned classifier's figures per language: on the development part by stratified
    ``folds``-fold cross-validation (fixed seed; every fold trains on all languages), on the
    held-out part (tests/data/heldout/) with the model trained on the whole development part.
    accuracy: the label right; danger: "is danger" caught (emergency, suicide, close violence,
    overdose); false_alarm: harmless, worry and other texts called danger (lower is better)."""
    if split == "dev":
        cases = classifier.training_examples(load_examples())
        guesses = _cross_validated(cases, folds)
    else:
        cases = load_heldout(HELDOUT)
        model = classifier.build()
        guesses = [model.classify(e.text).label for e in cases]
    out: dict[str, dict[str, Figure]] = {}
    for lang in sorted({e.lang for e in cases}):
        pairs = [(e.label, got) for e, got in zip(cases, guesses, strict=True) if e.lang == lang]
        danger = [got in DANGER for want, got in pairs if want in DANGER]
        alarms = [got in DANGER for want, got in pairs if want in NOT_DANGER]
        out[lang] = {
            "accuracy": Figure(sum(want == got for want, got in pairs), len(pairs)),
            "danger": Figure(sum(danger), len(danger)),
            "false_alarm": Figure(sum(alarms), len(alarms)),
        }
    return out


def _cross_validated(cases: list[Example], folds: int) -> list[str]:
    from sklearn.model_selection import StratifiedKFold

    labels = [e.label for e in cases]
    guesses = [""] * len(cases)
    splitter = StratifiedKFold(n_splits=folds, shuffle=True, random_state=0)
    for train, test in splitter.split(labels, labels):
        model = classifier.train([cases[i] for i in train])
        for i in test:
            guesses[i] = model.classify(cases[i].text).label
    return guesses


def main() -> None:
    for title, fn in (("safety", safety), ("questions", questions), ("reports", reports)):
        for split in ("dev", "heldout"):
            figures = fn(split)
            shown = ", ".join(f"{k} {v}" for k, v in figures.items() if v.total)
            print(f"{title:9} {split:7} {shown}")
    print()
    print("learned classifier (dev: 5-fold cross-validation; danger = recall of 'is danger')")
    print(f"{'':4} {'split':7} {'accuracy':>18} {'danger':>18} {'false alarm':>16}")
    for split in ("dev", "heldout"):
        for lang, figures in learned(split).items():
            print(
                f"{lang:4} {split:7} {figures['accuracy']!s:>18} {figures['danger']!s:>18}"
                f" {figures['false_alarm']!s:>16}"
            )
    # The whole understanding as residents meet it (rules, classifier, graded answers), per
    # language: the development part cross-validated (each example answered by a model that
    # never saw it), the held-out part as it is; then every batch's first blind measurement.
    from tests import understanding_scores as whole

    print()
    print("the whole understanding, per language (python -m tests.understanding_scores)")
    print(whole.render(whole.cross_validated()))
    print(whole.render(whole.measure(whole.cases("heldout"))))
    print()
    blind = Path(__file__).resolve().parent.parent / "docs" / "blind-measurements.md"
    print(blind.read_text(encoding="utf-8"))


if __name__ == "__main__":
    main()
