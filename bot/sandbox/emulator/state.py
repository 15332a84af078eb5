"""What the emulator holds: the chats and the messages in them, the queue of updates,
uploads, the webhook and its deliveries; and how a message looks in Bot API JSON."""

from __future__ import annotations

import asyncio
import contextlib
import itertools
import json
import logging
import re
import time
from collections.abc import Awaitable, Callable
from dataclasses import dataclass, field
from typing import Any

import tornado.httpclient
import tornado.httpserver
import tornado.httputil

from bot.sandbox.emulator.errors import bad_request, blocked
from bot.sandbox.loopback import LoopbackServer

BOT_USER: dict[str, Any] = {
    "id": 1,
    "is_bot": True,
    "first_name": "Trygghetsbot (sandbox)",
    "username": "trygghetsbot_sandbox_bot",
    "can_join_groups": True,
    "can_read_all_group_messages": False,
    "supports_inline_queries": False,
    "can_connect_to_business": False,
    "has_main_web_app": False,
}

log = logging.getLogger(__name__)

Listener = Callable[[str, "SentMessage"], None]
Files = dict[str, tornado.httputil.HTTPFile]
MethodFn = Callable[[dict[str, Any], Files], Awaitable[Any]]


@dataclass
class Upload:
    """A file the bot uploaded (or referenced by file_id)."""

    file_id: str
    file_unique_id: str
    data: bytes
    filename: str
    mime_type: str


@dataclass
class SentMessage:
    """One message the bot sent, as it looks now (after edits and deletion)."""

    chat_id: int
    message_id: int
    method: str
    date: int
    # What the user sees: for parse_mode="HTML" the markup is gone and lives in ``entities``.
    text: str | None = None
    caption: str | None = None
    raw_text: str | None = None
    entities: list[dict[str, Any]] | None = None
    reply_markup: dict[str, Any] | None = None
    parse_mode: str | None = None
    upload: Upload | None = None
    deleted: bool = False
    edit_count: int = 0
    edit_date: int | None = None
    params: dict[str, Any] = field(default_factory=dict)
    # sendPoll: Telegram's Poll object (its voter counts kept up to date) and who voted,
    # which only the emulator knows (an anonymous poll's updates never say).
    poll: dict[str, Any] | None = None
    voters: dict[int, int] = field(default_factory=dict)

    @property
    def data(self) -> bytes | None:
        return self.upload.data if self.upload else None

    @property
    def filename(self) -> str | None:
        return self.upload.filename if self.upload else None

    @property
    def buttons(self) -> list[tuple[str, str]]:
        """(label, callback_data or url) of every inline button, row by row; reply-keyboard
        buttons appear as (label, "")."""
        markup = self.reply_markup or {}
        inline = markup.get("inline_keyboard", [])
        if inline:
            return [
                (str(b.get("text", "")), str(b.get("callback_data", b.get("url", ""))))
                for row in inline
                for b in row
            ]
        return [
            (b, "") if isinstance(b, str) else (str(b.get("text", "")), "")
            for row in markup.get("keyboard", [])
            for b in row
        ]

    @property
    def callback_data(self) -> list[str]:
        rows = (self.reply_markup or {}).get("inline_keyboard", [])
        return [str(b["callback_data"]) for row in rows for b in row if "callback_data" in b]

    @property
    def shown(self) -> str:
        """The text or caption as the user sees it (a poll: its question)."""
        if self.poll is not None:
            return str(self.poll["question"])
        return self.text if self.text is not None else (self.caption or "")


@dataclass
class Chat:
    chat_id: int
    first_name: str
    username: str | None = None
    language_code: str | None = None
    blocked: bool = False
    next_message_id: int = 1
    messages: dict[int, SentMessage] = field(default_factory=dict)
    user_messages: dict[int, dict[str, Any]] = field(default_factory=dict)

    def chat_json(self) -> dict[str, Any]:
        if self.chat_id < 0:
            # Only so a bot replying to a group id gets a well-formed answer.
            return {"id": self.chat_id, "type": "group", "title": self.first_name}
        chat: dict[str, Any] = {
            "id": self.chat_id,
            "type": "private",
            "first_name": self.first_name,
        }
        if self.username:
            chat["username"] = self.username
        return chat

    def user_json(self) -> dict[str, Any]:
        user: dict[str, Any] = {"id": self.chat_id, "is_bot": False, "first_name": self.first_name}
        if self.username:
            user["username"] = self.username
        if self.language_code:
            user["language_code"] = self.language_code
        return user

    def take_message_id(self) -> int:
        # User and bot messages share one id sequence in a private chat.
        message_id = self.next_message_id
        self.next_message_id += 1
        return message_id


def as_int(value: Any) -> int | None:
    if isinstance(value, bool):
        return None
    if isinstance(value, int):
        return value
    if isinstance(value, str) and re.fullmatch(r"-?\d+", value.strip()):
        return int(value)
    return None


def as_float(value: Any) -> float:
    if isinstance(value, int | float) and not isinstance(value, bool):
        return float(value)
    if isinstance(value, str):
        with contextlib.suppress(ValueError):
            return float(value)
    return 0.0


def scope_key(params: dict[str, Any]) -> tuple[str, str]:
    scope = params.get("scope") or {"type": "default"}
    scope_json = json.dumps(scope, sort_keys=True) if isinstance(scope, dict) else str(scope)
    return scope_json, str(params.get("language_code") or "")


class EmulatorState(LoopbackServer):
    """The state every concern of the emulator shares, and the helpers that read and change
    it: chats, messages as JSON, the update queue and webhook deliveries."""

    def __init__(self) -> None:
        self.calls: list[tuple[str, dict[str, Any]]] = []
        self.sent_count = 0
        self.webhook_deliveries: list[tuple[dict[str, Any], int]] = []
        self.commands: dict[tuple[str, str], list[dict[str, Any]]] = {}
        self.descriptions: dict[tuple[str, str], str] = {}
        self.menu_buttons: dict[int | None, dict[str, Any]] = {}
        self.callback_answers: list[dict[str, Any]] = []
        self.chat_actions: list[tuple[int, str]] = []
        # When False, sending to a chat no user has written from fails like on Telegram.
        self.allow_unknown_chats = True
        # Tokens (without the "bot" prefix) answered with 401 Unauthorized, like revoked ones.
        self.revoked_tokens: set[str] = set()

        self._host = "127.0.0.1"
        self._port: int | None = None
        self._server: tornado.httpserver.HTTPServer | None = None
        self._client: tornado.httpclient.AsyncHTTPClient | None = None
        self._closing = asyncio.Event()
        self._chats: dict[int, Chat] = {}
        self._updates: list[dict[str, Any]] = []
        self._update_ids = itertools.count(1)
        self._updates_changed: asyncio.Condition | None = None
        self._files: dict[str, Upload] = {}
        self._files_by_path: dict[str, Upload] = {}
        self._file_ids = itertools.count(1)
        self._webhook: dict[str, Any] | None = None
        self._last_activity = time.monotonic()
        self._inflight = 0
        self._idle = asyncio.Event()
        self._idle.set()
        self._poll_generation = 0
        self._callback_ids = itertools.count(1)
        self._poll_ids = itertools.count(1)
        self._listeners: list[Listener] = []
        self._webhook_lock = asyncio.Lock()
        self._webhook_tasks: set[asyncio.Task[None]] = set()

    def _chat(
        self, chat_id: int, first_name: str | None = None, language_code: str | None = None
    ) -> Chat:
        chat = self._chats.get(chat_id)
        if chat is None:
            chat = self._chats[chat_id] = Chat(chat_id, first_name or f"User {chat_id}")
        if first_name:
            chat.first_name = first_name
        if language_code:
            chat.language_code = language_code
        return chat

    def _target_chat(self, params: dict[str, Any]) -> Chat:
        raw = params.get("chat_id")
        if raw is None or raw == "":
            raise bad_request("chat_id is empty")
        chat_id = as_int(raw)
        if chat_id is None or chat_id == 0:
            raise bad_request("chat not found")
        if not self.allow_unknown_chats and chat_id not in self._chats:
            raise bad_request("chat not found")
        chat = self._chat(chat_id)
        if chat.blocked:
            raise blocked()
        return chat

    def _editable(self, params: dict[str, Any]) -> SentMessage:
        if params.get("inline_message_id"):
            raise bad_request("inline messages are not emulated")
        chat = self._target_chat(params)
        message_id = as_int(params.get("message_id"))
        sent = chat.messages.get(message_id) if message_id is not None else None
        if sent is None or sent.deleted:
            raise bad_request("message to edit not found")
        return sent

    def _markup(self, params: dict[str, Any]) -> dict[str, Any] | None:
        markup = params.get("reply_markup")
        if markup is None or markup == "":
            return None
        if not isinstance(markup, dict):
            raise bad_request("can't parse reply keyboard markup JSON object")
        for row in markup.get("inline_keyboard", []):
            for button in row:
                data = button.get("callback_data")
                if data is not None and not 1 <= len(str(data).encode()) <= 64:
                    raise bad_request("BUTTON_DATA_INVALID")
        if markup.get("remove_keyboard"):
            return None
        return markup

    def _emit(self, event: str, sent: SentMessage) -> None:
        for listener in list(self._listeners):
            try:
                listener(event, sent)
            except Exception:
                # A broken display must not turn into a Bot API error for the bot.
                log.exception("emulator listener failed")

    def _message_json(self, sent: SentMessage) -> dict[str, Any]:
        chat = self._chats[sent.chat_id]
        message: dict[str, Any] = {
            "message_id": sent.message_id,
            "from": dict(BOT_USER),
            "chat": chat.chat_json(),
            "date": sent.date,
        }
        if sent.edit_date is not None:
            message["edit_date"] = sent.edit_date
        if sent.text is not None:
            message["text"] = sent.text
            if sent.entities:
                message["entities"] = sent.entities
        if sent.caption is not None:
            message["caption"] = sent.caption
            if sent.entities:
                message["caption_entities"] = sent.entities
        if sent.upload is not None:
            if sent.method == "sendPhoto":
                message["photo"] = [
                    {
                        "file_id": f"{sent.upload.file_id}-{size}",
                        "file_unique_id": f"{sent.upload.file_unique_id}-{size}",
                        "width": size,
                        "height": size * 3 // 4,
                        "file_size": len(sent.upload.data),
                    }
                    for size in (90, 320, 800)
                ]
            else:
                message["document"] = {
                    "file_id": sent.upload.file_id,
                    "file_unique_id": sent.upload.file_unique_id,
                    "file_name": sent.upload.filename,
                    "mime_type": sent.upload.mime_type,
                    "file_size": len(sent.upload.data),
                }
        if sent.poll is not None:
            message["poll"] = sent.poll
        if sent.reply_markup and "inline_keyboard" in sent.reply_markup:
            # Only inline keyboards are part of a Message object.
            message["reply_markup"] = sent.reply_markup
        return message

    def _member_update(self, chat: Chat, status: str) -> dict[str, Any]:
        old = "kicked" if status == "member" else "member"
        member: dict[str, Any] = {"user": dict(BOT_USER), "status": status}
        if status == "kicked":
            member["until_date"] = 0
        return {
            "chat": chat.chat_json(),
            "from": chat.user_json(),
            "date": int(time.time()),
            "old_chat_member": {"user": dict(BOT_USER), "status": old}
            | ({"until_date": 0} if old == "kicked" else {}),
            "new_chat_member": member,
        }

    # -- updates and the webhook -----------------------------------------------------------

    async def _push_update(self, body: dict[str, Any]) -> dict[str, Any]:
        update = {"update_id": next(self._update_ids), **body}
        if self._webhook is not None:
            self._deliver(update)
        else:
            self._updates.append(update)
            await self._notify_updates()
        return update

    async def _notify_updates(self) -> None:
        if self._updates_changed is None:
            return
        async with self._updates_changed:
            self._updates_changed.notify_all()

    def _deliver(self, update: dict[str, Any]) -> None:
        task = asyncio.get_running_loop().create_task(self._post_webhook(update))
        self._webhook_tasks.add(task)
        task.add_done_callback(self._webhook_tasks.discard)

    async def _post_webhook(self, update: dict[str, Any]) -> None:
        # One delivery at a time keeps updates in order, like max_connections=1.
        async with self._webhook_lock:
            await self._post_webhook_now(update)

    async def _post_webhook_now(self, update: dict[str, Any]) -> None:
        webhook, client = self._webhook, self._client
        if webhook is None or client is None:
            # The webhook went away while this update waited: fall back to getUpdates.
            self._updates.append(update)
            await self._notify_updates()
            return
        headers = {"Content-Type": "application/json"}
        if webhook["secret_token"]:
            headers["X-Telegram-Bot-Api-Secret-Token"] = str(webhook["secret_token"])
        request = tornado.httpclient.HTTPRequest(
            webhook["url"],
            method="POST",
            headers=headers,
            body=json.dumps(update, ensure_ascii=False),
            request_timeout=10.0,
        )
        try:
            response = await client.fetch(request, raise_error=False)
            code = response.code
        except Exception as exc:  # connection refused, DNS, timeout: Telegram would retry
            log.warning("webhook delivery to %s failed: %s", webhook["url"], exc)
            code = 599
        self.webhook_deliveries.append((update, code))
