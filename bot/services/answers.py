"""Answers to residents' free-text questions, from live data.

The matcher (``bot.language.questions``) decides what was asked; this service writes the answer in
the resident's language. The ``answer`` CLI and the chat use the same path, so what the
command line shows is what a resident gets.
"""

from __future__ import annotations

from dataclasses import dataclass, field, replace

from bot.domain.promise import WorryTopic
from bot.i18n import Translator
from bot.language.emergency import Danger, assess
from bot.language.language_id import text_language
from bot.language.phrasebook import load_phrasebook
from bot.language.questions import Intent, Match, match_question
from bot.language.scamcheck import check_message
from bot.language.scripts import script_language
from bot.language.suggestions import refine
from bot.render import Button
from bot.render import answers as render
from bot.render import events as render_events
from bot.render import progress as render_progress
from bot.render import suggestions as voice
from bot.render.menu import did_you_mean_buttons, event_buttons, menu_buttons, scam_row
from bot.services import Services
from bot.services.events import EventService
from bot.services.progress import ProgressService
from storage.subscriptions import ScamCountRepo, SubscriptionRepo

Buttons = list[list[Button]]

# A subscriber's text that the classifier reads as "stop" at least this likely is offered the
# stop button (bot.language.questions offers answers from OFFER on; a subscriber from a little
# less).
STOP_OFFER = 0.08
# A subscriber's text that only the classifier reads as danger, and as "stop" at least this
# likely, gets both as buttons instead of the crisis reply.
STOP_OR_DANGER = 0.25


@dataclass(frozen=True)
class Answer:
    intent: str
    kind: str | None
    text: str
    buttons: Buttons = field(default_factory=list)

    def to_json(self) -> dict[str, object]:
        return {"intent": self.intent, "kind": self.kind, "text": self.text}


def matcher_locales() -> frozenset[str]:
    """The languages the question matcher reads: those with a ``questions.toml``."""
    return frozenset(load_phrasebook().hints)


def reads(locale: str, match: Match) -> bool:
    """Whether the matcher could have understood a question written in this chat: the
    chat's language is one it reads, and so is the text's script (if it gives a clue)."""
    known = matcher_locales()
    guess = match.locale_guess
    return locale in known and (guess is None or guess in known)


class AnswerService:
    def __init__(
        self,
        services: Services,
        events: EventService | None = None,
        progress: ProgressService | None = None,
    ) -> None:
        self.s = services
        self.events = events or EventService(services)
        self.progress = progress or ProgressService(services)

    async def count_scam_signs(self, flags: tuple[str, ...]) -> None:
        """Anonymous monthly counts per kind of sign; never the text."""
        if flags:
            month = self.s.clock.now().strftime("%Y-%m")
            await ScamCountRepo(self.s.db).bump(month, list(flags))

    def understand(self, text: str, locale: str) -> Match:
        match = refine(match_question(text, self.s.promise, locale), text, self.s.promise)
        if match.intent is Intent.UNKNOWN:
            # Cyrillic or Ethiopic script (say): no language the bot reads.
            written = script_language(text)
            if written is not None:
                match = replace(match, locale_guess=written)
        return match

    async def understand_in_chat(self, text: str, locale: str, chat_id: int) -> Match:
        """As ``understand``, knowing who writes: for a subscriber, stopping the tips is a
        likely meaning, so when the classifier sees it at all (and there is no danger), it is
        the first "Did you mean …?" button — one tap stops them."""
        match = self.understand(text, locale)
        stop = dict(match.shares).get("stop_tips", 0.0)
        if match.intent in (Intent.STOP_TIPS, Intent.SCAM_CHECK) or stop < STOP_OFFER:
            return match
        if match.intent is Intent.EMERGENCY and not (match.learned and stop >= STOP_OR_DANGER):
            return match
        if not await self.tips_subscriber(chat_id):
            return match
        # "jag vill inte ha fler" from a subscriber: most likely the tips. Never the crisis
        # block for it; the safety line opens the reply and "Someone is in danger" is a tap.
        offered = [("stop_tips", None), *(o for o in match.alternatives if o[0] != "stop_tips")]
        if match.intent is Intent.EMERGENCY:
            offered.insert(1, (Intent.EMERGENCY.value, None))
        return replace(
            match,
            intent=Intent.UNKNOWN,
            kind=None,
            danger=Danger.POSSIBLE.value,
            alternatives=tuple(offered[:3]),
        )

    async def tips_subscriber(self, chat_id: int) -> bool:
        subscription = await SubscriptionRepo(self.s.db).get(chat_id)
        return subscription is not None and subscription.active

    @staticmethod
    def reply_locale(text: str, locale: str) -> str:
        """The language to answer ``text`` in: the one it is clearly written in, else the
        chat's (saved choice, then Telegram's language)."""
        return text_language(text) or locale

    async def answer(self, text: str, locale: str) -> Answer:
        """The answer to ``text``, in the language it is written in (the CLI and tests; the
        chat decides the language in the handler, the same way)."""
        locale = self.reply_locale(text, locale)
        return await self.respond(self.understand(text, locale), locale)

    def check_text(self, text: str, locale: str) -> Answer:
        """After "Is this a scam?": the text is checked whatever it looks like — unless it
        describes danger, which is answered first as always."""
        tr = self.s.translator(locale)
        check = assess(text)
        if check.urgent and set(check.signals) - {"plea"}:
            return Answer(
                Intent.EMERGENCY.value,
                None,
                render.emergency_text(tr, self.s.promise, check.danger),
            )
        flags = check_message(text).flags
        return Answer(Intent.SCAM_CHECK.value, None, render.scam_text(tr, self.s.promise, flags))

    async def respond(self, match: Match, locale: str) -> Answer:
        tr = self.s.translator(locale)
        answer = await self._respond(match, tr)
        first = render.safety_line(tr)
        if match.danger == Danger.POSSIBLE and not answer.text.startswith(
            (self.s.promise.contacts.emergency, first)
        ):
            # Words of harm next to a question: the safety line comes first, then the answer.
            return replace(answer, text=first + "\n\n" + answer.text)
        return answer

    async def _respond(self, match: Match, tr: Translator) -> Answer:
        intent = match.intent
        if match.suggestion is not None:  # a theme, wish or unsafe place (bot.services.suggestions)
            text = voice.received_text(tr, self.s.promise, match.suggestion, bool(match.danger))
            return Answer(intent.value, None, text)
        if intent is Intent.UNKNOWN and not reads(tr.locale, match):
            # A script none of our languages is written in: the safety line, then the menu.
            text = render.unreadable_text(tr, self.s.promise)
            return Answer(intent.value, None, text, menu_buttons(tr))
        if intent is Intent.UNKNOWN and any(o[0] != "emergency" for o in match.alternatives):
            # Unsure what was meant: the safety line, then up to three answers to tap.
            return Answer(
                intent.value,
                None,
                render.did_you_mean_text(tr),
                did_you_mean_buttons(tr, match.alternatives),
            )
        if intent is Intent.EMERGENCY:
            text = render.emergency_text(tr, self.s.promise, match.danger, match.signals)
            return Answer(intent.value, None, text)
        if intent is Intent.WORRY:
            return Answer(intent.value, None, await self.worry_text(tr, match.worry))
        if intent is Intent.POISON_QUESTION:
            return Answer(intent.value, None, render.poison_text(tr, self.s.promise))
        if intent is Intent.SCAM_CHECK:
            return Answer(intent.value, None, render.scam_text(tr, self.s.promise, match.flags))
        if intent is Intent.CONTACT_POLICE and match.danger == Danger.PAST_CRIME:
            return Answer(intent.value, None, render.past_crime_text(tr, self.s.promise))
        if intent is Intent.NEXT_EVENT:
            return await self.next_event(tr, match.kind)
        if intent is Intent.EVENTS_LIST:
            return Answer(intent.value, None, await self.events_text(tr))
        if intent is Intent.ABOUT_PROMISE:
            return Answer(
                intent.value, None, render.about_text(tr, self.s.promise), menu_buttons(tr)[:1]
            )
        if intent is Intent.PROGRESS:
            summary = render_progress.summary(tr, self.s.promise, await self.progress.progress())
            return Answer(intent.value, None, summary)
        if intent is Intent.CONTACT_POLICE:
            return Answer(intent.value, None, render.contact_text(tr, self.s.promise))
        if intent is Intent.FRAUD_HELP:
            return Answer(
                intent.value, None, render.fraud_help_text(tr, self.s.promise), [scam_row(tr)]
            )
        if intent is Intent.SUBSCRIBE_TIPS:
            return Answer(intent.value, None, render.subscribe_tips_text(tr))
        if intent is Intent.STOP_TIPS:
            # The chat stops the tips at once (handlers.questions); this is what the CLI shows.
            return Answer(intent.value, None, render.stop_tips_text(tr))
        if intent is Intent.TIP_OFF:
            return Answer(intent.value, None, render.tip_off_text(tr, self.s.promise))
        if intent is Intent.EXPLAIN:
            return Answer(intent.value, None, render.explain_text(tr, self.s.promise, match.topic))
        if intent is Intent.TRYGGHETSCENTER:
            return Answer(intent.value, None, render.trygghetscenter_text(tr, self.s.promise))
        if intent is Intent.GREETING:
            return Answer(intent.value, None, render.greeting_text(tr), menu_buttons(tr))
        if intent is Intent.THANKS:
            return Answer(intent.value, None, render.thanks_text(tr))
        return Answer(Intent.UNKNOWN.value, None, render.not_understood_text(tr), menu_buttons(tr))

    async def worry_text(self, tr: Translator, topic: str | None) -> str:
        """The worry answer, with the next public event of each commitment it names."""
        try:
            worry = WorryTopic(topic or WorryTopic.OTHER)
        except ValueError:
            worry = WorryTopic.OTHER
        named = {h.commitment for h in self.s.promise.local_help if h.commitment}
        next_events: dict[str, str] = {}
        for commitment_id in sorted(named):
            upcoming = await self.events.upcoming(kind=commitment_id, days=180)
            if upcoming:
                next_events[commitment_id] = render_events.list_line(
                    tr, self.s.promise, upcoming[0]
                )
        return render.worry_text(tr, self.s.promise, worry, next_events)

    async def next_event(self, tr: Translator, kind: str | None) -> Answer:
        if kind is None:
            return Answer(Intent.NEXT_EVENT.value, None, await self.events_text(tr, limit=3))
        upcoming = await self.events.upcoming(kind=kind, days=365)
        if not upcoming:
            text = render.nothing_of_kind_text(tr, self.s.promise.commitment(kind))
            return Answer(Intent.NEXT_EVENT.value, kind, text)
        event = upcoming[0]
        text = render_events.next_one(tr, self.s.promise, event)
        return Answer(Intent.NEXT_EVENT.value, kind, text, event_buttons(tr, event.id))

    async def events_text(self, tr: Translator, limit: int = 10) -> str:
        upcoming = (await self.events.upcoming())[:limit]
        return render_events.coming_up(tr, self.s.promise, upcoming)
