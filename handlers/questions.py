"""Residents' free text: understood by the question matcher and answered from live data.
Anything else (stickers, photos, voice) gets a calm "I read text" answer and the menu."""

from __future__ import annotations

from telegram import Update

from bot.questions import Intent
from bot.scamcheck import check_message
from bot.services.answers import AnswerService, menu_buttons, menu_text
from handlers.common import BotContext, keyboard, reply, split_cb, user_data
from handlers.menus import closest_command
from handlers.progress import show_progress
from handlers.tips import stop_tips
from storage.subscriptions import ScamCountRepo

MAX_TEXT = 1000


SCAM_NEXT = "scam_next"  # user_data flag: the next text is one to check for fraud


async def on_resident_text(update: Update, context: BotContext) -> None:
    message = update.message
    if message is None:
        return
    actor = context.actor
    text = message.text or ""
    answers = AnswerService(context.services)
    if user_data(context).pop(SCAM_NEXT, None):
        answer = answers.check_text(text, actor.locale)
        if answer.intent == Intent.SCAM_CHECK:
            await count_flags(context, check_message(text).flags)
        await reply(update, answer.text)
        return
    match = answers.understand(text, actor.locale)
    if match.intent is Intent.UNKNOWN and len(text) > MAX_TEXT:
        await reply(
            update,
            actor.tr.gettext("That was a long message. Please ask in a sentence or two.")
            + "\n\n"
            + menu_text(actor.tr),
            keyboard(menu_buttons(actor.tr)),
        )
        return
    if match.intent is Intent.SCAM_CHECK:
        await count_flags(context, match.flags)
    if match.intent is Intent.STOP_TIPS:
        # "sluta skicka tips" stops the tips at once, like /stop.
        await stop_tips(update, context)
        return
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


async def count_flags(context: BotContext, flags: tuple[str, ...]) -> None:
    """Anonymous monthly counts per kind of sign; never the text."""
    if flags:
        month = context.services.clock.now().strftime("%Y-%m")
        await ScamCountRepo(context.services.db).bump(month, list(flags))


async def press_ask(update: Update, context: BotContext) -> None:
    """The menu's buttons (ask:<topic>:0) answer like the matching question would."""
    parts = split_cb(update.callback_query.data if update.callback_query else None, 3)
    if parts is not None and parts[1] == "scam":
        user_data(context)[SCAM_NEXT] = True
        await reply(
            update,
            context.actor.tr.gettext(
                "Paste the text you are unsure about here, as your next message. "
                "I will look for signs of fraud and I will not save it."
            ),
        )
        return
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


async def on_unknown_command(update: Update, context: BotContext) -> None:
    """Any command the bot does not know (/hjälp, /meny, /stopp …) gets the menu, and the
    closest real command when one is near."""
    message = update.message
    if message is None:
        return
    tr = context.actor.tr
    lines = [tr.gettext("I do not know that command.")]
    near = closest_command((message.text or "").split(maxsplit=1)[0], context.actor.locale)
    if near is not None:
        lines[0] += " " + tr.gettext("Did you mean /{command}?").format(command=near)
    await reply(update, lines[0] + "\n\n" + menu_text(tr), keyboard(menu_buttons(tr)))
