"""Residents: the safety pulse. /trygghet (/safety) and the invitations' taps choose an area,
then the bot sends Brå's question as a native anonymous poll; Telegram's poll updates carry
only the counts. The jobs invite residents after a theme meeting or dialogue and once a
quarter (those who opted in)."""

from __future__ import annotations

from typing import Any

from telegram import Update
from telegram.error import TelegramError
from telegram.ext import ApplicationHandlerStop

from bot.render import pulse as render
from bot.render.callbacks import PulseAction, PulsePress
from bot.services.pulse import NotAsked
from handlers.common import BotContext, every, pressed, reply, show
from handlers.outgoing import may_have_arrived

JOB = "pulse:invite"
JOB_SECONDS = 60

_NOT_ASKED = {
    NotAsked.STAFF: render.residents_only,
    NotAsked.NO_AREAS: render.no_areas,
    NotAsked.ALREADY: render.already_answered,
}


async def show_pulse(update: Update, context: BotContext) -> None:
    """/trygghet: answer now, and be asked once a quarter or not."""
    service = context.features.pulse
    refusal = await service.may_ask(context.actor)
    if refusal is NotAsked.STAFF or refusal is NotAsked.NO_AREAS:
        await reply(update, _NOT_ASKED[refusal](context.actor.tr))
        return
    opted_in = await service.opted_in(context.actor)
    await show(update, render.command_screen(context.actor.tr, opted_in, service.promise_index()))


@pressed(PulsePress)
async def press_pulse(update: Update, context: BotContext, press: PulsePress) -> None:
    context.use_promise_at(press.promise)
    service = context.features.pulse
    actor = context.actor
    tr = actor.tr
    if press.action is PulseAction.LATER:
        await reply(update, render.not_now(tr), edit=True)
        return
    if press.action in (PulseAction.YES, PulseAction.NO):
        if actor.is_staff:
            await reply(update, render.residents_only(tr))
            return
        yes = press.action is PulseAction.YES
        await service.set_opt_in(actor, yes)
        await reply(update, render.opted(tr, yes), edit=True)
        return
    if press.action is PulseAction.ASK:
        refusal = await service.may_ask(actor)
        if refusal is not None:
            await reply(update, _NOT_ASKED[refusal](tr))
            return
        await show(update, render.invitation(tr, service.s.promise, service.promise_index()))
        return
    request = await service.request_poll(actor, press.arg)
    if isinstance(request, NotAsked):
        await reply(update, _NOT_ASKED[request](tr), edit=True)
        return
    await show(update, render.area_chosen(tr, service.s.promise), edit=True)
    question, answers = render.poll(tr)
    try:
        sent = await context.bot.send_poll(
            actor.chat_id, question, answers, is_anonymous=True, allows_multiple_answers=False
        )
    except TelegramError as exc:
        if may_have_arrived(exc):
            # Telegram may have shown her the poll (the answer was lost on the way back):
            # the quarter stays taken, so nobody answers twice; that poll is not counted.
            return
        await service.poll_failed(actor, request)
        await reply(update, render.send_failed(tr))
        return
    if sent.poll is not None:
        await service.poll_sent(request, sent.poll.id)


async def on_poll(update: Update, context: BotContext) -> None:
    """Telegram's counts of a poll the bot sent (before the actor stage: a poll update has
    no user). Only anonymous polls of ours with the question's number of answers count."""
    poll = update.poll
    if poll is not None and poll.is_anonymous:
        counts = [option.voter_count for option in poll.options]
        await context.bot_data.features.pulse.record(poll.id, counts)
    raise ApplicationHandlerStop


async def offer_opt_in(update: Update, context: BotContext) -> None:
    """After /progress, once ever: be asked once a quarter?"""
    service = context.features.pulse
    if await service.offer_opt_in(context.actor):
        await show(update, render.opt_in_question(context.actor.tr, service.promise_index()))


async def run_invitations(context: BotContext) -> None:
    for features in context.bot_data.in_force():
        await features.pulse.after_events_tick()
        await features.pulse.quarterly_tick()


async def schedule_pulse(app: Any) -> None:
    every(app, JOB, run_invitations, JOB_SECONDS, first=20)
