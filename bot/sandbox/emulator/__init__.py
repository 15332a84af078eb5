"""A small local Telegram Bot API emulator for development and tests.

It speaks the Bot API over real HTTP so an unmodified ``telegram.Bot`` / PTB ``Application``
can be pointed at it with ``base_url=emu.base_url`` and ``base_file_url=emu.base_file_url``.
The "user side" (``user_sends``, ``user_presses``, ``user_blocks``) is plain Python, so tests
and the terminal chat can play residents without a phone.

It listens on loopback only: ``start()`` refuses any other host, because the emulator accepts
every well-formed token and must never be reachable from the network.

Emulated: getMe, getUpdates (real long polling with offset/limit/timeout), sendMessage,
editMessageText, editMessageReplyMarkup, editMessageCaption, deleteMessage,
answerCallbackQuery, sendDocument, sendPhoto, getFile (+ file download), sendChatAction,
set/delete/getMyCommands, setWebhook/deleteWebhook/getWebhookInfo (updates are POSTed to the
webhook when one is set), setMyDescription, setMyShortDescription, setChatMenuButton, close,
logOut. Error answers use Telegram's status codes and descriptions; faults (429, 5xx, slow
answers, 403) and rate limits can be injected.

``parse_mode="HTML"`` is parsed like Telegram does: the stored and returned text is what the
user sees, with entities, and malformed markup is refused with "can't parse entities".
MarkdownV2 is only checked for unescaped reserved characters and is stored as sent.

A second concurrent getUpdates terminates the first with 409 Conflict, as on Telegram, so two
bot instances polling the same emulator fail loudly.

Not emulated: groups, channels and their permissions, inline mode, payments, media groups,
stickers, Markdown entity parsing, file size limits, the webhook's certificate / IP checks and
retries (a failed delivery is recorded in ``webhook_deliveries`` and dropped), and Telegram's
exact flood-control algorithm (a simple sliding window stands in for it).

The package, by concern: ``core`` (the :class:`Emulator`: lifecycle, user side, dispatch),
``state`` (chats, messages, updates, the webhook), ``methods`` (the Bot API methods),
``limits`` (injected faults and flood limits), ``entities`` (HTML and MarkdownV2 text),
``http`` (requests and answers over HTTP) and ``errors`` (Telegram-shaped error answers).
"""

from bot.sandbox.emulator.core import Emulator
from bot.sandbox.emulator.errors import ApiError
from bot.sandbox.emulator.limits import SEND_METHODS, FaultKind
from bot.sandbox.emulator.state import BOT_USER, Listener, SentMessage, Upload

__all__ = [
    "BOT_USER",
    "SEND_METHODS",
    "ApiError",
    "Emulator",
    "FaultKind",
    "Listener",
    "SentMessage",
    "Upload",
]
