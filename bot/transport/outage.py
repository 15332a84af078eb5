"""When Telegram cannot be reached: one WARNING when it starts, one INFO when it ends.

Every Bot API request (``getUpdates`` included) passes :class:`WatchedRequest`. A request
that fails on the network (a timeout, a refused connection) or is answered HTTP 5xx (a
proxy's HTML "502 Bad Gateway" page, say) is part of an outage; it ends when every method that
failed has been answered (below 500) again, so a ``getUpdates`` that gets through does not end
an outage of ``sendMessage``. The callers still see their errors and retry as before (the
send budget retries replies, the outbox re-queues, PTB's Updater polls again), but nobody logs each
failed request: PTB's Updater would log every failed ``getUpdates`` with a traceback (the
JSON decode error of the HTML page inside), so :func:`polling_error` replaces its default;
and PTB's request class logs every answer that is not JSON (the proxy's page) at ERROR with
the decode error's traceback, so :func:`parse_quietly` replaces its parser (the error that
follows still quotes the page).

ERROR is left for what a person must act on (another instance polling with the same token,
a revoked token).
"""

from __future__ import annotations

import json
import logging
import math
import re
import time
from collections.abc import Callable
from contextvars import ContextVar

from telegram._utils.defaultvalue import DEFAULT_NONE
from telegram._utils.types import JSONDict, ODVInput
from telegram.error import NetworkError, TelegramError, TimedOut
from telegram.request import BaseRequest, RequestData

log = logging.getLogger("trygghetsbot.outage")


class OutageWatch:
    """Counts the failed requests of an outage; the clock is injectable for tests."""

    def __init__(self, now: Callable[[], float] = time.monotonic) -> None:
        self._now = now
        self._started: float | None = None
        self._failing: set[str] = set()  # the methods that failed in this outage
        self._ended = -math.inf  # when the last outage ended
        self.failed = 0  # requests failed in the current (or last) outage
        self.outages = 0

    @property
    def down(self) -> bool:
        return self._started is not None

    def failure(self, sent_at: float, reason: str, method: str = "") -> None:
        if self._started is None:
            if sent_at < self._ended:
                # Sent during the outage that has ended since, failed late (a timeout):
                # part of that one, not a new one.
                self.failed += 1
                log.debug("a request sent during the last outage failed late: %s", reason)
                return
            self._started = self._now()
            self._failing.clear()
            self.failed = 0
            self.outages += 1
            log.warning(
                "Telegram cannot be reached (%s): requests fail and are retried; "
                "replies wait until it answers again",
                reason,
            )
        self.failed += 1
        self._failing.add(method)

    def success(self, method: str = "") -> None:
        if self._started is None:
            return
        self._failing.discard(method)
        if self._failing:
            return
        self._ended = self._now()
        log.info(
            "Telegram answers again after %.1f s of outage: %d request(s) failed meanwhile",
            self._ended - self._started,
            self.failed,
        )
        self._started = None

    def now(self) -> float:
        return self._now()


def _transient(exc: Exception) -> str | None:
    """Why ``exc`` counts towards an outage, or None when it is not the network's fault."""
    if isinstance(exc, TimedOut):
        # All of our own connections busy is not Telegram's outage.
        return None if str(exc).startswith("Pool timeout") else "timed out"
    if isinstance(exc, NetworkError):
        return "network error"
    return None


def parse_quietly(payload: bytes) -> JSONDict:
    """``BaseRequest.parse_json_payload`` without its ERROR and traceback per bad answer:
    PTB raises ``NetworkError("Bad Gateway (502). Parsing the server response ... failed")``
    from the ``TelegramError`` below, and the outage is logged once by the watch."""
    try:
        return json.loads(payload.decode("utf-8", "replace"))  # type: ignore[no-any-return]
    except ValueError as exc:
        log.debug("an answer that is not JSON (%d bytes)", len(payload))
        raise TelegramError("Invalid server response") from exc


class WrappedRequest(BaseRequest):
    """A request object around another: its timeouts and life cycle are the inner one's, and
    an answer that is not JSON is parsed quietly. Subclasses add to ``do_request``."""

    parse_json_payload = staticmethod(parse_quietly)

    def __init__(self, inner: BaseRequest) -> None:
        self._inner = inner

    @property
    def read_timeout(self) -> float | None:
        return self._inner.read_timeout

    async def initialize(self) -> None:
        await self._inner.initialize()

    async def shutdown(self) -> None:
        await self._inner.shutdown()


class WatchedRequest(WrappedRequest):
    """Wraps a request object and tells the watch how each request went."""

    def __init__(self, inner: BaseRequest, watch: OutageWatch) -> None:
        super().__init__(inner)
        self.watch = watch

    async def do_request(
        self,
        url: str,
        method: str,
        request_data: RequestData | None = None,
        read_timeout: ODVInput[float] = DEFAULT_NONE,
        write_timeout: ODVInput[float] = DEFAULT_NONE,
        connect_timeout: ODVInput[float] = DEFAULT_NONE,
        pool_timeout: ODVInput[float] = DEFAULT_NONE,
    ) -> tuple[int, bytes]:
        sent_at = self.watch.now()
        api = url.rstrip("/").rsplit("/", 1)[-1]  # the method, never the token before it
        try:
            code, payload = await self._inner.do_request(
                url,
                method,
                request_data,
                read_timeout=read_timeout,
                write_timeout=write_timeout,
                connect_timeout=connect_timeout,
                pool_timeout=pool_timeout,
            )
        except Exception as exc:
            reason = _transient(exc)
            if reason is not None:
                self.watch.failure(sent_at, reason, api)
            raise
        if code >= 500:
            self.watch.failure(sent_at, f"HTTP {code}", api)
        else:
            self.watch.success(api)
        if code == 429:
            FLOOD_DESCRIPTION.set(_description(payload))
        return code, payload


# A 429's description, for the rate limiter that catches the RetryAfter PTB raises without
# it (the same task: PTB awaits the request directly).
FLOOD_DESCRIPTION: ContextVar[str] = ContextVar("flood_description", default="")
# Telegram's usual "Too Many Requests: retry after 5" concerns the chat of the request; a
# description that names the bot or a global limit concerns all of them.
_WHOLE_BOT = re.compile(r"\b(bot|global|all chats)\b", re.IGNORECASE)


def _description(payload: bytes) -> str:
    try:
        data = json.loads(payload.decode("utf-8", "replace"))
    except ValueError:
        return ""
    description = data.get("description") if isinstance(data, dict) else None
    return description if isinstance(description, str) else ""


def limits_the_whole_bot(description: str) -> bool:
    return bool(_WHOLE_BOT.search(description))


def polling_error(exc: TelegramError) -> None:
    """The Updater's ``error_callback``: a failed ``getUpdates`` in one line, no traceback.

    Network errors are part of an outage the watch reports; anything else (``Conflict``:
    another instance polls with this token) needs a person."""
    if isinstance(exc, NetworkError):
        log.debug("getUpdates failed: %s", type(exc).__name__)
    else:
        log.error("getUpdates failed: %s: %s", type(exc).__name__, str(exc)[:200])
