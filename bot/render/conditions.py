"""How reports stand against the promise's conditions, in words: /status, /progress and the
follow-up page ("varav 5 med civilsamhället på plats, 4 planerade i förväg"), and, for the
report card, whether one report counts and why not (``verdict_lines``) and a label per
condition with its state for the card's taps (``condition_labels``)."""

from __future__ import annotations

from collections.abc import Sequence

from bot.domain.conditions import Answers, Status, Tally, Verdict
from bot.domain.pace import PaceRow
from bot.domain.promise import Commitment, Condition
from bot.i18n import Translator
from bot.render import LABEL_MAX


def counted_text(tr: Translator, row: PaceRow) -> str:
    """ "6 av 6 räknas" (of the target), or "6 räknas" without a target."""
    if row.target is None:
        return tr.ngettext("{done} counts", "{done} count", row.done).format(done=row.done)
    return tr.ngettext("{done} of {target} counts", "{done} of {target} count", row.done).format(
        done=row.done, target=row.target
    )


def tally_parts(tr: Translator, tally: Tally) -> list[str]:
    """What the counted reports met: "5 med civilsamhället på plats", … and how many have
    a condition nobody answered. When no report answered any condition, only the latter."""
    parts = []
    answered = any(count.met for count in tally.per_condition)
    if answered and len(tally.per_condition) > 1:
        parts.append(
            tr.ngettext("{n} met every condition", "{n} met every condition", tally.all_met).format(
                n=tally.all_met
            )
        )
    if answered:
        parts += [f"{c.met} {c.condition.met.get(tr.locale)}" for c in tally.per_condition]
    if tally.unknown:
        parts.append(
            tr.ngettext(
                "{n} with a condition not stated",
                "{n} with a condition not stated",
                tally.unknown,
            ).format(n=tally.unknown)
        )
    return parts


def tally_text(tr: Translator, tally: Tally | None) -> str | None:
    """ "varav 5 med civilsamhället på plats, 4 planerade i förväg", or None."""
    if tally is None or not tally.counted:
        return None
    return tr.gettext("of which {parts}").format(parts=tr.comma.join(tally_parts(tr, tally)))


def not_counted_text(tr: Translator, tally: Tally | None) -> str | None:
    """ "1 rapport räknas inte: civilsamhället var inte på plats", or None."""
    if tally is None or not tally.not_counted:
        return None
    reasons = [c.condition.not_met.get(tr.locale) for c in tally.per_condition if c.not_met]
    return tr.ngettext(
        "{n} report does not count: {reasons}",
        "{n} reports do not count: {reasons}",
        tally.not_counted,
    ).format(n=tally.not_counted, reasons=tr.join(reasons))


def not_met_text(tr: Translator, not_met: Sequence[Condition]) -> str:
    """ "räknas inte: civilsamhället var inte på plats" for one listed report, or ""."""
    if not not_met:
        return ""
    reasons = tr.join(c.not_met.get(tr.locale) for c in not_met)
    return tr.gettext("does not count: {reasons}").format(reasons=reasons)


def conditions_text(tr: Translator, commitment: Commitment) -> str | None:
    """ "Villkor i löftet: Planerad i förväg, Polisen, …", or None without conditions."""
    if not commitment.conditions:
        return None
    labels = [c.label.get(tr.locale) for c in commitment.conditions]
    return tr.gettext("Conditions in the promise: {conditions}").format(conditions=tr.join(labels))


def verdict_lines(tr: Translator, commitment: Commitment, verdict: Verdict) -> list[str]:
    """For one report (the card, a saved report): whether it counts and why not, and what
    nobody answered yet. Staff only."""
    _ = tr.gettext
    lines = []
    if not verdict.counts:
        reasons = tr.join(c.not_met.get(tr.locale) for c in verdict.not_met)
        lines.append(
            _("Saved, but it does not count towards the target: {reasons}.").format(reasons=reasons)
        )
    if verdict.unknown:
        labels = tr.join(c.label.get(tr.locale) for c in verdict.unknown)
        lines.append(_("Not stated yet: {conditions}.").format(conditions=labels))
    return lines


_MARKS = {Status.MET: "✔", Status.NOT_MET: "✖", Status.UNKNOWN: "☐"}


def condition_labels(
    tr: Translator, commitment: Commitment, answers: Answers
) -> list[tuple[Condition, str]]:
    """One label per condition for the card's taps, with its state: "Polisen ✔",
    "Civilsamhället ☐" (not stated), "Härnevimottagningen ✖" (not met); at most 40
    characters, cut with "…" (the mark stays)."""
    out = []
    for condition in commitment.conditions:
        mark = _MARKS[Status(answers.get(condition.id, Status.UNKNOWN))]
        label = condition.label.get(tr.locale)
        if len(label) + 2 > LABEL_MAX:
            label = label[: LABEL_MAX - 3].rstrip() + "…"
        out.append((condition, f"{label} {mark}"))
    return out
