"""How well residents' suggestions are read, per language: ``python -m tests.voice_scores``.

Each labelled text (``tests/data/voice/<lang>-<batch>.toml`` is the development part,
``tests/data/heldout/voice/<lang>-<batch>.toml`` the held-out part, never tuned on) is read
the way the chat reads it: the question matcher, then ``bot.language.suggestions.refine``.

Figures: *kind* — a suggestion is read as a suggestion (theme or wish), an unsafe place as an
unsafe place, anything else (a question, a worry, danger) as neither; *false* — texts that
are neither but were read as a suggestion; *theme* and *area* — of the texts labelled with
one, how many were put in that group.
"""

from __future__ import annotations

import sys
import tomllib
from dataclasses import dataclass, field
from pathlib import Path

from bot.domain.promise import load_promise
from bot.language.questions import Intent, match_question
from bot.language.suggestions import refine

ROOT = Path(__file__).resolve().parent
DEV = ROOT / "data" / "voice"
HELDOUT = ROOT / "data" / "heldout" / "voice"
LANGS = ("sv", "en", "fi", "ar", "fa", "so", "pl")
FIGURES = ("kind", "false", "theme", "area")


@dataclass
class Tally:
    right: int = 0
    total: int = 0

    def add(self, ok: bool) -> None:
        self.total += 1
        self.right += int(ok)

    def __str__(self) -> str:
        return f"{self.right}/{self.total}"


@dataclass
class Scores:
    figures: dict[str, Tally] = field(default_factory=lambda: {f: Tally() for f in FIGURES})


def rows(folder: Path, lang: str) -> list[dict[str, str]]:
    found: list[dict[str, str]] = []
    for path in sorted(folder.glob(f"{lang}-*.toml")):
        found += tomllib.loads(path.read_text("utf-8")).get("m", [])
    return found


def score(folder: Path, lang: str) -> Scores:
    promise = load_promise()
    scores = Scores()
    for row in rows(folder, lang):
        text, label = row["text"], row["label"]
        match = refine(match_question(text, promise, lang), text, promise)
        got = {Intent.SUGGESTION: "suggestion", Intent.UNSAFE_PLACE: "unsafe_place"}.get(
            match.intent, "none"
        )
        scores.figures["kind"].add(got == label)
        if label == "none":
            scores.figures["false"].add(got == "none")
        # Grouped only when it was taken for a suggestion (a worry, say, also carries what it
        # would be if its writer chose to send it).
        reading = match.suggestion if got != "none" else None
        if "theme" in row:
            scores.figures["theme"].add(reading is not None and reading.theme == row["theme"])
        if "area" in row:
            scores.figures["area"].add(reading is not None and reading.area == row["area"])
    return scores


def table(folder: Path, part: str) -> str:
    lines = [f"{'lang':<5}{'part':<9}" + "".join(f"{f:>10}" for f in FIGURES)]
    total = Scores()
    for lang in LANGS:
        s = score(folder, lang)
        if not any(t.total for t in s.figures.values()):
            continue
        for f in FIGURES:
            total.figures[f].right += s.figures[f].right
            total.figures[f].total += s.figures[f].total
        lines.append(f"{lang:<5}{part:<9}" + "".join(f"{s.figures[f]!s:>10}" for f in FIGURES))
    lines.append(f"{'all':<5}{part:<9}" + "".join(f"{total.figures[f]!s:>10}" for f in FIGURES))
    return "\n".join(lines)


def main(argv: list[str]) -> int:
    print(table(DEV, "dev"))
    if HELDOUT.exists():
        print(table(HELDOUT, "heldout"))
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
