"""Presenters for staff's /status (a progress bar per commitment and a detail view),
/pause and admins' /recipients; the ``status`` CLI prints the same lines."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import date

from bot.domain.conditions import verdict
from bot.domain.pace import PaceRow, state_badge
from bot.domain.periods import period_label
from bot.domain.promise import Cadence, Commitment, Promise
from bot.domain.records import Activity, Event
from bot.i18n import Translator
from bot.render import Button, Screen
from bot.render.callbacks import PauseAction, PausePress, StatusAction, StatusPress
from bot.render.conditions import not_counted_text, not_met_text, tally_text

BAR_WIDTH = 8
PAUSE_WEEKS = (1, 2, 4, 8)


def progress_bar(done: int, planned: int, target: int | None) -> str:
    """Full blocks for done, shaded for planned, light for what is missing: these three
    characters render on every phone."""
    if not target:
        return ""
    full = min(BAR_WIDTH, round(BAR_WIDTH * done / target))
    shaded = min(BAR_WIDTH - full, round(BAR_WIDTH * planned / target))
    return "█" * full + "▒" * shaded + "░" * (BAR_WIDTH - full - shaded)


def status_line(tr: Translator, commitment: Commitment, row: PaceRow) -> str:
    _ = tr.gettext
    name = commitment.short.get(tr.locale)
    state = state_badge(tr, row.state, row.late)
    if commitment.cadence is Cadence.MILESTONE:
        return _("{name} · milestone by {due}: {state}").format(
            name=name, due=tr.date(row.period.end, "d MMM yyyy"), state=state
        )
    label = period_label(row.period, tr)
    if commitment.cadence is Cadence.TRACKED:
        return _("{name} · {period}: {done} so far {state}").format(
            name=name, period=label, done=row.done, state=state
        )
    bar = progress_bar(row.done, row.planned, row.target)
    line = _("{bar} {name} · {period}: {done}+{planned} of {target} {state}")
    return line.format(
        bar=bar,
        name=name,
        period=label,
        done=row.done,
        planned=row.planned,
        target=row.target,
        state=state,
    )


def condition_lines(tr: Translator, row: PaceRow) -> list[str]:
    """Under a commitment's line: what its counted reports met of the promise's conditions,
    and how many saved reports do not count, with the reason."""
    found = (tally_text(tr, row.conditions), not_counted_text(tr, row.conditions))
    return ["   " + text for text in found if text]


def status(tr: Translator, promise: Promise, rows: Sequence[PaceRow], today: date) -> Screen:
    return status_of(tr, [(promise, rows, 0)], today)


def status_of(
    tr: Translator,
    sections: Sequence[tuple[Promise, Sequence[PaceRow], int]],
    today: date,
    named: bool = False,
) -> Screen:
    """/status for the promises a staff member works for: with several, one section each,
    headed by the promise's name (``int``: its place in the deployment's list, for the
    detail buttons)."""
    _ = tr.gettext
    several = len(sections) > 1
    lines = [
        _("Where the promises stand ({date}):").format(date=tr.date(today))
        if several
        else _("Where the promise stands ({date}):").format(date=tr.date(today))
    ]
    buttons = []
    for promise, rows, index in sections:
        if several or named:  # ``named``: the deployment has several promises
            lines += ["", promise.name.get(tr.locale)]
        for row in rows:
            commitment = promise.commitment(row.commitment_id)
            lines.append(status_line(tr, commitment, row))
            lines += condition_lines(tr, row)
            press = StatusPress(StatusAction.SHOW, commitment.id, index)
            label = commitment.short.get(tr.locale)
            if several:
                label = f"{label} ({promise.municipality})"
            buttons.append([Button(label, press)])
    lines += ["", _("█ done  ▒ planned  ░ missing")]
    return Screen("\n".join(lines), buttons)


def detail(
    tr: Translator,
    commitment: Commitment,
    history: Sequence[PaceRow],
    recent: Sequence[Activity],
    upcoming: Sequence[Event],
    safety: Sequence[str] = (),
) -> Screen:
    """``safety``: the pulse's lines of the areas the commitment was held in."""
    _ = tr.gettext
    lines = [commitment.title.get(tr.locale), ""]
    for row in history:
        lines += [status_line(tr, commitment, row), *condition_lines(tr, row)]
    if safety:
        lines += ["", *safety]
    if recent:
        lines += ["", _("Recent reports:")]
        for a in recent:
            line = "• " + tr.date(a.date, "d MMM yyyy")
            if a.place:
                line += f" – {a.place}"
            if a.count is not None:
                line += " – " + tr.ngettext("{n} person", "{n} people", a.count).format(n=a.count)
            not_met = verdict(commitment, a.conditions).not_met
            if not_met:
                line += " – " + not_met_text(tr, not_met)
            lines.append(line)
    if upcoming:
        lines += ["", _("Planned:")]
        lines += [f"• {tr.short_datetime(e.starts_at)} – {e.title}" for e in upcoming[:5]]
    lines += ["", _("Report: /report   Plan: /plan")]
    return Screen("\n".join(lines), [[Button(_("« Back"), StatusPress(StatusAction.LIST))]])


def pause_choice(tr: Translator, paused_until: date | None) -> Screen:
    _ = tr.gettext
    intro = (
        _("Your reminders are paused until {date}.").format(date=tr.date(paused_until))
        if paused_until is not None
        else _("Pause your Monday reminders, for example during leave:")
    )
    labels = {1: _("1 week"), 2: _("2 weeks"), 4: _("4 weeks"), 8: _("8 weeks")}
    weeks = [Button(labels[w], PausePress(PauseAction.SET, 7 * w)) for w in PAUSE_WEEKS]
    return Screen(
        intro,
        [weeks[:2], weeks[2:], [Button(_("Resume reminders"), PausePress(PauseAction.OFF))]],
    )


def paused(tr: Translator, until: date | None) -> str:
    """/pause's answer: paused until a day, or (``None``) the reminders are on again."""
    _ = tr.gettext
    if until is None:
        return _("Reminders are on again.")
    return _("Paused until {date}.").format(date=tr.date(until))


def recipients(
    tr: Translator,
    listing: Sequence[tuple[str, date | None, Sequence[Commitment]]],
    today: date,
) -> str:
    """/recipients: each staff member (name, reminders paused until) and the commitments
    they are reminded of."""
    _ = tr.gettext
    if not listing:
        return _("No staff yet. Invite someone with /invite.")
    lines = [_("Who gets the Monday reminders, for which commitments:")]
    for name, paused, commitments in listing:
        names = ", ".join(c.short.get(tr.locale) for c in commitments) or _("nothing")
        note = (
            " " + _("(paused until {date})").format(date=tr.date(paused))
            if paused and paused >= today
            else ""
        )
        lines.append(f"• {name}{note}: {names}")
    return "\n".join(lines)
