"""How the promise is going, for residents: /progress, following commitments, and the
published follow-up report. Numbers come from the pace engine only."""

from __future__ import annotations

import bisect
import logging
from dataclasses import replace
from datetime import date, datetime, time, timedelta

from bot.domain.pace import CommitmentFacts, target_for
from bot.domain.pace import history as pace_history
from bot.domain.periods import periods_for
from bot.domain.promise import Commitment, Visibility
from bot.domain.records import Activity
from bot.domain.roles import Actor
from bot.domain.views import CommitmentProgress, Progress
from bot.render import progress as render
from bot.services import Services, outgoing
from bot.services.pace import PaceService
from storage.deliveries import NewDelivery
from storage.follows import FollowRepo
from storage.jobs import JobRunRepo

log = logging.getLogger(__name__)

FOLLOW_JOB = "follow"
FOLLOW_SEND_TIME = time(17, 0)


def activity_visible(
    commitment: Commitment,
    activity: Activity,
    today: date,
    delay: int,
    event_visibility: Visibility | None = None,
) -> bool:
    """Whether a resident may see this single activity (its date and place). An activity
    reported from a planned event is never more visible than that event."""
    visibility = commitment.visibility
    if event_visibility is not None:
        visibility = event_visibility.at_most(visibility)
    if visibility is Visibility.PUBLIC:
        return activity.date <= today
    if visibility is Visibility.AFTER:
        return activity.date <= today - timedelta(days=delay)
    return False


def resident_facts(
    commitment: Commitment, facts: CommitmentFacts, internal: bool
) -> CommitmentFacts:
    """What residents' states are computed from. For a count-only commitment the plans are
    secret, so its state must not move because something is planned: it is judged on what
    was done alone (docs/product.md: counts and state, never dates, places or plans)."""
    if internal or commitment.visibility is not Visibility.COUNT_ONLY:
        return facts
    return replace(facts, planned_dates=())


class ProgressService:
    def __init__(self, services: Services, pace: PaceService | None = None) -> None:
        self.s = services
        self.pace = pace or PaceService(services)
        self.jobs = JobRunRepo(services.db)
        self.follow_repo = FollowRepo(services.db, services.promise.id)

    async def progress(self, today: date | None = None, internal: bool = False) -> Progress:
        today = today or self.s.clock.today()
        facts = await self.pace.facts()
        items = []
        for commitment in self.s.promise.commitments:
            cfacts = resident_facts(commitment, facts[commitment.id], internal)
            # One scan of the facts for all commitments, not one per commitment.
            history = pace_history(commitment, self.s.promise, cfacts, today)
            if not internal and commitment.visibility is Visibility.COUNT_ONLY:
                # Residents get a count-only commitment's counts and state, nothing about
                # how each operation went (who took part, whether it was planned).
                history = [replace(row, conditions=None) for row in history]
            current = next((r for r in history if today in r.period), history[-1])
            done_total = bisect.bisect_right(cfacts.done_dates, today)  # dates are sorted
            promised = [target_for(commitment, p) for p in periods_for(commitment, self.s.promise)]
            promised_total = (
                sum(t for t in promised if t is not None) if commitment.is_counted else None
            )
            items.append(
                CommitmentProgress(commitment, current, history, done_total, promised_total)
            )
        recent = await self.s.activities.recent(limit=200, until=today)
        delay = self.s.promise.after_delay_days
        events = await self._event_visibility(recent)
        visible = [
            a
            for a in recent
            if (c := self.s.promise.get(a.commitment)) is not None
            and (internal or activity_visible(c, a, today, delay, events.get(a.event_id)))
        ]
        return Progress(today, items, visible)

    async def _event_visibility(self, activities: list[Activity]) -> dict[int | None, Visibility]:
        ids = sorted({a.event_id for a in activities if a.event_id is not None})
        found = await self.s.events.visibilities(ids)
        return {event_id: Visibility(v) for event_id, v in found.items()}

    # Following ---------------------------------------------------------------------------

    def followable(self) -> list[Commitment]:
        return [c for c in self.s.promise.commitments if c.visibility is not Visibility.COUNT_ONLY]

    async def follows(self, chat_id: int) -> set[str]:
        return await self.follow_repo.of_chat(chat_id)

    async def set_follow(
        self, chat_id: int, commitment: Commitment, on: bool, by: Actor | None = None
    ) -> None:
        """``by``: whoever tapped; their language is remembered so the news arrives in it."""
        if commitment.visibility is Visibility.COUNT_ONLY:
            raise ValueError("internal commitments cannot be followed")
        if by is not None:
            await self.s.users.set_locale(by.user_id, by.locale, self.s.clock.now())
        if on:
            await self.follow_repo.add(chat_id, commitment.id, self.s.clock.now())
        else:
            await self.follow_repo.remove(chat_id, commitment.id)

    async def follow_tick(self) -> int:
        """Once a day at 17:00: one message per follower with what moved since the last run."""
        now = self.s.clock.now()
        today = now.date()
        if now < datetime.combine(today, FOLLOW_SEND_TIME, tzinfo=self.s.clock.tz):
            return 0
        job = self.s.keyed(FOLLOW_JOB)  # per promise when there are several
        since = await self.jobs.last_run(job) or now - timedelta(days=1)
        if not await self.jobs.claim(job, today.isoformat(), now):
            return 0
        news = await self._news_since(since, today)
        if not news:
            return 0
        per_chat: dict[int, tuple[str | None, list[str]]] = {}
        for chat_id, commitment_id, locale in await self.follow_repo.followers():
            if commitment_id in news:
                per_chat.setdefault(chat_id, (locale, []))[1].append(commitment_id)
        deliveries = []
        for chat_id, (locale, ids) in per_chat.items():
            tr = self.s.translator(locale)
            screen = render.news(tr, [news[i] for i in ids], today)
            key = self.s.keyed(f"follow:{chat_id}:{today.isoformat()}")
            deliveries.append(NewDelivery(chat_id, "follow", outgoing(screen), now, dedupe_key=key))
        queued = await self.s.deliveries.enqueue_many(deliveries, now)
        log.info("follow news: %d message(s) queued for %d follower(s)", queued, len(per_chat))
        return queued

    async def _news_since(self, since: datetime, today: date) -> dict[str, CommitmentProgress]:
        progress = await self.progress(today)
        moved: set[str] = set()
        new_activities = await self.s.activities.created_since(since)
        delay = self.s.promise.after_delay_days
        events = await self._event_visibility(new_activities)
        for activity in new_activities:
            commitment = self.s.promise.get(activity.commitment)
            shown = events.get(activity.event_id)
            if commitment is not None and activity_visible(
                commitment, activity, today, delay, shown
            ):
                moved.add(commitment.id)
        for milestone in (await self.s.milestones.all()).values():
            if milestone.confirmed_at > since:
                moved.add(milestone.commitment)
        for item in progress.items:
            if any(since.date() <= row.period.end < today for row in item.history):
                moved.add(item.commitment.id)
        return {
            i.commitment.id: i
            for i in progress.items
            if i.commitment.id in moved and i.commitment.visibility is not Visibility.COUNT_ONLY
        }
