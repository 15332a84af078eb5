"""Every handler, registered in one ordered table.

Order matters twice over:
- group -1 (stage one) loads the actor for every update and may stop it (e.g. group chatter
  not addressed to the bot); feature handlers in group 0 can rely on ``context.actor``;
- inside group 0 the first matching handler wins, so conversations come first (they own
  their typed steps), then commands, then buttons by namespace, then free text, and last a
  catch-all for buttons nobody understood.
"""

from __future__ import annotations

import warnings
from collections.abc import Awaitable, Callable, Sequence
from typing import Any

from telegram import Update
from telegram.ext import (
    Application,
    BaseHandler,
    CallbackQueryHandler,
    CommandHandler,
    ConversationHandler,
    MessageHandler,
    TypeHandler,
    filters,
)
from telegram.warnings import PTBUserWarning

from bot.render.callbacks import Card, CardAction, MyEvent
from handlers import (
    admin,
    basics,
    delivery,
    events,
    progress,
    questions,
    reporting,
    status,
    text,
    tips,
)
from handlers.common import BotContext, Handler
from handlers.errors import on_error
from handlers.loader import load_actor
from handlers.menus import (
    ALERT,
    CANCEL,
    DELETE_ME,
    EVENTS,
    FOLLOW,
    HELP,
    INVITE,
    LANGUAGE,
    MY_EVENTS,
    MY_REPORTS,
    NEXT,
    PAUSE,
    PLAN,
    PRIVACY,
    PROGRESS,
    PUBLISH,
    RECIPIENTS,
    REPORT,
    STAFF,
    START,
    STATUS,
    STOP,
    TIPS,
    Command,
    mark_registered,
)

AnyHandler = BaseHandler[Update, BotContext, Any]

# Our conversations deliberately mix typed steps and buttons, tracked per chat
# (per_message=False); PTB warns about that combination every time one is built.
warnings.filterwarnings("ignore", message="If 'per_message=False'", category=PTBUserWarning)


def command(cmd: Command, callback: Handler, **kwargs: Any) -> AnyHandler:
    mark_registered(cmd)
    return CommandHandler(list(cmd.names), callback, **kwargs)


def button(namespace: str, callback: Handler) -> AnyHandler:
    return CallbackQueryHandler(callback, pattern=f"^{namespace}:")


def basic_handlers() -> list[AnyHandler]:
    return [
        command(START, basics.start),
        command(HELP, basics.show_help),
        command(LANGUAGE, basics.choose_language),
        command(PRIVACY, basics.show_privacy),
        command(DELETE_ME, basics.ask_delete_me),
        button("lang", basics.set_language),
        button("me", basics.confirm_delete_me),
    ]


def admin_handlers() -> list[AnyHandler]:
    return [
        command(INVITE, admin.start_invite),
        command(STAFF, admin.list_staff),
        button("invite", admin.press_invite),
        button("staff", admin.press_staff),
    ]


def status_handlers() -> list[AnyHandler]:
    return [
        command(STATUS, status.show_status),
        command(PAUSE, status.ask_pause),
        command(RECIPIENTS, status.show_recipients),
        CallbackQueryHandler(status.show_detail, pattern="^st:show:"),
        CallbackQueryHandler(status.back_to_status, pattern="^st:list:"),
        button("pause", status.press_pause),
    ]


def progress_handlers() -> list[AnyHandler]:
    return [
        command(PROGRESS, progress.show_progress),
        command(FOLLOW, progress.choose_follow),
        command(PUBLISH, progress.publish_report),
        button("fol", progress.press_follow),
    ]


def tip_handlers() -> list[AnyHandler]:
    typed = filters.TEXT & ~filters.COMMAND
    # A senior in the middle of the /tips menu who writes about danger gets 112, not "tap a
    # button" (the text falls through to the free-text route).
    step = typed & ~text.DANGER
    subscribe = ConversationHandler(
        entry_points=[command(TIPS, tips.start_tips)],
        states={
            tips.TipStep.CADENCE: [MessageHandler(step, tips.pick_cadence)],
            tips.TipStep.WEEKDAY: [MessageHandler(step, tips.pick_weekday)],
            tips.TipStep.SLOT: [MessageHandler(step, tips.pick_slot)],
        },
        fallbacks=[command(CANCEL, tips.cancel_tips), command(STOP, tips.stop_in_menu)],
        name="tips",
        conversation_timeout=15 * 60,
    )
    alert = ConversationHandler(
        entry_points=[command(ALERT, tips.start_alert)],
        states={tips.AlertStep.TEXT: [MessageHandler(typed, tips.alert_text)]},
        fallbacks=[command(CANCEL, tips.cancel_tips)],
        name="alert",
        conversation_timeout=30 * 60,
    )
    return [
        subscribe,
        alert,
        command(STOP, tips.stop_tips),
        CallbackQueryHandler(tips.stop_tips, pattern="^tips:stop$"),
        button("alert", tips.press_alert),
        *delivery.member_handlers(),
    ]


def reporting_handlers() -> list[AnyHandler]:
    # After the other conversations: its way in is free text (a one-liner), so it must not
    # take text that /plan, /tips or a move is waiting for.
    mark_registered(REPORT)
    return [
        reporting.conversation(text.route_text, list(CANCEL.names), list(REPORT.names)),
        command(MY_REPORTS, reporting.show_my_reports),
        *reporting.outside_handlers(),
    ]


def event_handlers() -> list[AnyHandler]:
    typed = filters.TEXT & ~filters.COMMAND
    plan = ConversationHandler(
        entry_points=[
            command(PLAN, events.start_plan),
            CallbackQueryHandler(events.plan_from_digest, pattern="^plan:new:"),
            # Before the reporting conversation, so one tap moves a future "report" here.
            CallbackQueryHandler(events.plan_from_report, pattern=Card.pattern(CardAction.PLAN)),
        ],
        states={
            events.PlanStep.TITLE: [
                CallbackQueryHandler(events.plan_kind, pattern="^plan:"),
                MessageHandler(typed, events.plan_title),
            ],
            events.PlanStep.WHEN: [
                CallbackQueryHandler(events.plan_when_button, pattern="^plan:when:"),
                MessageHandler(typed, events.plan_when),
            ],
            events.PlanStep.PLACE: [MessageHandler(typed, events.plan_place)],
            events.PlanStep.DESCRIPTION: [
                CallbackQueryHandler(events.plan_visibility, pattern="^plan:"),
                MessageHandler(typed, events.plan_description),
            ],
        },
        fallbacks=[command(CANCEL, events.cancel_plan)],
        name="plan",
        conversation_timeout=30 * 60,
    )
    move = ConversationHandler(
        entry_points=[CallbackQueryHandler(events.press_my_event, pattern=MyEvent.pattern())],
        # Another /myevents button while the new time is awaited is a new choice, not stale.
        states={
            events.PlanStep.MOVE_WHEN: [
                MessageHandler(typed, events.move_when),
                CallbackQueryHandler(events.press_my_event, pattern=MyEvent.pattern()),
            ]
        },
        fallbacks=[command(CANCEL, events.cancel_plan)],
        name="move",
        conversation_timeout=30 * 60,
    )
    return [
        plan,
        move,
        command(EVENTS, events.show_events),
        command(NEXT, events.show_next),
        command(MY_EVENTS, events.show_my_events),
        button("ev", events.press_event),
        button("ask", questions.press_ask),
    ]


# Feature modules contribute handler lists in this order (conversations before plain
# commands, free text last). Each entry is a zero-argument factory.
FEATURES: Sequence[Callable[[], list[AnyHandler]]] = (
    basic_handlers,
    admin_handlers,
    status_handlers,
    progress_handlers,
    tip_handlers,
    event_handlers,
    reporting_handlers,
    # Free text last: conversations above own their typed steps.
    text.text_handlers,
)


# Feature start-up hooks (scheduling jobs with deterministic names), run in post_init after
# the database is open.
STARTUP: Sequence[Callable[[Any], Awaitable[None]]] = (
    status.schedule_reminders,
    progress.schedule_follow_news,
    tips.schedule_tips,
    events.schedule_followups,
    delivery.start_sender,
)


def register(app: Application[Any, BotContext, Any, Any, Any, Any]) -> None:
    app.add_handler(TypeHandler(Update, load_actor), group=-1)
    for factory in FEATURES:
        app.add_handlers(factory(), group=0)
    # Fallbacks, after every feature: /cancel outside a conversation and stale buttons.
    app.add_handler(command(CANCEL, basics.cancel), group=0)
    # Last of all: any other command (/hjälp, /meny, /stopp …) gets the menu.
    app.add_handler(MessageHandler(filters.COMMAND, questions.on_unknown_command), group=0)
    app.add_handler(CallbackQueryHandler(basics.stale_button), group=0)
    app.add_error_handler(on_error)
