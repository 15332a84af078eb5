"""Faults (429, 5xx, slow answers, 403) injected into the next matching calls, and the
sliding-window flood limits that stand in for Telegram's."""

from __future__ import annotations

import asyncio
import contextlib
import math
import time
from collections import deque
from dataclasses import dataclass
from typing import Any, Literal

from bot.sandbox.emulator.errors import ApiError, blocked
from bot.sandbox.emulator.state import EmulatorState, as_int

FaultKind = Literal["429", "5xx", "timeout", "403"]

# Methods that Telegram counts against flood control.
SEND_METHODS = frozenset(
    {
        "sendMessage",
        "sendPhoto",
        "sendPoll",
        "sendDocument",
        "editMessageText",
        "editMessageReplyMarkup",
        "editMessageCaption",
    }
)


@dataclass
class Fault:
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
        return self.chat_id is None or as_int(params.get("chat_id")) == self.chat_id


class Window:
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


class FaultsAndLimits(EmulatorState):
    """Injected faults and flood limits, checked before a call is performed."""

    def __init__(self, *, timeout_seconds: float = 3.0) -> None:
        super().__init__()
        # How long an injected "timeout" fault stalls before answering.
        self.timeout_seconds = timeout_seconds
        self.rejected_429 = 0
        self._faults: list[Fault] = []
        self._global_window: Window | None = None
        self._chat_rate: float | None = None
        self._chat_windows: dict[int, Window] = {}

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
        self._faults.append(Fault(method, kind, times, retry_after, chat_id))

    def clear_faults(self) -> None:
        self._faults.clear()

    def set_rate_limits(
        self, global_per_second: float | None, per_chat_per_second: float | None
    ) -> None:
        self._global_window = Window(global_per_second) if global_per_second else None
        self._chat_rate = per_chat_per_second or None
        self._chat_windows.clear()

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
            raise blocked()
        # "timeout": stall past the client's patience, then really perform the call, as
        # Telegram may deliver a message whose answer never reached the bot.
        with contextlib.suppress(TimeoutError):
            await asyncio.wait_for(self._closing.wait(), self.timeout_seconds)

    def _check_rate(self, params: dict[str, Any]) -> None:
        now = time.monotonic()
        chat_id = as_int(params.get("chat_id"))
        chat_window: Window | None = None
        if self._chat_rate and chat_id is not None:
            chat_window = self._chat_windows.get(chat_id)
            if chat_window is None:
                chat_window = self._chat_windows[chat_id] = Window(self._chat_rate)
        waits = [w.retry_after(now) for w in (self._global_window, chat_window) if w is not None]
        worst = max((w for w in waits if w is not None), default=None)
        if worst is not None:
            self.rejected_429 += 1
            raise ApiError(429, f"Too Many Requests: retry after {worst}", retry_after=worst)
        for window in (self._global_window, chat_window):
            if window is not None:
                window.record(now)
