"""Understand a staff one-liner such as "Tematräff på Trygghetscentret igår, 23 deltagare".

Staff report activities from a phone, between tasks: lower case, typos, abbreviations, no
punctuation, Swedish or English. This module turns such a line into a commitment id, a date, a
participant count and a place, and says which kinds of personal data it saw. It never decides
what to store; the caller asks the user to confirm or fill in what is missing.
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import date, timedelta
from datetime import date as _Day  # the field ``date`` hides the type inside the class
from functools import lru_cache
from typing import Any

from rapidfuzz import fuzz

from bot.domain.conditions import Status, combine, from_reporter
from bot.domain.promise import Commitment, Promise, per_promise
from bot.language.pii import find_pii
from bot.language.report_dates import PEOPLE_ALT as _PEOPLE_ALT
from bot.language.report_dates import find_dates
from bot.language.suggestions import place_named
from bot.language.textkit import fold_chars

# --------------------------------------------------------------------------------------------
# Result


@dataclass(frozen=True, slots=True)
class ParsedReport:
    commitment: str | None
    date: date | None
    count: int | None
    place: str | None
    pii: tuple[str, ...] = ()
    score: float = 0.0  # match confidence for ``commitment``, 0–100
    # The text named a range ("förra veckan"): the days it may have been, up to today
    # (``date`` is None then); the card asks which.
    date_choices: tuple[_Day, ...] = ()
    # What the text says about the commitment's conditions (bot.domain.conditions):
    # (condition id, met / not met), in the file's order; a condition not named is unknown.
    conditions: tuple[tuple[str, Status], ...] = ()

    def to_json(self) -> dict[str, Any]:
        """The ``parse-report --json`` contract (see docs/product.md); ``conditions`` (id →
        "met" | "not_met", only those the text said) is an added key."""
        return {
            "commitment": self.commitment,
            "date": self.date.isoformat() if self.date else None,
            "count": self.count,
            "place": self.place,
            "pii": list(self.pii),
            "conditions": {key: status.value for key, status in self.conditions},
        }


# --------------------------------------------------------------------------------------------
# Small text helpers


def _fold(text: str) -> str:
    """Lower case without diacritics (phones often lack å/ä/ö or autocorrect them away),
    position for position, so what is found in the folded text can be cut from the source."""
    return fold_chars(text)


_TOKEN_RE = re.compile(r"[^\W_]+")


@dataclass(frozen=True, slots=True)
class _Token:
    text: str  # folded
    start: int
    end: int
    abbreviated: bool = False  # followed by a full stop, as in "synl.insats" or "föreläsn."


def _tokens(text: str) -> list[_Token]:
    folded = _fold(text)
    return [
        _Token(m.group(0), m.start(), m.end(), folded[m.end() : m.end() + 1] == ".")
        for m in _TOKEN_RE.finditer(folded)
    ]


# --------------------------------------------------------------------------------------------
# Counts

_ABOUT = r"(?:ca\.?|cirka|runt|omkring|ungefar|nastan|over|about|around|approx\.?|roughly|~|c:a)"
# A number directly before a people word, allowing one adjective ("40 glada pensionärer").
_COUNT_BEFORE_RE = re.compile(
    rf"(?<![\w.,:/-])(\d{{1,6}})(?:-tal)?\s*(?:[^\W\d_]+\s+)?({_PEOPLE_ALT})(?![^\W_])"
)
_COUNT_AFTER_RE = re.compile(
    rf"(?<![^\W_])({_PEOPLE_ALT}|antal|antal\s+deltagare|number|count|total)"
    rf"\s*[:=]?\s*(?:{_ABOUT}\s*)?(\d{{1,6}})(?![\w:.,/-]*\d)(?![^\W_])"
)
# Times never count: "kl 18", "18-21", "18:30", "18.00".
_TIME_RE = re.compile(r"(?:kl\.?\s*|klockan\s+|at\s+)\d{1,2}(?:[:.]\d{2})?|\d{1,2}[:.]\d{2}")
_RANGE_RE = re.compile(r"(?<![\d])\d{1,2}(?:[:.]\d{2})?\s*[-–]\s*\d{1,2}(?:[:.]\d{2})?(?!\d)")
_MAX_COUNT = 100_000


# Small numbers are often written out; "ett tjugotal" is "about twenty".
_NUMBER_WORDS: dict[str, int] = {
    "tva": 2, "tre": 3, "fyra": 4, "fem": 5, "sex": 6, "sju": 7, "atta": 8, "nio": 9,
    "tio": 10, "elva": 11, "tolv": 12, "femton": 15, "tjugo": 20, "trettio": 30,
    "fyrtio": 40, "femtio": 50, "hundra": 100,
    "two": 2, "three": 3, "four": 4, "five": 5, "six": 6, "seven": 7, "eight": 8, "nine": 9,
    "ten": 10, "eleven": 11, "twelve": 12, "fifteen": 15, "twenty": 20, "thirty": 30,
    "forty": 40, "fifty": 50, "hundred": 100,
    "tiotal": 10, "tjugotal": 20, "trettiotal": 30, "fyrtiotal": 40, "femtiotal": 50,
    "sextiotal": 60, "sjuttiotal": 70, "attiotal": 80, "hundratal": 100,
    "sexton": 16, "sjutton": 17, "arton": 18, "nitton": 19, "sextio": 60, "sjuttio": 70,
    "attio": 80, "nittio": 90, "dussin": 12, "dozen": 12,
}  # fmt: skip
_NUMBER_ALT = "|".join(sorted(_NUMBER_WORDS, key=len, reverse=True))
# Approximate counts need no people word: "typ 15", "ca femtio", "~40", "ett 20-tal",
# "ett tiotal", "ett dussin", "a dozen".
_APPROX_RE = re.compile(
    rf"(?<![^\W_])(?:{_ABOUT}|typ|drygt|knappt|some|nearly|almost)\s*(\d{{1,6}}|{_NUMBER_ALT})"
    rf"(?![\w:./-]*\d)(?![^\W_])"
    # … and then nothing, or people, or a little word: "ca 30 kontroller" counts no people.
    rf"(?=\s*(?:$|[^\w\s]|(?:{_PEOPLE_ALT}|och|and|i|pa|vid|at|in|on|pratade|talked)(?![^\W_])))"
)
_ROUGHLY_RE = re.compile(
    r"(?<![^\W_])(?:ett|an|a)\s+(?:(\d{1,4})-tal|(tiotal|tjugotal|trettiotal|fyrtiotal"
    r"|femtiotal|sextiotal|sjuttiotal|attiotal|hundratal|dussin|dozen))(?![^\W_])"
)
_WORD_COUNT_RE = re.compile(
    rf"(?<![^\W_])({'|'.join(sorted(_NUMBER_WORDS, key=len, reverse=True))})\s+"
    rf"(?:[^\W\d_]+\s+)?({_PEOPLE_ALT})(?![^\W_])"
)


def _find_count(folded: str, blocked: list[tuple[int, int]]) -> tuple[int | None, int, int]:
    for pattern in (_TIME_RE, _RANGE_RE):
        blocked = blocked + [(m.start(), m.end()) for m in pattern.finditer(folded)]
    candidates: list[tuple[int, int, int]] = []
    for m in _COUNT_BEFORE_RE.finditer(folded):
        candidates.append((m.start(1), m.end(1), int(m.group(1))))
    for m in _COUNT_AFTER_RE.finditer(folded):
        candidates.append((m.start(2), m.end(2), int(m.group(2))))
    for m in _APPROX_RE.finditer(folded):
        raw = m.group(1)
        candidates.append((m.start(1), m.end(1), int(raw) if raw.isdigit() else _NUMBER_WORDS[raw]))
    for m in _ROUGHLY_RE.finditer(folded):
        if m.group(1):
            candidates.append((m.start(1), m.end(1), int(m.group(1))))
        else:
            candidates.append((m.start(2), m.end(2), _NUMBER_WORDS[m.group(2)]))
    for m in _WORD_COUNT_RE.finditer(folded):
        # Written-out numbers are ordinary words too ("sex", "ten"), so the word after them
        # must really name people: "st" and "kom" are too vague to tell.
        if m.group(2) not in ("st", "kom", "came"):
            candidates.append((m.start(1), m.end(1), _NUMBER_WORDS[m.group(1)]))
    candidates.sort()
    for start, end, value in candidates:
        if any(start < b_end and b_start < end for b_start, b_end in blocked):
            continue
        if 0 <= value <= _MAX_COUNT:
            return value, start, end
    return None, -1, -1


# --------------------------------------------------------------------------------------------
# Places

# Canonical names; matched case- and diacritic-insensitively, longest first so
# "Upplands-Bro gymnasium" is not read as "Bro".
KNOWN_PLACES: tuple[str, ...] = (
    "Upplands-Bro gymnasium",
    "Kungsängens centrum",
    "Kungsängens station",
    "Kungsängens bibliotek",
    "Bro centrum",
    "Bro station",
    "Bro bibliotek",
    "Trygghetscentret",
    "Trygghetscenter",
    "Upplands-Bro",
    "Kungsängen",
    "Brogård",
    "Brogårdsskolan",
    "Tibble",
    "Ekhammar",
    "Finnsta",
    "Råby",
    "Gransäter",
    "Smedby",
    "Bro",
)


# Other ways staff write a known place, mapped to its canonical name.
_PLACE_ALIASES: dict[str, str] = {
    "Bro centre": "Bro centrum",
    "Bro center": "Bro centrum",
    "Bro C": "Bro centrum",
    "Kungsängen centrum": "Kungsängens centrum",
    "Upplands-Bro gymnasiet": "Upplands-Bro gymnasium",
    "Trygghetscentrum": "Trygghetscentret",
}


def _place_regex(spelling: str) -> re.Pattern[str]:
    # "Upplands-Bro" is also typed "Upplands Bro" or "upplandsbro".
    parts = re.split(r"[\s-]+", _fold(spelling))
    body = r"[\s-]*".join(re.escape(part) for part in parts)
    # A genitive "s" still names the place ("Trygghetscentrets lokaler").
    return re.compile(rf"(?<![\w-]){body}s?(?![\w-])")


_KNOWN_PLACE_RES = tuple(
    (canonical, _place_regex(spelling))
    for spelling, canonical in sorted(
        [(n, n) for n in KNOWN_PLACES] + list(_PLACE_ALIASES.items()),
        key=lambda pair: len(pair[0]),
        reverse=True,
    )
)

_PLACE_PREPS = ("pa", "i", "vid", "at", "in", "near", "utanfor", "outside", "hos", "nara")
# Only a free-standing preposition: the "in" of "call-in" is not one.
_PLACE_PREP_RE = re.compile(rf"(?<!\S)({'|'.join(_PLACE_PREPS)})\s+")
_WEAK_PLACE_PREPS = frozenset({"i", "in"})
_PLACE_NOUNS = frozenset(
    {
        "centrum", "c", "station", "stationen", "torg", "torget", "skola", "skolan",
        "gymnasium", "gymnasiet", "kyrka", "kyrkan", "bibliotek", "biblioteket", "park",
        "parken", "plan", "hallen", "gard", "garden", "center", "centre", "square", "school",
        "church", "library", "mall", "fritidsgard", "fritidsgarden",
    }
)  # fmt: skip
# Words that end a place phrase (folded): prepositions, conjunctions and other function words.
_PLACE_STOP = frozenset(
    {
        "med", "with", "och", "and", "for", "om", "about", "kl", "klockan", "fran", "from",
        "till", "to", "mellan", "between", "under", "efter", "after", "innan", "before",
        "samt", "plus", "ca", "cirka", "runt", "around", "tillsammans", "together", "da", "nar",
        "when", "som", "who", "which", "var", "was", "were", "blev", "har", "had", "ha",
        "the", "a", "an", "en", "ett", "pa", "i", "vid", "at", "in", "near", "utanfor", "hos",
        "tog", "took", "kom", "came", "mot", "against", "by", "via", "genom", "through",
        "of", "av", "det", "den", "it", "there", "dar",
    }
)  # fmt: skip
# After a preposition these mean "when" or "how", not "where".
_NOT_PLACE_HEADS = frozenset(
    {
        "gar", "dag", "forrgar", "morse", "kvall", "eftermiddag", "fornmiddag", "natt", "helgen",
        "veckan", "varas", "host", "vinter", "sommar", "the", "total", "totalt", "samarbete",
        "samverkan", "cooperation", "collaboration", "partnership", "tid", "time", "morning",
        "evening", "afternoon", "night", "person", "grupp", "group", "form", "stort", "princip",
        "allt", "all", "general", "sma", "small", "a", "an", "en", "ett", "att", "to",
        "fokus", "focus", "stallet", "stead", "place", "plats", "borjan", "slutet", "mitten",
        "nagra", "some", "many", "manga", "our", "vara", "var", "my", "min", "mitt", "his",
        "hans", "her", "hennes", "their", "deras", "this", "that", "these", "denna", "detta",
        "samband", "connection", "lag", "om", "pa", "vid", "och", "med", "for",
    }
)  # fmt: skip
_MAX_PLACE_WORDS = 4


def _area_place(text: str, promise: Promise) -> str | None:
    """A place of the promise file's areas the text names (another kommun's promise knows
    its own: "Jakobsberg"), as the file writes it, capitalised."""
    found = place_named(text, promise)
    return None if found is None else found[1].title()


def _known_place(folded: str, blocked: list[tuple[int, int]]) -> str | None:
    """The first known place in the text, by canonical name (the longest wins a tie)."""
    best: tuple[int, int, str] | None = None  # (start, -length, name)
    for name, regex in _KNOWN_PLACE_RES:
        for m in regex.finditer(folded):
            if any(m.start() < e and s < m.end() for s, e in blocked):
                continue
            key = (m.start(), -(m.end() - m.start()), name)
            if best is None or key < best:
                best = key
    return best[2] if best else None


def _phrase_place(folded: str, source: str, blocked: list[tuple[int, int]]) -> str | None:
    phrases: list[tuple[bool, int, str]] = []
    for prep in _PLACE_PREP_RE.finditer(folded):
        words = _place_words(folded, source, prep.end(), blocked)
        if not words:
            continue
        text = source[words[0][0] : words[-1][1]]
        capitalised = text[:1].isupper()
        # "i"/"in" start far more phrases that are not places ("in total", "i samarbete"), so
        # after them only a proper name is believed.
        if not capitalised and prep.group(1) in _WEAK_PLACE_PREPS:
            continue
        phrases.append((not capitalised, words[0][0], text))
    if not phrases:
        return None
    # Proper names ("vid Coop", "at Brogård") are the likeliest places; otherwise the first.
    return min(phrases)[2]


def _place_words(
    folded: str, source: str, pos: int, blocked: list[tuple[int, int]]
) -> list[tuple[int, int]]:
    """Spans of the words of a place phrase starting at ``pos`` (after the preposition)."""
    words: list[tuple[int, int]] = []
    prev_end = pos
    for m in _TOKEN_RE.finditer(folded, pos):
        gap = folded[prev_end : m.start()]
        if re.search(r"[^\s-]", gap):
            break  # punctuation ends the phrase
        prev_end = m.end()
        word = m.group(0)
        if not words and word == "the":
            continue  # "at the library"
        if any(m.start() < e and s < m.end() for s, e in blocked):
            break
        if word.isdigit() or word in _PLACE_STOP:
            break
        if not words and word in _NOT_PLACE_HEADS:
            break
        # After a proper name only more of the name follows ("ICA Kvantum", "Bro torg").
        if (
            words
            and source[words[0][0]].isupper()
            and not (source[m.start()].isupper() or word in _PLACE_NOUNS)
        ):
            break
        words.append((m.start(), m.end()))
        if len(words) == _MAX_PLACE_WORDS:
            break
    return words


# --------------------------------------------------------------------------------------------
# Commitments

# Keywords that name a place or a partner rather than an activity: they support a match but
# must not outvote an activity word ("Föreläsning ... på Trygghetscentret").
_PLACE_LIKE = frozenset({"trygghetscenter", "trygghetscentret", "kriminalvarden", "harnevi"})
# Broad words that fit several commitments: they count, but less than a specific term.
_GENERIC = frozenset(
    {
        "traff", "meeting", "dialog", "dialogue", "foraldrar", "seniorer", "pensionarer",
        "aldre", "elderly", "seniors", "pensioners", "bus", "bussen", "narkotika", "narcotics",
        "drugs", "lecture", "synlighet", "visibility", "narvaro", "presence", "patrol",
        "tillit", "polisbil", "police car", "unga", "young people", "boende", "residents",
        "ungdomar", "youths", "pro", "spf", "traffpunkt", "traffpunkten", "meeting point",
    }
)  # fmt: skip
_SUFFIXES = (
    "", "s", "n", "t", "en", "et", "ar", "er", "or", "na", "an", "arna", "erna", "orna",
    "ens", "ets", "ns", "es", "e", "ning", "ningen",
)  # fmt: skip
_VERB_ENDINGS = frozenset({"a", "ar", "ade", "at", "ande", "e", "er", "te", "t", "ed"})
_SHORT_KEYWORD = 4  # up to this length a keyword must match a whole word exactly
_LONG_KEYWORD = 8  # from this length typos are tolerated inside longer words too
_FUZZY_THRESHOLD = 85.0
_SHORT_THRESHOLD = 83.0
_PARTIAL_THRESHOLD = 88.0
_MIN_WEIGHT = 0.3
_MIN_MARGIN = 0.2


@dataclass(frozen=True, slots=True)
class _Keyword:
    commitment: str
    text: str  # folded, single spaces
    words: tuple[str, ...]
    weight: float


@dataclass(slots=True)
class _Candidate:
    commitment: str
    total: float = 0.0
    best_similarity: float = 0.0
    hits: list[tuple[int, int, float]] = field(default_factory=list)
    keywords: set[str] = field(default_factory=set)


def _build_keywords(promise: Promise) -> tuple[_Keyword, ...]:
    out: list[_Keyword] = []
    for c in promise.commitments:
        raw = (*c.keywords.all(), c.id.replace("_", " "), *c.report_words.all())
        seen: set[str] = set()
        for kw in raw:
            text = " ".join(_TOKEN_RE.findall(_fold(kw)))
            if not text or text in seen:
                continue
            seen.add(text)
            if text in _PLACE_LIKE:
                weight = 0.4
            elif text in _GENERIC:
                weight = 0.5
            else:
                weight = 1.0
            out.append(_Keyword(c.id, text, tuple(text.split()), weight))
    return tuple(out)


# The keywords of a promise, built once per (frozen) promise object: every staff text is
# parsed against them, and folding some two hundred phrases each time cost more than the parse.
_keywords = per_promise(_build_keywords)


# Words repeat a lot across keywords and messages; caching keeps a long message cheap.
@lru_cache(maxsize=65_536)
def _word_similarity(keyword: str, word: str) -> float:
    """How well one keyword word matches one text word, allowing inflection and compounds."""
    if len(keyword) <= _SHORT_KEYWORD:
        return 100.0 if word == keyword else 0.0
    if word == keyword:
        return 100.0
    # Inflected ("tematräffen") or the head of a compound ("föräldraföreläsning").
    for suffix in _SUFFIXES:
        if word.endswith(keyword + suffix) and (suffix or len(word) > len(keyword)):
            return 98.0
    # The first part of a compound ("narkotikainsatsen" for "narkotika"): the rest must be a
    # word of its own, not a verb ending ("träffade" is not a "träff").
    if word.startswith(keyword) and len(word) - len(keyword) >= 4:
        return 95.0
    # Verb forms of an activity noun: "nattvandring" → "nattvandrade", "patrullerade".
    # "föreläsning" → "föreläste" drops the whole "-ning".
    if keyword.endswith("ing") and len(keyword) >= 8:
        for stem in (keyword[:-3], keyword[:-4]):
            if word.startswith(stem) and word[len(stem) :] in _VERB_ENDINGS:
                return 95.0
    if len(keyword) < _LONG_KEYWORD:
        # A short keyword with letters added at the end is usually another word ("träffa",
        # "träffas"), so only slips of about the same length count as typos ("dialoog").
        if abs(len(word) - len(keyword)) > 1 or word.startswith(keyword):
            return 0.0
        score = float(fuzz.ratio(keyword, word))
        return score if score >= _SHORT_THRESHOLD else 0.0
    score = float(fuzz.ratio(keyword, word))
    if len(word) > len(keyword):
        # Typos inside an inflected form or a compound ("tematraffen", "synlighetinsatsen").
        score = max(score, float(fuzz.partial_ratio(keyword, word)) - 2.0)
    return score if score >= _FUZZY_THRESHOLD else 0.0


def _phrase_hits(keyword: _Keyword, tokens: list[_Token]) -> list[tuple[int, int, float]]:
    """Token spans [i, j) matching ``keyword``, with similarity."""
    hits: list[tuple[int, int, float]] = []
    n = len(keyword.words)
    if n == 1:
        for i, tok in enumerate(tokens):
            sim = _word_similarity(keyword.text, tok.text)
            if sim:
                hits.append((i, i + 1, sim))
            elif tok.abbreviated and _abbreviates(keyword.text, tok, tokens[i + 1 : i + 2]):
                hits.append(
                    (i, i + 2 if _abbreviation_spans_two(keyword.text, tok) else i + 1, 90.0)
                )
            elif i + 1 < len(tokens) and _split_compound(keyword.text, tok, tokens[i + 1]):
                # A compound typed as two words ("synlighets insats", "tema träff").
                sim = _word_similarity(keyword.text, tok.text + tokens[i + 1].text)
                if sim >= _PARTIAL_THRESHOLD:
                    hits.append((i, i + 2, sim))
        return hits
    # Phrases: word by word, or written together as one compound ("mobildialog").
    joined = "".join(keyword.words)
    for i in range(len(tokens)):
        window = tokens[i : i + n]
        if len(window) == n:
            sims = [_word_similarity(k, t.text) for k, t in zip(keyword.words, window, strict=True)]
            if all(sims):
                hits.append((i, i + n, sum(sims) / n))
                continue
        sim = _word_similarity(joined, tokens[i].text) if len(joined) > _SHORT_KEYWORD else 0.0
        if sim:
            hits.append((i, i + 1, sim))
    return hits


def _abbreviates(keyword: str, tok: _Token, rest: list[_Token]) -> bool:
    """Whether "tok." (and perhaps the word after it) is a shortening of ``keyword``.

    Staff shorten long compounds: "föreläsn.", "synl.insats", "bedr.info".
    """
    if not keyword.startswith(tok.text) or len(tok.text) >= len(keyword):
        return False
    if len(tok.text) >= 5 and len(tok.text) * 2 >= len(keyword):
        return True
    if rest and rest[0].start == tok.end + 1 and len(tok.text) >= 3:
        tail = rest[0].text
        return (
            len(tail) >= 4 and keyword.endswith(tail) and len(tok.text) + len(tail) < len(keyword)
        )
    return False


def _abbreviation_spans_two(keyword: str, tok: _Token) -> bool:
    return not (len(tok.text) >= 5 and len(tok.text) * 2 >= len(keyword))


def _split_compound(keyword: str, first: _Token, second: _Token) -> bool:
    return (
        len(first.text) >= 3
        and len(second.text) >= 3
        and len(keyword) >= len(first.text) + 3
        and keyword[:2] == first.text[:2]
    )


@dataclass(frozen=True, slots=True)
class _Match:
    commitment: str | None
    score: float
    # Character spans of activity words, so the place finder does not take "tematräffen" in
    # "på tematräffen" for a place.
    keyword_spans: tuple[tuple[int, int], ...]


def _match_commitment(
    tokens: list[_Token], keywords: Sequence[_Keyword], place_spans: list[tuple[int, int]]
) -> _Match:
    # All hits, then each token is credited to the strongest keyword covering it (weight times
    # similarity, then length): a specific keyword beats a broad one ("informationsträff" over
    # "träff"), and one word cannot count for two commitments.
    raw: list[tuple[int, int, float, _Keyword]] = []
    for kw in keywords:
        for i, j, sim in _phrase_hits(kw, tokens):
            raw.append((i, j, sim, kw))
    raw.sort(key=lambda h: (-h[3].weight * h[2], -len(h[3].text)))
    keyword_spans = tuple(
        (tokens[i].start, tokens[j - 1].end) for i, j, _, kw in raw if kw.text not in _PLACE_LIKE
    )
    candidates: dict[str, _Candidate] = {}
    used: dict[int, str] = {}
    for i, j, sim, kw in raw:
        positions = range(i, j)
        if any(p in used and used[p] != kw.commitment for p in positions):
            continue
        cand = candidates.setdefault(kw.commitment, _Candidate(kw.commitment))
        # Repeating a word ("föräldrar ... 60 föräldrar") is no extra evidence.
        if kw.text in cand.keywords or any(i < e and s < j for s, e, _ in cand.hits):
            continue
        cand.keywords.add(kw.text)
        weight = kw.weight * sim / 100.0
        if kw.text in _PLACE_LIKE and any(
            tokens[i].start >= s and tokens[j - 1].end <= e for s, e in place_spans
        ):
            weight *= 0.6  # named as where it happened, not what happened
        cand.hits.append((i, j, weight))
        cand.total += weight
        cand.best_similarity = max(cand.best_similarity, sim)
        for p in positions:
            used[p] = kw.commitment
    ranked = sorted(candidates.values(), key=lambda c: -c.total)
    if not ranked or ranked[0].total < _MIN_WEIGHT:
        return _Match(None, 0.0, keyword_spans)
    top = ranked[0]
    second = ranked[1].total if len(ranked) > 1 else 0.0
    if top.total - second < _MIN_MARGIN:
        return _Match(None, 0.0, keyword_spans)
    confidence = top.best_similarity * min(1.0, top.total) * top.total / (top.total + second)
    return _Match(top.commitment, round(confidence, 1), keyword_spans)


# --------------------------------------------------------------------------------------------
# Entry point


def _mask(text: str, spans: list[tuple[int, int]]) -> str:
    chars = list(text)
    for start, end in spans:
        for k in range(start, end):
            chars[k] = ";"
    return "".join(chars)


def parse_report(text: str, promise: Promise, today: date) -> ParsedReport:
    """Read a staff one-liner. Anything not recognised is None; nothing here raises."""
    hits = find_pii(text)
    pii_spans = [(h.start, h.end) for h in hits]
    # Personal data is cut out first so its digits are never taken for a date or a count.
    source = _mask(text, pii_spans)
    # Folding is length preserving for the characters we map, so offsets stay aligned.
    folded = _fold(source)
    if len(folded) != len(source):  # pragma: no cover - exotic case mappings (e.g. "İ")
        source = "".join(ch if len(ch.lower()) == 1 else " " for ch in source)
        folded = _fold(source)

    dates = find_dates(folded, source, today)
    found_date = dates[0].value if dates else None
    choices: tuple[date, ...] = ()
    if dates and found_date is not None and dates[0].last is not None:
        choices = _days(found_date, min(dates[0].last, today))
        # A range still to come (the weekend, on a Friday) is a date to plan: its first day;
        # one that has only begun today is today.
        if len(choices) == 1:
            found_date, choices = choices[0], ()
        elif choices:
            found_date = None
    date_spans = [(d.start, d.end) for d in dates]

    count, c_start, c_end = _find_count(folded, date_spans + pii_spans)
    count_spans = [(c_start, c_end)] if count is not None else []

    match = _match_commitment(_tokens(source), _keywords(promise), _preposition_spans(folded))

    blocked = pii_spans + date_spans + count_spans
    place = (
        _known_place(folded, blocked)
        or _phrase_place(folded, source, blocked + list(match.keyword_spans))
        or _area_place(source, promise)
    )

    commitment = promise.get(match.commitment) if match.commitment else None
    return ParsedReport(
        commitment=match.commitment,
        date=found_date,
        count=count,
        place=place,
        pii=tuple(sorted({h.kind for h in hits})),
        score=match.score,
        date_choices=choices,
        conditions=tuple(read_conditions(source, commitment).items()) if commitment else (),
    )


# --------------------------------------------------------------------------------------------
# Conditions ("med civilsamhället", "Härnevi var inte med", "oplanerad")

# A word for a condition right after one of these, in the same clause, says it was not met:
# "utan civilsamhället", "without the church", "inga föreningar".
_NOT_BEFORE = frozenset(
    {"utan", "without", "inga", "ingen", "inget", "no", "not", "inte", "ej", "except", "utom"}
)
# ... and so does one of these within a few words after it: "Härnevi var inte med",
# "civilsamhället saknades", "the church did not come".
_NOT_AFTER = frozenset(
    {"inte", "ej", "icke", "not", "didnt", "saknades", "saknas", "uteblev", "missing", "absent",
     "couldnt", "wasnt", "werent", "never", "aldrig"}
)  # fmt: skip
_NOT_AFTER_REACH = 3
# Clauses end at punctuation and at "men" / "but": "polis var med men inte föreningar".
_CLAUSE_RE = re.compile(r"[,.;:!?()\n]|(?<![^\W_])(?:men|but|fast|dock)(?![^\W_])")


def _condition_phrases(words: tuple[str, ...]) -> list[tuple[tuple[str, ...], bool]]:
    """Folded words of each phrase, and whether its last word matches any ending (``*``)."""
    out = []
    for word in words:
        prefix = word.endswith("*")
        parts = tuple(_TOKEN_RE.findall(_fold(word.rstrip("*"))))
        if parts:
            out.append((parts, prefix))
    return out


def _phrase_at(tokens: list[str], i: int, phrase: tuple[str, ...], prefix: bool) -> bool:
    n = len(phrase)
    if i + n > len(tokens):
        return False
    for k, part in enumerate(phrase):
        word = tokens[i + k]
        last = k == n - 1
        if not (word == part or (last and prefix and word.startswith(part))):
            return False
    return True


@dataclass(frozen=True, slots=True)
class _ConditionWords:
    said: list[tuple[tuple[str, ...], bool]]
    denied: list[tuple[tuple[str, ...], bool]]


_condition_words_cache: dict[int, tuple[Commitment, dict[str, _ConditionWords]]] = {}


def _words_for(commitment: Commitment) -> dict[str, _ConditionWords]:
    cached = _condition_words_cache.get(id(commitment))
    if cached is not None and cached[0] is commitment:
        return cached[1]
    built = {
        cond.id: _ConditionWords(
            _condition_phrases(cond.words.all()), _condition_phrases(cond.not_words.all())
        )
        for cond in commitment.conditions
    }
    if len(_condition_words_cache) > 64:
        _condition_words_cache.clear()
    _condition_words_cache[id(commitment)] = (commitment, built)
    return built


def read_conditions(text: str, commitment: Commitment) -> dict[str, Status]:
    """What a staff text says about ``commitment``'s conditions: met when it names one
    ("med civilsamhället", "with the church", "Härnevi var med", "planerad"), not met when
    it denies one ("utan föreningar", "Härnevi var inte med", "oplanerad"). Conditions it
    does not name are left out (unknown). A denial wins over a mention in the same text."""
    if not commitment.conditions:
        return {}
    found: dict[str, Status] = {}
    folded = _fold(text)
    words = _words_for(commitment)
    for clause in _CLAUSE_RE.split(folded):
        tokens = _TOKEN_RE.findall(clause or "")
        for cond in commitment.conditions:
            table = words[cond.id]
            for i in range(len(tokens)):
                if any(_phrase_at(tokens, i, ph, pre) for ph, pre in table.denied):
                    found[cond.id] = Status.NOT_MET
                    continue
                hit = next((ph for ph, pre in table.said if _phrase_at(tokens, i, ph, pre)), None)
                if hit is None:
                    continue
                before = tokens[max(0, i - 3) : i]
                after = tokens[i + len(hit) : i + len(hit) + _NOT_AFTER_REACH]
                if _NOT_BEFORE.intersection(before) or _NOT_AFTER.intersection(after):
                    found[cond.id] = Status.NOT_MET
                elif found.get(cond.id) is not Status.NOT_MET:
                    found[cond.id] = Status.MET
    return {c.id: found[c.id] for c in commitment.conditions if c.id in found}


def told_conditions(text: str, commitment: Commitment, org: str | None) -> dict[str, Status]:
    """What a staff text and the reporter's organisation say about ``commitment``'s
    conditions (a police officer's report had the police there); the text wins: "polisen
    var inte med" from a police officer is not met. What neither says is left out."""
    return combine(from_reporter(commitment, org), read_conditions(text, commitment))


def _days(first: date, last: date) -> tuple[date, ...]:
    return tuple(first + timedelta(days=n) for n in range((last - first).days + 1))


def _preposition_spans(folded: str) -> list[tuple[int, int]]:
    """Text right after a place preposition: keywords there name where, not what."""
    spans = []
    for m in _PLACE_PREP_RE.finditer(folded):
        nxt = _TOKEN_RE.search(folded, m.end())
        if nxt is not None and nxt.start() == m.end():
            spans.append((nxt.start(), nxt.end()))
    return spans
