"""The pace engine and periods as pure data: every rule in docs/product.md, for any date, plus
properties that must hold for all dates (hypothesis)."""

from __future__ import annotations

import itertools
from datetime import date, datetime, timedelta

import pytest
from hypothesis import given
from hypothesis import strategies as st

from bot.cli.promise_check import TEMPLATE_PATH
from bot.clock import STOCKHOLM, FrozenClock
from bot.domain.pace import CommitmentFacts, State, pace, target_for
from bot.domain.periods import period_containing, period_label, periods_for
from bot.domain.promise import Promise, load_promise, parse_promise
from bot.i18n import translator

PROMISE = load_promise()
WINDOW_DAYS = st.dates(min_value=date(2022, 7, 1), max_value=date(2024, 12, 31))


def test_terms_school_years_and_years_tile_the_window() -> None:
    for commitment in PROMISE.commitments:
        periods = periods_for(commitment, PROMISE)
        if commitment.cadence.value in ("milestone",):
            continue
        assert periods[0].start == PROMISE.window.start
        assert periods[-1].end == PROMISE.window.end
        for before, after in itertools.pairwise(periods):
            assert after.start == before.end + timedelta(days=1)


def test_labels_sv_and_en() -> None:
    sv, en = translator("sv"), translator("en")
    term = period_containing(PROMISE.commitment("theme_meeting"), PROMISE, date(2024, 3, 12))
    assert period_label(term, sv) == "VT 2024"
    school = period_containing(PROMISE.commitment("parent_lecture"), PROMISE, date(2024, 3, 12))
    assert period_label(school, sv) == "läsår 23/24"
    year = period_containing(PROMISE.commitment("visibility_effort"), PROMISE, date(2024, 3, 12))
    assert period_label(year, sv) == "2024" and period_label(year, en) == "2024"
    assert "2024" in period_label(term, en)


def test_window_starting_mid_year_prorates_the_first_year() -> None:
    visibility = PROMISE.commitment("visibility_effort")
    first = periods_for(visibility, PROMISE)[0]
    assert (first.start, first.end) == (date(2022, 7, 1), date(2022, 12, 31))
    assert first.is_cut
    # 6 per year × 184/365 days = 3.02 → 3
    assert target_for(visibility, first) == 3
    # A term fully inside the window keeps its target.
    theme = PROMISE.commitment("theme_meeting")
    assert target_for(theme, periods_for(theme, PROMISE)[0]) == 2


def test_explicit_period_target_wins(tmp_path: object) -> None:
    text = TEMPLATE_PATH.read_text(encoding="utf-8").replace(
        'visibility = "public"\nresident_events = true',
        'visibility = "public"\nresident_events = true\nperiod_targets = { "2025-VT" = 5 }',
        1,
    )
    promise: Promise = parse_promise(text)
    theme = promise.commitment("theme_meeting")
    periods = periods_for(theme, promise)
    assert periods[0].key == "2025-VT"
    assert target_for(theme, periods[0]) == 5
    assert target_for(theme, periods[1]) == 2


def test_states_follow_the_product_rules() -> None:
    theme = PROMISE.commitment("theme_meeting")
    spring = date(2024, 1, 1)
    # Early in the term nothing is expected yet: on track with nothing done.
    assert pace(theme, PROMISE, CommitmentFacts(), date(2024, 1, 10)).state is State.ON_TRACK
    # Mid-May, expected 2 × 136/182 = 1.49 → floor 1: zero done is behind...
    row = pace(theme, PROMISE, CommitmentFacts(), date(2024, 5, 15))
    assert row.state is State.BEHIND and row.expected_by_now == pytest.approx(1.49, abs=0.01)
    # ...one done is on track, one done + one planned as well, two done is done.
    one = CommitmentFacts(done_dates=[spring + timedelta(days=30)])
    assert pace(theme, PROMISE, one, date(2024, 5, 15)).state is State.ON_TRACK
    planned = CommitmentFacts(done_dates=[], planned_dates=[date(2024, 6, 1), date(2024, 6, 5)])
    assert pace(theme, PROMISE, planned, date(2024, 5, 15)).state is State.ON_TRACK
    two = CommitmentFacts(done_dates=[date(2024, 2, 1), date(2024, 3, 1)])
    assert pace(theme, PROMISE, two, date(2024, 3, 2)).state is State.DONE
    # The day after the term ends with one done: missed.
    row = pace(theme, PROMISE, one, date(2024, 7, 1), period=periods_for(theme, PROMISE)[3])
    assert row.state is State.MISSED and row.done == 1


def test_milestones_and_tracked() -> None:
    gvi = PROMISE.commitment("gvi")
    assert pace(gvi, PROMISE, CommitmentFacts(), date(2023, 6, 1)).state is State.OPEN
    assert pace(gvi, PROMISE, CommitmentFacts(), date(2024, 1, 1)).state is State.MISSED
    reached = CommitmentFacts(milestone_reached=date(2023, 11, 1))
    assert pace(gvi, PROMISE, reached, date(2024, 1, 1)).state is State.DONE
    fraud = PROMISE.commitment("senior_fraud_info")
    row = pace(fraud, PROMISE, CommitmentFacts(done_dates=[date(2023, 2, 1)]), date(2023, 3, 1))
    assert row.state is State.TRACKED and row.target is None and row.done == 1


def test_leap_day_is_inside_spring_term_2024() -> None:
    theme = PROMISE.commitment("theme_meeting")
    period = period_containing(theme, PROMISE, date(2024, 2, 29))
    assert period.start == date(2024, 1, 1) and period.days == 182  # 2024 is a leap year
    row = pace(theme, PROMISE, CommitmentFacts(done_dates=[date(2024, 2, 29)]), date(2024, 2, 29))
    assert row.done == 1


def test_period_boundary_is_local_midnight_across_dst() -> None:
    # The spring term ends on 30 June; the DST change on 31 March does not shift anything:
    # the clock's local date decides which period "today" is in.
    clock = FrozenClock(datetime(2024, 3, 31, 1, 59, tzinfo=STOCKHOLM))
    clock.advance(timedelta(minutes=2))  # 03:01 CEST, an hour "skipped"
    assert clock.today() == date(2024, 3, 31)
    clock = FrozenClock(datetime(2024, 6, 30, 23, 59, tzinfo=STOCKHOLM))
    theme = PROMISE.commitment("theme_meeting")
    assert period_containing(theme, PROMISE, clock.today()).end == date(2024, 6, 30)
    clock.advance(timedelta(minutes=1))
    assert period_containing(theme, PROMISE, clock.today()).start == date(2024, 7, 1)


@given(WINDOW_DAYS)
def test_every_day_is_in_exactly_one_period(day: date) -> None:
    for commitment in PROMISE.commitments:
        if commitment.cadence.value == "milestone":
            continue
        holding = [p for p in periods_for(commitment, PROMISE) if day in p]
        assert len(holding) == 1
        assert period_containing(commitment, PROMISE, day) == holding[0]


@given(WINDOW_DAYS, st.lists(WINDOW_DAYS, max_size=30))
def test_expected_grows_and_done_never_exceeds_activities(today: date, days: list[date]) -> None:
    facts = CommitmentFacts(done_dates=sorted(days))
    for commitment_id in ("theme_meeting", "visibility_effort", "parent_lecture"):
        commitment = PROMISE.commitment(commitment_id)
        row = pace(commitment, PROMISE, facts, today)
        assert 0 <= row.done <= len(days)
        assert row.target is not None and row.target >= 1
        assert 0 <= row.expected_by_now <= row.target
        if row.done >= row.target:
            assert row.state is State.DONE
        tomorrow = today + timedelta(days=1)
        if tomorrow in row.period:
            later = pace(commitment, PROMISE, facts, tomorrow)
            assert later.expected_by_now >= row.expected_by_now
