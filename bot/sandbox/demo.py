"""Clearly labelled demo data for the sandbox: a staff member, an admin, a few planned events
and some reported activities, all relative to the sandbox clock so they are always current."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime, time, timedelta

from bot.domain.conditions import Status
from bot.domain.pulse import WHOLE_KOMMUN, OfficialFigure, quarter_of
from bot.domain.records import Org
from bot.services import Services
from storage.activities import NewActivity
from storage.events import NewEvent
from storage.pulse import PulseRepo

DEMO = "[DEMO] "


@dataclass(frozen=True)
class Persona:
    key: str
    user_id: int
    first_name: str


PERSONAS = {
    "resident": Persona("resident", 100001, "Rut Resident"),
    "staff": Persona("staff", 100002, "Sam Samordnare"),
    "admin": Persona("admin", 100003, "Alma Admin"),
    "senior": Persona("senior", 100004, "Sixten Senior"),
}


def _at(day: date, hour: int, services: Services) -> datetime:
    return datetime.combine(day, time(hour, 0), tzinfo=services.clock.tz)


async def seed_demo(services: Services) -> None:
    """Idempotent: does nothing when the demo staff member already exists."""
    now = services.clock.now()
    staff = PERSONAS["staff"]
    if await services.staff.get(staff.user_id) is not None:
        return
    await services.staff.upsert(staff.user_id, Org.MUNICIPALITY, staff.first_name, now, None)
    admin = PERSONAS["admin"]
    await services.staff.upsert(admin.user_id, Org.POLICE, admin.first_name, now, None)
    today = now.date()
    planned = [
        ("theme_meeting", "Tematräff: trygg i Bro centrum", 3, 18, "Trygghetscenter, Bro"),
        ("mobile_dialogue", "Kommunbussen och polisen i Kungsängen", 6, 15, "Kungsängens torg"),
        ("visibility_effort", "Synlighetsinsats med föreningar", 9, 19, "Bro centrum"),
        ("parent_lecture", "Föräldrakväll om narkotika och unga", 14, 18, "Upplands-Bro gymnasium"),
        ("narcotics_operation", "Planerad insats (intern)", 5, 20, "—"),
    ]
    events = []
    for commitment, title, days_ahead, hour, place in planned:
        if services.promise.get(commitment) is None:
            continue  # a demo promise without it (several promises, ``--promises demo``)
        start = _at(today + timedelta(days=days_ahead), hour, services)
        visibility = services.promise.commitment(commitment).visibility.value
        events.append(
            NewEvent(
                commitment=commitment,
                title=DEMO + title,
                starts_at=start,
                ends_at=start + timedelta(hours=2),
                visibility=visibility,
                place=place,
                description=DEMO + "Exempel för sandlådan.",
                organiser_id=staff.user_id,
            )
        )
    await services.events.add_many(events, now)
    window = services.promise.window
    met = Status.MET
    everyone = {"planned": met, "police": met, "municipality": met, "civil_society": met}
    # The conditions of the promise (bot.domain.conditions): one visibility effort with
    # everyone there, one nobody answered (it counts, shown as not stated).
    done: list[tuple[str, int, str | None, int | None, dict[str, Status]]] = [
        ("theme_meeting", 20, "Trygghetscenter", 23, {"trygghetscenter": met}),
        ("visibility_effort", 12, "Bro centrum", None, everyone),
        ("visibility_effort", 40, "Brogård", None, {}),
        ("mobile_dialogue", 30, "Tibble", 41, {}),
        ("narcotics_operation", 25, None, None, {}),
    ]
    activities = [
        NewActivity(
            commitment=commitment,
            date=max(window.start, today - timedelta(days=days_ago)),
            place=place,
            count=count,
            description=DEMO + "Exempelrapport.",
            reported_by=staff.user_id,
            conditions=conditions,
        )
        for commitment, days_ago, place, count, conditions in done
        if services.promise.get(commitment) is not None
    ]
    await services.activities.add_many(activities, now)
    await _seed_pulse(services)
    for promise in services.promises:
        if promise.id != services.promise.id and not promise.draft:
            await _seed_other(services.scoped(promise), staff.user_id)


async def _seed_pulse(services: Services) -> None:
    """The safety pulse as if residents had answered (Bro past the 20 answers a figure needs,
    Kungsängen–Tibble not yet) and a made-up official survey figure, so the page, /progress
    and /lage show them."""
    areas = {a.id for a in services.promise.areas}
    if not {"bro", "kungsangen_tibble"} <= areas:
        return
    repo = PulseRepo(services.db, services.promise.id)
    quarter = quarter_of(services.clock.today())
    for area, unsafe, safe in (("bro", 7, 17), ("kungsangen_tibble", 3, 6)):
        for i in range(unsafe + safe):
            poll_id = f"demo-{services.promise.id}-{area}-{quarter}-{i}"
            await repo.add_poll(poll_id, area, quarter)
            await repo.record(poll_id, [0, 0, 1, 0, 0] if i < unsafe else [0, 1, 0, 0, 0])
    start = date(services.clock.today().year - 1, 1, 1)
    survey = OfficialFigure(
        WHOLE_KOMMUN, start, date(start.year, 12, 31), DEMO + "Trygghetsmätning", 800, 0.31
    )
    await repo.add_official([survey], services.clock.now())


async def _seed_other(services: Services, staff_id: int) -> None:
    """Several promises: an earlier promise gets reports spread over its window (its final
    result), another kommun's promise in force a planned event and a report in its first
    area, per commitment with a number."""
    now = services.clock.now()
    today = now.date()
    promise = services.promise
    counted = [c for c in promise.commitments if c.target is not None]
    place = promise.areas[0].name.sv if promise.areas else promise.municipality
    if promise.window.end < today:
        days = [promise.window.end - timedelta(days=45 * k + 10) for k in range(8)]
        activities = [
            NewActivity(c.id, day, place, None, DEMO + "Exempelrapport.", reported_by=staff_id)
            for n, c in enumerate(counted)
            for day in days[: 1 + (n * 3) % len(days)]
            if day >= promise.window.start
        ]
        await services.activities.add_many(activities, now)
        return
    if today not in promise.window:
        return
    await services.activities.add_many(
        [
            NewActivity(
                c.id, max(promise.window.start, today - timedelta(days=10)), place, None,
                DEMO + "Exempelrapport.", reported_by=staff_id,
            )
            for c in counted
        ],
        now,
    )  # fmt: skip
    start = _at(today + timedelta(days=4), 18, services)
    await services.events.add_many(
        [
            NewEvent(
                commitment=c.id,
                title=DEMO + c.short.sv,
                starts_at=start,
                ends_at=start + timedelta(hours=2),
                visibility=c.visibility.value,
                place=place,
                description=DEMO + "Exempel för sandlådan.",
                organiser_id=staff_id,
            )
            for c in promise.commitments
            if c.resident_events
        ],
        now,
    )
