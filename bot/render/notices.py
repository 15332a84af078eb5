"""Short notices any flow may give: a button that no longer works, /cancel's answer, a flow
stopped with nothing changed, and the apology when something failed on the bot's side."""

from __future__ import annotations

from bot.i18n import Translator


def stale_button(tr: Translator) -> str:
    """An old button, a hand-made payload or a choice that is gone."""
    return tr.gettext("That button is no longer valid.")


def cancelled(tr: Translator, had_something: bool) -> str:
    """/cancel outside any conversation: whether there was something to drop."""
    _ = tr.gettext
    return _("Cancelled.") if had_something else _("There is nothing to cancel.")


def nothing_changed(tr: Translator) -> str:
    """/tips or /plan stopped half-way: nothing was saved."""
    return tr.gettext("OK, cancelled. Nothing was changed.")


def apology(tr: Translator) -> str:
    """A handler failed for a reason nobody can fix by writing again now."""
    return tr.gettext("Sorry, something went wrong on my side. Please try again in a while.")
