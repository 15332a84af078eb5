"""Staff reports: a one-line message or the guided flow becomes a draft; nothing is counted
until it is saved. Saving checks for personal data, the date and the role; every create,
edit and retract is audited. Milestones are reached once, confirmed by an admin."""

from __future__ import annotations

from dataclasses import asdict, dataclass, replace
from datetime import date, timedelta
from typing import Any

from bot.errors import NotFound, UserFacingError
from bot.i18n import N_, Translator
from bot.pii import pii_kinds, redact
from bot.promise import Cadence
from bot.report_parser import parse_report
from bot.roles import Actor
from bot.services import Services
from bot.services.people import PeopleService
from storage.activities import NewActivity
from storage.deliveries import OutgoingMessage
from storage.records import Activity

PLACE_MAX = 120
NOTE_MAX = 500
COUNT_MAX = 10_000  # more people than this at one activity is a typo


class PersonalData(UserFacingError):
    msgid = N_(
        "Your text contains personal data ({kinds}). Reports must not hold personal identity "
        "numbers, phone numbers or e-mail addresses, so I have not saved it."
    )


class ReportInvalid(UserFacingError):
    msgid = N_("That report cannot be saved: {why}")


class NotYourReport(UserFacingError):
    msgid = N_("You can only change your own reports.")


@dataclass(frozen=True)
class Draft:
    commitment: str | None
    date: date
    count: int | None = None
    place: str | None = None
    note: str = ""
    activity_id: int | None = None  # set when editing a saved report

    def to_data(self) -> dict[str, Any]:
        data = asdict(self)
        data["date"] = self.date.isoformat()
        return data

    @classmethod
    def from_data(cls, data: object) -> Draft | None:
        """Scratch data from the conversation; anything odd means "no draft"."""
        if not isinstance(data, dict):
            return None
        try:
            return cls(
                commitment=data.get("commitment"),
                date=date.fromisoformat(str(data["date"])),
                count=data.get("count"),
                place=data.get("place"),
                note=str(data.get("note") or ""),
                activity_id=data.get("activity_id"),
            )
        except (KeyError, ValueError, TypeError):
            return None

    @property
    def pii(self) -> list[str]:
        return pii_kinds(f"{self.place or ''}\n{self.note}")

    def redacted(self) -> Draft:
        return replace(
            self, place=redact(self.place) if self.place else None, note=redact(self.note)
        )


KIND_LABEL = {"personnummer": N_("personal identity number"), "phone": N_("phone number"),
              "email": N_("e-mail address")}  # fmt: skip


class ReportingService:
    def __init__(self, services: Services) -> None:
        self.s = services
        self.people = PeopleService(services)

    def draft_from_text(self, text: str) -> Draft | None:
        """A draft when the text names a commitment; None when it is not a report."""
        today = self.s.clock.today()
        parsed = parse_report(text[:1000], self.s.promise, today)
        if parsed.commitment is None:
            return None
        return Draft(
            commitment=parsed.commitment,
            date=parsed.date or today,
            count=parsed.count,
            place=parsed.place,
            note=text.strip()[:NOTE_MAX],
        )

    def blank(self) -> Draft:
        return Draft(commitment=None, date=self.s.clock.today())

    def check(self, draft: Draft) -> None:
        if draft.commitment is None or self.s.promise.get(draft.commitment) is None:
            raise ReportInvalid(why=N_("choose what kind of activity it was"))
        today = self.s.clock.today()
        if draft.date > today:
            raise ReportInvalid(why=N_("the date is in the future"))
        window = self.s.promise.window
        if not window.start - timedelta(days=366) <= draft.date <= window.end:
            raise ReportInvalid(why=N_("the date is outside the promise period"))
        if draft.count is not None and not 0 <= draft.count <= COUNT_MAX:
            raise ReportInvalid(why=N_("the number of people is not plausible"))
        if draft.place and len(draft.place) > PLACE_MAX:
            raise ReportInvalid(why=N_("the place is too long"))
        if draft.pii:
            raise PersonalData(kinds=", ".join(draft.pii))

    async def save(self, actor: Actor, draft: Draft) -> Activity:
        await self.people.require_staff(actor, "report")
        self.check(draft)
        assert draft.commitment is not None
        now = self.s.clock.now()
        async with self.s.db.transaction():
            if draft.activity_id is not None:
                old = await self._own(actor, draft.activity_id)
                await self.s.activities.update(
                    old.id, now, commitment=draft.commitment, day=draft.date, place=draft.place,
                    count=draft.count, description=draft.note,
                )  # fmt: skip
                await self.s.audit.record(now, actor.user_id, "activity.edit", f"activity:{old.id}")
                updated = await self.s.activities.get(old.id)
                assert updated is not None
                return updated
            activity = await self.s.activities.add(
                NewActivity(
                    draft.commitment, draft.date, draft.place, draft.count, draft.note,
                    source="chat", reported_by=actor.user_id,
                ),
                now,
            )  # fmt: skip
            await self.s.audit.record(
                now, actor.user_id, "activity.create", f"activity:{activity.id}",
                commitment=draft.commitment,
            )  # fmt: skip
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
            text = tr.gettext("{name} says this milestone is reached: {title}. Confirm?").format(
                name=actor.name or actor.user_id, title=commitment.title.get(tr.locale)
            )
            buttons = [[(tr.gettext("Confirm milestone"), f"ms:ok:{commitment_id}")]]
            return OutgoingMessage(text, buttons)

        await self.people.message_admins(
            "milestone", f"milestone:{commitment_id}:{{admin}}:{now.date()}", build
        )
        await self.s.audit.record(now, actor.user_id, "milestone.request", commitment_id)
        return False

    async def confirm_milestone(self, actor: Actor, commitment_id: str) -> bool:
        await self.people.require_admin(actor, "milestone.confirm")
        if not self.is_milestone(commitment_id):
            raise NotFound()
        now = self.s.clock.now()
        done = await self.s.milestones.confirm(commitment_id, now.date(), actor.user_id, now)
        if done:
            await self.s.audit.record(now, actor.user_id, "milestone.confirm", commitment_id)
        return True
