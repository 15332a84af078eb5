"""Staff reports: a one-line message or the guided flow becomes a draft; nothing is counted
until it is saved. Saving checks for personal data, the date and the role; every create,
edit and retract is audited. Milestones are reached once, confirmed by an admin."""

from __future__ import annotations

import json
import logging
from collections.abc import Mapping
from dataclasses import dataclass, field, replace
from datetime import date, datetime, timedelta

from bot.domain.conditions import Status, Verdict, combine, verdict
from bot.domain.errors import NotFound, UserFacingError
from bot.domain.promise import Cadence, Commitment, Promise
from bot.domain.records import Activity, DraftRow, to_db
from bot.domain.roles import Actor
from bot.domain.views import COUNT_MAX, KIND_LABEL, Draft, Problem
from bot.i18n import N_, Translator, staff_locale
from bot.language.pii import pii_kinds, redact
from bot.language.report_fix import DAYS_BACK_MAX, NOTE_MAX, PLACE_MAX, Field, looks_like_question
from bot.language.report_parser import ParsedReport, parse_report, told_conditions
from bot.language.suggestions import place_named
from bot.render import milestones as render
from bot.render import reporting as render_cards
from bot.services import Services, outgoing
from bot.services.people import PeopleService
from storage.activities import NewActivity
from storage.deliveries import NewDelivery, OutgoingMessage
from storage.drafts import DraftRepo

log = logging.getLogger(__name__)

# A card touched this recently is the open one: typed fixes go to it.
CARD_OPEN = timedelta(hours=1)
# A card untouched this long: its owner is told it is not saved ...
CARD_WARN_AFTER = timedelta(hours=24)
# ... and it is dropped this long after that message, unless it is touched again.
CARD_KEEP_AFTER_WARNING = timedelta(hours=24)
CARDS_JOB_SECONDS = 600


@dataclass(frozen=True)
class PromiseChoice:
    """The promise a report counts for, and the ids of others it could count for."""

    promise: Promise
    others: tuple[str, ...]


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
    """A report card being written: kept in the ``drafts`` table until it is saved or
    dropped, never the record. One card per report: a second one-liner opens its own.

    ``id`` is the card's row (None until first kept); ``steps`` are what the guided /report
    still has to ask; ``awaiting`` is the field the last question asked for (None while the
    card is shown); ``source`` is the text the card was read from."""

    draft: Draft
    steps: list[Field] = field(default_factory=list)
    awaiting: Field | None = None
    id: int | None = None
    source: str = ""
    touched_at: datetime | None = None

    def answered(self, *fields: Field) -> None:
        """A value given out of order (typed, or a button on an earlier message) is not
        asked again."""
        self.steps = [s for s in self.steps if s not in fields]

    def to_json(self) -> str:
        return json.dumps(
            {
                "draft": self.draft.to_data(),
                "steps": [s.value for s in self.steps],
                "awaiting": self.awaiting.value if self.awaiting else None,
                "source": self.source,
            },
            ensure_ascii=False,
        )

    @classmethod
    def from_row(cls, row: DraftRow) -> ReportScratch | None:
        """The stored card; None when its JSON is not one (never raises)."""
        try:
            data = json.loads(row.data)
            draft = Draft.from_data(data.get("draft"))
            if draft is None:
                return None
            steps = [Field(s) for s in data.get("steps") or []]
            awaiting = Field(data["awaiting"]) if data.get("awaiting") else None
            return cls(draft, steps, awaiting, row.id, str(data.get("source") or ""),
                       row.touched_at)  # fmt: skip
        except (ValueError, TypeError, AttributeError):
            return None


def _in_order(
    commitment: Commitment | None, answers: Mapping[str, Status]
) -> tuple[tuple[str, Status], ...]:
    """A draft's answers in the promise file's order, for this commitment's conditions only."""
    if commitment is None:
        return ()
    return tuple((c.id, answers[c.id]) for c in commitment.conditions if c.id in answers)


def redacted(draft: Draft) -> Draft:
    """The draft with personal data in its free text replaced by ``[…]`` marks."""
    return replace(
        draft, place=redact(draft.place) if draft.place else None, note=redact(draft.note)
    )


class ReportingService:
    def __init__(self, services: Services, people: PeopleService | None = None) -> None:
        self.s = services
        self.people = people or PeopleService(services)
        self.cards_repo = DraftRepo(services.db)

    # --- cards: one per report, kept until saved or dropped ---------------------------------

    async def keep(self, actor: Actor, state: ReportScratch) -> ReportScratch:
        """Store the card (a new row the first time) and make it the open one."""
        now = self.s.clock.now()
        if state.id is None or not await self.cards_repo.update(
            state.id, actor.user_id, state.to_json(), now
        ):
            state.id = await self.cards_repo.create(actor.user_id, state.to_json(), now)
        state.touched_at = now
        return state

    async def card(self, actor: Actor, card_id: int) -> ReportScratch | None:
        """One of this person's cards (never another's)."""
        if card_id <= 0:
            return None
        row = await self.cards_repo.get(card_id, actor.user_id)
        return None if row is None else ReportScratch.from_row(row)

    async def cards(self, actor: Actor) -> list[ReportScratch]:
        """This person's cards, the one touched last first."""
        rows = await self.cards_repo.of_user(actor.user_id)
        return [card for row in rows if (card := ReportScratch.from_row(row)) is not None]

    async def listed(self, actor: Actor) -> list[tuple[int, Draft]]:
        """This person's cards as (card id, draft), the one touched last first: for lists."""
        return [(c.id, c.draft) for c in await self.cards(actor) if c.id is not None]

    async def count_cards(self, actor: Actor) -> int:
        return await self.cards_repo.count(actor.user_id)

    async def open_card(self, actor: Actor) -> ReportScratch | None:
        """The card typed text goes to: the one touched last, if within ``CARD_OPEN``.
        An older card waits in /myreports until it is opened again."""
        row = await self.cards_repo.latest(actor.user_id)
        if row is None or self.s.clock.now() - row.touched_at > CARD_OPEN:
            return None
        return ReportScratch.from_row(row)

    async def discard(self, actor: Actor, card_id: int | None) -> None:
        if card_id is not None:
            await self.cards_repo.delete(card_id, actor.user_id)

    async def cards_tick(self) -> int:
        """Tell each owner about a card untouched for a day (once), and drop cards whose
        owner was told a day ago and did not touch them since. Returns messages queued."""
        now = self.s.clock.now()
        queued = 0
        for row in await self.cards_repo.to_warn(now - CARD_WARN_AFTER):
            card = ReportScratch.from_row(row)
            if card is None:
                await self.cards_repo.delete(row.id, row.user_id)
                continue
            tr = self.s.translator(staff_locale(await self.s.users.locale(row.user_id)))
            screen = render_cards.waiting(tr, self.s.promise, card.draft, row.id)
            told = NewDelivery(
                chat_id=row.user_id,
                kind="card",
                message=outgoing(screen),
                not_before=now,
                dedupe_key=f"card:{row.id}:{to_db(row.touched_at)}",
            )
            queued += int(await self.s.deliveries.enqueue(told, now))
            await self.cards_repo.mark_warned(row.id, now)
        dropped = await self.cards_repo.drop_expired(
            now - CARD_WARN_AFTER, now - CARD_KEEP_AFTER_WARNING
        )
        if queued or dropped:
            log.info("report cards: %d owner(s) told, %d dropped", queued, dropped)
        return queued

    def choose_promise(self, text: str, municipality: str | None) -> PromiseChoice:
        """Which promise a staff text counts for (several promises): the kommun of the place
        it names (else the reporter's kommun, else every kommun), the promise of that kommun
        whose window holds the report's date, preferring one that has the kind of activity
        the text names. The others that fit are offered on the card."""
        promises = self.s.promises
        decided = [p for p in promises if not p.draft]
        if len(decided) <= 1:
            return PromiseChoice(self.s.promise, ())
        today = self.s.clock.today()
        named = [
            kommun for kommun in promises.municipalities
            if any(place_named(text, p) for p in promises.of(kommun))
        ]  # fmt: skip
        if not named and municipality in promises.municipalities:
            named = [municipality]
        kommuner = named or list(promises.municipalities)
        home = promises.home_promise(today)
        parsed = parse_report(text[:1000], home, today)
        day = parsed.date_choices[-1] if parsed.date_choices else parsed.date or today
        fits = [p for k in kommuner if (p := promises.for_day(k, day)) is not None]
        if not fits:  # outside every window: the kommun's current one (the card says why)
            fits = [promises.current(k, today) for k in kommuner]
        # The promise whose words name the kind best ("föräldraträff" is a parents' meeting
        # where a promise has them, not any "träff"); a tie keeps the order above.
        readings = [parse_report(text[:1000], p, today) for p in fits]
        scores = [r.score if r.commitment is not None else -1.0 for r in readings]
        first = fits[scores.index(max(scores))]
        return PromiseChoice(first, tuple(p.id for p in fits if p.id != first.id))

    def read(self, text: str, org: str | None = None) -> Draft | None:
        """A staff text read once: a draft when it names what was done ("tematräff igår 23
        pers"), or reads like a report without naming it (two of a day, a head count and a
        place: "gick runt i bro centrum ikväll, pratade med typ 15 ungdomar", the kind is
        asked); None for anything else. A question is never a report."""
        if looks_like_question(text):
            return None
        today = self.s.clock.today()
        parsed = parse_report(text[:1000], self.s.promise, today)
        if parsed.commitment is not None:
            draft = self._draft(parsed.commitment, parsed, text, today)
            return self.settle_conditions(draft, text, org)
        clues = [
            parsed.date is not None or bool(parsed.date_choices),
            parsed.count is not None,
            parsed.place is not None,
        ]
        if sum(clues) < 2:
            return None
        return self._draft(None, parsed, text, today)

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

    def settle_conditions(self, draft: Draft, source: str, org: str | None) -> Draft:
        """The promise's conditions for the draft's kind: what the text (``source``) and the
        reporter's organisation say; the card asks the rest as taps (``asked``). A tap
        already made on a condition the new kind also has is kept."""
        commitment = self.s.promise.get(draft.commitment or "")
        if commitment is None or not commitment.conditions:
            return replace(draft, conditions=(), asked=())
        told = told_conditions(source, commitment, org)
        tapped = {k: v for k, v in draft.answers.items() if k in draft.asked}
        return replace(
            draft,
            conditions=_in_order(commitment, combine(told, tapped)),
            asked=tuple(c.id for c in commitment.conditions if c.id not in told),
        )

    def tap_condition(self, draft: Draft, condition: str) -> Draft | None:
        """A tap on a condition's button: ☐ → ✔ → ✖ → ☐ (unknown, met, not met). None when the
        card does not ask about that condition (an old or forged button)."""
        if condition not in draft.asked:
            return None
        answers = draft.answers
        now = answers.get(condition, Status.UNKNOWN)
        after = {Status.UNKNOWN: Status.MET, Status.MET: Status.NOT_MET}.get(now, Status.UNKNOWN)
        if after is Status.UNKNOWN:
            answers.pop(condition, None)
        else:
            answers[condition] = after
        return replace(
            draft, conditions=_in_order(self.s.promise.get(draft.commitment or ""), answers)
        )

    def verdict(self, draft: Draft) -> Verdict | None:
        """Whether the draft would count, and why not; None for a kind without conditions."""
        commitment = self.s.promise.get(draft.commitment or "")
        if commitment is None or not commitment.conditions:
            return None
        return verdict(commitment, draft.answers)

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

    async def save(self, actor: Actor, draft: Draft, card_id: int | None = None) -> Activity:
        """Save the draft as an activity (or the edit of one), and drop its card in the same
        transaction: saved once, and the card is gone exactly when the row exists."""
        await self.people.require_staff(actor, "report")
        self.check(draft)
        assert draft.commitment is not None
        now = self.s.clock.now()
        async with self.s.db.transaction():
            if card_id is not None:
                await self.cards_repo.delete(card_id, actor.user_id)
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
                await self.s.activities.set_conditions(old.id, draft.answers, now)
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
                    conditions=draft.answers,
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
        found = [a for s in self.s.each() for a in await s.activities.by_reporter(actor.user_id)]
        found.sort(key=lambda a: (a.date, a.id), reverse=True)
        return found[:10]

    async def for_edit(self, actor: Actor, activity_id: int) -> Draft:
        await self.people.require_staff(actor, "report.edit")
        a = await self._own(actor, activity_id)
        draft = Draft(
            a.commitment, a.date, a.count, a.place, a.description, activity_id=a.id,
            promise_id=a.promise_id if len(self.s.promises) > 1 else "",
        )  # fmt: skip
        owner = self.s.promises.get(a.promise_id) or self.s.promise
        commitment = owner.get(a.commitment)
        ids = tuple(c.id for c in commitment.conditions) if commitment else ()
        # Editing a saved report: every condition can be changed by a tap.
        return replace(
            draft,
            conditions=tuple((k, a.conditions[k]) for k in ids if k in a.conditions),
            asked=ids,
        )

    async def set_count(self, actor: Actor, activity_id: int, count: int) -> Activity:
        await self.people.require_staff(actor, "report.edit")
        a = await self._own(actor, activity_id)
        draft = Draft(
            a.commitment,
            a.date,
            count,
            a.place,
            a.description,
            activity_id=a.id,
            conditions=tuple(a.conditions.items()),
        )
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
