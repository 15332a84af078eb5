"""Staff: /status with a progress bar per commitment and a detail view, /pause for
reminders, admins' /recipients; and the ticks that send the weekly digest and escalations."""

from __future__ import annotations

from datetime import timedelta
from typing import Any

from telegram import Update

from bot.i18n import Translator
from bot.pace import PaceRow, state_badge
from bot.periods import period_label
from bot.promise import Cadence, Commitment
from bot.services.pace import PaceService
from bot.services.reminders import ReminderService
from handlers.common import (
    BotContext,
    admin_only,
    cb,
    every,
    int_arg,
    keyboard,
    reply,
    split_cb,
    staff_only,
)

BAR_WIDTH = 8


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
    return _("{bar} {name} · {period}: {done}+{planned} of {target} {state}").format(
        bar=bar, name=name, period=label, done=row.done, planned=row.planned,
        target=row.target, state=state,
    )  # fmt: skip


@staff_only("status")
async def show_status(update: Update, context: BotContext) -> None:
    tr = context.actor.tr
    _ = tr.gettext
    promise = context.services.promise
    rows = await PaceService(context.services).current()
    lines = [
        _("Where the promise stands ({date}):").format(date=tr.date(context.services.clock.today()))
    ]
    buttons = []
    for row in rows:
        commitment = promise.commitment(row.commitment_id)
        lines.append(status_line(tr, commitment, row))
        buttons.append([(commitment.short.get(tr.locale), cb("st", "show", commitment.id))])
    lines += ["", _("█ done  ▒ planned  ░ missing")]
    await reply(update, "\n".join(lines), keyboard(buttons))


@staff_only("status.detail")
async def show_detail(update: Update, context: BotContext) -> None:
    tr = context.actor.tr
    _ = tr.gettext
    parts = split_cb(update.callback_query.data if update.callback_query else None, 3)
    commitment = context.services.promise.get(parts[2]) if parts else None
    if commitment is None:
        await reply(update, _("That button is no longer valid."))
        return
    services = context.services
    history = await PaceService(services).history(commitment)
    lines = [commitment.title.get(tr.locale), ""]
    lines += [status_line(tr, commitment, row) for row in history]
    recent = await services.activities.recent(commitment.id, limit=5)
    if recent:
        lines += ["", _("Recent reports:")]
        for a in recent:
            line = "• " + tr.date(a.date, "d MMM yyyy")
            if a.place:
                line += f" – {a.place}"
            if a.count is not None:
                line += " – " + tr.ngettext("{n} person", "{n} people", a.count).format(n=a.count)
            lines.append(line)
    upcoming = await services.events.upcoming(services.clock.now(), commitment=commitment.id)
    if upcoming:
        lines += ["", _("Planned:")]
        lines += [f"• {tr.short_datetime(e.starts_at)} – {e.title}" for e in upcoming[:5]]
    lines += ["", _("Report: /report   Plan: /plan")]
    await reply(update, "\n".join(lines), keyboard([[(_("« Back"), cb("st", "list", "-"))]]))


@staff_only("status")
async def back_to_status(update: Update, context: BotContext) -> None:
    await show_status(update, context)


@staff_only("reminders.pause")
async def ask_pause(update: Update, context: BotContext) -> None:
    _ = context.actor.tr.gettext
    member = await context.services.staff.active(context.actor.user_id)
    paused = member.reminders_paused_until if member else None
    intro = (
        _("Your reminders are paused until {date}.").format(date=context.actor.tr.date(paused))
        if paused and paused >= context.services.clock.today()
        else _("Pause your Monday reminders, for example during leave:")
    )
    rows = [
        [(_("1 week"), cb("pause", "set", 7)), (_("2 weeks"), cb("pause", "set", 14))],
        [(_("4 weeks"), cb("pause", "set", 28)), (_("8 weeks"), cb("pause", "set", 56))],
        [(_("Resume reminders"), cb("pause", "off", 0))],
    ]
    await reply(update, intro, keyboard(rows))


@staff_only("reminders.pause")
async def press_pause(update: Update, context: BotContext) -> None:
    tr = context.actor.tr
    _ = tr.gettext
    parts = split_cb(update.callback_query.data if update.callback_query else None, 3)
    days = int_arg(parts[2]) if parts else None
    if parts is None or days is None or parts[1] not in ("set", "off") or days > 365:
        await reply(update, _("That button is no longer valid."))
        return
    reminders = ReminderService(context.services)
    if parts[1] == "off":
        await reminders.pause(context.actor.user_id, None)
        await reply(update, _("Reminders are on again."), edit=True)
        return
    until = context.services.clock.today() + timedelta(days=days)
    await reminders.pause(context.actor.user_id, until)
    await reply(update, _("Paused until {date}.").format(date=tr.date(until)), edit=True)


@admin_only("reminders.recipients")
async def show_recipients(update: Update, context: BotContext) -> None:
    tr = context.actor.tr
    _ = tr.gettext
    listing = await ReminderService(context.services).who_gets_what()
    if not listing:
        await reply(update, _("No staff yet. Invite someone with /invite."))
        return
    today = context.services.clock.today()
    lines = [_("Who gets the Monday reminders, for which commitments:")]
    for member, commitments in listing:
        names = ", ".join(c.short.get(tr.locale) for c in commitments) or _("nothing")
        paused = member.reminders_paused_until
        note = (
            " " + _("(paused until {date})").format(date=tr.date(paused))
            if paused and paused >= today
            else ""
        )
        lines.append(f"• {member.name}{note}: {names}")
    await reply(update, "\n".join(lines))


async def run_reminder_ticks(context: BotContext) -> None:
    services = context.bot_data.services
    reminders = ReminderService(services)
    await reminders.digest_tick()
    await reminders.escalation_tick()


async def schedule_reminders(app: Any) -> None:
    """Rebuilt at every start with a fixed name, so a restart replaces instead of adding."""
    every(app, "pace:reminders", run_reminder_ticks, 60, first=5)
