"""Shared Telegram glue: the typed context, role gates and reply helpers."""

from __future__ import annotations

import functools
from collections.abc import Callable, Coroutine
from typing import Any, TypeVar, cast

from telegram import InlineKeyboardButton, InlineKeyboardMarkup, Message, Update
from telegram.ext import CallbackContext, ExtBot

from bot.errors import UserFacingError
from bot.render import Screen
from bot.roles import Actor
from bot.services import Services
from bot.services.people import PeopleService
from bot.services.reporting import ReportScratch

CALLBACK_MAX = 64  # Telegram's limit on callback_data bytes
_F = TypeVar("_F")


class BotData:
    """Typed bot-wide data (PTB constructs it empty; ``bot.app`` fills it once)."""

    services: Services
    people: PeopleService
    # Feature services register themselves here by attribute, typed in their own modules.
    features: dict[type, object]

    def __init__(self) -> None:
        self.features = {}

    def feature(self, kind: type[_F]) -> _F:
        return cast(_F, self.features[kind])


class UserData(dict[Any, Any]):
    """Per-user conversation scratch (never the record). Flows that moved to typed state
    keep it in typed attributes; older flows still use string keys."""

    report: ReportScratch | None = None

    def clear(self) -> None:
        super().clear()
        self.report = None


def user_data(context: CallbackContext[Any, UserData, Any, Any]) -> UserData:
    """The user's scratch, or an empty detached one for updates without a user."""
    return context.user_data if context.user_data is not None else UserData()


class BotContext(CallbackContext[ExtBot[None], UserData, dict[Any, Any], BotData]):
    """Carries the per-update actor loaded once by the loader in a low handler group."""

    _actor: Actor | None = None

    @property
    def actor(self) -> Actor:
        if self._actor is None:
            raise RuntimeError("actor not loaded for this update")
        return self._actor

    @actor.setter
    def actor(self, value: Actor) -> None:
        self._actor = value

    @property
    def has_actor(self) -> bool:
        return self._actor is not None

    @property
    def services(self) -> Services:
        return self.bot_data.services

    @property
    def people(self) -> PeopleService:
        return self.bot_data.people


Handler = Callable[[Update, BotContext], Coroutine[Any, Any, Any]]


def cb(*parts: object) -> str:
    """Namespaced callback data, ``area:verb:arg``; refuses to exceed Telegram's limit."""
    data = ":".join(str(p) for p in parts)
    if len(data.encode("utf-8")) > CALLBACK_MAX:
        raise ValueError("callback data too long")
    return data


def split_cb(data: str | None, expected_parts: int) -> list[str] | None:
    """Split untrusted callback data; None when it does not have the expected shape."""
    if not data or len(data) > CALLBACK_MAX:
        return None
    parts = data.split(":")
    return parts if len(parts) == expected_parts else None


def int_arg(text: str) -> int | None:
    return int(text) if text.isdigit() and len(text) < 19 else None


def markup(screen: Screen) -> InlineKeyboardMarkup | None:
    """A presenter's typed buttons as Telegram's inline keyboard (None when there are none)."""
    if not screen.rows:
        return None
    rows = screen.rows
    return InlineKeyboardMarkup(
        [
            [InlineKeyboardButton(b.label, callback_data=b.data.encode()) for b in row]
            for row in rows
        ]
    )


async def show(update: Update, screen: Screen, *, edit: bool = False) -> Message | None:
    return await reply(update, screen.text, markup(screen), edit=edit)


def keyboard(rows: list[list[tuple[str, str]]]) -> InlineKeyboardMarkup:
    return InlineKeyboardMarkup(
        [[InlineKeyboardButton(label, callback_data=data) for label, data in row] for row in rows]
    )


async def reply(
    update: Update,
    text: str,
    markup: InlineKeyboardMarkup | None = None,
    *,
    edit: bool = False,
) -> Message | None:
    """Answer in the same chat; for a button press, edit the pressed message when asked."""
    query = update.callback_query
    if query is not None:
        await query.answer()
        if edit and query.message is not None and isinstance(query.message, Message):
            result = await query.message.edit_text(text, reply_markup=markup)
            return result if isinstance(result, Message) else None
    chat = update.effective_chat
    if chat is None:
        return None
    return await chat.send_message(text, reply_markup=markup)


async def show_error(update: Update, context: BotContext, error: UserFacingError) -> None:
    tr = context.actor.tr if context.has_actor else context.services.translator()
    text = error.render(tr)
    query = update.callback_query
    if query is not None:
        # A short popup plus a message: popups vanish and some phones hide them.
        await query.answer(text[:190], show_alert=False)
    chat = update.effective_chat
    if chat is not None:
        await chat.send_message(text)


def guarded(func: Handler) -> Handler:
    """Turn a UserFacingError raised by a service into a friendly answer."""

    @functools.wraps(func)
    async def wrapper(update: Update, context: BotContext) -> Any:
        try:
            return await func(update, context)
        except UserFacingError as error:
            await show_error(update, context, error)
            return None

    return wrapper


def staff_only(what: str) -> Callable[[Handler], Handler]:
    """Check the role in the handler itself (not only by hiding buttons): residents get a
    polite refusal and the attempt is audited."""

    def decorate(func: Handler) -> Handler:
        @functools.wraps(func)
        async def wrapper(update: Update, context: BotContext) -> Any:
            if not context.actor.is_staff:
                await show_error(update, context, await context.people.refuse(context.actor, what))
                return None
            return await guarded(func)(update, context)

        return wrapper

    return decorate


def admin_only(what: str) -> Callable[[Handler], Handler]:
    def decorate(func: Handler) -> Handler:
        @functools.wraps(func)
        async def wrapper(update: Update, context: BotContext) -> Any:
            if not context.actor.is_admin:
                refusal = await context.people.refuse(context.actor, what, admin=True)
                await show_error(update, context, refusal)
                return None
            return await guarded(func)(update, context)

        return wrapper

    return decorate


def every(
    app: Any,
    name: str,
    callback: Callable[[BotContext], Coroutine[Any, Any, Any]],
    seconds: float,
    first: float,
    overlap: int = 1,
) -> None:
    """(Re)schedule a repeating job under a fixed name: a restart replaces it instead of
    adding a second copy. What the job does is decided from data in SQLite each time.
    ``overlap`` > 1 lets the scheduler start a run while one is still going (the job then
    decides itself to return at once) instead of logging a skipped run every tick."""
    for job in app.job_queue.get_jobs_by_name(name):
        job.schedule_removal()
    app.job_queue.run_repeating(
        callback, interval=seconds, first=first, name=name, job_kwargs={"max_instances": overlap}
    )
