"""The residents' menu buttons (after "I did not understand", a greeting, /start), the
buttons that go with an answer, and what each command is for in Telegram's command menu."""

from __future__ import annotations

from collections.abc import Sequence

from bot.i18n import N_, Translator
from bot.render import Button
from bot.render.callbacks import AskPress, AskTopic, EventAction, EventPress, Meant, MeantPress

Rows = list[list[Button]]


def menu_buttons(tr: Translator) -> Rows:
    _ = tr.gettext
    return [
        [
            Button(_("Upcoming events"), EventPress(EventAction.LIST, 0)),
            Button(_("How is it going?"), AskPress(AskTopic.PROGRESS)),
        ],
        [
            Button(_("The promise"), AskPress(AskTopic.ABOUT)),
            Button(_("Fraud tips"), AskPress(AskTopic.TIPS)),
        ],
        scam_row(tr),
    ]


def did_you_mean_buttons(tr: Translator, options: Sequence[tuple[str, str | None]]) -> Rows:
    """Up to three "Did you mean …?" buttons, one per row, each giving one answer."""
    rows: Rows = []
    offered = {m.value for m in Meant}
    for intent, arg in [o for o in options if o[0] in offered][:3]:
        meant = Meant(intent)
        rows.append([Button(meant_label(tr, meant), MeantPress(meant, tr.locale, arg or "0"))])
    return rows


def meant_label(tr: Translator, meant: Meant) -> str:
    _ = tr.gettext
    labels = {
        Meant.EMERGENCY: _("Someone is in danger now"),
        Meant.WORRY: _("I am worried about something"),
        Meant.NEXT_EVENT: _("When is the next meeting?"),
        Meant.EVENTS_LIST: _("Upcoming events"),
        Meant.ABOUT_PROMISE: _("The promise"),
        Meant.PROGRESS: _("How is it going?"),
        Meant.CONTACT_POLICE: _("Contact the police"),
        Meant.PAST_CRIME: _("Report a crime"),
        Meant.FRAUD_HELP: _("I have been tricked"),
        Meant.SCAM_CHECK: _("Is this a scam?"),
        Meant.SUBSCRIBE_TIPS: _("Fraud tips"),
        Meant.STOP_TIPS: _("Stop the fraud tips"),
        Meant.TRYGGHETSCENTER: _("Trygghetscenter"),
        Meant.TIP_OFF: _("Tip the police"),
        Meant.POISON_QUESTION: _("A question about poisoning"),
    }
    return labels[meant]


def scam_row(tr: Translator) -> list[Button]:
    """The "Is this a scam?" button: the next text the person sends is checked for fraud."""
    return [Button(tr.gettext("Is this a scam?"), AskPress(AskTopic.SCAM))]


def event_buttons(tr: Translator, event_id: int) -> Rows:
    return [
        [
            Button(tr.gettext("Remind me"), EventPress(EventAction.REMIND, event_id)),
            Button(tr.gettext("Add to calendar"), EventPress(EventAction.CALENDAR, event_id)),
        ]
    ]


# Each command (by its English name, ``handlers.menus``) as Telegram's command menu explains it.
COMMAND_DESCRIPTIONS = {
    "start": N_("Start and what I can do"),
    "help": N_("Help"),
    "events": N_("Upcoming events"),
    "next": N_("Next event of each kind"),
    "progress": N_("How the promise is going"),
    "follow": N_("Get news when a commitment moves"),
    "safety": N_("How safe do you feel? One anonymous question"),
    "municipality": N_("Which kommun's promise I answer about"),
    "tips": N_("Fraud tips for seniors"),
    "stop": N_("Stop the fraud tips"),
    "language": N_("Change language"),
    "privacy": N_("What I store about you"),
    "delete_me": N_("Delete what I store about you"),
    "cancel": N_("Cancel what you are doing"),
    "report": N_("Report an activity step by step"),
    "myreports": N_("Your recent reports"),
    "status": N_("Where each commitment stands"),
    "plan": N_("Plan an event"),
    "myevents": N_("Move or cancel your events"),
    "alert": N_("Urgent fraud alert to seniors"),
    "pause": N_("Pause your reminders"),
    "invite": N_("Invite a staff member"),
    "staff": N_("List and remove staff"),
    "recipients": N_("Who gets which reminders"),
    "publish": N_("The follow-up report as a file"),
    "suggestions": N_("Residents' suggestions and unsafe places"),
}


def command_description(tr: Translator, command: str) -> str:
    """What ``command`` (its English name) is for, in the menu Telegram shows."""
    return tr.gettext(COMMAND_DESCRIPTIONS[command])
