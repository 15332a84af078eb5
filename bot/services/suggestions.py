"""Residents' suggestions and unsafe places ("Ni sa – vi gjorde"): the card a resident
fills in, storing it (the text through the personal-data check, no chat id unless she asks to
be told), the coordinators' groups and what they decide, the one message back through the
outbox, the digest's line and the published counts."""

from __future__ import annotations

import logging
from collections.abc import Callable
from dataclasses import dataclass, field, replace
from datetime import datetime, timedelta

from bot.domain.errors import UserFacingError
from bot.domain.records import Event, GroupStatus, Suggestion, SuggestionGroup, SuggestionKind
from bot.domain.voice import (
    PUBLISH_FROM,
    DeclineReason,
    Reading,
    TimeOfDay,
    VoiceGroup,
    VoiceSummary,
    Why,
    group_key,
)
from bot.i18n import N_
from bot.language.pii import redact
from bot.render import Screen
from bot.render import suggestions as render
from bot.services import Services, outgoing
from bot.services.events import EventService
from storage.deliveries import NewDelivery
from storage.suggestions import NewSuggestion, SuggestionRepo

log = logging.getLogger(__name__)

# Events a group of suggestions can become: the public kinds residents come to.
LINKABLE_DAYS = 180


@dataclass
class VoiceDraft:
    """A suggestion card not passed on yet (typed ``user_data`` scratch, never the record):
    the text already through the personal-data check."""

    kind: SuggestionKind
    text: str
    locale: str
    theme: str | None = None
    area: str | None = None
    place: str | None = None
    time_of_day: TimeOfDay | None = None
    reasons: list[Why] = field(default_factory=list)
    event_id: int | None = None

    @property
    def reading(self) -> Reading:
        return Reading(
            self.kind, self.theme, self.area, self.place, self.time_of_day, tuple(self.reasons)
        )


class SuggestionService:
    def __init__(self, services: Services, events: EventService | None = None) -> None:
        self.s = services
        self.events = events or EventService(services)
        self.repo = SuggestionRepo(services.db, services.promise.id)

    # --- residents -----------------------------------------------------------------------

    @staticmethod
    def draft(text: str, reading: Reading, locale: str, event_id: int | None = None) -> VoiceDraft:
        """A card from what was read; the text is redacted before it is kept anywhere."""
        return VoiceDraft(
            kind=reading.kind,
            text=redact(text)[:1000],
            locale=locale,
            theme=reading.theme,
            area=reading.area,
            place=reading.place,
            time_of_day=reading.time_of_day,
            reasons=list(reading.reasons),
            event_id=event_id,
        )

    def set_area(self, draft: VoiceDraft, area: str) -> bool:
        if area not in {a.id for a in self.s.promise.areas}:
            return False
        draft.area = area
        return True

    async def event_for(self, event_id: int | None) -> Event | None:
        """The planned public event a poster link names, if it still is one."""
        if event_id is None:
            return None
        event = await self.s.events.get(event_id)
        if event is None or not self.events.is_public(event) or event.status != "planned":
            return None
        return event

    async def submit(self, draft: VoiceDraft, follower: int | None) -> int:
        """Keep it: no chat id unless ``follower`` (she asked to be told)."""
        now = self.s.clock.now()
        key = group_key(draft.kind, draft.theme, draft.area)
        suggestion_id = await self.repo.add(
            NewSuggestion(
                kind=draft.kind,
                group=key,
                text=redact(draft.text),
                locale=draft.locale,
                theme=draft.theme,
                area=draft.area,
                place=draft.place,
                time_of_day=draft.time_of_day.value if draft.time_of_day else None,
                reasons=tuple(r.value for r in draft.reasons),
                event_id=draft.event_id,
            ),
            now,
            follower,
        )
        log.info("suggestion %d received (%s)", suggestion_id, key)
        return suggestion_id

    async def following(self, chat_id: int) -> int:
        return await self.repo.following(chat_id)

    # --- coordinators -----------------------------------------------------------------------

    async def groups(self) -> list[SuggestionGroup]:
        return await self.repo.groups()

    async def group(self, key: str) -> tuple[SuggestionGroup, list[Suggestion], Event | None]:
        group = await self.repo.group(key)
        if group is None:
            raise UnknownGroup()
        event = await self.s.events.get(group.event_id) if group.event_id else None
        return group, await self.repo.in_group(key), event

    async def linkable_events(self) -> list[Event]:
        return await self.events.upcoming(days=LINKABLE_DAYS)

    async def link(self, key: str, event_id: int, by: int) -> int:
        """The group becomes this planned event; its residents who asked are told. Returns
        how many are told."""
        await self.group(key)
        event = await self.event_for(event_id)
        if event is None:
            raise UnknownGroup()
        now = self.s.clock.now()
        await self.repo.set_status(key, GroupStatus.PLANNED, now, by, event_id=event_id)
        await self.s.audit.record(now, by, "suggestions.link", key, event=event_id)

        def build(tr_locale: str) -> Screen:
            return render.told_planned(self.s.translator(tr_locale), self.s.promise, key, event)

        return await self._tell(key, build, now)

    async def decline(self, key: str, reason: DeclineReason, by: int) -> int:
        await self.group(key)
        now = self.s.clock.now()
        await self.repo.set_status(key, GroupStatus.DECLINED, now, by, reason=reason.value)
        await self.s.audit.record(now, by, "suggestions.decline", key, reason=reason.value)

        def build(tr_locale: str) -> Screen:
            return render.told_declined(
                self.s.translator(tr_locale), self.s.promise, key, reason.value
            )

        return await self._tell(key, build, now)

    async def set_status(self, key: str, status: GroupStatus, by: int) -> None:
        group, _items, _event = await self.group(key)
        now = self.s.clock.now()
        event_id = group.event_id if status is GroupStatus.DONE else None
        await self.repo.set_status(key, status, now, by, event_id=event_id)
        await self.s.audit.record(now, by, f"suggestions.{status.value}", key)

    async def _tell(self, key: str, build: Callable[[str], Screen], now: datetime) -> int:
        """One message to each resident of the group who asked and was not told yet, in her
        language, through the outbox."""
        followers = await self.repo.untold(key)
        queued = [
            NewDelivery(
                chat_id=f.chat_id,
                kind="suggestion",
                message=outgoing(build(f.locale)),
                not_before=now,
                dedupe_key=f"suggestion:{f.suggestion_id}",
            )
            for f in followers
        ]
        if queued:
            await self.s.deliveries.enqueue_many(queued, now)
        await self.repo.mark_told([f.suggestion_id for f in followers], now)
        return len(queued)

    async def new_this_week(self) -> list[tuple[str, int]]:
        """For the Monday digest: groups with suggestions of the last seven days."""
        return await self.repo.count_since(self.s.clock.now() - timedelta(days=7))

    async def purge(self) -> int:
        """Forget the chat ids of residents told more than 30 days ago."""
        return await self.repo.purge(self.s.clock.now())

    # --- published -------------------------------------------------------------------------

    async def summary(self, locale: str) -> VoiceSummary:
        """Counts per theme and area from ``PUBLISH_FROM`` suggestions; never a text or a
        person. Several kommuner: only those that came in for this kommun's promises (one
        promise's suggestions carry on into the next of the same kommun)."""
        tr = self.s.translator(locale)
        shown: list[VoiceGroup] = []
        total = hidden = 0
        kommun = tuple(p.id for p in self.s.promises.of(self.s.promise.municipality))
        for group in await self.repo.groups(kommun if len(self.s.promises) > 1 else None):
            total += group.count
            if group.count < PUBLISH_FROM:
                hidden += group.count
                continue
            title = day = None
            if group.event_id is not None:
                event = await self.s.events.get(group.event_id)
                if event is not None and self.events.is_public(event):
                    title = redact(event.title)
                    day = tr.local(event.starts_at).date().isoformat()
            shown.append(VoiceGroup(group.key, group.count, group.status, group.reason, title, day))
        shown.sort(key=lambda g: (-g.count, g.key))
        return VoiceSummary(shown, total, hidden)


class UnknownGroup(UserFacingError):
    msgid = N_("That group of suggestions, or the event, no longer exists.")


def with_reasons(draft: VoiceDraft, why: Why) -> VoiceDraft:
    """``why`` toggled on the card."""
    reasons = [r for r in draft.reasons if r is not why]
    if len(reasons) == len(draft.reasons):
        reasons.append(why)
    return replace(draft, reasons=reasons)
