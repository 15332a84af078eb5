"""Domain errors that handlers turn into a friendly, translated answer.

Each error carries a msgid (marked with N_ so it is extracted) and format arguments; the
handler translates it in the user's locale. Nothing internal ever reaches the user.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import ClassVar

from bot.i18n import N_, Translator


class UserFacingError(Exception):
    msgid = N_("Something went wrong. Please try again.")
    # Parameters that are messages themselves (marked with N_): translated when rendered, so a
    # reason never shows in English inside a Swedish answer. A list is translated item by
    # item and joined with commas.
    translated: ClassVar[tuple[str, ...]] = ()

    def __init__(self, msgid: str | None = None, **params: object) -> None:
        if msgid is not None:
            self.msgid = msgid
        self.params = params
        super().__init__(self.msgid)

    def render(self, tr: Translator) -> str:
        params = {name: self._param(tr, name, value) for name, value in self.params.items()}
        return tr.gettext(self.msgid).format(**params)

    def _param(self, tr: Translator, name: str, value: object) -> object:
        if name not in self.translated:
            return value
        if isinstance(value, str):
            return tr.gettext(value)
        if isinstance(value, Sequence):
            return tr.join(tr.gettext(str(item)) for item in value)
        return value


class NotAllowed(UserFacingError):
    msgid = N_("Sorry, that is only for staff of the police and the municipality.")


class AdminOnly(NotAllowed):
    msgid = N_("Sorry, only an admin of the bot can do that.")


class InviteInvalid(UserFacingError):
    msgid = N_(
        "This invite link is not valid any more. It may have been used already or be "
        "older than 72 hours. Ask your coordinator for a new one."
    )


class NotFound(UserFacingError):
    msgid = N_("I could not find that any more. It may have been removed.")
