"""``trygghetsbot sandbox``: chat with the real bot in a terminal, no Telegram account needed.

The bot runs unmodified (real long polling over loopback HTTP) against the local Bot API
emulator; this module plays the user side. Typed lines become messages from the current
persona, and whatever the bot sends or edits in that persona's chat is printed with its
inline buttons numbered, so ``:press N`` can press them.

Interactive on a TTY (a ``resident>`` prompt); scripted otherwise, one line per message::

    printf '/start\\n:as staff\\n/status\\n:quit\\n' | trygghetsbot sandbox
"""

from __future__ import annotations

import argparse
import asyncio
import logging
import sys
import tempfile
import threading
import time
import warnings
from collections.abc import AsyncIterator, Callable
from contextlib import asynccontextmanager
from dataclasses import dataclass, field
from datetime import datetime
from pathlib import Path
from typing import Any, Literal, TextIO

from telegram.warnings import PTBUserWarning

from bot.app import SANDBOX_TOKEN, BotApp, build_application, serving
from bot.clock import STOCKHOLM, Clock, ShiftedClock
from bot.domain.promise_set import PromiseSet, demo_promise_set
from bot.logging_setup import configure_logging
from bot.sandbox.demo import PERSONAS, Persona, seed_demo
from bot.sandbox.emulator import Emulator, SentMessage
from bot.settings import SUPPORTED_LOCALES, Settings
from bot.transport.outage import polling_error

# Inside the demo promise's window, on a weekday morning, so the seeded events and reports
# are "current" and the status and progress views have something to show.
DEFAULT_NOW = datetime(2024, 3, 12, 10, 0, tzinfo=STOCKHOLM)
DEMO_PROMISES_NOW = datetime(2025, 3, 12, 10, 0, tzinfo=STOCKHOLM)

# How long to wait for the first reply, and how long the chat must then stay quiet before we
# consider the answer complete (a reply can be several messages plus an edit).
REPLY_TIMEOUT = 3.0
QUIET_PERIOD = 0.3

HELP = """\
Commands:
  <text>            send <text> as the current persona (e.g. /start, /events, a question)
  :as NAME          switch persona: resident, staff, admin or senior (each has its own chat)
  :lang CODE        the language Telegram reports for you from now on: sv, en, fi, ar, fa,
                    so or pl (a language chosen with /language still wins, as in Telegram)
  :press N          press button N of the latest buttons shown
  :wait [SECONDS]   wait for messages the bot sends by itself (default 5 s)
  :help             this help
  :quit             stop the sandbox (Ctrl-D works too)"""


def sandbox_settings(base: Settings, emu: Emulator) -> Settings:
    """``base`` pointed at the emulator, with the demo admin persona made an admin."""
    update: dict[str, Any] = {
        "api_base_url": emu.base_url,
        "api_file_url": emu.base_file_url,
        "admin_ids": base.admin_ids | {PERSONAS["admin"].user_id},
        # A real token from .env must never travel anywhere, not even to the emulator.
        "bot_token": None,
    }
    return base.model_copy(update=update)


@asynccontextmanager
async def running_sandbox(
    settings: Settings,
    clock: Clock,
    *,
    seed: bool = True,
    emulator: Emulator | None = None,
    rate_limit: bool = False,
    promises: PromiseSet | None = None,
) -> AsyncIterator[tuple[Emulator, BotApp]]:
    """The emulator plus the bot polling it, seeded with demo data; torn down in order.

    Shared by the terminal chat, the tests and the throughput benchmark so all three run the
    bot the same way: built by ``build_application``, started through ``serving`` and fed by
    real long polling over loopback HTTP. Given an ``emulator``, the bot talks to that one
    and leaves it running afterwards (a restart keeps the same "Telegram"). ``rate_limit``
    puts interactive replies through the bot's send budget as in production (the outbox
    always uses it); the chat and the tests leave it off so that a multi-message answer
    arrives at once."""
    emu = emulator or Emulator()
    if emulator is None:
        await emu.start()
    try:
        app = build_application(
            sandbox_settings(settings, emu),
            clock=clock,
            rate_limit=rate_limit,
            token=SANDBOX_TOKEN,
            promises=promises,
        )
        # serving() runs our post_init hooks once; app.start() below does not run them again
        # (only run_polling/run_webhook call post_init themselves).
        async with serving(app):
            if seed:
                await seed_demo(app.bot_data.services)
            updater = app.updater
            assert updater is not None
            await app.start()
            try:
                # timeout=1 keeps shutdown quick: stop() waits for the current long poll.
                await updater.start_polling(
                    poll_interval=0, timeout=1, error_callback=polling_error
                )
                try:
                    yield emu, app
                finally:
                    if updater.running:
                        await updater.stop()
            finally:
                if app.running:
                    await app.stop()
    finally:
        if emulator is None:
            await emu.stop()


@dataclass
class Button:
    message_id: int
    label: str
    data: str
    # A reply-keyboard button ("reply") sends its label as text; a "url" one only opens a link.
    kind: Literal["callback", "url", "reply", "vote"]  # "vote": an answer of a poll


@dataclass
class Transcript:
    """Collects what the bot shows in each chat (via the emulator's listener) until printed."""

    pending: dict[int, dict[int, SentMessage]] = field(default_factory=dict)
    last_change: float = field(default_factory=time.monotonic)
    changed: asyncio.Event = field(default_factory=asyncio.Event)

    def __call__(self, event: str, message: SentMessage) -> None:
        # Keyed by message id: a message sent and then edited within one answer is shown once,
        # as it ends up (the SentMessage object is updated in place by later edits).
        chat = self.pending.setdefault(message.chat_id, {})
        if event == "deleted":
            chat.pop(message.message_id, None)
        else:
            chat[message.message_id] = message
        self.last_change = time.monotonic()
        self.changed.set()

    def take(self, chat_id: int) -> list[SentMessage]:
        chat = self.pending.pop(chat_id, {})
        return [chat[k] for k in sorted(chat)]

    async def settle(self, chat_id: int, patience: float = REPLY_TIMEOUT) -> list[SentMessage]:
        """Wait for something in ``chat_id`` (up to ``patience`` s), then for quiet; take it."""
        deadline = time.monotonic() + patience
        while chat_id not in self.pending:
            if not await self._changed_within(deadline - time.monotonic()):
                return []
        # Quiet means nothing changed anywhere for a moment: the bot's answer can span several
        # messages and edits, and may notify other chats while it is at it.
        while await self._changed_within(QUIET_PERIOD - (time.monotonic() - self.last_change)):
            pass
        return self.take(chat_id)

    async def _changed_within(self, seconds: float) -> bool:
        self.changed.clear()
        if seconds <= 0:
            return False
        try:
            await asyncio.wait_for(self.changed.wait(), seconds)
        except TimeoutError:
            return False
        return True

    def others(self, chat_id: int) -> dict[int, int]:
        """How many messages wait unseen in other chats."""
        return {c: len(m) for c, m in self.pending.items() if c != chat_id and m}


def render(messages: list[SentMessage]) -> tuple[str, list[Button]]:
    """The messages as plain text, buttons numbered across the whole answer."""
    lines: list[str] = []
    buttons: list[Button] = []
    for message in messages:
        if message.upload is not None:
            kind = "photo" if message.method == "sendPhoto" else "document"
            lines.append(f"[{kind}: {message.upload.filename}, {len(message.upload.data)} bytes]")
        text = message.shown
        if text:
            lines.append(("[anonymous poll] " if message.poll else "") + text)
        if message.poll is not None:
            cells = []
            for index, option in enumerate(message.poll["options"]):
                buttons.append(Button(message.message_id, option["text"], str(index), "vote"))
                cells.append(f"[{len(buttons)}] {option['text']}")
            lines.append("  ".join(cells))
        markup = message.reply_markup or {}
        for row in markup.get("inline_keyboard", []):
            cells = []
            for b in row:
                if "callback_data" in b:
                    button = Button(
                        message.message_id, str(b["text"]), b["callback_data"], "callback"
                    )
                else:
                    button = Button(
                        message.message_id, str(b["text"]), str(b.get("url", "")), "url"
                    )
                buttons.append(button)
                suffix = f" <{button.data}>" if button.kind == "url" else ""
                cells.append(f"[{len(buttons)}] {button.label}{suffix}")
            lines.append("  ".join(cells))
        for row in markup.get("keyboard", []):
            cells = []
            for b in row:
                label = b if isinstance(b, str) else str(b.get("text", ""))
                buttons.append(Button(message.message_id, label, label, "reply"))
                cells.append(f"[{len(buttons)}] {label}")
            lines.append("  ".join(cells))
        lines.append("")
    return "\n".join(lines).rstrip("\n"), buttons


class TerminalChat:
    """The user side of the terminal chat: one persona at a time, each with its own chat."""

    def __init__(self, emu: Emulator, persona: Persona, lang: str, out: TextIO) -> None:
        self.emu = emu
        self.persona = persona
        self.lang = lang
        self.out = out
        self.transcript = Transcript()
        self.buttons: dict[str, list[Button]] = {}
        self.announced: dict[int, int] = {}
        emu.add_listener(self.transcript)

    def close(self) -> None:
        self.emu.remove_listener(self.transcript)

    def say(self, text: str = "") -> None:
        print(text, file=self.out, flush=True)

    def show(self, messages: list[SentMessage]) -> None:
        if not messages:
            return
        text, buttons = render(messages)
        self.say(text)
        self.say()
        if buttons:
            # Only a new set of buttons replaces the old: a plain "Saved" edit should not
            # make the previous card's numbers meaningless.
            self.buttons[self.persona.key] = buttons

    async def answer(self, toast_for: str | None = None) -> None:
        messages = await self.transcript.settle(self.persona.user_id)
        # A button may answer with a short notification ("toast") instead of, or besides, a
        # message; Telegram shows it over the chat, so do we.
        toasts = [
            str(a["text"])
            for a in self.emu.callback_answers
            if toast_for is not None and a.get("callback_query_id") == toast_for and a.get("text")
        ]
        for toast in toasts:
            self.say(f"(notification: {toast})")
        if not messages and not toasts:
            self.say("(no reply)")
            self.say()
            return
        self.show(messages)
        self.announce_others()

    def announce_others(self) -> None:
        """Mention messages that arrived in other personas' chats (e.g. a staff alert), once."""
        names = {p.user_id: p.key for p in PERSONAS.values()}
        for chat_id, count in self.transcript.others(self.persona.user_id).items():
            if count > self.announced.get(chat_id, 0) and chat_id in names:
                self.say(f"({count} unread message(s) for {names[chat_id]}; :as {names[chat_id]})")
            self.announced[chat_id] = count

    async def handle(self, line: str) -> bool:
        """Act on one input line; False when the chat should end."""
        line = line.strip()
        if not line:
            return True
        if not line.startswith(":"):
            await self.emu.user_sends(
                self.persona.user_id,
                line,
                first_name=self.persona.first_name,
                language_code=self.lang,
            )
            await self.answer()
            return True
        command, _, arg = line[1:].partition(" ")
        arg = arg.strip()
        if command in ("quit", "q", "exit"):
            return False
        if command in ("help", "h", "?"):
            self.say(HELP)
        elif command == "as":
            self.switch(arg)
        elif command == "lang":
            self.set_lang(arg)
        elif command in ("press", "p"):
            await self.press(arg)
        elif command == "wait":
            await self.wait(arg)
        else:
            self.say(f"Unknown command :{command}. Type :help.")
        return True

    def set_lang(self, code: str) -> None:
        if code not in SUPPORTED_LOCALES:
            self.say(f"No language {code!r}; choose one of {', '.join(SUPPORTED_LOCALES)}.")
            return
        self.lang = code
        self.say(f"Telegram now reports your language as {code}.")

    def switch(self, name: str) -> None:
        persona = PERSONAS.get(name)
        if persona is None:
            self.say(f"No persona {name!r}; choose one of {', '.join(PERSONAS)}.")
            return
        self.persona = persona
        self.say(f"Now chatting as {persona.key} ({persona.first_name}, id {persona.user_id}).")
        # Anything the bot sent this persona meanwhile (alerts, notifications) shows now.
        self.announced.pop(persona.user_id, None)
        self.show(self.transcript.take(persona.user_id))

    async def press(self, arg: str) -> None:
        buttons = self.buttons.get(self.persona.key, [])
        try:
            button = buttons[int(arg) - 1]
            if int(arg) < 1:
                raise IndexError
        except (ValueError, IndexError):
            self.say(f"No button {arg!r}; the latest buttons are numbered 1–{len(buttons)}.")
            return
        if button.kind == "url":
            self.say(f"That button is a link: {button.data}")
            return
        if button.kind == "reply":
            await self.handle(button.data)
            return
        if button.kind == "vote":
            await self.emu.user_votes(self.persona.user_id, button.message_id, int(button.data))
            self.say(f"(voted {button.label!r}; the bot sees only the counts)")
            return
        try:
            update = await self.emu.user_presses(
                self.persona.user_id, button.message_id, button.data
            )
        except (KeyError, ValueError):
            self.say("That button is gone (the message was edited or deleted).")
            return
        self.say(f"(pressed {button.label!r})")
        await self.answer(toast_for=str(update["callback_query"]["id"]))

    async def wait(self, arg: str) -> None:
        try:
            seconds = float(arg) if arg else 5.0
        except ValueError:
            self.say(f"Not a number of seconds: {arg!r}")
            return
        await asyncio.sleep(seconds)
        self.show(self.transcript.take(self.persona.user_id))


def banner(persona: Persona, db_path: Path, kept: bool, now: datetime, lang: str) -> str:
    people = "\n".join(f"  {p.key:<9} {p.first_name} (id {p.user_id})" for p in PERSONAS.values())
    db = f"{db_path} (kept)" if kept else "a temporary file (removed at exit)"
    return (
        "Trygghetsbot sandbox: the real bot, talking to a local Telegram emulator over\n"
        "loopback HTTP. Nothing leaves this machine; all data is [DEMO] data.\n"
        f"Clock starts at {now:%Y-%m-%d %H:%M} ({now.tzinfo}); database: {db}; language: {lang}.\n"
        f"Personas:\n{people}\n"
        f"{HELP}\n"
        f"You are {persona.key}. Try /start, /help or /events.\n"
    )


class StdinReader:
    """Reads stdin on a daemon thread, one line per request, into a queue (None at EOF).

    A daemon thread rather than ``asyncio.to_thread``: a thread blocked in ``input()`` would
    otherwise keep the process alive after Ctrl-C until the user pressed Enter. Lines are
    read only when asked for, so a prompt never appears while a reply is still printing."""

    def __init__(self, interactive: bool, prompt: Callable[[], str]) -> None:
        self._loop = asyncio.get_running_loop()
        self._queue: asyncio.Queue[str | None] = asyncio.Queue()
        self._wanted = threading.Event()
        self._interactive = interactive
        self._prompt = prompt
        # Captured now: tests swap sys.stdin only for the duration of the call.
        self._stdin = sys.stdin
        self._closed = False
        threading.Thread(target=self._read, name="sandbox-stdin", daemon=True).start()

    def _read(self) -> None:
        while True:
            self._wanted.wait()
            self._wanted.clear()
            if self._closed:
                return
            line: str | None
            try:
                if self._interactive:
                    line = input(self._prompt())
                else:
                    raw = self._stdin.readline()
                    line = raw.rstrip("\r\n") if raw else None
            except (EOFError, OSError, ValueError):
                line = None
            self._loop.call_soon_threadsafe(self._queue.put_nowait, line)
            if line is None:
                return

    async def next_line(self) -> str | None:
        self._wanted.set()
        return await self._queue.get()

    def close(self) -> None:
        """Let the thread end if it is waiting for a request (not if it is inside input())."""
        self._closed = True
        self._wanted.set()


async def chat_loop(chat: TerminalChat, interactive: bool) -> None:
    reader = StdinReader(interactive, lambda: f"{chat.persona.key}> ")
    try:
        while True:
            line = await reader.next_line()
            if line is None:
                chat.say()
                return
            if not interactive and line.strip():
                # Echo scripted input so a piped transcript reads like a conversation.
                chat.say(f"{chat.persona.key}> {line}")
            if not await chat.handle(line):
                return
    finally:
        reader.close()


async def run_sandbox(args: argparse.Namespace, settings: Settings, db_path: Path) -> int:
    # ``--promises demo``: the ended 2022–2024 promise, a made-up next one and one for
    # Järfälla, on a day in 2025 (unless --now says otherwise).
    demo = getattr(args, "promises", None) == "demo"
    promises = demo_promise_set() if demo else None
    now = args.now or settings.now or (DEMO_PROMISES_NOW if demo else DEFAULT_NOW)
    clock = ShiftedClock(now, settings.tz)
    persona = PERSONAS[args.persona]
    out = sys.stdout
    base = settings.model_copy(update={"db_path": db_path})
    async with running_sandbox(base, clock, promises=promises) as (emu, _app):
        chat = TerminalChat(emu, persona, args.lang, out)
        try:
            chat.say(banner(persona, db_path, args.db is not None, clock.now(), args.lang))
            await chat_loop(chat, sys.stdin.isatty())
        finally:
            chat.close()
    chat.say("Sandbox stopped.")
    return 0


def sandbox_command(args: argparse.Namespace, settings: Settings) -> int:
    if not logging.getLogger().handlers:
        # Our own and PTB's INFO logs would interleave with the chat; warnings still show.
        # (With handlers already set up, e.g. under pytest, the host's logging stays as is.)
        configure_logging(logging.WARNING)
    with warnings.catch_warnings():
        # PTB's advice about our deliberate per_message=False conversations is developer
        # noise, not something a sandbox user can act on.
        warnings.filterwarnings("ignore", message="If 'per_message=False'", category=PTBUserWarning)
        try:
            if args.db is not None:
                return asyncio.run(run_sandbox(args, settings, args.db))
            with tempfile.TemporaryDirectory(prefix="trygghetsbot-sandbox-") as tmp:
                return asyncio.run(run_sandbox(args, settings, Path(tmp) / "sandbox.sqlite3"))
        except KeyboardInterrupt:
            print("\nSandbox stopped.")
            return 130
