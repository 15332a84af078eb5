"""Presenters for a resident's kommun when one deployment holds the promises of several
kommuner: the choice (asked where the answer depends on it, or with /kommun), what it means,
and following another kommun's promise."""

from __future__ import annotations

from collections.abc import Sequence

from bot.domain.promise import Promise
from bot.i18n import Translator
from bot.render import Button, Screen
from bot.render.callbacks import KommunAction, KommunPress


def choose(tr: Translator, kommuner: Sequence[str], follow: bool = False) -> Screen:
    """One button per kommun; ``follow``: whose promise to follow (else: where she lives)."""
    if follow:
        text = tr.gettext("Which kommun's promise do you want to follow?")
        action = KommunAction.FOLLOW
    else:
        text = tr.gettext(
            "Which kommun do you live in? I answer about its promise. You choose once; "
            "change it with /kommun."
        )
        action = KommunAction.SET
    rows = [[Button(name, KommunPress(action, i))] for i, name in enumerate(kommuner)]
    return Screen(text, rows)


def chosen(tr: Translator, promise: Promise) -> str:
    return tr.gettext("Done. I answer about {kommun}: {promise}. Change it with /kommun.").format(
        kommun=promise.municipality, promise=promise.name.get(tr.locale)
    )


def ask_button(tr: Translator) -> Button:
    """Under an answer that depends on the kommun, while hers is not known."""
    return Button(tr.gettext("Another kommun?"), KommunPress(KommunAction.ASK))


def follow_other_button(tr: Translator) -> Button:
    return Button(tr.gettext("Another kommun's promise"), KommunPress(KommunAction.ASK_FOLLOW))


def whose(tr: Translator, promise: Promise) -> str:
    return promise.name.get(tr.locale)


def staff_kommun(tr: Translator) -> str:
    return tr.gettext("Your kommun comes with your staff invitation. An admin can change it.")


def only_one(tr: Translator, promise: Promise) -> str:
    return tr.gettext("I answer about {kommun}: {promise}.").format(
        kommun=promise.municipality, promise=promise.name.get(tr.locale)
    )
