"""Faults from outside: ``trygghetsbot run`` as its own process, the emulator behind the
fault-injecting proxy, residents asking while Telegram fails (``bot.sandbox.faultrig``).

Each case runs one scenario of ``benchmarks/faults.py`` (shorter where the full length only
adds minutes; CI runs the 60 s ones there) and prints its figures: answers lost,
duplicates, whether 112 came first, latency, the bot's log. The webhook's stop is at the end.
"""

from __future__ import annotations

import asyncio
import json
import socket
from collections import Counter
from pathlib import Path
from typing import Any

import httpx
import pytest

from benchmarks.faults import Result, lost, outage12, refused, storm
from bot.app import SANDBOX_TOKEN, build_application
from bot.clock import FrozenClock
from bot.sandbox.emulator import Emulator
from bot.sandbox.faultproxy import FaultProxy
from bot.sandbox.faultrig import FaultRig, fault_rig
from bot.sandbox.terminal import sandbox_settings
from bot.settings import Settings
from bot.webhook import SECRET_HEADER, WebhookConfig, serve_webhook
from tests.fakes import message_update, user


async def _run(tmp_path: Path, scenario: Any, name: str) -> Result:
    async with fault_rig(tmp_path) as rig:
        figures, problems = await scenario(rig)
    print("\n" + figures.line(name))
    return figures, problems


async def test_a_12_s_outage_every_answer_once_112_first(tmp_path: Path) -> None:
    figures, problems = await _run(tmp_path, outage12, "outage12")
    assert problems == []
    assert figures.answered == 14 and figures.duplicates == 0 and figures.danger_first


async def test_answers_lost_after_delivery_ordinary_never_twice_112_at_most_twice(
    tmp_path: Path,
) -> None:
    async def scenario(rig: FaultRig) -> Result:
        return await lost(rig, seconds=8)

    figures, problems = await _run(tmp_path, scenario, "lost answers")
    assert problems == []
    assert figures.extra["ordinary answers twice"] == 0


async def test_refused_connections_then_every_answer_once(tmp_path: Path) -> None:
    async def scenario(rig: FaultRig) -> Result:
        return await refused(rig, seconds=8)

    figures, problems = await _run(tmp_path, scenario, "refused")
    assert problems == [] and figures.answered == figures.asked


async def test_a_429_storm_loses_nothing_and_holds_only_the_chats_it_hit(tmp_path: Path) -> None:
    async def scenario(rig: FaultRig) -> Result:
        return await storm(rig, seconds=20, residents=60)

    figures, problems = await _run(tmp_path, scenario, "storm")
    assert problems == []
    assert figures.extra["chats met a 429"] > 0  # the storm really hit
    assert figures.extra["others p95 s"] < 10


async def test_the_proxy_refuses_then_listens_again_on_the_same_port() -> None:
    async with Emulator() as emu, FaultProxy(f"http://127.0.0.1:{emu.port}") as proxy:
        url = f"{proxy.base_url}{SANDBOX_TOKEN}/getMe"
        async with httpx.AsyncClient() as client:
            assert (await client.post(url)).json()["ok"]
            await proxy.fail("refused", seconds=None)
            with pytest.raises(httpx.ConnectError):
                await client.post(url)
            proxy.heal()
            assert (await client.post(url)).json()["ok"]
            await proxy.fail("502", methods="getMe", seconds=None)
            answer = await client.post(url)
            assert answer.status_code == 502 and b"Bad Gateway" in answer.content
            assert proxy.counts["502"] == 1


# --- the webhook: a stop answers what it did not handle with 503 ---------------------------

SECRET = "stop-secret_1"
CHATS = range(600_000, 600_300)


def _port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


async def test_a_webhook_stop_leaves_every_unhandled_update_for_telegram_to_send_again(
    settings: Settings, clock: FrozenClock
) -> None:
    """300 questions posted 40 at a time (Telegram's default ``max_connections``), a stop in
    the middle; what was not answered 200 is posted again to the next run, as Telegram does.
    Every resident gets her answer once."""
    port = _port()
    url = f"http://127.0.0.1:{port}/hook"
    config = WebhookConfig("127.0.0.1", port, "hook", url, SECRET)
    bodies = {
        chat: json.dumps(
            {**message_update(user(chat, "sv"), "när är nästa tematräff?"), "update_id": i + 1}
        ).encode()
        for i, chat in enumerate(CHATS)
    }
    headers = {"Content-Type": "application/json", SECRET_HEADER: SECRET}
    async with Emulator() as emu:

        async def serve(until: asyncio.Event) -> asyncio.Task[None]:
            app = build_application(
                sandbox_settings(settings, emu), clock=clock, token=SANDBOX_TOKEN
            )
            started = asyncio.Event()
            task = asyncio.create_task(serve_webhook(app, config, until, started))
            await asyncio.wait(
                [asyncio.ensure_future(started.wait()), task],
                return_when=asyncio.FIRST_COMPLETED,
            )
            assert started.is_set()
            return task

        async def post_all(chats: list[int], codes: dict[int, int], stop: asyncio.Event) -> None:
            gate = asyncio.Semaphore(40)
            async with httpx.AsyncClient(timeout=30) as client:

                async def post(chat: int) -> None:
                    async with gate:
                        try:
                            answer = await client.post(url, content=bodies[chat], headers=headers)
                            codes[chat] = answer.status_code
                        except httpx.TransportError:
                            codes[chat] = 0  # refused once the server stopped
                        if sum(c == 200 for c in codes.values()) >= 60:
                            stop.set()

                await asyncio.gather(*(post(chat) for chat in chats))

        first_stop = asyncio.Event()
        first = await serve(first_stop)
        codes: dict[int, int] = {}
        await post_all(list(CHATS), codes, first_stop)
        await first
        again = [chat for chat in CHATS if codes[chat] != 200]
        answered_first = {chat for chat in CHATS if emu.sent_to(chat)}

        second_stop = asyncio.Event()
        second = await serve(second_stop)
        retried: dict[int, int] = {}
        await post_all(again, retried, asyncio.Event())
        second_stop.set()
        await second

    per_chat = Counter({chat: len(emu.sent_to(chat)) for chat in CHATS})
    print(
        f"\nwebhook stop: {sum(c == 200 for c in codes.values())} confirmed before the stop, "
        f"{Counter(codes.values())} by status; {len(again)} sent again; "
        f"answers per resident {Counter(per_chat.values())}"
    )
    assert 0 < len(again) < len(CHATS)  # the stop came in the middle
    assert answered_first == {chat for chat in CHATS if codes[chat] == 200}  # 200 = answered
    assert all(code == 200 for code in retried.values())
    assert set(per_chat.values()) == {1}, per_chat.most_common(3)
