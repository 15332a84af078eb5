from __future__ import annotations

import sqlite3
from datetime import date, datetime, timedelta
from pathlib import Path

import pytest

from bot.clock import STOCKHOLM
from bot.domain.records import Org
from storage.activities import ActivityRepo, MilestoneRepo, NewActivity
from storage.audit import AuditRepo
from storage.db import Database, Migration, SchemaTooNewError, bundled_migrations
from storage.deliveries import DeliveryRepo, NewDelivery, OutgoingMessage
from storage.events import EventRepo, NewEvent
from storage.invites import InviteRepo, hash_code
from storage.people import StaffRepo, UserRepo

NOW = datetime(2024, 3, 12, 10, 0, tzinfo=STOCKHOLM)


@pytest.fixture
async def db(tmp_path: Path) -> Database:
    database = Database(tmp_path / "t.sqlite3")
    await database.open()
    yield database  # type: ignore[misc]
    await database.close()


async def test_migrations_apply_on_empty_database(db: Database) -> None:
    assert await db.user_version() == bundled_migrations()[-1].version
    tables = {r[0] for r in await db.fetchall("SELECT name FROM sqlite_master WHERE type='table'")}
    assert {
        "users",
        "staff",
        "invites",
        "activities",
        "events",
        "deliveries",
        "audit_log",
    } <= tables
    journal = await db.fetchone("PRAGMA journal_mode")
    assert journal is not None and journal[0] == "wal"
    fk = await db.fetchone("PRAGMA foreign_keys")
    assert fk is not None and fk[0] == 1


async def test_reopening_does_not_reapply_migrations(tmp_path: Path) -> None:
    path = tmp_path / "again.sqlite3"
    async with Database(path) as first:
        await UserRepo(first).set_locale(1, "en", NOW)
    async with Database(path) as second:
        assert await UserRepo(second).locale(1) == "en"
        assert await second.user_version() == bundled_migrations()[-1].version


async def test_failed_migration_leaves_schema_untouched(tmp_path: Path) -> None:
    path = tmp_path / "broken.sqlite3"
    good = Migration(1, "001_a.sql", "CREATE TABLE a (x INTEGER);")
    bad = Migration(2, "002_b.sql", "CREATE TABLE b (x INTEGER);\nTHIS IS NOT SQL;")
    with pytest.raises(sqlite3.OperationalError):
        await Database(path, [good, bad]).open()
    check = sqlite3.connect(path)
    names = {r[0] for r in check.execute("SELECT name FROM sqlite_master")}
    version = check.execute("PRAGMA user_version").fetchone()[0]
    check.close()
    assert "a" in names and "b" not in names
    assert version == 1


async def test_database_from_newer_version_is_refused(tmp_path: Path) -> None:
    path = tmp_path / "newer.sqlite3"
    raw = sqlite3.connect(path)
    raw.execute("PRAGMA user_version = 999")
    raw.close()
    with pytest.raises(SchemaTooNewError, match="999"):
        await Database(path).open()


async def test_backup_is_a_consistent_copy(db: Database, tmp_path: Path) -> None:
    await UserRepo(db).set_locale(7, "sv", NOW)
    target = tmp_path / "copy" / "backup.sqlite3"
    await db.backup(target)
    async with Database(target) as copy:
        assert await UserRepo(copy).locale(7) == "sv"


async def test_user_locale_and_forget(db: Database) -> None:
    users = UserRepo(db)
    assert await users.locale(1) is None
    await users.set_locale(1, "en", NOW)
    await users.set_locale(1, "sv", NOW)
    assert await users.locale(1) == "sv"
    await db.execute(
        "INSERT INTO follows (chat_id, commitment, created_at) VALUES (1, 'theme_meeting', 'x')"
    )
    footprint = await users.footprint(1)
    assert footprint.follows == 1
    await users.forget(1)
    assert await users.locale(1) is None
    assert (await users.footprint(1)).follows == 0


async def test_staff_repo_join_revoke_pause(db: Database) -> None:
    staff = StaffRepo(db)
    member = await staff.upsert(11, Org.POLICE, "Anna", NOW, invited_by=None)
    assert member.org is Org.POLICE and member.active
    assert [m.user_id for m in await staff.list_active()] == [11]
    await staff.pause_reminders(11, date(2024, 4, 1))
    paused = await staff.get(11)
    assert paused is not None and paused.reminders_paused_until == date(2024, 4, 1)
    assert await staff.revoke(11, by=1, now=NOW)
    assert not await staff.revoke(11, by=1, now=NOW)
    assert await staff.active(11) is None


async def test_invites_are_hashed_single_use_and_expire(db: Database) -> None:
    invites = InviteRepo(db)
    code, invite = await invites.create(Org.MUNICIPALITY, created_by=1, now=NOW)
    stored = await db.fetchone("SELECT code_hash FROM invites WHERE id = ?", (invite.id,))
    assert stored is not None and stored[0] == hash_code(code) and code not in stored[0]
    assert await invites.redeem(code, 20, NOW + timedelta(hours=1)) is not None
    assert await invites.redeem(code, 21, NOW + timedelta(hours=2)) is None
    late_code, _ = await invites.create(Org.POLICE, created_by=1, now=NOW)
    assert await invites.redeem(late_code, 22, NOW + timedelta(hours=72, seconds=1)) is None
    revoked_code, revoked = await invites.create(Org.POLICE, created_by=1, now=NOW)
    assert await invites.revoke(revoked.id, NOW)
    assert await invites.redeem(revoked_code, 23, NOW) is None


async def test_activities_count_until_retracted(db: Database) -> None:
    repo = ActivityRepo(db)
    first = await repo.add(NewActivity("theme_meeting", date(2024, 3, 1), count=20), NOW)
    await repo.add(NewActivity("theme_meeting", date(2024, 2, 1)), NOW)
    await repo.add(NewActivity("visibility_effort", date(2024, 1, 5)), NOW)
    dates = await repo.counted_dates()
    assert dates["theme_meeting"] == [date(2024, 2, 1), date(2024, 3, 1)]
    assert await repo.retract(first.id, NOW)
    assert not await repo.retract(first.id, NOW)
    assert (await repo.counted_dates())["theme_meeting"] == [date(2024, 2, 1)]


async def test_activity_batch_is_all_or_nothing(db: Database) -> None:
    repo = ActivityRepo(db)
    rows = [
        NewActivity("theme_meeting", date(2024, 3, 1)),
        NewActivity("x", date(2024, 3, 1), count=-1),
    ]
    with pytest.raises(sqlite3.IntegrityError):
        await repo.add_many(rows, NOW)
    assert await repo.counted_dates() == {}


async def test_milestone_confirmed_once(db: Database) -> None:
    repo = MilestoneRepo(db)
    assert await repo.confirm("gvi", date(2023, 11, 1), by=1, now=NOW)
    assert not await repo.confirm("gvi", date(2023, 12, 1), by=1, now=NOW)
    assert (await repo.all())["gvi"].reached_on == date(2023, 11, 1)


async def test_events_upcoming_and_planned(db: Database) -> None:
    repo = EventRepo(db)
    start = NOW + timedelta(days=2)
    event = await repo.add(
        NewEvent("theme_meeting", "Tema: trygg i Bro", start, start + timedelta(hours=2), "public"),
        NOW,
    )
    await repo.add(
        NewEvent("narcotics_operation", "Insats", start, start + timedelta(hours=1), "count_only"),
        NOW,
    )
    public = await repo.upcoming(NOW, visibilities=("public",))
    assert [e.id for e in public] == [event.id]
    assert set((await repo.planned_start_dates(NOW)).keys()) == {
        "theme_meeting",
        "narcotics_operation",
    }
    assert await repo.set_status(event.id, "cancelled", NOW)
    assert await repo.upcoming(NOW, visibilities=("public",)) == []


async def test_deliveries_dedupe_claim_and_recover(db: Database) -> None:
    repo = DeliveryRepo(db)
    message = OutgoingMessage("Hej", [[("Sluta", "tips:stop:x")]])
    new = NewDelivery(1, "tip", message, NOW, dedupe_key="tip:1:0")
    assert await repo.enqueue(new, NOW)
    assert not await repo.enqueue(new, NOW)
    claimed = await repo.claim_due(NOW, 10)
    assert [OutgoingMessage.from_json(d.payload) for d in claimed] == [message]
    assert await repo.claim_due(NOW, 10) == []
    assert await repo.requeue_in_flight() == 1
    again = await repo.claim_due(NOW, 10)
    await repo.mark_sent(again[0].id, NOW)
    assert await repo.purge_older_than(NOW + timedelta(days=91)) == 1


async def test_audit_log_records_who_and_what(db: Database) -> None:
    audit = AuditRepo(db)
    await audit.record(NOW, 5, "activity.create", "activity:1", commitment="theme_meeting")
    entry = (await audit.recent())[0]
    assert (entry.actor_id, entry.action, entry.target) == (5, "activity.create", "activity:1")
    assert '"commitment": "theme_meeting"' in entry.detail
