"""The emulator itself: start and stop, the "user side" that plays residents, inspection,
and the dispatch of every call through faults and flood limits to its method."""

from __future__ import annotations

import asyncio
import contextlib
import time
from typing import Any

import tornado.httpclient
import tornado.httpserver
import tornado.netutil

from bot.sandbox.emulator.entities import utf16_len
from bot.sandbox.emulator.errors import not_found
from bot.sandbox.emulator.http import is_loopback, make_application
from bot.sandbox.emulator.limits import SEND_METHODS, FaultsAndLimits
from bot.sandbox.emulator.methods import BotApiMethods
from bot.sandbox.emulator.state import Files, Listener, SentMessage, scope_key

_QUIET_PERIOD = 0.2


class Emulator(FaultsAndLimits, BotApiMethods):
    """A loopback-only Bot API server plus a Python "user side" for driving it.

    Inspection: ``calls`` (every (method, params) received), ``sent_to(chat_id)``,
    ``pending_updates``, ``callback_answers``, ``chat_actions``, ``my_commands()``,
    ``descriptions``, ``menu_buttons``, ``webhook_url``, ``webhook_deliveries``
    ((update, HTTP status) per POST), ``sent_count`` and ``rejected_429``.
    """

    def __init__(self, *, timeout_seconds: float = 3.0) -> None:
        super().__init__(timeout_seconds=timeout_seconds)
        self._methods = self._method_table()
        self._call_watchers: list[tuple[str, int, asyncio.Future[None]]] = []

    # -- lifecycle -------------------------------------------------------------------------

    async def start(self, host: str = "127.0.0.1", port: int = 0) -> None:
        if not is_loopback(host):
            raise ValueError(f"the emulator listens on loopback only, not {host!r}")
        if self._server is not None:
            raise RuntimeError("emulator already started")
        self._closing = asyncio.Event()
        self._updates_changed = asyncio.Condition()
        app = make_application(self)
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
                {"type": "bot_command", "offset": 0, "length": utf16_len(command)}
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

    async def user_votes(self, user_id: int, message_id: int, option: int) -> dict[str, Any]:
        """Answer the bot's poll ``message_id`` with ``option`` (a second vote changes the
        first, as retracting and voting again does). Telegram then sends the bot the poll
        with its new counts: for an anonymous poll nothing else, not who voted."""
        chat = self._chats.get(user_id)
        sent = chat.messages.get(message_id) if chat else None
        if chat is None or sent is None or sent.poll is None or sent.deleted:
            raise KeyError(f"no poll {message_id} in chat {user_id}")
        options = sent.poll["options"]
        if not 0 <= option < len(options) or sent.poll["is_closed"]:
            raise ValueError(f"poll {message_id} has no open option {option}")
        before = sent.voters.get(user_id)
        if before is not None:
            options[before]["voter_count"] -= 1
        sent.voters[user_id] = option
        options[option]["voter_count"] += 1
        sent.poll["total_voter_count"] = len(sent.voters)
        update: dict[str, Any] = {"poll": dict(sent.poll, options=[dict(o) for o in options])}
        if not sent.poll["is_anonymous"]:
            await self._push_update(update)
            answer = {"poll_id": sent.poll["id"], "user": chat.user_json(), "option_ids": [option]}
            return await self._push_update({"poll_answer": answer})
        return await self._push_update(update)

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
        return list(self.commands.get(scope_key(params), []))

    async def raw_update(self, body: dict[str, Any]) -> dict[str, Any]:
        """Queue an update exactly as given (plus its id), e.g. one a bot cannot parse."""
        return await self._push_update(body)

    async def wait_for_call(self, method: str, count: int = 1) -> None:
        """Return once ``count`` calls of ``method`` (any case) have reached the emulator, e.g.
        to know that a long poll is waiting before the next step: an event, not a sleep."""
        if self._calls_of(method) >= count:
            return
        future = asyncio.get_running_loop().create_future()
        watcher = (method.lower(), count, future)
        self._call_watchers.append(watcher)
        try:
            await future
        finally:
            self._call_watchers.remove(watcher)

    def add_listener(self, listener: Listener) -> None:
        """Call ``listener(event, message)`` with event "sent", "edited" or "deleted" whenever
        the bot changes what a user sees, e.g. to print it in a terminal chat."""
        self._listeners.append(listener)

    def remove_listener(self, listener: Listener) -> None:
        self._listeners.remove(listener)

    # -- dispatch --------------------------------------------------------------------------

    async def _call(
        self,
        method: str,
        params: dict[str, Any],
        files: Files,
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
        files: Files,
    ) -> Any:
        self.calls.append((method, dict(params)))
        self._wake_call_watchers()
        # Telegram matches method names case-insensitively.
        entry = self._methods.get(method.lower())
        if entry is None:
            raise not_found()
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

    def _calls_of(self, method: str) -> int:
        name = method.lower()
        return sum(1 for called, _params in self.calls if called.lower() == name)

    def _wake_call_watchers(self) -> None:
        for name, count, future in self._call_watchers:
            if not future.done() and self._calls_of(name) >= count:
                future.set_result(None)
