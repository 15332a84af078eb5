"""``trygghetsbot check-promise``: validate a promise file and summarise it for a person."""

from __future__ import annotations

from importlib import resources
from pathlib import Path

from bot.domain.promise import Cadence, Promise, PromiseError, load_promise

# The commented template another kommun starts from (shipped with the package).
TEMPLATE_PATH = Path(str(resources.files("bot") / "promises" / "template.toml"))

_CADENCE_WORDS = {
    Cadence.TERM: "per term",
    Cadence.SCHOOL_YEAR: "per school year",
    Cadence.YEAR: "per year",
    Cadence.PERIOD: "over the whole promise",
}


def _target_text(promise: Promise, commitment_id: str) -> str:
    c = promise.commitment(commitment_id)
    if c.cadence is Cadence.MILESTONE:
        return f"milestone, due {c.due}"
    if c.cadence is Cadence.TRACKED:
        return "tracked, no number"
    return f">= {c.target} {_CADENCE_WORDS[c.cadence]}"


def summarise(promise: Promise) -> str:
    lines = [
        f"OK: {promise.name.get('en')} ({promise.id})",
        f"Window: {promise.window.start} to {promise.window.end}",
    ]
    if promise.window_assumption:
        lines.append(f"Assumption: {promise.window_assumption}")
    assumed = [h for h in promise.local_help if h.assumption]
    if promise.local_help:
        lines.append(
            f"{len(promise.local_help)} local help lines for worries, "
            f"{len(assumed)} of them assumptions until the kommun confirms them:"
        )
        lines += [f"  (assumption) {h.text.sv}" for h in assumed]
    if promise.terms:
        lines.append(f"Explicit terms: {', '.join(t.label for t in promise.terms)}")
    lines.append(f"{len(promise.commitments)} commitments:")
    width = max(len(c.id) for c in promise.commitments)
    for c in promise.commitments:
        lines.append(
            f"  {c.id:<{width}}  {_target_text(promise, c.id):<28} "
            f"owner={c.owner.value:<12} visibility={c.visibility.value}"
        )
        for condition in c.conditions:
            org = f", met when reported by {condition.org}" if condition.org else ""
            lines.append(
                f"    condition {condition.id} ({condition.kind.value}{org}): "
                f"{condition.label.en} (import column condition_{condition.id})"
            )
    return "\n".join(lines)


def check_promise(path: Path | None) -> tuple[int, str]:
    """Return (exit code, text): 0 and a summary, or 1 and one line per problem."""
    try:
        promise = load_promise(path)
    except PromiseError as exc:
        problems = "\n".join(f"  - {p}" for p in exc.problems)
        return 1, f"{exc.source}: the promise file has problems:\n{problems}"
    return 0, summarise(promise)
