"""Staff: /status with a progress bar per commitment and a detail view, /pause for
reminders, admins' /recipients; and the ticks that send the weekly digest and escalations."""

from __future__ import annotations

from datetime import timedelta
from typing import Any

from telegram import Update

from bot.render import notices
from bot.render import pulse as render_pulse
from bot.render import status as render
from bot.render.callbacks import PauseAction, PausePress, StatusPress
from handlers.common import BotContext, admin_only, every, pressed, reply, show, staff_only

PAUSE_MAX_DAYS = 365


@staff_only("status")
async def show_status(update: Update, context: BotContext) -> None:
    root = context.bot_data.services
    today = root.clock.today()
    if len(root.promises) == 1:
        rows = await context.features.pace.current()
        await show(update, render.status(context.actor.tr, root.promise, rows, today))
        return
    # Several promises: those in force that this staff member works for (her kommun's; the
    # police area's staff: every kommun's).
    kommun = context.actor.municipality
    listed = root.promises
    sections = [
        (s.promise, await context.bot_data.features_for(s.promise).pace.current(),
         listed.index(s.promise))
        for s in root.in_force()
        if kommun in (None, s.promise.municipality)
    ]  # fmt: skip
    if not sections:  # nothing in force: the home promise as it stands
        rows = await context.features.pace.current()
        sections = [(root.promise, rows, listed.index(root.promise))]
    await show(update, render.status_of(context.actor.tr, sections, today, named=True))


@staff_only("status.detail")
@pressed(StatusPress)
async def show_detail(update: Update, context: BotContext, press: StatusPress) -> None:
    context.use_promise_at(press.promise)
    services = context.services
    commitment = services.promise.get(press.commitment)
    if commitment is None:
        await reply(update, notices.stale_button(context.actor.tr))
        return
    history, recent, upcoming = await context.features.pace.detail(commitment)
    tr = context.actor.tr
    areas = await context.features.pulse.areas_of(commitment.id)
    safety = render_pulse.status_lines(tr, services.promise, areas)
    await show(update, render.detail(tr, commitment, history, recent, upcoming, safety))


@staff_only("status")
async def back_to_status(update: Update, context: BotContext) -> None:
    await show_status(update, context)


@staff_only("reminders.pause")
async def ask_pause(update: Update, context: BotContext) -> None:
    paused = await context.features.reminders.paused_until(context.actor.user_id)
    await show(update, render.pause_choice(context.actor.tr, paused))


@staff_only("reminders.pause")
@pressed(PausePress)
async def press_pause(update: Update, context: BotContext, press: PausePress) -> None:
    tr = context.actor.tr
    if not 0 <= press.days <= PAUSE_MAX_DAYS:
        await reply(update, notices.stale_button(tr))
        return
    reminders = context.features.reminders
    if press.action is PauseAction.OFF:
        await reminders.pause(context.actor.user_id, None)
        await reply(update, render.paused(tr, None), edit=True)
        return
    until = context.services.clock.today() + timedelta(days=press.days)
    await reminders.pause(context.actor.user_id, until)
    await reply(update, render.paused(tr, until), edit=True)


@admin_only("reminders.recipients")
async def show_recipients(update: Update, context: BotContext) -> None:
    listing = await context.features.reminders.who_gets_what()
    rows = [(m.name, m.reminders_paused_until, commitments) for m, commitments in listing]
    today = context.services.clock.today()
    await reply(update, render.recipients(context.actor.tr, rows, today))


async def run_reminder_ticks(context: BotContext) -> None:
    for features in context.bot_data.in_force():  # an ended promise reminds no one
        await features.reminders.digest_tick()
        await features.reminders.escalation_tick()


async def schedule_reminders(app: Any) -> None:
    """Rebuilt at every start with a fixed name, so a restart replaces instead of adding."""
    every(app, "pace:reminders", run_reminder_ticks, 60, first=5)
