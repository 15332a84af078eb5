"""The safety pulse (``bot.domain.pulse``): who is invited and when, the poll a tap asks for,
the answers Telegram reports, the official figures, and the summary the page, /status and
the digest show.

The bot never stores who answered what: a poll is kept with its area and quarter only, and
per resident only whether and in which quarter she was asked.
"""

from __future__ import annotations

import enum
import logging
from collections import Counter
from dataclasses import dataclass
from datetime import date, datetime, time, timedelta

from bot.domain.pulse import (
    AreaSafety,
    Feeling,
    OfficialFigure,
    PulseFigure,
    SafetySummary,
    quarter_of,
    tally,
    worsened,
)
from bot.domain.roles import Actor
from bot.language.suggestions import place_named
from bot.render import pulse as render
from bot.services import Services, outgoing
from bot.services.people import PeopleService
from storage.deliveries import NewDelivery
from storage.events import EventReminderRepo
from storage.pulse import PulseRepo

log = logging.getLogger(__name__)

AFTER_EVENT = timedelta(minutes=30)  # the question comes this long after the event's end
ASKED_BACK = timedelta(days=2)  # events that ended longer ago than this are not asked about
# Invitations are sent in the day, never in the evening or at night (local time).
DAY_FROM, DAY_UNTIL = time(9, 0), time(20, 0)
OPT_IN_ASKED, OPT_IN_YES, OPT_IN_NO = -1, 1, 0


class NotAsked(enum.Enum):
    """Why a resident is not sent the question now (the handler says so in her words)."""

    STAFF = "staff"
    NO_AREAS = "no_areas"
    ALREADY = "already"


@dataclass(frozen=True)
class PollRequest:
    """A tap on an area: the poll the handler sends; ``before``: the quarter the resident
    was last sent the question (given back if the send fails)."""

    area: str
    quarter: str
    before: str | None


class PulseService:
    def __init__(self, services: Services, people: PeopleService) -> None:
        self.s = services
        self.people = people
        self.repo = PulseRepo(services.db, services.promise.id)
        self.reminders = EventReminderRepo(services.db)
        self._areas: dict[str, str | None] = {}

    @property
    def has_areas(self) -> bool:
        return bool(self.s.promise.areas)

    def promise_index(self) -> int:
        return self.s.promises.index(self.s.promise)

    def _day_time(self, moment: datetime) -> datetime:
        """``moment``, or the next 09:00 when it falls in the evening or at night."""
        local = moment.astimezone(self.s.clock.tz)
        if DAY_FROM <= local.time() < DAY_UNTIL:
            return moment
        day = local.date() if local.time() < DAY_FROM else local.date() + timedelta(days=1)
        return datetime.combine(day, DAY_FROM, tzinfo=self.s.clock.tz)

    # --- asking ---------------------------------------------------------------------------

    async def _invite(self, chat_id: int, locale: str | None, when: datetime, key: str) -> bool:
        """Queue the invitation to one resident, unless she is staff, said no, or was
        invited or asked this quarter."""
        now = self.s.clock.now()
        quarter = quarter_of(when.astimezone(self.s.clock.tz).date())
        if await self.people.is_staff(chat_id) or await self.repo.opt_in(chat_id) == OPT_IN_NO:
            return False
        lang = locale or self.s.settings.locale
        if not await self.repo.invite(chat_id, quarter, lang, now):
            return False
        screen = render.invitation(self.s.translator(lang), self.s.promise, self.promise_index())
        return await self.s.deliveries.enqueue(
            NewDelivery(chat_id, "pulse", outgoing(screen), when, dedupe_key=key), now
        )

    async def after_events_tick(self) -> int:
        """After a theme meeting or dialogue (the promise's ``pulse.after``) has ended, the
        residents who had a reminder for it are invited, once."""
        if not self.has_areas or not self.s.promise.pulse.after:
            return 0
        now = self.s.clock.now()
        queued = 0
        ended = await self.repo.ended_events(
            self.s.promise.pulse.after, now - ASKED_BACK, now - AFTER_EVENT
        )
        for event_id in ended:
            if not await self.repo.mark_event(event_id, now):
                continue
            when = self._day_time(now)
            for chat_id, locale in await self.reminders.chats(event_id):
                key = self.s.keyed(f"pulse:event:{event_id}:{chat_id}")
                queued += int(await self._invite(chat_id, locale, when, key))
        if queued:
            log.info("safety pulse: %d resident(s) invited after an event", queued)
        return queued

    async def quarterly_tick(self) -> int:
        """Residents who opted in get the invitation once a quarter, in the day."""
        if not self.has_areas:
            return 0
        now = self.s.clock.now()
        if self._day_time(now) != now:
            return 0
        quarter = quarter_of(now.astimezone(self.s.clock.tz).date())
        queued = 0
        kommun = self.s.promise.municipality
        home = kommun == self.s.promises.home
        for chat_id, locale in await self.repo.quarterly_due(quarter, kommun, home):
            key = self.s.keyed(f"pulse:quarter:{quarter}:{chat_id}")
            queued += int(await self._invite(chat_id, locale, now, key))
        if queued:
            log.info("safety pulse: %d resident(s) invited for %s", queued, quarter)
        return queued

    async def may_ask(self, actor: Actor) -> NotAsked | None:
        """None when ``actor`` may be asked now; else why not."""
        if actor.is_staff or await self.people.is_staff(actor.user_id):
            return NotAsked.STAFF
        if not self.has_areas:
            return NotAsked.NO_AREAS
        quarter = quarter_of(self.s.clock.today())
        if await self.repo.sent_quarter(actor.user_id) == quarter:
            return NotAsked.ALREADY
        return None

    async def request_poll(self, actor: Actor, area_index: int) -> PollRequest | NotAsked:
        """A tap on an area: the poll to send, or what she is told instead (staff, asked this
        quarter, an area that is not there)."""
        refusal = await self.may_ask(actor)
        if refusal is not None:
            return refusal
        areas = self.s.promise.areas
        if not 0 <= area_index < len(areas):
            return NotAsked.NO_AREAS
        quarter = quarter_of(self.s.clock.today())
        before = await self.repo.claim_quarter(
            actor.user_id, quarter, actor.locale, self.s.clock.now()
        )
        if before is False:
            return NotAsked.ALREADY
        assert before is None or isinstance(before, str)
        return PollRequest(areas[area_index].id, quarter, before)

    async def poll_sent(self, request: PollRequest, poll_id: str) -> None:
        await self.repo.add_poll(poll_id, request.area, request.quarter)

    async def poll_failed(self, actor: Actor, request: PollRequest) -> None:
        await self.repo.give_back(actor.user_id, request.before)

    async def record(self, poll_id: str, counts: list[int]) -> bool:
        """Telegram's counts of one of our polls (any promise's: the poll id is unique)."""
        return await self.repo.record(poll_id, counts)

    async def offer_opt_in(self, actor: Actor) -> bool:
        """Whether to ask ``actor`` now to be asked once a quarter: residents, once ever."""
        if not self.has_areas or await self.may_ask(actor) is NotAsked.STAFF:
            return False
        if await self.repo.opt_in(actor.user_id) is not None:
            return False
        await self.repo.set_opt_in(actor.user_id, OPT_IN_ASKED, actor.locale, self.s.clock.now())
        return True

    async def set_opt_in(self, actor: Actor, yes: bool) -> None:
        value = OPT_IN_YES if yes else OPT_IN_NO
        await self.repo.set_opt_in(actor.user_id, value, actor.locale, self.s.clock.now())

    async def opted_in(self, actor: Actor) -> bool:
        return await self.repo.opt_in(actor.user_id) == OPT_IN_YES

    # --- the figures ----------------------------------------------------------------------

    async def import_official(self, figures: list[OfficialFigure]) -> int:
        return await self.repo.add_official(figures, self.s.clock.now())

    def _area_of(self, place: str) -> str | None:
        """The promise's area a reported place is in (read once per distinct place)."""
        if place not in self._areas:
            found = place_named(place, self.s.promise)
            self._areas[place] = found[0] if found is not None else None
            if len(self._areas) > 4096:
                self._areas.clear()
        return self._areas[place]

    async def summary(self, *, efforts: bool = False) -> SafetySummary:
        """Per area: the pulse per quarter and the official figures; ``efforts``: also the
        days the marked commitments were held there (the page's time line)."""
        promise = self.s.promise
        minimum = promise.pulse.min_answers
        counts = await self.repo.counts(len(Feeling))
        official = await self.repo.official()
        held: dict[str, list[tuple[date, str]]] = {}
        if efforts:
            for place, day, commitment, _n in await self.s.activities.places(promise.pulse.marked):
                area = self._area_of(place)
                if area is not None:
                    held.setdefault(area, []).append((day, commitment))
        ids = [a.id for a in promise.areas]
        extra = sorted({f.area for f in official} - set(ids))  # the whole kommun first
        areas = []
        for area in [*extra, *ids]:
            pulse = tuple(
                PulseFigure(area, quarter, *tally([summed]), min_answers=minimum)
                for (a, quarter), summed in sorted(counts.items(), key=lambda kv: kv[0][1])
                if a == area
            )
            mine = tuple(f for f in official if f.area == area)
            if not pulse and not mine:
                continue
            areas.append(AreaSafety(area, pulse, mine, tuple(sorted(set(held.get(area, []))))))
        return SafetySummary(tuple(areas), minimum)

    async def areas_of(self, commitment_id: str) -> list[AreaSafety]:
        """The areas a commitment's activities were held in, most often first, with their
        figures (/status detail)."""
        held: Counter[str] = Counter()
        for place, _day, _c, n in await self.s.activities.places((commitment_id,)):
            area = self._area_of(place)
            if area is not None:
                held[area] += n
        if not held:
            return []
        summary = await self.summary()
        found = [summary.area(area) for area, _n in held.most_common()]
        return [a for a in found if a is not None and a.pulse]

    async def worsened_areas(self) -> list[AreaSafety]:
        """Areas whose latest published quarter is worse than the one before, beyond both
        figures' uncertainty (the Monday digest)."""
        summary = await self.summary()
        return [a for a in summary.areas if (t := a.trend) is not None and worsened(*t)]
