"""Seniors: fraud-tip subscriptions, the tip rounds, and urgent alerts.

Every message goes through the outbox, so rate limits, blocked chats and crashes are the
delivery engine's business. Every tip round and every approved alert also counts as a
``senior_fraud_info`` activity (docs/product.md), so the promise's follow-up sees them.
"""

from __future__ import annotations

import logging
from dataclasses import dataclass
from datetime import datetime, time, timedelta

from bot.domain.errors import NotFound, UserFacingError
from bot.domain.records import Subscription
from bot.domain.roles import Actor
from bot.domain.tips import CADENCES, SLOTS, find_violations, load_tips, next_send_time, next_tip
from bot.i18n import N_, Translator, staff_locale
from bot.render import Screen
from bot.render import tips as render
from bot.services import Services, outgoing
from bot.services.people import PeopleService
from bot.settings import SUPPORTED_LOCALES
from storage.activities import NewActivity
from storage.deliveries import NewDelivery, OutgoingMessage
from storage.jobs import JobRunRepo
from storage.subscriptions import Alert, AlertRepo, SubscriptionRepo

log = logging.getLogger(__name__)

COMMITMENT = "senior_fraud_info"
# Alerts that are not urgent wait for daytime: 09:00–18:00 local time.
DAY_START = time(9, 0)
DAY_END = time(18, 0)
ALERT_MAX = 1000


class AlertRefused(UserFacingError):
    msgid = N_(
        "This alert cannot be sent: alerts follow the tips' own advice, so they never "
        "contain links or e-mail addresses and never ask for anything. Please rewrite it."
    )


class AlertTooLong(UserFacingError):
    msgid = N_("Please keep an alert under 1000 characters.")


@dataclass(frozen=True)
class AlertReport:
    sent: int
    failed: int
    blocked: int
    queued: int


def daytime(moment: datetime) -> datetime:
    """``moment`` if it is within the daytime window, else the next 09:00."""
    local = moment.astimezone(moment.tzinfo)
    if DAY_START <= local.time() < DAY_END:
        return moment
    day = local.date() if local.time() < DAY_START else local.date() + timedelta(days=1)
    return datetime.combine(day, DAY_START, tzinfo=moment.tzinfo)


class TipService:
    def __init__(self, services: Services, people: PeopleService | None = None) -> None:
        self.s = services
        self.people = people or PeopleService(services)
        self.subs = SubscriptionRepo(services.db)
        self.alerts = AlertRepo(services.db)
        self.jobs = JobRunRepo(services.db)

    async def get(self, chat_id: int) -> Subscription | None:
        return await self.subs.get(chat_id)

    async def subscribe(
        self, chat_id: int, locale: str, cadence: str, weekday: int, slot: str
    ) -> Subscription:
        if cadence not in CADENCES or slot not in SLOTS or not 0 <= weekday <= 6:
            raise NotFound()
        now = self.s.clock.now()
        first = next_send_time(now, cadence, weekday, slot, None)
        await self.subs.upsert(
            chat_id,
            locale=locale if locale in SUPPORTED_LOCALES else "sv",
            cadence=cadence,
            weekday=weekday,
            slot=slot,
            next_at=first,
            now=now,
        )
        await self.s.users.set_locale(chat_id, locale, now)
        found = await self.subs.get(chat_id)
        assert found is not None
        return found

    async def stop(self, chat_id: int, reason: str = "user") -> bool:
        return await self.subs.stop(chat_id, reason, self.s.clock.now())

    async def chat_gone(self, chat_id: int, now: datetime) -> None:
        await self.subs.stop(chat_id, "blocked", now)

    async def tick(self) -> int:
        """Queue the tip for every subscription that is due; returns how many were queued."""
        async with self.s.db.transaction():
            now = self.s.clock.now()
            due = await self.subs.due(now)
            if not due:
                return 0
            rows: list[NewDelivery] = []
            for sub in due:
                book = load_tips(sub.locale)
                tip = next_tip(book, sub.cursor)
                rows.append(
                    NewDelivery(
                        sub.chat_id,
                        "tip",
                        self._with_tip_buttons(book.render(tip), sub.locale),
                        now,
                        dedupe_key=f"tip:{sub.chat_id}:{sub.cursor}:{sub.anchor.isoformat()}",
                        batch=f"tips:{now.date().isoformat()}",
                    )
                )
            queued = await self.s.deliveries.enqueue_many(rows, now)
            # From the planned time, not from now: a late round (bot was down) does not shift
            # the subscriber's weekday or slot.
            await self.subs.advance_many(
                [
                    (
                        sub.chat_id,
                        sub.cursor + 1,
                        next_send_time(now, sub.cadence, sub.weekday, sub.slot, sub.next_at or now),
                    )
                    for sub in due
                ]
            )
            await self._count_round(now, "tips", f"tips:{now.date().isoformat()}", queued)
            log.info("tip round: %d tip(s) queued", queued)
            return queued

    async def _count_round(self, now: datetime, source: str, key: str, n: int) -> None:
        if n and await self.jobs.claim("fraud-info", key, now):
            text = self.s.translator().ngettext(
                "Fraud tips sent to {n} subscriber", "Fraud tips sent to {n} subscribers", n
            )
            await self.s.activities.add(
                NewActivity(COMMITMENT, now.date(), None, n, text.format(n=n), source=source),
                now,
            )

    # --- urgent alerts ---------------------------------------------------------------------

    async def draft_alert(self, actor: Actor, texts: dict[str, str], urgent: bool) -> Alert:
        """``texts``: the alert per language ("sv", "en"); a language without its own
        version gets the other one (under a heading and sign-off in its own language)."""
        await self.people.require_staff(actor, "alert")
        cleaned = {k: v.strip() for k, v in texts.items() if k in ("sv", "en") and v.strip()}
        if not cleaned:
            raise AlertRefused()
        for text in cleaned.values():
            if len(text) > ALERT_MAX:
                raise AlertTooLong()
            if find_violations(text):
                raise AlertRefused()
        text_sv = cleaned.get("sv") or cleaned["en"]
        text_en = cleaned.get("en") or text_sv
        alert = await self.alerts.create(
            text_sv, text_en, urgent, actor.user_id, self.s.clock.now()
        )
        await self.s.audit.record(
            self.s.clock.now(), actor.user_id, "alert.draft", f"alert:{alert.id}", urgent=urgent
        )
        return alert

    def render_alert_text(self, text: str, locale: str) -> str:
        """Exactly what a subscriber sees (the preview shows the same)."""
        return render.alert_text(self.s.translator(locale), text, load_tips(locale).signoff)

    def render_alert(self, alert: Alert, locale: str) -> str:
        return self.render_alert_text(alert.text(locale), locale)

    async def ask_admins(self, alert: Alert, author: Actor) -> int:
        """Each admin gets the preview, in their language, with approve / reject buttons."""

        def build(tr: Translator) -> OutgoingMessage:
            who = author.name or str(author.user_id)
            text = self.render_alert(alert, tr.locale)
            return outgoing(render.approval_request(tr, alert.urgent, who, alert.id, text))

        return await self.people.message_admins(
            "alert-approval", f"alert-approval:{alert.id}:{{admin}}", build
        )

    async def tell_author(self, alert: Alert, decider: Actor) -> None:
        now = self.s.clock.now()
        locale = await self.s.users.locale(alert.created_by) or self.s.settings.locale
        tr = self.s.translator(staff_locale(locale))
        who = decider.name or str(decider.user_id)
        if alert.status == "rejected":
            answer = render.alert_rejected(tr, who)
        else:
            subscribers = await self.subs.count_active()
            answer = render.alert_approved(tr, who, subscribers, alert.id)
        await self.s.deliveries.enqueue(
            NewDelivery(
                alert.created_by,
                "alert-result",
                outgoing(answer),
                now,
                dedupe_key=f"alert-result:{alert.id}",
            ),
            now,
        )

    async def decide_alert(self, actor: Actor, alert_id: int, approve: bool) -> Alert:
        await self.people.require_admin(actor, "alert.approve")
        now = self.s.clock.now()
        async with self.s.db.transaction():
            if not await self.alerts.decide(
                alert_id, "approved" if approve else "rejected", actor.user_id, now
            ):
                raise NotFound()
            await self.s.audit.record(
                now, actor.user_id, "alert.approve" if approve else "alert.reject",
                f"alert:{alert_id}",
            )  # fmt: skip
            alert = await self.alerts.get(alert_id)
            assert alert is not None
            if approve:
                await self._queue_alert(alert, now)
        return alert

    async def _queue_alert(self, alert: Alert, now: datetime) -> int:
        when = now if alert.urgent else daytime(now)
        rows = [
            NewDelivery(
                sub.chat_id,
                "alert",
                self._with_tip_buttons(self.render_alert(alert, sub.locale), sub.locale),
                when,
                dedupe_key=f"alert:{alert.id}:{sub.chat_id}",
                batch=f"alert:{alert.id}",
            )
            for sub in await self.subs.active()
        ]
        queued = await self.s.deliveries.enqueue_many(rows, now)
        await self.alerts.mark_sent(alert.id)
        await self._count_round(now, "alert", f"alert:{alert.id}", queued)
        log.info("alert %s: %d message(s) queued (urgent: %s)", alert.id, queued, alert.urgent)
        return queued

    def _with_tip_buttons(self, text: str, locale: str) -> OutgoingMessage:
        """A tip or an alert, with "stop the tips" and "is this a scam?" under it."""
        return outgoing(Screen(text, render.tip_buttons(self.s.translator(locale))))

    async def alert_report(self, actor: Actor, alert_id: int) -> AlertReport:
        """Delivery counts for the alert's author and admins only; anyone else (other staff
        included) gets "not found", as for an id that never existed, and is audited."""
        alert = await self.alerts.get(alert_id)
        if alert is None or not (actor.is_admin or alert.created_by == actor.user_id):
            await self.s.audit.record(
                self.s.clock.now(), actor.user_id, "refused", f"alert.report:{alert_id}"
            )
            raise NotFound()
        counts = await self.s.deliveries.batch_counts(f"alert:{alert_id}")
        return AlertReport(
            sent=counts.get("sent", 0),
            failed=counts.get("failed", 0),
            blocked=counts.get("blocked", 0) + counts.get("dropped", 0),
            queued=counts.get("queued", 0) + counts.get("sending", 0),
        )
