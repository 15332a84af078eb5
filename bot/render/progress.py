"""Presenters for residents' /follow (what to get news about)."""

from __future__ import annotations

from collections.abc import Sequence

from bot.i18n import Translator
from bot.promise import Commitment
from bot.render import Button, Screen
from bot.render.callbacks import FollowAction, FollowPress


def follow_buttons(
    tr: Translator, followable: Sequence[Commitment], following: set[str]
) -> list[list[Button]]:
    """A button per commitment: ✅ followed (tap to stop), ➕ not followed (tap to follow)."""
    rows = []
    for commitment in followable:
        on = commitment.id in following
        mark = "✅ " if on else "➕ "
        action = FollowAction.OFF if on else FollowAction.ON
        press = FollowPress(action, commitment.id)
        rows.append([Button(mark + commitment.short.get(tr.locale), press)])
    return rows


def follow_choice(tr: Translator, followable: Sequence[Commitment], following: set[str]) -> Screen:
    text = tr.gettext(
        "Choose what to follow. You get at most one short message a day when something "
        "moves. Tap again to stop."
    )
    return Screen(text, follow_buttons(tr, followable, following))


def following_now(tr: Translator, followable: Sequence[Commitment], following: set[str]) -> Screen:
    names = ", ".join(c.short.get(tr.locale) for c in followable if c.id in following)
    text = tr.gettext("You follow: {names}").format(names=names or tr.gettext("nothing"))
    return Screen(text, follow_buttons(tr, followable, following))
