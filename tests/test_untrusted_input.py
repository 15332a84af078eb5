"""Issue "Every answer arrives", item 6: untrusted input is refused at the edge.

Updates Telegram could never have sent are dropped in stage one with one line (the update's
id and the field's name, never content): no handler runs and no reply is sent. A failed
actor load stops its update after one apology. The webhook server answers a broken body
with 400 and refuses a body over the limit before reading it.
"""

from __future__ import annotations

import asyncio
import json
import logging
import socket
import time
from collections.abc import AsyncIterator
from dataclasses import dataclass
from typing import Any

import httpx
import pytest

from bot.app import SANDBOX_TOKEN, BotApp, build_application
from bot.clock import FrozenClock
from bot.sandbox.emulator import Emulator
from bot.sandbox.terminal import sandbox_settings
from bot.settings import Settings
from bot.webhook import MAX_BODY, SECRET_HEADER, WebhookConfig, serve_webhook
from tests.conftest import Harness
from tests.fakes import callback_update, message_update, to_update, user

RESIDENT = 8201
SECRET_TEXT = "mitt personnummer är 811218-9876"


def _message(**changes: Any) -> dict[str, Any]:
    data = message_update(user(RESIDENT, "sv", first_name="Hemliga"), SECRET_TEXT)
    data["message"].update(changes)
    return data


def _with_user_id(user_id: object) -> dict[str, Any]:
    data = _message()
    data["message"]["from"]["id"] = user_id
    data["message"]["chat"]["id"] = user_id
    return data


IMPOSSIBLE = {
    "text is a number": lambda: _message(text=12345),
    "text is a list": lambda: _message(text=["a", "b"]),
    "caption is a number": lambda: _message(caption=7),
    "user id 2**64": lambda: _with_user_id(2**64),
    "user id negative": lambda: _with_user_id(-5),
    "user id zero": lambda: _with_user_id(0),
    "user id a string": lambda: _with_user_id("8201"),
    "user id a list": lambda: _with_user_id([8201]),
    "user id true": lambda: _with_user_id(True),
    "chat id beyond 2**53": lambda: _message(chat={"id": -(2**60), "type": "group"}),
    "first name a number": lambda: _message(**{"from": {**user(RESIDENT), "first_name": 3}}),
    "language a dict": lambda: _message(**{"from": {**user(RESIDENT), "language_code": {}}}),
    "entity offset a string": lambda: _message(
        entities=[{"type": "bot_command", "offset": "0", "length": 6}]
    ),
    "replied-to user 2**64": lambda: _message(
        reply_to_message={
            "message_id": 1,
            "date": 1_700_000_000,
            "chat": {"id": RESIDENT, "type": "private"},
            "from": {"id": 2**64, "is_bot": True, "first_name": "X"},
            "text": "hi",
        }
    ),
}


@pytest.mark.parametrize("make", IMPOSSIBLE.values(), ids=IMPOSSIBLE.keys())
async def test_impossible_update_is_dropped_quietly(
    harness: Harness, caplog: pytest.LogCaptureFixture, make: Any
) -> None:
    data = make()
    with caplog.at_level(logging.DEBUG, logger="trygghetsbot"):
        await harness.raw(data)
    assert harness.tg.calls == []  # no reply, no apology, no other Bot API call
    lines = [r for r in caplog.records if r.name.startswith("trygghetsbot")]
    assert [r.levelno for r in lines] == [logging.WARNING]
    assert lines[0].getMessage().startswith(f"dropped update {data['update_id']}: impossible ")
    assert "Hemliga" not in caplog.text and "811218" not in caplog.text
    assert await harness.services.users.locale(RESIDENT) is None


async def test_callback_data_of_the_wrong_type_is_dropped(harness: Harness) -> None:
    await harness.press(RESIDENT, "status:list")
    harness.tg.clear()
    data = callback_update(user(RESIDENT), "x")
    data["callback_query"]["data"] = {"a": 1}
    await harness.app.process_update(to_update(data, harness.app.bot))
    assert harness.tg.calls == []


async def test_possible_extremes_still_get_answers(harness: Harness) -> None:
    """The limits are Telegram's, not tighter: the largest user id and a channel-sized
    group id are answered as usual."""
    big = 2**53 - 1
    data = message_update(user(big, "en"), "/start")
    await harness.raw(data)
    assert "112" in harness.tg.last(big).text
    group = {"id": -1_009_999_999_999, "type": "supergroup", "title": "Kvarteret"}
    await harness.raw(message_update(user(RESIDENT, "en"), "/start", chat=group))
    assert harness.tg.sent(group["id"])


@pytest.mark.logs_errors
async def test_failed_actor_load_stops_the_update_after_one_apology(
    harness: Harness, monkeypatch: pytest.MonkeyPatch, caplog: pytest.LogCaptureFixture
) -> None:
    async def broken(*args: Any, **kwargs: Any) -> Any:
        raise OverflowError("Python int too large to convert to SQLite INTEGER")

    monkeypatch.setattr(harness.app.bot_data.features.people, "actor", broken)
    group = {"id": -100_555, "type": "supergroup", "title": "Kvarteret"}
    await harness.raw(message_update(user(RESIDENT, "en"), "/start", chat=group))
    sent = harness.tg.sent(group["id"])
    assert [c.text for c in sent] == [
        "Sorry, something went wrong on my side. Please try again in a while."
    ]
    errors = [r for r in caplog.records if r.levelno >= logging.ERROR]
    assert len(errors) == 1 and "OverflowError" in errors[0].getMessage()
    assert "actor not loaded" not in caplog.text and "RuntimeError" not in caplog.text


# --- the webhook server, on loopback -------------------------------------------------------

HOOK_SECRET = "hook-secret_1"


@dataclass
class Hook:
    emu: Emulator
    app: BotApp
    url: str

    async def post(
        self, body: bytes, secret: str | None = HOOK_SECRET, url: str | None = None
    ) -> httpx.Response:
        headers = {"Content-Type": "application/json"}
        if secret is not None:
            headers[SECRET_HEADER] = secret
        async with httpx.AsyncClient() as client:
            return await client.post(url or self.url, content=body, headers=headers)

    def sent(self) -> list[str]:
        return [method for method, _ in self.emu.calls if method.startswith("send")]


@pytest.fixture
async def hook(settings: Settings, clock: FrozenClock) -> AsyncIterator[Hook]:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port = int(probe.getsockname()[1])
    url = f"http://127.0.0.1:{port}/tg/hook"
    config = WebhookConfig("127.0.0.1", port, "tg/hook", url, HOOK_SECRET)
    async with Emulator() as emu:
        app = build_application(
            sandbox_settings(settings, emu), clock=clock, rate_limit=False, token=SANDBOX_TOKEN
        )
        stop, started = asyncio.Event(), asyncio.Event()
        task = asyncio.create_task(serve_webhook(app, config, stop, started))
        try:
            # Serving: the webhook set and the application started (PTB logs "Application
            # started" at INFO, which must not fall inside a test's log capture).
            await asyncio.wait(
                [asyncio.ensure_future(started.wait()), task],
                return_when=asyncio.FIRST_COMPLETED,
            )
            assert started.is_set() and not task.done()
            emu.calls.clear()
            yield Hook(emu, app, url)
        finally:
            stop.set()
            await task


def _update_body(text: object = "/start", user_id: int = RESIDENT) -> bytes:
    data: dict[str, Any] = message_update(user(user_id, "en", first_name="Hemliga"), "/start")
    data["message"]["text"] = text
    return json.dumps(data).encode()


BROKEN_BODIES = {
    "malformed JSON": b'{"update_id": 5, "message": {',
    "invalid UTF-8": b'{"update_id": 5, "message": {"text": "\xff\xfe 811218"}}',
    "empty": b"",
    "a JSON list": b"[1, 2]",
    "no update id": b'{"message": {"text": "811218-9876"}}',
    "nested a million deep": b"[" * 500_000 + b"]" * 500_000,
}


@pytest.mark.parametrize("body", BROKEN_BODIES.values(), ids=BROKEN_BODIES.keys())
async def test_webhook_refuses_a_broken_body_with_400_quietly(
    hook: Hook, caplog: pytest.LogCaptureFixture, body: bytes
) -> None:
    with caplog.at_level(logging.DEBUG):
        response = await hook.post(body)
    assert response.status_code == 400
    # (httpx logs the test's own request at INFO: that is the client, not the server.)
    lines = [
        r for r in caplog.records if r.levelno >= logging.INFO and not r.name.startswith("httpx")
    ]
    assert [r.name for r in lines] == ["trygghetsbot.webhook"]
    assert lines[0].levelno == logging.INFO and str(len(body)) in lines[0].getMessage()
    assert "811218" not in caplog.text
    assert hook.app.update_queue.empty() and hook.sent() == []


async def test_webhook_refuses_a_body_over_the_limit_before_reading_it(hook: Hook) -> None:
    """Only the headers and a first slice are sent: tornado answers from Content-Length,
    before the body arrives, so nothing is parsed and the loop never stalls."""
    port = int(hook.url.split(":")[2].split("/")[0])
    size = 10 * MAX_BODY
    started = time.perf_counter()
    reader, writer = await asyncio.open_connection("127.0.0.1", port)
    writer.write(
        (
            f"POST /tg/hook HTTP/1.1\r\nHost: 127.0.0.1\r\nContent-Type: application/json\r\n"
            f"{SECRET_HEADER}: {HOOK_SECRET}\r\nContent-Length: {size}\r\n\r\n"
        ).encode()
        + _update_body()[:100]
    )
    await writer.drain()
    status = await asyncio.wait_for(reader.readline(), 2)
    writer.close()
    assert status.split()[1] in (b"400", b"413")
    assert time.perf_counter() - started < 1.0
    # The server is still there for real updates, and the refused one never reached PTB.
    assert (await hook.post(_update_body(user_id=RESIDENT + 1))).status_code == 200
    replies = await hook.emu.wait_for_reply(RESIDENT + 1, 0)
    assert "112" in replies[0].text
    assert hook.emu.sent_to(RESIDENT) == []


async def test_webhook_takes_a_body_just_under_the_limit(hook: Hook) -> None:
    body = _update_body("x" * (MAX_BODY - 1000))
    assert len(body) < MAX_BODY
    assert (await hook.post(body)).status_code == 200


async def test_webhook_checks_secret_and_path(hook: Hook) -> None:
    body = _update_body()
    assert (await hook.post(body, secret=None)).status_code == 403
    assert (await hook.post(body, secret="wrong")).status_code == 403
    assert (await hook.post(body, secret="")).status_code == 403
    assert (await hook.post(body, url=hook.url.replace("tg/hook", "other"))).status_code == 404
    async with httpx.AsyncClient() as client:
        plain = await client.post(
            hook.url,
            content=body,
            headers={SECRET_HEADER: HOOK_SECRET, "Content-Type": "text/plain"},
        )
    assert plain.status_code == 403
    assert hook.app.update_queue.empty() and hook.sent() == []
    assert (await hook.post(body, url=hook.url + "/")).status_code == 200
    assert "112" in (await hook.emu.wait_for_reply(RESIDENT, 0))[0].text


async def test_webhook_confirms_and_drops_what_it_cannot_use(
    hook: Hook, caplog: pytest.LogCaptureFixture
) -> None:
    """An update PTB cannot read, or one Telegram could not have sent, is answered 200 (so
    Telegram would not send it again), never processed, and logged by its id only."""
    unreadable = json.dumps(
        {"update_id": 77, "message": {"message_id": 1, "date": "811218-9876", "chat": 3}}
    ).encode()
    with caplog.at_level(logging.INFO):
        assert (await hook.post(unreadable)).status_code == 200
        assert (await hook.post(_update_body(text=811218))).status_code == 200
        assert (await hook.post(_update_body(user_id=2**64))).status_code == 200
        assert (await hook.post(_update_body(user_id=-5))).status_code == 200
        # A real one after them is answered: they did not block the queue.
        assert (await hook.post(_update_body(user_id=RESIDENT + 2))).status_code == 200
        assert "112" in (await hook.emu.wait_for_reply(RESIDENT + 2, 0))[0].text
    assert "skipped update 77" in caplog.text
    assert caplog.text.count("dropped update") == 3
    assert "811218" not in caplog.text and "Hemliga" not in caplog.text
    assert hook.sent() == ["sendMessage"] * len(hook.emu.sent_to(RESIDENT + 2))
