"""The line a reply opens with when the bot could not send it at once (Telegram or the
network was down) and it arrives late from the outbox."""

from __future__ import annotations

import re

from bot.i18n import Translator

_EMERGENCY = re.compile(r"(?<!\d)112(?!\d)")


def late_note(tr: Translator) -> str:
    # TRANSLATORS: first line of an answer that arrives minutes late because Telegram or the
    # network was down; the answer itself follows on the next lines.
    return tr.gettext("Sorry for the late answer, I could not reach you earlier.")


def carries_112(text: str) -> bool:
    """Whether an answer opens with the 112 line (the emergency and safety answers): such an
    answer is kept and retried much longer, and nothing is put in front of it."""
    first = text.lstrip().split("\n", 1)[0]
    return _EMERGENCY.search(first) is not None
