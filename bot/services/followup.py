"""The public follow-up of the promise: gathers the data and hands it to the presenter
(``bot.render.followup``), which writes HTML, Markdown, CSV or JSON."""

from __future__ import annotations

from datetime import date

from bot.render import progress as render_progress
from bot.render.followup import PeriodFilter, Report, build_report, period_chart, render
from bot.services import Services
from bot.services.progress import ProgressService


async def build(
    services: Services,
    locale: str,
    period: PeriodFilter,
    internal: bool = False,
    today: date | None = None,
    progress_service: ProgressService | None = None,
) -> Report:
    """``progress_service``: the bot's own (``BotData.features.progress``) when it runs."""
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
    return build_report(
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
