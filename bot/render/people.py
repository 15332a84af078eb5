"""Presenters for everyone's settings: the language choice and /delete_me's question."""

from __future__ import annotations

from collections.abc import Mapping

from bot.i18n import Translator
from bot.render import Button, Screen
from bot.render.callbacks import Answer, DeleteMePress, LanguageAction, LanguagePress, MeAction


def language_choice(tr: Translator, names: Mapping[str, str], per_row: int = 2) -> Screen:
    """One button per language, each named in its own language, ``per_row`` to a row."""
    buttons = [
        Button(name, LanguagePress(LanguageAction.SET, code)) for code, name in names.items()
    ]
    rows = [buttons[i : i + per_row] for i in range(0, len(buttons), per_row)]
    return Screen(tr.gettext("Choose your language:"), rows)


def delete_me_question(tr: Translator, is_staff: bool) -> Screen:
    _ = tr.gettext
    question = _(
        "Do you want me to delete everything I store about you? "
        "Your subscriptions and reminders stop."
    )
    if is_staff:
        question = _(
            "Do you want me to delete your language, tips, reminders and follows? You stay "
            "staff and your reports stay, because they are part of the follow-up of the "
            "promise. An admin can remove you as staff."
        )
    return Screen(
        question,
        [
            [
                Button(_("Yes, delete"), DeleteMePress(MeAction.DELETE, Answer.YES)),
                Button(_("No, keep"), DeleteMePress(MeAction.DELETE, Answer.NO)),
            ]
        ],
    )
