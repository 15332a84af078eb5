"""Residents' free text: understood by the question matcher and answered from live data.
Anything else (stickers, photos, voice) gets a calm "I read text" answer and the menu."""

from __future__ import annotations

from dataclasses import replace

from telegram import Update

from bot.domain.promise import WorryTopic
from bot.i18n import staff_locale
from bot.language.emergency import Danger
from bot.language.questions import Intent, Match, public_event_kind
from bot.language.scamcheck import check_message
from bot.render import Screen
from bot.render import answers as render
from bot.render.callbacks import AskPress, AskTopic, Meant, MeantPress
from bot.services.answers import Answer
from bot.settings import SUPPORTED_LOCALES
from handlers import suggestions
from handlers.common import BotContext, pressed, reply, show, user_data
from handlers.menus import closest_command
from handlers.progress import show_progress
from handlers.tips import stop_tips

MAX_TEXT = 1000


def answered(answer: Answer) -> Screen:
    return Screen(answer.text, answer.buttons)


def speak(context: BotContext, locale: str) -> None:
    """Answer this update in ``locale`` (the language the text is written in): everything
    downstream reads ``context.actor``. Staff screens stay Swedish or English."""
    actor = context.actor
    if actor.is_staff:
        locale = staff_locale(locale, context.services.settings.locale)
    if locale != actor.locale and locale in SUPPORTED_LOCALES:
        context.actor = replace(actor, locale=locale, tr=context.services.translator(locale))


async def on_resident_text(update: Update, context: BotContext) -> None:
    message = update.message
    if message is None:
        return
    text = message.text or ""
    answers = context.features.answers
    speak(context, answers.reply_locale(text, context.actor.locale))
    actor = context.actor
    if user_data(context).scam_next:
        user_data(context).scam_next = False
        answer = answers.check_text(text, actor.locale)
        if answer.intent == Intent.SCAM_CHECK:
            await answers.count_scam_signs(check_message(text).flags)
        await reply(update, answer.text)
        return
    match = await answers.understand_in_chat(text, actor.locale, actor.chat_id)
    if match.intent is Intent.UNKNOWN and len(text) > MAX_TEXT:
        await show(update, render.too_long(actor.tr))
        return
    if match.intent is Intent.SCAM_CHECK:
        await answers.count_scam_signs(match.flags)
    if await suggestions.take_text(update, context, match, text):  # a suggestion's card
        return
    await act_on(update, context, match)


async def act_on(update: Update, context: BotContext, match: Match) -> None:
    """One table from what was understood to what is done (typed or tapped)."""
    if match.intent is Intent.STOP_TIPS:
        # "sluta skicka tips" stops the tips at once, like /stop.
        await stop_tips(update, context)
        return
    if match.intent is Intent.PROGRESS:
        # "Hur går det?" gets exactly what /progress shows: the chart and the summary
        # (built once, by /progress, not also as a text answer); so does its menu button.
        await show_progress(update, context)
        return
    answers = context.features.answers
    await show(update, answered(await answers.respond(match, context.actor.locale)))


@pressed(MeantPress)
async def press_meant(update: Update, context: BotContext, press: MeantPress) -> None:
    """A "Did you mean …?" button: the answer it names, in the language the question was
    written in. Its fields are untrusted: an unknown language or argument is ignored."""
    speak(context, press.lang if press.lang in SUPPORTED_LOCALES else context.actor.locale)
    if press.meant is Meant.SCAM_CHECK:
        await ask_for_scam_text(update, context)
        return
    promise = context.services.promise
    arg = press.arg if press.arg != "0" else None
    intent = Intent.CONTACT_POLICE if press.meant is Meant.PAST_CRIME else Intent(press.meant)
    danger = Danger.PAST_CRIME.value if press.meant is Meant.PAST_CRIME else None
    kind = arg if intent is Intent.NEXT_EVENT and arg and public_event_kind(promise, arg) else None
    worry = arg if intent is Intent.WORRY and arg in set(WorryTopic) else None
    await act_on(update, context, Match(intent, kind, 1.0, None, danger, worry=worry))


async def on_non_text(update: Update, context: BotContext) -> None:
    await show(update, render.text_only(context.actor.tr))


# The menu's buttons carry what they ask for, and answer exactly like the typed question.
ASKED = {AskTopic.ABOUT: Intent.ABOUT_PROMISE, AskTopic.TIPS: Intent.SUBSCRIBE_TIPS}


@pressed(AskPress)
async def press_ask(update: Update, context: BotContext, press: AskPress) -> None:
    """The menu's buttons (ask:<topic>:0) answer like the matching question would."""
    if press.topic is AskTopic.PROGRESS:
        await show_progress(update, context)
        return
    if press.topic is AskTopic.SCAM:
        await ask_for_scam_text(update, context)
        return
    await act_on(update, context, Match(ASKED[press.topic], None, 1.0, None))


async def ask_for_scam_text(update: Update, context: BotContext) -> None:
    """ "Is this a scam?": the next text is checked."""
    user_data(context).scam_next = True
    await reply(update, render.scam_prompt_text(context.actor.tr))


async def on_edited(update: Update, context: BotContext) -> None:
    """An edited message is not acted on (a report could be counted twice, a question
    answered twice): say so, calmly."""
    message = update.edited_message
    if message is None or message.chat.type != "private":
        return
    await message.reply_text(render.edits_not_read(context.actor.tr))


async def on_unknown_command(update: Update, context: BotContext) -> None:
    """Any command the bot does not know (/hjälp, /meny, /stopp …) gets the menu, and the
    closest real command when one is near."""
    message = update.message
    if message is None:
        return
    near = closest_command((message.text or "").split(maxsplit=1)[0], context.actor.locale)
    await show(update, render.unknown_command(context.actor.tr, near))
