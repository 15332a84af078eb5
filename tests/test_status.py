from __future__ import annotations

from datetime import date, datetime, timedelta

from bot.clock import STOCKHOLM
from bot.domain.records import Org
from bot.services.reminders import ReminderService, digest_due_at
from storage.activities import NewActivity
from storage.deliveries import OutgoingMessage
from tests.conftest import ADMIN_ID, Harness
from tests.fakes import without_card

POLICE = 7001
MUNI = 7002
RESIDENT = 5003


async def _staff(harness: Harness) -> None:
    now = harness.clock.now()
    await harness.services.staff.upsert(POLICE, Org.POLICE, "Pia Polis", now, None)
    await harness.services.staff.upsert(MUNI, Org.MUNICIPALITY, "Kim Kommun", now, None)


async def _queued(harness: Harness, kind: str) -> list[tuple[int, str]]:
    rows = await harness.services.db.fetchall(
        "SELECT chat_id, payload FROM deliveries WHERE kind = ? ORDER BY chat_id", (kind,)
    )
    return [(r["chat_id"], OutgoingMessage.from_json(r["payload"]).text) for r in rows]


async def test_status_shows_every_commitment_to_staff(harness: Harness) -> None:
    await _staff(harness)
    await harness.services.activities.add(
        NewActivity("theme_meeting", date(2024, 2, 20), count=23), harness.clock.now()
    )
    await harness.say(POLICE, "/lage")
    message = harness.tg.last(POLICE)
    assert "Tematräffar · VT 2024: 1+0 av 2" in message.text
    assert "Narkotikainsatser" in message.text  # internal commitments are for staff
    assert ("Tematräffar", "st:show:theme_meeting") in message.buttons
    await harness.press(POLICE, "st:show:theme_meeting")
    detail = harness.tg.last(POLICE).text
    assert "HT 2022" in detail and "VT 2024" in detail
    assert "20 feb. 2024 – 23 personer" in detail


async def test_status_is_refused_for_residents(harness: Harness) -> None:
    await harness.say(RESIDENT, "/status", lang="en")
    assert "only for staff" in harness.tg.last(RESIDENT).text
    await harness.press(RESIDENT, "st:show:narcotics_operation", lang="en")
    assert not any("Narcotics" in c.text for c in harness.tg.sent(RESIDENT))


async def test_monday_digest_lists_what_is_behind(harness: Harness) -> None:
    await _staff(harness)
    harness.clock.set(datetime(2024, 4, 15, 8, 29, tzinfo=STOCKHOLM))  # a Monday in April
    reminders = ReminderService(harness.services)
    assert await reminders.digest_tick() == 0  # not yet 08:30
    harness.clock.advance(timedelta(minutes=1))
    assert await reminders.digest_tick() == 2
    queued = dict(await _queued(harness, "digest"))
    assert "Tematräffar" in queued[MUNI]
    # Narcotics operations are owned by the police only.
    assert "Narkotikainsatser" in queued[POLICE] and "Narkotikainsatser" not in queued[MUNI]
    # Never twice for the same week, even after a restart (the tick runs again).
    harness.clock.advance(timedelta(hours=5))
    assert await ReminderService(harness.services).digest_tick() == 0


async def test_digest_on_a_holiday_monday_comes_on_tuesday(harness: Harness) -> None:
    await _staff(harness)
    easter_monday = date(2024, 4, 1)
    due = digest_due_at(harness.services, easter_monday)
    assert due == datetime(2024, 4, 2, 8, 30, tzinfo=STOCKHOLM)
    harness.clock.set(datetime(2024, 4, 1, 9, 0, tzinfo=STOCKHOLM))
    reminders = ReminderService(harness.services)
    assert await reminders.digest_tick() == 0
    harness.clock.set(datetime(2024, 4, 2, 8, 31, tzinfo=STOCKHOLM))
    assert await reminders.digest_tick() == 2
    # The title matches the day it comes: a Tuesday catch-up is not a "Monday check".
    for _chat, text in await _queued(harness, "digest"):
        assert "Måndagskoll" not in text and "tisdag 2 april" in text


async def test_missed_weeks_are_sent_once_not_replayed(harness: Harness) -> None:
    await _staff(harness)
    # The bot was down for three Mondays and comes back on a Wednesday.
    harness.clock.set(datetime(2024, 4, 24, 11, 0, tzinfo=STOCKHOLM))
    reminders = ReminderService(harness.services)
    assert await reminders.digest_tick() == 2
    assert await reminders.digest_tick() == 0
    keys = await harness.services.db.fetchall("SELECT run_key FROM job_runs WHERE job='digest'")
    assert [r[0] for r in keys] == ["2024-W17"]


async def test_paused_staff_and_quiet_weeks_get_nothing(harness: Harness) -> None:
    await _staff(harness)
    reminders = ReminderService(harness.services)
    await reminders.pause(POLICE, date(2024, 4, 20))
    harness.clock.set(datetime(2024, 4, 15, 9, 0, tzinfo=STOCKHOLM))
    assert await reminders.digest_tick() == 1
    assert [chat for chat, _ in await _queued(harness, "digest")] == [MUNI]


async def test_nothing_is_sent_when_nothing_needs_attention(harness: Harness) -> None:
    await _staff(harness)
    now = harness.clock.now()
    # Early in HT 2024 with everything already done or reached.
    for cid, day in [
        ("theme_meeting", date(2024, 7, 2)),
        ("theme_meeting", date(2024, 7, 3)),
        ("mobile_dialogue", date(2024, 7, 2)),
        ("parent_lecture", date(2024, 7, 2)),
    ]:
        await harness.services.activities.add(NewActivity(cid, day), now)
    for day in range(6):
        await harness.services.activities.add(
            NewActivity("visibility_effort", date(2024, 1, 10 + day)), now
        )
    for day in range(4):
        await harness.services.activities.add(
            NewActivity("narcotics_operation", date(2023, 3, 10 + day)), now
        )
    await harness.services.milestones.confirm("gvi", date(2023, 6, 1), ADMIN_ID, now)
    await harness.services.milestones.confirm("youth_trust_model", date(2022, 11, 1), ADMIN_ID, now)
    harness.clock.set(datetime(2024, 7, 8, 9, 0, tzinfo=STOCKHOLM))
    assert await ReminderService(harness.services).digest_tick() == 0


async def test_missed_period_escalates_to_admins_once(harness: Harness) -> None:
    harness.clock.set(datetime(2024, 7, 3, 9, 0, tzinfo=STOCKHOLM))
    reminders = ReminderService(harness.services)
    sent = await reminders.escalation_tick()
    texts = [t for _, t in await _queued(harness, "escalation")]
    assert sent == len(texts) > 0
    assert any("Tematräffar" in t and "VT 2024" in t and "0 av 2" in t for t in texts)
    assert await reminders.escalation_tick() == 0


async def test_pause_and_recipients_in_chat(harness: Harness) -> None:
    await _staff(harness)
    await harness.say(POLICE, "/paus")
    assert ("2 veckor", "pause:set:14") in harness.tg.last(POLICE).buttons
    await harness.press(POLICE, "pause:set:14")
    assert "26 mars 2024" in harness.tg.last(POLICE).text
    await harness.say(ADMIN_ID, "/mottagare")
    listing = harness.tg.last(ADMIN_ID).text
    assert "Pia Polis (pausad till 26 mars 2024)" in listing
    await harness.press(POLICE, "pause:set:99999999")
    assert "gäller inte längre" in harness.tg.last(POLICE).text


async def test_digest_buttons_plan_or_report_in_one_tap(harness: Harness) -> None:
    from handlers.delivery import delivery_service, telegram_send

    await _staff(harness)
    harness.clock.set(datetime(2024, 4, 15, 8, 30, tzinfo=STOCKHOLM))
    await ReminderService(harness.services).digest_tick()
    await delivery_service(harness.app).drain(telegram_send(harness.app.bot))
    digest = harness.tg.last(MUNI)
    data = [d for _, d in digest.buttons]
    assert "rep:new:theme_meeting" in data and "plan:new:theme_meeting" in data
    await harness.press(MUNI, "rep:new:theme_meeting")
    card = harness.tg.last(MUNI)
    assert "Tematräffar" in card.text
    assert ("Spara ✔", "rep:save:0") in [(label, without_card(d)) for label, d in card.buttons]
    await harness.press(MUNI, "rep:save:0")
    saved = await harness.services.activities.by_reporter(MUNI)
    assert [(a.commitment, a.date) for a in saved] == [("theme_meeting", date(2024, 4, 15))]
    await harness.press(MUNI, "plan:new:theme_meeting")
    assert "Skriv en kort rubrik" in harness.tg.last(MUNI).text
    # Residents cannot use the digest's buttons.
    await harness.press(RESIDENT, "rep:new:theme_meeting", lang="en")
    await harness.press(RESIDENT, "plan:new:theme_meeting", lang="en")
    assert all("only for staff" in c.text for c in harness.tg.sent(RESIDENT))
