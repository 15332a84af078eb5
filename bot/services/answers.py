"""Answers to residents' free-text questions, from live data.

The matcher (``bot.questions``) decides what was asked; this service writes the answer in
the resident's language. The ``answer`` CLI and the chat use the same path, so what the
command line shows is what a resident gets.
"""

from __future__ import annotations

from dataclasses import dataclass, field, replace

from bot.emergency import Danger, assess
from bot.i18n import Translator
from bot.phrasebook import load_phrasebook
from bot.questions import Intent, Match, match_question
from bot.scamcheck import ScamCheck, check_message
from bot.scripts import script_language
from bot.services import Services
from bot.services.events import EventService
from bot.services.progress import ProgressService

Buttons = list[list[tuple[str, str]]]


@dataclass(frozen=True)
class Answer:
    intent: str
    kind: str | None
    text: str
    buttons: Buttons = field(default_factory=list)

    def to_json(self) -> dict[str, object]:
        return {"intent": self.intent, "kind": self.kind, "text": self.text}


def emergency_text(tr: Translator, services: Services, danger: str | None = None) -> str:
    """112 first, always; then the line for the kind of danger, and that nobody watches."""
    c = services.promise.contacts
    _ = tr.gettext
    lines = [emergency_line(tr, services)]
    suicide = _(
        "Thoughts of suicide, yours or someone else's: call Självmordslinjen "
        "{suicide_line} (Mind) or {healthcare}. You are not alone."
    ).format(suicide_line=c.suicide_line, healthcare=c.healthcare)
    violence = _(
        "Violence in a close relationship: call Kvinnofridslinjen {violence_line}. "
        "It is free and open around the clock."
    ).format(violence_line=c.violence_line)
    if danger == Danger.SUICIDE:
        lines.append(suicide)
    elif danger == Danger.CLOSE_VIOLENCE:
        lines.append(violence)
    elif danger == Danger.POSSIBLE:
        # Unsure what is going on: both lines, since these are the kinds people describe
        # least directly.
        lines += [suicide, violence]
    else:
        lines.append(
            _("To report a crime afterwards: call {police} or go to {web}.").format(
                police=c.police_non_urgent, web=c.police_web
            )
        )
    lines.append(_("I am a bot and I am not watched around the clock, so I cannot send help."))
    return "\n".join(lines)


def emergency_line(tr: Translator, services: Services) -> str:
    return tr.gettext(
        "{emergency} – call now if someone is in danger or it is happening now."
    ).format(emergency=services.promise.contacts.emergency)


def past_crime_text(tr: Translator, services: Services) -> str:
    c = services.promise.contacts
    return tr.gettext(
        "It sounds like a crime that has already happened. Report it at {web} or call "
        "{police}.\nIf someone is in danger now, call {emergency}.\n"
        "I am a bot and I am not watched around the clock."
    ).format(web=c.police_web, police=c.police_non_urgent, emergency=c.emergency)


def scam_text(tr: Translator, services: Services, flags: tuple[str, ...]) -> str:
    """What a pasted or forwarded text shows: the signs found and what to do. Never "safe"."""
    c = services.promise.contacts
    _ = tr.gettext
    lines = [_("I looked for signs of fraud. I can never promise that a text is safe.")]
    signs = ScamCheck(flags).messages()
    if signs:
        lines.append(_("Signs of fraud in this text:"))
        lines += ["• " + _(msgid) for msgid in signs]
    lines += [
        "",
        _("What to do:"),
        _("• Do not click any link and do not answer."),
        _("• Call your bank on the number on your card."),
        _("• Report it at {web} or on {police}.").format(
            web=c.police_web, police=c.police_non_urgent
        ),
        _("• Have you already given money, codes or BankID? Call your bank now."),
        "",
        _("I did not save the text."),
    ]
    return "\n".join(lines)


def matcher_locales() -> frozenset[str]:
    """The languages the question matcher reads: those with a ``questions.toml``."""
    return frozenset(load_phrasebook().hints)


def reads(locale: str, match: Match) -> bool:
    """Whether the matcher could have understood a question written in this chat: the
    chat's language is one it reads, and so is the text's script (if it gives a clue)."""
    known = matcher_locales()
    guess = match.locale_guess
    return locale in known and (guess is None or guess in known)


def unreadable_text(tr: Translator, services: Services) -> str:
    """For text in a language the matcher does not read: 112 first, then where to tap, in
    the resident's own language (never a Swedish menu they cannot read either)."""
    return (
        emergency_line(tr, services)
        + "\n\n"
        + tr.gettext("I cannot read that yet. Please tap one of the buttons below.")
    )


def safety_line(tr: Translator) -> str:
    # TRANSLATORS: the last line of every "I did not understand" reply.
    return tr.gettext("Is someone in danger? Call 112.")


def menu_text(tr: Translator, intro: str | None = None) -> str:
    """The menu of what the bot can do, after ``intro`` (by default: "I did not understand")."""
    _ = tr.gettext
    return "\n".join(
        [
            intro or _("I did not quite understand. This is what I can help with:"),
            _("• upcoming theme meetings, dialogues and visibility efforts – /events"),
            _("• how the promise is going – /progress"),
            _('• what the police and the municipality promised – ask "what did you promise?"'),
            _("• fraud tips for seniors – /tips"),
            _("• is a text message a scam? Paste it here"),
            _('• how to reach the police – ask "how do I contact the police?"'),
            "",
            safety_line(tr),
        ]
    )


def menu_buttons(tr: Translator) -> Buttons:
    _ = tr.gettext
    return [
        [(_("Upcoming events"), "ev:list:0"), (_("How is it going?"), "ask:progress:0")],
        [(_("The promise"), "ask:about:0"), (_("Fraud tips"), "ask:tips:0")],
        [(_("Is this a scam?"), SCAM_BUTTON)],
    ]


# The "Is this a scam?" button: the next text the person sends is checked for fraud.
SCAM_BUTTON = "ask:scam:0"


class AnswerService:
    def __init__(self, services: Services) -> None:
        self.s = services
        self.events = EventService(services)

    def understand(self, text: str, locale: str) -> Match:
        match = match_question(text, self.s.promise, locale)
        if match.intent is Intent.UNKNOWN:
            # Arabic or Persian script (say) in a Swedish chat: the matcher cannot read it.
            written = script_language(text)
            if written is not None:
                match = replace(match, locale_guess=written)
        return match

    async def answer(self, text: str, locale: str) -> Answer:
        return await self.respond(self.understand(text, locale), locale)

    def check_text(self, text: str, locale: str) -> Answer:
        """After "Is this a scam?": the text is checked whatever it looks like — unless it
        describes danger, which is answered first as always."""
        tr = self.s.translator(locale)
        check = assess(text)
        if check.urgent and set(check.signals) - {"plea"}:
            return Answer(Intent.EMERGENCY.value, None, emergency_text(tr, self.s, check.danger))
        flags = check_message(text).flags
        return Answer(Intent.SCAM_CHECK.value, None, scam_text(tr, self.s, flags))

    async def respond(self, match: Match, locale: str) -> Answer:
        answer = await self._respond(match, locale)
        if match.danger == Danger.POSSIBLE and not answer.text.startswith(
            self.s.promise.contacts.emergency
        ):
            # Words of harm next to a question: the 112 line comes first, then the answer.
            tr = self.s.translator(locale)
            text = emergency_line(tr, self.s) + "\n\n" + answer.text
            return Answer(answer.intent, answer.kind, text, answer.buttons)
        return answer

    async def _respond(self, match: Match, locale: str) -> Answer:
        tr = self.s.translator(locale)
        intent = match.intent
        if match.danger == Danger.POSSIBLE and intent in (Intent.EMERGENCY, Intent.UNKNOWN):
            # Unsure: 112 first, then what else the bot can do.
            text = emergency_text(tr, self.s, match.danger) + "\n\n" + menu_text(tr)
            return Answer(intent.value, None, text, menu_buttons(tr))
        if intent is Intent.EMERGENCY:
            return Answer(intent.value, None, emergency_text(tr, self.s, match.danger))
        if intent is Intent.SCAM_CHECK:
            return Answer(intent.value, None, scam_text(tr, self.s, match.flags))
        if intent is Intent.CONTACT_POLICE and match.danger == Danger.PAST_CRIME:
            return Answer(intent.value, None, past_crime_text(tr, self.s))
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
            scam_row = [[(tr.gettext("Is this a scam?"), SCAM_BUTTON)]]
            return Answer(intent.value, None, self.fraud_help_text(tr), scam_row)
        if intent is Intent.SUBSCRIBE_TIPS:
            text = tr.gettext(
                "You can get a short fraud tip once a week, every other week or once a "
                "month, in the daytime. Start with /tips. Stop any time with /stop."
            )
            return Answer(intent.value, None, text)
        if intent is Intent.STOP_TIPS:
            # The chat stops the tips at once (handlers.questions); this is what the CLI shows.
            text = tr.gettext("To stop the fraud tips, write /stop. Nothing else is needed.")
            return Answer(intent.value, None, text)
        if intent is Intent.TIP_OFF:
            return Answer(intent.value, None, self.tip_off_text(tr))
        if intent is Intent.EXPLAIN:
            return Answer(intent.value, None, self.explain_text(tr, match.topic))
        if intent is Intent.TRYGGHETSCENTER:
            return Answer(intent.value, None, self.trygghetscenter_text(tr))
        if intent is Intent.GREETING:
            intro = tr.gettext("Hi! This is what I can help with:")
            return Answer(intent.value, None, menu_text(tr, intro), menu_buttons(tr))
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
            "{emergency}.\nYou can paste or forward a message you are unsure about to me, and "
            "I will look for signs of fraud. Get regular tips with /tips."
        ).format(police=c.police_non_urgent, emergency=c.emergency)

    def tip_off_text(self, tr: Translator) -> str:
        c = self.s.promise.contacts
        return tr.gettext(
            'You can tip the police, and you do not have to give your name: use "Tipsa '
            'polisen" at {web} or call {police}.\nIf it is happening now and someone is in '
            "danger, call {emergency}.\nI am a bot and I am not watched around the clock."
        ).format(web=c.police_web, police=c.police_non_urgent, emergency=c.emergency)

    def explain_text(self, tr: Translator, commitment_id: str | None) -> str:
        """A plain explanation of one commitment. For internal (count_only) work only what the
        promise file's ``explain`` says, which holds no dates, places or plans."""
        commitment = self.s.promise.get(commitment_id) if commitment_id else None
        if commitment is None:
            return self.about_text(tr)
        lines = [commitment.title.get(tr.locale)]
        if commitment.explain is not None:
            lines.append(commitment.explain.get(tr.locale))
        elif commitment.is_public:
            lines.append(commitment.description.get(tr.locale))
        if not commitment.is_public:
            lines.append(
                tr.gettext(
                    "For this part of the promise we only show how the work is going, never "
                    "dates, places or plans. See /progress."
                )
            )
        return "\n".join(lines)

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
