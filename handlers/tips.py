"""Seniors and relatives: /tips in three taps, /stop at once, the "stop" button under every
tip; staff's /alert with preview and admin approval; and "is this a scam?" for forwarded
messages."""

from __future__ import annotations

from enum import IntEnum
from typing import Any

from telegram import KeyboardButton, ReplyKeyboardMarkup, ReplyKeyboardRemove, Update
from telegram.ext import ConversationHandler

from bot.i18n import N_, Translator
from bot.render import tips as render
from bot.render.answers import scam_text
from bot.render.callbacks import AlertAction, AlertPress
from bot.scamcheck import check_message
from bot.services.tips_service import TipService
from bot.tips import CADENCES, SLOTS
from handlers.common import (
    BotContext,
    TipsScratch,
    every,
    pressed,
    reply,
    send,
    show,
    staff_only,
    user_data,
)

CADENCE_LABELS = {
    "weekly": N_("Once a week"),
    "biweekly": N_("Every other week"),
    "monthly": N_("Once a month"),
}
SLOT_LABELS = {
    "morning": N_("Morning (9:00)"),
    "midday": N_("Midday (12:00)"),
    "afternoon": N_("Afternoon (15:00)"),
}
WEEKDAYS = (
    N_("Monday"),
    N_("Tuesday"),
    N_("Wednesday"),
    N_("Thursday"),
    N_("Friday"),
    N_("Saturday"),
    N_("Sunday"),
)


class TipStep(IntEnum):
    CADENCE = 1
    WEEKDAY = 2
    SLOT = 3


class AlertStep(IntEnum):
    TEXT = 1


def _big_keyboard(rows: list[list[str]], tr: Translator) -> ReplyKeyboardMarkup:
    return ReplyKeyboardMarkup(
        [[KeyboardButton(label) for label in row] for row in rows],
        resize_keyboard=True,
        one_time_keyboard=True,
        input_field_placeholder=tr.gettext("Tap a button"),
    )


def _match(text: str | None, labels: dict[str, str], tr: Translator) -> str | None:
    """The key whose translated label the user tapped (or typed); untrusted text."""
    wanted = (text or "").strip().casefold()
    for key, msgid in labels.items():
        if tr.gettext(msgid).casefold() == wanted:
            return key
    return None


def service(context: BotContext) -> TipService:
    return context.features.tips


def describe(tr: Translator, cadence: str, weekday: int, slot: str) -> str:
    return tr.gettext("{cadence}, on {weekday}, {slot}").format(
        cadence=tr.gettext(CADENCE_LABELS[cadence]).lower(),
        weekday=tr.gettext(WEEKDAYS[weekday]).lower(),
        slot=tr.gettext(SLOT_LABELS[slot]).lower(),
    )


async def start_tips(update: Update, context: BotContext) -> TipStep:
    actor = context.actor
    tr = actor.tr
    _ = tr.gettext
    current = await service(context).get(actor.chat_id)
    lines = [
        _(
            "I can send you a short tip about fraud. One tip at a time, in the daytime. "
            "You can stop whenever you want with /stop."
        ),
        _("A relative can also subscribe and pass the tips on."),
    ]
    if current is not None and current.active:
        lines.append(
            _("Now you get tips: {when}. Choose again to change.").format(
                when=describe(tr, current.cadence, current.weekday, current.slot)
            )
        )
    lines.append(_("How often do you want a tip?"))
    rows = [[_(CADENCE_LABELS[c])] for c in CADENCES]
    await reply(update, "\n\n".join(lines), _big_keyboard(rows, tr))
    return TipStep.CADENCE


async def pick_cadence(update: Update, context: BotContext) -> TipStep:
    tr = context.actor.tr
    _ = tr.gettext
    message = update.message
    cadence = _match(message.text if message else None, CADENCE_LABELS, tr)
    if cadence is None:
        await reply(update, _("Please tap one of the buttons. Or write /cancel to stop."))
        return TipStep.CADENCE
    user_data(context).tips = TipsScratch(cadence)
    days = [_(d) for d in WEEKDAYS]
    rows = [days[0:3], days[3:5], days[5:7]]
    await reply(update, _("Which day?"), _big_keyboard(rows, tr))
    return TipStep.WEEKDAY


async def pick_weekday(update: Update, context: BotContext) -> TipStep:
    tr = context.actor.tr
    _ = tr.gettext
    message = update.message
    labels = {str(i): d for i, d in enumerate(WEEKDAYS)}
    day = _match(message.text if message else None, labels, tr)
    draft = user_data(context).tips
    if draft is None:
        return await start_tips(update, context)
    if day is None:
        await reply(update, _("Please tap one of the buttons. Or write /cancel to stop."))
        return TipStep.WEEKDAY
    draft.weekday = int(day)
    rows = [[_(SLOT_LABELS[s])] for s in SLOTS]
    await reply(update, _("What time of day?"), _big_keyboard(rows, tr))
    return TipStep.SLOT


async def pick_slot(update: Update, context: BotContext) -> int:
    actor = context.actor
    tr = actor.tr
    _ = tr.gettext
    message = update.message
    slot = _match(message.text if message else None, SLOT_LABELS, tr)
    draft = user_data(context).tips
    if draft is None or draft.weekday is None:
        user_data(context).tips = None
        await start_tips(update, context)
        return TipStep.CADENCE
    if slot is None:
        await reply(update, _("Please tap one of the buttons. Or write /cancel to stop."))
        return TipStep.SLOT
    user_data(context).tips = None
    sub = await service(context).subscribe(
        actor.chat_id, actor.locale, draft.cadence, draft.weekday, slot
    )
    when = describe(tr, sub.cadence, sub.weekday, sub.slot)
    first = tr.weekday_date(sub.next_at.date()) if sub.next_at else ""
    text = _(
        "Done! You will get a tip: {when}.\nThe first one comes {first}.\n"
        "To stop, write /stop or tap the stop button under a tip."
    ).format(when=when, first=first)
    await send(update, text, ReplyKeyboardRemove())
    return ConversationHandler.END


async def cancel_tips(update: Update, context: BotContext) -> int:
    scratch = user_data(context)
    scratch.tips, scratch.alert, scratch.alert_other = None, None, None
    await send(
        update,
        context.actor.tr.gettext("OK, cancelled. Nothing was changed."),
        ReplyKeyboardRemove(),
    )
    return ConversationHandler.END


async def stop_in_menu(update: Update, context: BotContext) -> int:
    """/stop while the /tips menu is open: close the menu and stop the tips, as asked."""
    user_data(context).tips = None
    user_data(context).alert_other = None
    text = await _stop(context)
    await send(update, text, ReplyKeyboardRemove())
    return ConversationHandler.END


async def stop_tips(update: Update, context: BotContext) -> None:
    """No questions asked: one tap or one command and the tips stop."""
    await reply(update, await _stop(context))


async def _stop(context: BotContext) -> str:
    _ = context.actor.tr.gettext
    if await service(context).stop(context.actor.chat_id):
        return _("Done. You will not get any more tips. Welcome back with /tips.")
    return _("You do not get any tips right now. Start with /tips.")


# --- urgent alerts ------------------------------------------------------------------------


@staff_only("alert")
async def start_alert(update: Update, context: BotContext) -> AlertStep:
    _ = context.actor.tr.gettext
    await reply(
        update,
        _(
            "Write the alert as the seniors should read it, in one message. Short and calm. "
            "No links, and never ask for anything. /cancel stops."
        ),
    )
    return AlertStep.TEXT


async def alert_text(update: Update, context: BotContext) -> int:
    actor = context.actor
    _ = actor.tr.gettext
    if not actor.is_staff:
        return ConversationHandler.END
    message = update.message
    text = (message.text or "").strip() if message else ""
    if not text:
        await reply(update, _("Please write the alert as text, or /cancel."))
        return AlertStep.TEXT
    user_data(context).alert = {actor.locale: text}
    await show_alert_preview(update, context)
    return ConversationHandler.END


OTHER_LANGUAGE = {"sv": "en", "en": "sv"}


async def show_alert_preview(update: Update, context: BotContext) -> None:
    """Each language exactly as its subscribers will see it, and what can be done next."""
    texts = user_data(context).alert or {}
    tips = service(context)
    shown = {}
    for locale in render.LOCALES:
        text = texts.get(locale) or texts.get(OTHER_LANGUAGE[locale], "")
        shown[locale] = tips.render_alert_text(text, locale)
    missing = [loc for loc in render.LOCALES if loc not in texts]
    await show(update, render.alert_preview(context.actor.tr, shown, missing))


async def on_alert_translation(update: Update, context: BotContext) -> bool:
    """The staff member's next message after "add a version in ...": True when taken."""
    scratch = user_data(context)
    locale, scratch.alert_other = scratch.alert_other, None
    message = update.message
    if locale not in OTHER_LANGUAGE or message is None or not message.text:
        return False
    if not scratch.alert:
        return False
    scratch.alert[locale] = message.text.strip()
    await show_alert_preview(update, context)
    return True


@staff_only("alert")
@pressed(AlertPress)
async def press_alert(update: Update, context: BotContext, press: AlertPress) -> None:
    actor = context.actor
    _ = actor.tr.gettext
    scratch = user_data(context)
    tips = service(context)
    arg = press.arg
    match press.action:
        case AlertAction.DROP:
            scratch.alert, scratch.alert_other = None, None
            await reply(update, _("OK, the alert was thrown away."), edit=True)
        case AlertAction.OTHER:
            texts = scratch.alert or {}
            missing = [loc for loc in render.LOCALES if loc not in texts]
            if not texts or not missing:
                await reply(update, _("That draft is gone. Start again with /alert."))
                return
            scratch.alert_other = missing[0]
            prompt = (
                _("Write the Swedish version.")
                if missing[0] == "sv"
                else _("Write the English version.")
            )
            await reply(update, prompt)
        case AlertAction.SUBMIT if arg in (0, 1):
            texts, scratch.alert = scratch.alert or {}, None
            if not texts:
                await reply(update, _("That draft is gone. Start again with /alert."))
                return
            alert = await tips.draft_alert(actor, texts, urgent=bool(arg))
            await tips.ask_admins(alert, actor)
            sent = _("Sent to the admins for approval. I will tell you when it goes out.")
            await reply(update, sent, edit=True)
        case AlertAction.APPROVE | AlertAction.REJECT:
            approve = press.action is AlertAction.APPROVE
            alert = await tips.decide_alert(actor, arg, approve=approve)
            if approve:
                text = _("Approved. The alert is queued for all subscribers.")
            else:
                text = _("Rejected. The alert will not be sent.")
            await reply(update, text, edit=True)
            await tips.tell_author(alert, actor)
        case AlertAction.REPORT:
            r = await tips.alert_report(actor, arg)
            report = render.delivery_report(actor.tr, arg, r.sent, r.failed, r.blocked, r.queued)
            await show(update, report)
        case _:
            await reply(update, _("That button is no longer valid."))


# --- "is this a scam?" ----------------------------------------------------------------------


async def on_forwarded(update: Update, context: BotContext) -> None:
    """A forwarded message: look for red flags. Only anonymous counts are kept."""
    message = update.message
    if message is None:
        return
    text = message.text or message.caption or ""
    result = check_message(text)
    await context.features.answers.count_scam_signs(result.flags)
    await reply(update, scam_text(context.actor.tr, context.services.promise, result.flags))


TICK_JOB = "tips:tick"


async def run_tips_tick(context: BotContext) -> None:
    await context.features.tips.tick()


async def schedule_tips(app: Any) -> None:
    """Due tips are queued every minute; the schedule itself is data in SQLite."""
    every(app, TICK_JOB, run_tips_tick, 60, first=10)
