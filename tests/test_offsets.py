"""Long polling confirms only handled updates (``bot.transport.offsets``,
``bot.transport.update_guard``) and a
stop drops the updates whose handler has not started (``handlers.updates``)."""

from __future__ import annotations

import asyncio
import json
from typing import Any

from telegram import Update
from telegram._utils.defaultvalue import DEFAULT_NONE
from telegram._utils.types import ODVInput
from telegram.request import BaseRequest, RequestData
from telegram.request._requestparameter import RequestParameter

from bot.transport.offsets import OffsetLedger
from bot.transport.update_guard import UpdateGuard
from handlers.updates import ChatOrderedProcessor

URL = "http://127.0.0.1/bot123:abc/getUpdates"


def test_the_safe_offset_stops_below_the_first_unhandled_update() -> None:
    ledger = OffsetLedger()
    ledger.fetched([1, 2, 3, 4, 5])
    for update_id in (1, 2, 4):
        ledger.handled(update_id)
    assert ledger.safe_offset() == 3 and ledger.ahead() == [4]
    assert ledger.confirmable(3) and not ledger.confirmable(4)
    for update_id in (3, 5):
        ledger.handled(update_id)
    assert ledger.safe_offset() == 6 and ledger.ahead() == []
    ledger.handled(99)  # never fetched by polling (a webhook, a test): no record
    assert ledger.safe_offset() == 6


class _Telegram(BaseRequest):
    def __init__(self, ids: list[int]) -> None:
        self.ids = ids
        self.offsets: list[int] = []

    @property
    def read_timeout(self) -> float | None:
        return None

    async def initialize(self) -> None:
        return None

    async def shutdown(self) -> None:
        return None

    async def do_request(
        self,
        url: str,
        method: str,
        request_data: RequestData | None = None,
        read_timeout: ODVInput[float] = DEFAULT_NONE,
        write_timeout: ODVInput[float] = DEFAULT_NONE,
        connect_timeout: ODVInput[float] = DEFAULT_NONE,
        pool_timeout: ODVInput[float] = DEFAULT_NONE,
    ) -> tuple[int, bytes]:
        offset = request_data.parameters.get("offset", 0) if request_data else 0
        assert isinstance(offset, int)
        self.offsets.append(offset)
        result = [{"update_id": i, "message": _message(i)} for i in self.ids if i >= offset]
        return 200, json.dumps({"ok": True, "result": result}).encode()


def _message(update_id: int) -> dict[str, Any]:
    chat = {"id": 7, "type": "private", "first_name": "T"}
    return {"message_id": update_id, "date": 0, "chat": chat, "text": "hej"}


def _poll(offset: int) -> RequestData:
    return RequestData([RequestParameter.from_input("offset", offset)])


async def test_the_next_poll_waits_until_the_batch_is_handled() -> None:
    ledger = OffsetLedger()
    ledger.skip([3])  # handled by the last run, above its confirmed offset
    telegram = _Telegram([1, 2, 3])
    guard = UpdateGuard(telegram, ledger)
    _code, payload = await guard.do_request(URL, "POST", _poll(0))
    assert json.loads(payload)["result"][2] == {"update_id": 3}  # reduced to its id: skipped
    waiting = asyncio.create_task(guard.do_request(URL, "POST", _poll(4)))
    ledger.handled(1)
    await asyncio.sleep(0.01)
    assert not waiting.done() and telegram.offsets == [0]
    ledger.handled(2)
    await asyncio.wait_for(waiting, 1)
    assert telegram.offsets == [0, 4]


async def test_a_slow_handler_holds_up_only_its_own_update(monkeypatch: Any) -> None:
    """After ``POLL_HOLD`` the poll asks from below the slow update, which stays
    unconfirmed, and passes on only what is new: the other chats are answered meanwhile."""
    monkeypatch.setattr("bot.transport.update_guard.POLL_HOLD", 0.05)
    ledger = OffsetLedger()
    telegram = _Telegram([1, 2])
    guard = UpdateGuard(telegram, ledger)
    await guard.do_request(URL, "POST", _poll(0))
    ledger.handled(2)  # update 1 is still being handled
    telegram.ids.append(3)  # someone else writes meanwhile
    _code, payload = await guard.do_request(URL, "POST", _poll(3))
    assert telegram.offsets == [0, 1]  # from below the slow one: 1 stays unconfirmed
    assert [u["update_id"] for u in json.loads(payload)["result"]] == [3]  # only the new one
    assert ledger.safe_offset() == 1 and ledger.unhandled == 2
    ledger.handled(1)
    ledger.handled(3)
    await guard.do_request(URL, "POST", _poll(4))
    assert telegram.offsets == [0, 1, 4]


async def test_a_stopping_bot_confirms_nothing_until_its_last_call() -> None:
    ledger = OffsetLedger()
    telegram = _Telegram([1, 2])
    guard = UpdateGuard(telegram, ledger)
    await guard.do_request(URL, "POST", _poll(0))
    ledger.handled(1)
    ledger.stopping = True
    _code, payload = await guard.do_request(URL, "POST", _poll(3))  # PTB's Updater on stop
    assert json.loads(payload)["result"] == [] and telegram.offsets == [0]
    ledger.final = True
    await guard.do_request(URL, "POST", _poll(ledger.safe_offset()))
    assert telegram.offsets == [0, 2]


async def test_a_stop_drops_waiting_updates_and_cuts_off_a_hanging_handler() -> None:
    ledger = OffsetLedger()
    ledger.fetched([1, 2, 3])
    processor = ChatOrderedProcessor(ledger=ledger)
    started: list[int] = []

    async def handle(update_id: int, seconds: float) -> None:
        started.append(update_id)
        await asyncio.sleep(seconds)

    updates = [Update.de_json({"update_id": i, "message": _message(i)}, None) for i in (1, 2, 3)]
    tasks = [
        asyncio.create_task(processor.process_update(u, handle(u.update_id, 60))) for u in updates
    ]
    await asyncio.sleep(0.01)
    assert started == [1]  # one chat: the others wait their turn
    processor.stop_starting()
    assert await processor.drain(0.05) == 1
    await asyncio.gather(*tasks)
    assert started == [1] and processor.dropped == 2
    assert ledger.safe_offset() == 1 and ledger.unhandled == 3
