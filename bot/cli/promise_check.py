"""``trygghetsbot check-promise``: validate a promise file and summarise it for a person."""

from __future__ import annotations

from datetime import date
from importlib import resources
from pathlib import Path

from bot.domain.promise import Cadence, Promise, PromiseError, load_promise
from bot.domain.promise_set import load_promise_set, phase

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


def check_promises(spec: str, today: date | None = None) -> tuple[int, str]:
    """A folder of promise files (or files separated by commas, as TRYGGHETSBOT_PROMISES):
    each file valid, no id twice, no two promises of one kommun with overlapping windows."""
    try:
        promises = load_promise_set(spec)
    except PromiseError as exc:
        problems = "\n".join(f"  - {p}" for p in exc.problems)
        return 1, f"{spec}: the promise files have problems:\n{problems}"
    lines = [f"OK: {len(promises)} promises, {len(promises.municipalities)} kommuner"]
    for promise in promises:
        state = "" if today is None else phase(promise, today).replace("_", " ")
        lines.append(
            f"  {promise.id:<32} {promise.municipality:<22} "
            f"{promise.window.start} to {promise.window.end}  {state}"
            + ("  [DEMO]" if promise.demo else "")
        )
    for promise in promises:
        before = promises.previous(promise)
        if before is None:
            continue
        carried = [
            f"{c.id} <- {was.id}"
            for c in promise.commitments
            if (was := promises.earlier_commitment(promise, c.id)) is not None
        ]
        lines.append(
            f"{promise.id} follows {before.id}; carries on: {', '.join(carried) or 'nothing'}"
        )
    return 0, "\n".join(lines)


def check_promise(path: Path | None, today: date | None = None) -> tuple[int, str]:
    """Return (exit code, text): 0 and a summary, or 1 and one line per problem. A folder
    is checked as several promises (``check_promises``)."""
    if path is not None and path.is_dir():
        return check_promises(str(path), today)
    try:
        promise = load_promise(path)
    except PromiseError as exc:
        problems = "\n".join(f"  - {p}" for p in exc.problems)
        return 1, f"{exc.source}: the promise file has problems:\n{problems}"
    return 0, summarise(promise)
