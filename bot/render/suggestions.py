"""Presenters for residents' suggestions and unsafe places: the card before a suggestion is
passed on (what it was read as, what happens next, who reads it, the taps for when and why),
the thanks, and the one message back when its group becomes an event or is declined. Staff
screens are in ``bot.render.suggestions_staff``."""

from __future__ import annotations

from datetime import date

from bot.domain.promise import Promise
from bot.domain.records import Event, GroupStatus, SuggestionKind
from bot.domain.voice import (
    PUBLISH_FROM,
    DeclineReason,
    Reading,
    TimeOfDay,
    VoiceGroup,
    VoiceSummary,
    Why,
    split_key,
)
from bot.i18n import Translator
from bot.language.pii import redact
from bot.language.suggestions import theme_name
from bot.render import Button, Screen
from bot.render.answers import safety_line
from bot.render.callbacks import VoiceAction, VoicePress


def when_labels(tr: Translator) -> dict[TimeOfDay, str]:
    _ = tr.gettext
    return {
        TimeOfDay.MORNING: _("Morning"),
        TimeOfDay.DAY: _("Daytime"),
        TimeOfDay.EVENING: _("Evening"),
        TimeOfDay.NIGHT: _("Night"),
    }


def why_labels(tr: Translator) -> dict[Why, str]:
    _ = tr.gettext
    return {
        Why.DARK: _("Dark"),
        Why.PEOPLE: _("People"),
        Why.TRAFFIC: _("Traffic"),
        Why.DRUGS: _("Drugs"),
        Why.OTHER: _("Other"),
    }


def area_name(promise: Promise, area: str | None, locale: str) -> str | None:
    found = next((a for a in promise.areas if a.id == area), None)
    return None if found is None else found.name.get(locale)


def topic(tr: Translator, promise: Promise, key: str) -> str:
    """What a group is about, in the reader's language: a theme's name, or "unsafe places
    in <area>"."""
    by, name = split_key(key)
    if by == "area":
        where = area_name(promise, name, tr.locale)
        if where is None:
            return tr.gettext("unsafe places")
        return tr.gettext("unsafe places in {area}").format(area=where)
    return theme_name(name, tr.locale)


def _what(tr: Translator, promise: Promise, reading: Reading) -> str:
    _ = tr.gettext
    theme = theme_name(reading.theme, tr.locale) if reading.theme else None
    if reading.kind is SuggestionKind.UNSAFE_PLACE:
        area = area_name(promise, reading.area, tr.locale)
        if area is None:
            return _("Thank you for telling us. I read this as a place that feels unsafe.")
        return _(
            "Thank you for telling us. I read this as a place in {area} that feels unsafe."
        ).format(area=area)
    if reading.kind is SuggestionKind.THEME:
        if theme is None:
            return _("Thank you! I read this as a theme for a theme meeting.")
        return _("Thank you! I read this as a theme for a theme meeting: {theme}.").format(
            theme=theme
        )
    if theme is None:
        return _("Thank you! I read this as an idea for the police and the municipality.")
    return _(
        "Thank you! I read this as an idea for the police and the municipality: {theme}."
    ).format(theme=theme)


def what_happens(tr: Translator) -> str:
    return tr.gettext(
        "What happens next: the municipality's safety coordinator reads every suggestion and takes "
        "them to the police and the municipality when they choose the themes of the theme meetings "
        "and where to go on safety efforts. Your name is not kept, and what you write is never "
        "published: the follow-up page only shows how many raised the same thing."
    )


def _opening(tr: Translator, reading: Reading, unsure: bool) -> list[str]:
    """An unsafe place is told in the words of a worry, and a text that may be about danger
    is answered with 112 first: the safety line opens the reply, as for a worry."""
    if unsure or reading.kind is SuggestionKind.UNSAFE_PLACE:
        return [safety_line(tr)]
    return []


def received_text(tr: Translator, promise: Promise, reading: Reading, unsure: bool = False) -> str:
    """What a suggestion was read as and what happens next (also ``answer``'s text)."""
    parts = [*_opening(tr, reading, unsure), _what(tr, promise, reading), what_happens(tr)]
    return "\n\n".join(parts)


def card(
    tr: Translator,
    promise: Promise,
    reading: Reading,
    event: Event | None = None,
    unsure: bool = False,
) -> Screen:
    """The card before a suggestion is passed on: nothing is kept until a Send button."""
    _ = tr.gettext
    parts = [*_opening(tr, reading, unsure), _what(tr, promise, reading)]
    if event is not None:
        parts.append(_("It will be linked to {event}.").format(event=redact(event.title)))
    parts.append(what_happens(tr))
    rows: list[list[Button]] = []
    if reading.kind is SuggestionKind.UNSAFE_PLACE:
        asks = []
        if reading.area is None and promise.areas:
            asks.append(_("Where? Tap the area."))
            rows.append(
                [
                    Button(a.name.get(tr.locale), VoicePress(VoiceAction.AREA, a.id))
                    for a in promise.areas
                ][:4]
            )
        asks.append(_("When does it feel unsafe? And why? Tap all that fit, or just send it."))
        parts.append("\n".join(asks))
        whens = when_labels(tr)
        rows.append(
            [
                Button(
                    ("✓ " if reading.time_of_day is w else "") + label,
                    VoicePress(VoiceAction.WHEN, w.value),
                )
                for w, label in whens.items()
            ]
        )
        whys = list(why_labels(tr).items())
        buttons = [
            Button(
                ("✓ " if w in reading.reasons else "") + label, VoicePress(VoiceAction.WHY, w.value)
            )
            for w, label in whys
        ]
        rows += [buttons[:3], buttons[3:]]
    parts.append(
        _(
            "Shall I pass it on? If you want to hear what happens to it, I keep your Telegram id "
            "until we have answered, and 30 days more."
        )
    )
    rows += [
        [Button(_("Send it"), VoicePress(VoiceAction.SEND))],
        [Button(_("Send, and tell me what happens"), VoicePress(VoiceAction.FOLLOW))],
        [Button(_("No, thanks"), VoicePress(VoiceAction.DROP))],
    ]
    return Screen("\n\n".join(parts), rows)


def sent(tr: Translator, follow: bool) -> str:
    _ = tr.gettext
    if follow:
        return _(
            "Passed on. Thank you! I will write to you here once when it becomes an event or "
            "when we decide not to do it now. /delete_me removes your Telegram id from it."
        )
    return _("Passed on, without your name. Thank you!")


def dropped(tr: Translator) -> str:
    return tr.gettext("Nothing was passed on.")


def offer_row(tr: Translator) -> list[Button]:
    """Under a worry's answer: the worry can become a suggestion."""
    return [Button(tr.gettext("Do you want us to include this?"), VoicePress(VoiceAction.OFFER))]


def poster_prompt(tr: Translator, event: Event) -> str:
    """After a poster's link: what to write."""
    return tr.gettext(
        "What would you like us to bring up at {event}? Write it in your own words, in any "
        "language."
    ).format(event=redact(event.title))


def poster_prompt_gone(tr: Translator) -> str:
    return tr.gettext(
        "What would you like the police and the municipality to bring up? Write it in your own "
        "words, in any language."
    )


def reason_text(tr: Translator, reason: str) -> str:
    _ = tr.gettext
    texts = {
        DeclineReason.NOT_IN_PROMISE: _(
            "It is not something the police and the municipality can do within this promise."
        ),
        DeclineReason.OTHERS: _("Someone else is responsible for it, and we have passed it on."),
        DeclineReason.LATER: _("We cannot do it this year, but we keep it for the next promise."),
        DeclineReason.ALREADY: _("It is already being done."),
    }
    try:
        return texts[DeclineReason(reason)]
    except ValueError:
        return ""


def told_planned(tr: Translator, promise: Promise, key: str, event: Event) -> Screen:
    """The one message back: the suggestion's group became an event."""
    commitment = promise.get(event.commitment)
    kind = commitment.short.get(tr.locale) if commitment else ""
    when = tr.datetime(tr.local(event.starts_at))
    place = event.place or ""
    text = tr.gettext(
        "Your suggestion about {topic} is now planned: {kind}, {title}, {when}{place}."
    ).format(
        topic=topic(tr, promise, key),
        kind=kind,
        title=redact(event.title),
        when=when,
        place=(tr.comma + redact(place)) if place else "",
    )
    return Screen(text + "\n\n" + tr.gettext("Thank you for telling us. /events shows it."))


def told_declined(tr: Translator, promise: Promise, key: str, reason: str) -> Screen:
    text = tr.gettext("About your suggestion on {topic}: not now. {reason}").format(
        topic=topic(tr, promise, key), reason=reason_text(tr, reason)
    )
    return Screen(text.rstrip() + "\n\n" + tr.gettext("Thank you for telling us."))


def privacy_line(tr: Translator, n: int) -> str:
    return tr.ngettext(
        "• {n} suggestion you asked to hear about (kept until we have answered, and 30 days more)",
        "• {n} suggestions you asked to hear about (kept until we have answered, and 30 days more)",
        n,
    ).format(n=n)


# --- published: "Ni sa – vi gjorde" ------------------------------------------------------------


def public_status(tr: Translator, group: VoiceGroup) -> str:
    """What became of a group, for the public page (never a text or a person)."""
    _ = tr.gettext
    if group.status is GroupStatus.PLANNED:
        if group.event_title and group.event_day:
            day = tr.date(date.fromisoformat(group.event_day), "d MMMM yyyy")
            return _("planned: {event}, {day}").format(event=group.event_title, day=day)
        return _("planned")
    if group.status is GroupStatus.DONE:
        return _("done")
    if group.status is GroupStatus.DECLINED:
        reason = reason_text(tr, group.reason)
        return _("not now: {reason}").format(reason=reason) if reason else _("not now")
    return _("new: not decided yet")


def voice_rows(
    tr: Translator, promise: Promise, summary: VoiceSummary
) -> list[tuple[str, int, str]]:
    """(what it is about, how many, what happens) per published group."""
    return [(topic(tr, promise, g.key), g.count, public_status(tr, g)) for g in summary.groups]


def voice_words(tr: Translator, summary: VoiceSummary) -> dict[str, object]:
    """The section's sentences for the page templates."""
    _ = tr.gettext
    words: dict[str, object] = {
        "heading": _("You said – we did"),
        "intro": _(
            "What residents raised through the bot, by theme and by area, and what was done "
            "about it. A theme or a place is shown only when at least {n} people raised it; "
            "nothing anyone wrote is published."
        ).format(n=PUBLISH_FROM),
        "head": (_("About"), _("How many"), _("What happens")),
        "caption": _("Residents' suggestions and unsafe places"),
        "none": _("Nothing has been raised by {n} people or more yet.").format(n=PUBLISH_FROM),
        "hidden": "",
    }
    if summary.hidden:
        words["hidden"] = tr.ngettext(
            "{n} more suggestion is about a theme or place fewer people raised.",
            "{n} more suggestions are about themes or places fewer people raised.",
            summary.hidden,
        ).format(n=summary.hidden)
    return words
