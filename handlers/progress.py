"""Residents: /progress with a chart, /follow for news; admins: /publish the follow-up."""

from __future__ import annotations

import asyncio
from typing import Any

from telegram import InputFile, Update

from bot.domain.followup_view import PeriodFilter
from bot.render import Button, Screen, notices
from bot.render import kommun as render_kommun
from bot.render import progress as render
from bot.render import pulse as render_pulse
from bot.render.callbacks import FollowAction, FollowPress
from bot.services.followup import render_report
from handlers.common import BotContext, admin_only, every, pressed, reply, send, show
from handlers.kommun import several_kommuner

CAPTION_MAX = 1024  # Telegram's limit for photo captions


async def show_progress(update: Update, context: BotContext) -> None:
    """/progress, the typed question "Hur går det?" and the menu's "How is it going?" button
    all come here: the chart (with its facts as the caption) and the summary."""
    tr = context.actor.tr
    promise = context.services.promise
    progress = await context.features.progress.progress()
    text = render.summary(tr, promise, progress)
    safety = render_pulse.progress_lines(tr, promise, await context.features.pulse.summary())
    if safety:
        text += "\n\n" + "\n".join(safety)
    # Drawing takes ~0.1 s: off the event loop so other chats are not kept waiting.
    png, alt = await asyncio.to_thread(render.chart, tr, promise, progress)
    if update.callback_query is not None:
        await update.callback_query.answer()
    chat = update.effective_chat
    if chat is None:
        return
    await chat.send_photo(InputFile(png, filename="progress.png"), caption=alt[:CAPTION_MAX])
    rows = await kommun_rows(context)
    pulse = context.features.pulse
    if await pulse.offer_opt_in(context.actor):
        # Once ever, under the summary: be asked how safe she feels once a quarter?
        ask = render_pulse.opt_in_question(tr, pulse.promise_index())
        await show(update, Screen(f"{text}\n\n{ask.text}", ask.rows + rows))
        return
    if rows:
        await show(update, Screen(text, rows))
        return
    await send(update, text)


async def kommun_rows(context: BotContext) -> list[list[Button]]:
    """Several kommuner and hers not known: a button to say which (the answer depends on it)."""
    actor = context.actor
    if actor.is_staff or not several_kommuner(context):
        return []
    if await context.people.municipality(actor.user_id) is not None:
        return []
    return [[render_kommun.ask_button(actor.tr)]]


async def choose_follow(update: Update, context: BotContext) -> None:
    service = context.features.progress
    following = await service.follows(context.actor.chat_id)
    tr = context.actor.tr
    promises = context.bot_data.services.promises
    index = promises.index(context.services.promise)
    # Several kommuner: whose promise this is, and another kommun's to follow instead.
    other = several_kommuner(context) and not context.actor.is_staff
    heading = render_kommun.whose(tr, context.services.promise) if other else None
    screen = render.follow_choice(tr, service.followable(), following, index, heading)
    if other:
        screen = Screen(screen.text, [*screen.rows, [render_kommun.follow_other_button(tr)]])
    await show(update, screen)


@pressed(FollowPress)
async def press_follow(update: Update, context: BotContext, press: FollowPress) -> None:
    context.use_promise_at(press.promise)
    service = context.features.progress
    commitment = context.services.promise.get(press.commitment)
    if commitment is None or commitment not in service.followable():
        await reply(update, notices.stale_button(context.actor.tr))
        return
    on = press.action is FollowAction.ON
    await service.set_follow(context.actor.chat_id, commitment, on, by=context.actor)
    following = await service.follows(context.actor.chat_id)
    index = context.bot_data.services.promises.index(context.services.promise)
    screen = render.following_now(context.actor.tr, service.followable(), following, index)
    await show(update, screen, edit=True)


@admin_only("report.publish")
async def publish_report(update: Update, context: BotContext) -> None:
    actor = context.actor
    html = await render_report(
        context.services,
        "html",
        actor.locale,
        PeriodFilter(),
        progress_service=context.features.progress,
    )
    chat = update.effective_chat
    if chat is None:
        return
    await context.people.audit(actor, "report.publish")
    await chat.send_document(
        InputFile(html.encode("utf-8"), filename="uppfoljning-medborgarlofte.html"),
        caption=render.published_caption(actor.tr),
    )


async def run_follow_tick(context: BotContext) -> None:
    for features in context.bot_data.each():
        await features.progress.follow_tick()


async def schedule_follow_news(app: Any) -> None:
    every(app, "progress:follow-news", run_follow_tick, 60, first=10)
