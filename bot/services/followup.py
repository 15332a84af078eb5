"""The public follow-up of the promise: gathers what was registered and builds the data the
page shows (``bot.domain.followup_view.Report``: periods, states, rows, the chart); the presenter
(``bot.render.followup``) turns it into HTML, Markdown, CSV or JSON.

Only resident-visible data goes in unless ``internal`` is set: count-only commitments show
counts and state, never dates, places or plans (docs/product.md). With nothing registered at
all (a fresh install) the report is ``empty`` and the page shows no results, never a
"missat" that only means nobody has reported yet.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import replace
from datetime import date, datetime

from bot.domain.conditions import verdict
from bot.domain.followup_view import (
    DEMO_MARK,
    InfoDone,
    Line,
    Listed,
    PeriodFilter,
    Report,
    Section,
)
from bot.domain.promise import Cadence, Commitment, Promise, Visibility
from bot.domain.records import Activity
from bot.domain.views import Progress
from bot.i18n import Translator
from bot.render import progress as render_progress
from bot.render.chart import Bar
from bot.render.followup import render
from bot.services import Services
from bot.services.people import PeopleService
from bot.services.progress import ProgressService
from bot.services.pulse import PulseService
from bot.services.suggestions import SuggestionService

# Sources of ``senior_fraud_info`` activities written by the tip service (tips_service.py).
TIP_SOURCE = "tips"
ALERT_SOURCE = "alert"


async def build(
    services: Services,
    locale: str,
    period: PeriodFilter,
    internal: bool = False,
    today: date | None = None,
    progress_service: ProgressService | None = None,
    *,
    with_earlier: bool = True,
) -> Report:
    """``progress_service``: the bot's own (``BotData.features.progress``) when it runs.
    ``with_earlier``: beside each commitment that carries on one of the kommun's previous
    promise, that promise's final result (its report, built the same way)."""
    progress_service = progress_service or ProgressService(services)
    tr = services.translator(locale)
    progress = await progress_service.progress(today, internal=internal)
    if period.is_all:
        chart = render_progress.chart(tr, services.promise, progress, "svg")
    else:
        chart = period_chart(progress, tr, period)
    registered = await services.activities.all_counted()
    confirmed = await services.milestones.all()
    activities = [a for a in registered if a.date <= progress.today]
    milestones = {
        m.commitment: m.confirmed_at for m in confirmed.values() if m.reached_on <= progress.today
    }
    now = services.clock.now()
    report = build_report(
        services.promise,
        progress,
        tr,
        chart,
        period,
        all_activities=activities,
        milestones_confirmed=milestones,
        generated_at=now,
        internal=internal,
        empty=not registered and not confirmed,
    )
    # "Ni sa – vi gjorde": residents' suggestions, counts only.
    voice = await SuggestionService(services).summary(locale)
    safety = await PulseService(services, PeopleService(services)).summary(efforts=True)
    report = replace(report, voice=voice, safety=safety)
    previous = services.promises.previous(services.promise) if with_earlier else None
    if previous is None:
        return report
    earlier = await build(
        services.scoped(previous), locale, PeriodFilter(), internal, today, with_earlier=False
    )
    continued = {
        c.id: was.id
        for c in services.promise.commitments
        if (was := services.promises.earlier_commitment(services.promise, c.id)) is not None
    }
    return replace(report, earlier=earlier, continued=continued)


async def render_report(
    services: Services,
    fmt: str,
    locale: str,
    period: PeriodFilter,
    internal: bool = False,
    today: date | None = None,
    progress_service: ProgressService | None = None,
) -> str:
    return render(await build(services, locale, period, internal, today, progress_service), fmt)


def info_done(activities: Iterable[Activity]) -> InfoDone:
    tips = alerts = meetings = reached = 0
    for a in activities:
        if a.source == TIP_SOURCE:
            tips += 1
        elif a.source == ALERT_SOURCE:
            alerts += 1
        else:
            meetings += 1
        reached += a.count or 0
    return InfoDone(tips, alerts, meetings, reached)


def _last_updated(
    activities: list[Activity], milestone_confirmed: datetime | None
) -> datetime | None:
    moments = [a.updated_at for a in activities]
    if milestone_confirmed is not None:
        moments.append(milestone_confirmed)
    return max(moments, default=None)


def _listed(commitment: Commitment, activity: Activity) -> Listed:
    return Listed(
        activity.date,
        activity.place or "",
        activity.description.startswith(DEMO_MARK),
        verdict(commitment, activity.conditions).not_met,
    )


def _assumptions(promise: Promise, locale: str) -> list[str]:
    texts = [a.get(locale) for a in promise.assumptions]
    if not texts and promise.window_assumption:
        texts.append(promise.window_assumption)
    return texts


def build_report(
    promise: Promise,
    progress: Progress,
    tr: Translator,
    chart: tuple[bytes, str],
    period: PeriodFilter,
    *,
    all_activities: list[Activity],
    milestones_confirmed: dict[str, datetime],
    generated_at: datetime,
    internal: bool = False,
    empty: bool = False,
) -> Report:
    """``all_activities``: every counted activity up to the report's day (for "last updated"
    and the breakdown of tracked commitments); ``progress.activities``: the ones residents
    may see in a list. ``empty``: nothing at all is registered, on any day."""
    sections = []
    for item in progress.items:
        c = item.commitment
        counts_only = c.visibility is Visibility.COUNT_ONLY and not internal
        own = [a for a in all_activities if a.commitment == c.id]
        lines = []
        for row in item.history:
            if not period.keeps_row(row):
                continue
            info = None
            if c.cadence is Cadence.TRACKED:
                info = info_done(a for a in own if a.date in row.period)
            lines.append(Line(row, info))
        if period.is_all:
            # The overview during the promise: each commitment in the period running now.
            current = item.current
            overview = [line for line in lines if line.row.period == current.period]
            overview = overview or [Line(current)]
        else:
            overview = lines
        listed = (
            []
            if counts_only
            else [
                _listed(c, a)
                for a in sorted(
                    (
                        a
                        for a in progress.activities
                        if a.commitment == c.id and period.keeps_day(a.date)
                    ),
                    key=lambda a: (a.date, a.id),
                )
            ]
        )
        # When a count-only commitment was last updated would tell when it last happened.
        updated = None if counts_only else _last_updated(own, milestones_confirmed.get(c.id))
        sections.append(Section(c, lines, overview, listed, counts_only, updated))
    demo = any(a.description.startswith(DEMO_MARK) for a in all_activities)
    return Report(
        promise,
        tr,
        progress.today,
        generated_at,
        sections,
        chart[0],
        chart[1],
        internal,
        period,
        demo,
        empty,
        _assumptions(promise, tr.locale),
    )


def period_chart(progress: Progress, tr: Translator, period: PeriodFilter) -> tuple[bytes, str]:
    """Promised and done summed over the periods the report covers (not "now"), so the
    chart of a 2023 follow-up agrees with its 2023 tables."""
    bars = []
    for item in progress.items:
        c = item.commitment
        if not c.is_counted:
            continue
        rows = [r for r in item.history if period.keeps_row(r)]
        if rows:
            target = sum(r.target or 0 for r in rows)
            bars.append(Bar(c.short.get(tr.locale), sum(r.done for r in rows), target))
    title = tr.gettext("Promised and done, {period}").format(period=period.label)
    return render_progress.chart_with_alt(bars, title, tr, "svg")
