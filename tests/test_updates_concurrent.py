"""Different chats are handled at the same time, each chat's updates in order; the cached
actor follows role changes at once."""

from __future__ import annotations

import asyncio
from typing import Any

from telegram.request import HTTPXRequest

from bot.app import CONNECTION_WAIT, CONNECTIONS, SANDBOX_TOKEN, build_application
from bot.domain.records import Org
from bot.domain.roles import Role
from bot.settings import Settings
from bot.transport.outage import WatchedRequest
from handlers.updates import ChatOrderedProcessor
from storage.subscriptions import SubscriptionRepo
from tests.conftest import ADMIN_ID, Harness
from tests.fakes import message_update, to_update, user


def update_from(chat: int, bot: Any) -> Any:
    return to_update(message_update(user(chat), "x"), bot)


async def test_one_chat_in_order_other_chats_alongside(harness: Harness) -> None:
    processor = ChatOrderedProcessor(max_concurrent_updates=2)
    gates = {name: asyncio.Event() for name in ("a1", "a2", "b1", "c1")}
    started: list[str] = []

    async def work(name: str) -> None:
        started.append(name)
        await gates[name].wait()

    bot = harness.app.bot
    tasks = [
        asyncio.create_task(processor.process_update(update_from(chat, bot), work(name)))
        for name, chat in (("a1", 1), ("a2", 1), ("b1", 2), ("c1", 3))
    ]
    for _ in range(5):
        await asyncio.sleep(0)
    # a2 waits for a1 (same chat) without taking a slot; b1 runs beside a1; c1 has no slot.
    assert started == ["a1", "b1"]
    gates["b1"].set()
    for _ in range(5):
        await asyncio.sleep(0)
    assert started == ["a1", "b1", "c1"]
    gates["a1"].set()
    gates["c1"].set()
    gates["a2"].set()
    await asyncio.gather(*tasks)
    assert started == ["a1", "b1", "c1", "a2"]


async def test_conversations_stay_correct_with_concurrent_updates(harness: Harness) -> None:
    """Twenty seniors go through the three-tap subscription at once, their messages
    interleaved in the update queue; each ends with exactly the choice they made."""
    h = harness
    taps = ["/tips", "Varje vecka", "Tisdag", "Förmiddag (9.00)"]
    chats = list(range(6000, 6020))
    for step in taps:
        for chat in chats:
            await h.app.update_queue.put(to_update(message_update(user(chat), step), h.app.bot))
    await h.app.start()
    try:
        async with asyncio.timeout(30):
            await h.app.update_queue.join()
    finally:
        await h.app.stop()
    subs = SubscriptionRepo(h.services.db)
    for chat in chats:
        sub = await subs.get(chat)
        assert sub is not None and sub.weekday == 1 and sub.slot == "morning", chat
        assert "Klart" in h.tg.last(chat).text


async def test_the_cached_actor_follows_role_changes(harness: Harness) -> None:
    h = harness
    people = h.app.bot_data.people
    assert (await people.actor(4242, 4242, "sv")).role is Role.RESIDENT
    await h.services.staff.upsert(4242, Org.POLICE, "Ada", h.clock.now(), ADMIN_ID)
    assert (await people.actor(4242, 4242, "sv")).role is Role.STAFF
    await h.services.staff.revoke(4242, ADMIN_ID, h.clock.now())
    assert (await people.actor(4242, 4242, "sv")).role is Role.RESIDENT
    await h.services.users.set_locale(4242, "en", h.clock.now())
    assert (await people.actor(4242, 4242, "sv")).locale == "en"
    await h.services.users.forget(4242)
    assert (await people.actor(4242, 4242, "sv")).locale == "sv"


def test_bot_api_requests_share_a_few_connections_and_wait_for_one(settings: Settings) -> None:
    """Updates handled in parallel must not open a connection each: httpx's pool work grows
    with the square of its connections. A request that finds them all busy waits for one
    longer than a reply would take, instead of failing as PTB's 1 s default would."""
    app = build_application(settings, token=SANDBOX_TOKEN)
    watched = app.bot.request
    assert isinstance(watched, WatchedRequest)  # every request tells the outage watch
    request = watched._inner
    assert isinstance(request, HTTPXRequest)
    limits = request._client_kwargs["limits"]
    assert limits.max_connections == CONNECTIONS == 8
    assert request._client.timeout.pool == CONNECTION_WAIT
