"""Stage one for every update (handler group -1): who is this, and should we answer at all?

Loads the actor (role, organisation, locale) once so feature handlers never query it again,
and stops updates the bot must not react to: group chatter that does not address the bot,
channel posts, and updates without a user. (Updates Telegram could not have sent never get
here: ``bot.transport.update_guard.GuardedApplication`` drops them.) When the actor cannot be loaded
the update stops too: the error handler reports it once, and no feature handler runs
without an actor.
"""

from __future__ import annotations

from telegram import Message, MessageEntity, Update
from telegram.constants import ChatType
from telegram.ext import ApplicationHandlerStop

from handlers.common import BotContext, open_replies
from handlers.replies import open_scope


def _addresses_bot(message: Message, bot_username: str, bot_id: int) -> bool:
    replied = message.reply_to_message
    if replied is not None and replied.from_user is not None and replied.from_user.id == bot_id:
        return True
    mention = "@" + bot_username.lower()
    kinds: list[str | None] = [MessageEntity.MENTION, MessageEntity.BOT_COMMAND]
    # PTB slices by Telegram's UTF-16 offsets (right after an emoji too), text or caption.
    found = {**message.parse_entities(kinds), **message.parse_caption_entities(kinds)}
    for entity, part in found.items():
        part = part.lower()
        if entity.type == MessageEntity.BOT_COMMAND and "@" not in part:
            return True
        if part.endswith(mention):
            return True
    return False


async def load_actor(update: Update, context: BotContext) -> None:
    open_scope(None)  # nothing of an earlier update's replies carries over
    user = update.effective_user
    chat = update.effective_chat
    if user is None or chat is None or user.is_bot:
        raise ApplicationHandlerStop
    message = update.message
    if (
        chat.type in (ChatType.GROUP, ChatType.SUPERGROUP)
        and message is not None
        and not _addresses_bot(message, context.bot.username, context.bot.id)
    ):
        # In groups the bot only answers when addressed; everything else is left alone.
        raise ApplicationHandlerStop
    try:
        context.actor = await context.people.actor(
            user.id, chat.id, user.language_code, user.full_name
        )
    except Exception as exc:
        # The error handler logs it and apologises, once; then the update stops here.
        await context.application.process_error(update, exc)
        raise ApplicationHandlerStop from exc
    kommun = context.actor.municipality
    services = context.bot_data.services
    several = len(services.promises.municipalities) > 1
    if several and not context.actor.is_staff:
        # A resident is answered about her kommun's promise (chosen with /kommun or read
        # from a place she named); a place in a text may still name another.
        kommun = await context.people.municipality(user.id)
    if kommun is not None and several:
        # A municipal staff member works for her kommun's promise: what she plans, confirms
        # and reads is that promise's (a report card still counts where its place says).
        context.use_promise(services.promises.current(kommun, services.clock.today()))
    open_replies(update, context)
