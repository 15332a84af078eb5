"""Presenters for milestones: admins are asked to confirm one; whoever asked hears "not yet";
the answers to the staff member's and the admin's taps."""

from __future__ import annotations

from bot.domain.promise import Commitment
from bot.i18n import Translator
from bot.render import Button, Screen
from bot.render.callbacks import MilestoneAction, MilestoneChoice


def confirm_request(tr: Translator, who: str, commitment: Commitment) -> Screen:
    """To each admin: staff member ``who`` says the milestone is reached."""
    _ = tr.gettext
    text = _("{name} says this milestone is reached: {title}. Confirm?").format(
        name=who, title=commitment.title.get(tr.locale)
    )
    approve = MilestoneChoice(MilestoneAction.APPROVE, commitment.id)
    reject = MilestoneChoice(MilestoneAction.REJECT, commitment.id)
    return Screen(text, [[Button(_("Confirm milestone"), approve), Button(_("Not yet"), reject)]])


def not_yet(tr: Translator, commitment: Commitment) -> Screen:
    """To whoever asked, when an admin says "not yet"."""
    return Screen(
        tr.gettext(
            "An admin has not confirmed the milestone yet: {title}. Talk to your "
            "coordinator if you think it is reached."
        ).format(title=commitment.title.get(tr.locale))
    )


def requested(tr: Translator, confirmed: bool) -> str:
    """A staff member says the milestone is reached: confirmed at once (an admin), or sent
    to the admins."""
    _ = tr.gettext
    return _("Milestone confirmed ✔") if confirmed else _("Sent to the admins to confirm.")


def decided(tr: Translator, confirmed: bool) -> str:
    """An admin's answer to a milestone request."""
    _ = tr.gettext
    if confirmed:
        return _("Milestone confirmed ✔")
    return _("Milestone not confirmed. The staff member is told.")
