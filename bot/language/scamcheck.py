"""Red flags in a message someone forwards to ask "is this a scam?".

Pure and deliberately simple: families of signs that fraud prevention material in Sweden
teaches (codes and BankID, urgency, money transfers, links, impersonating the bank, the police
or a relative, prizes, parcels, refunds, romance, money mules, tech support, "safe accounts",
investments). It never says "safe": finding nothing is not proof.

The signs are language data: ``locales/<lang>/scam.toml`` in the phrase syntax of
``bot.language.phrases``, every language read at once (a pasted message may be in any of them). Only
the link is code: an address looks the same in every language.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path

from bot.i18n import N_
from bot.language.language_id import reading_languages
from bot.language.phrases import (
    CompiledPhrase,
    FamilyIndex,
    compile_family,
    compile_unindexed,
    load_phrase_file,
)
from bot.language.textkit import LOCALES_DIR, tokens

__all__ = ["CATEGORIES", "ScamCheck", "check_message", "looks_pasted"]


# category → msgid explaining the sign, in the order the reply lists them.
_MSGIDS: dict[str, str] = {
    "codes": N_("It asks about codes, BankID or card details. Nobody serious does that."),
    "urgency": N_("It is in a hurry. Fraudsters want you to act before you think."),
    "money": N_("It is about paying or moving money."),
    "link": N_("It has a link. Do not click links in messages you did not expect."),
    "impersonation": N_(
        "It says it comes from a bank, an authority or a company. Anyone can write that."
    ),
    "relative": N_("It says it is a relative with a new number. Call the old number to check."),
    "prize": N_("It says you have won something. Nobody gives away prizes by text message."),
    "parcel": N_("It is about a parcel. Check the delivery in the carrier's own app instead."),
    "refund": N_("It promises money back. Authorities never pay out through a link or a text."),
    "valuables": N_(
        "It asks for your valuables. The police never collect cash or jewellery at home."
    ),
    "login": N_("It asks you to log in, confirm or click. Go to the real website or app yourself."),
    "romance": N_(
        "It is someone you have met online who speaks of love and asks for money. Never send "
        "money to someone you have not met."
    ),
    "money_mule": N_(
        "It offers pay for letting money pass through your account. Passing money on for "
        "others is a crime (a money mule)."
    ),
    "tech_support": N_(
        "It says your computer has a problem and asks you to install a program. Never let a "
        "stranger into your computer."
    ),
    "safe_account": N_(
        'It asks you to move your money to a "safe account". No bank or authority ever asks that.'
    ),
    "investment": N_(
        "It promises big or guaranteed returns. Nobody can guarantee a profit; do not invest "
        "through a message."
    ),
}

CATEGORIES: tuple[str, ...] = tuple(_MSGIDS)

# Signs that on their own make a pasted text worth checking.
_STRONG = frozenset(
    {
        "link",
        "relative",
        "prize",
        "refund",
        "valuables",
        "romance",
        "money_mule",
        "tech_support",
        "safe_account",
        "investment",
    }
)
# Without a strong sign, one of these must be among two signs: the text wants you to act.
_ACTIONS = frozenset({"money", "login"})

_LINK = re.compile(r"https?://|www\.|\b[\w-]+\.(se|com|nu|net|org|info|xyz|top|link)\b", re.I)
# Official addresses that are no sign of fraud in themselves.
_OFFICIAL_LINK = re.compile(
    r"\b(polisen|1177|mind|kvinnofridslinjen|upplands-bro|krisinformation|minpension"
    r"|konsumentverket)\.se\b",
    re.I,
)
# The tables of a scam file that are not signs: whether a text looks pasted at all.
_CHECKS = ("asks_for_code", "secret_details", "describes_start", "describes", "relative_story")


@dataclass(frozen=True)
class _Tables:
    signs: dict[str, re.Pattern[str]]
    checks: dict[str, re.Pattern[str]]
    # Which signs and checks can match a text at all: most texts have no sign.
    index: FamilyIndex
    # Of each sign and check, the phrases the index cannot tell ("*polis*"): all it can match
    # where none of its other phrases can (``FamilyIndex.indexed``).
    unindexed: dict[str, re.Pattern[str]]


def load_scam_phrases(
    locales_dir: Path = LOCALES_DIR, languages: frozenset[str] | None = None
) -> dict[str, list[CompiledPhrase]]:
    """Every ``locales/<lang>/scam.toml`` merged (or only those of ``languages``): family →
    compiled phrases."""
    merged: dict[str, list[CompiledPhrase]] = {}
    for path in sorted(locales_dir.glob("*/scam.toml")):
        if languages is not None and path.parent.name not in languages:
            continue
        loaded = load_phrase_file(path, ("signs", "checks"))
        for family in loaded.tables["signs"]:
            if family not in _MSGIDS:
                raise ValueError(
                    f"{path}: [signs] {family} is no category of bot.language.scamcheck"
                )
        for family in loaded.tables["checks"]:
            if family not in _CHECKS:
                raise ValueError(f"{path}: [checks] {family} is not one of {_CHECKS}")
        for family, phrases in loaded.families.items():
            merged.setdefault(family, []).extend(phrases)
    return merged


def _one(phrases: list[CompiledPhrase], at_start: bool = False) -> re.Pattern[str] | None:
    found = compile_family((p.source for p in phrases), at_start)
    return found[0] if found else None


def _unindexed(phrases: list[CompiledPhrase], at_start: bool = False) -> re.Pattern[str] | None:
    found = compile_unindexed(phrases, at_start)
    return found[0] if found else None


@lru_cache(maxsize=16)
def _tables(locales_dir: Path = LOCALES_DIR, languages: frozenset[str] | None = None) -> _Tables:
    """Every language's signs, or those of ``languages`` only (``bot.language.language_id``)."""
    phrases = load_scam_phrases(locales_dir, languages)
    signs = {
        c: p for c in CATEGORIES if (p := _one(phrases.get(c, []))) is not None and c != "link"
    }
    checks = {
        c: p
        for c in _CHECKS
        if (p := _one(phrases.get(c, []), at_start=c == "describes_start")) is not None
    }
    unindexed = {
        c: p
        for c in (*signs, *checks)
        if (p := _unindexed(phrases.get(c, []), at_start=c == "describes_start")) is not None
    }
    return _Tables(signs, checks, FamilyIndex(phrases), unindexed)


@dataclass(frozen=True)
class ScamCheck:
    flags: tuple[str, ...]

    def messages(self) -> list[str]:
        """msgids explaining each flag, in a fixed order."""
        return [_MSGIDS[f] for f in self.flags]


def _words(text: str) -> str:
    return " ".join(tokens(text[:4000]))


def _flags(words: str, raw: str, tables: _Tables, can: set[str] | None = None) -> set[str]:
    can = tables.index.candidates(words.split()) if can is None else can
    found = {c for c, p in tables.signs.items() if c in can and p.search(words)}
    if _LINK.search(raw):
        found.add("link")
    return found


def _ordered(flags: set[str]) -> ScamCheck:
    return ScamCheck(tuple(c for c in CATEGORIES if c in flags))


def check_message(text: str) -> ScamCheck:
    """Every sign of fraud in ``text`` (a text the resident asked to have checked)."""
    raw = text[:4000]
    return _ordered(_flags(_words(raw), raw, _tables(LOCALES_DIR, reading_languages(raw))))


def _search(tables: _Tables, indexed: set[str], name: str, words: str) -> bool:
    """Whether sign or check ``name`` matches ``words``, where ``indexed`` are the families
    an indexed phrase of which can match them: else only the unindexed phrases are read."""
    if name in indexed:
        pattern = tables.signs.get(name) or tables.checks.get(name)
    else:
        pattern = tables.unindexed.get(name)
    return pattern is not None and pattern.search(words) is not None


def looks_pasted(text: str) -> ScamCheck | None:
    """The red flags of ``text`` when it looks like a pasted SMS, e-mail or chat message that
    someone wants checked; None for an ordinary question or personal message.

    A link, a "new number" story, a prize, a refund, valuables, romance, a money-mule job,
    tech support, a "safe account", an investment or a request for a code is enough on its
    own; otherwise two different signs (money and the bank, say) are needed.
    """
    if not isinstance(text, str) or not text.strip():
        return None
    raw = text[:4000]
    tables = _tables(LOCALES_DIR, reading_languages(raw))
    words = _words(raw)
    indexed = tables.index.indexed(words.split())
    flags = {
        c
        for c in tables.signs
        if (c in indexed or c in tables.unindexed) and _search(tables, indexed, c, words)
    }
    has_link = _LINK.search(raw) is not None
    if has_link:
        flags.add("link")
    asks = _search(tables, indexed, "asks_for_code", words)
    if not flags and not asks:
        return None  # no sign and no request for a code: nothing to check
    if (
        "link" in flags
        and _OFFICIAL_LINK.search(raw)
        and not _LINK.search(_OFFICIAL_LINK.sub(" ", raw))
    ):
        flags.discard("link")
    describes = _search(tables, indexed, "describes_start", words) or _search(
        tables, indexed, "describes", words
    )
    if describes and "link" not in flags:
        return None
    if "relative" in flags and not _search(tables, indexed, "relative_story", words):
        # "Hej mamma" alone is how a child greets a parent.
        flags.discard("relative")
    asks_for_code = asks or _search(tables, indexed, "secret_details", words)
    strong = bool(flags & _STRONG) or asks
    # A code to show at a parcel pick-up is no sign; asking for one, or for BankID, is.
    actions = flags & _ACTIONS | ({"codes"} if asks_for_code else set())
    if not strong and (len(flags) < 2 or not actions):
        return None
    if asks:
        flags.add("codes")
    return _ordered(flags)
