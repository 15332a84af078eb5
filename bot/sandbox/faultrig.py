"""The fault rig: ``trygghetsbot run`` as its own process, talking to the Bot API emulator
through the fault-injecting proxy (``bot.sandbox.faultproxy``), with residents played by the
emulator's user side. Tests and ``benchmarks/faults.py`` run the same scenarios on it and
print the same figures: answers lost, duplicates, whether 112 came first, latency during the
fault, and what the bot logged.

A resident asks once, in one chat of her own; her answer is every message the bot sends to
that chat afterwards. The emulator is the judge: what it received is what she saw.
"""

from __future__ import annotations

import asyncio
import os
import signal
import sys
import time
from collections.abc import AsyncIterator, Iterable
from contextlib import asynccontextmanager, suppress
from dataclasses import dataclass, field
from pathlib import Path

from bot.sandbox.emulator import Emulator, SentMessage
from bot.sandbox.faultproxy import FaultProxy

TOKEN = "123456:ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghi"  # well-formed; only the emulator knows it
NOW = "2024-03-12T10:00:00"  # a Tuesday inside the promise: theme meetings are coming up

# What residents ask, in several languages; each text is answered with one message.
QUESTIONS = [
    ("sv", "när är nästa tematräff?"),
    ("en", "when is the next theme meeting?"),
    ("fi", "milloin on seuraava teematapaaminen"),
    ("ar", "متى اللقاء الموضوعي القادم"),
    ("pl", "kiedy jest następne spotkanie tematyczne"),
    ("sv", "vad har ni lovat"),
    ("so", "goorma ayuu yahay kulanka mawduuca xiga"),
    ("fa", "جلسه موضوعی بعدی کیه"),
]
# People in danger: their answer must carry 112, and go first.
DANGER = [
    ("sv", "min sambo slår mig"),
    ("sv", "det brinner i huset hjälp"),
    ("en", "help my house is on fire"),
    ("fi", "talo palaa apua"),
    ("ar", "ساعدوني البيت يحترق"),
    ("pl", "pomocy dom się pali"),
]


@dataclass
class Asked:
    chat: int
    text: str
    danger: bool
    at: float  # monotonic seconds


@dataclass
class Figures:
    """What the residents of one scenario saw."""

    asked: int
    danger: int
    answered: int  # chats that got at least one message
    lost: list[int]  # chats that got nothing
    duplicates: int  # messages with the same text sent to one chat more than once
    danger_with_112: int
    danger_first: bool  # after the fault, every 112 answer came before any ordinary one
    latencies: list[float]  # seconds from asking to the first message, per answered chat
    log_errors: int  # ERROR or CRITICAL lines in the bot's log
    tracebacks: int
    warnings: int
    extra: dict[str, float] = field(default_factory=dict)

    @property
    def p50(self) -> float:
        return _quantile(self.latencies, 0.5)

    @property
    def p95(self) -> float:
        return _quantile(self.latencies, 0.95)

    def line(self, name: str) -> str:
        first = "yes" if self.danger_first else "NO"
        extra = "".join(f", {k} {v:g}" for k, v in self.extra.items())
        return (
            f"{name}: asked {self.asked} (112 cases {self.danger}), lost {len(self.lost)}, "
            f"duplicates {self.duplicates}, 112 answers {self.danger_with_112}/{self.danger}, "
            f"112 first {first}, latency p50 {self.p50:.1f} s p95 {self.p95:.1f} s "
            f"max {max(self.latencies, default=0):.1f} s, log: {self.log_errors} ERROR, "
            f"{self.tracebacks} tracebacks, {self.warnings} WARNING{extra}"
        )


def _quantile(values: list[float], q: float) -> float:
    if not values:
        return 0.0
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, round(q * (len(ordered) - 1)))]


class FaultRig:
    def __init__(self, emu: Emulator, proxy: FaultProxy, folder: Path) -> None:
        self.emu = emu
        self.proxy = proxy
        self.folder = folder
        self.process: asyncio.subprocess.Process | None = None
        self.logs: list[str] = []  # one per bot process, in order
        self.asked: list[Asked] = []
        self.arrivals: dict[int, list[tuple[float, SentMessage]]] = {}
        self._next_chat = 700_000
        emu.add_listener(self._on_event)

    def _on_event(self, event: str, message: SentMessage) -> None:
        if event == "sent":
            self.arrivals.setdefault(message.chat_id, []).append((time.monotonic(), message))

    # -- the bot -----------------------------------------------------------------------------

    def env(self) -> dict[str, str]:
        return {
            **os.environ,
            "TELEGRAM_BOT_TOKEN": TOKEN,
            "TELEGRAM_API_BASE_URL": self.proxy.base_url,
            "TELEGRAM_API_FILE_URL": self.proxy.base_file_url,
            "TRYGGHETSBOT_DB": str(self.folder / "bot.sqlite3"),
            "TRYGGHETSBOT_NOW": NOW,
        }

    async def start_bot(self, timeout: float = 60) -> None:  # noqa: ASYNC109 - a deadline
        """Start ``trygghetsbot run`` and wait until it answers (a /start of its own)."""
        self.process = await asyncio.create_subprocess_exec(
            sys.executable, "-m", "bot", "run",
            env=self.env(), cwd=self.folder,
            stdout=asyncio.subprocess.DEVNULL, stderr=asyncio.subprocess.PIPE,
        )  # fmt: skip
        probe = self._take_chat()
        await self.emu.user_sends(probe, "/start", language_code="sv")
        await self.until(lambda: bool(self.arrivals.get(probe)), timeout)

    async def stop_bot(self, timeout: float = 30) -> float:  # noqa: ASYNC109 - a deadline
        """SIGTERM, wait for the exit; returns the seconds it took. Keeps the log."""
        process, self.process = self.process, None
        if process is None:
            return 0.0
        started = time.monotonic()
        with suppress(ProcessLookupError):
            process.send_signal(signal.SIGTERM)
        _out, err = await asyncio.wait_for(process.communicate(), timeout)
        self.logs.append(err.decode("utf-8", "replace"))
        if process.returncode != 0:
            raise RuntimeError(f"the bot exited with {process.returncode}: {self.logs[-1][-2000:]}")
        return time.monotonic() - started

    async def kill_bot(self) -> None:
        process, self.process = self.process, None
        if process is not None and process.returncode is None:
            process.kill()
            _out, err = await process.communicate()
            self.logs.append(err.decode("utf-8", "replace"))

    # -- residents ---------------------------------------------------------------------------

    def _take_chat(self) -> int:
        self._next_chat += 1
        return self._next_chat

    async def ask(self, lang: str, text: str, *, danger: bool = False) -> Asked:
        chat = self._take_chat()
        asked = Asked(chat, text, danger, time.monotonic())
        await self.emu.user_sends(chat, text, language_code=lang)
        self.asked.append(asked)
        return asked

    async def ask_spread(self, seconds: float, ordinary: int = 8, danger: int = 6) -> list[Asked]:
        """``ordinary`` questions and ``danger`` cases, spread evenly over ``seconds``."""
        texts = [(lang, text, False) for lang, text in _cycle(QUESTIONS, ordinary)] + [
            (lang, text, True) for lang, text in _cycle(DANGER, danger)
        ]
        # Interleaved, so danger comes throughout the fault, not only at its end.
        texts = texts[::2] + texts[1::2]
        gap = seconds / max(1, len(texts))
        batch = []
        for lang, text, is_danger in texts:
            batch.append(await self.ask(lang, text, danger=is_danger))
            await asyncio.sleep(gap)
        return batch

    def answered(self, asked: Iterable[Asked]) -> bool:
        return all(self.arrivals.get(a.chat) for a in asked)

    @staticmethod
    async def until(check: object, timeout: float) -> None:  # noqa: ASYNC109 - a deadline
        deadline = time.monotonic() + timeout
        while not check():  # type: ignore[operator]
            if time.monotonic() > deadline:
                raise TimeoutError
            await asyncio.sleep(0.05)

    async def wait_answered(self, asked: list[Asked], timeout: float, settle: float = 1.0) -> None:  # noqa: ASYNC109
        """Until every one has an answer (or the deadline), then ``settle`` more seconds for
        a duplicate to show."""
        with suppress(TimeoutError):
            await self.until(lambda: self.answered(asked), timeout)
        await asyncio.sleep(settle)

    # -- figures -----------------------------------------------------------------------------

    def figures(self, asked: list[Asked], fault_ended: float | None = None) -> Figures:
        latencies: list[float] = []
        lost: list[int] = []
        duplicates = 0
        with_112 = 0
        firsts: list[tuple[float, bool]] = []
        for a in asked:
            got = self.arrivals.get(a.chat, [])
            if not got:
                lost.append(a.chat)
                continue
            latencies.append(got[0][0] - a.at)
            firsts.append((got[0][0], a.danger))
            texts = [_without_apology(m.text or m.caption or "") for _at, m in got]
            duplicates += len(texts) - len(set(texts))
            if a.danger and any("112" in t for t in texts):
                with_112 += 1
        after = [f for f in firsts if fault_ended is None or f[0] >= fault_ended]
        last_danger = max((t for t, d in after if d), default=None)
        first_ordinary = min((t for t, d in after if not d), default=None)
        danger_first = (
            last_danger is None or first_ordinary is None or last_danger <= first_ordinary
        )
        log = "\n".join(self.logs)
        lines = log.splitlines()
        return Figures(
            asked=len(asked),
            danger=sum(a.danger for a in asked),
            answered=len(asked) - len(lost),
            lost=lost,
            duplicates=duplicates,
            danger_with_112=with_112,
            danger_first=danger_first,
            latencies=latencies,
            log_errors=sum(" ERROR " in ln or " CRITICAL " in ln for ln in lines),
            tracebacks=log.count("Traceback"),
            warnings=sum(" WARNING " in ln for ln in lines),
        )


def _without_apology(text: str) -> str:
    """The late answer opens with a short apology paragraph; the answer is what follows."""
    head, sep, rest = text.partition("\n\n")
    return rest if sep and len(head) < 100 and "112" not in head else text


def _cycle(items: list[tuple[str, str]], count: int) -> list[tuple[str, str]]:
    return [items[i % len(items)] for i in range(count)]


@asynccontextmanager
async def fault_rig(folder: Path) -> AsyncIterator[FaultRig]:
    async with Emulator() as emu:
        proxy = FaultProxy(f"http://127.0.0.1:{emu.port}")
        await proxy.start()
        rig = FaultRig(emu, proxy, folder)
        try:
            yield rig
        finally:
            if rig.process is not None:
                await rig.kill_bot()
            await proxy.stop()
