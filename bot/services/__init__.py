"""Application services: the only place that combines storage with domain rules.

Handlers call one service method per update; services never import telegram. ``Services``
is the container built once by the composition root (``bot.app``) and handed to handlers
through the typed bot data.
"""

from __future__ import annotations

import copy
from dataclasses import InitVar, dataclass, field

from bot.clock import Clock
from bot.domain.promise import Promise
from bot.domain.promise_set import PromiseSet, phase
from bot.i18n import Translator, translator
from bot.render import Screen
from bot.services.budget import SendBudget
from bot.settings import Settings
from storage.activities import ActivityRepo, MilestoneRepo
from storage.audit import AuditRepo
from storage.db import Database
from storage.deliveries import DeliveryRepo, OutgoingMessage
from storage.events import EventRepo
from storage.invites import InviteRepo
from storage.people import StaffRepo, UserRepo
from storage.promises import Window, adopt_rows


@dataclass
class Services:
    """``promise`` is the promise these services work for: the home kommun's current one at
    the root, another one in ``scoped``. ``promises`` is every promise of the deployment."""

    settings: Settings
    clock: Clock
    promise: Promise
    db: Database
    promise_set: InitVar[PromiseSet | None] = None
    promises: PromiseSet = field(init=False)
    users: UserRepo = field(init=False)
    staff: StaffRepo = field(init=False)
    invites: InviteRepo = field(init=False)
    audit: AuditRepo = field(init=False)
    activities: ActivityRepo = field(init=False)
    milestones: MilestoneRepo = field(init=False)
    events: EventRepo = field(init=False)
    deliveries: DeliveryRepo = field(init=False)
    budget: SendBudget = field(init=False)  # one per bot: replies and outbox share it

    def __post_init__(self, promise_set: PromiseSet | None) -> None:
        self.promises = promise_set or PromiseSet.single(self.promise)
        self._scopes: dict[str, Services] = {self.promise.id: self}
        self.users = UserRepo(self.db)
        self.staff = StaffRepo(self.db)
        self.invites = InviteRepo(self.db)
        self.audit = AuditRepo(self.db)
        self._own_repos()
        self.deliveries = DeliveryRepo(self.db)
        self.budget = SendBudget(self.settings.send_rate, self.settings.chat_send_rate)

    def _own_repos(self) -> None:
        self.activities = ActivityRepo(self.db, self.promise.id)
        self.milestones = MilestoneRepo(self.db, self.promise.id)
        self.events = EventRepo(self.db, self.promise.id)

    def scoped(self, promise: Promise) -> Services:
        """The same services working for ``promise``: its activities, events and milestones;
        everything else (the database, the people, the outbox, the send budget) shared.
        Built once per promise."""
        found = self._scopes.get(promise.id)
        if found is None:
            found = copy.copy(self)
            found.promise = promise
            found._own_repos()
            self._scopes[promise.id] = found
        return found

    def keyed(self, key: str) -> str:
        """A job or dedupe key of this promise's: as it was with one promise (a deployment
        that moves to several sends nothing twice), prefixed by the promise id with more."""
        return key if len(self.promises) == 1 else f"{self.promise.id}:{key}"

    def each(self) -> list[Services]:
        """The services of every promise that takes reports or has events to follow up: not
        drafts (the jobs, digests and reminders run per promise)."""
        return [self.scoped(p) for p in self.promises if not p.draft]

    def in_force(self) -> list[Services]:
        today = self.clock.now().date()
        return [self.scoped(p) for p in self.promises if phase(p, today) == "in_force"]

    async def adopt_rows(self) -> dict[str, int]:
        """At start-up: rows from before several promises (migration 010) go to the home
        kommun's promise whose window holds their date, the rest to its current one."""
        home = self.promises.of(self.promises.home)
        windows = [Window(p.id, p.window.start, p.window.end) for p in home if not p.draft]
        fallback = self.promises.home_promise(self.clock.now().date()).id
        return await adopt_rows(self.db, windows, fallback)

    def translator(self, locale: str | None = None) -> Translator:
        return translator(locale or self.settings.locale, tz=self.clock.tz)


def outgoing(screen: Screen) -> OutgoingMessage:
    """A presenter's screen as an outbox message (the buttons' data encoded)."""
    return OutgoingMessage(screen.text, screen.wire_rows())
