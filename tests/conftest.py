from __future__ import annotations

import asyncio
import logging
import shutil
from collections.abc import AsyncIterator
from dataclasses import dataclass
from datetime import datetime
from pathlib import Path
from typing import Any

import pytest

from bot import catalog
from bot.app import SANDBOX_TOKEN, BotApp, build_application, serving
from bot.clock import STOCKHOLM, FrozenClock
from bot.domain.promise import Promise, load_promise
from bot.settings import Settings
from storage.db import Database
from tests.fakes import FakeTelegram, callback_update, message_update, to_update, user

ADMIN_ID = 9001


# What starts `trygghetsbot run` as a process and drives it for seconds of real time: a test
# module built on it is end to end, so its tests are slow without marking each one.
_PROCESS_RIGS = frozenset({"bot.sandbox.faultrig", "benchmarks.faults"})


def _uses_a_process_rig(item: pytest.Item) -> bool:
    module = getattr(item, "module", None)
    return module is not None and any(
        getattr(value, "__module__", None) in _PROCESS_RIGS
        or getattr(value, "__name__", None) in _PROCESS_RIGS
        for value in vars(module).values()
    )


def pytest_configure(config: pytest.Config) -> None:
    """With parallel workers, hand out tests one at a time as a worker gets free. By default
    pytest-xdist gives each worker a block of consecutive tests to start with (an eighth of
    the suite's share each for four workers): the slow tests, sorted first, all went to
    the first worker and ran one after the other (≈ 170 s) while the other three finished in
    under a minute and sat idle. One at a time, each slow test starts on whichever worker is
    free first, and the quick ones fill in around them."""
    if getattr(config.option, "maxschedchunk", "absent") is None:
        config.option.maxschedchunk = 1


def _start_order(item: pytest.Item) -> int:
    """0: the bot as a process for 10–30 s of real time (a process rig, or a module marked
    slow as a whole: tests/test_run_process.py, tests/test_run_stop.py); 1: the other slow
    tests (a few seconds each); 2: the rest."""
    if item.get_closest_marker("slow") is None:
        return 2
    marks = getattr(getattr(item, "module", None), "pytestmark", [])
    whole = any(mark.name == "slow" for mark in (marks if isinstance(marks, list) else [marks]))
    return 0 if whole or _uses_a_process_rig(item) else 1


@pytest.hookimpl(tryfirst=True)
def pytest_collection_modifyitems(items: list[pytest.Item]) -> None:
    """Marks the tests built on a process rig slow; then puts the slow tests first, the
    longest of them before the others (a stable sort, so each file keeps its order): with
    parallel workers (``make test``) they start at once and the quick ones fill in around
    them, instead of a long one starting last and running alone at the end."""
    for item in items:
        if item.get_closest_marker("slow") is None and _uses_a_process_rig(item):
            item.add_marker(pytest.mark.slow)
    items.sort(key=_start_order)


@pytest.fixture(scope="session", autouse=True)
def _compiled_catalogues() -> None:
    # A fresh clone has only .po files; compile them once so Swedish text is real. Each
    # parallel worker compiles too: bot.catalog writes every .mo atomically.
    catalog.compile_all()


# The loggers whose levels bot.logging_setup sets (besides the root's).
_CONFIGURED_LOGGERS = ("httpx", "httpcore", "apscheduler", "telegram")


class _ErrorRecords(logging.Handler):
    def __init__(self) -> None:
        super().__init__(level=logging.ERROR)
        self.records: list[logging.LogRecord] = []

    def emit(self, record: logging.LogRecord) -> None:
        self.records.append(record)


@pytest.fixture(autouse=True)
def _no_error_logs(request: pytest.FixtureRequest) -> Any:
    """Anything logged at ERROR (or worse) during a test fails it, unless the test says it
    provokes that error on purpose with ``@pytest.mark.logs_errors``."""
    handler = _ErrorRecords()
    root = logging.getLogger()
    # A test that configures logging (``configure_logging`` replaces the root's handlers and
    # level) must not leave it so for the tests after it in the same worker.
    handlers, level = root.handlers[:], root.level
    levels = {name: logging.getLogger(name).level for name in _CONFIGURED_LOGGERS}
    root.addHandler(handler)
    try:
        yield handler
    finally:
        root.handlers[:] = handlers
        root.setLevel(level)
        for name, saved in levels.items():
            logging.getLogger(name).setLevel(saved)
    if handler.records and request.node.get_closest_marker("logs_errors") is None:
        lines = [f"{r.name}: {r.levelname}: {r.getMessage()[:200]}" for r in handler.records[:5]]
        pytest.fail("logged at ERROR during the test:\n" + "\n".join(lines), pytrace=False)


@pytest.fixture
def clock() -> FrozenClock:
    return FrozenClock(datetime(2024, 3, 12, 10, 0, tzinfo=STOCKHOLM))


@pytest.fixture
def promise() -> Promise:
    return load_promise()


@pytest.fixture
def settings(tmp_path: Path) -> Settings:
    settings = Settings(
        _env_file=None,  # type: ignore[call-arg]
        db_path=tmp_path / "bot.sqlite3",
        admin_ids=frozenset({ADMIN_ID}),
    )
    # The sender at test speed: Telegram's pacing (30/s, 1/s per chat) is the send budget's
    # own story (tests/test_send_budget.py), not a real-time wait in every other test.
    return settings.model_copy(update={"send_rate": 10_000.0, "chat_send_rate": 10_000.0})


@dataclass
class Harness:
    """A real Application with the fake transport: send updates, read Bot API calls."""

    app: BotApp
    tg: FakeTelegram
    clock: FrozenClock

    async def say(self, user_id: int, text: str, lang: str | None = "sv", **extra: Any) -> None:
        data = message_update(user(user_id, lang), text, **extra)
        await self.app.process_update(to_update(data, self.app.bot))

    async def press(
        self,
        user_id: int,
        data: str,
        lang: str | None = "sv",
        message: dict[str, Any] | None = None,
    ) -> None:
        """Tap ``data``. A report card's button also names its card (``rep:save:0:<card>``):
        ``rep:save:0`` taps that button on the newest message to this user that shows it,
        as a person taps what they see."""
        update = callback_update(user(user_id, lang), self.tg.shown(user_id, data), message)
        await self.app.process_update(to_update(update, self.app.bot))

    async def raw(self, data: dict[str, Any]) -> None:
        await self.app.process_update(to_update(data, self.app.bot))

    @property
    def services(self) -> Any:
        return self.app.bot_data.services


@pytest.fixture(scope="session")
def _migrated_database(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """An empty database with every migration applied, made once per worker: a harness
    starts from a copy of it instead of running the migrations again (about a third of a
    harness's start). tests/test_storage.py runs the migrations themselves."""
    path = tmp_path_factory.mktemp("template") / "bot.sqlite3"

    async def migrate() -> None:
        async with Database(path):
            pass

    asyncio.run(migrate())
    return path


@pytest.fixture
async def harness(
    settings: Settings, clock: FrozenClock, _migrated_database: Path
) -> AsyncIterator[Harness]:
    shutil.copyfile(_migrated_database, settings.db_path)
    tg = FakeTelegram()
    app = build_application(
        settings,
        clock=clock,
        request=tg.request(),
        updates_request=tg.request(),
        rate_limit=False,
        token=SANDBOX_TOKEN,
    )
    async with serving(app):
        tg.clear()
        yield Harness(app, tg, clock)
