"""The promise's conditions, counted honestly: which conditions a commitment has, which are
still unknown for a report, whether a report counts and why not, and the tallies the
follow-up shows ("6 av 6 synlighetsinsatser, varav 5 med civilsamhället på plats").

The rule (docs/product.md, "What counts"): a report counts towards its target unless one of
its commitment's conditions is recorded as **not met**. A condition nobody answered is
**unknown**: the report still counts, and is shown as unknown, because old reports and
imports without the columns never recorded it (guessing "not met" would erase work that was
done; guessing "met" would claim what nobody said). A report that does not count is kept
and shown with its reason, never dropped.

Pure: plain values in, plain values out. Storage keeps the answers as JSON (``encode`` /
``decode``); the report parser reads them from text (``bot.language.report_parser``).

For the report card (one card per report):

- ``conditions_of(commitment)``: what to ask, in the file's order;
- ``still_unknown(commitment, answers)``: what the text did not say, to ask as taps;
- ``verdict(commitment, answers)``: whether it counts, the conditions not met (the reason)
  and those unknown;
- ``from_reporter(commitment, org)``: what the reporter's organisation answers by itself;
- ``planned_from_event(commitment, planned_on, day)``: what a planned event answers;
- ``combine(*answers)``: several sources of answers into one (a later "not met" or "met"
  wins over an earlier one; unknown never overwrites).
"""

from __future__ import annotations

import json
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from datetime import date
from enum import StrEnum

from bot.domain.promise import Commitment, Condition, ConditionKind


class Status(StrEnum):
    MET = "met"
    NOT_MET = "not_met"
    UNKNOWN = "unknown"


# Condition id → status. Missing ids are unknown.
Answers = Mapping[str, Status]


def conditions_of(commitment: Commitment) -> tuple[Condition, ...]:
    return commitment.conditions


def normalise(commitment: Commitment, answers: Answers) -> dict[str, Status]:
    """Every condition of the commitment with its status (unknown when not answered);
    answers for conditions the commitment does not have are left out."""
    return {c.id: Status(answers.get(c.id, Status.UNKNOWN)) for c in commitment.conditions}


def still_unknown(commitment: Commitment, answers: Answers) -> tuple[Condition, ...]:
    return tuple(
        c for c in commitment.conditions if answers.get(c.id, Status.UNKNOWN) is Status.UNKNOWN
    )


@dataclass(frozen=True)
class Verdict:
    counts: bool
    not_met: tuple[Condition, ...]  # why it does not count (empty when it counts)
    unknown: tuple[Condition, ...]  # not answered: it counts, shown as unknown

    @property
    def all_met(self) -> bool:
        return self.counts and not self.unknown


def verdict(commitment: Commitment, answers: Answers) -> Verdict:
    status = normalise(commitment, answers)
    not_met = tuple(c for c in commitment.conditions if status[c.id] is Status.NOT_MET)
    unknown = tuple(c for c in commitment.conditions if status[c.id] is Status.UNKNOWN)
    return Verdict(not not_met, not_met, unknown)


def counts(commitment: Commitment, answers: Answers) -> bool:
    return verdict(commitment, answers).counts


def from_reporter(commitment: Commitment, org: str | None) -> dict[str, Status]:
    """Staff of an organisation reporting an activity took part in it: a police officer's
    report meets "police took part"."""
    if org is None:
        return {}
    return {c.id: Status.MET for c in commitment.conditions if c.org == org}


def planned_from_event(commitment: Commitment, planned_on: date, day: date) -> dict[str, Status]:
    """An activity reported from an event that was planned (created) before the activity's
    day was planned in advance. Planned on the day itself says nothing either way."""
    if planned_on >= day:
        return {}
    return {c.id: Status.MET for c in commitment.conditions if c.kind is ConditionKind.PLANNED}


def combine(*sources: Answers) -> dict[str, Status]:
    out: dict[str, Status] = {}
    for answers in sources:
        for key, value in answers.items():
            if Status(value) is not Status.UNKNOWN:
                out[key] = Status(value)
    return out


# --- storage -------------------------------------------------------------------------------


def encode(answers: Answers) -> str:
    """The stored form: a JSON object of the answered conditions only (``{}``: all unknown)."""
    known = {
        k: Status(v).value for k, v in sorted(answers.items()) if Status(v) is not Status.UNKNOWN
    }
    return json.dumps(known, separators=(",", ":"))


def decode(text: str | None) -> dict[str, Status]:
    """The stored form read back; anything unreadable is unknown (never met)."""
    try:
        data = json.loads(text or "{}")
    except ValueError:
        return {}
    if not isinstance(data, dict):
        return {}
    out: dict[str, Status] = {}
    for key, value in data.items():
        try:
            status = Status(value)
        except ValueError:
            continue
        if status is not Status.UNKNOWN:
            out[str(key)] = status
    return out


# --- tallies -------------------------------------------------------------------------------


@dataclass(frozen=True)
class ConditionCount:
    condition: Condition
    met: int  # counted reports that met it
    unknown: int  # counted reports nobody answered it for
    not_met: int  # reports that do not count because of it


@dataclass(frozen=True)
class Tally:
    """One commitment in one period: how the reports stand against its conditions."""

    counted: int  # reports that count (the pace engine's ``done``)
    all_met: int  # of those, how many met every condition
    not_counted: int  # saved reports that do not count (a condition not met)
    per_condition: tuple[ConditionCount, ...]

    @property
    def unknown(self) -> int:
        """Counted reports with at least one condition unknown."""
        return self.counted - self.all_met

    def to_json(self) -> dict[str, object]:
        """The open data's ``conditions`` (``report --format json``, ``status --json``)."""
        return {
            "counted": self.counted,
            "met_every_condition": self.all_met,
            "some_unknown": self.unknown,
            "not_counted": self.not_counted,
            "per_condition": [
                {
                    "id": c.condition.id,
                    "kind": c.condition.kind.value,
                    "met": c.met,
                    "unknown": c.unknown,
                    "not_met": c.not_met,
                }
                for c in self.per_condition
            ],
        }


def tally(
    commitment: Commitment, counted: int, answered: Iterable[tuple[Answers, int]]
) -> Tally | None:
    """``counted``: the reports that count in the period (every report without answers
    counts); ``answered``: the answers of the period's reports that have any, counted or not,
    each with how many reports gave exactly those answers.
    None for a commitment without conditions."""
    if not commitment.conditions:
        return None
    met = dict.fromkeys((c.id for c in commitment.conditions), 0)
    failed = dict.fromkeys(met, 0)
    all_met = not_counted = 0
    verdicts: dict[int, Verdict] = {}  # equal answers are often one object
    for answers, n in answered:
        v = verdicts.get(id(answers))
        if v is None:
            v = verdicts[id(answers)] = verdict(commitment, answers)
        if not v.counts:
            not_counted += n
            for c in v.not_met:
                failed[c.id] += n
            continue
        if v.all_met:
            all_met += n
        for c in commitment.conditions:
            if answers.get(c.id) is Status.MET:
                met[c.id] += n
    per = tuple(
        ConditionCount(c, met[c.id], counted - met[c.id], failed[c.id])
        for c in commitment.conditions
    )
    return Tally(counted, all_met, not_counted, per)


def answered_in(
    rows: Sequence[tuple[date, Answers, int]], first: date, last: date
) -> list[tuple[Answers, int]]:
    """The answers (and how many reports gave them) of the reports dated in [first, last]."""
    return [(answers, n) for day, answers, n in rows if first <= day <= last]
