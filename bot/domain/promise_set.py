"""Promise after promise, kommun beside kommun: the promises one deployment serves.

A local police area makes promises with more than one kommun, and each kommun's promises
follow one another: one that has ended (residents still read its final result), the one in
force, and perhaps a draft of the next. ``PromiseSet`` answers the questions the bot asks of
them: which promise is in force for a kommun on a day, which one a report dated on a day in a
place counts for, and which earlier commitment a commitment carries on.

Files come from ``TRYGGHETSBOT_PROMISES`` (a folder of ``*.toml`` or comma-separated files)
or ``TRYGGHETSBOT_PROMISE_FILE`` (one file); without either, the bundled promise.
"""

from __future__ import annotations

import itertools
from collections.abc import Iterable, Iterator, Sequence
from dataclasses import dataclass
from datetime import date
from importlib import resources
from pathlib import Path
from typing import Literal

from bot.domain.promise import Commitment, Promise, PromiseError, load_promise, parse_promise

Phase = Literal["draft", "upcoming", "in_force", "ended"]


def phase(promise: Promise, today: date) -> Phase:
    """Where ``promise`` stands on ``today``: a draft until its file says otherwise, then
    upcoming, in force or ended by its window."""
    if promise.draft:
        return "draft"
    if today < promise.window.start:
        return "upcoming"
    return "in_force" if today <= promise.window.end else "ended"


@dataclass(frozen=True)
class PromiseSet:
    """Every promise of one deployment, in the order given (the first one's kommun is the
    home kommun: where rows without a promise came from, and the default for residents)."""

    promises: tuple[Promise, ...]

    def __post_init__(self) -> None:
        problems = check_promises(self.promises)
        if problems:
            raise PromiseError("promises", problems)

    @classmethod
    def single(cls, promise: Promise) -> PromiseSet:
        return cls((promise,))

    def __iter__(self) -> Iterator[Promise]:
        return iter(self.promises)

    def __len__(self) -> int:
        return len(self.promises)

    def get(self, promise_id: str) -> Promise | None:
        return next((p for p in self.promises if p.id == promise_id), None)

    def index(self, promise: Promise) -> int:
        """Its place in the list: what a button names to say which promise it is for."""
        return next(i for i, p in enumerate(self.promises) if p.id == promise.id)

    @property
    def municipalities(self) -> tuple[str, ...]:
        """Each kommun once, the home kommun first."""
        return tuple(dict.fromkeys(p.municipality for p in self.promises))

    @property
    def home(self) -> str:
        return self.promises[0].municipality

    def of(self, municipality: str) -> list[Promise]:
        """The kommun's promises, oldest first (drafts last)."""
        return sorted(
            (p for p in self.promises if p.municipality == municipality),
            key=lambda p: (p.draft, p.window.start),
        )

    def in_force(self, municipality: str, today: date) -> Promise | None:
        return next((p for p in self.of(municipality) if phase(p, today) == "in_force"), None)

    def current(self, municipality: str | None, today: date) -> Promise:
        """The promise residents of ``municipality`` follow today: the one in force, else the
        last one that ended, else the next one coming (never a draft unless nothing else)."""
        own = self.of(municipality or self.home) or self.of(self.home)
        by_phase = {ph: [p for p in own if phase(p, today) == ph] for ph in _PHASES}
        order: tuple[tuple[Phase, int], ...] = (
            ("in_force", 0), ("ended", -1), ("upcoming", 0), ("draft", 0),
        )  # fmt: skip
        for ph, pick in order:
            if by_phase[ph]:
                return by_phase[ph][pick]
        raise AssertionError("a promise set is never empty")

    def previous(self, promise: Promise) -> Promise | None:
        """The kommun's promise that ended before ``promise`` started."""
        earlier = [
            p for p in self.of(promise.municipality)
            if not p.draft and p.id != promise.id and p.window.end < promise.window.start
        ]  # fmt: skip
        return earlier[-1] if earlier else None

    def next_draft(self, municipality: str) -> Promise | None:
        """A draft of the kommun's next promise that its file lets residents see."""
        return next((p for p in self.of(municipality) if p.draft and p.show_draft), None)

    def for_day(self, municipality: str, day: date) -> Promise | None:
        """The kommun's promise whose window holds ``day`` (drafts never count)."""
        return next((p for p in self.of(municipality) if not p.draft and day in p.window), None)

    def earlier_commitment(self, promise: Promise, commitment_id: str) -> Commitment | None:
        """The commitment of the previous promise that ``commitment_id`` carries on: named in
        the file's ``continues``, else the same id."""
        before = self.previous(promise)
        if before is None:
            return None
        return before.get(promise.continues.get(commitment_id, commitment_id))

    def home_promise(self, today: date) -> Promise:
        return self.current(self.home, today)


_PHASES: tuple[Phase, ...] = ("draft", "upcoming", "in_force", "ended")


def check_promises(promises: Sequence[Promise]) -> list[str]:
    """What makes promises unusable together: an id used twice, and two promises of one
    kommun whose windows overlap (a report would not know which one it counts for)."""
    problems: list[str] = []
    if not promises:
        return ["no promise files"]
    seen: set[str] = set()
    for p in promises:
        if p.id in seen:
            problems.append(f"the id '{p.id}' is used by two promise files")
        seen.add(p.id)
    decided = [p for p in promises if not p.draft]
    for a, b in itertools.combinations(decided, 2):
        if a.municipality != b.municipality:
            continue
        if a.window.start <= b.window.end and b.window.start <= a.window.end:
            problems.append(
                f"'{a.id}' and '{b.id}' are both for {a.municipality} and their windows "
                f"overlap ({a.window.start}–{a.window.end} and {b.window.start}–{b.window.end})"
            )
    return problems


def promise_paths(spec: str) -> list[Path]:
    """``TRYGGHETSBOT_PROMISES``: a folder (its ``*.toml`` files except ``template.toml``,
    by name) or comma-separated files."""
    parts = [part.strip() for part in spec.split(",") if part.strip()]
    if len(parts) == 1 and Path(parts[0]).is_dir():
        folder = Path(parts[0])
        return sorted(p for p in folder.glob("*.toml") if p.name != "template.toml")
    return [Path(part) for part in parts]


def load_promise_set(
    promises: str | None = None, promise_file: Path | None = None, home: str | None = None
) -> PromiseSet:
    """The deployment's promises: ``promises`` (folder or list), else the one file, else the
    bundled promise. ``home`` names the home kommun (``TRYGGHETSBOT_MUNICIPALITY``): its
    promises come first; otherwise the first file's kommun is the home kommun."""
    if promises:
        paths = promise_paths(promises)
        if not paths:
            raise PromiseError(promises, ["no promise files (*.toml) there"])
        loaded = _load_all(paths)
    else:
        loaded = [load_promise(promise_file)]
    if home is not None:
        if home not in {p.municipality for p in loaded}:
            raise PromiseError("TRYGGHETSBOT_MUNICIPALITY", [f"no promise is for '{home}'"])
        loaded.sort(key=lambda p: p.municipality != home)
    return PromiseSet(tuple(loaded))


def _load_all(paths: Iterable[Path]) -> list[Promise]:
    loaded: list[Promise] = []
    problems: list[str] = []
    for path in paths:
        try:
            loaded.append(load_promise(path))
        except PromiseError as exc:
            problems.extend(f"{path.name}: {problem}" for problem in exc.problems)
    if problems:
        raise PromiseError("promises", problems)
    return loaded


DEMO_FILES = ("upplands-bro-2025-2027.toml", "jarfalla-2025-2027.toml")


def demo_promise_set() -> PromiseSet:
    """The sandbox's several promises: the bundled 2022–2024 promise (home), a made-up next
    promise for Upplands-Bro and one for Järfälla (``bot/promises/demo``, every text
    [DEMO])."""
    folder = resources.files("bot") / "promises" / "demo"
    demos = [
        parse_promise((folder / name).read_text(encoding="utf-8"), name) for name in DEMO_FILES
    ]
    return PromiseSet((load_promise(None), *demos))
