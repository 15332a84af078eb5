"""Answers to residents' free-text questions, from live data.

The matcher (``bot.questions``) decides what was asked; this service writes the answer in
the resident's language. The ``answer`` CLI and the chat use the same path, so what the
command line shows is what a resident gets.
"""

from __future__ import annotations

from dataclasses import dataclass, field, replace

from bot.i18n import Translator
from bot.questions import Intent, Match, match_question
from bot.scripts import script_language
from bot.services import Services
from bot.services.events import EventService
from bot.services.progress import ProgressService

Buttons = list[list[tuple[str, str]]]

# Languages the question matcher reads. A question in any other language (or script) is
# answered with 112 first and the menu buttons, in the resident's own language.
MATCHER_LOCALES = frozenset({"sv", "en"})


@dataclass(frozen=True)
class Answer:
    intent: str
    kind: str | None
    text: str
    buttons: Buttons = field(default_factory=list)

    def to_json(self) -> dict[str, object]:
        return {"intent": self.intent, "kind": self.kind, "text": self.text}


def emergency_text(tr: Translator, services: Services) -> str:
    c = services.promise.contacts
    return tr.gettext(
        "If someone is in danger or it is happening now: call {emergency} at once.\n"
        "To report a crime afterwards: call {police} or go to {web}.\n"
        "I am a bot and I am not watched around the clock, so I cannot send help."
    ).format(emergency=c.emergency, police=c.police_non_urgent, web=c.police_web)


def unreadable_text(tr: Translator, services: Services) -> str:
    """For text the matcher cannot read: the 112 line first, then where to tap."""
    return (
        tr.gettext("If someone is in danger or it is happening now: call {emergency}.").format(
            emergency=services.promise.contacts.emergency
        )
        + "\n\n"
        + tr.gettext("I cannot read that yet. Please tap one of the buttons below.")
    )


def reads(locale: str, match: Match) -> bool:
    """Whether the matcher could have understood a question written in this chat."""
    guess = match.locale_guess
    return locale in MATCHER_LOCALES and (guess is None or guess in MATCHER_LOCALES)


def menu_text(tr: Translator) -> str:
    _ = tr.gettext
    return "\n".join(
        [
            _("I did not quite understand. This is what I can help with:"),
            _("• upcoming theme meetings, dialogues and visibility efforts – /events"),
            _("• how the promise is going – /progress"),
            _('• what the police and the municipality promised – ask "what did you promise?"'),
            _("• fraud tips for seniors – /tips"),
            _('• how to reach the police – ask "how do I contact the police?"'),
        ]
    )


def menu_buttons(tr: Translator) -> Buttons:
    _ = tr.gettext
    return [
        [(_("Upcoming events"), "ev:list:0"), (_("How is it going?"), "ask:progress:0")],
        [(_("The promise"), "ask:about:0"), (_("Fraud tips"), "ask:tips:0")],
    ]


class AnswerService:
    def __init__(self, services: Services) -> None:
        self.s = services
        self.events = EventService(services)

    def understand(self, text: str, locale: str) -> Match:
        match = match_question(text, self.s.promise, locale)
        if match.intent is Intent.UNKNOWN:
            written = script_language(text)
            if written is not None:
                match = replace(match, locale_guess=written)
        return match

    async def answer(self, text: str, locale: str) -> Answer:
        return await self.respond(self.understand(text, locale), locale)

    async def respond(self, match: Match, locale: str) -> Answer:
        tr = self.s.translator(locale)
        intent = match.intent
        if intent is Intent.EMERGENCY:
            return Answer(intent.value, None, emergency_text(tr, self.s))
        if intent is Intent.NEXT_EVENT:
            return await self.next_event(tr, match.kind)
        if intent is Intent.EVENTS_LIST:
            return Answer(intent.value, None, await self.events_text(tr))
        if intent is Intent.ABOUT_PROMISE:
            return Answer(intent.value, None, self.about_text(tr), menu_buttons(tr)[:1])
        if intent is Intent.PROGRESS:
            service = ProgressService(self.s)
            summary = service.summary_text(await service.progress(), tr)
            return Answer(intent.value, None, summary)
        if intent is Intent.CONTACT_POLICE:
            return Answer(intent.value, None, self.contact_text(tr))
        if intent is Intent.FRAUD_HELP:
            return Answer(intent.value, None, self.fraud_help_text(tr))
        if intent is Intent.SUBSCRIBE_TIPS:
            text = tr.gettext(
                "You can get a short fraud tip once a week, every other week or once a "
                "month, in the daytime. Start with /tips. Stop any time with /stop."
            )
            return Answer(intent.value, None, text)
        if intent is Intent.TRYGGHETSCENTER:
            return Answer(intent.value, None, self.trygghetscenter_text(tr))
        if intent is Intent.GREETING:
            text = tr.gettext("Hi! Ask me about events, the promise or fraud tips.")
            return Answer(intent.value, None, text + "\n\n" + menu_text(tr), menu_buttons(tr))
        if intent is Intent.THANKS:
            return Answer(intent.value, None, tr.gettext("You are welcome! Take care."))
        if not reads(locale, match):
            return Answer(Intent.UNKNOWN.value, None, unreadable_text(tr, self.s), menu_buttons(tr))
        return Answer(Intent.UNKNOWN.value, None, menu_text(tr), menu_buttons(tr))

    async def next_event(self, tr: Translator, kind: str | None) -> Answer:
        if kind is None:
            return Answer(Intent.NEXT_EVENT.value, None, await self.events_text(tr, limit=3))
        upcoming = await self.events.upcoming(kind=kind, days=365)
        commitment = self.s.promise.commitment(kind)
        name = commitment.short.get(tr.locale)
        if not upcoming:
            text = tr.gettext(
                "No {name} are planned right now. Ask again later, or follow the promise "
                "with /follow."
            ).format(name=name.lower())
            return Answer(Intent.NEXT_EVENT.value, kind, text)
        event = upcoming[0]
        text = tr.gettext("The next one:") + "\n" + self.events.describe(event, tr)
        buttons = [
            [
                (tr.gettext("Remind me"), f"ev:rem:{event.id}"),
                (tr.gettext("Add to calendar"), f"ev:ics:{event.id}"),
            ]
        ]
        return Answer(Intent.NEXT_EVENT.value, kind, text, buttons)

    async def events_text(self, tr: Translator, limit: int = 10) -> str:
        upcoming = (await self.events.upcoming())[:limit]
        if not upcoming:
            return tr.gettext("Nothing is planned for the next 60 days yet. Ask again later.")
        lines = [tr.gettext("Coming up:")]
        for event in upcoming:
            lines.append(self.events.list_line(event, tr))
        lines.append(tr.gettext("More with /events."))
        return "\n".join(lines)

    def about_text(self, tr: Translator) -> str:
        promise = self.s.promise
        lines = [promise.name.get(tr.locale), "", promise.summary.get(tr.locale), ""]
        lines.append(tr.gettext("We promise:"))
        for c in promise.commitments:
            lines.append(f"• {c.title.get(tr.locale)}")
        return "\n".join(lines)

    def contact_text(self, tr: Translator) -> str:
        c = self.s.promise.contacts
        text = tr.gettext(
            "Emergency, when it is happening now: {emergency}.\n"
            "Other matters and reporting a crime: {police} or {web}."
        ).format(emergency=c.emergency, police=c.police_non_urgent, web=c.police_web)
        if c.municipality_phone:
            text += "\n" + tr.gettext("The municipality: {phone}.").format(
                phone=c.municipality_phone
            )
        return text

    def fraud_help_text(self, tr: Translator) -> str:
        c = self.s.promise.contacts
        return tr.gettext(
            "If you have been tricked: call your bank at once and block your cards and "
            "BankID. Then report it to the police on {police}. If you are in danger, call "
            "{emergency}.\nYou can forward a message you are unsure about to me, and I will "
            "look for signs of fraud. Get regular tips with /tips."
        ).format(police=c.police_non_urgent, emergency=c.emergency)

    def trygghetscenter_text(self, tr: Translator) -> str:
        place = self.s.promise.trygghetscenter
        if place is None:
            return self.contact_text(tr)
        return "\n".join(
            [
                f"{place.name}: {place.address}",
                place.opening_hours.get(tr.locale),
                place.about.get(tr.locale),
            ]
        )
