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
"""

from __future__ import annotations

import asyncio
import contextlib
import ipaddress
import itertools
import json
import logging
import math
import re
import time
from collections import deque
from collections.abc import Awaitable, Callable
from dataclasses import dataclass, field
from typing import Any, Literal

import tornado.httpclient
import tornado.httpserver
import tornado.httputil
import tornado.netutil
import tornado.web

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

TOKEN_RE = re.compile(r"bot\d+:[A-Za-z0-9_-]+")

FaultKind = Literal["429", "5xx", "timeout", "403"]

# Methods that Telegram counts against flood control.
SEND_METHODS = frozenset(
    {
        "sendMessage",
        "sendPhoto",
        "sendDocument",
        "editMessageText",
        "editMessageReplyMarkup",
        "editMessageCaption",
    }
)

# Multipart/form bodies carry every value as a string; these are JSON-encoded objects.
_JSON_PARAMS = frozenset(
    {
        "reply_markup",
        "entities",
        "caption_entities",
        "commands",
        "scope",
        "allowed_updates",
        "link_preview_options",
        "reply_parameters",
        "menu_button",
    }
)
_INT_PARAMS = frozenset(
    {
        "chat_id",
        "message_id",
        "offset",
        "limit",
        "timeout",
        "user_id",
        "cache_time",
        "max_connections",
        "message_thread_id",
        "reply_to_message_id",
    }
)
_BOOL_PARAMS = frozenset(
    {
        "show_alert",
        "drop_pending_updates",
        "disable_notification",
        "protect_content",
        "disable_web_page_preview",
        "allow_sending_without_reply",
        "has_spoiler",
        "disable_content_type_detection",
    }
)

_QUIET_PERIOD = 0.2

log = logging.getLogger(__name__)

Listener = Callable[[str, "SentMessage"], None]
_Files = dict[str, tornado.httputil.HTTPFile]
_Method = Callable[[dict[str, Any], _Files], Awaitable[Any]]


class ApiError(Exception):
    """An error answer in Telegram's shape."""

    def __init__(self, code: int, description: str, retry_after: int | None = None) -> None:
        super().__init__(description)
        self.code = code
        self.description = description
        self.retry_after = retry_after

    def payload(self) -> dict[str, Any]:
        body: dict[str, Any] = {
            "ok": False,
            "error_code": self.code,
            "description": self.description,
        }
        if self.retry_after is not None:
            body["parameters"] = {"retry_after": self.retry_after}
        return body


def _not_found() -> ApiError:
    return ApiError(404, "Not Found")


def _bad_request(what: str) -> ApiError:
    return ApiError(400, f"Bad Request: {what}")


def _blocked() -> ApiError:
    return ApiError(403, "Forbidden: bot was blocked by the user")


def _not_modified() -> ApiError:
    return _bad_request(
        "message is not modified: specified new message content and reply markup are "
        "exactly the same as a current content and reply markup of the message"
    )


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
        """The text or caption as the user sees it."""
        return self.text if self.text is not None else (self.caption or "")


@dataclass
class _Chat:
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


@dataclass
class _Fault:
    method: str | None
    kind: FaultKind
    times: int
    retry_after: int
    chat_id: int | None

    def matches(self, method: str, params: dict[str, Any]) -> bool:
        if self.method is None:
            # A catch-all fault must not be eaten by the background poller.
            if method == "getUpdates":
                return False
        elif self.method.lower() != method.lower():
            return False
        return self.chat_id is None or _as_int(params.get("chat_id")) == self.chat_id


class _Window:
    """Sliding-window counter standing in for Telegram's flood control."""

    def __init__(self, per_second: float) -> None:
        if per_second <= 0:
            raise ValueError("rate must be positive")
        if per_second >= 1:
            self.allowed, self.window = int(per_second), 1.0
        else:
            self.allowed, self.window = 1, 1.0 / per_second
        self.stamps: deque[float] = deque()

    def retry_after(self, now: float) -> int | None:
        while self.stamps and self.stamps[0] <= now - self.window:
            self.stamps.popleft()
        if len(self.stamps) < self.allowed:
            return None
        return max(1, math.ceil(self.stamps[0] + self.window - now))

    def record(self, now: float) -> None:
        self.stamps.append(now)


def _as_int(value: Any) -> int | None:
    if isinstance(value, bool):
        return None
    if isinstance(value, int):
        return value
    if isinstance(value, str) and re.fullmatch(r"-?\d+", value.strip()):
        return int(value)
    return None


def _log_request(handler: tornado.web.RequestHandler) -> None:
    # Error answers are the point of many tests; tornado would log them as warnings.
    request = handler.request
    log.debug("%s %s -> %s", request.method, request.path, handler.get_status())


def _as_float(value: Any) -> float:
    if isinstance(value, int | float) and not isinstance(value, bool):
        return float(value)
    if isinstance(value, str):
        with contextlib.suppress(ValueError):
            return float(value)
    return 0.0


def _coerce(name: str, value: str) -> Any:
    if name in _JSON_PARAMS:
        try:
            return json.loads(value)
        except ValueError:
            return value
    if name in _INT_PARAMS:
        as_int = _as_int(value)
        return value if as_int is None else as_int
    if name in _BOOL_PARAMS:
        return value.strip().lower() in ("true", "1")
    return value


class _ApiHandler(tornado.web.RequestHandler):
    emulator: Emulator

    def initialize(self, emulator: Emulator) -> None:
        self.emulator = emulator

    async def get(self, token: str, method: str) -> None:
        await self._dispatch(token, method)

    async def post(self, token: str, method: str) -> None:
        await self._dispatch(token, method)

    async def _dispatch(self, token: str, method: str) -> None:
        if not TOKEN_RE.fullmatch(token):
            self._answer_error(_not_found())
            return
        if token.removeprefix("bot") in self.emulator.revoked_tokens:
            self._answer_error(ApiError(401, "Unauthorized"))
            return
        try:
            params, files = self._parse()
        except ValueError:
            self._answer_error(_bad_request("can't parse request body"))
            return
        try:
            result = await self.emulator._call(method, params, files)
        except ApiError as exc:
            self._answer_error(exc)
            return
        except Exception:
            # An emulator bug should reach the bot as a Telegram-shaped 500, not tornado's
            # HTML page, which PTB would report as an unrelated "invalid server response".
            log.exception("emulator failed on %s", method)
            self._answer_error(ApiError(500, "Internal Server Error"))
            return
        self._write_json(200, {"ok": True, "result": result})

    def _parse(self) -> tuple[dict[str, Any], dict[str, tornado.httputil.HTTPFile]]:
        params: dict[str, Any] = {}
        for name, values in self.request.query_arguments.items():
            params[name] = _coerce(name, values[-1].decode("utf-8"))
        content_type = self.request.headers.get("Content-Type", "")
        if content_type.startswith("application/json") and self.request.body:
            body = json.loads(self.request.body)
            if not isinstance(body, dict):
                raise ValueError("JSON body must be an object")
            params.update(body)
        else:
            for name, values in self.request.body_arguments.items():
                params[name] = _coerce(name, values[-1].decode("utf-8"))
        files = {name: parts[0] for name, parts in self.request.files.items() if parts}
        return params, files

    def _answer_error(self, error: ApiError) -> None:
        self._write_json(error.code, error.payload())

    def _write_json(self, status: int, body: dict[str, Any]) -> None:
        self.set_status(status)
        self.set_header("Content-Type", "application/json")
        self.finish(json.dumps(body, ensure_ascii=False))


class _FileHandler(tornado.web.RequestHandler):
    emulator: Emulator

    def initialize(self, emulator: Emulator) -> None:
        self.emulator = emulator

    def get(self, token: str, file_path: str) -> None:
        upload = self.emulator._files_by_path.get(file_path)
        if not TOKEN_RE.fullmatch(token) or upload is None:
            self.set_status(404)
            self.finish(json.dumps(_not_found().payload()))
            return
        self.set_header("Content-Type", upload.mime_type)
        self.finish(upload.data)


class Emulator:
    """A loopback-only Bot API server plus a Python "user side" for driving it.

    Inspection: ``calls`` (every (method, params) received), ``sent_to(chat_id)``,
    ``pending_updates``, ``callback_answers``, ``chat_actions``, ``my_commands()``,
    ``descriptions``, ``menu_buttons``, ``webhook_url``, ``webhook_deliveries``
    ((update, HTTP status) per POST), ``sent_count`` and ``rejected_429``.
    """

    def __init__(self, *, timeout_seconds: float = 3.0) -> None:
        # How long an injected "timeout" fault stalls before answering.
        self.timeout_seconds = timeout_seconds
        self.calls: list[tuple[str, dict[str, Any]]] = []
        self.sent_count = 0
        self.rejected_429 = 0
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
        self._chats: dict[int, _Chat] = {}
        self._updates: list[dict[str, Any]] = []
        self._update_ids = itertools.count(1)
        self._updates_changed: asyncio.Condition | None = None
        self._faults: list[_Fault] = []
        self._global_window: _Window | None = None
        self._chat_rate: float | None = None
        self._chat_windows: dict[int, _Window] = {}
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
        self._listeners: list[Listener] = []
        self._methods = self._method_table()
        self._webhook_lock = asyncio.Lock()
        self._webhook_tasks: set[asyncio.Task[None]] = set()

    # -- lifecycle -------------------------------------------------------------------------

    async def start(self, host: str = "127.0.0.1", port: int = 0) -> None:
        if not _is_loopback(host):
            raise ValueError(f"the emulator listens on loopback only, not {host!r}")
        if self._server is not None:
            raise RuntimeError("emulator already started")
        self._closing = asyncio.Event()
        self._updates_changed = asyncio.Condition()
        app = tornado.web.Application(
            [
                (r"/file/([^/]+)/(.+)", _FileHandler, {"emulator": self}),
                (r"/([^/]+)/([A-Za-z0-9_]+)/?", _ApiHandler, {"emulator": self}),
            ],
            log_function=_log_request,
        )
        address = "127.0.0.1" if host == "localhost" else host
        sockets = tornado.netutil.bind_sockets(port, address=address)
        self._server = tornado.httpserver.HTTPServer(app)
        self._server.add_sockets(sockets)
        self._port = int(sockets[0].getsockname()[1])
        self._host = f"[{address}]" if ":" in address else address
        self._client = tornado.httpclient.AsyncHTTPClient(force_instance=True)

    async def stop(self) -> None:
        if self._server is None:
            return
        self._closing.set()
        await self._notify_updates()
        self._server.stop()
        # Let long polls and stalled answers notice the shutdown and answer first.
        with contextlib.suppress(TimeoutError):
            await asyncio.wait_for(self._idle.wait(), 2.0)
        for task in list(self._webhook_tasks):
            task.cancel()
        if self._webhook_tasks:
            await asyncio.gather(*self._webhook_tasks, return_exceptions=True)
        await self._server.close_all_connections()
        if self._client is not None:
            self._client.close()
            self._client = None
        self._server = None

    async def __aenter__(self) -> Emulator:
        await self.start()
        return self

    async def __aexit__(self, *exc: object) -> None:
        await self.stop()

    @property
    def port(self) -> int:
        if self._port is None:
            raise RuntimeError("emulator not started")
        return self._port

    @property
    def base_url(self) -> str:
        return f"http://{self._host}:{self.port}/bot"

    @property
    def base_file_url(self) -> str:
        return f"http://{self._host}:{self.port}/file/bot"

    # -- user side -------------------------------------------------------------------------

    async def user_sends(
        self,
        user_id: int,
        text: str,
        first_name: str = "Testperson",
        language_code: str = "sv",
        forward_from_name: str | None = None,
    ) -> dict[str, Any]:
        """Queue (or POST to the webhook) a message update from a private chat and return it.
        A user who blocked the bot unblocks it first, as the Telegram app requires."""
        chat = self._chat(user_id, first_name=first_name, language_code=language_code)
        if chat.blocked:
            await self.user_unblocks(user_id)
        message: dict[str, Any] = {
            "message_id": chat.take_message_id(),
            "from": chat.user_json(),
            "chat": chat.chat_json(),
            "date": int(time.time()),
            "text": text,
        }
        if text.startswith("/"):
            command = text.split(maxsplit=1)[0]
            message["entities"] = [
                {"type": "bot_command", "offset": 0, "length": _utf16_len(command)}
            ]
        if forward_from_name is not None:
            # A hidden-account forward: Telegram only reveals the sender's name.
            message["forward_origin"] = {
                "type": "hidden_user",
                "date": message["date"],
                "sender_user_name": forward_from_name,
            }
        chat.user_messages[message["message_id"]] = message
        return await self._push_update({"message": message})

    async def user_presses(
        self, user_id: int, message_id: int, data: str, *, strict: bool = True
    ) -> dict[str, Any]:
        """Press an inline button under the bot's message ``message_id``. With ``strict`` the
        message must currently carry a button with that callback data, as a real user could
        not press anything else; pass ``strict=False`` to replay stale data."""
        chat = self._chats.get(user_id)
        sent = chat.messages.get(message_id) if chat else None
        if chat is None or sent is None or sent.deleted:
            raise KeyError(f"no bot message {message_id} in chat {user_id}")
        if strict and data not in sent.callback_data:
            raise ValueError(f"message {message_id} has no button with data {data!r}")
        query = {
            "id": str(4_000_000_000 + next(self._callback_ids)),
            "from": chat.user_json(),
            "message": self._message_json(sent),
            "chat_instance": str(-abs(user_id) * 7),
            "data": data,
        }
        return await self._push_update({"callback_query": query})

    async def user_blocks(self, user_id: int) -> dict[str, Any]:
        chat = self._chat(user_id)
        chat.blocked = True
        return await self._push_update({"my_chat_member": self._member_update(chat, "kicked")})

    async def user_unblocks(self, user_id: int) -> dict[str, Any]:
        chat = self._chat(user_id)
        chat.blocked = False
        return await self._push_update({"my_chat_member": self._member_update(chat, "member")})

    def sent_to(self, chat_id: int) -> list[SentMessage]:
        chat = self._chats.get(chat_id)
        if chat is None:
            return []
        return sorted(chat.messages.values(), key=lambda m: m.message_id)

    async def wait_for_reply(
        self,
        chat_id: int,
        after_count: int,
        timeout: float = 5.0,  # noqa: ASYNC109 - the deadline also bounds the quiet period
    ) -> list[SentMessage]:
        """Wait until the bot sent more than ``after_count`` messages to ``chat_id`` and has
        then gone quiet, so a multi-message answer is returned whole."""
        deadline = time.monotonic() + timeout
        while True:
            now = time.monotonic()
            sent = self.sent_to(chat_id)
            if len(sent) > after_count and now - self._last_activity >= _QUIET_PERIOD:
                return sent[after_count:]
            if now >= deadline:
                raise TimeoutError(
                    f"bot sent {len(sent) - after_count} new message(s) to {chat_id} "
                    f"within {timeout} s"
                )
            await asyncio.sleep(0.02)

    async def press_and_wait(
        self,
        user_id: int,
        message_id: int,
        data: str,
        *,
        strict: bool = True,
        timeout: float = 5.0,  # noqa: ASYNC109 - the deadline also bounds the quiet period
    ) -> list[SentMessage]:
        """Press a button (as ``user_presses``) and wait until the bot has dealt with it: it
        sent or edited something in the chat, or at least answered the query, and has then
        gone quiet. Returns the messages sent or edited since the press."""
        before = {m.message_id: m.edit_count for m in self.sent_to(user_id)}
        update = await self.user_presses(user_id, message_id, data, strict=strict)
        query_id = update["callback_query"]["id"]
        deadline = time.monotonic() + timeout
        while True:
            now = time.monotonic()
            changed = [m for m in self.sent_to(user_id) if before.get(m.message_id) != m.edit_count]
            answered = any(a.get("callback_query_id") == query_id for a in self.callback_answers)
            if (changed or answered) and now - self._last_activity >= _QUIET_PERIOD:
                return changed
            if now >= deadline:
                raise TimeoutError(f"the bot did not answer the press in chat {user_id}")
            await asyncio.sleep(0.02)

    @property
    def pending_updates(self) -> list[dict[str, Any]]:
        """Updates not yet confirmed by a getUpdates offset."""
        return list(self._updates)

    @property
    def webhook_url(self) -> str | None:
        return self._webhook["url"] if self._webhook else None

    def my_commands(
        self, scope: dict[str, Any] | None = None, language_code: str = ""
    ) -> list[dict[str, Any]]:
        """The commands the bot set for ``scope`` (default scope when None) and language."""
        params = {"scope": scope, "language_code": language_code}
        return list(self.commands.get(_scope_key(params), []))

    async def raw_update(self, body: dict[str, Any]) -> dict[str, Any]:
        """Queue an update exactly as given (plus its id), e.g. one a bot cannot parse."""
        return await self._push_update(body)

    def add_listener(self, listener: Listener) -> None:
        """Call ``listener(event, message)`` with event "sent", "edited" or "deleted" whenever
        the bot changes what a user sees, e.g. to print it in a terminal chat."""
        self._listeners.append(listener)

    def remove_listener(self, listener: Listener) -> None:
        self._listeners.remove(listener)

    # -- faults and limits -----------------------------------------------------------------

    def inject(
        self,
        method: str | None,
        kind: FaultKind,
        times: int = 1,
        retry_after: int = 1,
        chat_id: int | None = None,
    ) -> None:
        """Make the next ``times`` matching calls fail. ``method=None`` matches every method
        except getUpdates; ``chat_id`` narrows it to calls addressed to that chat."""
        if kind not in ("429", "5xx", "timeout", "403"):
            raise ValueError(f"unknown fault kind {kind!r}")
        self._faults.append(_Fault(method, kind, times, retry_after, chat_id))

    def clear_faults(self) -> None:
        self._faults.clear()

    def set_rate_limits(
        self, global_per_second: float | None, per_chat_per_second: float | None
    ) -> None:
        self._global_window = _Window(global_per_second) if global_per_second else None
        self._chat_rate = per_chat_per_second or None
        self._chat_windows.clear()

    # -- dispatch --------------------------------------------------------------------------

    async def _call(
        self,
        method: str,
        params: dict[str, Any],
        files: dict[str, tornado.httputil.HTTPFile],
    ) -> Any:
        self._inflight += 1
        self._idle.clear()
        try:
            return await self._call_inner(method, params, files)
        finally:
            self._inflight -= 1
            if not self._inflight:
                self._idle.set()

    async def _call_inner(
        self,
        method: str,
        params: dict[str, Any],
        files: dict[str, tornado.httputil.HTTPFile],
    ) -> Any:
        self.calls.append((method, dict(params)))
        # Telegram matches method names case-insensitively.
        entry = self._methods.get(method.lower())
        if entry is None:
            raise _not_found()
        method, handler = entry
        polling = method == "getUpdates"
        if not polling:
            self._last_activity = time.monotonic()
        await self._apply_fault(method, params)
        if method in SEND_METHODS:
            self._check_rate(params)
        result = await handler(params, files)
        if method in SEND_METHODS:
            self.sent_count += 1
        if not polling:
            self._last_activity = time.monotonic()
        return result

    async def _apply_fault(self, method: str, params: dict[str, Any]) -> None:
        fault = next((f for f in self._faults if f.matches(method, params)), None)
        if fault is None:
            return
        fault.times -= 1
        if fault.times <= 0:
            self._faults.remove(fault)
        if fault.kind == "429":
            self.rejected_429 += 1
            raise ApiError(
                429,
                f"Too Many Requests: retry after {fault.retry_after}",
                retry_after=fault.retry_after,
            )
        if fault.kind == "5xx":
            raise ApiError(502, "Bad Gateway")
        if fault.kind == "403":
            raise _blocked()
        # "timeout": stall past the client's patience, then really perform the call, as
        # Telegram may deliver a message whose answer never reached the bot.
        with contextlib.suppress(TimeoutError):
            await asyncio.wait_for(self._closing.wait(), self.timeout_seconds)

    def _check_rate(self, params: dict[str, Any]) -> None:
        now = time.monotonic()
        chat_id = _as_int(params.get("chat_id"))
        chat_window: _Window | None = None
        if self._chat_rate and chat_id is not None:
            chat_window = self._chat_windows.get(chat_id)
            if chat_window is None:
                chat_window = self._chat_windows[chat_id] = _Window(self._chat_rate)
        waits = [w.retry_after(now) for w in (self._global_window, chat_window) if w is not None]
        worst = max((w for w in waits if w is not None), default=None)
        if worst is not None:
            self.rejected_429 += 1
            raise ApiError(429, f"Too Many Requests: retry after {worst}", retry_after=worst)
        for window in (self._global_window, chat_window):
            if window is not None:
                window.record(now)

    def _method_table(self) -> dict[str, tuple[str, _Method]]:
        table: dict[str, _Method] = {
            "getMe": self._get_me,
            "getUpdates": self._get_updates,
            "sendMessage": self._send_message,
            "editMessageText": self._edit_message_text,
            "editMessageReplyMarkup": self._edit_message_reply_markup,
            "editMessageCaption": self._edit_message_caption,
            "deleteMessage": self._delete_message,
            "answerCallbackQuery": self._answer_callback_query,
            "sendDocument": self._send_document,
            "sendPhoto": self._send_photo,
            "getFile": self._get_file,
            "sendChatAction": self._send_chat_action,
            "setMyCommands": self._set_my_commands,
            "deleteMyCommands": self._delete_my_commands,
            "getMyCommands": self._get_my_commands,
            "setWebhook": self._set_webhook,
            "deleteWebhook": self._delete_webhook,
            "getWebhookInfo": self._get_webhook_info,
            "setMyDescription": self._set_my_description,
            "setMyShortDescription": self._set_my_short_description,
            "setChatMenuButton": self._set_chat_menu_button,
            "close": self._true,
            "logOut": self._true,
        }
        return {name.lower(): (name, fn) for name, fn in table.items()}

    # -- methods ---------------------------------------------------------------------------

    async def _true(self, params: dict[str, Any], files: Any) -> bool:
        return True

    async def _get_me(self, params: dict[str, Any], files: Any) -> dict[str, Any]:
        return dict(BOT_USER)

    async def _get_updates(self, params: dict[str, Any], files: Any) -> list[dict[str, Any]]:
        if self._webhook is not None:
            raise ApiError(
                409,
                "Conflict: can't use getUpdates method while webhook is active; "
                "use deleteWebhook to delete the webhook first",
            )
        offset = _as_int(params.get("offset")) or 0
        limit = min(max(_as_int(params.get("limit")) or 100, 1), 100)
        timeout = max(_as_float(params.get("timeout")), 0.0)
        if offset:
            self._confirm(offset)
        self._poll_generation += 1
        generation = self._poll_generation
        # Wakes an older poll so it can be terminated below.
        await self._notify_updates()
        if not self._updates and timeout and not self._closing.is_set():
            assert self._updates_changed is not None
            async with self._updates_changed:
                with contextlib.suppress(TimeoutError):
                    await asyncio.wait_for(
                        self._updates_changed.wait_for(
                            lambda: (
                                bool(self._updates)
                                or self._closing.is_set()
                                or self._poll_generation != generation
                                or self._webhook is not None
                            )
                        ),
                        timeout,
                    )
        if self._poll_generation != generation:
            raise ApiError(
                409,
                "Conflict: terminated by other getUpdates request; "
                "make sure that only one bot instance is running",
            )
        return [dict(u) for u in self._updates[:limit]]

    def _confirm(self, offset: int) -> None:
        if offset > 0:
            self._updates = [u for u in self._updates if u["update_id"] >= offset]
        else:
            # A negative offset keeps only the last -offset updates, like Telegram.
            self._updates = self._updates[offset:]

    async def _send_message(self, params: dict[str, Any], files: _Files) -> dict[str, Any]:
        chat = self._target_chat(params)
        raw = params.get("text")
        if not isinstance(raw, str) or not raw.strip():
            raise _bad_request("message text is empty")
        text, entities = _format(raw, params.get("parse_mode"), params.get("entities"))
        if not text.strip():
            raise _bad_request("message text is empty")
        if _utf16_len(text) > 4096:
            raise _bad_request("message is too long")
        sent = SentMessage(
            chat_id=chat.chat_id,
            message_id=chat.take_message_id(),
            method="sendMessage",
            date=int(time.time()),
            text=text,
            raw_text=raw,
            entities=entities,
            reply_markup=self._markup(params),
            parse_mode=params.get("parse_mode"),
            params=dict(params),
        )
        return self._store(chat, sent)

    async def _send_document(self, params: dict[str, Any], files: _Files) -> dict[str, Any]:
        return self._send_upload("sendDocument", "document", params, files)

    async def _send_photo(self, params: dict[str, Any], files: _Files) -> dict[str, Any]:
        return self._send_upload("sendPhoto", "photo", params, files)

    def _send_upload(
        self, method: str, field_name: str, params: dict[str, Any], files: _Files
    ) -> dict[str, Any]:
        chat = self._target_chat(params)
        caption, entities = self._caption(params)
        upload = self._upload_from(field_name, params, files)
        sent = SentMessage(
            chat_id=chat.chat_id,
            message_id=chat.take_message_id(),
            method=method,
            date=int(time.time()),
            caption=caption,
            raw_text=params.get("caption"),
            entities=entities,
            reply_markup=self._markup(params),
            parse_mode=params.get("parse_mode"),
            upload=upload,
            params={k: v for k, v in params.items() if k != field_name},
        )
        return self._store(chat, sent)

    def _caption(self, params: dict[str, Any]) -> tuple[str | None, list[dict[str, Any]] | None]:
        raw = params.get("caption")
        if not isinstance(raw, str) or not raw:
            return None, None
        caption, entities = _format(raw, params.get("parse_mode"), params.get("caption_entities"))
        if _utf16_len(caption) > 1024:
            raise _bad_request("message caption is too long")
        return caption, entities

    def _store(self, chat: _Chat, sent: SentMessage) -> dict[str, Any]:
        chat.messages[sent.message_id] = sent
        self._emit("sent", sent)
        return self._message_json(sent)

    def _upload_from(self, field_name: str, params: dict[str, Any], files: _Files) -> Upload:
        value = params.get(field_name)
        part = files.get(field_name)
        if isinstance(value, str) and value.startswith("attach://"):
            part = files.get(value.removeprefix("attach://"))
        if part is not None:
            index = next(self._file_ids)
            kind = "photo" if field_name == "photo" else "document"
            upload = Upload(
                file_id=f"emu-{kind}-{index}",
                file_unique_id=f"emu-u{index}",
                data=bytes(part.body),
                filename=part.filename or f"file{index}",
                mime_type=part.content_type or "application/octet-stream",
            )
            self._files[upload.file_id] = upload
            self._files_by_path[f"{kind}s/file_{index}"] = upload
            return upload
        if isinstance(value, str) and value in self._files:
            return self._files[value]
        if isinstance(value, str) and value:
            # A URL or a file_id from elsewhere: remember the reference, there are no bytes.
            index = next(self._file_ids)
            upload = Upload(f"emu-ref-{index}", f"emu-u{index}", b"", value, "")
            self._files[upload.file_id] = upload
            return upload
        raise _bad_request(f"there is no {field_name} in the request")

    async def _edit_message_text(self, params: dict[str, Any], files: _Files) -> dict[str, Any]:
        sent = self._editable(params)
        raw = params.get("text")
        if not isinstance(raw, str) or not raw.strip():
            raise _bad_request("message text is empty")
        if sent.text is None:
            raise _bad_request("there is no text in the message to edit")
        text, entities = _format(raw, params.get("parse_mode"), params.get("entities"))
        if _utf16_len(text) > 4096:
            raise _bad_request("message is too long")
        markup = self._edited_markup(sent, params)
        if (text, entities, markup) == (sent.text, sent.entities, sent.reply_markup):
            raise _not_modified()
        sent.text, sent.raw_text, sent.entities, sent.reply_markup = text, raw, entities, markup
        sent.parse_mode = params.get("parse_mode")
        return self._edited(sent)

    async def _edit_message_caption(self, params: dict[str, Any], files: _Files) -> dict[str, Any]:
        sent = self._editable(params)
        if sent.upload is None:
            raise _bad_request("there is no caption in the message to edit")
        caption, entities = self._caption(params)
        markup = self._edited_markup(sent, params)
        if (caption, entities, markup) == (sent.caption, sent.entities, sent.reply_markup):
            raise _not_modified()
        sent.caption, sent.entities, sent.reply_markup = caption, entities, markup
        sent.raw_text = params.get("caption")
        return self._edited(sent)

    async def _edit_message_reply_markup(
        self, params: dict[str, Any], files: _Files
    ) -> dict[str, Any]:
        sent = self._editable(params)
        markup = self._edited_markup(sent, params)
        if markup == sent.reply_markup:
            raise _not_modified()
        sent.reply_markup = markup
        return self._edited(sent)

    def _edited_markup(self, sent: SentMessage, params: dict[str, Any]) -> dict[str, Any] | None:
        markup = self._markup(params)
        if markup is not None and "inline_keyboard" not in markup:
            raise _bad_request("inline keyboard expected")
        if markup is None and sent.reply_markup and "inline_keyboard" not in sent.reply_markup:
            # A reply keyboard belongs to the chat, not the message: edits leave it alone.
            return sent.reply_markup
        # Editing without reply_markup removes the inline keyboard, as on Telegram.
        return markup

    def _edited(self, sent: SentMessage) -> dict[str, Any]:
        sent.edit_count += 1
        sent.edit_date = int(time.time())
        self._emit("edited", sent)
        return self._message_json(sent)

    async def _delete_message(self, params: dict[str, Any], files: _Files) -> bool:
        chat = self._target_chat(params)
        message_id = _as_int(params.get("message_id"))
        sent = chat.messages.get(message_id) if message_id is not None else None
        if sent is not None and not sent.deleted:
            sent.deleted = True
            self._emit("deleted", sent)
            return True
        if message_id is not None and chat.user_messages.pop(message_id, None) is not None:
            return True
        raise _bad_request("message to delete not found")

    async def _answer_callback_query(self, params: dict[str, Any], files: Any) -> bool:
        if not params.get("callback_query_id"):
            raise _bad_request(
                "query is too old and response timeout expired or query ID is invalid"
            )
        self.callback_answers.append(dict(params))
        return True

    async def _get_file(self, params: dict[str, Any], files: Any) -> dict[str, Any]:
        upload = self._files.get(str(params.get("file_id", "")))
        if upload is None:
            raise _bad_request("invalid file_id")
        path = next((p for p, u in self._files_by_path.items() if u is upload), None)
        result: dict[str, Any] = {
            "file_id": upload.file_id,
            "file_unique_id": upload.file_unique_id,
            "file_size": len(upload.data),
        }
        if path is not None:
            result["file_path"] = path
        return result

    async def _send_chat_action(self, params: dict[str, Any], files: Any) -> bool:
        chat = self._target_chat(params)
        action = params.get("action")
        if not action:
            raise _bad_request("action is empty")
        self.chat_actions.append((chat.chat_id, str(action)))
        return True

    async def _set_my_commands(self, params: dict[str, Any], files: Any) -> bool:
        commands = params.get("commands")
        if not isinstance(commands, list):
            raise _bad_request("can't parse commands JSON object")
        for command in commands:
            name = command.get("command", "") if isinstance(command, dict) else ""
            if not re.fullmatch(r"[a-z0-9_]{1,32}", str(name)):
                raise _bad_request("BOT_COMMAND_INVALID")
        self.commands[_scope_key(params)] = [dict(c) for c in commands]
        return True

    async def _delete_my_commands(self, params: dict[str, Any], files: Any) -> bool:
        self.commands.pop(_scope_key(params), None)
        return True

    async def _get_my_commands(self, params: dict[str, Any], files: Any) -> list[Any]:
        return list(self.commands.get(_scope_key(params), []))

    async def _set_my_description(self, params: dict[str, Any], files: Any) -> bool:
        key = ("description", str(params.get("language_code") or ""))
        self.descriptions[key] = str(params.get("description") or "")
        return True

    async def _set_my_short_description(self, params: dict[str, Any], files: Any) -> bool:
        key = ("short_description", str(params.get("language_code") or ""))
        self.descriptions[key] = str(params.get("short_description") or "")
        return True

    async def _set_chat_menu_button(self, params: dict[str, Any], files: Any) -> bool:
        button = params.get("menu_button")
        self.menu_buttons[_as_int(params.get("chat_id"))] = (
            button if isinstance(button, dict) else {"type": "default"}
        )
        return True

    async def _set_webhook(self, params: dict[str, Any], files: Any) -> bool:
        url = str(params.get("url") or "")
        if not url:
            return await self._delete_webhook(params, files)
        if not url.startswith(("http://", "https://")):
            raise _bad_request("bad webhook: An HTTPS URL must be provided for webhook")
        secret = params.get("secret_token")
        if secret is not None and not re.fullmatch(r"[A-Za-z0-9_-]{1,256}", str(secret)):
            raise _bad_request("secret token contains unallowed characters")
        if params.get("drop_pending_updates"):
            self._updates.clear()
        self._webhook = {
            "url": url,
            "secret_token": secret,
            "allowed_updates": params.get("allowed_updates"),
            "max_connections": _as_int(params.get("max_connections")) or 40,
        }
        # Updates queued while polling are handed over to the new webhook.
        for update in self._updates:
            self._deliver(update)
        self._updates.clear()
        return True

    async def _delete_webhook(self, params: dict[str, Any], files: Any) -> bool:
        self._webhook = None
        if params.get("drop_pending_updates"):
            self._updates.clear()
        return True

    async def _get_webhook_info(self, params: dict[str, Any], files: Any) -> dict[str, Any]:
        info: dict[str, Any] = {
            "url": self._webhook["url"] if self._webhook else "",
            "has_custom_certificate": False,
            "pending_update_count": len(self._updates) + len(self._webhook_tasks),
        }
        if self._webhook is not None:
            info["max_connections"] = self._webhook["max_connections"]
            if self._webhook["allowed_updates"]:
                info["allowed_updates"] = self._webhook["allowed_updates"]
        return info

    # -- helpers ---------------------------------------------------------------------------

    def _chat(
        self, chat_id: int, first_name: str | None = None, language_code: str | None = None
    ) -> _Chat:
        chat = self._chats.get(chat_id)
        if chat is None:
            chat = self._chats[chat_id] = _Chat(chat_id, first_name or f"User {chat_id}")
        if first_name:
            chat.first_name = first_name
        if language_code:
            chat.language_code = language_code
        return chat

    def _target_chat(self, params: dict[str, Any]) -> _Chat:
        raw = params.get("chat_id")
        if raw is None or raw == "":
            raise _bad_request("chat_id is empty")
        chat_id = _as_int(raw)
        if chat_id is None or chat_id == 0:
            raise _bad_request("chat not found")
        if not self.allow_unknown_chats and chat_id not in self._chats:
            raise _bad_request("chat not found")
        chat = self._chat(chat_id)
        if chat.blocked:
            raise _blocked()
        return chat

    def _editable(self, params: dict[str, Any]) -> SentMessage:
        if params.get("inline_message_id"):
            raise _bad_request("inline messages are not emulated")
        chat = self._target_chat(params)
        message_id = _as_int(params.get("message_id"))
        sent = chat.messages.get(message_id) if message_id is not None else None
        if sent is None or sent.deleted:
            raise _bad_request("message to edit not found")
        return sent

    def _markup(self, params: dict[str, Any]) -> dict[str, Any] | None:
        markup = params.get("reply_markup")
        if markup is None or markup == "":
            return None
        if not isinstance(markup, dict):
            raise _bad_request("can't parse reply keyboard markup JSON object")
        for row in markup.get("inline_keyboard", []):
            for button in row:
                data = button.get("callback_data")
                if data is not None and not 1 <= len(str(data).encode()) <= 64:
                    raise _bad_request("BUTTON_DATA_INVALID")
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
        if sent.reply_markup and "inline_keyboard" in sent.reply_markup:
            # Only inline keyboards are part of a Message object.
            message["reply_markup"] = sent.reply_markup
        return message

    def _member_update(self, chat: _Chat, status: str) -> dict[str, Any]:
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


# -- formatting ------------------------------------------------------------------------------

_HTML_TAGS = {
    "b": "bold",
    "strong": "bold",
    "i": "italic",
    "em": "italic",
    "u": "underline",
    "ins": "underline",
    "s": "strikethrough",
    "strike": "strikethrough",
    "del": "strikethrough",
    "tg-spoiler": "spoiler",
    "span": "spoiler",
    "a": "text_link",
    "code": "code",
    "pre": "pre",
    "blockquote": "blockquote",
    "tg-emoji": "custom_emoji",
}
_TAG_RE = re.compile(
    r"<(/?)([A-Za-z][A-Za-z0-9-]*)"
    r"((?:\s+[A-Za-z-]+(?:\s*=\s*(?:\"[^\"]*\"|'[^']*'|[^\s\"'>]+))?)*)\s*>"
)
_ATTR_RE = re.compile(r"([A-Za-z-]+)(?:\s*=\s*(?:\"([^\"]*)\"|'([^']*)'|([^\s\"'>]+)))?")
_CHARREF_RE = re.compile(r"&(lt|gt|amp|quot|#[0-9]{1,7}|#x[0-9A-Fa-f]{1,6});")
_NAMED_REFS = {"lt": "<", "gt": ">", "amp": "&", "quot": '"'}
# Outside code, these never start MarkdownV2 markup, so Telegram insists they are escaped.
_MDV2_RESERVED = re.compile(r"(?<!\\)(?:\\\\)*([#+\-={}.!])")


def _cant_parse(what: str) -> ApiError:
    return _bad_request(f"can't parse entities: {what}")


def _format(raw: str, parse_mode: Any, explicit: Any) -> tuple[str, list[dict[str, Any]] | None]:
    """The text as the user sees it and its entities, or a "can't parse entities" error."""
    mode = str(parse_mode or "").lower()
    if mode == "html":
        text, entities = _parse_html(raw)
        return text, entities or None
    if mode == "markdownv2":
        _check_markdown_v2(raw)
    elif mode and mode != "markdown":
        raise _bad_request(f"unsupported parse_mode {parse_mode!r}")
    return raw, (explicit or None) if isinstance(explicit, list) else None


def _parse_html(raw: str) -> tuple[str, list[dict[str, Any]]]:
    out: list[str] = []
    length = 0  # UTF-16 code units, the unit of entity offsets
    open_tags: list[tuple[str, int, dict[str, str]]] = []
    entities: list[dict[str, Any]] = []
    pos = 0
    while pos < len(raw):
        char = raw[pos]
        if char == "<":
            byte_offset = len(raw[:pos].encode())
            match = _TAG_RE.match(raw, pos)
            if match is None:
                following = re.match(r"</?[^\s>]*", raw[pos:])
                name = following.group(0) if following else "<"
                raise _cant_parse(f'Unsupported start tag "{name}" at byte offset {byte_offset}')
            closing, name, attrs = match.group(1) == "/", match.group(2).lower(), match.group(3)
            if name not in _HTML_TAGS:
                raise _cant_parse(f'Unsupported start tag "{name}" at byte offset {byte_offset}')
            if closing:
                if not open_tags or open_tags[-1][0] != name:
                    expected = f'"</{open_tags[-1][0]}>"' if open_tags else "no end tag"
                    raise _cant_parse(
                        f"Unmatched end tag at byte offset {byte_offset}, "
                        f'expected {expected}, found "</{name}>"'
                    )
                tag, start, tag_attrs = open_tags.pop()
                entity = _html_entity(tag, start, length - start, tag_attrs)
                if entity is not None:
                    entities.append(entity)
            else:
                parsed = {
                    m.group(1).lower(): m.group(2) or m.group(3) or m.group(4) or ""
                    for m in _ATTR_RE.finditer(attrs)
                }
                if name == "span" and parsed.get("class") != "tg-spoiler":
                    raise _cant_parse(f'Unsupported start tag "span" at byte offset {byte_offset}')
                open_tags.append((name, length, parsed))
            pos = match.end()
            continue
        piece = char
        if char == "&":
            ref = _CHARREF_RE.match(raw, pos)
            if ref is not None:
                body = ref.group(1)
                if body.startswith("#x"):
                    piece = chr(int(body[2:], 16))
                elif body.startswith("#"):
                    piece = chr(int(body[1:]))
                else:
                    piece = _NAMED_REFS[body]
                pos = ref.end() - 1
        out.append(piece)
        length += _utf16_len(piece)
        pos += 1
    if open_tags:
        raise _cant_parse(f'Can\'t find end tag corresponding to start tag "{open_tags[-1][0]}"')
    entities.sort(key=lambda e: (e["offset"], -e["length"]))
    return "".join(out), entities


def _html_entity(
    tag: str, offset: int, length: int, attrs: dict[str, str]
) -> dict[str, Any] | None:
    if length <= 0:
        return None
    kind = _HTML_TAGS[tag]
    entity: dict[str, Any] = {"type": kind, "offset": offset, "length": length}
    if kind == "text_link":
        href = attrs.get("href", "")
        if not href:
            return None
        entity["url"] = href
    elif kind == "custom_emoji":
        entity["custom_emoji_id"] = attrs.get("emoji-id", "")
    elif kind == "blockquote" and "expandable" in attrs:
        entity["type"] = "expandable_blockquote"
    return entity


def _check_markdown_v2(raw: str) -> None:
    # Code spans only need ` and \ escaped, so blank them out before looking for reserved chars.
    outside_code = re.sub(r"```.*?```|`[^`]*`", lambda m: " " * len(m.group(0)), raw, flags=re.S)
    # Link targets "(...)" after "]" may hold URLs full of dots.
    outside_code = re.sub(r"\]\([^)]*\)", lambda m: " " * len(m.group(0)), outside_code)
    match = _MDV2_RESERVED.search(outside_code)
    if match is not None:
        raise _cant_parse(
            f"Character '{match.group(1)}' is reserved and must be escaped with the preceding '\\'"
        )


def _scope_key(params: dict[str, Any]) -> tuple[str, str]:
    scope = params.get("scope") or {"type": "default"}
    scope_json = json.dumps(scope, sort_keys=True) if isinstance(scope, dict) else str(scope)
    return scope_json, str(params.get("language_code") or "")


def _utf16_len(text: str) -> int:
    # Telegram measures lengths and entity offsets in UTF-16 code units.
    return len(text.encode("utf-16-le")) // 2


def _is_loopback(host: str) -> bool:
    if host == "localhost":
        return True
    try:
        return ipaddress.ip_address(host).is_loopback
    except ValueError:
        return False
