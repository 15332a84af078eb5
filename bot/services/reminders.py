"""Reminders to staff: the weekly digest of commitments that need attention, and the
escalation to admins when a period ends with a missed target.

Both are driven by a frequent tick that asks the clock what is due, so a restart, a clock
started at ``TRYGGHETSBOT_NOW`` or a test's frozen clock all behave the same way. A row in
``job_runs`` proves a digest week or an escalation was handled: never twice, and a week
missed while the bot was down is sent once when it is back (older weeks are not replayed).
"""

from __future__ import annotations

import logging
from datetime import date, datetime, timedelta

from bot.domain.pace import PaceRow, State
from bot.domain.promise import Cadence, Commitment
from bot.domain.records import StaffMember
from bot.domain.views import Attention
from bot.domain.workdays import next_working_day
from bot.i18n import Translator, staff_locale
from bot.render import reminders as render
from bot.services import Services, outgoing
from bot.services.pace import PaceService
from bot.services.people import PeopleService
from bot.services.pulse import PulseService
from storage.deliveries import NewDelivery, OutgoingMessage
from storage.jobs import JobRunRepo
from storage.suggestions import SuggestionRepo

log = logging.getLogger(__name__)

DIGEST_JOB = "digest"
ESCALATION_JOB = "escalation"
# Escalate only recently ended periods: a first start on old data must not flood admins.
ESCALATION_LOOKBACK = timedelta(days=14)


def week_key(day: date) -> str:
    year, week, _ = day.isocalendar()
    return f"{year}-W{week:02d}"


def digest_due_at(services: Services, day: date) -> datetime:
    """When this ISO week's digest is due: the configured weekday and time, moved to the next
    working day when that day is a holiday."""
    settings = services.promise.reminders
    monday = day - timedelta(days=day.weekday())
    planned = next_working_day(monday + timedelta(days=settings.weekday))
    return datetime.combine(planned, settings.time, tzinfo=services.clock.tz)


def needs_attention(services: Services, rows: list[PaceRow]) -> list[Attention]:
    warn_days = services.promise.reminders.days_left_warning
    found = []
    for row in rows:
        commitment = services.promise.commitment(row.commitment_id)
        if row.state is State.BEHIND:
            found.append(Attention(commitment, row, "behind"))
        elif row.state in (State.ON_TRACK, State.OPEN) and row.days_left < warn_days:
            found.append(Attention(commitment, row, "ending"))
    return found


class ReminderService:
    def __init__(
        self,
        services: Services,
        pace: PaceService | None = None,
        people: PeopleService | None = None,
        pulse: PulseService | None = None,
    ) -> None:
        self.s = services
        self.pace = pace or PaceService(services)
        self.people = people or PeopleService(services)
        self.pulse = pulse or PulseService(services, self.people)
        self.jobs = JobRunRepo(services.db)

    def recipients_for(
        self, members: list[StaffMember], commitment: Commitment, today: date
    ) -> list[StaffMember]:
        return [
            m
            for m in members
            if commitment.owner.includes(m.org.value)
            and (m.reminders_paused_until is None or m.reminders_paused_until < today)
            # Several kommuner: a municipal staff member hears of her kommun's promise only.
            and m.municipality in (None, self.s.promise.municipality)
        ]

    async def digest_tick(self) -> int:
        """Send this week's digest if it is due and not yet sent; returns messages queued."""
        now = self.s.clock.now()
        today = now.date()
        if now < digest_due_at(self.s, today):
            return 0
        key = self.s.keyed(week_key(today))
        rows = await self.pace.current(today)
        items = needs_attention(self.s, rows)
        if not await self.jobs.claim(DIGEST_JOB, key, now):
            return 0
        members = await self.s.staff.list_active()
        # One line about residents' suggestions of the last week (bot.services.suggestions).
        voice = await SuggestionRepo(self.s.db).count_since(now - timedelta(days=7))
        if self.s.promise.id != self.s.promises.home_promise(today).id:
            voice = []  # several promises: the line comes once, with the home promise's digest
        # Areas whose safety pulse worsened beyond its uncertainty (bot.services.pulse).
        safety = await self.pulse.worsened_areas()
        per_member: dict[int, list[Attention]] = {}
        for item in items:
            for member in self.recipients_for(members, item.commitment, today):
                per_member.setdefault(member.user_id, []).append(item)
        queued = []
        for user_id, mine in per_member.items():
            tr = self.s.translator(staff_locale(await self.s.users.locale(user_id)))
            queued.append(
                NewDelivery(
                    chat_id=user_id,
                    kind="digest",
                    message=outgoing(
                        render.digest(
                            tr,
                            mine,
                            today,
                            voice=voice,
                            promise=self.s.promise,
                            coordinator=user_id in self.s.settings.admin_ids,
                            safety=safety,
                        )
                    ),
                    not_before=now,
                    dedupe_key=f"digest:{key}:{user_id}",
                )
            )
        sent = await self.s.deliveries.enqueue_many(queued, now) if queued else 0
        if voice:
            # Coordinators read the suggestions: an admin without a digest of her own gets
            # the line by itself.
            sent += await self._voice_to_admins(voice, key, set(per_member))
        log.info("digest %s: %d queued, %d commitment(s) need attention", key, sent, len(items))
        return sent

    async def _voice_to_admins(
        self, voice: list[tuple[str, int]], key: str, had_digest: set[int]
    ) -> int:
        def build(tr: Translator) -> OutgoingMessage:
            return outgoing(render.voice_digest(tr, self.s.promise, voice))

        admins = sorted(self.s.settings.admin_ids - had_digest)
        queued = 0
        for admin_id in admins:
            tr = self.s.translator(staff_locale(await self.s.users.locale(admin_id)))
            queued += await self.s.deliveries.enqueue_many(
                [
                    NewDelivery(
                        admin_id,
                        "digest",
                        build(tr),
                        self.s.clock.now(),
                        dedupe_key=f"digest:{key}:{admin_id}",
                    )
                ],
                self.s.clock.now(),
            )
        return queued

    async def escalation_tick(self) -> int:
        """Tell admins once about each period that recently ended with a missed target."""
        now = self.s.clock.now()
        today = now.date()
        queued = 0
        for commitment in self.s.promise.commitments:
            if commitment.cadence is Cadence.TRACKED:
                continue
            for row in await self.pace.history(commitment, today):
                ended_recently = today - ESCALATION_LOOKBACK <= row.period.end < today
                if row.state is not State.MISSED or not ended_recently:
                    continue
                key = self.s.keyed(f"{commitment.id}:{row.period.key}")
                if not await self.jobs.claim(ESCALATION_JOB, key, now):
                    continue
                queued += await self._escalate(commitment, row, key)
        if queued:
            log.info("escalation: %d message(s) to admins queued", queued)
        return queued

    async def _escalate(self, commitment: Commitment, row: PaceRow, key: str) -> int:
        def build(tr: Translator) -> OutgoingMessage:
            return outgoing(render.escalation(tr, commitment, row))

        return await self.people.message_admins("escalation", f"escalation:{key}:{{admin}}", build)

    async def who_gets_what(self) -> list[tuple[StaffMember, list[Commitment]]]:
        today = self.s.clock.today()
        members = await self.s.staff.list_active()
        return [
            (m, [c for c in self.s.promise.commitments if self.recipients_for([m], c, today)])
            for m in members
        ]

    async def paused_until(self, user_id: int) -> date | None:
        """The day this staff member's reminders resume, if they are paused now."""
        member = await self.s.staff.active(user_id)
        paused = member.reminders_paused_until if member else None
        return paused if paused is not None and paused >= self.s.clock.today() else None

    async def pause(self, user_id: int, until: date | None) -> None:
        await self.s.staff.pause_reminders(user_id, until)
        await self.s.audit.record(
            self.s.clock.now(), user_id, "reminders.pause", f"user:{user_id}", until=until
        )
