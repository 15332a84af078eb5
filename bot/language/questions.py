"""Understanding a resident's free-text question: which intent, and which kind of event.

Pure domain code: no Telegram, no storage. ``match_question`` turns whatever a resident types
(Swedish or English, typos, no punctuation, emojis, shouting) into a :class:`Match`.

How it works, in short:

* The text is case-folded and split into words, and accents are dropped (å/ä → a, ö → o): many
  residents type on keyboards or phones without Swedish letters. The phrases are data, one
  file per language (``locales/<lang>/questions.toml``, read by ``bot.language.phrasebook``), plus
  each
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
* Danger is looked for first (``bot.language.emergency``) and wins over everything: a missed
emergency is
  far worse than sending someone who asked an ordinary question to 112. A pasted text that looks
  like a scam comes next (``bot.language.scamcheck``).
* Internal commitments (``count_only``) are never returned as ``kind``. Questions about them are
  answered as ``about_promise`` without a kind, so no reply can hint at dates or plans.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field, replace
from enum import StrEnum

from bot.domain.promise import Commitment, Promise, per_promise
from bot.domain.voice import Reading
from bot.language.classifier import probabilities as classifier_probabilities
from bot.language.emergency import Danger, DangerCheck, assess
from bot.language.language_id import text_language
from bot.language.phrasebook import load_phrasebook
from bot.language.scamcheck import check_message, looks_pasted
from bot.language.textkit import (
    BoundedMemo,
    allowed_edits,
    fold,
    has_swedish_letters,
    similar,
    tokens,
)

__all__ = [
    "MAX_QUESTION_LENGTH",
    "NOT_TYPOS",
    "Intent",
    "Match",
    "PhraseSpec",
    "match_question",
    "public_event_kind",
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
    # A safety worry that is not an emergency (bullying, young people at risk, drugs, ...):
    # a calm answer with what the promise and the kommun offer.
    WORRY = "worry"
    # A question about a possible poisoning that is not acute: Giftinformationscentralen.
    POISON_QUESTION = "poison_question"
    UNKNOWN = "unknown"
    SUGGESTION = "suggestion"  # a theme or wish (bot.language.suggestions)
    # "How did the last promise go?": the final result of the kommun's previous promise.
    PREVIOUS_PROMISE = "previous_promise"
    UNSAFE_PLACE = "unsafe_place"  # a place that feels unsafe


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
    # For emergency and contact_police: which danger (bot.language.emergency.Danger value), if any.
    danger: str | None = None
    # For scam_check: the red flags found (bot.language.scamcheck categories).
    flags: tuple[str, ...] = ()
    # For explain: which commitment is asked about. Internal only — never shown or printed:
    # it may be a count_only commitment, whose answer says nothing but its plain explanation.
    topic: str | None = field(default=None, repr=False)
    # For emergency: the danger families that decided (bot.language.emergency), so the reply carries
    # only the lines that fit ("report it afterwards" only after a crime).
    signals: tuple[str, ...] = ()
    # For worry: what it is about (bot.domain.promise.WorryTopic value).
    worry: str | None = None
    # Unsure: up to three answers to offer as "Did you mean …?" buttons, each an intent (or
    # "past_crime") with its event kind or worry topic.
    alternatives: tuple[tuple[str, str | None], ...] = ()
    # How sure the understanding is (the learned classifier's probability for what decided,
    # 1.0 for an exact rule).
    confidence: float = 1.0
    # The classifier's answers for the text with their probabilities, most likely first.
    shares: tuple[tuple[str, float], ...] = field(default=(), repr=False)
    # Decided by the classifier alone (no rule of the phrase or danger tables).
    learned: bool = False
    # The bot language the text is clearly written in (bot.language.language_id), or None:
    # what it is answered in, so nothing after the matcher reads the text for it again.
    written: str | None = None
    # For suggestion and unsafe_place: what the text suggests; for another text that is not
    # danger, what it would be as a wish if its writer chose to send it (bot.language.suggestions).
    suggestion: Reading | None = None


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
    Intent.PREVIOUS_PROMISE,
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


# Built phrase tables for the few promises a process ever sees.
_index = per_promise(_build_index)


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


def forget() -> None:
    """Empty the memo of understood questions (for benchmarks and retrained models)."""
    _MATCH_CACHE.clear()


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
    written = text_language(text)
    return replace(_meaning(text, promise, locale, written), written=written)


def _meaning(text: str, promise: Promise, locale: str, written: str | None) -> Match:
    tokens = _tokens(text[:MAX_QUESTION_LENGTH])
    guess = written or _locale_guess(text, tokens, locale)
    check = assess(text)
    if check.urgent and not check.weak and not set(check.signals) <= {"plea"}:
        # Danger the rules read from more than lone words, and not a plea alone (which may
        # be a scam's hurry): 112 first whatever the scam check says, so it is not asked, nor
        # the classifier unless for the kind of an emergency (the same answer as below).
        danger = check.danger.value
        if danger == Danger.EMERGENCY:
            kind = _learned(text).danger_kind
            if kind in _FINER:  # the rules saw danger; the model tells what kind
                danger = kind
        return Match(Intent.EMERGENCY, None, 1.0, guess, danger, signals=check.signals)
    pasted = looks_pasted(text)
    learned = _learned(text)

    # Danger first, from the rules (bot/language/emergency.py) or the classifier, and neither lowers
    # the other's verdict — except that "akut" inside a pasted scam text is the scammer's
    # hurry, not the resident's.
    if check.urgent and check.weak and learned.danger < WEAK_CONFIRM:
        # Lone alarming words the classifier does not read as danger ("min son sköt ett grymt
        # mål"): unsure, so the reply opens with the safety line.
        check = DangerCheck(Danger.POSSIBLE, check.signals)
    if check.urgent and not (pasted is not None and set(check.signals) <= {"plea"}):
        danger = check.danger.value
        if danger == Danger.EMERGENCY and learned.danger_kind in _FINER:
            # The rules saw danger; the model tells what kind ("I took all my pills").
            danger = learned.danger_kind
        return Match(Intent.EMERGENCY, None, 1.0, guess, danger, signals=check.signals)
    danger_sure = DANGER_SURE_IN.get(guess or "", DANGER_SURE)
    if learned.danger >= danger_sure and pasted is None and _danger_leads(learned):
        return Match(
            Intent.EMERGENCY,
            None,
            1.0,
            guess,
            learned.danger_kind,
            confidence=round(learned.danger, 3),
            shares=learned.ranked,
            learned=True,
        )
    # A scam check of a text that may also be about danger opens with the safety line.
    hurt = check.danger is Danger.POSSIBLE and check.signals != ("person",)
    unsure = Danger.POSSIBLE.value if hurt or learned.danger >= DANGER_UNSURE else None
    if pasted is not None:
        return Match(Intent.SCAM_CHECK, None, 1.0, guess, unsure, flags=pasted.flags)
    if (
        learned.label == "scam"
        and learned.p >= SURE
        and len(tokens) >= SCAM_MIN_WORDS
        and (flags := check_message(text).flags)
    ):
        return Match(Intent.SCAM_CHECK, None, 1.0, guess, unsure, flags=flags, confidence=learned.p)
    if check.danger is Danger.PAST_CRIME:
        return Match(Intent.CONTACT_POLICE, None, 1.0, guess, check.danger.value)
    if not tokens or len(text) > MAX_QUESTION_LENGTH:
        return Match(Intent.UNKNOWN, None, 0.0, guess)
    by_rules, kind_hint = _by_phrases(text, tokens, guess, check, promise)
    return replace(_combine(by_rules, kind_hint, learned, check, guess), shares=learned.ranked)


def _by_phrases(
    text: str, tokens: list[str], guess: str | None, check: DangerCheck, promise: Promise
) -> tuple[Match, str | None]:
    """What the phrase tables understand, and the public event kind the text names (for an
    answer the classifier decides)."""
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
        return Match(Intent.EXPLAIN, None, 1.0, guess, topic=explained), None

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
    # The public event kind the text names, for an answer the classifier decides.
    hint = kind if kind is not None and public_event_kind(promise, kind) else None
    hurt = check.danger is Danger.POSSIBLE and check.signals != ("person",)
    if best_phrase is None or (hurt and best_intent in (Intent.GREETING, Intent.THANKS)):
        # Not understood. Words about someone hurt, scared or in a risky place (or a sentence
        # about people) make it unsure about danger: the reply opens with the safety line.
        danger = check.danger.value if check.danger is Danger.POSSIBLE else None
        return Match(Intent.UNKNOWN, None, 0.0, guess, danger), hint
    if best_intent is not Intent.NEXT_EVENT or best_phrase is not kind_phrase:
        kind = None
    # Defence in depth: whatever the tables say, only a public event kind leaves this module.
    if kind is not None and not public_event_kind(promise, kind):
        kind = None
    # Plain words of harm in a text that also asks something: the answer starts with 112.
    danger = Danger.POSSIBLE.value if check.signals == ("harm",) else None
    # The ranking score includes cue bonuses; the reported score is the phrase's own quality.
    quality = _quality(t.score(best_phrase), best_phrase)
    return Match(best_intent, kind, quality, guess, danger), hint


def public_event_kind(promise: Promise, kind: str) -> bool:
    """Whether ``kind`` is a public commitment with resident events (the only kinds a
    resident's answer may name)."""
    commitment = promise.get(kind)
    return commitment is not None and _may_be_kind(commitment)


# --- Rules and the learned classifier together -------------------------------------------------
#
# The classifier (bot/language/classifier.py) is trained on every labelled example of every
# language;
# its labels are grouped here into what the bot can do. Thresholds are chosen on the
# development part (``python -m tests.scores`` prints the figures per language).

DANGER_LABELS = ("emergency", "suicide", "close_violence", "overdose")
# A danger this likely is answered as danger; from DANGER_UNSURE on, the reply opens with the
# safety line, and from DANGER_OFFER on, "Someone is in danger now" is the first button.
DANGER_SURE = 0.35
DANGER_UNSURE = 0.15
DANGER_OFFER = 0.12
# In Swedish and English the rules read danger well and the classifier, trained on their many
# older danger examples, reads it too readily: its verdict alone needs more there.
DANGER_SURE_IN = {"sv": 0.5, "en": 0.5}
# The classifier's danger verdict also needs danger to be its most likely reading.
DANGER_TOP = True
# The rules' danger from lone alarming words stands when the classifier gives danger this much.
WEAK_CONFIRM = 0.3
# The classifier decides an answer the phrase tables did not find from this probability, and
# this lead over the next answer; below them, the bot asks instead of guessing.
SURE = 0.25
LEAD = 0.05
# Where the tables found an answer and the classifier is this sure of another, the bot asks.
DISAGREE = 0.8
# An answer is offered as "Did you mean …?" from this probability.
OFFER = 0.12
# A pasted scam is a message, not a question: at least this many words.
SCAM_MIN_WORDS = 6
_FINER = frozenset({"suicide", "close_violence", "overdose"})

# Labels the classifier gives → the answer (harmless and other are no answer of their own).
_ANSWERS: dict[str, Intent] = {
    "next_event": Intent.NEXT_EVENT,
    "events_list": Intent.EVENTS_LIST,
    "about_promise": Intent.ABOUT_PROMISE,
    "progress": Intent.PROGRESS,
    "contact_police": Intent.CONTACT_POLICE,
    "fraud_help": Intent.FRAUD_HELP,
    "subscribe_tips": Intent.SUBSCRIBE_TIPS,
    "stop_tips": Intent.STOP_TIPS,
    "trygghetscenter": Intent.TRYGGHETSCENTER,
    "tip_off": Intent.TIP_OFF,
    "explain": Intent.EXPLAIN,
    "greeting": Intent.GREETING,
    "thanks": Intent.THANKS,
    "worry": Intent.WORRY,
    "poison_question": Intent.POISON_QUESTION,
    "past_crime": Intent.CONTACT_POLICE,
    "scam": Intent.SCAM_CHECK,
}
_ABOUT_A_PROMISE = frozenset({Intent.PROGRESS, Intent.ABOUT_PROMISE})
# Answers never offered as a button: small talk, and "explain" (it needs to know what).
_NOT_OFFERED = frozenset({Intent.GREETING, Intent.THANKS, Intent.EXPLAIN})
# Answers only the classifier knows: when it is sure of one, the tables' match gives way.
_NEW_TO_RULES = frozenset({Intent.WORRY, Intent.POISON_QUESTION})


@dataclass(frozen=True)
class _Learned:
    """The classifier's view of a text, grouped: the most likely answer and its probability,
    the probability of danger now (all danger labels together) and its most likely kind."""

    label: str
    p: float
    danger: float
    danger_kind: str
    worry: str | None  # the most likely worry topic
    ranked: tuple[tuple[str, float], ...]  # grouped labels, most likely first

    @property
    def lead(self) -> float:
        """How far the most likely answer is ahead of the next."""
        second = self.ranked[1][1] if len(self.ranked) > 1 else 0.0
        return self.p - second


def _learned(text: str) -> _Learned:
    # Longer texts are not questions (pasted articles, spam): the rules alone read them.
    probabilities = classifier_probabilities(text) if len(text) <= MAX_QUESTION_LENGTH else {}
    grouped: dict[str, float] = {}
    worry: tuple[float, str | None] = (0.0, None)
    for label, p in probabilities.items():
        base, _sep, topic = label.partition(":")
        grouped[base] = grouped.get(base, 0.0) + p
        if base == "worry" and p > worry[0]:
            worry = (p, topic or None)
    danger = sum(grouped.get(label, 0.0) for label in DANGER_LABELS)
    danger_kind = max(DANGER_LABELS, key=lambda label: grouped.get(label, 0.0))
    ranked = tuple(sorted(grouped.items(), key=lambda item: -item[1]))
    label, p = ranked[0] if ranked else ("other", 0.0)
    return _Learned(label, p, danger, danger_kind, worry[1], ranked)


def _danger_leads(learned: _Learned) -> bool:
    """Danger, all kinds together, is the most likely reading of the text."""
    return not DANGER_TOP or all(
        p <= learned.danger for label, p in learned.ranked if label not in DANGER_LABELS
    )


def _offer(
    learned: _Learned, first: tuple[tuple[str, str | None], ...]
) -> tuple[tuple[str, str | None], ...]:
    """Up to three answers to offer: ``first``, then the classifier's likely ones."""
    offered = [o for o in first if Intent(o[0]) not in _NOT_OFFERED]
    for label, p in learned.ranked:
        intent = _ANSWERS.get(label)
        if p < OFFER or intent is None or intent in _NOT_OFFERED:
            continue
        option: tuple[str, str | None] = (
            "past_crime" if label == "past_crime" else intent.value,
            None,
        )
        if intent is Intent.WORRY:
            option = (intent.value, learned.worry)
        if option[0] not in {o[0] for o in offered}:
            offered.append(option)
    return tuple(offered[:3])


def _combine(
    by_rules: Match,
    kind_hint: str | None,
    learned: _Learned,
    check: DangerCheck,
    guess: str | None,
) -> Match:
    """The phrase tables' answer and the classifier's, together: agree → answer; only one
    sure → its answer; unsure or at odds → ask. Whenever danger is not ruled out, the reply
    opens with the safety line (``danger = possible``)."""
    # A sentence about people alone ("min son …") does not put the safety line before an
    # answer that was understood; words of harm or the classifier's doubt do.
    hurt = check.danger is Danger.POSSIBLE and check.signals != ("person",)
    unsure_danger = learned.danger >= DANGER_UNSURE or hurt
    possible = Danger.POSSIBLE.value if unsure_danger else None
    danger_first: tuple[tuple[str, str | None], ...] = (
        ((Intent.EMERGENCY.value, None),) if learned.danger >= DANGER_OFFER else ()
    )
    intent = _ANSWERS.get(learned.label)
    sure = intent is not None and learned.p >= SURE and learned.lead >= LEAD
    small_talk = (Intent.GREETING, Intent.THANKS)
    if sure and (
        (intent in _NEW_TO_RULES and by_rules.intent is not Intent.STOP_TIPS)
        or (by_rules.intent in small_talk and intent not in small_talk)
    ):
        # The tables know nothing of worries or poisoning questions: the words they matched
        # ("säljer knark", "polisen") are a worry's words. And a greeting found in a text the
        # classifier reads as something else was a look-alike word ("en halua" is no "hallå").
        by_rules = Match(Intent.UNKNOWN, None, 0.0, guess)
    if by_rules.intent is not Intent.UNKNOWN:
        if unsure_danger and by_rules.intent in small_talk:
            return replace(
                by_rules,
                intent=Intent.UNKNOWN,
                danger=Danger.POSSIBLE.value,
                alternatives=_offer(learned, danger_first),
            )
        at_odds = (
            sure
            and intent is not by_rules.intent
            and intent not in _NOT_OFFERED
            and intent is not Intent.SCAM_CHECK
            and learned.p >= DISAGREE
            # The classifier knows no earlier promise: its "how is it going" or "what is the
            # promise" is the same question about the earlier one.
            and not (by_rules.intent is Intent.PREVIOUS_PROMISE and intent in _ABOUT_A_PROMISE)
        )
        if not at_odds:
            return replace(by_rules, danger=by_rules.danger or possible)
        first = (*danger_first, (by_rules.intent.value, by_rules.kind))
        return Match(
            Intent.UNKNOWN,
            None,
            0.0,
            guess,
            Danger.POSSIBLE.value,
            alternatives=_offer(learned, first),
            confidence=round(learned.p, 3),
        )
    if sure and intent is not None:
        if intent is Intent.SCAM_CHECK:
            intent = Intent.FRAUD_HELP  # a short text about a scam asks for help
        if intent is Intent.EXPLAIN:
            intent = Intent.ABOUT_PROMISE  # the tables did not find what is to be explained
        kind = kind_hint if intent is Intent.NEXT_EVENT else None
        danger = Danger.PAST_CRIME.value if learned.label == "past_crime" else possible
        worry = learned.worry if intent is Intent.WORRY else None
        return Match(
            intent,
            kind,
            round(learned.p, 3),
            guess,
            danger,
            worry=worry,
            confidence=round(learned.p, 3),
            learned=True,
        )
    return replace(
        by_rules,
        danger=Danger.POSSIBLE.value,
        alternatives=_offer(learned, danger_first),
        confidence=round(learned.p, 3),
    )
