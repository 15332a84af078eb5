"""Seniors: subscribe in three taps, tips in order with the stop button, stop at once,
urgent alerts with approval, "is this a scam?", and the delivery engine's failure modes."""

from __future__ import annotations

from datetime import datetime, timedelta

import pytest

from bot.clock import STOCKHOLM
from bot.domain.tips import load_tips
from bot.services.delivery import DeliveryService
from handlers.delivery import delivery_service, telegram_send
from storage.deliveries import NewDelivery, OutgoingMessage
from storage.subscriptions import ScamCountRepo, SubscriptionRepo
from tests.conftest import ADMIN_ID, Harness

SENIOR = 5001
STAFF = 5002


async def subscribe(h: Harness, chat: int = SENIOR, lang: str = "sv") -> None:
    taps = {
        "sv": ["/tips", "Varje vecka", "Tisdag", "Förmiddag (9.00)"],
        "en": ["/tips", "Once a week", "Tuesday", "Morning (9:00)"],
    }[lang]
    for text in taps:
        await h.say(chat, text, lang=lang)


async def drain(h: Harness) -> DeliveryService:
    service = delivery_service(h.app)
    await service.drain(telegram_send(h.app.bot))
    return service


async def make_staff(h: Harness, user_id: int = STAFF) -> None:
    from bot.domain.records import Org

    await h.services.staff.upsert(user_id, Org.MUNICIPALITY, "Sam", h.clock.now(), None)


async def test_subscribe_in_three_taps_and_get_tips_in_order(harness: Harness) -> None:
    h = harness
    await subscribe(h)
    confirm = h.tg.last(SENIOR).text
    assert "Klart" in confirm and "varje vecka, på tisdag" in confirm and "/sluta" in confirm
    sub = await SubscriptionRepo(h.services.db).get(SENIOR)
    assert sub is not None and sub.active and sub.weekday == 1 and sub.slot == "morning"
    # 2024-03-12 10:00 is a Tuesday after 09:00: the first tip is next Tuesday 09:00.
    assert sub.next_at == datetime(2024, 3, 19, 9, 0, tzinfo=STOCKHOLM)

    book = load_tips("sv")
    from bot.services.tips_service import TipService

    texts = []
    for week in range(3):
        h.clock.set(datetime(2024, 3, 19, 9, 0, tzinfo=STOCKHOLM) + timedelta(weeks=week))
        assert await TipService(h.services).tick() == 1
        assert await TipService(h.services).tick() == 0  # not twice for the same slot
        h.tg.clear()
        await drain(h)
        call = h.tg.last(SENIOR)
        texts.append(call.text)
        assert call.text.endswith(book.signoff)
        assert ("Stoppa tipsen", "tips:stop") in call.buttons
    assert texts == [book.render(t) for t in book.tips[:3]]
    # Each round counts for the promise's senior_fraud_info commitment.
    counted = await h.services.activities.recent("senior_fraud_info")
    assert len(counted) == 3 and all(a.source == "tips" for a in counted)


async def test_stop_button_ends_tips_at_once(harness: Harness) -> None:
    h = harness
    await subscribe(h)
    await h.press(SENIOR, "tips:stop")
    assert "inga fler tips" in h.tg.last(SENIOR).text
    sub = await SubscriptionRepo(h.services.db).get(SENIOR)
    assert sub is not None and not sub.active
    await h.say(SENIOR, "/sluta")
    assert "/tips" in h.tg.last(SENIOR).text


async def test_wrong_tap_is_asked_again_and_cancel_works(harness: Harness) -> None:
    h = harness
    await h.say(SENIOR, "/tips", lang="en")
    await h.say(SENIOR, "every day please", lang="en")
    assert "tap one of the buttons" in h.tg.last(SENIOR).text
    await h.say(SENIOR, "/cancel", lang="en")
    assert "cancelled" in h.tg.last(SENIOR).text
    assert await SubscriptionRepo(h.services.db).get(SENIOR) is None


async def test_blocked_chat_stops_subscription_and_queue(harness: Harness) -> None:
    h = harness
    await subscribe(h)
    h.clock.set(datetime(2024, 3, 19, 9, 0, tzinfo=STOCKHOLM))
    from bot.services.tips_service import TipService

    await TipService(h.services).tick()
    h.tg.fail_next(SENIOR, 403, "Forbidden: bot was blocked by the user")
    report = await drain(h)
    assert report is not None
    sub = await SubscriptionRepo(h.services.db).get(SENIOR)
    assert sub is not None and not sub.active and sub.stop_reason == "blocked"


@pytest.mark.slow  # waits real seconds
async def test_flood_control_and_server_errors_lose_nothing(harness: Harness) -> None:
    h = harness
    now = h.clock.now()
    for chat in (1, 2, 3):
        await h.services.deliveries.enqueue(
            NewDelivery(chat, "test", OutgoingMessage(f"hello {chat}"), now), now
        )
    # Telegram's shortest pause (1 s): the send budget waits it out in real time.
    h.tg.fail_next(2, 429, "Too Many Requests: retry after 1", retry_after=1)
    h.tg.fail_next(3, 502, "Bad Gateway")
    service = DeliveryService(h.services, per_second=1000)
    send = telegram_send(h.app.bot)
    first = await service.run_once(send, concurrency=1)
    # The 429 holds chat 2 only: chat 3 was still tried (and met a 502).
    assert (first.sent, first.flood_waits, first.retried) == (1, 1, 2)
    assert service.paused_until is None
    assert (await service.run_once(send, concurrency=1)).outcomes == {}  # nothing due yet
    h.clock.advance(timedelta(seconds=2))
    second = await service.run_once(send, concurrency=1)
    assert second.sent == 1  # chat 2, after its pause; chat 3 waits out its back-off
    h.clock.advance(timedelta(minutes=1))
    third = await service.run_once(send, concurrency=1)
    assert third.sent == 1
    sent_to = sorted(int(c.params["chat_id"]) for c in h.tg.sent())
    assert sent_to == [1, 2, 3]


async def test_crash_recovery_requeues_in_flight(harness: Harness) -> None:
    h = harness
    now = h.clock.now()
    await h.services.deliveries.enqueue(
        NewDelivery(7, "test", OutgoingMessage("after crash"), now, dedupe_key="k"), now
    )
    claimed = await h.services.deliveries.claim_due(now, 10)
    assert [d.status for d in claimed] == ["queued"]  # returned before the update
    service = DeliveryService(h.services)
    assert await service.recover() == 1
    await service.drain(telegram_send(h.app.bot))
    delivery = await h.services.deliveries.by_dedupe_key("k")
    assert delivery is not None and delivery.status == "sent"
    assert [c.text for c in h.tg.sent(7)] == ["after crash"]


async def test_alert_needs_admin_approval_and_reports_back(harness: Harness) -> None:
    h = harness
    await make_staff(h)
    await subscribe(h)
    await subscribe(h, chat=5003, lang="en")
    await h.say(STAFF, "/larm")
    await h.say(STAFF, "Just nu ringer falska poliser till äldre i Bro. Lägg på!")
    preview = h.tg.last(STAFF)
    assert "Lägg på!" in preview.text and load_tips("sv").signoff in preview.text
    assert "alert:submit:0" in [data for _, data in preview.buttons]
    # An English version for English-speaking subscribers, typed as the next message.
    await h.press(STAFF, "alert:other:0")
    assert "engelska" in h.tg.last(STAFF).text
    await h.say(STAFF, "Right now fake police officers are calling older people. Hang up!")
    preview = h.tg.last(STAFF)
    assert "Hang up!" in preview.text and load_tips("en").signoff in preview.text
    assert "alert:other:0" not in [data for _, data in preview.buttons]
    assert await h.services.activities.by_reporter(STAFF) == []  # not taken as a report
    await h.press(STAFF, "alert:submit:0")
    await drain(h)
    approval = h.tg.last(ADMIN_ID)
    assert ("Godkänn och skicka", "alert:ok:1") in approval.buttons
    # A resident cannot approve, even with hand-made callback data.
    await h.press(SENIOR, "alert:ok:1")
    assert "bara för personal" in h.tg.last(SENIOR).text
    await h.press(ADMIN_ID, "alert:ok:1")
    await h.press(ADMIN_ID, "alert:ok:1")  # a second press sends nothing more
    h.tg.clear()
    await drain(h)
    assert "Lägg på!" in h.tg.last(SENIOR).text
    assert "Varning från polisen" in h.tg.last(SENIOR).text
    assert "Warning from the police" in h.tg.last(5003).text
    assert "Hang up!" in h.tg.last(5003).text and "Lägg på!" not in h.tg.last(5003).text
    author = h.tg.last(STAFF)
    assert "godkänt" in author.text
    await h.press(STAFF, "alert:rep:1")
    assert "2 skickade" in h.tg.last(STAFF).text


async def test_alert_with_a_link_is_refused(harness: Harness) -> None:
    h = harness
    await make_staff(h)
    await h.say(STAFF, "/alert", lang="en")
    await h.say(STAFF, "Log in at www.bank-safe.se and confirm your code", lang="en")
    await h.press(STAFF, "alert:submit:1", lang="en")
    assert "never contain links" in h.tg.last(STAFF).text


async def test_resident_cannot_start_an_alert(harness: Harness) -> None:
    await harness.say(SENIOR, "/alert", lang="en")
    assert "only for staff" in harness.tg.last(SENIOR).text


async def test_forwarded_scam_is_checked_and_not_stored(harness: Harness) -> None:
    h = harness
    text = "Hej mamma! Jag har nytt nummer. Kan du swisha 4000 kr snarast?"
    await h.say(
        SENIOR,
        text,
        forward_origin={"type": "hidden_user", "sender_user_name": "X", "date": 1_700_000_000},
    )
    answer = h.tg.last(SENIOR).text
    assert "tecken på bedrägeri" in answer and "sparade inte" in answer
    counts = await ScamCountRepo(h.services.db).month("2024-03")
    assert counts == {"money": 1, "urgency": 1, "relative": 1}
    rows = await h.services.db.fetchall("SELECT * FROM audit_log")
    assert all("swisha" not in str(tuple(r)) for r in rows)
