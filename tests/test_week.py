"""A simulated week in CI: the real application (``build_application``, long polling, the job
queue) against the loopback emulator, with the clock stepped through a week in about half a
minute of real time.

Hundreds of residents ask and set reminders, staff report, plan and move an event, hundreds of
seniors get tips on their own schedules, an alert is approved mid-week, the weekly digest and
follower news go out, and the bot crashes and restarts on Thursday. Afterwards: every due tip
was delivered exactly once, every reminder at its time, every saved report is counted in
/status, and nothing was logged at ERROR (conftest). The figures checked are printed.

How time moves: the clock stands still while the users of a step act and wait for their
answers; then every scheduled job runs once at that time (as the job queue would at its next
tick) and the outbox is sent; then the clock moves on ten minutes. The job queue also runs on
its own in real time, so jobs and handlers overlap as in production.
"""

from __future__ import annotations

import asyncio
import random
import re
from collections import Counter
from collections.abc import Awaitable, Callable
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from functools import partial

import pytest

from bot.app import BotApp
from bot.clock import STOCKHOLM, FrozenClock
from bot.domain.records import Org, to_db
from bot.domain.roles import Actor
from bot.domain.tips import CADENCES, SLOTS, next_send_time
from bot.sandbox.demo import PERSONAS
from bot.sandbox.emulator import Emulator, SentMessage
from bot.sandbox.terminal import running_sandbox
from bot.services.tips_service import TipService
from bot.settings import Settings
from handlers.delivery import delivery_service, telegram_send
from storage.deliveries import OutgoingMessage
from storage.subscriptions import NewSubscription, SubscriptionRepo

START = datetime(2024, 3, 18, 0, 0, tzinfo=STOCKHOLM)  # a Monday
DAYS = 7
STEP = timedelta(minutes=10)
CRASH_AT = datetime(2024, 3, 21, 12, 0, tzinfo=STOCKHOLM)  # Thursday noon
ALERT_AT = datetime(2024, 3, 20, 10, 0, tzinfo=STOCKHOLM)  # Wednesday morning
MOVE_AT = datetime(2024, 3, 19, 14, 0, tzinfo=STOCKHOLM)  # Tuesday afternoon
RESIDENTS = 240
STAFF = 24
SENIORS = 300
CHAT_SENIORS = 12
FOLLOWERS = 30
JOBS = ("tips:tick", "pace:reminders", "events:followup", "progress:follow-news")
DEMO_STAFF = PERSONAS["staff"].user_id
ADMIN = PERSONAS["admin"].user_id
STAFF_IDS = [300_000 + n for n in range(STAFF)]
RESIDENT_IDS = [400_000 + n for n in range(RESIDENTS)]
SENIOR_IDS = [500_000 + n for n in range(SENIORS)]
CHAT_SENIOR_IDS = [600_000 + n for n in range(CHAT_SENIORS)]


class Replies:
    """Wakes whoever waits for a chat when the bot shows something there (no polling)."""

    def __init__(self, emu: Emulator) -> None:
        self.emu = emu
        self._events: dict[int, asyncio.Event] = {}
        emu.add_listener(self)

    def __call__(self, event: str, message: SentMessage) -> None:
        waiting = self._events.get(message.chat_id)
        if waiting is not None:
            waiting.set()

    async def until(self, chat: int, done: Callable[[list[SentMessage]], bool]) -> None:
        waiting = self._events.setdefault(chat, asyncio.Event())
        async with asyncio.timeout(20):
            while not done(self.emu.sent_to(chat)):
                waiting.clear()
                await waiting.wait()

    async def say(self, chat: int, text: str, expect: str | None = None) -> SentMessage:
        """Send as the user; the first new message (with a button starting ``expect``)."""
        before = len(self.emu.sent_to(chat))

        def found(sent: list[SentMessage]) -> SentMessage | None:
            for message in sent[before:]:
                if expect is None or any(d.startswith(expect) for d in message.callback_data):
                    return message
            return None

        await self.emu.user_sends(chat, text, language_code="sv")
        await self.until(chat, lambda sent: found(sent) is not None)
        message = found(self.emu.sent_to(chat))
        assert message is not None
        return message

    async def press(self, chat: int, message: SentMessage, prefix: str, expect: str = "") -> None:
        data = next(d for d in message.callback_data if d.startswith(prefix))
        before = {m.message_id: m.edit_count for m in self.emu.sent_to(chat)}
        await self.emu.user_presses(chat, message.message_id, data)

        def changed(sent: list[SentMessage]) -> bool:
            return any(before.get(m.message_id) != m.edit_count and expect in m.shown for m in sent)

        await self.until(chat, changed)


@dataclass
class Week:
    replies: Replies
    rng: random.Random
    plan: dict[datetime, list[Callable[[], Awaitable[None]]]] = field(default_factory=dict)
    saved_reports: Counter[str] = field(default_factory=Counter)
    reminders_set: int = 0

    def at(self, when: datetime, action: Callable[[], Awaitable[None]]) -> None:
        step = START + ((when - START) // STEP) * STEP
        self.plan.setdefault(step, []).append(action)

    def some_time(self, first_hour: int = 8, last_hour: int = 21, days: int = DAYS) -> datetime:
        day = self.rng.randrange(days)
        minute = self.rng.randrange(first_hour * 60, last_hour * 60)
        return START + timedelta(days=day, minutes=minute)


def status_done(text: str, label: str) -> int:
    match = re.search(rf"{re.escape(label)}[^:\n]*: (\d+)\+", text)
    assert match is not None, text
    return int(match.group(1))


def quiet(app: BotApp) -> None:
    """The week's clock is the test's: the scheduler's own runs (in real time) are paused, so
    a background send cannot be in flight while the test moves the clock on."""
    app.job_queue.scheduler.pause()  # type: ignore[union-attr]


async def run_jobs(app: BotApp) -> None:
    for name in JOBS:
        for job in app.job_queue.get_jobs_by_name(name):  # type: ignore[union-attr]
            await job.run(app)
    sender = delivery_service(app)
    await sender.drain(telegram_send(app.bot), limit=500)


@pytest.mark.slow
async def test_a_simulated_week(settings: Settings, capsys: pytest.CaptureFixture[str]) -> None:
    clock = FrozenClock(START)
    # The whole budget is real time; a week squeezed into seconds needs a larger one.
    fast = settings.model_copy(update={"send_rate": 5_000.0, "chat_send_rate": 1_000.0})
    emu = Emulator()
    await emu.start()
    rng = random.Random(11)
    week = Week(Replies(emu), rng)
    r = week.replies
    figures: dict[str, int] = {}
    try:
        # --- before the week: staff, seniors on their schedules --------------------------
        async with running_sandbox(fast, clock, emulator=emu) as (_, app):
            quiet(app)
            services = app.bot_data.services
            for n, staff in enumerate(STAFF_IDS):
                org = Org.POLICE if n % 2 else Org.MUNICIPALITY
                await services.staff.upsert(staff, org, f"Staff {n}", clock.now(), ADMIN)
            subs = [
                NewSubscription(
                    chat, "sv" if n % 5 else "en", cadence, weekday, slot,
                    next_send_time(clock.now(), cadence, weekday, slot, None),
                )
                for n, chat in enumerate(SENIOR_IDS)
                for cadence in [list(CADENCES)[n % len(CADENCES)]]
                for weekday in [n % 7]
                for slot in [list(SLOTS)[n % len(SLOTS)]]
            ]  # fmt: skip
            await SubscriptionRepo(services.db).upsert_many(subs, clock.now())
            baseline = (await r.say(DEMO_STAFF, "/lage")).shown
            before = {
                "Tematräffar": status_done(baseline, "Tematräffar"),
                "Synlighetsinsatser": status_done(baseline, "Synlighetsinsatser"),
            }

        # --- what people do during the week ----------------------------------------------
        async def ask_and_remind(chat: int, remind: bool) -> None:
            answer = await r.say(chat, "när är nästa tematräff", expect="ev:rem:")
            if remind:
                await r.press(chat, answer, "ev:rem:")
                week.reminders_set += 1

        async def report(staff: int, kind: str, label: str) -> None:
            card = await r.say(staff, f"{kind} idag {rng.randrange(5, 40)} pers", "rep:save")
            await r.press(staff, card, "rep:save", expect="Sparad")
            week.saved_reports[label] += 1

        async def follow(chat: int) -> None:
            menu = await r.say(chat, "/folj", expect="fol:on:theme_meeting")
            await r.press(chat, menu, "fol:on:theme_meeting")

        async def subscribe(chat: int) -> None:
            for text in ("/tips", "Varje vecka", "Torsdag"):
                await r.say(chat, text)
            await r.say(chat, "Eftermiddag (15.00)")

        for n, chat in enumerate(RESIDENT_IDS):
            # Until Thursday: the demo theme meeting is the one to ask about (after the
            # move it is on Friday evening).
            week.at(week.some_time(days=4), partial(ask_and_remind, chat, n % 2 == 0))
        for n, chat in enumerate(RESIDENT_IDS[:FOLLOWERS]):
            week.at(START + timedelta(hours=9, minutes=n), partial(follow, chat))
        for staff in STAFF_IDS:
            for kind, label in (
                ("tematräff", "Tematräffar"),
                ("synlighetsinsats", "Synlighetsinsatser"),
            ):
                week.at(week.some_time(9, 17), partial(report, staff, kind, label))
        for n, chat in enumerate(CHAT_SENIOR_IDS):
            week.at(START + timedelta(days=1, hours=10, minutes=n), partial(subscribe, chat))

        # --- the week ------------------------------------------------------------------
        moved: list[int] = []
        crashed = False
        now = START
        end = START + timedelta(days=DAYS)
        while now < end:
            crash_here = not crashed and now >= CRASH_AT
            async with running_sandbox(fast, clock, emulator=emu, seed=False) as (_, app):
                quiet(app)
                services = app.bot_data.services
                tips = TipService(services)
                while now < end:
                    if not crashed and now >= CRASH_AT:
                        break
                    clock.set(now)
                    actions = week.plan.pop(now, [])
                    await asyncio.gather(*(action() for action in actions))
                    if now == MOVE_AT:
                        mine = await r.say(DEMO_STAFF, "/minaevenemang", expect="my:move:")
                        await r.press(DEMO_STAFF, mine, "my:move:")
                        await r.say(DEMO_STAFF, "22/3 18-20")
                        moved.append(1)
                    if now == ALERT_AT:
                        author = await app.bot_data.people.actor(STAFF_IDS[0], STAFF_IDS[0], "sv")
                        admin: Actor = await app.bot_data.people.actor(ADMIN, ADMIN, "sv")
                        alert = await tips.draft_alert(
                            author, {"sv": "Ring aldrig tillbaka till okända nummer."}, False
                        )
                        await tips.decide_alert(admin, alert.id, approve=True)
                        figures["alert recipients"] = await tips.subs.count_active()
                    await run_jobs(app)
                    now += STEP
                if crash_here:
                    # The crash: the noon tips are queued, a sender round claims some of
                    # them and the process dies before they are marked sent. The restart
                    # (next loop) puts them back in the queue.
                    clock.set(now)
                    await tips.tick()
                    claimed = await services.deliveries.claim_due(now, 5)
                    send = telegram_send(app.bot)
                    for delivery in claimed[:3]:  # these reached Telegram, unrecorded
                        await send(delivery.chat_id, OutgoingMessage.from_json(delivery.payload))
                    figures["in flight at the crash"] = len(claimed)
                    crashed = True
        clock.set(end)

        # --- the checks ----------------------------------------------------------------
        async with running_sandbox(fast, clock, emulator=emu, seed=False) as (_, app):
            quiet(app)
            services = app.bot_data.services
            await run_jobs(app)
            db = services.db
            # Every due tip exactly once.
            tip_rows = await db.fetchall(
                "SELECT chat_id, COUNT(*), SUM(status = 'sent') FROM deliveries "
                "WHERE kind = 'tip' GROUP BY chat_id"
            )
            tips_by_chat = {row[0]: (row[1], row[2]) for row in tip_rows}
            for chat in SENIOR_IDS:
                assert tips_by_chat.get(chat) == (1, 1), chat
            received = Counter(
                m.chat_id for chat in SENIOR_IDS + CHAT_SENIOR_IDS for m in emu.sent_to(chat)
                if "tips:stop" in m.callback_data
            )  # fmt: skip
            in_flight = figures["in flight at the crash"]
            for chat in SENIOR_IDS:
                expected = 2  # the tip and the alert
                assert expected <= received[chat] <= expected + (1 if in_flight else 0), chat
            duplicates = sum(received[c] - 2 for c in SENIOR_IDS)
            assert duplicates <= in_flight
            for chat in CHAT_SENIOR_IDS:  # Thursday 15:00, after subscribing on Tuesday
                assert tips_by_chat.get(chat) == (1, 1), chat
            figures["seniors"] = len(SENIOR_IDS) + len(CHAT_SENIOR_IDS)
            figures["tips delivered"] = sum(n for n, _ in tips_by_chat.values())
            figures["tips delivered twice (in flight at the crash)"] = duplicates

            # Every reminder at its time (within the step the sender ran in).
            reminders = await db.fetchall(
                "SELECT not_before, sent_at, status, attempts, last_error FROM deliveries "
                "WHERE kind = 'event-reminder'"
            )
            late = [
                row for row in reminders
                if row[2] == "sent"
                and datetime.fromisoformat(row[1]) - datetime.fromisoformat(row[0]) > STEP
            ]  # fmt: skip
            unsent = [row for row in reminders if row[2] not in ("sent", "dropped")]
            assert reminders
            assert not late, [tuple(row) for row in late]
            assert not unsent, [tuple(row) for row in unsent]
            figures["reminders set"] = week.reminders_set
            figures["reminders sent on time"] = sum(row[2] == "sent" for row in reminders)
            figures["reminders dropped when the event moved"] = sum(
                row[2] == "dropped" for row in reminders
            )

            # Every saved report counted in /status.
            status = (await r.say(DEMO_STAFF, "/lage")).shown
            for label, saved in week.saved_reports.items():
                assert status_done(status, label) == before[label] + saved, label
            figures["reports saved"] = sum(week.saved_reports.values())

            # The digest (Monday 08:30) and follower news went out.
            digests = await db.fetchall(
                "SELECT chat_id, COUNT(*) FROM deliveries WHERE kind = 'digest' "
                "AND status = 'sent' GROUP BY chat_id"
            )
            # Monday 08:30, once each, to everyone with a commitment that needs attention
            # (this week that is every police member: the narcotics operations are behind).
            police = {s for n, s in enumerate(STAFF_IDS) if n % 2}
            assert police <= {row[0] for row in digests}
            assert all(row[1] == 1 for row in digests)
            news = await db.fetchone(
                "SELECT COUNT(DISTINCT chat_id) FROM deliveries WHERE kind = 'follow' "
                "AND status = 'sent'"
            )
            assert news is not None and news[0] == FOLLOWERS
            figures["digests"] = len(digests)
            figures["followers told"] = news[0]
            stuck = await db.fetchone(
                "SELECT COUNT(*) FROM deliveries WHERE status IN ('queued', 'sending') "
                "AND not_before <= ?",
                (to_db(end),),
            )
            assert stuck is not None and stuck[0] == 0
            assert moved
            figures["residents"] = len(RESIDENT_IDS)
            figures["staff"] = len(STAFF_IDS)
            figures["messages sent by the bot"] = emu.sent_count
    finally:
        await emu.stop()
    with capsys.disabled():  # the figures belong in the CI log
        print("\nsimulated week:")
        for name, value in figures.items():
            print(f"  {name}: {value}")
