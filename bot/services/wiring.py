"""Every application service, built once (by ``bot.app.build_application``, the sandbox rig
and the benchmarks alike) with its dependencies handed in, so nothing builds a service per
call."""

from __future__ import annotations

from dataclasses import dataclass

from bot.services import Services
from bot.services.answers import AnswerService
from bot.services.conditions import ConditionService
from bot.services.delivery import DeliveryService
from bot.services.events import EventService
from bot.services.pace import PaceService
from bot.services.people import PeopleService
from bot.services.progress import ProgressService
from bot.services.pulse import PulseService
from bot.services.reminders import ReminderService
from bot.services.reporting import ReportingService
from bot.services.suggestions import SuggestionService
from bot.services.tips_service import TipService


@dataclass(frozen=True)
class Features:
    people: PeopleService
    pace: PaceService
    events: EventService
    progress: ProgressService
    reminders: ReminderService
    reporting: ReportingService
    tips: TipService
    answers: AnswerService
    delivery: DeliveryService  # the outbox sender: one instance, it holds the round state
    # A report's answers to the promise's conditions (read from text, set by staff).
    conditions: ConditionService
    suggestions: SuggestionService
    # The safety pulse: the anonymous question, the official figures beside it.
    pulse: PulseService


def outbox_sender(
    services: Services, tips: TipService, per_second: float | None = None
) -> DeliveryService:
    """The outbox sender; a chat that is gone is dropped from the tips too. ``per_second``
    gives it a budget of its own (tests, benchmarks), else it shares the bot's."""
    return DeliveryService(services, per_second, on_chat_gone=tips.chat_gone)


def build_features(services: Services, delivery: DeliveryService | None = None) -> Features:
    """Every feature for ``services``' promise; ``delivery``: the one outbox sender when
    these are another promise's features (it holds the round state)."""
    people = PeopleService(services)
    pace = PaceService(services)
    events = EventService(services, people)
    progress = ProgressService(services, pace)
    tips = TipService(services, people)
    pulse = PulseService(services, people)
    return Features(
        people=people,
        pace=pace,
        events=events,
        progress=progress,
        reminders=ReminderService(services, pace, people, pulse),
        reporting=ReportingService(services, people),
        tips=tips,
        answers=AnswerService(services, events, progress),
        delivery=delivery or outbox_sender(services, tips),
        conditions=ConditionService(services, people),
        suggestions=SuggestionService(services, events),
        pulse=pulse,
    )
