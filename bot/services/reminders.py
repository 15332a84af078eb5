"""Reminders to staff: the weekly digest of commitments that need attention, and the
escalation to admins when a period ends with a missed target.

Both are driven by a frequent tick that asks the clock what is due, so a restart, a clock
started at ``TRYGGHETSBOT_NOW`` or a test's frozen clock all behave the same way. A row in
``job_runs`` proves a digest week or an escalation was handled: never twice, and a week
missed while the bot was down is sent once when it is back (older weeks are not replayed).
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime, timedelta

from bot.i18n import Translator, staff_locale
from bot.pace import PaceRow, State
from bot.periods import period_label
from bot.promise import Cadence, Commitment
from bot.render.callbacks import Card, CardAction
from bot.services import Services
from bot.services.pace import PaceService
from bot.services.people import PeopleService
from bot.workdays import next_working_day
from storage.deliveries import NewDelivery, OutgoingMessage
from storage.jobs import JobRunRepo
from storage.records import StaffMember

DIGEST_JOB = "digest"
ESCALATION_JOB = "escalation"
# Escalate only recently ended periods: a first start on old data must not flood admins.
ESCALATION_LOOKBACK = timedelta(days=14)


@dataclass(frozen=True)
class Attention:
    commitment: Commitment
    row: PaceRow
    reason: str  # "behind" or "ending"


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


def render_digest(tr: Translator, items: list[Attention], day: date) -> str:
    """``day`` is the day it is sent: after a holiday or a missed week that is not a Monday,
    and the title says so."""
    _ = tr.gettext
    if day.weekday() == 0:
        title = _("Monday check of the citizen promise. These need attention:")
    else:
        title = _("Weekly check of the citizen promise ({weekday}). These need attention:").format(
            weekday=tr.date(day, "EEEE d MMMM")
        )
    lines = [title, ""]
    for item in items:
        row = item.row
        name = item.commitment.short.get(tr.locale)
        label = period_label(row.period, tr)
        if item.reason == "behind":
            detail = _("{done} of {target} done, {planned} planned ({period}) – behind").format(
                done=row.done, target=row.target, planned=row.planned, period=label
            )
        elif item.commitment.cadence is Cadence.MILESTONE:
            detail = tr.ngettext(
                "not reached yet, {n} day left", "not reached yet, {n} days left", row.days_left
            ).format(n=row.days_left)
        else:
            detail = tr.ngettext(
                "{done} of {target} done ({period}), {n} day left",
                "{done} of {target} done ({period}), {n} days left",
                row.days_left,
            ).format(done=row.done, target=row.target, period=label, n=row.days_left)
        lines.append(f"• {name}: {detail}")
    lines += [
        "",
        _("Plan an event: /plan   Report one: /report   Full status: /status"),
        _("On leave? Pause these reminders with /pause."),
    ]
    return "\n".join(lines)


def digest_buttons(tr: Translator, items: list[Attention]) -> list[list[tuple[str, str]]]:
    """One tap to plan or report each commitment that needs attention (at most five)."""
    rows = []
    for item in items[:5]:
        name = item.commitment.short.get(tr.locale)
        rows.append(
            [
                (
                    tr.gettext("Plan: {name}").format(name=name)[:40],
                    f"plan:new:{item.commitment.id}",
                ),
                (
                    tr.gettext("Report: {name}").format(name=name)[:40],
                    Card(CardAction.NEW, item.commitment.id).encode(),
                ),
            ]
        )
    return rows


class ReminderService:
    def __init__(self, services: Services) -> None:
        self.s = services
        self.pace = PaceService(services)
        self.jobs = JobRunRepo(services.db)

    def recipients_for(
        self, members: list[StaffMember], commitment: Commitment, today: date
    ) -> list[StaffMember]:
        return [
            m
            for m in members
            if commitment.owner.includes(m.org.value)
            and (m.reminders_paused_until is None or m.reminders_paused_until < today)
        ]

    async def digest_tick(self) -> int:
        """Send this week's digest if it is due and not yet sent; returns messages queued."""
        now = self.s.clock.now()
        today = now.date()
        if now < digest_due_at(self.s, today):
            return 0
        key = week_key(today)
        rows = await self.pace.current(today)
        items = needs_attention(self.s, rows)
        if not await self.jobs.claim(DIGEST_JOB, key, now):
            return 0
        members = await self.s.staff.list_active()
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
                    message=OutgoingMessage(
                        render_digest(tr, mine, today), digest_buttons(tr, mine)
                    ),
                    not_before=now,
                    dedupe_key=f"digest:{key}:{user_id}",
                )
            )
        return await self.s.deliveries.enqueue_many(queued, now) if queued else 0

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
                key = f"{commitment.id}:{row.period.key}"
                if not await self.jobs.claim(ESCALATION_JOB, key, now):
                    continue
                queued += await self._escalate(commitment, row, key)
        return queued

    async def _escalate(self, commitment: Commitment, row: PaceRow, key: str) -> int:
        def build(tr: Translator) -> OutgoingMessage:
            _ = tr.gettext
            if commitment.cadence is Cadence.MILESTONE:
                text = _("Missed: {title} was not reached by {due}.").format(
                    title=commitment.title.get(tr.locale), due=tr.date(row.period.end)
                )
            else:
                text = _(
                    "Missed target: {title}, {period}: {done} of {target} done, "
                    "{short} short. Please include it in the follow-up."
                ).format(
                    title=commitment.title.get(tr.locale),
                    period=period_label(row.period, tr),
                    done=row.done,
                    target=row.target,
                    short=(row.target or 0) - row.done,
                )
            return OutgoingMessage(text)

        return await PeopleService(self.s).message_admins(
            "escalation", f"escalation:{key}:{{admin}}", build
        )

    async def who_gets_what(self) -> list[tuple[StaffMember, list[Commitment]]]:
        today = self.s.clock.today()
        members = await self.s.staff.list_active()
        return [
            (m, [c for c in self.s.promise.commitments if self.recipients_for([m], c, today)])
            for m in members
        ]

    async def pause(self, user_id: int, until: date | None) -> None:
        await self.s.staff.pause_reminders(user_id, until)
        await self.s.audit.record(
            self.s.clock.now(), user_id, "reminders.pause", f"user:{user_id}", until=until
        )
