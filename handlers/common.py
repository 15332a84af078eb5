"""Shared Telegram glue: the typed context, role gates and reply helpers."""

from __future__ import annotations

import functools
import warnings
from collections.abc import Callable, Coroutine
from dataclasses import dataclass
from typing import Any, TypeVar

from telegram import (
    InlineKeyboardButton,
    InlineKeyboardMarkup,
    Message,
    Update,
)
from telegram.error import BadRequest, NetworkError
from telegram.ext import CallbackContext, CallbackQueryHandler, ConversationHandler, ExtBot
from telegram.warnings import PTBUserWarning

from bot.domain.errors import UserFacingError
from bot.domain.promise import Promise
from bot.domain.roles import Actor
from bot.i18n import Translator
from bot.render import Screen, fit_label, notices
from bot.render.callbacks import CallbackData, MalformedCallback
from bot.services import Services
from bot.services.events import PlanScratch
from bot.services.people import PeopleService
from bot.services.suggestions import VoiceDraft
from bot.services.wiring import Features, build_features
from handlers.outgoing import Markup, may_have_arrived
from handlers.replies import ReplyScope, open_scope, send_reply

_C = TypeVar("_C", bound=CallbackData)
_R = TypeVar("_R")


class BotData:
    """Typed bot-wide data (PTB constructs it empty; ``bot.app`` fills it once): the storage
    container and every application service, built once."""

    services: Services
    features: Features  # the home kommun's current promise's

    def __init__(self) -> None:
        self._scoped: dict[str, Features] = {}

    @property
    def people(self) -> PeopleService:
        return self.features.people

    def features_for(self, promise: Promise) -> Features:
        """The features working for ``promise`` (built once; the outbox sender shared)."""
        if promise.id == self.services.promise.id:
            return self.features
        found = self._scoped.get(promise.id)
        if found is None:
            scoped = self.services.scoped(promise)
            found = self._scoped[promise.id] = build_features(scoped, self.features.delivery)
        return found

    def in_force(self) -> list[Features]:
        """The features of every promise in force today (digests and reminders)."""
        return [self.features_for(s.promise) for s in self.services.in_force()]

    def each(self) -> list[Features]:
        """Every promise's features but drafts': what the jobs run for."""
        return [self.features_for(s.promise) for s in self.services.each()]


@dataclass
class TipsScratch:
    """/tips so far: how often, then which day (the time of day ends the flow)."""

    cadence: str
    weekday: int | None = None


@dataclass
class UserData:
    """Per-user conversation scratch (never the record), one typed field per flow."""

    plan: PlanScratch | None = None
    move: int | None = None  # the event whose new time /myevents is waiting for
    scam_next: bool = False  # "Is this a scam?": the next text is one to check for fraud
    tips: TipsScratch | None = None
    alert: dict[str, str] | None = None  # /alert's draft: locale -> text
    alert_other: str | None = None  # the language whose version the next message is
    voice: VoiceDraft | None = None  # a suggestion card not passed on yet
    voice_event: int | None = None  # a poster's event: the next text is a suggestion for it
    voice_offer: VoiceDraft | None = None  # a worry that "Do you want us to include this?" keeps

    def in_use(self) -> bool:
        """Whether any flow has left scratch here (what /cancel would drop)."""
        return self != UserData()

    def clear(self) -> None:
        """Drop every flow's scratch (/cancel)."""
        for name, value in vars(UserData()).items():
            setattr(self, name, value)


class ChatData:
    """Per-chat data: nothing is kept per chat today (records live in SQLite, conversation
    scratch per user in ``UserData``); typed so that a first use has to name its field."""


def user_data(context: CallbackContext[Any, UserData, Any, Any]) -> UserData:
    """The user's scratch, or an empty detached one for updates without a user."""
    return context.user_data if context.user_data is not None else UserData()


class BotContext(CallbackContext[ExtBot[None], UserData, ChatData, BotData]):
    """Carries the per-update actor loaded once by the loader in a low handler group."""

    _actor: Actor | None = None
    _promise: Promise | None = None

    @property
    def promise_chosen(self) -> bool:
        return self._promise is not None

    def use_promise(self, promise: Promise | None) -> None:
        """For the rest of this update, ``services`` and ``features`` work for ``promise``
        (a report card's promise, a resident's kommun's); None: the home promise."""
        self._promise = promise

    def use_promise_at(self, index: int) -> None:
        """``use_promise`` for a button's promise: its place in the deployment's list (an
        index out of range, from an old or a forged button, changes nothing)."""
        promises = self.bot_data.services.promises.promises
        if len(promises) > 1 and 0 <= index < len(promises):
            self.use_promise(promises[index])

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
        if self._promise is not None:
            return self.bot_data.services.scoped(self._promise)
        return self.bot_data.services

    @property
    def people(self) -> PeopleService:
        return self.bot_data.features.people

    @property
    def features(self) -> Features:
        if self._promise is not None:
            return self.bot_data.features_for(self._promise)
        return self.bot_data.features


Handler = Callable[[Update, BotContext], Coroutine[Any, Any, Any]]


Pressed = Callable[[Update, BotContext, _C], Coroutine[Any, Any, _R]]


def pressed(kind: type[_C], *, stale: Any = None) -> Callable[[Pressed[_C, _R]], Handler]:
    """Decode the pressed button's data into ``kind`` and hand the handler the typed object.

    Callback data is untrusted: anything that does not decode (an old button still sitting in
    a chat, a hand-made payload) gets a kind "no longer valid" and the handler is not called;
    ``stale`` is what a conversation step returns then."""

    def decorate(func: Pressed[_C, _R]) -> Handler:
        @functools.wraps(func)
        async def wrapper(update: Update, context: BotContext) -> Any:
            query = update.callback_query
            try:
                data = kind.decode(query.data if query is not None else None)
            except MalformedCallback:
                await stale_answer(update, context)
                return stale
            return await func(update, context, data)

        return wrapper

    return decorate


async def stale_answer(update: Update, context: BotContext) -> None:
    tr = context.actor.tr if context.has_actor else context.services.translator()
    await reply(update, notices.stale_button(tr))


def button(kind: type[CallbackData], callback: Handler, *leading: object) -> Any:
    """A CallbackQueryHandler for one namespace (optionally narrowed by leading fields)."""
    return CallbackQueryHandler(callback, pattern=kind.pattern(*leading))


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


async def show(
    update: Update, screen: Screen, *, edit: bool = False, urgent: bool | None = None
) -> Message | None:
    return await reply(update, screen.text, markup(screen), edit=edit, urgent=urgent)


def open_replies(update: Update, context: BotContext) -> None:
    """From here on this update's replies are deliveries (``handlers.replies``)."""
    open_scope(
        ReplyScope(
            update_id=update.update_id,
            outbox=context.features.delivery,
            budget=context.services.budget,
            translator=lambda: context.actor.tr,
        )
    )


def keyboard(rows: list[list[tuple[str, str]]]) -> InlineKeyboardMarkup:
    """An outbox message's stored buttons (data already encoded by a presenter's codec)."""
    return InlineKeyboardMarkup(
        [
            [InlineKeyboardButton(fit_label(label), callback_data=data) for label, data in row]
            for row in rows
        ]
    )


async def reply(
    update: Update,
    text: str,
    markup: Markup | None = None,
    *,
    edit: bool = False,
    urgent: bool | None = None,
) -> Message | None:
    """Answer in the same chat; for a button press, edit the pressed message when asked.

    An answer Telegram cannot take now is kept in the outbox and sent when it can (``urgent``:
    it carries 112 and is kept much longer; by default read from its first line). An edit
    that fails is sent as a new message instead."""
    query = update.callback_query
    if query is not None:
        try:
            await query.answer()
        except NetworkError as exc:  # only the spinner on the button: the answer matters
            if isinstance(exc, BadRequest):
                raise
        editable = markup is None or isinstance(markup, InlineKeyboardMarkup)
        if edit and editable and isinstance(query.message, Message):
            inline = markup if isinstance(markup, InlineKeyboardMarkup) else None
            try:
                result = await query.message.edit_text(text, reply_markup=inline)
            except NetworkError as exc:
                if isinstance(exc, BadRequest):
                    raise
                if may_have_arrived(exc):
                    return None  # most likely edited; a new message would say it twice
            else:
                return result if isinstance(result, Message) else None
    return await send(update, text, markup, urgent=urgent)


async def send(
    update: Update, text: str, markup: Markup | None = None, *, urgent: bool | None = None
) -> Message | None:
    """A new message in the update's chat, kept in the outbox when it cannot go now."""
    chat = update.effective_chat
    if chat is None:
        return None
    bot = update.get_bot()
    if not isinstance(bot, ExtBot):
        return await chat.send_message(text, reply_markup=markup)
    return await send_reply(bot, chat.id, text, markup, urgent=urgent)


async def show_error(
    update: Update, context: BotContext, error: UserFacingError, tr: Translator | None = None
) -> None:
    """A domain error as the user reads it: a short popup for a button, plus a message.
    Services raise these; the error handler (``handlers.errors``) shows them, in one place."""
    if tr is None:
        tr = context.actor.tr if context.has_actor else context.services.translator()
    text = error.render(tr)
    query = update.callback_query
    if query is not None:
        # A short popup plus a message: popups vanish and some phones hide them.
        await query.answer(text[:190], show_alert=False)
    await send(update, text)


def staff_only(what: str) -> Callable[[Handler], Handler]:
    """Check the role in the handler itself (not only by hiding buttons): residents get a
    polite refusal and the attempt is audited."""

    def decorate(func: Handler) -> Handler:
        @functools.wraps(func)
        async def wrapper(update: Update, context: BotContext) -> Any:
            if not context.actor.is_staff:
                await show_error(update, context, await context.people.refuse(context.actor, what))
                return None
            return await func(update, context)

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
            return await func(update, context)

        return wrapper

    return decorate


def conversation_handler(**kwargs: Any) -> ConversationHandler[BotContext]:
    """A conversation tracked per chat (``per_message=False``) on purpose: its steps mix
    typed text and button taps. PTB warns about that combination whenever one is built;
    the warning is silenced for this construction only, not for the whole process."""
    with warnings.catch_warnings():
        warnings.filterwarnings("ignore", message="If 'per_message=False'", category=PTBUserWarning)
        return ConversationHandler(**kwargs)


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
