"""Everyone's commands: /start, /help, /language, /privacy, /delete_me, /cancel."""

from __future__ import annotations

from telegram import Update
from telegram.ext import ApplicationHandlerStop

from bot.domain.roles import INVITE_PREFIX, Role
from bot.render import notices, welcome
from bot.render import people as render
from bot.render.callbacks import Answer, DeleteMePress, LanguagePress
from bot.settings import STAFF_LOCALES, SUPPORTED_LOCALES
from handlers import reporting
from handlers.common import BotContext, pressed, reply, show, user_data
from handlers.menus import refresh_commands_for

LANGUAGES_PER_ROW = 2


async def start(update: Update, context: BotContext) -> None:
    actor = context.actor
    payload = context.args[0] if context.args else ""
    if payload.startswith(INVITE_PREFIX):
        await join_with_invite(update, context, payload.removeprefix(INVITE_PREFIX))
        return
    name = context.services.promise.name.get(actor.locale)
    await show(update, welcome.start(actor.tr, actor.role, actor.name, name))


async def join_with_invite(update: Update, context: BotContext, code: str) -> None:
    actor = context.actor
    if actor.role is Role.STAFF:
        await reply(update, welcome.already_staff(actor.tr))
        return
    member = await context.people.redeem_invite(code, actor.user_id, actor.name)
    context.actor = await context.people.actor(
        actor.user_id, actor.chat_id, actor.locale, member.name
    )
    await refresh_commands_for(context.bot, context.actor)
    staff_help = welcome.help_text(context.actor.tr, context.actor.role)
    # The welcome line in the language the invite was opened in, as before joining.
    text = welcome.joined(actor.tr, member.name, member.org.value, staff_help)
    await reply(update, text)


async def show_help(update: Update, context: BotContext) -> None:
    await reply(update, welcome.help_text(context.actor.tr, context.actor.role))


async def choose_language(update: Update, context: BotContext) -> None:
    # Staff screens are Swedish or English only, so staff are offered just those two.
    codes = STAFF_LOCALES if context.actor.is_staff else SUPPORTED_LOCALES
    await show(update, render.language_choice(context.actor.tr, codes, LANGUAGES_PER_ROW))


@pressed(LanguagePress)
async def set_language(update: Update, context: BotContext, press: LanguagePress) -> None:
    if press.code not in SUPPORTED_LOCALES:
        await reply(update, notices.stale_button(context.actor.tr))
        return
    context.actor = await context.people.set_locale(context.actor, press.code)
    await refresh_commands_for(context.bot, context.actor)
    await reply(update, render.language_set(context.actor.tr), edit=True)


async def show_privacy(update: Update, context: BotContext) -> None:
    report = await context.people.privacy(context.actor)
    await reply(update, render.privacy(context.actor.tr, report))


async def ask_delete_me(update: Update, context: BotContext) -> None:
    await show(update, render.delete_me_question(context.actor.tr, context.actor.is_staff))


@pressed(DeleteMePress)
async def confirm_delete_me(update: Update, context: BotContext, press: DeleteMePress) -> None:
    tr = context.actor.tr
    if press.answer is not Answer.YES:
        await reply(update, render.nothing_deleted(tr), edit=True)
        return
    await context.people.forget_me(context.actor)
    await reply(update, render.deleted(tr, context.actor.is_staff), edit=True)


async def cancel(update: Update, context: BotContext) -> None:
    """/cancel outside a conversation: the open report card, else any flow's scratch."""
    if await reporting.cancel(update, context):
        return
    scratch = user_data(context)
    had_something = scratch.in_use()
    scratch.clear()
    await reply(update, notices.cancelled(context.actor.tr, had_something))


async def stale_button(update: Update, context: BotContext) -> None:
    """Any button nobody else claimed: an old message, or data we do not understand."""
    query = update.callback_query
    if query is not None:
        await query.answer(notices.stale_button(context.actor.tr), show_alert=False)
    raise ApplicationHandlerStop
