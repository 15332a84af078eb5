"""Every handler, registered in one ordered table.

Order matters twice over:
- group -1 (stage one) loads the actor for every update and may stop it (e.g. group chatter
  not addressed to the bot); feature handlers in group 0 can rely on ``context.actor``;
- inside group 0 the first matching handler wins, so conversations come first (they own
  their typed steps), then commands, then buttons by namespace, then free text, and last a
  catch-all for buttons nobody understood.
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable, Sequence
from typing import Any

from telegram import Update
from telegram.ext import (
    Application,
    BaseHandler,
    CallbackQueryHandler,
    CommandHandler,
    MessageHandler,
    PollHandler,
    TypeHandler,
    filters,
)

from bot.render.callbacks import (
    AlertPress,
    AskPress,
    Card,
    CardAction,
    DeleteMePress,
    EventPress,
    FollowPress,
    GroupPress,
    InvitePress,
    KommunPress,
    LanguagePress,
    MeantPress,
    MyEvent,
    PausePress,
    PlanAction,
    PlanPress,
    PulsePress,
    StaffPress,
    StatusAction,
    StatusPress,
    TipsAction,
    TipsPress,
    VoicePress,
)
from handlers import (
    admin,
    basics,
    delivery,
    events,
    kommun,
    progress,
    pulse,
    questions,
    reporting,
    status,
    suggestions,
    text,
    tips,
)
from handlers.common import BotContext, Handler, button, conversation_handler
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
    KOMMUN,
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
    SAFETY,
    STAFF,
    START,
    STATUS,
    STOP,
    SUGGESTIONS,
    TIPS,
    Command,
    mark_registered,
)

AnyHandler = BaseHandler[Update, BotContext, Any]


def command(cmd: Command, callback: Handler, **kwargs: Any) -> AnyHandler:
    mark_registered(cmd)
    return CommandHandler(list(cmd.names), callback, **kwargs)


def basic_handlers() -> list[AnyHandler]:
    return [
        command(START, basics.start),
        command(HELP, basics.show_help),
        command(LANGUAGE, basics.choose_language),
        command(PRIVACY, basics.show_privacy),
        command(DELETE_ME, basics.ask_delete_me),
        button(LanguagePress, basics.set_language),
        button(DeleteMePress, basics.confirm_delete_me),
    ]


def admin_handlers() -> list[AnyHandler]:
    return [
        command(INVITE, admin.start_invite),
        command(STAFF, admin.list_staff),
        button(InvitePress, admin.press_invite),
        button(StaffPress, admin.press_staff),
    ]


def status_handlers() -> list[AnyHandler]:
    return [
        command(STATUS, status.show_status),
        command(PAUSE, status.ask_pause),
        command(RECIPIENTS, status.show_recipients),
        button(StatusPress, status.show_detail, StatusAction.SHOW),
        button(StatusPress, status.back_to_status, StatusAction.LIST),
        button(PausePress, status.press_pause),
    ]


def progress_handlers() -> list[AnyHandler]:
    return [
        command(PROGRESS, progress.show_progress),
        command(FOLLOW, progress.choose_follow),
        command(PUBLISH, progress.publish_report),
        button(FollowPress, progress.press_follow),
        command(SAFETY, pulse.show_pulse),
        command(KOMMUN, kommun.choose_kommun),
        button(KommunPress, kommun.press_kommun),
        button(PulsePress, pulse.press_pulse),
    ]


def tip_handlers() -> list[AnyHandler]:
    typed = filters.TEXT & ~filters.COMMAND
    # A senior in the middle of the /tips menu who writes about danger gets 112, not "tap a
    # button" (the text falls through to the free-text route).
    step = typed & ~text.DANGER
    subscribe = conversation_handler(
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
    alert = conversation_handler(
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
        button(TipsPress, tips.stop_tips, TipsAction.STOP),
        button(AlertPress, tips.press_alert),
        *delivery.member_handlers(),
    ]


def reporting_handlers() -> list[AnyHandler]:
    # No conversation: the cards are kept in the database, and a staff member's text reaches
    # reporting through the free-text router (handlers/text.py), after the conversations
    # above have had what /plan, /tips or a move is waiting for.
    return [
        command(REPORT, reporting.start_report),
        command(MY_REPORTS, reporting.show_my_reports),
        *reporting.button_handlers(),
    ]


def event_handlers() -> list[AnyHandler]:
    typed = filters.TEXT & ~filters.COMMAND
    plan = conversation_handler(
        entry_points=[
            command(PLAN, events.start_plan),
            button(PlanPress, events.plan_from_digest, PlanAction.NEW),
            # Before the reporting conversation, so one tap moves a future "report" here.
            button(Card, events.plan_from_report, CardAction.PLAN),
        ],
        states={
            events.PlanStep.TITLE: [
                button(PlanPress, events.plan_kind),
                MessageHandler(typed, events.plan_title),
            ],
            events.PlanStep.WHEN: [
                button(PlanPress, events.plan_when_button, PlanAction.WHEN),
                MessageHandler(typed, events.plan_when),
            ],
            events.PlanStep.PLACE: [MessageHandler(typed, events.plan_place)],
            events.PlanStep.DESCRIPTION: [
                button(PlanPress, events.plan_visibility),
                MessageHandler(typed, events.plan_description),
            ],
        },
        fallbacks=[command(CANCEL, events.cancel_plan)],
        name="plan",
        conversation_timeout=30 * 60,
    )
    move = conversation_handler(
        entry_points=[button(MyEvent, events.press_my_event)],
        # Another /myevents button while the new time is awaited is a new choice, not stale.
        states={
            events.PlanStep.MOVE_WHEN: [
                MessageHandler(typed, events.move_when),
                button(MyEvent, events.press_my_event),
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
        button(EventPress, events.press_event),
        button(AskPress, questions.press_ask),
        button(MeantPress, questions.press_meant),
    ]


def suggestion_handlers() -> list[AnyHandler]:
    return [
        command(SUGGESTIONS, suggestions.show_groups),
        button(VoicePress, suggestions.press_voice),
        button(GroupPress, suggestions.press_group),
        # A shared location is an unsafe place (before the "I read text" answer).
        MessageHandler(filters.UpdateType.MESSAGE & filters.LOCATION, suggestions.on_location),
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
    suggestion_handlers,
    # Free text last: conversations above own their typed steps.
    text.text_handlers,
)


# Feature start-up hooks (scheduling jobs with deterministic names), run in post_init after
# the database is open.
STARTUP: Sequence[Callable[[Any], Awaitable[None]]] = (
    status.schedule_reminders,
    reporting.schedule_cards,
    progress.schedule_follow_news,
    tips.schedule_tips,
    events.schedule_followups,
    pulse.schedule_pulse,
    delivery.start_sender,
)


def register(app: Application[Any, BotContext, Any, Any, Any, Any]) -> None:
    # A poll's counts come without a user: taken before the actor stage, and stopped there.
    app.add_handler(PollHandler(pulse.on_poll), group=-2)
    app.add_handler(TypeHandler(Update, load_actor), group=-1)
    for factory in FEATURES:
        app.add_handlers(factory(), group=0)
    # Fallbacks, after every feature: /cancel outside a conversation and stale buttons.
    app.add_handler(command(CANCEL, basics.cancel), group=0)
    # Last of all: any other command (/hjälp, /meny, /stopp …) gets the menu.
    app.add_handler(MessageHandler(filters.COMMAND, questions.on_unknown_command), group=0)
    app.add_handler(CallbackQueryHandler(basics.stale_button), group=0)
    app.add_error_handler(on_error)
