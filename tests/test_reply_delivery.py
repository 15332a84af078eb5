"""Every answer arrives, once: replies Telegram cannot take now wait in the outbox.

The outage is the fake transport's (every send answers HTTP 502 while ``tg.down``); time is
the injectable clock; the outbox's reply round is run by hand, as its job would each second.
"""

from __future__ import annotations

from collections import Counter
from datetime import timedelta

from bot.app import SANDBOX_TOKEN, build_application, serving
from bot.clock import FrozenClock
from bot.render.late import carries_112, late_note
from bot.services.delivery import DeliveryService
from bot.settings import Settings
from handlers.delivery import telegram_send
from handlers.replies import ReplyScope, open_scope, send_reply
from storage.deliveries import BULK, NewDelivery, OutgoingMessage
from tests.conftest import Harness
from tests.fakes import FakeTelegram, message_update, to_update, user

# As the outside tester measured it: 8 residents asking, 6 people writing about danger.
ORDINARY = [3101, 3102, 3103, 3104, 3105, 3106, 3107, 3108]
IN_DANGER = {
    3201: "min sambo slår mig",
    3202: "jag vill inte leva längre",
    3203: "det brinner",
    3204: "någon bryter sig in hos mig just nu",
    3205: "han har en kniv",
    3206: "hjälp, min granne andas inte",
}


def outbox(h: Harness) -> DeliveryService:
    service: DeliveryService = h.app.bot_data.features.delivery
    return service


async def run_replies_until_empty(h: Harness, step: timedelta, rounds: int = 200) -> None:
    """What the reply job does every second, with simulated time between rounds."""
    send = telegram_send(h.app.bot)
    for _ in range(rounds):
        await outbox(h).run_replies(send)
        row = await h.services.db.fetchone(
            "SELECT COUNT(*) FROM deliveries WHERE status = 'queued' AND priority < ?", (BULK,)
        )
        if row is not None and row[0] == 0:
            return
        h.clock.advance(step)
    raise AssertionError("replies still waiting")


def answers(tg: FakeTelegram, chats: list[int]) -> Counter[int]:
    return Counter(int(c.params["chat_id"]) for c in tg.sent() if int(c.params["chat_id"]) in chats)


async def ask_everyone(h: Harness) -> None:
    for chat in ORDINARY:
        await h.say(chat, "/start")
    for chat, text in IN_DANGER.items():
        await h.say(chat, text)


async def test_an_outage_then_recovery_every_reply_arrives_once_112_first(
    harness: Harness,
) -> None:
    h, tg = harness, harness.tg
    everyone = [*ORDINARY, *IN_DANGER]
    # Bulk sends already waiting (a tip round): the replies must overtake them.
    await h.services.deliveries.enqueue_many(
        [
            NewDelivery(c, "tip", OutgoingMessage("tip"), h.clock.now(), f"tip:{c}")
            for c in range(3301, 3311)
        ],
        h.clock.now(),
    )
    tg.down = True
    await ask_everyone(h)
    assert tg.sent() == []  # nothing got through, and nobody was told to try again later
    # 12 s down, as the outside tester measured, with the reply job every second.
    send = telegram_send(h.app.bot)
    for _ in range(12):
        await outbox(h).run_replies(send)
        h.clock.advance(timedelta(seconds=1))
    tg.down = False
    await run_replies_until_empty(h, timedelta(seconds=1))

    got = answers(tg, everyone)
    assert got == Counter({chat: 1 for chat in everyone})  # every answer, once each
    order = [int(c.params["chat_id"]) for c in tg.sent()]
    assert set(order[: len(IN_DANGER)]) == set(IN_DANGER)  # the 112 answers went first
    assert all(carries_112(tg.last(chat).text) for chat in IN_DANGER)
    # Late: the ordinary answers open with the apology, the 112 answers with 112.
    note = late_note(h.services.translator("sv"))
    assert all(tg.last(chat).text.startswith(note) for chat in ORDINARY)
    assert not any(tg.last(chat).text.startswith(note) for chat in IN_DANGER)
    assert not any("Försök igen" in c.text or "try again" in c.text for c in tg.sent())
    # The tips were not sent by the reply round: they are the bulk sender's.
    assert answers(tg, list(range(3301, 3311))) == Counter()


async def test_the_bulk_round_takes_replies_first(harness: Harness) -> None:
    h, tg = harness, harness.tg
    await h.services.deliveries.enqueue_many(
        [
            NewDelivery(c, "tip", OutgoingMessage("tip"), h.clock.now(), f"tip:{c}")
            for c in range(3301, 3306)
        ],
        h.clock.now(),
    )
    tg.down = True
    await h.say(ORDINARY[0], "/start")
    await h.say(3201, IN_DANGER[3201])
    tg.down = False
    await outbox(h).run_once(telegram_send(h.app.bot))
    order = [int(c.params["chat_id"]) for c in tg.sent()]
    assert order[:2] == [3201, ORDINARY[0]]
    assert sorted(order[2:]) == list(range(3301, 3306))


async def test_an_ordinary_answer_is_given_up_after_its_deadline_112_is_kept(
    harness: Harness,
) -> None:
    h, tg = harness, harness.tg
    tg.down = True
    await h.say(ORDINARY[0], "/start")
    await h.say(3201, IN_DANGER[3201])
    send = telegram_send(h.app.bot)
    for _ in range(40):  # 40 minutes down
        await outbox(h).run_replies(send)
        h.clock.advance(timedelta(minutes=1))
    tg.down = False
    await run_replies_until_empty(h, timedelta(seconds=30))
    assert answers(tg, [ORDINARY[0], 3201]) == Counter({3201: 1})
    assert carries_112(tg.last(3201).text)


async def test_a_lost_answer_is_not_sent_twice_unless_it_carries_112(harness: Harness) -> None:
    """The request reached Telegram, the answer did not come back (a read timeout).
    Measured: an ordinary answer arrives once (0 duplicates); a 112 answer is sent once
    more (1 duplicate per lost answer), since a missing 112 is the worse risk."""
    h, tg = harness, harness.tg
    tg.lose_answers = len(ORDINARY) + len(IN_DANGER)
    await ask_everyone(h)
    assert tg.lose_answers == 0
    await run_replies_until_empty(h, timedelta(seconds=5))
    got = answers(tg, [*ORDINARY, *IN_DANGER])
    assert {c: got[c] for c in ORDINARY} == {c: 1 for c in ORDINARY}
    assert {c: got[c] for c in IN_DANGER} == {c: 2 for c in IN_DANGER}
    duplicates = sum(n - 1 for n in got.values())
    assert duplicates == len(IN_DANGER)


async def test_pending_replies_are_sent_after_a_restart(
    settings: Settings, clock: FrozenClock
) -> None:
    tg = FakeTelegram()

    first = build_application(
        settings, clock=clock, request=tg.request(), updates_request=tg.request(),
        rate_limit=False, token=SANDBOX_TOKEN,
    )  # fmt: skip
    tg.down = True
    async with serving(first):
        for chat in (ORDINARY[0], 3201):
            text = "/start" if chat != 3201 else IN_DANGER[3201]
            await first.process_update(to_update(message_update(user(chat), text), first.bot))
        # A send cut off by the stop: left in 'sending', as a crash leaves it.
        await first.bot_data.services.db.execute(
            "UPDATE deliveries SET status = 'sending' WHERE chat_id = 3201"
        )
    assert tg.sent() == []

    tg.down = False
    clock.advance(timedelta(minutes=2))
    second = build_application(
        settings, clock=clock, request=tg.request(), updates_request=tg.request(),
        rate_limit=False, token=SANDBOX_TOKEN,
    )  # fmt: skip
    async with serving(second):  # start-up puts what was in flight back in the queue
        service: DeliveryService = second.bot_data.features.delivery
        await service.run_replies(telegram_send(second.bot))
    got = answers(tg, [ORDINARY[0], 3201])
    assert got == Counter({ORDINARY[0]: 1, 3201: 1})
    assert carries_112(tg.last(3201).text)


async def test_after_one_reply_is_kept_the_next_ones_follow_it_in_order(harness: Harness) -> None:
    """Replies of one update keep their order: once one waits in the outbox, the later ones
    wait behind it instead of overtaking it, each under its own key."""
    h, tg = harness, harness.tg
    chat = ORDINARY[0]
    open_scope(
        ReplyScope(
            update_id=777,
            outbox=outbox(h),
            budget=h.services.budget,
            translator=lambda: h.services.translator("sv"),
        )
    )
    tg.fail_next(chat, 502, "Bad Gateway")
    assert await send_reply(h.app.bot, chat, "first", None, urgent=False) is None
    assert await send_reply(h.app.bot, chat, "second", None, urgent=False) is None
    assert tg.sent() == []
    assert await h.services.deliveries.by_dedupe_key("reply:777:1") is not None
    await run_replies_until_empty(h, timedelta(seconds=1))
    assert [c.text for c in tg.sent(chat)] == ["first", "second"]


async def test_a_kept_reply_whose_answer_is_lost_counts_as_sent(harness: Harness) -> None:
    """From the outbox too: an ordinary reply that reached Telegram without an answer is
    not sent again (recorded as sent, unconfirmed); a kept 112 answer is tried again."""
    h, tg = harness, harness.tg
    tg.down = True
    await h.say(ORDINARY[0], "/start")
    tg.down, tg.lose_answers = False, 1
    await run_replies_until_empty(h, timedelta(seconds=5))
    tg.down = True
    await h.say(3201, IN_DANGER[3201])
    tg.down, tg.lose_answers = False, 1
    await run_replies_until_empty(h, timedelta(seconds=5))
    assert answers(tg, [ORDINARY[0], 3201]) == Counter({ORDINARY[0]: 1, 3201: 2})
    row = await h.services.db.fetchone(
        "SELECT status, last_error FROM deliveries WHERE chat_id = ?", (ORDINARY[0],)
    )
    assert row is not None and row[0] == "sent" and str(row[1]).startswith("unconfirmed")
