"""The pace engine: done / planned / target / expected-by-now / state, for any date.

Rules (docs/product.md): ``expected_by_now = target × elapsed_days / period_days`` with today
counted as elapsed; ``done`` when done ≥ target; ``missed`` when the period is over and
done < target; ``on_track`` when done ≥ floor(expected_by_now) or done + planned ≥ target;
``behind`` otherwise. Milestones are done / open / missed; tracked-only commitments are
``tracked``. A period cut by the promise window gets its target prorated (rounded half up,
at least 1) unless the promise file gives that period's target explicitly.

What is ``done`` follows the promise's conditions (bot.domain.conditions): a report with a
condition not met does not count; one with a condition unknown counts. The caller passes
only counted dates; ``CommitmentFacts.answered`` gives each row its tally of the conditions.
"""

from __future__ import annotations

import math
from bisect import bisect_left, bisect_right
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from datetime import date
from enum import StrEnum

from bot.domain.conditions import Answers, Tally, answered_in, tally
from bot.domain.periods import Period, period_containing, periods_for
from bot.domain.promise import Cadence, Commitment, Promise
from bot.i18n import N_, Translator


class State(StrEnum):
    DONE = "done"
    ON_TRACK = "on_track"
    BEHIND = "behind"
    MISSED = "missed"
    OPEN = "open"
    TRACKED = "tracked"


# The one vocabulary for states: /status, /progress, the published page and the exports all
# use these words (and the JSON/CSV use the enum values), so a reader never meets two names
# for one thing.
_STATE_WORDS = {
    State.DONE: N_("done"),
    State.ON_TRACK: N_("on track"),
    State.BEHIND: N_("behind"),
    State.MISSED: N_("missed"),
    State.OPEN: N_("in progress"),
    State.TRACKED: N_("counted"),
}
_STATE_ICONS = {
    State.DONE: "✅",
    State.ON_TRACK: "🟢",
    State.BEHIND: "🔴",
    State.MISSED: "❌",
    State.OPEN: "⏳",
    State.TRACKED: "📊",
}


def state_word(tr: Translator, state: State, late: bool = False) -> str:
    """The state in words, e.g. ``klart`` or ``klart, försenat`` (a milestone reached after
    its due date)."""
    if late and state is State.DONE:
        # TRANSLATORS: a milestone that was reached, but after its due date
        return tr.gettext("done, late")
    return tr.gettext(_STATE_WORDS[state])


def state_badge(tr: Translator, state: State, late: bool = False) -> str:
    """The state with its icon, for chat messages: ``✅ klart``."""
    return f"{_STATE_ICONS[state]} {state_word(tr, state, late)}"


@dataclass(frozen=True)
class CommitmentFacts:
    done_dates: Sequence[date] = ()  # counted activities, ascending
    # (day, answers, how many reports) of the reports that answered any condition, counted
    # or not
    # (bot.domain.conditions): the tallies of the conditions. Reports without answers
    # count and are all unknown.
    answered: Sequence[tuple[date, Answers, int]] = ()
    planned_dates: Sequence[date] = ()  # planned, not cancelled, not yet started; ascending
    milestone_reached: date | None = None


@dataclass(frozen=True)
class PaceRow:
    commitment_id: str
    period: Period
    target: int | None
    done: int
    planned: int
    expected_by_now: float
    state: State
    days_left: int
    late: bool = False  # a milestone reached after its due date
    # How the period's reports stand against the commitment's conditions; None when it
    # has none.
    conditions: Tally | None = None

    def to_json(self) -> dict[str, object]:
        """The ``status --json`` shape (docs/product.md); the label is added by the caller.
        ``conditions`` is added for a commitment that has conditions."""
        out: dict[str, object] = {
            "commitment": self.commitment_id,
            "period": {"start": self.period.start.isoformat(), "end": self.period.end.isoformat()},
            "target": self.target,
            "done": self.done,
            "planned": self.planned,
            "expected_by_now": self.expected_by_now,
            "state": self.state.value,
        }
        if self.conditions is not None:
            out["conditions"] = self.conditions.to_json()
        return out


def _round_half_up(value: float) -> int:
    return math.floor(value + 0.5)


def target_for(commitment: Commitment, period: Period) -> int | None:
    if commitment.cadence in (Cadence.MILESTONE, Cadence.TRACKED) or commitment.target is None:
        return None
    explicit = commitment.period_targets.get(period.key)
    if explicit is not None:
        return explicit
    if not period.is_cut:
        return commitment.target
    share = commitment.target * period.days / period.full_days
    return max(1, _round_half_up(share))


def _count(dates: Sequence[date], first: date, last: date) -> int:
    """How many dates fall in [first, last]; ``dates`` is sorted, so two bisections."""
    if first > last:
        return 0
    return bisect_right(dates, last) - bisect_left(dates, first)


def pace(
    commitment: Commitment,
    promise: Promise,
    facts: CommitmentFacts,
    today: date,
    period: Period | None = None,
) -> PaceRow:
    period = period or period_containing(commitment, promise, today)
    days_left = max(0, (period.end - today).days)
    done = _count(facts.done_dates, period.start, min(period.end, today))
    if commitment.cadence is Cadence.MILESTONE:
        reached = facts.milestone_reached
        late = False
        if reached is not None and reached <= today:
            state = State.DONE
            late = reached > period.end
        elif today <= period.end:
            state = State.OPEN
        else:
            state = State.MISSED
        return PaceRow(commitment.id, period, None, done, 0, 0.0, state, days_left, late)
    # Planned events are those not yet started (the caller filters by time of day), so an
    # event later today still counts as planned.
    planned = _count(facts.planned_dates, max(today, period.start), period.end)
    target = target_for(commitment, period)
    tallied = tally(
        commitment, done, answered_in(facts.answered, period.start, min(period.end, today))
    )
    if target is None:
        return PaceRow(
            commitment.id,
            period,
            None,
            done,
            planned,
            0.0,
            State.TRACKED,
            days_left,
            conditions=tallied,
        )
    elapsed = min(max((today - period.start).days + 1, 0), period.days)
    expected = target * elapsed / period.days
    if done >= target:
        state = State.DONE
    elif today > period.end:
        state = State.MISSED
    elif done >= math.floor(expected) or done + planned >= target:
        state = State.ON_TRACK
    else:
        state = State.BEHIND
    return PaceRow(
        commitment.id,
        period,
        target,
        done,
        planned,
        round(expected, 2),
        state,
        days_left,
        conditions=tallied,
    )


def status(
    promise: Promise, facts_by_id: Mapping[str, CommitmentFacts], today: date
) -> list[PaceRow]:
    """One row per commitment for the period containing ``today``."""
    empty = CommitmentFacts()
    return [pace(c, promise, facts_by_id.get(c.id, empty), today) for c in promise.commitments]


def history(
    commitment: Commitment, promise: Promise, facts: CommitmentFacts, today: date
) -> list[PaceRow]:
    """One row per period that has started by ``today`` (at least the first)."""
    periods = [p for p in periods_for(commitment, promise) if p.start <= today]
    periods = periods or list(periods_for(commitment, promise)[:1])
    return [pace(commitment, promise, facts, today, p) for p in periods]
