"""Presenters for staff reminders: the weekly digest and the escalation to admins."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import date

from bot.domain.pace import PaceRow
from bot.domain.periods import period_label
from bot.domain.promise import Cadence, Commitment, Promise
from bot.domain.pulse import AreaSafety
from bot.domain.views import Attention
from bot.i18n import Translator
from bot.render import Button, Screen
from bot.render.callbacks import Card, CardAction, PlanAction, PlanPress
from bot.render.pulse import digest_line as pulse_digest_line
from bot.render.suggestions_staff import digest_line


def digest_text(tr: Translator, items: Sequence[Attention], day: date) -> str:
    """``day`` is the day it is sent: after a holiday or a missed week that is not a Monday,
    and the title says so."""
    _ = tr.gettext
    if day.weekday() == 0:
        title = _("Monday check of the citizen promise. These need attention:")
    else:
        title = _("Weekly check of the citizen promise ({weekday}). These need attention:").format(
            weekday=tr.date(day, "EEEE d MMMM")
        )
    lines = [title, ""]
    for item in items:
        row = item.row
        name = item.commitment.short.get(tr.locale)
        label = period_label(row.period, tr)
        if item.reason == "behind":
            detail = _("{done} of {target} done, {planned} planned ({period}) – behind").format(
                done=row.done, target=row.target, planned=row.planned, period=label
            )
        elif item.commitment.cadence is Cadence.MILESTONE:
            detail = tr.ngettext(
                "not reached yet, {n} day left", "not reached yet, {n} days left", row.days_left
            ).format(n=row.days_left)
        else:
            detail = tr.ngettext(
                "{done} of {target} done ({period}), {n} day left",
                "{done} of {target} done ({period}), {n} days left",
                row.days_left,
            ).format(done=row.done, target=row.target, period=label, n=row.days_left)
        lines.append(f"• {name}: {detail}")
    lines += [
        "",
        _("Plan an event: /plan   Report one: /report   Full status: /status"),
        _("On leave? Pause these reminders with /pause."),
    ]
    return "\n".join(lines)


def digest_buttons(tr: Translator, items: Sequence[Attention]) -> list[list[Button]]:
    """One tap to plan or report each commitment that needs attention (at most five)."""
    rows = []
    for item in items[:5]:
        name = item.commitment.short.get(tr.locale)
        plan = tr.gettext("Plan: {name}").format(name=name)[:40]
        report = tr.gettext("Report: {name}").format(name=name)[:40]
        rows.append(
            [
                Button(plan, PlanPress(PlanAction.NEW, item.commitment.id)),
                Button(report, Card(CardAction.NEW, item.commitment.id)),
            ]
        )
    return rows


def digest(
    tr: Translator,
    items: Sequence[Attention],
    day: date,
    *,
    voice: Sequence[tuple[str, int]] = (),
    promise: Promise | None = None,
    coordinator: bool = False,
    safety: Sequence[AreaSafety] = (),
) -> Screen:
    """The weekly digest to one staff member; ``voice``: residents' suggestions of the last
    week per group, one line (with the command that reads them for a coordinator);
    ``safety``: areas whose safety pulse worsened beyond its uncertainty, one line."""
    text = digest_text(tr, items, day)
    if voice and promise is not None:
        text += "\n\n" + digest_line(tr, promise, voice, coordinator)
    if safety and promise is not None:
        worse = pulse_digest_line(tr, promise, list(safety))
        if worse:
            text += "\n\n" + worse
    return Screen(text, digest_buttons(tr, items))


def voice_digest(tr: Translator, promise: Promise, voice: Sequence[tuple[str, int]]) -> Screen:
    """To a coordinator with no digest of her own: the week's suggestions, one line."""
    return Screen(digest_line(tr, promise, voice))


def escalation(tr: Translator, commitment: Commitment, row: PaceRow) -> Screen:
    """To admins: a period ended with a missed target."""
    _ = tr.gettext
    if commitment.cadence is Cadence.MILESTONE:
        text = _("Missed: {title} was not reached by {due}.").format(
            title=commitment.title.get(tr.locale), due=tr.date(row.period.end)
        )
    else:
        text = _(
            "Missed target: {title}, {period}: {done} of {target} done, "
            "{short} short. Please include it in the follow-up."
        ).format(
            title=commitment.title.get(tr.locale),
            period=period_label(row.period, tr),
            done=row.done,
            target=row.target,
            short=(row.target or 0) - row.done,
        )
    return Screen(text)
