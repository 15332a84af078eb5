"""The one source of time for the whole bot.

Everything that needs "now" asks a :class:`Clock`. Production uses :class:`SystemClock`;
demos and acceptance runs start the clock at ``TRYGGHETSBOT_NOW`` and let it run forward
(:class:`ShiftedClock`); tests use :class:`FrozenClock` and move it by hand. All clocks
answer in the configured zone (Europe/Stockholm by default), so DST is handled by zoneinfo.
"""

from __future__ import annotations

import time
from datetime import date, datetime, timedelta, tzinfo
from typing import Protocol
from zoneinfo import ZoneInfo

STOCKHOLM = ZoneInfo("Europe/Stockholm")


class Clock(Protocol):
    @property
    def tz(self) -> tzinfo: ...

    def now(self) -> datetime:
        """An aware datetime in the clock's zone."""
        ...

    def today(self) -> date: ...


class _ClockBase:
    def __init__(self, tz: tzinfo = STOCKHOLM) -> None:
        self._tz = tz

    @property
    def tz(self) -> tzinfo:
        return self._tz

    def now(self) -> datetime:  # pragma: no cover - overridden
        raise NotImplementedError

    def today(self) -> date:
        return self.now().date()

    def localize(self, value: datetime) -> datetime:
        """Attach the clock's zone to a naive local time, or convert an aware one."""
        if value.tzinfo is None:
            return value.replace(tzinfo=self._tz)
        return value.astimezone(self._tz)


class SystemClock(_ClockBase):
    def now(self) -> datetime:
        return datetime.now(self._tz)


class ShiftedClock(_ClockBase):
    """Starts at a given instant and then runs forward at real speed."""

    def __init__(self, start: datetime, tz: tzinfo = STOCKHOLM) -> None:
        super().__init__(tz)
        self._start = self.localize(start)
        self._started_at = time.monotonic()

    def now(self) -> datetime:
        elapsed = time.monotonic() - self._started_at
        return (self._start + timedelta(seconds=elapsed)).astimezone(self._tz)


class FrozenClock(_ClockBase):
    """Stands still until a test moves it."""

    def __init__(self, start: datetime, tz: tzinfo = STOCKHOLM) -> None:
        super().__init__(tz)
        self._now = self.localize(start)

    def now(self) -> datetime:
        return self._now

    def set(self, value: datetime) -> None:
        self._now = self.localize(value)

    def advance(self, delta: timedelta) -> None:
        # Arithmetic in UTC so that stepping across a DST change moves real time.
        self._now = (self._now.astimezone(ZoneInfo("UTC")) + delta).astimezone(self._tz)


def make_clock(now: datetime | None, tz: tzinfo = STOCKHOLM) -> _ClockBase:
    return SystemClock(tz) if now is None else ShiftedClock(now, tz)
