"""Staff reports: a one-line message or the guided flow becomes a draft; nothing is counted
until it is saved. Saving checks for personal data, the date and the role; every create,
edit and retract is audited. Milestones are reached once, confirmed by an admin."""

from __future__ import annotations

from dataclasses import dataclass, field, replace
from datetime import date, timedelta

from bot.domain.errors import NotFound, UserFacingError
from bot.domain.promise import Cadence
from bot.domain.records import Activity
from bot.domain.roles import Actor
from bot.domain.views import COUNT_MAX, KIND_LABEL, Draft, Problem
from bot.i18n import N_, Translator
from bot.language.pii import pii_kinds, redact
from bot.language.report_fix import DAYS_BACK_MAX, NOTE_MAX, PLACE_MAX, Field, looks_like_question
from bot.language.report_parser import ParsedReport, parse_report
from bot.render import milestones as render
from bot.services import Services, outgoing
from bot.services.people import PeopleService
from storage.activities import NewActivity
from storage.deliveries import NewDelivery, OutgoingMessage


class PersonalData(UserFacingError):
    msgid = N_(
        "Your text contains personal data ({kinds}). Reports must not hold personal identity "
        "numbers, phone numbers or e-mail addresses, so I have not saved it."
    )
    translated = ("kinds",)


class ReportInvalid(UserFacingError):
    msgid = N_("That report cannot be saved: {why}")
    translated = ("why",)


# The reason shown after "That report cannot be saved: …" (translated when rendered).
PROBLEM_REASON = {
    Problem.NO_KIND: N_("choose what kind of activity it was"),
    Problem.WHICH_DAY: N_("choose which day it was"),
    Problem.FUTURE: N_("the date is in the future"),
    Problem.OUTSIDE_WINDOW: N_("the date is outside the promise period"),
    Problem.COUNT: N_("the number of people is not plausible"),
    Problem.PLACE_TOO_LONG: N_("the place is too long"),
}


class NotYourReport(UserFacingError):
    msgid = N_("You can only change your own reports.")


@dataclass
class ReportScratch:
    """The report being written: conversation scratch in ``user_data``, never the record.

    ``steps`` are what the guided /report still has to ask; ``awaiting`` is the field the
    last question asked for (None while the card is shown)."""

    draft: Draft
    steps: list[Field] = field(default_factory=list)
    awaiting: Field | None = None

    def answered(self, *fields: Field) -> None:
        """A value given out of order (typed, or a button on an earlier message) is not
        asked again."""
        self.steps = [s for s in self.steps if s not in fields]


def redacted(draft: Draft) -> Draft:
    """The draft with personal data in its free text replaced by ``[…]`` marks."""
    return replace(
        draft, place=redact(draft.place) if draft.place else None, note=redact(draft.note)
    )


class ReportingService:
    def __init__(self, services: Services, people: PeopleService | None = None) -> None:
        self.s = services
        self.people = people or PeopleService(services)

    def draft_from_text(self, text: str) -> Draft | None:
        """A draft when the text names a commitment; None when it is not a report."""
        if looks_like_question(text):
            return None
        today = self.s.clock.today()
        parsed = parse_report(text[:1000], self.s.promise, today)
        if parsed.commitment is None:
            return None
        return self._draft(parsed.commitment, parsed, text, today)

    @staticmethod
    def _draft(commitment: str | None, parsed: ParsedReport, text: str, today: date) -> Draft:
        # A range is offered day by day, as far back as the card's buttons reach.
        choices = tuple(d for d in parsed.date_choices if (today - d).days <= DAYS_BACK_MAX)
        return Draft(
            commitment=commitment,
            date=choices[-1] if choices else parsed.date or today,
            count=parsed.count,
            place=parsed.place,
            note=text.strip()[:NOTE_MAX],
            date_choices=choices if len(choices) > 1 else (),
        )

    def report_like(self, text: str) -> Draft | None:
        """Staff text that reads like a report without naming what was done ("gick runt i
        bro centrum ikväll, pratade med typ 15 ungdomar"): a draft with the kind to choose,
        so it gets a card rather than the resident menu. A question is never report-like."""
        if looks_like_question(text):
            return None
        today = self.s.clock.today()
        parsed = parse_report(text[:1000], self.s.promise, today)
        clues = [
            parsed.date is not None or bool(parsed.date_choices),
            parsed.count is not None,
            parsed.place is not None,
        ]
        if sum(clues) < 2:
            return None
        return self._draft(None, parsed, text, today)

    def blank(self) -> Draft:
        return Draft(commitment=None, date=self.s.clock.today())

    def problems(self, draft: Draft) -> list[Problem]:
        """Everything that stops this draft from being saved, in the order to fix it."""
        found = []
        if draft.commitment is None or self.s.promise.get(draft.commitment) is None:
            found.append(Problem.NO_KIND)
        if draft.date_choices:
            found.append(Problem.WHICH_DAY)
        elif draft.date > self.s.clock.today():
            found.append(Problem.FUTURE)
        window = self.s.promise.window
        if not window.start - timedelta(days=366) <= draft.date <= window.end:
            found.append(Problem.OUTSIDE_WINDOW)
        if draft.count is not None and not 0 <= draft.count <= COUNT_MAX:
            found.append(Problem.COUNT)
        if draft.place and len(draft.place) > PLACE_MAX:
            found.append(Problem.PLACE_TOO_LONG)
        if pii_kinds(draft.free_text):
            found.append(Problem.PERSONAL_DATA)
        return found

    def check(self, draft: Draft) -> None:
        for problem in self.problems(draft):
            if problem is Problem.PERSONAL_DATA:
                raise PersonalData(kinds=[KIND_LABEL[k] for k in pii_kinds(draft.free_text)])
            raise ReportInvalid(why=PROBLEM_REASON[problem])

    async def duplicates(self, actor: Actor, draft: Draft) -> list[Activity]:
        """Saved reports that look like this one: same commitment and day, and the same
        reporter or the same place. Shown on the card; saving anyway is allowed."""
        if draft.commitment is None:
            return []
        same_day = [
            a
            for a in await self.s.activities.recent(draft.commitment, limit=50, until=draft.date)
            if a.date == draft.date and a.id != draft.activity_id
        ]
        place = (draft.place or "").casefold()
        return [
            a
            for a in same_day
            if a.reported_by == actor.user_id or (place and (a.place or "").casefold() == place)
        ]

    async def save(self, actor: Actor, draft: Draft) -> Activity:
        await self.people.require_staff(actor, "report")
        self.check(draft)
        assert draft.commitment is not None
        now = self.s.clock.now()
        async with self.s.db.transaction():
            if draft.activity_id is not None:
                old = await self._own(actor, draft.activity_id)
                await self.s.activities.update(
                    old.id,
                    now,
                    commitment=draft.commitment,
                    day=draft.date,
                    place=draft.place,
                    count=draft.count,
                    description=draft.note,
                )
                await self.s.audit.record(now, actor.user_id, "activity.edit", f"activity:{old.id}")
                updated = await self.s.activities.get(old.id)
                assert updated is not None
                return updated
            activity = await self.s.activities.add(
                NewActivity(
                    draft.commitment,
                    draft.date,
                    draft.place,
                    draft.count,
                    draft.note,
                    source="chat",
                    reported_by=actor.user_id,
                ),
                now,
            )
            await self.s.audit.record(
                now,
                actor.user_id,
                "activity.create",
                f"activity:{activity.id}",
                commitment=draft.commitment,
            )
            return activity

    async def _own(self, actor: Actor, activity_id: int) -> Activity:
        activity = await self.s.activities.get(activity_id)
        if activity is None or activity.retracted_at is not None:
            raise NotFound()
        if activity.reported_by != actor.user_id and not actor.is_admin:
            raise NotYourReport()
        return activity

    async def mine(self, actor: Actor) -> list[Activity]:
        await self.people.require_staff(actor, "myreports")
        return await self.s.activities.by_reporter(actor.user_id, limit=10)

    async def for_edit(self, actor: Actor, activity_id: int) -> Draft:
        await self.people.require_staff(actor, "report.edit")
        a = await self._own(actor, activity_id)
        return Draft(a.commitment, a.date, a.count, a.place, a.description, activity_id=a.id)

    async def set_count(self, actor: Actor, activity_id: int, count: int) -> Activity:
        await self.people.require_staff(actor, "report.edit")
        a = await self._own(actor, activity_id)
        draft = Draft(a.commitment, a.date, count, a.place, a.description, activity_id=a.id)
        return await self.save(actor, draft)

    async def retract(self, actor: Actor, activity_id: int) -> Activity:
        await self.people.require_staff(actor, "report.retract")
        activity = await self._own(actor, activity_id)
        now = self.s.clock.now()
        async with self.s.db.transaction():
            await self.s.activities.retract(activity.id, now)
            await self.s.audit.record(
                now, actor.user_id, "activity.retract", f"activity:{activity.id}"
            )
        return activity

    # --- milestones ------------------------------------------------------------------------

    def is_milestone(self, commitment_id: str | None) -> bool:
        c = self.s.promise.get(commitment_id or "")
        return c is not None and c.cadence is Cadence.MILESTONE

    async def request_milestone(self, actor: Actor, commitment_id: str) -> bool:
        """Staff say a milestone is reached: admins are asked to confirm. An admin's own
        request is the confirmation. Returns True when it is now confirmed."""
        await self.people.require_staff(actor, "milestone")
        if not self.is_milestone(commitment_id):
            raise NotFound()
        if actor.is_admin:
            return await self.confirm_milestone(actor, commitment_id)
        now = self.s.clock.now()
        commitment = self.s.promise.commitment(commitment_id)

        def build(tr: Translator) -> OutgoingMessage:
            who = actor.name or str(actor.user_id)
            return outgoing(render.confirm_request(tr, who, commitment))

        await self.people.message_admins(
            "milestone", f"milestone:{commitment_id}:{{admin}}:{now.date()}", build
        )
        await self.s.audit.record(now, actor.user_id, "milestone.request", commitment_id)
        return False

    async def reject_milestone(self, actor: Actor, commitment_id: str) -> None:
        """An admin says "not yet": nothing is recorded as reached; whoever asked is told."""
        await self.people.require_admin(actor, "milestone.confirm")
        if not self.is_milestone(commitment_id):
            raise NotFound()
        now = self.s.clock.now()
        await self.s.audit.record(now, actor.user_id, "milestone.reject", commitment_id)
        requests = await self.s.audit.recent(action="milestone.request")
        asked_by = next((e.actor_id for e in requests if e.target == commitment_id), None)
        if asked_by is None or asked_by == actor.user_id:
            return
        commitment = self.s.promise.commitment(commitment_id)
        tr = self.s.translator(await self.s.users.locale(asked_by))
        await self.s.deliveries.enqueue(
            NewDelivery(
                asked_by,
                "milestone",
                outgoing(render.not_yet(tr, commitment)),
                now,
                dedupe_key=f"milestone-no:{commitment_id}:{asked_by}:{now.isoformat()}",
            ),
            now,
        )

    async def confirm_milestone(self, actor: Actor, commitment_id: str) -> bool:
        await self.people.require_admin(actor, "milestone.confirm")
        if not self.is_milestone(commitment_id):
            raise NotFound()
        now = self.s.clock.now()
        async with self.s.db.transaction():
            done = await self.s.milestones.confirm(commitment_id, now.date(), actor.user_id, now)
            if done:
                await self.s.audit.record(now, actor.user_id, "milestone.confirm", commitment_id)
        return True
