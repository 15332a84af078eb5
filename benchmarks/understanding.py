"""Understanding a fresh text: ``python benchmarks/understanding.py [--profile]``.

Times what the bot does with a resident's text it has not seen before, per text: the danger
filter in front of the handlers (``bot.language.emergency.assess``), the language it is written in
(``bot.language.language_id``) and then ``match_question`` (its danger and scam checks, the phrase
tables and the learned classifier). The texts are every labelled example in all seven
languages, development and held-out (≈ 6 000 distinct texts; ``--legacy``: only the older
Swedish and English sets). Before each timed call
the memo of understood texts is emptied, so every call pays for matching in full; the
word-level caches stay warm, as they are in a running bot (residents reuse the same words).
Prints µs per text (mean, p50, p95) over several passes; ``--cold`` empties the word-level
caches too; ``--profile`` prints a cProfile summary instead. ``--classifier`` times the learned
classifier instead (``bot.language.classifier.classify``, no memo), over every labelled example in
every
language (development and held-out), after building the model once.
"""

from __future__ import annotations

import argparse
import cProfile
import pstats
import statistics
import sys
import time
import tomllib
from collections.abc import Callable, Sequence
from pathlib import Path

from bot.domain.promise import load_promise
from bot.language import classifier, emergency, language_id, questions, textkit
from bot.language.examples import load_examples, load_heldout

DATA = Path(__file__).resolve().parent.parent / "tests" / "data"
HELDOUT_SETS = (
    ("questions_heldout.toml", "q"),
    ("safety_heldout.toml", "m"),
)


def texts() -> list[str]:
    # The rules' former development sets (now labelled examples) and their held-out sets.
    out = [e.text for e in load_examples() if e.origin is not None]
    for name, key in HELDOUT_SETS:
        path = DATA / name
        if path.exists():
            for item in tomllib.loads(path.read_text(encoding="utf-8")).get(key, []):
                out.append(str(item["text"]))
    return list(dict.fromkeys(out))


def forget(cold: bool) -> None:
    """Empty the memo of understood texts (and, ``cold``, every word-level cache)."""
    questions.forget()
    emergency.forget()
    language_id._SEEN.clear()
    textkit.forget_tokens()
    if cold:
        questions._VOCABULARY._matches.clear()
        questions._VOCABULARY._glued.clear()
        emergency._tables().vocabulary._cache.clear()


def understand(text: str, promise: object) -> None:
    emergency.assess(text)  # the DANGER filter in handlers/text.py
    locale = language_id.text_language(text) or "sv"  # the language to answer in
    questions.match_question(text, promise, locale)  # type: ignore[arg-type]


def timed(items: Sequence[str], promise: object, cold: bool) -> list[float]:
    spent: list[float] = []
    clock = time.perf_counter_ns
    for text in items:
        forget(cold)
        start = clock()
        understand(text, promise)
        spent.append((clock() - start) / 1000)
    return spent


def every_example() -> list[str]:
    found = [e.text for e in (*load_examples(), *load_heldout(DATA / "heldout"))]
    return list(dict.fromkeys([*found, *texts()]))


def timed_classifier(items: Sequence[str]) -> list[float]:
    spent: list[float] = []
    clock = time.perf_counter_ns
    for text in items:
        start = clock()
        classifier.classify(text)
        spent.append((clock() - start) / 1000)
    return spent


def report(rows: Sequence[Sequence[float]]) -> None:
    for n, row in enumerate(rows, 1):
        print(
            f"pass {n}: mean {statistics.fmean(row):6.1f} µs  p50 {percentile(row, 0.5):6.1f} µs"
            f"  p95 {percentile(row, 0.95):6.1f} µs"
        )
    means = [statistics.fmean(r) for r in rows]
    p50s = [percentile(r, 0.5) for r in rows]
    p95s = [percentile(r, 0.95) for r in rows]
    print(
        f"median of passes: mean {statistics.median(means):.1f} µs, p50 "
        f"{statistics.median(p50s):.1f} µs, p95 {statistics.median(p95s):.1f} µs per text"
    )


def percentile(values: Sequence[float], q: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, int(q * len(ordered)))]


def profile(items: Sequence[str], promise: object, passes: int) -> None:
    run: Callable[[], None] = lambda: [timed(items, promise, False) for _ in range(passes)]  # noqa: E731
    profiler = cProfile.Profile()
    profiler.runcall(run)
    stats = pstats.Stats(profiler, stream=sys.stdout)
    stats.sort_stats("tottime").print_stats(25)
    stats.sort_stats("cumulative").print_stats(30)


def main(argv: Sequence[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--passes", type=int, default=5)
    parser.add_argument("--cold", action="store_true", help="empty word-level caches too")
    parser.add_argument("--profile", action="store_true")
    parser.add_argument("--classifier", action="store_true", help="time bot.language.classifier")
    parser.add_argument("--legacy", action="store_true", help="only the older sv/en sets")
    args = parser.parse_args(argv)
    if args.classifier:
        started = time.perf_counter()
        classifier.warm()
        print(f"model ready in {time.perf_counter() - started:.2f} s")
        every = every_example()
        timed_classifier(every)
        print(f"classifier: {len(every)} distinct texts, {args.passes} passes")
        report([timed_classifier(every) for _ in range(args.passes)])
        return 0
    promise = load_promise()
    classifier.warm()
    items = texts() if args.legacy else every_example()
    timed(items, promise, False)  # warm up: tables built, word caches filled
    if args.profile:
        profile(items, promise, args.passes)
        return 0
    rows: list[list[float]] = [timed(items, promise, args.cold) for _ in range(args.passes)]
    print(f"{len(items)} distinct texts, {args.passes} passes, cold={args.cold}")
    report(rows)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
