"""Presenters for fraud tips and staff alerts: /tips in three taps and /stop, the buttons
under every tip; /alert's steps, the alert preview, the admins' approval question, the
author's answer and the delivery report."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from datetime import datetime

from bot.domain.tips import CADENCES, SLOTS
from bot.i18n import N_, Translator
from bot.render import Button, Screen
from bot.render.callbacks import AlertAction, AlertPress, TipsAction, TipsPress
from bot.render.menu import scam_row

LOCALES = ("sv", "en")

CADENCE_LABELS = {
    "weekly": N_("Once a week"),
    "biweekly": N_("Every other week"),
    "monthly": N_("Once a month"),
}
SLOT_LABELS = {
    "morning": N_("Morning (9:00)"),
    "midday": N_("Midday (12:00)"),
    "afternoon": N_("Afternoon (15:00)"),
}
WEEKDAYS = (
    N_("Monday"),
    N_("Tuesday"),
    N_("Wednesday"),
    N_("Thursday"),
    N_("Friday"),
    N_("Saturday"),
    N_("Sunday"),
)


@dataclass(frozen=True)
class TapScreen:
    """A text with big buttons under the text field that send their own label (Telegram's
    reply keyboard): /tips' steps, where tapping and typing give the same answer."""

    text: str
    keys: list[list[str]]
    placeholder: str


# --- /tips and /stop ------------------------------------------------------------------------


def cadence_choices(tr: Translator) -> dict[str, str]:
    """Cadence → its label, as the button shows it (and as someone may type it)."""
    return {key: tr.gettext(msgid) for key, msgid in CADENCE_LABELS.items()}


def weekday_choices(tr: Translator) -> dict[str, str]:
    """The day's number as text ("0" is Monday) → the day's name."""
    return {str(day): tr.gettext(msgid) for day, msgid in enumerate(WEEKDAYS)}


def slot_choices(tr: Translator) -> dict[str, str]:
    return {key: tr.gettext(msgid) for key, msgid in SLOT_LABELS.items()}


def describe(tr: Translator, cadence: str, weekday: int, slot: str) -> str:
    return tr.gettext("{cadence}, on {weekday}, {slot}").format(
        cadence=tr.gettext(CADENCE_LABELS[cadence]).lower(),
        weekday=tr.gettext(WEEKDAYS[weekday]).lower(),
        slot=tr.gettext(SLOT_LABELS[slot]).lower(),
    )


def _tap(tr: Translator, text: str, keys: list[list[str]]) -> TapScreen:
    return TapScreen(text, keys, tr.gettext("Tap a button"))


def ask_cadence(tr: Translator, now: str | None) -> TapScreen:
    """/tips: what it is, what is chosen ``now`` (``describe``), if anything, and how often."""
    _ = tr.gettext
    lines = [
        _(
            "I can send you a short tip about fraud. One tip at a time, in the daytime. "
            "You can stop whenever you want with /stop."
        ),
        _("A relative can also subscribe and pass the tips on."),
    ]
    if now is not None:
        lines.append(_("Now you get tips: {when}. Choose again to change.").format(when=now))
    lines.append(_("How often do you want a tip?"))
    rows = [[_(CADENCE_LABELS[c])] for c in CADENCES]
    return _tap(tr, "\n\n".join(lines), rows)


def ask_weekday(tr: Translator) -> TapScreen:
    days = [tr.gettext(d) for d in WEEKDAYS]
    return _tap(tr, tr.gettext("Which day?"), [days[0:3], days[3:5], days[5:7]])


def ask_slot(tr: Translator) -> TapScreen:
    rows = [[tr.gettext(SLOT_LABELS[s])] for s in SLOTS]
    return _tap(tr, tr.gettext("What time of day?"), rows)


def please_tap(tr: Translator) -> str:
    """Something typed that is none of the buttons."""
    return tr.gettext("Please tap one of the buttons. Or write /cancel to stop.")


def subscribed(
    tr: Translator, cadence: str, weekday: int, slot: str, next_at: datetime | None
) -> str:
    first = tr.weekday_date(next_at.date()) if next_at else ""
    return tr.gettext(
        "Done! You will get a tip: {when}.\nThe first one comes {first}.\n"
        "To stop, write /stop or tap the stop button under a tip."
    ).format(when=describe(tr, cadence, weekday, slot), first=first)


def stopped(tr: Translator, was_subscribed: bool) -> str:
    """/stop, the stop button or "sluta skicka tips": whether there were tips to stop."""
    _ = tr.gettext
    if was_subscribed:
        return _("Done. You will not get any more tips. Welcome back with /tips.")
    return _("You do not get any tips right now. Start with /tips.")


# --- /alert -----------------------------------------------------------------------------------


def ask_alert(tr: Translator) -> str:
    return tr.gettext(
        "Write the alert as the seniors should read it, in one message. Short and calm. "
        "No links, and never ask for anything. /cancel stops."
    )


def alert_as_text(tr: Translator) -> str:
    """/alert's step got no text (a photo, a sticker)."""
    return tr.gettext("Please write the alert as text, or /cancel.")


def alert_dropped(tr: Translator) -> str:
    return tr.gettext("OK, the alert was thrown away.")


def draft_gone(tr: Translator) -> str:
    """A preview's button after the draft was sent, dropped or lost in a restart."""
    return tr.gettext("That draft is gone. Start again with /alert.")


def ask_version(tr: Translator, locale: str) -> str:
    """Ask for the alert's text in the other staff language (``sv`` or ``en``)."""
    _ = tr.gettext
    return _("Write the Swedish version.") if locale == "sv" else _("Write the English version.")


def alert_submitted(tr: Translator) -> str:
    return tr.gettext("Sent to the admins for approval. I will tell you when it goes out.")


def alert_decided(tr: Translator, approved: bool) -> str:
    """The admin's own answer after approving or rejecting an alert."""
    _ = tr.gettext
    if approved:
        return _("Approved. The alert is queued for all subscribers.")
    return _("Rejected. The alert will not be sent.")


def tip_buttons(tr: Translator) -> list[list[Button]]:
    """Under every tip: stop them, or paste a suspicious text to have it checked."""
    return [[Button(tr.gettext("Stop the tips"), TipsPress(TipsAction.STOP))], scam_row(tr)]


def alert_text(tr: Translator, text: str, signoff: str) -> str:
    """An alert exactly as a subscriber sees it (the preview shows the same)."""
    heading = tr.gettext("Warning from the police and the municipality:")
    return f"{heading}\n\n{text}\n\n{signoff}"


def alert_preview(tr: Translator, shown: Mapping[str, str], missing: list[str]) -> Screen:
    """Each language exactly as its subscribers will see it (``shown``: locale → text),
    and what can be done next; ``missing``: the languages not written yet."""
    _ = tr.gettext
    parts = [_("This is exactly what the seniors will see:")]
    parts += [f"[{locale}]\n{text}" for locale, text in shown.items()]
    rows = [
        [Button(_("Send for approval"), AlertPress(AlertAction.SUBMIT, 0))],
        [Button(_("Urgent: send at once when approved"), AlertPress(AlertAction.SUBMIT, 1))],
    ]
    if missing:
        label = _("Add a Swedish version") if missing[0] == "sv" else _("Add an English version")
        rows.append([Button(label, AlertPress(AlertAction.OTHER))])
    rows.append([Button(_("Cancel"), AlertPress(AlertAction.DROP))])
    return Screen("\n\n".join(parts), rows)


def approval_request(tr: Translator, urgent: bool, author: str, alert_id: int, text: str) -> Screen:
    """To each admin: an alert waiting for approval, shown as it will be sent."""
    _ = tr.gettext
    kind = _("URGENT alert") if urgent else _("Alert")
    head = _("{kind} from {name} waiting for approval:").format(kind=kind, name=author)
    return Screen(
        head + "\n\n" + text,
        [
            [
                Button(_("Approve and send"), AlertPress(AlertAction.APPROVE, alert_id)),
                Button(_("Reject"), AlertPress(AlertAction.REJECT, alert_id)),
            ]
        ],
    )


def alert_rejected(tr: Translator, decider: str) -> Screen:
    return Screen(tr.gettext("Your alert was not approved by {name}.").format(name=decider))


def alert_approved(tr: Translator, decider: str, subscribers: int, alert_id: int) -> Screen:
    text = tr.gettext(
        "Your alert was approved by {name} and is on its way to {n} subscribers."
    ).format(name=decider, n=subscribers)
    report = Button(tr.gettext("Delivery report"), AlertPress(AlertAction.REPORT, alert_id))
    return Screen(text, [[report]])


def delivery_report(
    tr: Translator, alert_id: int, sent: int, failed: int, blocked: int, queued: int
) -> Screen:
    text = tr.gettext(
        "Delivery report: {sent} sent, {failed} failed, {blocked} blocked the bot, "
        "{queued} still queued."
    ).format(sent=sent, failed=failed, blocked=blocked, queued=queued)
    again = Button(tr.gettext("Update the report"), AlertPress(AlertAction.REPORT, alert_id))
    return Screen(text, [[again]])
