"""Everyone's commands: /start, /help, /language, /privacy, /delete_me, /cancel."""

from __future__ import annotations

from telegram import Update
from telegram.ext import ApplicationHandlerStop

from bot.i18n import language_name
from bot.render import Screen
from bot.render import people as render
from bot.render.callbacks import Answer, DeleteMePress, LanguagePress
from bot.render.menu import menu_buttons
from bot.roles import INVITE_PREFIX, Actor, Role
from bot.settings import STAFF_LOCALES, SUPPORTED_LOCALES
from handlers.common import BotContext, pressed, reply, show, user_data
from handlers.menus import refresh_commands_for

# Every language by its own name ("Suomi", "العربية"), from Babel's locale data.
LANGUAGE_NAMES = {code: language_name(code) for code in SUPPORTED_LOCALES}
LANGUAGES_PER_ROW = 2


def safety_note(actor: Actor) -> str:
    _ = actor.tr.gettext
    return _(
        "I am not monitored around the clock. In an emergency, call 112. To report a crime "
        "or reach the police otherwise, call 114 14 or use polisen.se."
    )


def start_text(actor: Actor, promise_name: str) -> str:
    _ = actor.tr.gettext
    if actor.role is Role.ADMIN:
        intro = _(
            "Hi {name}! You are an admin of the citizen promise bot.\n\n"
            "Report what you did in one message, see /status, plan events with /plan, "
            "invite staff with /invite and manage them with /staff."
        ).format(name=actor.name or _("there"))
    elif actor.role is Role.STAFF:
        intro = _(
            "Hi {name}! You are registered as staff.\n\n"
            "Write what you did in one message, for example "
            '"theme meeting yesterday, 23 people", and I will count it for the promise. '
            "See where we stand with /status and plan events with /plan."
        ).format(name=actor.name or _("there"))
    else:
        intro = _(
            'Hi! I am the bot for "{promise}", the promise from the police and the '
            "municipality to make our municipality safer.\n\n"
            'Ask me in your own words, for example "when is the next theme meeting?". '
            "See upcoming events with /events, how the promise is going with /progress, "
            "and get fraud tips with /tips."
        ).format(promise=promise_name)
    return intro + "\n\n" + safety_note(actor)


def help_text(actor: Actor) -> str:
    _ = actor.tr.gettext
    lines = [
        _("What I can do:"),
        _("/events – upcoming theme meetings, dialogues and visibility efforts"),
        _("/next – the next event of each kind"),
        _("/progress – how the promise is going"),
        _(
            "/tips – fraud-prevention tips for seniors (relatives can subscribe too and "
            "pass the tips on)"
        ),
        _("/language – change language"),
        _("/privacy – what I store about you; /delete_me removes it"),
        _("You can also just write a question."),
    ]
    if actor.is_staff:
        lines += [
            "",
            _("For staff:"),
            _('Write a one-line report, e.g. "tematräff igår 23 pers", or use /report'),
            _("/myreports – your recent reports"),
            _("/status – where each commitment stands"),
            _("/plan – plan an event"),
            _("/myevents – move or cancel your events"),
            _("/pause – pause your reminders, for example during leave"),
            _("/alert – send an urgent fraud alert to seniors"),
        ]
    if actor.is_admin:
        lines += [
            "",
            _("For admins:"),
            _("/invite – invite a staff member"),
            _("/staff – list and remove staff"),
        ]
    return "\n".join(lines) + "\n\n" + safety_note(actor)


async def start(update: Update, context: BotContext) -> None:
    actor = context.actor
    payload = context.args[0] if context.args else ""
    if payload.startswith(INVITE_PREFIX):
        await join_with_invite(update, context, payload.removeprefix(INVITE_PREFIX))
        return
    name = context.services.promise.name.get(actor.locale)
    # Residents get the same one-tap menu the question answers offer.
    buttons = [] if actor.is_staff else menu_buttons(actor.tr)
    await show(update, Screen(start_text(actor, name), buttons))


async def join_with_invite(update: Update, context: BotContext, code: str) -> None:
    actor = context.actor
    _ = actor.tr.gettext
    if actor.role is Role.STAFF:
        await reply(update, _("You are already registered as staff."))
        return
    member = await context.people.redeem_invite(code, actor.user_id, actor.name)
    context.actor = await context.people.actor(
        actor.user_id, actor.chat_id, actor.locale, member.name
    )
    await refresh_commands_for(context.bot, context.actor)
    org_names = {
        "police": _("the police"),
        "municipality": _("the municipality"),
        "other": _("a partner organisation"),
    }
    await reply(
        update,
        _("Welcome, {name}! You are now registered as staff for {org}.").format(
            name=member.name, org=org_names[member.org.value]
        )
        + "\n\n"
        + help_text(context.actor),
    )


async def show_help(update: Update, context: BotContext) -> None:
    await reply(update, help_text(context.actor))


async def choose_language(update: Update, context: BotContext) -> None:
    # Staff screens are Swedish or English only, so staff are offered just those two.
    codes = STAFF_LOCALES if context.actor.is_staff else SUPPORTED_LOCALES
    names = {code: LANGUAGE_NAMES[code] for code in codes}
    await show(update, render.language_choice(context.actor.tr, names, LANGUAGES_PER_ROW))


@pressed(LanguagePress)
async def set_language(update: Update, context: BotContext, press: LanguagePress) -> None:
    if press.code not in SUPPORTED_LOCALES:
        await reply(update, context.actor.tr.gettext("That button is no longer valid."))
        return
    context.actor = await context.people.set_locale(context.actor, press.code)
    await refresh_commands_for(context.bot, context.actor)
    _ = context.actor.tr.gettext
    # TRANSLATORS: said in the language just chosen, e.g. "Jag skriver på svenska från och med nu."
    await reply(update, _("I will write to you in English from now on."), edit=True)


async def show_privacy(update: Update, context: BotContext) -> None:
    report = await context.people.privacy(context.actor)
    await reply(update, render.privacy(context.actor.tr, report))


async def ask_delete_me(update: Update, context: BotContext) -> None:
    await show(update, render.delete_me_question(context.actor.tr, context.actor.is_staff))


@pressed(DeleteMePress)
async def confirm_delete_me(update: Update, context: BotContext, press: DeleteMePress) -> None:
    _ = context.actor.tr.gettext
    if press.answer is not Answer.YES:
        await reply(update, _("OK, nothing was deleted."), edit=True)
        return
    await context.people.forget_me(context.actor)
    if context.actor.is_staff:
        done = _(
            "Done. Your language, tips, reminders and follows are deleted. You are still "
            "staff and your reports stay, as part of the follow-up of the promise."
        )
    else:
        done = _("Done. Everything I stored about you has been deleted.")
    await reply(update, done, edit=True)


async def cancel(update: Update, context: BotContext) -> None:
    _ = context.actor.tr.gettext
    scratch = user_data(context)
    had_something = scratch.in_use()
    scratch.clear()
    await reply(update, _("Cancelled.") if had_something else _("There is nothing to cancel."))


async def stale_button(update: Update, context: BotContext) -> None:
    """Any button nobody else claimed: an old message, or data we do not understand."""
    _ = context.actor.tr.gettext
    query = update.callback_query
    if query is not None:
        await query.answer(_("That button is no longer valid."), show_alert=False)
    raise ApplicationHandlerStop
