"""An offline Telegram for handler tests: a transport that records every Bot API request
and answers with realistic JSON, plus small builders for updates.

PTB's HTTPXRequest accepts an ``httpx.MockTransport`` via ``httpx_kwargs``, so the real
request code runs and only the network is replaced. Any request that is not a Bot API call
fails the test.
"""

from __future__ import annotations

import itertools
import json
from dataclasses import dataclass, field
from typing import Any
from urllib.parse import parse_qs

import httpx
from telegram import Update
from telegram.request import HTTPXRequest

from bot.sandbox.emulator.entities import poll_object
from bot.sandbox.faultproxy import BAD_GATEWAY

BOT_ID = 424242
BOT_USERNAME = "trygghetsbot_test_bot"
BOT_USER = {
    "id": BOT_ID,
    "is_bot": True,
    "first_name": "Trygghetsbot",
    "username": BOT_USERNAME,
    "can_join_groups": True,
    "can_read_all_group_messages": False,
    "supports_inline_queries": False,
}


@dataclass
class Call:
    method: str
    params: dict[str, Any]

    @property
    def text(self) -> str:
        return str(self.params.get("text") or self.params.get("caption") or "")

    @property
    def buttons(self) -> list[tuple[str, str]]:
        """(label, callback_data) of every inline button, row by row."""
        markup = self.params.get("reply_markup")
        if isinstance(markup, str):
            markup = json.loads(markup)
        rows = (markup or {}).get("inline_keyboard", [])
        return [(b["text"], b.get("callback_data", "")) for row in rows for b in row]


def _decode(request: httpx.Request) -> dict[str, Any]:
    content_type = request.headers.get("content-type", "")
    body = request.content
    if "application/json" in content_type:
        return dict(json.loads(body or b"{}"))
    if "multipart/form-data" in content_type:
        params: dict[str, Any] = {}
        boundary = content_type.split("boundary=")[1].encode()
        for part in body.split(b"--" + boundary):
            head, _, data = part.partition(b"\r\n\r\n")
            if b'name="' not in head:
                continue
            name = head.split(b'name="')[1].split(b'"')[0].decode()
            data = data.removesuffix(b"\r\n")
            params[name] = data if b"filename=" in head else data.decode("utf-8", "replace")
        return params
    return {k: v[0] for k, v in parse_qs(body.decode()).items()}


@dataclass
class FakeTelegram:
    calls: list[Call] = field(default_factory=list)
    _ids: itertools.count[int] = field(default_factory=lambda: itertools.count(1000))
    # chat id → errors to answer the next sends to that chat with: (code, description, retry)
    failures: dict[int, list[tuple[int, str, int | None]]] = field(default_factory=dict)
    # The next this many requests, of any method, meet a proxy's "502 Bad Gateway" page.
    outage: int = 0
    # An outage: while set, every send is answered with HTTP 502 (and never delivered).
    down: bool = False
    # The next this many sends reach Telegram (recorded, delivered) but the answer is lost
    # on the way back: the bot sees a read timeout.
    lose_answers: int = 0
    # poll id → the chat it was sent to (only the fake knows; Telegram tells the bot nothing)
    polls: dict[str, int] = field(default_factory=dict)

    def fail_next(
        self, chat_id: int, code: int, description: str, retry_after: int | None = None
    ) -> None:
        """Answer the next send to ``chat_id`` with a Telegram error."""
        self.failures.setdefault(chat_id, []).append((code, description, retry_after))

    def handler(self, request: httpx.Request) -> httpx.Response:
        method = request.url.path.rsplit("/", 1)[-1]
        if "/bot" not in request.url.path:
            raise AssertionError(f"unexpected network call: {request.url}")
        params = _decode(request)
        if self.outage > 0:
            self.outage -= 1
            page = BAD_GATEWAY
            return httpx.Response(502, content=page, headers={"content-type": "text/html"})
        pending = self.failures.get(int(params.get("chat_id") or 0))
        if pending and method.startswith("send"):
            code, description, retry_after = pending.pop(0)
            body: dict[str, Any] = {"ok": False, "error_code": code, "description": description}
            if retry_after is not None:
                body["parameters"] = {"retry_after": retry_after}
            return httpx.Response(code, json=body)
        if self.down and method.startswith(("send", "edit")):
            body = {"ok": False, "error_code": 502, "description": "Bad Gateway"}
            return httpx.Response(502, json=body)
        self.calls.append(Call(method, params))
        if self.lose_answers and method.startswith("send"):
            self.lose_answers -= 1
            raise httpx.ReadTimeout("the answer was lost", request=request)
        return httpx.Response(200, json={"ok": True, "result": self._result(method, params)})

    def _result(self, method: str, params: dict[str, Any]) -> Any:
        if method == "getMe":
            return BOT_USER
        if method in ("sendMessage", "sendDocument", "sendPhoto", "editMessageText"):
            chat_id = int(params.get("chat_id") or 0)
            message: dict[str, Any] = {
                "message_id": int(params.get("message_id") or next(self._ids)),
                "date": 1_700_000_000,
                "chat": {"id": chat_id, "type": "private" if chat_id > 0 else "group"},
                "from": BOT_USER,
            }
            if "text" in params:
                message["text"] = params["text"]
            if "caption" in params:
                message["caption"] = params["caption"]
            if method == "sendDocument":
                message["document"] = {"file_id": "doc1", "file_unique_id": "doc1u"}
            if method == "sendPhoto":
                message["photo"] = [
                    {"file_id": "p1", "file_unique_id": "p1u", "width": 1, "height": 1}
                ]
            markup = params.get("reply_markup")
            markup = json.loads(markup) if isinstance(markup, str) else markup
            if markup and "inline_keyboard" in markup:  # reply keyboards are not echoed
                message["reply_markup"] = markup
            return message
        if method == "sendPoll":
            chat_id = int(params.get("chat_id") or 0)
            options = params.get("options")
            options = json.loads(options) if isinstance(options, str) else options or []
            poll_id = f"poll{next(self._ids)}"
            self.polls[poll_id] = chat_id
            return {
                "message_id": next(self._ids),
                "date": 1_700_000_000,
                "chat": {"id": chat_id, "type": "private"},
                "from": BOT_USER,
                "poll": poll_object(
                    poll_id,
                    str(params.get("question", "")),
                    [o["text"] if isinstance(o, dict) else str(o) for o in options],
                    [0] * len(options),
                    anonymous=params.get("is_anonymous", True) not in (False, "false"),
                ),
            }
        return True

    def polls_to(self, chat_id: int) -> list[Call]:
        return [
            c for c in self.calls if c.method == "sendPoll" and int(c.params["chat_id"]) == chat_id
        ]

    def request(self) -> HTTPXRequest:
        return HTTPXRequest(httpx_kwargs={"transport": httpx.MockTransport(self.handler)})

    # Reading what the bot did -------------------------------------------------------------

    def sent(self, chat_id: int | None = None) -> list[Call]:
        return [
            c
            for c in self.calls
            if c.method in ("sendMessage", "editMessageText", "sendDocument", "sendPhoto")
            and (chat_id is None or int(c.params.get("chat_id", 0)) == chat_id)
        ]

    def shown(self, chat_id: int, data: str) -> str:
        """The callback data of the button a person would tap for ``data``: ``data`` itself,
        or the newest button shown to them whose data continues it with more fields
        (``rep:save:0`` → ``rep:save:0:12``)."""
        for call in reversed(self.sent(chat_id)):
            for _label, shown in call.buttons:
                if shown == data:
                    return data
                if shown.startswith(data + ":"):
                    return shown
        return data

    def last(self, chat_id: int | None = None) -> Call:
        sent = self.sent(chat_id)
        assert sent, "the bot sent nothing"
        return sent[-1]

    def methods(self) -> list[str]:
        return [c.method for c in self.calls]

    def clear(self) -> None:
        self.calls.clear()


_update_ids = itertools.count(1)
_message_ids = itertools.count(1)


def user(
    user_id: int, language_code: str | None = "sv", first_name: str = "Test"
) -> dict[str, Any]:
    data: dict[str, Any] = {"id": user_id, "is_bot": False, "first_name": first_name}
    if language_code:
        data["language_code"] = language_code
    return data


def message_update(
    from_user: dict[str, Any],
    text: str,
    chat: dict[str, Any] | None = None,
    **extra: Any,
) -> dict[str, Any]:
    chat = chat or {"id": from_user["id"], "type": "private", "first_name": from_user["first_name"]}
    message: dict[str, Any] = {
        "message_id": next(_message_ids),
        "date": 1_700_000_000,
        "chat": chat,
        "from": from_user,
        "text": text,
        **extra,
    }
    if text.startswith("/"):
        length = len(text.split()[0])
        message["entities"] = [{"type": "bot_command", "offset": 0, "length": length}]
    return {"update_id": next(_update_ids), "message": message}


def callback_update(
    from_user: dict[str, Any], data: str, message: dict[str, Any] | None = None
) -> dict[str, Any]:
    message = message or {
        "message_id": next(_message_ids),
        "date": 1_700_000_000,
        "chat": {"id": from_user["id"], "type": "private"},
        "from": BOT_USER,
        "text": "(earlier message)",
    }
    return {
        "update_id": next(_update_ids),
        "callback_query": {
            "id": str(next(_update_ids)),
            "from": from_user,
            "chat_instance": "ci",
            "data": data,
            "message": message,
        },
    }


def to_update(data: dict[str, Any], bot: Any) -> Update:
    update = Update.de_json(data, bot)
    assert update is not None
    return update


def without_card(data: str) -> str:
    """A report card button's data without the card it names (``rep:save:0:12`` →
    ``rep:save:0``), to compare with what a test expects to be offered."""
    parts = data.split(":")
    return ":".join(parts[:3]) if parts[0] == "rep" and len(parts) == 4 else data


def poll_update(poll: dict[str, Any]) -> dict[str, Any]:
    """What Telegram sends the bot when an anonymous poll's counts change: the poll only."""
    return {"update_id": next(_update_ids), "poll": poll}
