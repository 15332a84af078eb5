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
    TypeHandler,
)

from handlers import admin, basics, progress, status
from handlers.common import BotContext, Handler
from handlers.errors import on_error
from handlers.loader import load_actor
from handlers.menus import (
    CANCEL,
    DELETE_ME,
    FOLLOW,
    HELP,
    INVITE,
    LANGUAGE,
    PAUSE,
    PRIVACY,
    PROGRESS,
    PUBLISH,
    RECIPIENTS,
    STAFF,
    START,
    STATUS,
    Command,
    mark_registered,
)

AnyHandler = BaseHandler[Update, BotContext, Any]


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


# Feature modules contribute handler lists in this order (conversations before plain
# commands, free text last). Each entry is a zero-argument factory.
FEATURES: Sequence[Callable[[], list[AnyHandler]]] = (
    basic_handlers,
    admin_handlers,
    status_handlers,
    progress_handlers,
)


# Feature start-up hooks (scheduling jobs with deterministic names), run in post_init after
# the database is open.
STARTUP: Sequence[Callable[[Any], Awaitable[None]]] = (
    status.schedule_reminders,
    progress.schedule_follow_news,
)


def register(app: Application[Any, BotContext, Any, Any, Any, Any]) -> None:
    app.add_handler(TypeHandler(Update, load_actor), group=-1)
    for factory in FEATURES:
        app.add_handlers(factory(), group=0)
    # Fallbacks, after every feature: /cancel outside a conversation and stale buttons.
    app.add_handler(command(CANCEL, basics.cancel), group=0)
    app.add_handler(CallbackQueryHandler(basics.stale_button), group=0)
    app.add_error_handler(on_error)
