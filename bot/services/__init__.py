"""Application services: the only place that combines storage with domain rules.

Handlers call one service method per update; services never import telegram. ``Services``
is the container built once by the composition root (``bot.app``) and handed to handlers
through the typed bot data.
"""

from __future__ import annotations

from dataclasses import dataclass, field

from bot.clock import Clock
from bot.domain.promise import Promise
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


@dataclass
class Services:
    settings: Settings
    clock: Clock
    promise: Promise
    db: Database
    users: UserRepo = field(init=False)
    staff: StaffRepo = field(init=False)
    invites: InviteRepo = field(init=False)
    audit: AuditRepo = field(init=False)
    activities: ActivityRepo = field(init=False)
    milestones: MilestoneRepo = field(init=False)
    events: EventRepo = field(init=False)
    deliveries: DeliveryRepo = field(init=False)
    budget: SendBudget = field(init=False)  # one per bot: replies and outbox share it

    def __post_init__(self) -> None:
        self.users = UserRepo(self.db)
        self.staff = StaffRepo(self.db)
        self.invites = InviteRepo(self.db)
        self.audit = AuditRepo(self.db)
        self.activities = ActivityRepo(self.db)
        self.milestones = MilestoneRepo(self.db)
        self.events = EventRepo(self.db)
        self.deliveries = DeliveryRepo(self.db)
        self.budget = SendBudget(self.settings.send_rate, self.settings.chat_send_rate)

    def translator(self, locale: str | None = None) -> Translator:
        return translator(locale or self.settings.locale, tz=self.clock.tz)


def outgoing(screen: Screen) -> OutgoingMessage:
    """A presenter's screen as an outbox message (the buttons' data encoded)."""
    return OutgoingMessage(screen.text, screen.wire_rows())
