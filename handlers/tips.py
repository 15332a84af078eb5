"""Seniors and relatives: /tips in three taps, /stop at once, the "stop" button under every
tip; staff's /alert with preview and admin approval; and "is this a scam?" for forwarded
messages."""

from __future__ import annotations

from enum import IntEnum
from typing import Any

from telegram import KeyboardButton, ReplyKeyboardMarkup, ReplyKeyboardRemove, Update
from telegram.ext import ConversationHandler

from bot.language.scamcheck import check_message
from bot.render import notices
from bot.render import tips as render
from bot.render.answers import scam_text
from bot.render.callbacks import AlertAction, AlertPress
from bot.services.tips_service import TipService
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


class TipStep(IntEnum):
    CADENCE = 1
    WEEKDAY = 2
    SLOT = 3


class AlertStep(IntEnum):
    TEXT = 1


def _big_keyboard(screen: render.TapScreen) -> ReplyKeyboardMarkup:
    return ReplyKeyboardMarkup(
        [[KeyboardButton(label) for label in row] for row in screen.keys],
        resize_keyboard=True,
        one_time_keyboard=True,
        input_field_placeholder=screen.placeholder,
    )


async def _ask(update: Update, screen: render.TapScreen) -> None:
    await reply(update, screen.text, _big_keyboard(screen))


def _match(text: str | None, labels: dict[str, str]) -> str | None:
    """The key whose label (as the presenter wrote it) the user tapped or typed; untrusted
    text."""
    wanted = (text or "").strip().casefold()
    for key, label in labels.items():
        if label.casefold() == wanted:
            return key
    return None


def service(context: BotContext) -> TipService:
    return context.features.tips


async def start_tips(update: Update, context: BotContext) -> TipStep:
    actor = context.actor
    tr = actor.tr
    current = await service(context).get(actor.chat_id)
    now = None
    if current is not None and current.active:
        now = render.describe(tr, current.cadence, current.weekday, current.slot)
    await _ask(update, render.ask_cadence(tr, now))
    return TipStep.CADENCE


async def pick_cadence(update: Update, context: BotContext) -> TipStep:
    tr = context.actor.tr
    message = update.message
    cadence = _match(message.text if message else None, render.cadence_choices(tr))
    if cadence is None:
        await reply(update, render.please_tap(tr))
        return TipStep.CADENCE
    user_data(context).tips = TipsScratch(cadence)
    await _ask(update, render.ask_weekday(tr))
    return TipStep.WEEKDAY


async def pick_weekday(update: Update, context: BotContext) -> TipStep:
    tr = context.actor.tr
    message = update.message
    day = _match(message.text if message else None, render.weekday_choices(tr))
    draft = user_data(context).tips
    if draft is None:
        return await start_tips(update, context)
    if day is None:
        await reply(update, render.please_tap(tr))
        return TipStep.WEEKDAY
    draft.weekday = int(day)
    await _ask(update, render.ask_slot(tr))
    return TipStep.SLOT


async def pick_slot(update: Update, context: BotContext) -> int:
    actor = context.actor
    tr = actor.tr
    message = update.message
    slot = _match(message.text if message else None, render.slot_choices(tr))
    draft = user_data(context).tips
    if draft is None or draft.weekday is None:
        user_data(context).tips = None
        await start_tips(update, context)
        return TipStep.CADENCE
    if slot is None:
        await reply(update, render.please_tap(tr))
        return TipStep.SLOT
    user_data(context).tips = None
    sub = await service(context).subscribe(
        actor.chat_id, actor.locale, draft.cadence, draft.weekday, slot
    )
    text = render.subscribed(tr, sub.cadence, sub.weekday, sub.slot, sub.next_at)
    await send(update, text, ReplyKeyboardRemove())
    return ConversationHandler.END


async def cancel_tips(update: Update, context: BotContext) -> int:
    scratch = user_data(context)
    scratch.tips, scratch.alert, scratch.alert_other = None, None, None
    await send(update, notices.nothing_changed(context.actor.tr), ReplyKeyboardRemove())
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
    stopped = await service(context).stop(context.actor.chat_id)
    return render.stopped(context.actor.tr, stopped)


# --- urgent alerts ------------------------------------------------------------------------


@staff_only("alert")
async def start_alert(update: Update, context: BotContext) -> AlertStep:
    await reply(update, render.ask_alert(context.actor.tr))
    return AlertStep.TEXT


async def alert_text(update: Update, context: BotContext) -> int:
    actor = context.actor
    if not actor.is_staff:
        return ConversationHandler.END
    message = update.message
    text = (message.text or "").strip() if message else ""
    if not text:
        await reply(update, render.alert_as_text(actor.tr))
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
    tr = actor.tr
    scratch = user_data(context)
    tips = service(context)
    arg = press.arg
    match press.action:
        case AlertAction.DROP:
            scratch.alert, scratch.alert_other = None, None
            await reply(update, render.alert_dropped(tr), edit=True)
        case AlertAction.OTHER:
            texts = scratch.alert or {}
            missing = [loc for loc in render.LOCALES if loc not in texts]
            if not texts or not missing:
                await reply(update, render.draft_gone(tr))
                return
            scratch.alert_other = missing[0]
            await reply(update, render.ask_version(tr, missing[0]))
        case AlertAction.SUBMIT if arg in (0, 1):
            texts, scratch.alert = scratch.alert or {}, None
            if not texts:
                await reply(update, render.draft_gone(tr))
                return
            alert = await tips.draft_alert(actor, texts, urgent=bool(arg))
            await tips.ask_admins(alert, actor)
            await reply(update, render.alert_submitted(tr), edit=True)
        case AlertAction.APPROVE | AlertAction.REJECT:
            approve = press.action is AlertAction.APPROVE
            alert = await tips.decide_alert(actor, arg, approve=approve)
            await reply(update, render.alert_decided(tr, approve), edit=True)
            await tips.tell_author(alert, actor)
        case AlertAction.REPORT:
            r = await tips.alert_report(actor, arg)
            report = render.delivery_report(tr, arg, r.sent, r.failed, r.blocked, r.queued)
            await show(update, report)
        case _:
            await reply(update, notices.stale_button(tr))


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
