"""Presenters for fraud tips and staff alerts: the buttons under every tip, the alert
preview, the admins' approval question, the author's answer and the delivery report."""

from __future__ import annotations

from collections.abc import Mapping

from bot.i18n import Translator
from bot.render import Button, Screen
from bot.render.callbacks import AlertAction, AlertPress, TipsAction, TipsPress
from bot.render.menu import scam_row

LOCALES = ("sv", "en")


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
