"""The residents' menu buttons (after "I did not understand", a greeting, /start) and the
buttons that go with an answer."""

from __future__ import annotations

from bot.i18n import Translator
from bot.render import Button
from bot.render.callbacks import AskPress, AskTopic, EventAction, EventPress

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
