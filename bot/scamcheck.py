"""Red flags in a message someone forwards to ask "is this a scam?".

Pure and deliberately simple: a few families of signs that fraud prevention material in
Sweden teaches (codes and BankID, urgency, money transfers, links, impersonating the bank,
the police or a relative). It never says "safe": finding nothing is not proof.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from bot.i18n import N_

# category → (pattern, msgid explaining the sign). Patterns are matched case-insensitively.
_FLAGS: dict[str, tuple[re.Pattern[str], str]] = {
    "codes": (
        re.compile(
            r"bank\s?id|mobilt bank|säkerhetskod|engångskod|kod(en)?\b|pinkod|pin\b|lösenord"
            r"|password|one.time code|verification code|\bcode\b|dosa|kortnummer|card number"
            r"|cvc|cvv",
            re.I,
        ),
        N_("It asks about codes, BankID or card details. Nobody serious does that."),
    ),
    "urgency": (
        re.compile(
            r"\bbrådskande|omedelbart|snarast|inom 24|sista chansen|spärra[sd]?\b|spärrat"
            r"|\bakut|\burgent|immediately|within 24|last chance|suspended|locked|blocked",
            re.I,
        ),
        N_("It is in a hurry. Fraudsters want you to act before you think."),
    ),
    "money": (
        re.compile(
            r"\bswish|betala|betalning|överför|föra över|skuld|faktura|avgift|tull|pengar"
            r"|\bpay\b|payment|transfer|invoice|fee|customs|money|gift card|presentkort"
            r"|bitcoin|krypto|crypto|investera|invest",
            re.I,
        ),
        N_("It is about paying or moving money."),
    ),
    "link": (
        re.compile(r"https?://|www\.|\b[\w-]+\.(se|com|nu|net|org|info|xyz|top|link)\b", re.I),
        N_("It has a link. Do not click links in messages you did not expect."),
    ),
    "impersonation": (
        re.compile(
            r"\bbanken|din bank|\bpolis|skatteverket|kronofogden|postnord|försäkringskassan"
            r"|\bbank\b|police|tax agency|microsoft|apple support|tech support|support",
            re.I,
        ),
        N_("It says it comes from a bank, an authority or a company. Anyone can write that."),
    ),
    "relative": (
        re.compile(
            r"\bhej (mamma|pappa|mormor|farmor|morfar|farfar)|ny(tt)? nummer|tappat (min )?"
            r"telefon|hi (mum|mom|dad|grandma|grandpa)|new number|lost my phone",
            re.I,
        ),
        N_("It says it is a relative with a new number. Call the old number to check."),
    ),
}


@dataclass(frozen=True)
class ScamCheck:
    flags: tuple[str, ...]

    def messages(self) -> list[str]:
        """msgids explaining each flag, in a fixed order."""
        return [_FLAGS[f][1] for f in self.flags]


def check_message(text: str) -> ScamCheck:
    text = text[:4000]
    return ScamCheck(tuple(name for name, (pattern, _) in _FLAGS.items() if pattern.search(text)))


CATEGORIES: tuple[str, ...] = tuple(_FLAGS)
