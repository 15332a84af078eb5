"""A saved report's answers to its commitment's conditions (bot.domain.conditions): what a
text, the reporter's organisation and a planned event say, and the staff's own answer to
a condition, audited. The report card calls these; the pace engine reads what is stored."""

from __future__ import annotations

from collections.abc import Mapping

from bot.domain.conditions import Status, Verdict, verdict
from bot.domain.errors import NotFound
from bot.domain.records import Activity
from bot.domain.roles import Actor
from bot.language.report_parser import told_conditions
from bot.services import Services
from bot.services.people import PeopleService
from bot.services.reporting import NotYourReport


class ConditionService:
    def __init__(self, services: Services, people: PeopleService | None = None) -> None:
        self.s = services
        self.people = people or PeopleService(services)

    def read(self, commitment_id: str, text: str, org: str | None = None) -> dict[str, Status]:
        """What a staff text and the reporter's organisation say about the commitment's
        conditions; what neither says is left out (unknown). The text wins: "polisen var
        inte med" from a police officer is not met."""
        commitment = self.s.promise.get(commitment_id)
        if commitment is None:
            return {}
        return told_conditions(text, commitment, org)

    def verdict(self, activity: Activity) -> Verdict | None:
        """Whether a saved report counts and why not; None for an unknown commitment."""
        commitment = self.s.promise.get(activity.commitment)
        return None if commitment is None else verdict(commitment, activity.conditions)

    async def answer(
        self, actor: Actor, activity_id: int, answers: Mapping[str, Status]
    ) -> Activity:
        """A staff member's answers for their saved report (an admin's for anyone's): each
        given condition is set, ``unknown`` clears one; the others stay. Audited."""
        await self.people.require_staff(actor, "report.edit")
        activity = await self.s.activities.get(activity_id)
        if activity is None or activity.retracted_at is not None:
            raise NotFound()
        if activity.reported_by != actor.user_id and not actor.is_admin:
            raise NotYourReport()
        commitment = self.s.promise.get(activity.commitment)
        if commitment is None:
            raise NotFound()
        merged = dict(activity.conditions)
        for key, value in answers.items():
            if commitment.condition(key) is None:
                continue
            if Status(value) is Status.UNKNOWN:
                merged.pop(key, None)
            else:
                merged[key] = Status(value)
        now = self.s.clock.now()
        async with self.s.db.transaction():
            await self.s.activities.set_conditions(activity.id, merged, now)
            await self.s.audit.record(
                now,
                actor.user_id,
                "activity.conditions",
                f"activity:{activity.id}",
                **{key: value.value for key, value in sorted(merged.items())},
            )
        updated = await self.s.activities.get(activity.id)
        assert updated is not None
        return updated
