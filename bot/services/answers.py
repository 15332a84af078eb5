"""Answers to residents' free-text questions, from live data.

A text is read once (``understand``: ``bot.language.questions.match_question`` runs the danger
check, the language of the text, the phrase tables and the classifier, and says which language
to answer in); a button names what it asks for and is not read at all (``tapped``). Then one
table, ``ANSWERS``, turns what was understood into an answer in the resident's language. The
``answer`` CLI and the chat use the same path, so what the command line shows is what a
resident gets (the chat acts itself on a few intents first: ``handlers.questions.CHAT_ACTIONS``).
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable, Mapping
from dataclasses import dataclass, field, replace
from types import MappingProxyType

from bot.domain.promise import Promise, WorryTopic
from bot.domain.records import SuggestionKind
from bot.domain.voice import Reading
from bot.i18n import Translator
from bot.language.emergency import Danger, assess
from bot.language.language_id import text_language
from bot.language.phrasebook import load_phrasebook
from bot.language.questions import Intent, Match, match_question, public_event_kind
from bot.language.scamcheck import check_message
from bot.language.scripts import script_language
from bot.language.suggestions import place_named, refine
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
# Longer than a question: a text not understood asks for a sentence or two (in the chat; the
# command line answers it as not understood).
MAX_TEXT = 1000
# A "Did you mean …?" offer that is no intent of its own: contact the police about a crime
# that has happened (bot.language.questions offers it).
PAST_CRIME = "past_crime"


@dataclass(frozen=True)
class Answer:
    intent: str
    kind: str | None
    text: str
    buttons: Buttons = field(default_factory=list)

    def to_json(self) -> dict[str, object]:
        return {"intent": self.intent, "kind": self.kind, "text": self.text}


@dataclass(frozen=True)
class Understood:
    """What a resident's text (read once) or tap means, and the language to answer in."""

    match: Match
    locale: str
    # A button, not a text: nothing was read ("Is this a scam?" then asks for the text).
    tapped: bool = False
    # Not understood, and longer than a question (``MAX_TEXT``): asks for a sentence or two.
    too_long: bool = False


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

    # --- reading: each text once, a tap not at all ------------------------------------------

    def understand(self, text: str, locale: str) -> Understood:
        """``text`` read once (danger, its language, the phrase tables, the classifier: all in
        ``match_question``), answered in the language it is clearly written in, else the
        chat's (``locale``: saved choice, then Telegram's language)."""
        # A theme, wish or unsafe place becomes its intent (bot.language.suggestions).
        match = refine(match_question(text, self.s.promise, locale), text, self.s.promise)
        if match.intent is Intent.UNKNOWN:
            # Cyrillic or Ethiopic script (say): no language the bot reads.
            script = script_language(text)
            if script is not None:
                match = replace(match, locale_guess=script)
        return Understood(match, match.written or locale)

    async def understand_in_chat(
        self, text: str, locale: str, chat_id: int, *, checking: bool = False
    ) -> Understood:
        """As ``understand``, knowing who writes and what was asked before.

        After "Is this a scam?" (``checking``) the text is checked whatever it looks like.
        For a subscriber, stopping the tips is a likely meaning, so when the classifier sees it
        at all (and there is no danger), it is the first "Did you mean …?" button — one tap
        stops them. A scam check's signs are counted here, once per text (anonymously)."""
        if checking:
            understood = self._checked(text, locale)
        else:
            understood = self.understand(text, locale)
            match = await self._for_subscriber(understood.match, chat_id)
            too_long = match.intent is Intent.UNKNOWN and len(text) > MAX_TEXT
            understood = replace(understood, match=match, too_long=too_long)
        if understood.match.intent is Intent.SCAM_CHECK:
            await self.count_scam_signs(understood.match.flags)
        return understood

    def _checked(self, text: str, locale: str) -> Understood:
        """After "Is this a scam?": the text is checked whatever it looks like — unless it
        describes danger, which is answered first as always."""
        locale = text_language(text) or locale
        check = assess(text)
        if check.urgent and set(check.signals) - {"plea"}:
            return Understood(Match(Intent.EMERGENCY, None, 1.0, None, check.danger.value), locale)
        flags = check_message(text).flags
        return Understood(Match(Intent.SCAM_CHECK, None, 1.0, None, flags=flags), locale)

    async def _for_subscriber(self, match: Match, chat_id: int) -> Match:
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

    def tapped(self, meant: str, arg: str | None, locale: str) -> Understood:
        """A button that names what it asks for — a menu button's intent, or a "Did you mean
        …?" offer (an intent or ``PAST_CRIME``, with its event kind or worry topic) — is
        understood without reading any text. The argument is untrusted: one that does not fit
        is ignored."""
        intent = Intent.CONTACT_POLICE if meant == PAST_CRIME else Intent(meant)
        danger = Danger.PAST_CRIME.value if meant == PAST_CRIME else None
        promise = self.s.promise
        kind = (
            arg if intent is Intent.NEXT_EVENT and arg and public_event_kind(promise, arg) else None
        )
        worry = arg if intent is Intent.WORRY and arg in set(WorryTopic) else None
        match = Match(intent, kind, 1.0, None, danger, worry=worry)
        return Understood(match, locale, tapped=True)

    async def tips_subscriber(self, chat_id: int) -> bool:
        subscription = await SubscriptionRepo(self.s.db).get(chat_id)
        return subscription is not None and subscription.active

    # --- answering: one table ------------------------------------------------------------

    async def answer(self, text: str, locale: str) -> Answer:
        """The answer to ``text``, in the language it is written in (the CLI and tests)."""
        return await self.respond(self.understand(text, locale))

    async def respond(self, understood: Understood) -> Answer:
        match = understood.match
        tr = self.s.translator(understood.locale)
        answer = self._before_the_table(understood, tr)
        if answer is None:
            answer = await ANSWERS[match.intent](self, match, tr)
        first = render.safety_line(tr)
        if match.danger == Danger.POSSIBLE and not answer.text.startswith(
            (self.s.promise.contacts.emergency, first)
        ):
            # Words of harm next to a question: the safety line comes first, then the answer.
            return replace(answer, text=first + "\n\n" + answer.text)
        return answer

    def _before_the_table(self, understood: Understood, tr: Translator) -> Answer | None:
        """The answers that depend on more than the intent, decided before ``ANSWERS``:
        - not understood and too long: ask for a sentence or two, with the menu;
        - not understood, in a script none of our languages is written in: the safety line,
          then the menu;
        - not understood, but with answers the classifier finds likely: the safety line, then
          up to three "Did you mean …?" buttons;
        - contact the police about a crime that has happened: 114 14 and polisen.se."""
        match = understood.match
        unknown = Intent.UNKNOWN.value
        if match.intent is Intent.UNKNOWN:
            if understood.too_long:
                screen = render.too_long(tr)
                return Answer(unknown, None, screen.text, screen.rows)
            if not reads(tr.locale, match):
                return Answer(
                    unknown, None, render.unreadable_text(tr, self.s.promise), menu_buttons(tr)
                )
            if any(o[0] != Intent.EMERGENCY.value for o in match.alternatives):
                buttons = did_you_mean_buttons(tr, match.alternatives)
                return Answer(unknown, None, render.did_you_mean_text(tr), buttons)
        if match.intent is Intent.CONTACT_POLICE and match.danger == Danger.PAST_CRIME:
            text = render.past_crime_text(tr, self.s.promise)
            return Answer(Intent.CONTACT_POLICE.value, None, text)
        return None

    # One builder per intent, for ``ANSWERS`` below.

    async def _emergency(self, match: Match, tr: Translator) -> Answer:
        text = render.emergency_text(tr, self.s.promise, match.danger, match.signals)
        return Answer(match.intent.value, None, text)

    async def _worry(self, match: Match, tr: Translator) -> Answer:
        return Answer(match.intent.value, None, await self.worry_text(tr, match.worry))

    async def _poison_question(self, match: Match, tr: Translator) -> Answer:
        return Answer(match.intent.value, None, render.poison_text(tr, self.s.promise))

    async def _scam_check(self, match: Match, tr: Translator) -> Answer:
        text = render.scam_text(tr, self.s.promise, match.flags)
        return Answer(match.intent.value, None, text)

    async def _next_event(self, match: Match, tr: Translator) -> Answer:
        return await self.next_event(tr, match.kind)

    async def _events_list(self, match: Match, tr: Translator) -> Answer:
        return Answer(match.intent.value, None, await self.events_text(tr))

    async def _about_promise(self, match: Match, tr: Translator) -> Answer:
        text = render.about_text(tr, self.s.promise)
        return Answer(match.intent.value, None, text, menu_buttons(tr)[:1])

    async def _progress(self, match: Match, tr: Translator) -> Answer:
        # The chat shows the chart with it (handlers.questions.CHAT_ACTIONS).
        summary = render_progress.summary(tr, self.s.promise, await self.progress.progress())
        return Answer(match.intent.value, None, summary)

    async def _previous_promise(self, match: Match, tr: Translator) -> Answer:
        """The kommun's previous promise's final result: the one before the promise in force,
        or the promise itself once it has ended and no other has followed."""
        current = self.s.promise
        ended = current.window.end < self.s.clock.today()
        before = current if ended else self.s.promises.previous(current)
        if before is None:
            return Answer(match.intent.value, None, render_progress.no_earlier_promise(tr, current))
        progress = await ProgressService(self.s.scoped(before)).progress()
        return Answer(match.intent.value, None, render_progress.final_result(tr, before, progress))

    def promise_for_resident(self, text: str, municipality: str | None) -> tuple[Promise, bool]:
        """The promise a resident's text is answered from (several kommuner): the kommun of
        a place the text names, else hers (``municipality``), else the home kommun; that
        kommun's promise in force (or its last one). Also whether the kommun was named."""
        promises = self.s.promises
        today = self.s.clock.today()
        named = [
            kommun for kommun in promises.municipalities
            if any(place_named(text, p) for p in promises.of(kommun))
        ]  # fmt: skip
        if len(named) == 1:
            return promises.current(named[0], today), True
        return promises.current(municipality, today), False

    async def _contact_police(self, match: Match, tr: Translator) -> Answer:
        return Answer(match.intent.value, None, render.contact_text(tr, self.s.promise))

    async def _fraud_help(self, match: Match, tr: Translator) -> Answer:
        text = render.fraud_help_text(tr, self.s.promise)
        return Answer(match.intent.value, None, text, [scam_row(tr)])

    async def _subscribe_tips(self, match: Match, tr: Translator) -> Answer:
        return Answer(match.intent.value, None, render.subscribe_tips_text(tr))

    async def _stop_tips(self, match: Match, tr: Translator) -> Answer:
        # The chat stops the tips at once (handlers.questions.CHAT_ACTIONS); this is what the
        # command line shows.
        return Answer(match.intent.value, None, render.stop_tips_text(tr))

    async def _tip_off(self, match: Match, tr: Translator) -> Answer:
        return Answer(match.intent.value, None, render.tip_off_text(tr, self.s.promise))

    async def _explain(self, match: Match, tr: Translator) -> Answer:
        text = render.explain_text(tr, self.s.promise, match.topic)
        return Answer(match.intent.value, None, text)

    async def _trygghetscenter(self, match: Match, tr: Translator) -> Answer:
        return Answer(match.intent.value, None, render.trygghetscenter_text(tr, self.s.promise))

    async def _greeting(self, match: Match, tr: Translator) -> Answer:
        return Answer(match.intent.value, None, render.greeting_text(tr), menu_buttons(tr))

    async def _thanks(self, match: Match, tr: Translator) -> Answer:
        return Answer(match.intent.value, None, render.thanks_text(tr))

    async def _suggestion(self, match: Match, tr: Translator) -> Answer:
        # The chat shows it as a card to send (handlers.suggestions); this is its text.
        reading = match.suggestion or Reading(SuggestionKind.WISH)
        text = voice.received_text(tr, self.s.promise, reading, match.danger is not None)
        return Answer(match.intent.value, None, text)

    async def _unknown(self, match: Match, tr: Translator) -> Answer:
        text = render.not_understood_text(tr)
        return Answer(Intent.UNKNOWN.value, None, text, menu_buttons(tr))

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


Build = Callable[[AnswerService, Match, Translator], Awaitable[Answer]]

# One table from intent to answer: every intent has exactly one entry
# (tests/test_answer_table.py). What depends on more than the intent is decided before it
# (``AnswerService._before_the_table``).
ANSWERS: Mapping[Intent, Build] = MappingProxyType(
    {
        Intent.EMERGENCY: AnswerService._emergency,
        Intent.WORRY: AnswerService._worry,
        Intent.POISON_QUESTION: AnswerService._poison_question,
        Intent.SCAM_CHECK: AnswerService._scam_check,
        Intent.NEXT_EVENT: AnswerService._next_event,
        Intent.EVENTS_LIST: AnswerService._events_list,
        Intent.ABOUT_PROMISE: AnswerService._about_promise,
        Intent.PROGRESS: AnswerService._progress,
        Intent.PREVIOUS_PROMISE: AnswerService._previous_promise,
        Intent.CONTACT_POLICE: AnswerService._contact_police,
        Intent.FRAUD_HELP: AnswerService._fraud_help,
        Intent.SUBSCRIBE_TIPS: AnswerService._subscribe_tips,
        Intent.STOP_TIPS: AnswerService._stop_tips,
        Intent.TIP_OFF: AnswerService._tip_off,
        Intent.EXPLAIN: AnswerService._explain,
        Intent.TRYGGHETSCENTER: AnswerService._trygghetscenter,
        Intent.GREETING: AnswerService._greeting,
        Intent.THANKS: AnswerService._thanks,
        Intent.UNKNOWN: AnswerService._unknown,
        Intent.SUGGESTION: AnswerService._suggestion,
        Intent.UNSAFE_PLACE: AnswerService._suggestion,
    }
)
