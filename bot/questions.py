"""Understanding a resident's free-text question: which intent, and which kind of event.

Pure domain code: no Telegram, no storage. ``match_question`` turns whatever a resident types
(Swedish or English, typos, no punctuation, emojis, shouting) into a :class:`Match`.

How it works, in short:

* The text is case-folded and split into words, and accents are dropped (å/ä → a, ö → o): many
  residents type on keyboards or phones without Swedish letters. The phrase tables below are
  written in natural Swedish and folded the same way when loaded.
* A phrase is an ordered list of words. It matches when its words occur in order with at most
  ``_MAX_GAP`` other words between them, so "hur kontaktar jag polisen" matches "kontaktar
  polisen". A word ending in ``*`` is a stem and matches any word that starts with it.
* Typos are forgiven with rapidfuzz: a word of five letters or more may be one edit off (a swap
  of two letters counts as one), a word of nine or more two edits, and the first letter must be
  right (typos there are rare, and the rule keeps short unrelated words from matching). The
  emergency tables are stricter, and ``NOT_TYPOS`` lists real words that only look like typos.
* Emergencies are looked for first and win over everything: a missed emergency is far worse than
  sending someone who asked an ordinary question to 112.
* Internal commitments (``count_only``) are never returned as ``kind``. Questions about them are
  answered as ``about_promise`` without a kind, so no reply can hint at dates or plans.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from enum import StrEnum

from bot.emergency import Danger, assess
from bot.promise import Commitment, Promise
from bot.scamcheck import looks_pasted
from bot.textkit import allowed_edits, fold, has_swedish_letters, similar, tokens

__all__ = [
    "INTENT_PHRASES",
    "KIND_SYNONYMS",
    "MAX_QUESTION_LENGTH",
    "NOT_TYPOS",
    "SECRET_PHRASES",
    "Intent",
    "Match",
    "PhraseSpec",
    "match_question",
]


class Intent(StrEnum):
    NEXT_EVENT = "next_event"
    ABOUT_PROMISE = "about_promise"
    PROGRESS = "progress"
    CONTACT_POLICE = "contact_police"
    EMERGENCY = "emergency"
    SCAM_CHECK = "scam_check"
    FRAUD_HELP = "fraud_help"
    SUBSCRIBE_TIPS = "subscribe_tips"
    TRYGGHETSCENTER = "trygghetscenter"
    EVENTS_LIST = "events_list"
    GREETING = "greeting"
    THANKS = "thanks"
    UNKNOWN = "unknown"


@dataclass(frozen=True)
class Match:
    """How a question was understood.

    ``kind`` is a commitment id, only ever one that is public and holds resident events.
    ``score`` is the mean word similarity of the phrase that decided (1.0 = every word exactly
    as in the table, lower with typos; 0.0 for ``unknown``). ``locale_guess`` is the language the
    text seems to be written in, or None when it gives no clue.
    """

    intent: Intent
    kind: str | None
    score: float
    locale_guess: str | None
    # For emergency and contact_police: which danger (bot.emergency.Danger value), if any.
    danger: str | None = None
    # For scam_check: the red flags found (bot.scamcheck categories).
    flags: tuple[str, ...] = ()


# Longer input is not a question to the bot (pasted text, spam); it is not analysed at all.
MAX_QUESTION_LENGTH = 1000

# Words allowed between two words of a phrase ("kontaktar [jag] polisen").
_MAX_GAP = 3

# --- Other intents ---------------------------------------------------------------------------
# Each phrase scores the sum of its word similarities times its weight, so longer, more specific
# phrases win over single words ("tips om bedrägerier" beats "bedrägerier"). A phrase may be a
# plain string (weight 1) or (phrase, weight). Greetings and thanks are weighted down so that
# "hej, när är nästa tematräff" is about the meeting.
PhraseSpec = str | tuple[str, float]

INTENT_PHRASES: Mapping[Intent, tuple[PhraseSpec, ...]] = {
    Intent.FRAUD_HELP: (
        "lurad",
        "lurade mig",
        "blivit lurad",
        "luras",
        "bedragen",
        "bedrag*",
        "bedräg*",
        "svindel",
        "svindlare",
        "bluff*",
        "blufföretag",
        "falsk* polis",
        "utger sig",
        "utgav sig",
        "låtsas vara",
        "låtsades vara",
        "hackat",
        "hackad",
        "hackade",
        "kapat",
        "kapad",
        "mitt konto",
        "bedragare",
        "hacked",
        "impersonat*",
        "pretending",
        "ringde från banken",
        "från banken",
        "sa att de var från banken",
        "ringde och sa",
        "sa att han var",
        "sa att hon var",
        "sa att de var",
        "påstod sig",
        "said he was from",
        "said she was from",
        "saying he was from",
        "saying she was from",
        "claimed to be",
        "claiming to be",
        "pinkod",
        "my pin",
        "pin code",
        "bankid",
        "mitt bankid",
        "gav min kod",
        "koden",
        "kortnummer",
        "lösenord",
        "pengar försvunnit",
        "tog mina pengar",
        "fått ett sms",
        "fick ett sms",
        "sms från",
        "med en länk",
        "got a text",
        "text with a link",
        "konstigt sms",
        "misstänkt samtal",
        "scam*",
        "fraud",
        "fraudster",
        "fraudulent",
        "swindled",
        "tricked",
        "conned",
        "phishing",
        "from the bank",
        "my bank",
        "pretending to be",
        "gave my code",
        "gave them my",
        "my card",
        "suspicious call",
        "suspicious text",
    ),
    Intent.SUBSCRIBE_TIPS: (
        "tips om bedrägerier",
        "tips om bedrag*",
        "tips om bedräg*",
        # Outweighs "bedräg*" of fraud_help, which the compound also starts with.
        ("bedrägeritips*", 1.2),
        "vill ha tips",
        "få tips",
        "tips",
        "tipsen",
        "prenumer*",
        "abonnera*",
        "sluta få tips",
        "avsluta tips*",
        "avprenumerera",
        "sluta prenumerera",
        "skicka tips",
        "nyhetsbrev",
        "påminnelser om bedrägerier",
        "subscrib*",
        "unsubscrib*",
        "fraud tips",
        "tips about fraud",
        "scam tips",
        "get tips",
        "want tips",
        "sign up",
        "sign me up",
        "newsletter",
        "stop tips",
    ),
    Intent.CONTACT_POLICE: (
        "kontakt* polis*",
        "ringa polis*",
        "ring polis*",
        "nå polis*",
        "prata med polis*",
        "polisens nummer",
        "polisens telefon*",
        "polisen nummer",
        "polisen telefon*",
        "polisens telefonnummer",
        "nummer till polis*",
        "telefonnummer till polis*",
        "mejla polis*",
        "maila polis*",
        "tipsa polis*",
        ("polis*", 0.6),
        "anmäl*",
        "polisanmäl*",
        "anmäla brott",
        "stulen",
        "stulet",
        "stulna",
        "stulits",
        "bestulen",
        "skadegörelse",
        "klotter",
        "klottrat",
        "stolen",
        "vandalism",
        "graffiti",
        "report",
        "reporting",
        "göra en anmälan",
        "114 14",
        "11414",
        "icke akut",
        "inte akut",
        "contact police",
        "contact the police",
        "call police",
        "call the police",
        "reach police",
        "talk to police",
        "police number",
        "police phone",
        "phone number police",
        "number police",
        "report crime",
        "report a crime",
        "file a report",
        "police report",
        "non emergency",
        "not urgent",
        ("police", 0.6),
    ),
    Intent.TRYGGHETSCENTER: (
        "trygghetscent*",
        "trygghets center",
        "trygghets centret",
        "tryggetscent*",
        "safety centre",
        "safety center",
        "security center",
        "community safety centre",
    ),
    Intent.EVENTS_LIST: (
        "evenemang",
        "event",
        "events",
        "aktiviteter",
        "aktivitet",
        "vad händer",
        "vad som händer",
        "vad är på gång",
        "på gång",
        "kalender*",
        "program*",
        "planerat",
        "whats on",
        "what is on",
        "what is happening",
        "whats happening",
        "coming up",
        "whats coming",
        "upcoming",
        "calendar",
        "schedule",
        "activities",
        "what is planned",
    ),
    Intent.NEXT_EVENT: (
        "nästa evenemang",
        "nästa event",
        "nästa aktivitet",
        "next event",
        "next activity",
    ),
    Intent.PROGRESS: (
        "hur går det",
        "hur gick det",
        "hur gåre",
        "hur har det gått",
        "hittills",
        "hur går det med",
        "hur ligger ni till",
        "hur långt har ni kommit",
        "har ni hållit",
        "hållit löftet",
        "håller ni",
        "har ni gjort",
        "vad har ni gjort",
        "vad har ni hunnit",
        "lyckats",
        "framsteg",
        "uppföljning",
        "resultat*",
        "status",
        "läget",
        "hur är läget med",
        "progress",
        "how is it going",
        "hows it going",
        "how is going",
        "how are you doing",
        "how are things",
        "kept the promise",
        "kept your promise",
        "what have you done",
        "have you done",
        "done so far",
        "so far",
        "results",
        "follow up",
        "followup",
        "on track",
        "how far",
    ),
    Intent.ABOUT_PROMISE: (
        "medborgarlöfte*",
        "medborgarlöften",
        "medborgar löfte*",
        "löfte*",
        "lovat",
        "lovar",
        "lovade",
        "vad har ni lovat",
        "vad lovar ni",
        "vad handlar",
        "vad är det här",
        "vad gör ni",
        "vad är trygghetsbot*",
        "boten",
        "den här boten",
        "this bot",
        "citizen promise",
        "promise*",
        "promised",
        "what did you promise",
        "what do you promise",
        "what is this",
        "what is this about",
        "what do you do",
        "commitment*",
        "åtagande*",
    ),
    Intent.GREETING: (
        ("hej", 0.6),
        ("hejsan", 0.6),
        ("hejhej", 0.6),
        ("tjena", 0.6),
        ("tjenare", 0.6),
        ("tja", 0.6),
        ("tjabba", 0.6),
        ("hallå", 0.6),
        ("god morgon", 0.6),
        ("god kväll", 0.6),
        ("god dag", 0.6),
        ("morsning", 0.6),
        ("hello", 0.6),
        ("hi", 0.6),
        ("hey", 0.6),
        ("hiya", 0.6),
        ("good morning", 0.6),
        ("good evening", 0.6),
        ("good afternoon", 0.6),
    ),
    Intent.THANKS: (
        ("tack", 0.6),
        ("tackar", 0.6),
        ("tusen tack", 0.6),
        ("tack så mycket", 0.6),
        ("tacksam", 0.6),
        ("thanks", 0.6),
        ("thank you", 0.6),
        ("thx", 0.6),
        ("ty", 0.6),
        ("cheers", 0.6),
        ("much appreciated", 0.6),
    ),
}

# When several intents score the same, the earlier one wins: help before information, and
# anything specific before small talk.
_PRIORITY: tuple[Intent, ...] = (
    Intent.FRAUD_HELP,
    Intent.CONTACT_POLICE,
    Intent.SUBSCRIBE_TIPS,
    Intent.TRYGGHETSCENTER,
    Intent.NEXT_EVENT,
    Intent.EVENTS_LIST,
    Intent.PROGRESS,
    Intent.ABOUT_PROMISE,
    Intent.GREETING,
    Intent.THANKS,
)

# Words that turn "a kind of event" into "when is the next one": they add a point to next_event.
_WHEN_CUES: tuple[str, ...] = (
    "när",
    "nästa",
    "kommer",
    "dags",
    "datum",
    "vilken dag",
    "snart",
    "idag",
    "ikväll",
    "imorgon",
    "i helgen",
    "helgen",
    "veckan",
    "when",
    "next",
    "coming",
    "come",
    "soon",
    "today",
    "tonight",
    "tomorrow",
    "weekend",
    "date",
)

# Words that make a question about Trygghetscenter about the place itself, not its meetings.
_PLACE_CUES: tuple[str, ...] = (
    "öppet",
    "öppettider",
    "öppnar",
    "stänger",
    "ligger",
    "adress*",
    "hitta",
    "var",
    "vart",
    "open",
    "opening",
    "hours",
    "where",
    "address",
    "located",
    "find",
)

# Extra words for event kinds, beyond the commitment's own keywords. Only applied to a
# commitment that is public and holds resident events; keyed by commitment id.
KIND_SYNONYMS: Mapping[str, tuple[str, ...]] = {
    "mobile_dialogue": (
        "buss*",
        "kommunbuss*",
        "dialogbuss*",
        "polisbil*",
        "medborgardialog*",
        "mobila dialog*",
        "mobil dialog*",
        "the bus",
        "police car",
        "police van",
        "mobile dialog",
    ),
    "theme_meeting": (
        "tematräff*",
        "tema träff*",
        "temamöte*",
        "temakväll*",
        "informationsmöte*",
        "infomöte*",
        "träff*",
        "möte",
        "mötet",
        "theme meeting*",
        "theme night",
        "info meeting*",
        "information evening",
    ),
    "parent_lecture": (
        "föräldraföreläsning*",
        "föräldramöte*",
        "föräldrakväll*",
        "föreläsning*",
        "föräldrar",
        "för föräldrar",
        "parent lecture",
        "parents lecture",
        "parent evening",
        "parents evening",
        "parent meeting",
        "lecture*",
        "talk for parents",
        "for parents",
    ),
    "visibility_effort": (
        "polisen i bro centrum",
        "polisen i bro",
        "polisen i centrum",
        "polisen till bro",
        "polisen till centrum",
        "kommer polisen",
        "polis* centrum",
        "polis* torget",
        "polis i centrum",
        "poliser i centrum",
        "poliser ute",
        "synlig*",
        "patrull*",
        "nattvandr*",
        "trygghetsvandr*",
        "trygghetsinsats*",
        "synlighetsinsats*",
        "police in bro",
        "police in the centre",
        "police in the center",
        "police* centre",
        "police* center",
        "police come",
        "police coming",
        "patrol*",
        "safety walk*",
        "night walk*",
    ),
}

# Words about internal work that residents must not get dates or plans for. Together with the
# keywords of every ``count_only`` commitment they route to ``about_promise`` without a kind.
SECRET_PHRASES: tuple[str, ...] = (
    "narkotik*",
    "knark*",
    "razzia*",
    "tillslag*",
    "drogtillslag",
    "husrannsakan",
    "gvi",
    "kriminalvård*",
    "gängvåld*",
    "avhopp*",
    "härnevi*",
    "langning",
    "langare",
    "drug raid*",
    "raid*",
    "crackdown",
    "narcotic*",
    "drug operation*",
    "drugs operation*",
    "gang violence",
    "probation",
)

# Trygghetscenter hosts theme meetings, but asking about the place is its own intent, so these
# commitment keywords do not make a question about an event kind.
_PLACE_KEYWORDS: frozenset[str] = frozenset({"trygghetscenter", "trygghetscentret"})

# Language hints: words that only (or almost only) appear in one of the two languages.
_SV_HINTS: frozenset[str] = frozenset(
    {
        "jag",
        "ni",
        "du",
        "mig",
        "det",
        "och",
        "att",
        "nar",
        "ar",
        "nasta",
        "hur",
        "vad",
        "vilka",
        "vilken",
        "finns",
        "har",
        "kommer",
        "polisen",
        "hej",
        "hejsan",
        "tjena",
        "tack",
        "om",
        "med",
        "till",
        "nagon",
        "blivit",
        "inte",
        "brinner",
        "kniv",
        "hjalp",
        "kan",
        "ska",
        "vill",
        "ligger",
        "oppet",
        "sa",
        "som",
        "hos",
        "nu",
        "lurad",
    }
)
_EN_HINTS: frozenset[str] = frozenset(
    {
        "the",
        "is",
        "are",
        "what",
        "whats",
        "when",
        "where",
        "how",
        "i",
        "you",
        "do",
        "did",
        "next",
        "police",
        "thanks",
        "thank",
        "hello",
        "hi",
        "my",
        "someone",
        "of",
        "to",
        "on",
        "it",
        "going",
        "was",
        "have",
        "has",
        "can",
        "help",
        "please",
        "fire",
        "events",
        "upcoming",
        "promise",
        "meeting",
        "with",
        "and",
        "progress",
        "subscribe",
    }
)


# Real words (folded) that are one typo away from a table word but mean something else: they are
# never read as a typo ("attached" is not "attacked", "skatt" is not "skott").
NOT_TYPOS: frozenset[str] = frozenset(
    {
        "attached",
        "bathing",
        "bearing",
        "drowsing",
        "rubbed",
        "scooting",
        "shouting",
        "slaget",
        "stabled",
        "strike",
        "strikes",
        "skatt",
        "skatten",
        "skotta",
        "skjuts",
        "skjutsa",
        "skjutsar",
        "valen",
        "radet",
        "ranta",
        "rantan",
        "raknar",
        "sparar",
        "lived",
        "persona",
        "think",
        "than",
        "there",
        "these",
    }
)


# --- Text normalisation ----------------------------------------------------------------------


_fold = fold
_tokens = tokens
_has_swedish_letters = has_swedish_letters


# --- Phrase matching -------------------------------------------------------------------------


@dataclass(frozen=True)
class _Phrase:
    words: tuple[str, ...]  # folded; a trailing "*" marks a stem
    weight: float = 1.0
    strict: bool = False  # fewer typos forgiven; see _allowed_edits


def _phrase(spec: PhraseSpec, strict: bool) -> _Phrase | None:
    text, weight = (spec, 1.0) if isinstance(spec, str) else spec
    words: list[str] = []
    for raw in text.split():
        parts = _tokens(raw.rstrip("*"))
        if parts and raw.endswith("*"):
            parts[-1] += "*"
        words.extend(parts)
    return _Phrase(tuple(words), weight, strict) if words else None


def _phrases(specs: Iterable[PhraseSpec], strict: bool = False) -> tuple[_Phrase, ...]:
    return tuple(p for p in (_phrase(s, strict) for s in specs) if p is not None)


_allowed_edits = allowed_edits


def _word_similarity(token: str, word: str, strict: bool) -> float:
    """1.0 for a match, a value in (0, 1) for a forgiven typo, 0.0 otherwise."""
    if word.endswith("*"):
        stem = word[:-1]
        if token.startswith(stem):
            return 1.0
        if token in NOT_TYPOS:
            return 0.0
        edits = _allowed_edits(len(stem), strict)
        if edits == 0 or not token or token[0] != stem[0] or len(token) < len(stem) - edits:
            return 0.0
        # A typo inside the stem shifts it, so compare the stem with a few prefix lengths.
        best = 0.0
        for cut in range(len(stem) - edits, len(stem) + edits + 1):
            best = max(best, _similar(token[:cut], stem, edits))
        return best
    if token == word:
        return 1.0
    if token in NOT_TYPOS:
        return 0.0
    edits = _allowed_edits(len(word), strict)
    if edits == 0 or not token or token[0] != word[0]:
        return 0.0
    return _similar(token, word, edits)


_similar = similar


class _Text:
    """A question's tokens with a cache of word similarities."""

    def __init__(self, tokens: Sequence[str]) -> None:
        self.tokens = tuple(tokens)
        # Compound words are often split by mistake ("tema träff"): joined neighbours are also
        # candidates for a single-word phrase.
        self.pairs = tuple(a + b for a, b in zip(self.tokens, self.tokens[1:], strict=False))
        self._cache: dict[tuple[str, str, bool], float] = {}

    def sim(self, token: str, word: str, strict: bool) -> float:
        key = (token, word, strict)
        found = self._cache.get(key)
        if found is None:
            found = _word_similarity(token, word, strict)
            self._cache[key] = found
        return found

    def contains_any(self, phrases: Iterable[_Phrase]) -> bool:
        return any(self.score(p) > 0 for p in phrases)

    def score(self, phrase: _Phrase) -> float:
        """Weighted sum of word similarities for the best placement of ``phrase``, or 0."""
        words = phrase.words
        n = len(self.tokens)
        best = 0.0
        for start in range(n):
            first = self.sim(self.tokens[start], words[0], phrase.strict)
            if first == 0.0:
                continue
            rest = self._rest(start, phrase, 1)
            if rest is not None:
                best = max(best, first + rest)
        if len(words) == 1:
            # Only an exact hit counts: two neighbouring words glued together and one typo off
            # are too often something else ("polis till" is not "polisbil").
            for pair in self.pairs:
                if self.sim(pair, words[0], phrase.strict) == 1.0:
                    best = max(best, 1.0)
        return best * phrase.weight

    def _rest(self, after: int, phrase: _Phrase, k: int) -> float | None:
        words = phrase.words
        if k == len(words):
            return 0.0
        best: float | None = None
        stop = min(len(self.tokens), after + 2 + _MAX_GAP)
        for j in range(after + 1, stop):
            s = self.sim(self.tokens[j], words[k], phrase.strict)
            if s == 0.0:
                continue
            rest = self._rest(j, phrase, k + 1)
            if rest is not None and (best is None or s + rest > best):
                best = s + rest
        return best


def _best(text: _Text, phrases: Iterable[_Phrase]) -> tuple[float, _Phrase | None]:
    best_score, best_phrase = 0.0, None
    for p in phrases:
        s = text.score(p)
        if s > best_score:
            best_score, best_phrase = s, p
    return best_score, best_phrase


def _quality(score: float, phrase: _Phrase | None) -> float:
    """The mean word similarity of the deciding phrase, for ``Match.score``."""
    if phrase is None or score <= 0.0:
        return 0.0
    return round(min(1.0, score / (phrase.weight * len(phrase.words))), 3)


# --- The per-promise index -------------------------------------------------------------------


@dataclass(frozen=True)
class _Index:
    kinds: tuple[tuple[str, tuple[_Phrase, ...]], ...]  # public commitments with resident events
    secret: tuple[_Phrase, ...]  # internal commitments and internal work in general
    other_public: tuple[_Phrase, ...]  # public commitments without events → about the promise
    place: tuple[_Phrase, ...]  # the Trygghetscenter's own name


def _may_be_kind(c: Commitment) -> bool:
    return c.is_public and c.resident_events


def _build_index(promise: Promise) -> _Index:
    kinds: list[tuple[str, tuple[_Phrase, ...]]] = []
    secret: list[PhraseSpec] = list(SECRET_PHRASES)
    other: list[PhraseSpec] = []
    for c in promise.commitments:
        words = [k for k in c.keywords.all() if _fold(k) not in _PLACE_KEYWORDS]
        if _may_be_kind(c):
            kinds.append((c.id, _phrases([*words, *KIND_SYNONYMS.get(c.id, ())])))
        elif c.is_public:
            # Asking about the youth trust model or fraud information is asking what the promise
            # holds; fraud words also belong to fraud_help, which wins a tie.
            other.extend(words)
        else:
            secret.extend(words)
    place: list[PhraseSpec] = []
    if promise.trygghetscenter is not None:
        place.append(promise.trygghetscenter.name)
    return _Index(tuple(kinds), _phrases(secret), _phrases(other), _phrases(place))


# Built phrase tables for the few promises a process ever sees; identity-checked because a
# Promise (with its dict field) is not hashable.
_INDEX_CACHE: dict[int, tuple[Promise, _Index]] = {}


def _index(promise: Promise) -> _Index:
    cached = _INDEX_CACHE.get(id(promise))
    if cached is not None and cached[0] is promise:
        return cached[1]
    built = _build_index(promise)
    if len(_INDEX_CACHE) > 16:
        _INDEX_CACHE.clear()
    _INDEX_CACHE[id(promise)] = (promise, built)
    return built


_INTENTS: dict[Intent, tuple[_Phrase, ...]] = {
    intent: _phrases(specs) for intent, specs in INTENT_PHRASES.items()
}
_WHEN = _phrases(_WHEN_CUES)
_PLACE = _phrases(_PLACE_CUES)


# --- Matching --------------------------------------------------------------------------------


def _locale_guess(raw: str, tokens: Sequence[str], locale: str) -> str | None:
    if _has_swedish_letters(raw):
        return "sv"
    sv = sum(t in _SV_HINTS for t in tokens)
    en = sum(t in _EN_HINTS for t in tokens)
    if sv > en:
        return "sv"
    if en > sv:
        return "en"
    # A mixed message with as many clues either way is read in the chat's own language.
    if sv and locale in ("sv", "en"):
        return locale
    return None


def match_question(text: str, promise: Promise, locale: str) -> Match:
    """Understand a resident's question. Never raises; anything unclear is ``unknown``.

    ``locale`` is the chat's language ("sv" or "en"). Matching itself is bilingual; the locale
    only decides ``locale_guess`` for a message with equally many Swedish and English clues.
    """
    if not isinstance(text, str):
        return Match(Intent.UNKNOWN, None, 0.0, None)
    tokens = _tokens(text[:MAX_QUESTION_LENGTH])
    guess = _locale_guess(text, tokens, locale)

    # Danger first, and nothing can outvote it (bot/emergency.py) — except that "akut" inside
    # a pasted scam text is the scammer's hurry, not the resident's.
    check = assess(text)
    pasted = looks_pasted(text)
    if check.urgent and not (pasted is not None and set(check.signals) <= {"plea"}):
        return Match(Intent.EMERGENCY, None, 1.0, guess, check.danger.value)
    if pasted is not None:
        return Match(Intent.SCAM_CHECK, None, 1.0, guess, flags=pasted.flags)
    if check.danger is Danger.PAST_CRIME:
        return Match(Intent.CONTACT_POLICE, None, 1.0, guess, check.danger.value)
    if not tokens or len(text) > MAX_QUESTION_LENGTH:
        return Match(Intent.UNKNOWN, None, 0.0, guess)

    t = _Text(tokens)
    index = _index(promise)
    scores: dict[Intent, tuple[float, _Phrase | None]] = {
        intent: _best(t, phrases) for intent, phrases in _INTENTS.items()
    }

    # Which kind of event, if any, and whether the text is really about internal work.
    kind: str | None = None
    kind_score, kind_phrase = 0.0, None
    for commitment_id, phrases in index.kinds:
        s, p = _best(t, phrases)
        if s > kind_score:
            kind, kind_score, kind_phrase = commitment_id, s, p
    secret_score, secret_phrase = _best(t, index.secret)
    when = 1.0 if t.contains_any(_WHEN) else 0.0
    if secret_phrase is not None and secret_score >= kind_score:
        # Never answer "when" about internal work, nor hint at it through a public kind.
        kind, kind_score, kind_phrase = None, 0.0, None
        scores[Intent.NEXT_EVENT] = (0.0, None)
        scores[Intent.EVENTS_LIST] = (0.0, None)
        scores[Intent.ABOUT_PROMISE] = max(
            scores[Intent.ABOUT_PROMISE], (secret_score, secret_phrase), key=lambda x: x[0]
        )
    elif kind_phrase is not None:
        generic = scores[Intent.NEXT_EVENT]
        scores[Intent.NEXT_EVENT] = max(
            generic, (kind_score + when, kind_phrase), key=lambda x: x[0]
        )
    elif scores[Intent.NEXT_EVENT][1] is not None:
        s, p = scores[Intent.NEXT_EVENT]
        scores[Intent.NEXT_EVENT] = (s + when, p)

    other_score, other_phrase = _best(t, index.other_public)
    if other_phrase is not None and other_score > scores[Intent.ABOUT_PROMISE][0]:
        scores[Intent.ABOUT_PROMISE] = (other_score, other_phrase)

    place_score, place_phrase = _best(t, index.place)
    centre = max(scores[Intent.TRYGGHETSCENTER], (place_score, place_phrase), key=lambda x: x[0])
    if centre[1] is not None and t.contains_any(_PLACE):
        centre = (centre[0] + 1.0, centre[1])
    scores[Intent.TRYGGHETSCENTER] = centre

    best_intent, best_score, best_phrase = Intent.UNKNOWN, 0.0, None
    for intent in _PRIORITY:
        s, p = scores[intent]
        if p is not None and s > best_score:
            best_intent, best_score, best_phrase = intent, s, p
    if best_phrase is None or (
        check.signals == ("concern",) and best_intent in (Intent.GREETING, Intent.THANKS)
    ):
        if check.signals == ("concern",):
            # Recall over precision: words about someone hurt, scared or in a risky place in a
            # text that says nothing else we understand are answered with 112 first.
            return Match(Intent.EMERGENCY, None, 0.5, guess, check.danger.value)
        # Not understood. A sentence about people still gets the 112 line first (the reply
        # carries the menu too), anything else only at the end.
        danger = check.danger.value if check.danger is Danger.POSSIBLE else None
        return Match(Intent.UNKNOWN, None, 0.0, guess, danger)
    if best_intent is not Intent.NEXT_EVENT or best_phrase is not kind_phrase:
        kind = None
    # Defence in depth: whatever the tables say, only a public event kind leaves this module.
    if kind is not None:
        commitment = promise.get(kind)
        if commitment is None or not _may_be_kind(commitment):
            kind = None
    # The ranking score includes cue bonuses; the reported score is the phrase's own quality.
    return Match(best_intent, kind, _quality(t.score(best_phrase), best_phrase), guess)
