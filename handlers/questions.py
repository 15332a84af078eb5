"""Residents' free text and the buttons that ask a question: understood once by the answer
service (``bot.services.answers``), then acted on from two tables — ``CHAT_ACTIONS`` here for
what the chat does itself, the service's ``ANSWERS`` for everything else. Anything else
(stickers, photos, voice) gets a calm "I read text" answer and the menu."""

from __future__ import annotations

from collections.abc import Awaitable, Callable, Mapping
from dataclasses import replace
from types import MappingProxyType

from telegram import Update

from bot.i18n import staff_locale
from bot.language.questions import Intent
from bot.render import Screen
from bot.render import answers as render
from bot.render.callbacks import AskPress, AskTopic, MeantPress
from bot.services.answers import Answer, Understood
from bot.settings import SUPPORTED_LOCALES
from handlers import suggestions
from handlers.common import BotContext, pressed, reply, show, user_data
from handlers.menus import closest_command
from handlers.progress import show_progress
from handlers.tips import stop_tips

ChatAction = Callable[[Update, BotContext, Understood], Awaitable[None]]


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
    """A text, read once (``AnswerService.understand_in_chat``), then acted on."""
    message = update.message
    if message is None:
        return
    scratch = user_data(context)
    checking = scratch.scam_next  # after "Is this a scam?" the text is checked
    if checking:
        scratch.scam_next = False
    actor = context.actor
    await use_residents_promise(context, message.text or "")
    understood = await context.features.answers.understand_in_chat(
        message.text or "", actor.locale, actor.chat_id, checking=checking
    )
    # After a poster's link the text is what she wants brought up (danger still first).
    understood = suggestions.through_poster(context, understood)
    await act_on(update, context, understood)


async def use_residents_promise(context: BotContext, text: str) -> None:
    """Several kommuner: answer from the promise of the kommun a place in ``text`` names
    (remembered as hers), else of her kommun, else of the home kommun. One kommun: the
    home promise, as always."""
    services = context.bot_data.services
    if len(services.promises.municipalities) < 2:
        return
    actor = context.actor
    people = context.people
    mine = None if actor.is_staff else await people.municipality(actor.user_id)
    answers = context.bot_data.features.answers
    promise, named = answers.promise_for_resident(text, mine or actor.municipality)
    if named and not actor.is_staff and mine != promise.municipality:
        await people.set_municipality(actor, promise.municipality)
    context.use_promise(promise)


async def act_on(update: Update, context: BotContext, understood: Understood) -> None:
    """What was understood (typed or tapped), done: the chat's own action for an intent in
    ``CHAT_ACTIONS``, else the answer from the service's table (``bot.services.answers``)."""
    speak(context, understood.locale)
    if not context.promise_chosen:  # a tapped question
        await use_residents_promise(context, "")
    action = CHAT_ACTIONS.get(understood.match.intent, give_answer)
    await action(update, context, understood)


async def give_answer(update: Update, context: BotContext, understood: Understood) -> None:
    # In the language ``speak`` settled on (staff screens stay Swedish or English).
    settled = replace(understood, locale=context.actor.locale)
    await show(update, answered(await context.features.answers.respond(settled)))


async def stop_at_once(update: Update, context: BotContext, _understood: Understood) -> None:
    await stop_tips(update, context)


async def progress_chart(update: Update, context: BotContext, _understood: Understood) -> None:
    await show_progress(update, context)


async def check_a_text(update: Update, context: BotContext, understood: Understood) -> None:
    """A scam check needs a text: a tap on "Is this a scam?" asks for it (the next text is
    checked); a text that was checked is answered (its signs were counted as it was read)."""
    if understood.tapped:
        await ask_for_scam_text(update, context)
    else:
        await give_answer(update, context, understood)


# What the chat does itself instead of answering: the one place in the handlers that acts on
# an intent. Every other intent (and these on the command line) is answered by the service's
# table, ``bot.services.answers.ANSWERS``.
CHAT_ACTIONS: Mapping[Intent, ChatAction] = MappingProxyType(
    {
        # "sluta skicka tips" (or its button) stops the tips at once, like /stop.
        Intent.STOP_TIPS: stop_at_once,
        # "Hur går det?" (or the menu's button) gets exactly what /progress shows: the chart
        # and the summary.
        Intent.PROGRESS: progress_chart,
        # "Is this a scam?" tapped: the next text is checked; a checked text: its answer.
        Intent.SCAM_CHECK: check_a_text,
        # A theme, wish or unsafe place: a card to send (handlers.suggestions); a worry: its
        # answer and "Do you want us to include this?".
        Intent.SUGGESTION: suggestions.open_card,
        Intent.UNSAFE_PLACE: suggestions.open_card,
        Intent.WORRY: suggestions.answer_with_offer,
    }
)

# The menu's buttons carry the intent they ask for, and are answered exactly like the typed
# question.
ASKED: Mapping[AskTopic, Intent] = MappingProxyType(
    {
        AskTopic.PROGRESS: Intent.PROGRESS,
        AskTopic.ABOUT: Intent.ABOUT_PROMISE,
        AskTopic.TIPS: Intent.SUBSCRIBE_TIPS,
        AskTopic.SCAM: Intent.SCAM_CHECK,
    }
)


@pressed(AskPress)
async def press_ask(update: Update, context: BotContext, press: AskPress) -> None:
    """The menu's buttons (ask:<topic>:0) answer like the matching question would."""
    understood = context.features.answers.tapped(ASKED[press.topic], None, context.actor.locale)
    await act_on(update, context, understood)


@pressed(MeantPress)
async def press_meant(update: Update, context: BotContext, press: MeantPress) -> None:
    """A "Did you mean …?" button: the answer it names, in the language the question was
    written in. Its fields are untrusted: an unknown language or argument is ignored."""
    locale = press.lang if press.lang in SUPPORTED_LOCALES else context.actor.locale
    arg = press.arg if press.arg != "0" else None
    await act_on(update, context, context.features.answers.tapped(press.meant, arg, locale))


async def on_non_text(update: Update, context: BotContext) -> None:
    await show(update, render.text_only(context.actor.tr))


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
