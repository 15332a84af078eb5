"""Understanding a resident's free-text question: which intent, and which kind of event.

Pure domain code: no Telegram, no storage. ``match_question`` turns whatever a resident types
(Swedish or English, typos, no punctuation, emojis, shouting) into a :class:`Match`.

How it works, in short:

* The text is case-folded and split into words, and accents are dropped (å/ä → a, ö → o): many
  residents type on keyboards or phones without Swedish letters. The phrases are data, one
  file per language (``locales/<lang>/questions.toml``, read by ``bot.phrasebook``), plus each
  commitment's ``keywords`` and ``question_words`` in the promise file; they are written in
  natural language and folded the same way when loaded.
* A phrase is an ordered list of words. It matches when its words occur in order with at most
  ``_MAX_GAP`` other words between them, so "hur kontaktar jag polisen" matches "kontaktar
  polisen". A word ending in ``*`` is a stem and matches any word that starts with it.
* Typos are forgiven with rapidfuzz: a word of five letters or more may be one edit off (a swap
  of two letters counts as one), a word of nine or more two edits, and the first letter must be
  right (typos there are rare, and the rule keeps short unrelated words from matching; it also
  lets every table be indexed by first letter). ``NOT_TYPOS`` lists real words that only look
  like typos.
* Danger is looked for first (``bot.emergency``) and wins over everything: a missed emergency is
  far worse than sending someone who asked an ordinary question to 112. A pasted text that looks
  like a scam comes next (``bot.scamcheck``).
* Internal commitments (``count_only``) are never returned as ``kind``. Questions about them are
  answered as ``about_promise`` without a kind, so no reply can hint at dates or plans.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from enum import StrEnum

from bot.emergency import Danger, assess
from bot.phrasebook import load_phrasebook
from bot.promise import Commitment, Promise
from bot.scamcheck import looks_pasted
from bot.textkit import BoundedMemo, allowed_edits, fold, has_swedish_letters, similar, tokens

__all__ = [
    "MAX_QUESTION_LENGTH",
    "NOT_TYPOS",
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
    STOP_TIPS = "stop_tips"
    TIP_OFF = "tip_off"
    EXPLAIN = "explain"
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
    # For explain: which commitment is asked about. Internal only — never shown or printed:
    # it may be a count_only commitment, whose answer says nothing but its plain explanation.
    topic: str | None = field(default=None, repr=False)


# Longer input is not a question to the bot (pasted text, spam); it is not analysed at all.
MAX_QUESTION_LENGTH = 1000

# Words allowed between two words of a phrase ("kontaktar [jag] polisen").
_MAX_GAP = 3

PhraseSpec = str | tuple[str, float]

# When several intents score the same, the earlier one wins: help before information, and
# anything specific before small talk.
_PRIORITY: tuple[Intent, ...] = (
    Intent.STOP_TIPS,
    Intent.TIP_OFF,
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

# How many opening words may hold a greeting or thanks.
_SMALL_TALK_WORDS = 3

# Trygghetscenter hosts theme meetings, but asking about the place is its own intent, so these
# commitment keywords do not make a question about an event kind.
_PLACE_KEYWORDS: frozenset[str] = frozenset({"trygghetscenter", "trygghetscentret"})

_BOOK = load_phrasebook()
NOT_TYPOS: frozenset[str] = _BOOK.not_typos


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


def _phrases(specs: Iterable[PhraseSpec], strict: bool = False) -> _Table:
    return _Table(p for p in (_phrase(s, strict) for s in specs) if p is not None)


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


# --- The vocabulary: which phrase words a token can be ------------------------------------------
#
# A phrase can only score when its first word matches a token (or, for a one-word phrase, two
# neighbouring tokens glued together), so instead of scoring every phrase of every table
# against the text, each token is looked up once in the vocabulary of all phrase words: exactly,
# as a stem (a prefix of the token), or with a typo (same first letter, length within the typos
# allowed). What a token matches is remembered across messages (residents reuse the same words),
# and a table then scores only the phrases whose first word some token matched. The
# similarities are those of ``_word_similarity``; the lookup only decides which pairs to ask.

_Key = tuple[str, bool]  # a phrase word (trailing "*" for a stem) and whether it is strict


class _Vocabulary:
    def __init__(self) -> None:
        self.keys: set[_Key] = set()
        # first letter → (key, comparable length, is a stem) for typo candidates
        self._by_initial: dict[str, list[tuple[_Key, int, bool]]] = {}
        self._exact: set[str] = set()  # whole words, for glued pairs
        self._stems: set[str] = set()  # stems without the "*", for glued pairs
        self._longest_stem = 0
        self._matches: BoundedMemo[str, dict[_Key, float]] = BoundedMemo(_TOKEN_CACHE_SIZE)
        self._glued: BoundedMemo[str, frozenset[str]] = BoundedMemo(_TOKEN_CACHE_SIZE)

    def add(self, words: Iterable[_Key]) -> None:
        new = [k for k in words if k not in self.keys]
        if not new:
            return
        for key in new:
            self.keys.add(key)
            word = key[0]
            stem = word.endswith("*")
            bare = word[:-1] if stem else word
            if not bare:
                continue
            self._by_initial.setdefault(bare[0], []).append((key, len(bare), stem))
            if stem:
                self._stems.add(bare)
                self._longest_stem = max(self._longest_stem, len(bare))
            else:
                self._exact.add(word)
        # What a token matched was worked out against fewer words.
        self._matches.clear()
        self._glued.clear()

    def matches(self, token: str) -> dict[_Key, float]:
        """Every phrase word ``token`` matches, with its similarity (all > 0)."""
        found = self._matches.get(token)
        if found is None:
            found = {}
            if token:
                n = len(token)
                for key, length, stem in self._by_initial.get(token[0], ()):
                    # Superset of what _word_similarity can accept: a typo is at most two edits,
                    # so a word's length is within two of the token's (a stem's: at most two
                    # longer than the token).
                    if (n < length - 2) if stem else (abs(n - length) > 2):
                        continue
                    s = _word_similarity(token, key[0], key[1])
                    if s > 0.0:
                        found[key] = s
            self._matches.keep(token, found)
        return found

    def glued(self, pair: str) -> frozenset[str]:
        """Phrase words (as written, "*" for a stem) that ``pair`` is exactly: itself, or a stem
        it starts with. No typo: see ``_Text._glued``."""
        found = self._glued.get(pair)
        if found is None:
            words = {pair} if pair in self._exact else set()
            for cut in range(1, min(len(pair), self._longest_stem) + 1):
                if pair[:cut] in self._stems:
                    words.add(pair[:cut] + "*")
            found = self._glued.keep(pair, frozenset(words))
        return found


_TOKEN_CACHE_SIZE = 100_000
_VOCABULARY = _Vocabulary()


class _Text:
    """A question's tokens and the phrase words each of them matches."""

    def __init__(self, tokens: Sequence[str]) -> None:
        self.tokens = tuple(tokens)
        vocabulary = _VOCABULARY
        self._matches = tuple(vocabulary.matches(t) for t in self.tokens)
        # Where each phrase word matches, in token order, with how well.
        self._starts: dict[_Key, list[tuple[int, float]]] = {}
        for i, found in enumerate(self._matches):
            for key, s in found.items():
                self._starts.setdefault(key, []).append((i, s))
        # Compound words are often split by mistake ("tema träff"): joined neighbours are also
        # candidates for a single-word phrase.
        glued: set[str] = set()
        for a, b in zip(self.tokens, self.tokens[1:], strict=False):
            glued |= vocabulary.glued(a + b)
        self.glued = glued

    def contains_any(self, table: _Table) -> bool:
        return any(self.score(p) > 0 for p in table.candidates(self))

    def score(self, phrase: _Phrase) -> float:
        """Weighted sum of word similarities for the best placement of ``phrase``, or 0."""
        words = phrase.words
        best = 0.0
        for start, first in self._starts.get((words[0], phrase.strict), ()):
            rest = self._rest(start, phrase, 1)
            if rest is not None:
                best = max(best, first + rest)
        if len(words) == 1 and best < 1.0 and words[0] in self.glued:
            best = 1.0
        return best * phrase.weight

    def _rest(self, after: int, phrase: _Phrase, k: int) -> float | None:
        words = phrase.words
        if k == len(words):
            return 0.0
        best: float | None = None
        stop = min(len(self.tokens), after + 2 + _MAX_GAP)
        key = (words[k], phrase.strict)
        for j in range(after + 1, stop):
            s = self._matches[j].get(key, 0.0)
            if s == 0.0:
                continue
            rest = self._rest(j, phrase, k + 1)
            if rest is not None and (best is None or s + rest > best):
                best = s + rest
        return best


class _Table:
    """Phrases indexed by their first word; candidates come back in the table's own order, so
    ties are broken exactly as written in the data files."""

    def __init__(self, phrases: Iterable[_Phrase]) -> None:
        self.phrases = tuple(phrases)
        self._first: dict[_Key, list[int]] = {}
        self._single: dict[str, list[int]] = {}  # one-word phrases, for glued pairs
        for i, p in enumerate(self.phrases):
            self._first.setdefault((p.words[0], p.strict), []).append(i)
            if len(p.words) == 1:
                self._single.setdefault(p.words[0], []).append(i)
        _VOCABULARY.add((w, p.strict) for p in self.phrases for w in p.words)

    def candidates(self, text: _Text) -> list[_Phrase]:
        """The phrases that can score on ``text``: every other one scores 0."""
        found: set[int] = set()
        for key in self._first.keys() & text._starts.keys():
            found.update(self._first[key])
        if text.glued:
            for word in self._single.keys() & text.glued:
                found.update(self._single[word])
        if not found:
            return []
        return [self.phrases[i] for i in sorted(found)]

    def __bool__(self) -> bool:
        return bool(self.phrases)


def _best(text: _Text, table: _Table) -> tuple[float, _Phrase | None]:
    best_score, best_phrase = 0.0, None
    for p in table.candidates(text):
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
    kinds: tuple[tuple[str, _Table], ...]  # public commitments with resident events
    secret: _Table  # internal commitments and internal work in general
    other_public: _Table  # public commitments without events → about the promise
    explain: tuple[tuple[str, _Table], ...]  # every commitment, for "what is X?"
    place: _Table  # the Trygghetscenter's own name


def _may_be_kind(c: Commitment) -> bool:
    return c.is_public and c.resident_events


def _build_index(promise: Promise) -> _Index:
    kinds: list[tuple[str, _Table]] = []
    secret: list[PhraseSpec] = list(_BOOK.secret)
    other: list[PhraseSpec] = []
    for c in promise.commitments:
        words = [k for k in c.keywords.all() if _fold(k) not in _PLACE_KEYWORDS]
        if _may_be_kind(c):
            kinds.append((c.id, _phrases([*words, *c.question_words.all()])))
        elif c.is_public:
            # Asking about the youth trust model or fraud information is asking what the promise
            # holds; fraud words also belong to fraud_help, which wins a tie.
            other.extend(words)
        else:
            secret.extend(words)
    place: list[PhraseSpec] = []
    if promise.trygghetscenter is not None:
        place.append(promise.trygghetscenter.name)
    explain = tuple(
        (
            c.id,
            _phrases(
                k
                for k in (*c.keywords.all(), *c.question_words.all())
                if _fold(k) not in _PLACE_KEYWORDS
            ),
        )
        for c in promise.commitments
    )
    return _Index(tuple(kinds), _phrases(secret), _phrases(other), explain, _phrases(place))


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


_INTENTS: dict[Intent, _Table] = {
    Intent(name): _phrases(specs) for name, specs in _BOOK.intents.items()
}
_WHEN = _phrases(_BOOK.when)
_EXPLAIN = _phrases(_BOOK.explain)
_PLACE = _phrases(_BOOK.place)


# --- Matching --------------------------------------------------------------------------------


def _locale_guess(raw: str, tokens: Sequence[str], locale: str) -> str | None:
    if _has_swedish_letters(raw):
        return "sv"
    sv = sum(t in _BOOK.hints.get("sv", ()) for t in tokens)
    en = sum(t in _BOOK.hints.get("en", ()) for t in tokens)
    if sv > en:
        return "sv"
    if en > sv:
        return "en"
    # A mixed message with as many clues either way is read in the chat's own language.
    if sv and locale in ("sv", "en"):
        return locale
    return None


def _explained(t: _Text, index: _Index) -> str | None:
    """The commitment a "what is X?" question asks about, if that is what it is. A question
    about when ("vad är nästa tematräff") is not one."""
    if not t.contains_any(_EXPLAIN) or t.contains_any(_WHEN):
        return None
    best, best_id = 0.0, None
    for commitment_id, phrases in index.explain:
        score, _phrase = _best(t, phrases)
        if score > best:
            best, best_id = score, commitment_id
    return best_id


# Understood questions, remembered: residents ask the same few questions in the same words
# ("när är nästa tematräff", "hej", "tack"), and a Match is immutable and depends only on the
# text, the promise (by identity, as for the index) and the locale. Bounded; cleared when full.
_MATCH_CACHE: BoundedMemo[tuple[str, str, int], tuple[Promise, Match]] = BoundedMemo(4096)


def match_question(text: str, promise: Promise, locale: str) -> Match:
    """Understand a resident's question. Never raises; anything unclear is ``unknown``.

    ``locale`` is the chat's language ("sv" or "en"). Matching itself is bilingual; the locale
    only decides ``locale_guess`` for a message with equally many Swedish and English clues.
    """
    if not isinstance(text, str):
        return Match(Intent.UNKNOWN, None, 0.0, None)
    key = (text, locale, id(promise))
    cached = _MATCH_CACHE.get(key)
    if cached is not None and cached[0] is promise:
        return cached[1]
    match = _match(text, promise, locale)
    if len(text) <= MAX_QUESTION_LENGTH:  # long pastes are rarely sent twice
        _MATCH_CACHE.keep(key, (promise, match))
    return match


def _match(text: str, promise: Promise, locale: str) -> Match:
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

    index = _index(promise)  # first: building it may add words to the vocabulary
    t = _Text(tokens)
    scores: dict[Intent, tuple[float, _Phrase | None]] = {
        intent: _best(t, phrases) for intent, phrases in _INTENTS.items()
    }
    # Small talk opens a message ("hej, …", "tack!"); deeper in a sentence a word that looks
    # like a greeting is something else ("hällt" is not "hallå").
    opening = _Text(tokens[:_SMALL_TALK_WORDS])
    for intent in (Intent.GREETING, Intent.THANKS):
        scores[intent] = _best(opening, _INTENTS[intent])
    explained = _explained(t, index)
    if explained is not None:
        return Match(Intent.EXPLAIN, None, 1.0, guess, topic=explained)

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
    hurt = check.danger is Danger.POSSIBLE and check.signals != ("person",)
    if best_phrase is None or (hurt and best_intent in (Intent.GREETING, Intent.THANKS)):
        if hurt:
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
    # Plain words of harm in a text that also asks something: the answer starts with 112.
    danger = Danger.POSSIBLE.value if check.signals == ("harm",) else None
    # The ranking score includes cue bonuses; the reported score is the phrase's own quality.
    quality = _quality(t.score(best_phrase), best_phrase)
    return Match(best_intent, kind, quality, guess, danger)
