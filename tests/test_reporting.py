"""Staff reports end to end: the one-line card, saving, PII, the guided /report, /myreports,
retracting, role checks, milestones and the event follow-up's one-tap report."""

from __future__ import annotations

from datetime import date

from bot.domain.records import Org
from tests.conftest import ADMIN_ID, Harness
from tests.fakes import without_card

STAFF = 6001
OTHER_STAFF = 6002
RESIDENT = 6003
ONE_LINER = "Tematräff på Trygghetscentret igår, 23 deltagare"


async def make_staff(h: Harness, user_id: int = STAFF, name: str = "Sam") -> None:
    await h.services.staff.upsert(user_id, Org.MUNICIPALITY, name, h.clock.now(), None)


def datas(buttons: list[tuple[str, str]]) -> list[str]:
    return [without_card(data) for _label, data in buttons]


async def test_one_liner_shows_card_and_saves_only_on_press(harness: Harness) -> None:
    h = harness
    await make_staff(h)
    await h.say(STAFF, ONE_LINER, lang="en")
    card = h.tg.last(STAFF)
    assert "Is this right?" in card.text
    assert "23" in card.text
    for data in ("rep:save:0", "rep:kind:0", "rep:date:0", "rep:count:0", "rep:drop:0"):
        assert data in datas(card.buttons)
    assert await h.services.activities.recent() == []

    await h.press(STAFF, "rep:save:0", lang="en")
    assert "Saved" in h.tg.last(STAFF).text
    saved = await h.services.activities.recent()
    assert len(saved) == 1
    activity = saved[0]
    assert activity.commitment == "theme_meeting"
    assert activity.date == date(2024, 3, 11)
    assert activity.count == 23
    assert activity.reported_by == STAFF
    created = await h.services.audit.recent(action="activity.create")
    assert [e.target for e in created] == [f"activity:{activity.id}"]


def personnummer(yymmdd: str = "811218", serial: str = "987") -> str:
    """A personnummer with a correct Luhn check digit (``YYMMDD-NNNC``)."""
    digits = yymmdd + serial
    total = 0
    for i, ch in enumerate(digits):
        n = int(ch) * (2 if i % 2 == 0 else 1)
        total += n - 9 if n > 9 else n
    return f"{yymmdd}-{serial}{(10 - total % 10) % 10}"


async def test_change_kind_and_date_buttons_alter_the_draft(harness: Harness) -> None:
    h = harness
    await make_staff(h)
    await h.say(STAFF, ONE_LINER, lang="en")
    await h.press(STAFF, "rep:kind:0", lang="en")
    assert "rep:setk:parent_lecture" in datas(h.tg.last(STAFF).buttons)
    await h.press(STAFF, "rep:setk:parent_lecture", lang="en")
    assert "Parents' lectures" in h.tg.last(STAFF).text
    await h.press(STAFF, "rep:date:0", lang="en")
    assert "rep:setd:3" in datas(h.tg.last(STAFF).buttons)
    await h.press(STAFF, "rep:setd:3", lang="en")
    await h.press(STAFF, "rep:save:0", lang="en")
    [activity] = await h.services.activities.recent()
    assert activity.commitment == "parent_lecture"
    assert activity.date == date(2024, 3, 9)
    assert activity.count == 23


async def test_personal_data_blocks_saving_until_redacted(harness: Harness) -> None:
    h = harness
    await make_staff(h)
    number = personnummer()
    await h.say(STAFF, f"Tematräff igår, 12 deltagare, pratade med {number}", lang="en")
    card = h.tg.last(STAFF)
    assert "personal data" in card.text and "personal identity number" in card.text
    assert "rep:redact:0" in datas(card.buttons)
    assert "rep:save:0" not in datas(card.buttons)
    # A stale or forged "save" press still does not store the number.
    await h.press(STAFF, "rep:save:0", lang="en")
    assert await h.services.activities.recent() == []

    await h.press(STAFF, "rep:redact:0", lang="en")
    card = h.tg.last(STAFF)
    assert "rep:save:0" in datas(card.buttons)
    await h.press(STAFF, "rep:save:0", lang="en")
    [activity] = await h.services.activities.recent()
    assert number not in activity.description
    assert number.replace("-", "") not in activity.description
    assert "12" in str(activity.count)


async def test_phone_and_email_are_caught_too(harness: Harness) -> None:
    h = harness
    await make_staff(h)
    await h.say(STAFF, "Tematräff igår, ring 070-123 45 67 eller anna@example.se", lang="en")
    card = h.tg.last(STAFF)
    assert "phone number" in card.text and "e-mail address" in card.text
    assert "rep:redact:0" in datas(card.buttons)
    assert "rep:save:0" not in datas(card.buttons)
    await h.press(STAFF, "rep:redact:0", lang="en")
    await h.press(STAFF, "rep:save:0", lang="en")
    [activity] = await h.services.activities.recent()
    assert "070" not in activity.description and "@" not in activity.description


async def test_guided_report_then_myreports_and_retract(harness: Harness) -> None:
    h = harness
    await make_staff(h)
    await h.say(STAFF, "/report", lang="en")
    assert "What did you do?" in h.tg.last(STAFF).text
    assert "rep:setk:visibility_effort" in datas(h.tg.last(STAFF).buttons)
    # One thing at a time: kind → day (quick buttons) → people → place → note → card.
    await h.press(STAFF, "rep:setk:visibility_effort", lang="en")
    step = h.tg.last(STAFF)
    assert "Which day?" in step.text
    assert {"rep:setd:0", "rep:setd:1", "rep:date:0"} <= set(datas(step.buttons))
    await h.press(STAFF, "rep:date:0", lang="en")
    await h.press(STAFF, "rep:setd:2", lang="en")
    assert "rep:typec:0" in datas(h.tg.last(STAFF).buttons)
    await h.press(STAFF, "rep:typec:0", lang="en")
    await h.say(STAFF, "many", lang="en")
    assert "Please write a number" in h.tg.last(STAFF).text
    await h.say(STAFF, "17", lang="en")
    assert "Write the place" in h.tg.last(STAFF).text
    await h.say(STAFF, "Bro centrum", lang="en")
    assert "rep:skip:0" in datas(h.tg.last(STAFF).buttons)  # the note can be skipped
    await h.press(STAFF, "rep:skip:0", lang="en")
    card = h.tg.last(STAFF).text
    assert "People: 17" in card and "Place: Bro centrum" in card
    assert await h.services.activities.recent() == []
    await h.press(STAFF, "rep:save:0", lang="en")

    [activity] = await h.services.activities.recent()
    assert (activity.commitment, activity.date, activity.count, activity.place) == (
        "visibility_effort",
        date(2024, 3, 10),
        17,
        "Bro centrum",
    )
    await h.say(STAFF, "/myreports", lang="en")
    mine = h.tg.last(STAFF)
    assert f"#{activity.id}" in mine.text
    assert f"rep:undo:{activity.id}" in datas(mine.buttons)

    await h.press(STAFF, f"rep:undo:{activity.id}", lang="en")
    assert "Retracted" in h.tg.last(STAFF).text
    assert await h.services.activities.recent() == []
    assert await h.services.activities.recent("visibility_effort") == []
    retracted = await h.services.audit.recent(action="activity.retract")
    assert [e.target for e in retracted] == [f"activity:{activity.id}"]
    await h.say(STAFF, "/myreports", lang="en")
    assert "no reports yet" in h.tg.last(STAFF).text


async def test_other_staff_cannot_retract(harness: Harness) -> None:
    h = harness
    await make_staff(h)
    await make_staff(h, OTHER_STAFF, "Kim")
    await h.say(STAFF, ONE_LINER, lang="en")
    await h.press(STAFF, "rep:save:0", lang="en")
    [activity] = await h.services.activities.recent()
    await h.press(OTHER_STAFF, f"rep:undo:{activity.id}", lang="en")
    assert "only change your own reports" in h.tg.last(OTHER_STAFF).text
    assert len(await h.services.activities.recent()) == 1
    assert await h.services.audit.recent(action="activity.retract") == []


async def test_resident_cannot_save_or_retract(harness: Harness) -> None:
    h = harness
    await make_staff(h)
    await h.say(STAFF, ONE_LINER, lang="en")
    await h.press(STAFF, "rep:save:0", lang="en")
    [activity] = await h.services.activities.recent()
    await h.press(RESIDENT, "rep:save:0", lang="en")
    assert "only for staff" in h.tg.last(RESIDENT).text
    await h.press(RESIDENT, f"rep:undo:{activity.id}", lang="en")
    assert "only for staff" in h.tg.last(RESIDENT).text
    await h.press(RESIDENT, "rep:undo:1", lang="en")
    assert "only for staff" in h.tg.last(RESIDENT).text
    assert [a.id for a in await h.services.activities.recent()] == [activity.id]
    refused = await h.services.audit.recent(action="refused")
    assert len(refused) == 3 and all(e.actor_id == RESIDENT for e in refused)


async def test_resident_report_like_text_is_a_question(harness: Harness) -> None:
    h = harness
    await h.say(RESIDENT, ONE_LINER, lang="en")
    answer = h.tg.last(RESIDENT)
    assert "Is this right?" not in answer.text
    assert not any(d.startswith("rep:") for d in datas(answer.buttons))
    await h.press(RESIDENT, "rep:save:0", lang="en")
    assert await h.services.activities.recent() == []


async def drain(h: Harness) -> None:
    from handlers.delivery import delivery_service, telegram_send

    await delivery_service(h.app).drain(telegram_send(h.app.bot))


async def test_milestone_progress_note_request_and_admin_confirm(harness: Harness) -> None:
    h = harness
    await make_staff(h)
    await h.say(STAFF, "GVI möte med Kriminalvården", lang="en")
    assert "rep:save:0" in datas(h.tg.last(STAFF).buttons)
    await h.press(STAFF, "rep:save:0", lang="en")
    saved = h.tg.last(STAFF)
    assert "progress note" in saved.text
    assert "ms:req:gvi" in datas(saved.buttons)
    [note] = await h.services.activities.recent("gvi")
    assert note.reported_by == STAFF

    # Staff cannot confirm it themselves.
    await h.press(STAFF, "ms:ok:gvi", lang="en")
    assert "only for staff" in h.tg.last(STAFF).text or "admin" in h.tg.last(STAFF).text
    assert "gvi" not in await h.services.milestones.all()

    await h.press(STAFF, "ms:req:gvi", lang="en")
    assert "Sent to the admins" in h.tg.last(STAFF).text
    assert "gvi" not in await h.services.milestones.all()
    h.tg.clear()
    await drain(h)
    asked = h.tg.last(ADMIN_ID)
    assert "ms:ok:gvi" in datas(asked.buttons)

    await h.press(ADMIN_ID, "ms:ok:gvi", lang="en")
    assert "Milestone confirmed" in h.tg.last(ADMIN_ID).text
    milestones = await h.services.milestones.all()
    assert milestones["gvi"].confirmed_by == ADMIN_ID
    assert [e.target for e in await h.services.audit.recent(action="milestone.confirm")] == ["gvi"]


async def test_resident_cannot_request_a_milestone(harness: Harness) -> None:
    h = harness
    await h.press(RESIDENT, "ms:req:gvi", lang="en")
    assert "only for staff" in h.tg.last(RESIDENT).text
    await h.press(RESIDENT, "ms:ok:gvi", lang="en")
    assert "only for staff" in h.tg.last(RESIDENT).text
    assert await h.services.milestones.all() == {}
    assert await h.services.deliveries.by_dedupe_key(f"milestone:gvi:{ADMIN_ID}:2024-03-12") is None


async def test_event_followup_one_tap_report_and_count(harness: Harness) -> None:
    from datetime import datetime, timedelta

    from bot.clock import STOCKHOLM
    from bot.services.events import EventService
    from storage.events import NewEvent

    h = harness
    await make_staff(h)
    start = datetime(2024, 3, 12, 18, 0, tzinfo=STOCKHOLM)
    event = await h.services.events.add(
        NewEvent(
            "theme_meeting",
            "Trygg i Bro",
            start,
            start + timedelta(hours=2),
            "public",
            place="Trygghetscentret",
            organiser_id=STAFF,
        ),
        h.clock.now(),
    )
    assert await EventService(h.services).followup_tick() == 0  # not over yet
    h.clock.set(datetime(2024, 3, 12, 20, 30, tzinfo=STOCKHOLM))
    assert await EventService(h.services).followup_tick() == 1
    assert await EventService(h.services).followup_tick() == 0  # asked once
    h.tg.clear()
    await drain(h)
    asked = h.tg.last(STAFF)
    assert "Trygg i Bro" in asked.text
    assert {f"ev:done:{event.id}", f"ev:cancelled:{event.id}", f"ev:moved:{event.id}"} <= set(
        datas(asked.buttons)
    )
    # A resident pressing the button changes nothing.
    await h.press(RESIDENT, f"ev:done:{event.id}", lang="en")
    assert "only for staff" in h.tg.last(RESIDENT).text
    assert await h.services.activities.recent() == []

    await h.press(STAFF, f"ev:done:{event.id}", lang="en")
    [activity] = await h.services.activities.recent()
    assert activity.event_id == event.id and activity.commitment == "theme_meeting"
    assert activity.date == date(2024, 3, 12) and activity.count is None
    counts = datas(h.tg.last(STAFF).buttons)
    assert f"evc:{activity.id}:20" in counts
    await h.press(STAFF, f"evc:{activity.id}:20", lang="en")
    assert "20" in h.tg.last(STAFF).text
    [activity] = await h.services.activities.recent()
    assert activity.count == 20 and activity.event_id == event.id
    stored = await h.services.events.get(event.id)
    assert stored is not None and stored.status == "happened"
    # Pressing "done" again does not count it twice.
    await h.press(STAFF, f"ev:done:{event.id}", lang="en")
    assert len(await h.services.activities.recent()) == 1


async def test_event_followup_cancelled_is_not_counted(harness: Harness) -> None:
    from datetime import datetime, timedelta

    from bot.clock import STOCKHOLM
    from storage.events import NewEvent

    h = harness
    await make_staff(h)
    start = datetime(2024, 3, 11, 18, 0, tzinfo=STOCKHOLM)
    event = await h.services.events.add(
        NewEvent(
            "theme_meeting",
            "Inställd",
            start,
            start + timedelta(hours=2),
            "public",
            organiser_id=STAFF,
        ),
        h.clock.now(),
    )
    await make_staff(h, OTHER_STAFF, "Kim")
    await h.press(OTHER_STAFF, f"ev:done:{event.id}", lang="en")
    assert "organiser" in h.tg.last(OTHER_STAFF).text
    await h.press(STAFF, f"ev:cancelled:{event.id}", lang="en")
    assert "not counted" in h.tg.last(STAFF).text
    assert await h.services.activities.recent() == []
