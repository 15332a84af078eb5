"""Read caches never show stale data: the upcoming events kept between residents' questions
follow every move, cancel and new event (also one written by another connection, as
``trygghetsbot import-events`` does while the bot runs) and the clock; a remembered question
is answered exactly as a fresh one."""

from __future__ import annotations

from datetime import timedelta

from bot.domain.promise import Promise
from bot.domain.records import to_db
from bot.language import questions
from bot.services.events import EventService
from storage.db import Database
from storage.events import NewEvent
from tests.conftest import Harness
from tests.test_events import STAFF, add, at, make_staff

RESIDENT = 7301
ASK = "when is the next theme meeting"


async def next_answer(h: Harness) -> str:
    await h.say(RESIDENT, ASK, lang="en")
    return h.tg.last(RESIDENT).text


async def test_a_moved_event_shows_its_new_time_in_the_next_answer(harness: Harness) -> None:
    h = harness
    await make_staff(h)
    event = await add(h, "theme_meeting", "Trygg i Bro", at(14, 18), organiser=STAFF)
    tr = h.services.translator("en")
    before = await next_answer(h)
    assert "Trygg i Bro" in before and tr.datetime(at(14, 18)) in before
    assert await next_answer(h) == before  # served again from what was kept

    await h.press(STAFF, f"my:move:{event.id}", lang="en")
    await h.say(STAFF, "21/3 18:00", lang="en")
    assert "Moved" in h.tg.last(STAFF).text
    after = await next_answer(h)
    assert tr.datetime(at(21, 18)) in after and tr.datetime(at(14, 18)) not in after

    await h.press(STAFF, f"my:cancel:{event.id}", lang="en")
    await h.press(STAFF, f"my:really:{event.id}", lang="en")
    assert "Trygg i Bro" not in await next_answer(h)


async def test_an_event_added_by_another_connection_is_seen_at_once(harness: Harness) -> None:
    h = harness
    await add(h, "theme_meeting", "Senare träff", at(20, 18))
    assert "Senare träff" in await next_answer(h)
    other = Database(h.services.db.path)  # another process's connection to the same file
    await other.open()
    try:
        start = at(13, 18)
        await other.insert(
            "INSERT INTO events (commitment, title, description, place, starts_at, ends_at, "
            "visibility, organiser_id, created_at, updated_at, promise_id) "
            "VALUES ('theme_meeting', 'Tidigare träff', '', '', ?, ?, 'public', NULL, ?, ?, ?)",
            (
                to_db(start),
                to_db(start + timedelta(hours=2)),
                to_db(h.clock.now()),
                to_db(h.clock.now()),
                h.services.promise.id,
            ),
        )
    finally:
        await other.close()
    assert "Tidigare träff" in await next_answer(h)


async def test_kept_events_follow_the_clock_both_ways(harness: Harness) -> None:
    h = harness
    first = await add(h, "theme_meeting", "Första", at(13, 18))
    await add(h, "theme_meeting", "Andra", at(15, 18))
    events = EventService(h.services)
    assert [e.title for e in await events.upcoming(kind="theme_meeting")] == ["Första", "Andra"]
    h.clock.set(first.ends_at)  # ended: gone without any write to the database
    assert [e.title for e in await events.upcoming(kind="theme_meeting")] == ["Andra"]
    h.clock.set(at(12, 9))  # and back again
    assert [e.title for e in await events.upcoming(kind="theme_meeting")] == ["Första", "Andra"]
    # A window reaching further than the kept fetch is read again.
    later = await add(h, "theme_meeting", "Långt fram", at(12, 9) + timedelta(days=200))
    assert later.title in [e.title for e in await events.upcoming(kind="theme_meeting", days=365)]
    assert later.title not in [e.title for e in await events.upcoming(kind="theme_meeting")]


async def test_kept_rows_match_a_fresh_query(harness: Harness) -> None:
    h = harness
    for day in (13, 14, 15):
        await add(h, "theme_meeting", f"Träff {day}", at(day, 18))
    await h.services.events.add(
        NewEvent("theme_meeting", "Efteråt", at(14, 9), at(14, 10), "after"), h.clock.now()
    )
    repo = h.services.events
    now = h.clock.now()
    kept = await repo.upcoming(now, now + timedelta(days=3), visibilities=("public",))
    fresh = await type(repo)(h.services.db, repo.promise_id).upcoming(
        now, now + timedelta(days=3), visibilities=("public",)
    )
    assert kept == fresh and [e.title for e in kept] == ["Träff 13", "Träff 14"]


def test_a_remembered_question_is_answered_as_a_fresh_one(promise: Promise) -> None:
    for text, locale in (
        ("när är nästa tematräff", "sv"),
        ("när är nästa tematräff", "en"),
        ("hjälp han slår mig", "sv"),
        ("hello", "en"),
    ):
        first = questions.match_question(text, promise, locale)
        assert questions.match_question(text, promise, locale) == first
        assert first == questions._match(text, promise, locale)


async def test_rows_read_inside_a_rolled_back_transaction_are_not_kept(harness: Harness) -> None:
    h = harness
    event = await add(h, "theme_meeting", "Trygg i Bro", at(14, 18))
    repo = h.services.events
    now = h.clock.now()
    before = await repo.upcoming(now, now + timedelta(days=30))
    assert [e.starts_at for e in before] == [at(14, 18)]

    class Undo(Exception):
        pass

    try:
        async with h.services.db.transaction():
            await repo.move(event.id, at(21, 18), at(21, 20), now)
            inside = await repo.upcoming(now, now + timedelta(days=30))
            assert [e.starts_at for e in inside] == [at(21, 18)]
            raise Undo
    except Undo:
        pass
    after = await repo.upcoming(now, now + timedelta(days=30))
    assert [e.starts_at for e in after] == [at(14, 18)]
