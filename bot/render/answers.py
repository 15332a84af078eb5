"""Presenters for answers to residents' free text: the emergency and past-crime answers,
the scam check, the menu, and the answers about the promise, contacts and fraud help; what
is said to a text that cannot be answered (too long, not text, an edit, an unknown
command)."""

from __future__ import annotations

from bot.domain.promise import Commitment, Promise, WorryTopic
from bot.i18n import Translator
from bot.language.emergency import Danger
from bot.language.scamcheck import ScamCheck
from bot.render import Screen
from bot.render.menu import menu_buttons

# Danger families (bot.language.emergency signals) after which "report it afterwards" makes sense: a
# crime. Never after self-harm, a fire or an illness.
_CRIME_SIGNALS = frozenset(
    {"violence", "threat", "weapon", "break_in", "robbery", "theft", "crime", "followed"}
)


def emergency_text(
    tr: Translator, promise: Promise, danger: str | None = None, signals: tuple[str, ...] = ()
) -> str:
    """112 first, always; then only the lines that fit the danger, and that nobody watches."""
    c = promise.contacts
    _ = tr.gettext
    lines = [emergency_line(tr, promise)]
    if danger == Danger.SUICIDE:
        lines.append(
            _(
                "Thoughts of suicide, yours or someone else's: call Självmordslinjen "
                "{suicide_line} (Mind) or {healthcare}. You are not alone."
            ).format(suicide_line=c.suicide_line, healthcare=c.healthcare)
        )
    elif danger == Danger.CLOSE_VIOLENCE:
        lines.append(
            _(
                "Violence in a close relationship: call Kvinnofridslinjen {violence_line}. "
                "It is free and open around the clock."
            ).format(violence_line=c.violence_line)
        )
    elif danger == OVERDOSE:
        lines.append(
            _(
                "Tell them what was taken, how much and when. Stay with the person and keep "
                "them on their side if they are drowsy."
            )
        )
    elif _CRIME_SIGNALS & set(signals):
        lines.append(
            _("To report a crime afterwards: call {police} or go to {web}.").format(
                police=c.police_non_urgent, web=c.police_web
            )
        )
    lines.append(_("I am a bot and I am not watched around the clock, so I cannot send help."))
    return "\n".join(lines)


# An overdose or a poisoning going on now (the classifier's label; bot.language.questions).
OVERDOSE = "overdose"


def poison_text(tr: Translator, promise: Promise) -> str:
    """A question about a possible poisoning that is not acute."""
    c = promise.contacts
    return tr.gettext(
        "Questions about poisoning: call Giftinformationscentralen on {poison}, day and "
        "night.\nIf the person is hard to wake, has trouble breathing or has cramps: call "
        "{emergency} now."
    ).format(poison=c.poison_info, emergency=c.emergency)


def worry_text(
    tr: Translator,
    promise: Promise,
    topic: WorryTopic,
    next_events: dict[str, str] | None = None,
) -> str:
    """A worry that is not an emergency: a calm answer with what the promise and the kommun
    offer and the way to tip the police, opened by the safety line as its one 112 line (a
    worry is told in the words of danger, and a danger read as a worry must still see 112
    first). ``next_events`` gives, per commitment id, a line about its next public event (the
    parents' lecture for a worry about drugs)."""
    _ = tr.gettext
    c = promise.contacts
    lines = [safety_line(tr), "", _worry_intro(tr, topic), ""]
    for help_ in promise.local_help:
        if topic not in help_.topics and WorryTopic.OTHER not in help_.topics:
            continue
        lines.append("• " + help_.text.get(tr.locale))
        upcoming = (next_events or {}).get(help_.commitment or "")
        if upcoming:
            lines.append("  " + upcoming)
    if topic is not WorryTopic.BULLYING:
        lines.append(
            "• "
            + _("To tip the police, without giving your name: {web} or {police}.").format(
                web=c.police_web, police=c.police_non_urgent
            )
        )
    return "\n".join(lines)


def _worry_intro(tr: Translator, topic: WorryTopic) -> str:
    _ = tr.gettext
    if topic is WorryTopic.BULLYING:
        return _("It is good that you tell someone. Bullying must always be taken seriously.")
    if topic is WorryTopic.YOUTH:
        return _("Thank you for telling us. Young people need adults who notice them.")
    if topic is WorryTopic.DRUGS:
        return _("It is good that you ask. You are not alone, and help is there.")
    if topic is WorryTopic.RECRUITMENT:
        return _("It is good that you react. Children who are drawn into crime need help early.")
    if topic is WorryTopic.VANDALISM:
        return _("Thank you for telling us. Damage and graffiti are best fixed quickly.")
    if topic is WorryTopic.UNSAFE_PLACE:
        return _("Thank you for telling us where it feels unsafe. That helps us plan.")
    return _("Thank you for telling us. This is where you can turn:")


def scam_prompt_text(tr: Translator) -> str:
    return tr.gettext(
        "Paste the text you are unsure about here, as your next message. "
        "I will look for signs of fraud and I will not save it."
    )


def with_menu(tr: Translator, first: str) -> Screen:
    """``first``, then the menu's text and its buttons."""
    return Screen(first + "\n\n" + menu_text(tr), menu_buttons(tr))


def too_long(tr: Translator) -> Screen:
    """A long text nothing was understood in: ask for a sentence or two, with the menu."""
    return with_menu(tr, tr.gettext("That was a long message. Please ask in a sentence or two."))


def text_only(tr: Translator) -> Screen:
    """A sticker, a photo or a voice message: the bot reads text, and here is the menu."""
    return with_menu(tr, tr.gettext("I can only read text. Write your question in words."))


def unknown_command(tr: Translator, near: str | None) -> Screen:
    """A command the bot does not know, the closest real one when one is near, the menu."""
    text = tr.gettext("I do not know that command.")
    if near is not None:
        text += " " + tr.gettext("Did you mean /{command}?").format(command=near)
    return with_menu(tr, text)


def edits_not_read(tr: Translator) -> str:
    """An edited message is not acted on (it could count a report or answer twice)."""
    return tr.gettext("I only read new messages, not edits. Please send it again as a new message.")


def did_you_mean_text(tr: Translator) -> str:
    """Unsure what was meant: the safety line first, then the question."""
    return safety_line(tr) + "\n\n" + tr.gettext("Did you mean one of these?")


def not_understood_text(tr: Translator) -> str:
    """Not understood: the safety line first, then the menu."""
    return safety_line(tr) + "\n\n" + menu_text(tr, safety_last=False)


def emergency_line(tr: Translator, promise: Promise) -> str:
    return tr.gettext(
        "{emergency} – call now if someone is in danger or it is happening now."
    ).format(emergency=promise.contacts.emergency)


def past_crime_text(tr: Translator, promise: Promise) -> str:
    c = promise.contacts
    return tr.gettext(
        "It sounds like a crime that has already happened. Report it at {web} or call "
        "{police}.\nIf someone is in danger now, call {emergency}.\n"
        "I am a bot and I am not watched around the clock."
    ).format(web=c.police_web, police=c.police_non_urgent, emergency=c.emergency)


def scam_text(tr: Translator, promise: Promise, flags: tuple[str, ...]) -> str:
    """What a pasted or forwarded text shows: the signs found and what to do. Never "safe"."""
    c = promise.contacts
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


def unreadable_text(tr: Translator, promise: Promise) -> str:
    """For text in a language the matcher does not read: 112 first, then where to tap, in
    the resident's own language (never a Swedish menu they cannot read either)."""
    return (
        safety_line(tr)
        + "\n\n"
        + tr.gettext("I cannot read that yet. Please tap one of the buttons below.")
    )


def safety_line(tr: Translator) -> str:
    # TRANSLATORS: the last line of every "I did not understand" reply.
    return tr.gettext("Is someone in danger? Call 112.")


def menu_text(tr: Translator, intro: str | None = None, safety_last: bool = True) -> str:
    """The menu of what the bot can do, after ``intro`` (by default: "I did not understand"),
    ending with the safety line unless it already opens the reply."""
    _ = tr.gettext
    lines = [
        intro or _("I did not quite understand. This is what I can help with:"),
        _("• upcoming theme meetings, dialogues and visibility efforts – /events"),
        _("• how the promise is going – /progress"),
        _('• what the police and the municipality promised – ask "what did you promise?"'),
        _("• fraud tips for seniors – /tips"),
        _("• is a text message a scam? Paste it here"),
        _('• how to reach the police – ask "how do I contact the police?"'),
    ]
    if safety_last:
        lines += ["", safety_line(tr)]
    return "\n".join(lines)


def about_text(tr: Translator, promise: Promise) -> str:
    promise = promise
    lines = [promise.name.get(tr.locale), "", promise.summary.get(tr.locale), ""]
    lines.append(tr.gettext("We promise:"))
    for c in promise.commitments:
        lines.append(f"• {c.title.get(tr.locale)}")
    return "\n".join(lines)


def contact_text(tr: Translator, promise: Promise) -> str:
    c = promise.contacts
    text = tr.gettext(
        "Emergency, when it is happening now: {emergency}.\n"
        "Other matters and reporting a crime: {police} or {web}."
    ).format(emergency=c.emergency, police=c.police_non_urgent, web=c.police_web)
    if c.municipality_phone:
        text += "\n" + tr.gettext("The municipality: {phone}.").format(phone=c.municipality_phone)
    return text


def fraud_help_text(tr: Translator, promise: Promise) -> str:
    c = promise.contacts
    return tr.gettext(
        "If you have been tricked: call your bank at once and block your cards and "
        "BankID. Then report it to the police on {police}. If you are in danger, call "
        "{emergency}.\nYou can paste or forward a message you are unsure about to me, and "
        "I will look for signs of fraud. Get regular tips with /tips."
    ).format(police=c.police_non_urgent, emergency=c.emergency)


def tip_off_text(tr: Translator, promise: Promise) -> str:
    c = promise.contacts
    return tr.gettext(
        'You can tip the police, and you do not have to give your name: use "Tipsa '
        'polisen" at {web} or call {police}.\nIf it is happening now and someone is in '
        "danger, call {emergency}.\nI am a bot and I am not watched around the clock."
    ).format(web=c.police_web, police=c.police_non_urgent, emergency=c.emergency)


def explain_text(tr: Translator, promise: Promise, commitment_id: str | None) -> str:
    """A plain explanation of one commitment. For internal (count_only) work only what the
    promise file's ``explain`` says, which holds no dates, places or plans."""
    commitment = promise.get(commitment_id) if commitment_id else None
    if commitment is None:
        return about_text(tr, promise)
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


def trygghetscenter_text(tr: Translator, promise: Promise) -> str:
    place = promise.trygghetscenter
    if place is None:
        return contact_text(tr, promise)
    return "\n".join(
        [
            f"{place.name}: {place.address}",
            place.opening_hours.get(tr.locale),
            place.about.get(tr.locale),
        ]
    )


def subscribe_tips_text(tr: Translator) -> str:
    return tr.gettext(
        "You can get a short fraud tip once a week, every other week or once a "
        "month, in the daytime. Start with /tips. Stop any time with /stop."
    )


def stop_tips_text(tr: Translator) -> str:
    return tr.gettext("To stop the fraud tips, write /stop. Nothing else is needed.")


def greeting_text(tr: Translator) -> str:
    return menu_text(tr, tr.gettext("Hi! This is what I can help with:"))


def thanks_text(tr: Translator) -> str:
    return tr.gettext("You are welcome! Take care.")


def nothing_of_kind_text(tr: Translator, commitment: Commitment) -> str:
    return tr.gettext(
        "No {name} are planned right now. Ask again later, or follow the promise with /follow."
    ).format(name=commitment.short.get(tr.locale).lower())
