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
            r"\bhej (mamma|pappa|mormor|farmor|morfar|farfar)|ny(a|tt)? nummer|tappat (min )?"
            r"(telefon|mobil)|ny (mobil|telefon)|(telefon|mobil)(en)? (är |gick )?(trasig|sönder)"
            r"|hi (mum|mom|dad|grandma|grandpa|nan)|new (number|phone)|lost my phone"
            r"|phone (is )?broke",
            re.I,
        ),
        N_("It says it is a relative with a new number. Call the old number to check."),
    ),
    "prize": (
        re.compile(
            r"\bgrattis|du har vunnit|\bvunnit|\bvinst|hämta ditt pris|ditt pris|lotteri"
            r"|congratulations|you (have )?won|\bwinner|claim your|\bprize",
            re.I,
        ),
        N_("It says you have won something. Nobody gives away prizes by text message."),
    ),
    "parcel": (
        re.compile(
            r"\bpaket|leverans|\bfrakt|\btull|postnord|\bdhl\b|\bups\b|budbil"
            r"|\bparcel|package|delivery|shipment|customs",
            re.I,
        ),
        N_("It is about a parcel. Check the delivery in the carrier's own app instead."),
    ),
    "refund": (
        re.compile(
            r"återbäring|återbetalning|skatteåter|pengar tillbaka|\brefund|tax return"
            r"|money back",
            re.I,
        ),
        N_("It promises money back. Authorities never pay out through a link or a text."),
    ),
    "valuables": (
        re.compile(
            r"värdesak|smycken|kontanter|\bguld\b|förvaring|hämta(r)? (dina|era)"
            r"|valuables|jewel|\bcash\b|safekeeping|collect your",
            re.I,
        ),
        N_("It asks for your valuables. The police never collect cash or jewellery at home."),
    ),
    "login": (
        re.compile(
            r"logga in|\bverifiera|bekräfta (din|ditt|dina|er|identitet|uppgift)|förnya"
            r"|uppdatera (din|ditt|dina)|\bgått ut|upphör|klicka|log in|login|\bverify"
            r"|confirm your|\bexpired?\b|click|update your",
            re.I,
        ),
        N_("It asks you to log in, confirm or click. Go to the real website or app yourself."),
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


# Signs that on their own make a pasted text worth checking.
_STRONG = frozenset({"link", "relative", "prize", "refund", "valuables"})
# Without a strong sign, one of these must be among two signs: the text wants you to act.
_ACTIONS = frozenset({"money", "login"})
_SECRET_DETAILS = re.compile(
    r"bank\s?id|pinkod|kortnummer|cvc|cvv|lösenord|password|card number|säkerhetskod", re.I
)
# Asking for a code or card number ("svara med koden", "ange kortnummer").
_ASKS_FOR_CODE = re.compile(
    r"(ange|uppge|svara med|skicka|ge mig|lämna|skriv|send|enter|reply with|give me|share)"
    r"( \w+){0,3} (kod|koden|koder|pinkod|kortnummer|kortuppgift\w*|bankid|code|pin"
    r"|card number|card details)",
    re.I,
)
# Official addresses that are no sign of fraud in themselves.
_OFFICIAL_LINK = re.compile(
    r"\b(polisen|1177|mind|kvinnofridslinjen|upplands-bro|krisinformation|minpension"
    r"|konsumentverket)\.se\b",
    re.I,
)
# Questions to the bot ("I got a text…") describe a message rather than paste it.
_DESCRIBES = re.compile(
    r"^\s*(jag (fick|har fått|har fatt|fatt|fått)|fick (ett|en)|i (got|received|have received)"
    r"|got a|är (det|detta) (ett )?bedr|is (this|it) a scam)"
    r"|\b(jag|i) (gav|gave|har gett|have given)\b|ville att jag|wanted (me|my)\b"
    r"|\b(nån|någon|en man|en kvinna|a man|a woman|someone|somebody) (ringde|phoned|called)",
    re.I,
)


def looks_pasted(text: str) -> ScamCheck | None:
    """The red flags of ``text`` when it looks like a pasted SMS, e-mail or chat message that
    someone wants checked; None for an ordinary question or personal message.

    A link, a "new number" story, a prize, a refund, valuables or a request for a code is
    enough on its own; otherwise two different signs (money and the bank, say) are needed.
    """
    if not isinstance(text, str) or not text.strip():
        return None
    if not _may_flag(text):
        return None  # no sign and no request for a code: nothing to check
    result = check_message(text)
    flags = set(result.flags)
    if "link" in flags and _OFFICIAL_LINK.search(text) and not _LINK_OTHER(text):
        flags.discard("link")
    if _DESCRIBES.search(text) and "link" not in flags:
        return None
    if "relative" in flags and not _RELATIVE_STORY.search(text):
        # "Hej mamma" alone is how a child greets a parent.
        flags.discard("relative")
    asks_for_code = bool(_ASKS_FOR_CODE.search(text) or _SECRET_DETAILS.search(text))
    strong = bool(flags & _STRONG) or bool(_ASKS_FOR_CODE.search(text))
    # A code to show at a parcel pick-up is no sign; asking for one, or for BankID, is.
    actions = flags & _ACTIONS | ({"codes"} if asks_for_code else set())
    if not strong and (len(flags) < 2 or not actions):
        return None
    if _ASKS_FOR_CODE.search(text) and "codes" not in flags:
        flags.add("codes")
    return ScamCheck(tuple(name for name in _FLAGS if name in flags))


_RELATIVE_STORY = re.compile(
    r"ny(a|tt)? nummer|ny (mobil|telefon)|tappat|trasig|sönder|new (number|phone)|lost my phone"
    r"|broke",
    re.I,
)


# Every sign and the request for a code in one pattern, without re.I, for a text in lower case:
# most questions have no sign at all, and one case-sensitive search of the lowered text costs a
# third of the dozen case-insensitive ones. Within Latin-1, lower() maps each character to one
# character exactly as re.I compares it (letters stay letters, so \b is unchanged); beyond it
# (the Kelvin sign, the long s, the dotless i, other scripts) the full check always runs.
_ANY_SIGN = re.compile(
    "|".join(f"(?:{p.pattern})" for p in (*(f[0] for f in _FLAGS.values()), _ASKS_FOR_CODE))
)


def _may_flag(text: str) -> bool:
    """False only when ``check_message`` finds no flag and ``_ASKS_FOR_CODE`` does not match."""
    if max(text, default=" ") > "\xff":
        return True
    return _ANY_SIGN.search(text.lower()) is not None


def _LINK_OTHER(text: str) -> bool:
    """A link other than an official address."""
    stripped = _OFFICIAL_LINK.sub(" ", text)
    return bool(_FLAGS["link"][0].search(stripped))


CATEGORIES: tuple[str, ...] = tuple(_FLAGS)
