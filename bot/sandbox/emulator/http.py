"""The HTTP side: Bot API requests (JSON, form or multipart bodies) into method calls and
Telegram-shaped answers, file downloads, and the loopback-only rule."""

from __future__ import annotations

import ipaddress
import json
import logging
import re
from typing import Any, Protocol

import tornado.httputil
import tornado.web

from bot.sandbox.emulator.errors import ApiError, bad_request, not_found
from bot.sandbox.emulator.state import Files, Upload, as_int

TOKEN_RE = re.compile(r"bot\d+:[A-Za-z0-9_-]+")

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

log = logging.getLogger(__name__)


class Backend(Protocol):
    """What the HTTP handlers need from the emulator."""

    revoked_tokens: set[str]
    _files_by_path: dict[str, Upload]

    async def _call(self, method: str, params: dict[str, Any], files: Files) -> Any: ...


def _log_request(handler: tornado.web.RequestHandler) -> None:
    # Error answers are the point of many tests; tornado would log them as warnings.
    request = handler.request
    log.debug("%s %s -> %s", request.method, request.path, handler.get_status())


def _coerce(name: str, value: str) -> Any:
    if name in _JSON_PARAMS:
        try:
            return json.loads(value)
        except ValueError:
            return value
    if name in _INT_PARAMS:
        number = as_int(value)
        return value if number is None else number
    if name in _BOOL_PARAMS:
        return value.strip().lower() in ("true", "1")
    return value


class _ApiHandler(tornado.web.RequestHandler):
    emulator: Backend

    def initialize(self, emulator: Backend) -> None:
        self.emulator = emulator

    async def get(self, token: str, method: str) -> None:
        await self._dispatch(token, method)

    async def post(self, token: str, method: str) -> None:
        await self._dispatch(token, method)

    async def _dispatch(self, token: str, method: str) -> None:
        if not TOKEN_RE.fullmatch(token):
            self._answer_error(not_found())
            return
        if token.removeprefix("bot") in self.emulator.revoked_tokens:
            self._answer_error(ApiError(401, "Unauthorized"))
            return
        try:
            params, files = self._parse()
        except ValueError:
            self._answer_error(bad_request("can't parse request body"))
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
    emulator: Backend

    def initialize(self, emulator: Backend) -> None:
        self.emulator = emulator

    def get(self, token: str, file_path: str) -> None:
        upload = self.emulator._files_by_path.get(file_path)
        if not TOKEN_RE.fullmatch(token) or upload is None:
            self.set_status(404)
            self.finish(json.dumps(not_found().payload()))
            return
        self.set_header("Content-Type", upload.mime_type)
        self.finish(upload.data)


def make_application(backend: Backend) -> tornado.web.Application:
    return tornado.web.Application(
        [
            (r"/file/([^/]+)/(.+)", _FileHandler, {"emulator": backend}),
            (r"/([^/]+)/([A-Za-z0-9_]+)/?", _ApiHandler, {"emulator": backend}),
        ],
        log_function=_log_request,
    )


def is_loopback(host: str) -> bool:
    if host == "localhost":
        return True
    try:
        return ipaddress.ip_address(host).is_loopback
    except ValueError:
        return False
