"""What the data subcommands share: open the configured database as ``Services`` for one of
the deployment's promises (``--promise ID``; the only one when there is one)."""

from __future__ import annotations

import sys
from collections.abc import AsyncIterator, Callable
from contextlib import asynccontextmanager
from datetime import date, datetime, time
from pathlib import Path
from typing import TypeVar

from bot.clock import Clock, FrozenClock, make_clock
from bot.domain.promise import Promise
from bot.domain.promise_set import PromiseSet, load_promise_set
from bot.services import Services
from bot.settings import Settings, UsageError
from storage.db import Database

# Exit codes for start-up failures (operators' scripts and systemd may tell them apart).
EXIT_CONFIG = 2  # settings, promise file, flags
EXIT_DATABASE = 3  # database unusable or written by a newer version
EXIT_TELEGRAM = 4  # Telegram rejected the token, or the API base path is wrong
EXIT_NETWORK = 5  # the Bot API cannot be reached
EXIT_UNEXPECTED = 1

_T = TypeVar("_T")


def read_import(
    settings: Settings,
    promise_id: str | None,
    path: Path,
    parse: Callable[[str, Promise], _T],
    refused: type[Exception] | tuple[type[Exception], ...],
) -> tuple[Promise, _T] | None:
    """The promise a CSV file is imported for (``--promise``, required with several) and the
    file parsed for it: every row or none. None after saying on stderr why nothing was
    imported (the file cannot be read, or ``refused``: a row, with its line)."""
    today = make_clock(settings.now, settings.tz).today()
    promise = pick_promise(configured_promises(settings), promise_id, today, required=True)
    try:
        return promise, parse(path.read_text(encoding="utf-8-sig"), promise)
    except OSError as exc:
        print(f"{path}: {exc.strerror}", file=sys.stderr)
    except refused as exc:
        print(f"{path}: {exc}. Nothing was imported.", file=sys.stderr)
    return None


def configured_promises(settings: Settings) -> PromiseSet:
    return load_promise_set(settings.promises, settings.promise_file, settings.municipality)


def pick_promise(
    promises: PromiseSet, promise_id: str | None, today: date, *, required: bool = False
) -> Promise:
    """``--promise ID``; without it the only promise, or (when ``required`` is false) the
    home kommun's current one. Writing commands pass ``required``: with several promises a
    row must never land in one by a guess."""
    if promise_id is not None:
        found = promises.get(promise_id)
        if found is None:
            known = ", ".join(p.id for p in promises)
            raise UsageError(f"no promise '{promise_id}' (the promises are: {known})")
        return found
    if len(promises) == 1:
        return promises.promises[0]
    if required:
        known = ", ".join(p.id for p in promises)
        raise UsageError(f"several promises: say which one with --promise ({known})")
    return promises.home_promise(today)


def cli_clock(settings: Settings, today: date | None) -> Clock:
    if today is not None:
        return FrozenClock(datetime.combine(today, time(12, 0), tzinfo=settings.tz), settings.tz)
    return make_clock(settings.now, settings.tz)


@asynccontextmanager
async def open_services(
    settings: Settings,
    today: date | None = None,
    promise_id: str | None = None,
    *,
    required: bool = False,
) -> AsyncIterator[Services]:
    """Services on the configured database, for the promise ``pick_promise`` chooses;
    ``today`` pins the clock (noon that day). Rows from before several promises are given
    to their promise first, as the bot does at start-up."""
    promises = configured_promises(settings)
    clock = cli_clock(settings, today)
    promise = pick_promise(promises, promise_id, clock.now().date(), required=required)
    async with Database(settings.db_path) as db:
        root = Services(
            settings, clock, promises.home_promise(clock.now().date()), db, promise_set=promises
        )
        await root.adopt_rows()
        yield root.scoped(promise)
