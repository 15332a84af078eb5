"""Residents' free text: understood by the question matcher and answered from live data.
Anything else (stickers, photos, voice) gets a calm "I read text" answer and the menu."""

from __future__ import annotations

from telegram import Update

from bot.questions import Intent
from bot.services.answers import AnswerService, menu_buttons, menu_text
from handlers.common import BotContext, keyboard, reply, split_cb
from handlers.progress import show_progress

MAX_TEXT = 1000


async def on_resident_text(update: Update, context: BotContext) -> None:
    message = update.message
    if message is None:
        return
    actor = context.actor
    text = message.text or ""
    if len(text) > MAX_TEXT:
        await reply(
            update,
            actor.tr.gettext("That was a long message. Please ask in a sentence or two.")
            + "\n\n"
            + menu_text(actor.tr),
            keyboard(menu_buttons(actor.tr)),
        )
        return
    answers = AnswerService(context.services)
    match = answers.understand(text, actor.locale)
    if match.intent is Intent.PROGRESS:
        # "Hur går det?" gets exactly what /progress shows: the chart and the summary
        # (built once, by /progress, not also as a text answer).
        await show_progress(update, context)
        return
    answer = await answers.respond(match, actor.locale)
    await reply(update, answer.text, keyboard(answer.buttons) if answer.buttons else None)


async def on_non_text(update: Update, context: BotContext) -> None:
    tr = context.actor.tr
    await reply(
        update,
        tr.gettext("I can only read text. Write your question in words.") + "\n\n" + menu_text(tr),
        keyboard(menu_buttons(tr)),
    )


async def press_ask(update: Update, context: BotContext) -> None:
    """The menu's buttons (ask:<topic>:0) answer like the matching question would."""
    parts = split_cb(update.callback_query.data if update.callback_query else None, 3)
    topics = {"progress": "hur går det", "about": "vad har ni lovat", "tips": "jag vill ha tips"}
    if parts is None or parts[1] not in topics:
        await reply(update, context.actor.tr.gettext("That button is no longer valid."))
        return
    answer = await AnswerService(context.services).answer(topics[parts[1]], context.actor.locale)
    await reply(update, answer.text, keyboard(answer.buttons) if answer.buttons else None)


async def on_edited(update: Update, context: BotContext) -> None:
    """An edited message is not acted on (a report could be counted twice, a question
    answered twice): say so, calmly."""
    message = update.edited_message
    if message is None or message.chat.type != "private":
        return
    await message.reply_text(
        context.actor.tr.gettext(
            "I only read new messages, not edits. Please send it again as a new message."
        )
    )
