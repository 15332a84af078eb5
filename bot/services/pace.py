"""Where the promise stands: storage facts fed to the pure pace engine.

Every number residents, staff and the published report see comes from here, so /progress,
/status, ``status --json`` and the report can never disagree.
"""

from __future__ import annotations

from bisect import bisect_left
from collections import Counter
from datetime import date

from bot.domain.conditions import counts
from bot.domain.pace import CommitmentFacts, PaceRow, history, status
from bot.domain.promise import Commitment
from bot.domain.records import Activity, Event
from bot.services import Services


class PaceService:
    def __init__(self, services: Services) -> None:
        self.s = services

    async def facts(self) -> dict[str, CommitmentFacts]:
        """One indexed scan of activities, one of planned events, one of milestones.

        A report counts unless it recorded one of its commitment's conditions as not met
        (bot.domain.conditions): every report's date, less those of the reports whose
        answers, judged against the promise file here, do not count (a second, small scan:
        only the reports that answered any condition)."""
        now = self.s.clock.now()
        done = await self.s.activities.counted_dates()
        answered = await self.s.activities.answered()
        planned_at = await self.s.events.planned_start_dates(now)
        milestones = await self.s.milestones.all()
        tz = self.s.clock.tz
        facts: dict[str, CommitmentFacts] = {}
        for commitment in self.s.promise.commitments:
            cid = commitment.id
            reached = milestones.get(cid)
            own = answered.get(cid, [])
            counted = done.get(cid, [])
            judged: dict[int, bool] = {}  # equal answers are one object (ActivityRepo.answered)
            failed: Counter[date] = Counter()
            for day, a, n in own:
                if id(a) not in judged:
                    judged[id(a)] = counts(commitment, a)
                if not judged[id(a)]:
                    failed[day] += n
            if failed:
                # The dates are sorted: cut each day's reports that do not count.
                counted = list(counted)
                for day, n in sorted(failed.items(), reverse=True):
                    first = bisect_left(counted, day)
                    del counted[first : first + n]
            facts[cid] = CommitmentFacts(
                done_dates=counted,
                answered=own,
                planned_dates=[moment.astimezone(tz).date() for moment in planned_at.get(cid, [])],
                milestone_reached=reached.reached_on if reached else None,
            )
        return facts

    def today(self) -> date:
        return self.s.clock.today()

    async def current(self, today: date | None = None) -> list[PaceRow]:
        """One row per commitment for the period containing ``today`` (default: now)."""
        return status(self.s.promise, await self.facts(), today or self.today())

    async def detail(
        self, commitment: Commitment
    ) -> tuple[list[PaceRow], list[Activity], list[Event]]:
        """/status's detail view: every period so far, the latest reports, what is planned."""
        history = await self.history(commitment)
        recent = await self.s.activities.recent(commitment.id, limit=5)
        upcoming = await self.s.events.upcoming(self.s.clock.now(), commitment=commitment.id)
        return history, recent, upcoming

    async def history(self, commitment: Commitment, today: date | None = None) -> list[PaceRow]:
        facts = (await self.facts())[commitment.id]
        return history(commitment, self.s.promise, facts, today or self.today())
