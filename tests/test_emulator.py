"""The Bot API emulator, driven by a real ``telegram.Bot`` over loopback HTTP."""

from __future__ import annotations

import asyncio
import json
import time
from collections.abc import AsyncIterator
from datetime import timedelta
from typing import Any

import pytest
import tornado.httpserver
import tornado.netutil
import tornado.web
from telegram import Bot, InlineKeyboardButton, InlineKeyboardMarkup
from telegram.error import BadRequest, Conflict, Forbidden, NetworkError, RetryAfter, TimedOut
from telegram.request import HTTPXRequest

from bot.sandbox.emulator import Emulator

USER = 7001


@pytest.fixture
async def emu() -> AsyncIterator[Emulator]:
    emulator = Emulator(timeout_seconds=1.0)
    await emulator.start()
    try:
        yield emulator
    finally:
        await emulator.stop()


def _bot(emu: Emulator, read_timeout: float = 5.0) -> Bot:
    return Bot(
        token="123:ABC",
        base_url=emu.base_url,
        base_file_url=emu.base_file_url,
        request=HTTPXRequest(read_timeout=read_timeout),
        get_updates_request=HTTPXRequest(read_timeout=read_timeout),
    )


@pytest.fixture
async def bot(emu: Emulator) -> AsyncIterator[Bot]:
    async with _bot(emu) as b:
        yield b


def _seconds(value: int | timedelta) -> float:
    return value.total_seconds() if isinstance(value, timedelta) else float(value)


def _keyboard() -> InlineKeyboardMarkup:
    return InlineKeyboardMarkup(
        [
            [
                InlineKeyboardButton("Ja", callback_data="yes"),
                InlineKeyboardButton("Nej", callback_data="no"),
            ]
        ]
    )


async def test_get_me(bot: Bot) -> None:
    me = await bot.get_me()
    assert me.id == 1
    assert me.is_bot
    assert me.username == "trygghetsbot_sandbox_bot"
    assert me.first_name == "Trygghetsbot (sandbox)"


async def test_press_button_reaches_get_updates(emu: Emulator, bot: Bot) -> None:
    await emu.user_sends(USER, "/start")
    sent = await bot.send_message(USER, "Vill du?", reply_markup=_keyboard())
    assert sent.chat.id == USER
    assert sent.from_user is not None and sent.from_user.id == 1
    assert sent.reply_markup == _keyboard()

    await emu.user_presses(USER, sent.message_id, "no")
    updates = await bot.get_updates(timeout=0)
    assert updates[0].message is not None and updates[0].message.text == "/start"
    query = updates[1].callback_query
    assert query is not None
    assert query.data == "no"
    assert query.from_user.id == USER
    assert query.message is not None
    assert query.message.message_id == sent.message_id
    assert await query.answer("Tack") is True
    assert emu.callback_answers[0]["text"] == "Tack"


async def test_bot_command_entity_and_message_ids(emu: Emulator, bot: Bot) -> None:
    await emu.user_sends(USER, "/hjälp nu")
    first = await bot.send_message(USER, "a")
    second = await bot.send_message(USER, "b")
    assert second.message_id == first.message_id + 1
    [update] = await bot.get_updates()
    assert update.message is not None
    entity = update.message.entities[0]
    assert (entity.type, entity.offset, entity.length) == ("bot_command", 0, len("/hjälp"))
    assert update.message.from_user is not None
    assert update.message.from_user.language_code == "sv"


async def test_long_poll_returns_when_update_arrives(emu: Emulator, bot: Bot) -> None:
    async def later() -> None:
        await emu.wait_for_call("getUpdates")
        await emu.user_sends(USER, "hej")

    task = asyncio.create_task(later())
    # A poll that only ended at its timeout would come back empty.
    updates = await bot.get_updates(timeout=30)
    await task
    assert [u.message.text for u in updates if u.message] == ["hej"]


@pytest.mark.slow  # waits real seconds
async def test_long_poll_times_out_empty(bot: Bot) -> None:
    started = time.monotonic()
    assert await bot.get_updates(timeout=1) == ()
    assert time.monotonic() - started >= 0.9


async def test_offset_confirms_updates(emu: Emulator, bot: Bot) -> None:
    for text in ("ett", "två", "tre"):
        await emu.user_sends(USER, text)
    updates = await bot.get_updates(limit=2)
    assert [u.message.text for u in updates if u.message] == ["ett", "två"]
    again = await bot.get_updates(offset=updates[-1].update_id + 1)
    assert [u.message.text for u in again if u.message] == ["tre"]
    assert await bot.get_updates(offset=again[-1].update_id + 1) == ()
    assert emu.pending_updates == []


async def test_edit_and_not_modified(emu: Emulator, bot: Bot) -> None:
    sent = await bot.send_message(USER, "Före", reply_markup=_keyboard())
    edited = await bot.edit_message_text("Efter", chat_id=USER, message_id=sent.message_id)
    assert not isinstance(edited, bool) and edited.text == "Efter"
    with pytest.raises(BadRequest, match="not modified"):
        await bot.edit_message_text("Efter", chat_id=USER, message_id=sent.message_id)
    with pytest.raises(BadRequest, match=r"(?i)message to edit not found"):
        await bot.edit_message_text("x", chat_id=USER, message_id=999)
    [state] = emu.sent_to(USER)
    assert state.text == "Efter"
    assert state.reply_markup is None

    await bot.edit_message_reply_markup(USER, sent.message_id, reply_markup=_keyboard())
    with pytest.raises(BadRequest, match="not modified"):
        await bot.edit_message_reply_markup(USER, sent.message_id, reply_markup=_keyboard())
    assert emu.sent_to(USER)[0].buttons == [("Ja", "yes"), ("Nej", "no")]

    assert await bot.delete_message(USER, sent.message_id)
    assert emu.sent_to(USER)[0].deleted


async def test_empty_text_and_bad_chat(bot: Bot) -> None:
    with pytest.raises(BadRequest, match=r"(?i)message text is empty"):
        await bot.send_message(USER, "  ")
    with pytest.raises(BadRequest, match=r"(?i)chat not found"):
        await bot.send_message("@nobody", "hej")


async def test_send_document_keeps_bytes(emu: Emulator, bot: Bot) -> None:
    payload = b"rapport;antal\nvecka 1;3\n"
    message = await bot.send_document(
        USER, payload, filename="rapport.csv", caption="Veckans rapport", reply_markup=_keyboard()
    )
    assert message.document is not None
    assert message.document.file_name == "rapport.csv"
    assert message.document.file_size == len(payload)
    assert message.caption == "Veckans rapport"
    [sent] = emu.sent_to(USER)
    assert sent.data == payload
    assert sent.filename == "rapport.csv"
    assert sent.caption == "Veckans rapport"
    assert sent.buttons == [("Ja", "yes"), ("Nej", "no")]

    file = await bot.get_file(message.document.file_id)
    assert bytes(await file.download_as_bytearray()) == payload


async def test_send_photo(emu: Emulator, bot: Bot) -> None:
    png = b"\x89PNG\r\n\x1a\nfake"
    message = await bot.send_photo(USER, png, caption="Diagram")
    assert message.photo and message.photo[-1].file_size == len(png)
    assert emu.sent_to(USER)[0].data == png


async def test_injected_429(emu: Emulator, bot: Bot, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("PTB_TIMEDELTA", "1")
    emu.inject("sendMessage", "429", retry_after=7)
    with pytest.raises(RetryAfter) as info:
        await bot.send_message(USER, "hej")
    assert _seconds(info.value.retry_after) == 7
    await bot.send_message(USER, "hej igen")
    assert emu.rejected_429 == 1
    assert emu.sent_count == 1


async def test_injected_5xx(emu: Emulator, bot: Bot) -> None:
    emu.inject(None, "5xx")
    with pytest.raises(NetworkError):
        await bot.send_message(USER, "hej")
    assert len(emu.sent_to(USER)) == 0


async def test_injected_timeout_still_delivers(emu: Emulator) -> None:
    emu.timeout_seconds = 0.5
    emu.inject("sendMessage", "timeout")
    async with _bot(emu, read_timeout=0.2) as slow:
        with pytest.raises(TimedOut):
            await slow.send_message(USER, "kom den fram?")
    # The emulator finishes the request after the client gave up: watch for the message.
    late = await emu.wait_for_reply(USER, 0, timeout=2)
    assert [m.text for m in late] == ["kom den fram?"]


async def test_injected_403_for_one_chat(emu: Emulator, bot: Bot) -> None:
    emu.inject(None, "403", chat_id=USER)
    with pytest.raises(Forbidden, match="blocked"):
        await bot.send_message(USER, "hej")
    await bot.send_message(USER + 1, "hej")


async def test_blocked_user(emu: Emulator, bot: Bot) -> None:
    await emu.user_sends(USER, "/start")
    update = await emu.user_blocks(USER)
    assert update["my_chat_member"]["new_chat_member"]["status"] == "kicked"
    with pytest.raises(Forbidden, match="bot was blocked by the user"):
        await bot.send_message(USER, "hej")
    updates = await bot.get_updates()
    member = updates[-1].my_chat_member
    assert member is not None and member.new_chat_member.status == "kicked"


async def test_rate_limit(emu: Emulator, bot: Bot, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("PTB_TIMEDELTA", "1")
    emu.set_rate_limits(global_per_second=None, per_chat_per_second=2)
    await bot.send_message(USER, "1")
    await bot.send_message(USER, "2")
    with pytest.raises(RetryAfter) as info:
        await bot.send_message(USER, "3")
    assert _seconds(info.value.retry_after) >= 1
    await bot.send_message(USER + 1, "another chat is fine")
    emu.set_rate_limits(global_per_second=1, per_chat_per_second=None)
    await bot.send_message(USER + 2, "a")
    with pytest.raises(RetryAfter):
        await bot.send_message(USER + 3, "b")
    assert emu.rejected_429 == 2
    assert emu.sent_count == 4


async def test_commands_per_scope(bot: Bot) -> None:
    from telegram import BotCommand, BotCommandScopeAllPrivateChats

    await bot.set_my_commands([BotCommand("start", "Börja")], language_code="sv")
    await bot.set_my_commands([BotCommand("help", "Help")], scope=BotCommandScopeAllPrivateChats())
    assert [c.command for c in await bot.get_my_commands(language_code="sv")] == ["start"]
    assert await bot.get_my_commands() == ()
    scoped = await bot.get_my_commands(scope=BotCommandScopeAllPrivateChats())
    assert [c.command for c in scoped] == ["help"]
    await bot.delete_my_commands(language_code="sv")
    assert await bot.get_my_commands(language_code="sv") == ()
    assert await bot.send_chat_action(USER, "typing")
    assert await bot.set_my_description("Beskrivning")


async def test_unknown_method_and_bad_token(emu: Emulator) -> None:
    from tornado.httpclient import AsyncHTTPClient

    client = AsyncHTTPClient(force_instance=True)
    try:
        response = await client.fetch(f"{emu.base_url}123:ABC/noSuchMethod", raise_error=False)
        assert response.code == 404
        assert json.loads(response.body) == {
            "ok": False,
            "error_code": 404,
            "description": "Not Found",
        }
        response = await client.fetch(f"{emu.base_url}nonsense/getMe", raise_error=False)
        assert response.code == 404
        response = await client.fetch(
            f"{emu.base_url}123:ABC/sendMessage",
            method="POST",
            headers={"Content-Type": "application/json"},
            body=json.dumps({"chat_id": USER, "text": "json body"}),
        )
        assert json.loads(response.body)["result"]["text"] == "json body"
    finally:
        client.close()


class _Receiver(tornado.web.RequestHandler):
    received: list[tuple[dict[str, Any], str | None]]
    arrived: asyncio.Event

    def initialize(
        self, received: list[tuple[dict[str, Any], str | None]], arrived: asyncio.Event
    ) -> None:
        self.received = received
        self.arrived = arrived

    def post(self) -> None:
        secret = self.request.headers.get("X-Telegram-Bot-Api-Secret-Token")
        self.received.append((json.loads(self.request.body), secret))
        self.arrived.set()
        self.finish("ok")


async def test_webhook_delivery_and_conflict(emu: Emulator, bot: Bot) -> None:
    received: list[tuple[dict[str, Any], str | None]] = []
    arrived = asyncio.Event()
    sockets = tornado.netutil.bind_sockets(0, address="127.0.0.1")
    server = tornado.httpserver.HTTPServer(
        tornado.web.Application([(r"/hook", _Receiver, {"received": received, "arrived": arrived})])
    )
    server.add_sockets(sockets)
    port = sockets[0].getsockname()[1]
    try:
        url = f"http://127.0.0.1:{port}/hook"
        assert await bot.set_webhook(url, secret_token="s3cret")
        info = await bot.get_webhook_info()
        assert info.url == url
        with pytest.raises(Conflict, match="webhook is active"):
            await bot.get_updates()

        update = await emu.user_sends(USER, "via webhook")
        async with asyncio.timeout(5):
            await arrived.wait()
        assert received == [(update, "s3cret")]

        assert await bot.delete_webhook()
        await emu.user_sends(USER, "polling again")
        [polled] = await bot.get_updates()
        assert polled.message is not None and polled.message.text == "polling again"
    finally:
        server.stop()
        await server.close_all_connections()


async def test_wait_for_reply(emu: Emulator, bot: Bot) -> None:
    # Waiting starts before the bot answers, and a two-message answer comes back whole.
    waiting = asyncio.create_task(emu.wait_for_reply(USER, 0, timeout=5))
    await bot.send_message(USER, "ett")
    await bot.send_message(USER, "två")
    replies = await waiting
    assert [r.text for r in replies] == ["ett", "två"]
    assert [p["text"] for m, p in emu.calls if m == "sendMessage"] == ["ett", "två"]


async def test_non_loopback_refused() -> None:
    emulator = Emulator()
    with pytest.raises(ValueError, match="loopback"):
        await emulator.start(host="0.0.0.0")
    with pytest.raises(ValueError, match="loopback"):
        await emulator.start(host="192.168.1.10")


async def test_html_is_parsed_like_telegram(emu: Emulator, bot: Bot) -> None:
    message = await bot.send_message(
        USER, "<b>Fet</b> &amp; <a href='https://polisen.se'>länk</a>", parse_mode="HTML"
    )
    assert message.text == "Fet & länk"
    assert [(e.type, e.offset, e.length) for e in message.entities] == [
        ("bold", 0, 3),
        ("text_link", 6, 4),
    ]
    assert message.entities[1].url == "https://polisen.se"
    [sent] = emu.sent_to(USER)
    assert sent.text == "Fet & länk"
    assert sent.raw_text is not None and sent.raw_text.startswith("<b>")
    with pytest.raises(BadRequest, match=r"(?i)unsupported start tag"):
        await bot.send_message(USER, "a <br> b", parse_mode="HTML")
    with pytest.raises(BadRequest, match="end tag"):
        await bot.send_message(USER, "<b>open", parse_mode="HTML")
    with pytest.raises(BadRequest, match="reserved"):
        await bot.send_message(USER, "Klart.", parse_mode="MarkdownV2")
    await bot.send_message(USER, "Klart\\. `a.b`", parse_mode="MarkdownV2")


async def test_second_poller_terminates_first(emu: Emulator, bot: Bot) -> None:
    first = asyncio.create_task(bot.get_updates(timeout=5))
    await emu.wait_for_call("getUpdates")
    second = asyncio.create_task(bot.get_updates(timeout=0))
    with pytest.raises(Conflict, match="terminated by other getUpdates"):
        await first
    assert await second == ()


async def test_stop_answers_pending_long_poll() -> None:
    emulator = Emulator()
    await emulator.start()
    async with _bot(emulator) as b:
        poll = asyncio.create_task(b.get_updates(timeout=30))
        await emulator.wait_for_call("getUpdates")
        await emulator.stop()
        # Answered (empty) by the stop: a poll cut off by the closed connection would raise.
        assert await poll == ()


async def test_listener_unknown_chats_and_unblock(emu: Emulator, bot: Bot) -> None:
    events: list[tuple[str, int]] = []
    emu.add_listener(lambda event, message: events.append((event, message.message_id)))
    sent = await bot.send_message(USER, "hej")
    await bot.edit_message_text("hej då", chat_id=USER, message_id=sent.message_id)
    await bot.delete_message(USER, sent.message_id)
    assert events == [("sent", 1), ("edited", 1), ("deleted", 1)]

    emu.allow_unknown_chats = False
    with pytest.raises(BadRequest, match=r"(?i)chat not found"):
        await bot.send_message(USER + 50, "hej")

    await emu.user_blocks(USER)
    await emu.user_sends(USER, "/start")
    await bot.send_message(USER, "välkommen tillbaka")
    statuses = [
        u.my_chat_member.new_chat_member.status
        for u in await bot.get_updates()
        if u.my_chat_member is not None
    ]
    assert statuses == ["kicked", "member"]


async def test_application_polls_and_replies(emu: Emulator) -> None:
    from telegram import Update
    from telegram.ext import ApplicationBuilder, CommandHandler, ContextTypes

    async def start(update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
        assert update.effective_message is not None
        await update.effective_message.reply_text("Hej!")
        await update.effective_message.reply_text("Välj", reply_markup=_keyboard())

    app = (
        ApplicationBuilder()
        .token("123:ABC")
        .base_url(emu.base_url)
        .base_file_url(emu.base_file_url)
        .build()
    )
    app.add_handler(CommandHandler("start", start))
    async with app:
        await app.start()
        assert app.updater is not None
        await app.updater.start_polling(poll_interval=0, timeout=1)
        await emu.user_sends(USER, "/start")
        replies = await emu.wait_for_reply(USER, 0, timeout=3)
        assert [r.text for r in replies] == ["Hej!", "Välj"]
        assert replies[1].buttons == [("Ja", "yes"), ("Nej", "no")]
        await app.updater.stop()
        await app.stop()
