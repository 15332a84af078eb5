"""Residents: their kommun, when the deployment holds the promises of several kommuner.
/kommun (/municipality) and the "Another kommun?" buttons choose where she lives (the promise
she is answered about from then on); she may also follow another kommun's promise."""

from __future__ import annotations

from telegram import Update

from bot.render import kommun as render
from bot.render import notices
from bot.render import progress as render_progress
from bot.render.callbacks import KommunAction, KommunPress
from handlers.common import BotContext, pressed, reply, show


def several_kommuner(context: BotContext) -> bool:
    return len(context.bot_data.services.promises.municipalities) > 1


async def choose_kommun(update: Update, context: BotContext) -> None:
    """/kommun: where she lives (staff: their invitation says)."""
    tr = context.actor.tr
    if context.actor.is_staff:
        await reply(update, render.staff_kommun(tr))
        return
    services = context.bot_data.services
    kommuner = services.promises.municipalities
    if len(kommuner) == 1:
        await reply(update, render.only_one(tr, services.promise))
        return
    await show(update, render.choose(tr, kommuner))


@pressed(KommunPress)
async def press_kommun(update: Update, context: BotContext, press: KommunPress) -> None:
    actor = context.actor
    tr = actor.tr
    services = context.bot_data.services
    kommuner = services.promises.municipalities
    if press.action is KommunAction.ASK:
        await show(update, render.choose(tr, kommuner))
        return
    if press.action is KommunAction.ASK_FOLLOW:
        await show(update, render.choose(tr, kommuner, follow=True))
        return
    if not 0 <= press.index < len(kommuner):
        await reply(update, notices.stale_button(tr))
        return
    kommun = kommuner[press.index]
    promise = services.promises.current(kommun, services.clock.today())
    if press.action is KommunAction.SET:
        if actor.is_staff:
            await reply(update, render.staff_kommun(tr))
            return
        await context.people.set_municipality(actor, kommun)
        await reply(update, render.chosen(tr, promise), edit=True)
        return
    # Follow another kommun's promise: its commitments, followed in that promise.
    context.use_promise(promise)
    service = context.features.progress
    following = await service.follows(actor.chat_id)
    index = services.promises.index(promise)
    screen = render_progress.follow_choice(
        tr, service.followable(), following, index, heading=render.whose(tr, promise)
    )
    await show(update, screen, edit=True)
