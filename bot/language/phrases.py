"""Phrases: the small syntax a translator writes language data in, compiled to regular
expressions over folded words.

A message is read as its folded words (``bot.language.textkit.tokens``: lower case, accents dropped,
apostrophes gone, everything that is not a letter or a digit splits words) joined by single
spaces. A phrase describes a run of such words; it is written as a person would write the
words, and the loader folds it the same way (so ``hjälp`` and ``hjalp`` are the same).

The syntax, all of it:

==================  ==========================================================================
``brinner``         the whole word, nothing more (``brinner`` matches "brinner", not
                    "brinnerx"); a phrase is words separated by spaces, in that order
``brinn*``          a stem with any ending (or none): "brinn", "brinner", "brinnande";
                    ``*`` may also start a word (``*svimm*``: any word containing "svimm")
``(kniv|pistol)``   one of the alternatives; an alternative may be several words
                    (``(slog|har slagit) mig``)
``[inte]``          an optional part: ``svarar [inte] nu``; ``[a|b]`` is one of them or none
``folj(er|de)``     a group written against letters is part of the word: "foljer", "foljde";
``neighbo[u]r``     likewise an optional letter or ending: "neighbor", "neighbour"
``...``             a gap of up to 3 words (none, one, two or three)
``..N``             a gap of up to N words (``..5``); ``..*`` any number of words
``_``               exactly one word, any word
``#``               a number (digits): ``# aring`` is "5 aring", ``#aring`` is "5aring"
``!(a|b*)``         the next word does not start like this: ``slar !(sonder|upp*) _`` is
                    "slar" and any word but "sonder" or one beginning with "upp"
==================  ==========================================================================

Nothing else: backslashes, ``?``, ``+``, ``{m,n}``, ``.`` on its own, ``^``, ``$``, character
classes are regular-expression syntax and an error (``PhraseError``), which names the file,
the line, the phrase and the reason.

Per language, at the top of a phrase file:

* ``prefixes = ["و", "ال", ...]`` — letters that may be glued to the front of any word of the
  language's phrases without being written (Arabic "و" and, "ال" the);
* ``clitics = ["kin", "kaan", ...]`` — endings that may be glued to any whole word
  (Finnish "-kin", "-kaan", "-han", "-ko"). A stem (``word*``) already takes any ending.

Each phrase compiles to a regular expression without word edges; ``compile_family`` joins the
phrases of a family into one alternation with word edges, so a text is searched once per
family (as fast as hand-written regular expressions). Pure: no Telegram, no I/O except
``load_phrase_file``.
"""

from __future__ import annotations

import re
import tomllib
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from pathlib import Path

from bot.language.textkit import fold

__all__ = [
    "CompiledPhrase",
    "FamilyIndex",
    "PhraseError",
    "PhraseFile",
    "compile_family",
    "compile_phrase",
    "compile_unindexed",
    "load_phrase_file",
]

DEFAULT_GAP = 3


class PhraseError(ValueError):
    """A phrase that is not phrase syntax; the message says where and why."""

    def __init__(self, phrase: str, reason: str, where: str = "") -> None:
        self.phrase = phrase
        self.reason = reason
        self.where = where
        prefix = f"{where}: " if where else ""
        super().__init__(f"{prefix}phrase {phrase!r}: {reason}")


@dataclass(frozen=True)
class CompiledPhrase:
    text: str
    source: str  # the regular expression, without word edges
    words: tuple[str, ...]  # whole words it spells out (no stems), for typo tolerance
    # What some word of every match starts with (one of these), or None when that cannot be
    # told ("*svimm*"): ``FamilyIndex`` skips a family none of whose phrases can match a text.
    starts: frozenset[str] | None = None
    # Where that cannot be told: letters some word of every match contains ("svimm" of
    # "*svimm*"), or None. ``FamilyIndex`` reads these too.
    contains: str | None = None


# ---------------------------------------------------------------------------- the syntax tree


@dataclass
class _Text:
    text: str


@dataclass
class _Star:
    pass


@dataclass
class _Digits:
    pass


@dataclass
class _Group:
    alternatives: list[list[_Word]]
    optional: bool


_Piece = _Text | _Star | _Digits | _Group


@dataclass
class _Word:
    pieces: list[_Piece] = field(default_factory=list)
    gap: int | None = None  # a gap of up to ``gap`` words (-1: any number)
    any_word: bool = False
    negated: _Group | None = None  # "!(…)": the next word does not start like this


_WORD_CHARS_EXTRA = "'’"
_REASONS = {
    "\\": "a backslash is regular-expression syntax; write the word itself, 'stem*' for any "
    "ending, '#' for a number, '_' for any one word",
    "?": "'?' is regular-expression syntax; write an optional part in [brackets]",
    "+": "'+' is regular-expression syntax; write the word, or 'stem*' for any ending",
    "{": "counts are regular-expression syntax; write a gap as '..N' (up to N words)",
    "}": "counts are regular-expression syntax; write a gap as '..N' (up to N words)",
    "^": "'^' is regular-expression syntax; a phrase may match anywhere in a text",
    "$": "'$' is regular-expression syntax; a phrase may match anywhere in a text",
}


class _Parser:
    def __init__(self, phrase: str) -> None:
        self.phrase = phrase
        self.text = phrase
        self.pos = 0

    def fail(self, reason: str) -> PhraseError:
        return PhraseError(self.phrase, f"{reason} (at character {self.pos + 1})")

    def peek(self) -> str:
        return self.text[self.pos] if self.pos < len(self.text) else ""

    def parse(self) -> list[_Word]:
        seq = self.sequence(closing="")
        if self.pos < len(self.text):
            raise self.fail(f"unexpected {self.peek()!r}")
        return seq

    def sequence(self, closing: str) -> list[_Word]:
        """Words separated by spaces, up to ``|`` or the closing bracket (not consumed)."""
        words: list[_Word] = []
        while True:
            while self.peek() == " ":
                self.pos += 1
            ch = self.peek()
            if ch == "" or ch == "|" or ch in ")]":
                if ch and ch != closing and ch in ")]":
                    raise self.fail(f"{ch!r} without its opening bracket")
                return words
            words.append(self.word())

    def word(self) -> _Word:
        ch = self.peek()
        if ch == ".":
            return self.gap()
        if ch == "_":
            self.pos += 1
            self.end_of_word("'_' stands for a whole word")
            return _Word(any_word=True)
        if ch == "!":
            self.pos += 1
            if self.peek() != "(":
                raise self.fail("'!' must be followed by a group in round brackets: !(a|b)")
            group = self.group()
            if group.optional:
                raise self.fail("'!' takes a group in round brackets")
            self.end_of_word("'!(…)' stands before a word, with a space")
            return _Word(negated=group)
        pieces: list[_Piece] = []
        while True:
            ch = self.peek()
            if ch == "" or ch in " |)]":
                break
            if ch.isalnum() or ch in _WORD_CHARS_EXTRA:
                start = self.pos
                while self.peek() and (self.peek().isalnum() or self.peek() in _WORD_CHARS_EXTRA):
                    self.pos += 1
                chunk = fold(self.text[start : self.pos])
                chunk = "".join(c for c in chunk if c not in _WORD_CHARS_EXTRA)
                if chunk:
                    pieces.append(_Text(chunk))
            elif ch == "*":
                self.pos += 1
                if pieces and isinstance(pieces[-1], _Star):
                    raise self.fail("'**': one '*' is any ending already")
                pieces.append(_Star())
            elif ch == "#":
                self.pos += 1
                pieces.append(_Digits())
            elif ch in "([":
                pieces.append(self.group())
            elif ch == "_":
                raise self.fail("'_' (any one word) must stand alone, between spaces")
            elif ch == ".":
                raise self.fail("a gap ('...' or '..N') must stand alone, between spaces")
            elif ch == "!":
                raise self.fail("'!(…)' must stand alone, before a word")
            elif ch in _REASONS:
                raise self.fail(_REASONS[ch])
            else:
                raise self.fail(f"{ch!r} is not phrase syntax (letters, digits, * # _ ( | ) [ ])")
        if not pieces:
            raise self.fail("empty word")
        if all(isinstance(p, _Star) for p in pieces):
            raise self.fail("'*' alone matches any word: write '_' for that")
        return _Word(pieces=pieces)

    def end_of_word(self, what: str) -> None:
        if self.peek() not in ("", " ", "|", ")", "]"):
            raise self.fail(f"{what}; it cannot be glued to letters")

    def gap(self) -> _Word:
        if self.text.startswith("...", self.pos):
            self.pos += 3
            self.end_of_word("'...' is a gap of up to 3 words")
            return _Word(gap=DEFAULT_GAP)
        if not self.text.startswith("..", self.pos):
            raise self.fail("'.' is not phrase syntax: a gap is '...' or '..N'")
        self.pos += 2
        if self.peek() == "*":
            self.pos += 1
            self.end_of_word("'..*' is a gap of any number of words")
            return _Word(gap=-1)
        start = self.pos
        while self.peek().isdigit() and self.peek().isascii():
            self.pos += 1
        if start == self.pos:
            raise self.fail("a gap is '...' (up to 3 words), '..N' (up to N) or '..*'")
        n = int(self.text[start : self.pos])
        if not 1 <= n <= 50:
            raise self.fail("a gap '..N' needs N between 1 and 50 (or '..*' for any number)")
        self.end_of_word("'..N' is a gap of up to N words")
        return _Word(gap=n)

    def group(self) -> _Group:
        opening = self.peek()
        closing = ")" if opening == "(" else "]"
        self.pos += 1
        alternatives: list[list[_Word]] = []
        while True:
            seq = self.sequence(closing)
            if not seq:
                raise self.fail(
                    "empty alternative: every alternative needs a word (write an optional "
                    "part in [brackets])"
                )
            alternatives.append(seq)
            ch = self.peek()
            if ch == "|":
                self.pos += 1
                continue
            if ch == closing:
                self.pos += 1
                return _Group(alternatives, optional=opening == "[")
            raise self.fail(f"{opening!r} is not closed")


# ----------------------------------------------------------------------------- the compiler


def _escape(text: str) -> str:
    return re.escape(text)


class _Compiler:
    def __init__(self, phrase: str, prefixes: Sequence[str], clitics: Sequence[str]) -> None:
        self.phrase = phrase
        self.prefix = _optional_alternation(prefixes)
        self.clitic = _optional_alternation(clitics)

    def fail(self, reason: str) -> PhraseError:
        return PhraseError(self.phrase, reason)

    def sequence(self, words: list[_Word], affixes: bool) -> tuple[str, bool]:
        """The regular expression of words joined by single spaces, and whether it may match
        nothing at all."""
        parts: list[tuple[str, bool, int | None]] = []  # (regex, may vanish, gap)
        pending_not = ""
        for word in words:
            if word.negated is not None:
                if pending_not:
                    raise self.fail("two '!(…)' in a row; put the alternatives in one")
                inner = "|".join(self.sequence(alt, False)[0] for alt in word.negated.alternatives)
                pending_not = rf"(?!(?:{inner})(?!\w))"
                continue
            regex, vanish = self.word(word, affixes)
            if pending_not:
                if vanish:
                    raise self.fail("'!(…)' must be followed by a word that is always there")
                regex = pending_not + regex
                pending_not = ""
            parts.append((regex, vanish, word.gap))
        if pending_not:
            raise self.fail("'!(…)' must be followed by a word")
        required = [i for i, (_, vanish, _) in enumerate(parts) if not vanish]
        if not required:
            return "".join(f"(?:{r} )?" for r, _, _ in parts), True
        first = required[0]
        out = []
        for i, (regex, vanish, gap) in enumerate(parts):
            if i < first:
                out.append(_gap_before(gap) if gap is not None else f"(?:{regex} )?")
            elif i == first:
                out.append(regex)
            elif gap is not None:
                out.append(_gap_after(gap))
            elif vanish:
                out.append(f"(?: {regex})?")
            else:
                out.append(f" {regex}")
        return "".join(out), False

    def word(self, word: _Word, affixes: bool) -> tuple[str, bool]:
        if word.gap is not None:
            return "", True
        if word.any_word:
            return r"\w+", False
        pieces = word.pieces
        if len(pieces) == 1 and isinstance(pieces[0], _Group):
            # A group standing as a word (or words): its alternatives are words themselves.
            group = pieces[0]
            regex, _ = self.alternation(group, affixes)
            return regex, group.optional
        out = []
        for piece in pieces:
            if isinstance(piece, _Text):
                out.append(_escape(piece.text))
            elif isinstance(piece, _Star):
                out.append(r"\w*")
            elif isinstance(piece, _Digits):
                out.append(r"\d+")
            else:
                regex, _ = self.alternation(piece, False)
                out.append(f"{regex}?" if piece.optional else regex)
        body = "".join(out)
        if affixes:
            if self.prefix and not isinstance(pieces[0], _Star):
                body = self.prefix + body
            if self.clitic and not isinstance(pieces[-1], _Star):
                body += self.clitic
        return body, False

    def alternation(self, group: _Group, affixes: bool) -> tuple[str, bool]:
        alts = []
        for alt in group.alternatives:
            regex, empty = self.sequence(alt, affixes)
            if empty:
                raise self.fail("an alternative that may match nothing; make the group optional")
            alts.append(regex)
        return f"(?:{'|'.join(alts)})", False


def _gap_after(gap: int) -> str:
    return r"(?: \w+)*" if gap < 0 else rf"(?: \w+){{0,{gap}}}"


def _gap_before(gap: int) -> str:
    return r"(?:\w+ )*" if gap < 0 else rf"(?:\w+ ){{0,{gap}}}"


def _optional_alternation(items: Sequence[str]) -> str:
    folded = sorted({fold(i) for i in items if i}, key=lambda s: (-len(s), s))
    if not folded:
        return ""
    return "(?:" + "|".join(_escape(i) for i in folded) + ")?"


def _literal_words(words: list[_Word]) -> list[str]:
    found: list[str] = []
    for word in words:
        if word.pieces and all(isinstance(p, _Text) for p in word.pieces):
            found.append("".join(p.text for p in word.pieces if isinstance(p, _Text)))
        elif len(word.pieces) == 1 and isinstance(word.pieces[0], _Group):
            for alt in word.pieces[0].alternatives:
                found.extend(_literal_words(alt))
    return found


def compile_phrase(
    phrase: str, prefixes: Sequence[str] = (), clitics: Sequence[str] = ()
) -> CompiledPhrase:
    """One phrase as a regular expression over folded words (no word edges: see
    ``compile_family``). Raises ``PhraseError`` when ``phrase`` is not phrase syntax."""
    if not isinstance(phrase, str):
        raise PhraseError(str(phrase), "a phrase is a string")
    if "\t" in phrase or "\n" in phrase:
        raise PhraseError(phrase, "words are separated by single spaces, not tabs or lines")
    words = _Parser(phrase).parse()
    if not words:
        raise PhraseError(phrase, "empty phrase")
    source, empty = _Compiler(phrase, prefixes, clitics).sequence(words, True)
    if empty:
        raise PhraseError(phrase, "the phrase may match nothing; it needs a word that is there")
    try:
        re.compile(source)
    except re.error as exc:  # a bug here, never the translator's
        raise PhraseError(phrase, f"does not compile ({exc})") from exc
    starts = _starts(words)
    contains = _contains(words) if starts is None else None
    return CompiledPhrase(phrase, source, tuple(_literal_words(words)), starts, contains)


def _starts(words: Sequence[_Word]) -> frozenset[str] | None:
    """Letters that some word of every match begins with (a necessary condition, never a
    sufficient one): of the words every match must have, the one whose beginnings are the
    longest (the rarest); None when no word is required in a way that can be told."""
    best: frozenset[str] | None = None
    for word in words:
        got = _word_starts(word)
        if got is not None and (best is None or min(map(len, got)) > min(map(len, best))):
            best = got
    return best


def _contains(words: Sequence[_Word]) -> str | None:
    """The longest run of letters written in a word every match has (a star, a number or a
    group may stand around it: "*svimm*", "#aring"), or None."""
    best: str | None = None
    for word in words:
        if word.gap is not None or word.any_word or word.negated is not None:
            continue
        if len(word.pieces) == 1 and isinstance(word.pieces[0], _Group):
            continue  # a group standing as words: each alternative is its own
        for piece in word.pieces:
            if isinstance(piece, _Text) and (best is None or len(piece.text) > len(best)):
                best = piece.text
    return best


def _word_starts(word: _Word) -> frozenset[str] | None:
    """What a required word begins with, or None (any word, a gap, an optional word)."""
    if word.gap is not None or word.any_word or word.negated is not None or not word.pieces:
        return None
    piece = word.pieces[0]
    if isinstance(piece, _Text):
        return frozenset({piece.text}) if piece.text else None
    if not isinstance(piece, _Group) or piece.optional:
        return None  # a star or a number first, or an optional part
    found: set[str] = set()
    for alternative in piece.alternatives:
        # Each alternative is a run of words: it must start with its first word's beginning.
        got = _word_starts(alternative[0]) if alternative else None
        if got is None:
            return None
        found |= got
    return frozenset(found) if all(found) else None


class FamilyIndex:
    """Which families can match a text at all, from the first letters of its words: a text is
    then searched only with those families' patterns (most texts touch few of them)."""

    # Letters that Arabic glues to the front of a word ("و" and, "ال" the): a word is also
    # looked up without up to three of them.
    _GLUED = frozenset("وفبلاك")

    def __init__(self, families: Mapping[str, Sequence[CompiledPhrase]]) -> None:
        self.always = frozenset(
            name for name, phrases in families.items() if any(p.starts is None for p in phrases)
        )
        # Beginnings by their first three letters (or fewer, for a shorter beginning): a word
        # is looked up three times, then checked against the few beginnings found. The
        # phrases of an ``always`` family are indexed too, for ``indexed``, and so are the
        # letters a word of a phrase without a known beginning contains.
        self.by_head: dict[str, list[tuple[str, str]]] = {}
        self.inside: list[tuple[str, str]] = []
        for name, phrases in families.items():
            for phrase in phrases:
                for start in phrase.starts or ():
                    self.by_head.setdefault(start[:_HEAD], []).append((start, name))
                if phrase.contains is not None:
                    self.inside.append((phrase.contains, name))
        self._by_word: dict[str, frozenset[str]] = {}

    def candidates(self, words: Iterable[str]) -> set[str]:
        """The families that can match a text of ``words``."""
        return self.indexed(words) | self.always

    def indexed(self, words: Iterable[str]) -> set[str]:
        """The families an indexed phrase of which (one with a known beginning, or known
        letters inside) can match: any other family can match ``words`` only through its
        phrases with neither (``compile_unindexed``), a far smaller pattern to search than
        the whole family's, or not at all."""
        found: set[str] = set()
        memo = self._by_word
        for word in words:
            names = memo.get(word)
            if names is None:
                names = self._word_families(word)
                if len(memo) >= _WORD_MEMO:
                    memo.clear()
                memo[word] = names
            if names:
                found |= names
        return found

    def _word_families(self, word: str) -> frozenset[str]:
        """The families some phrase of which can have ``word`` in a match. Worked
        out once per word (residents reuse words; the loops over a word's beginnings cost
        more than the rest of the lookup)."""
        found: set[str] = set()
        by_head = self.by_head
        forms = [word]
        for cut in range(1, 4):
            if len(word) > cut and word[cut - 1] in self._GLUED:
                forms.append(word[cut:])
            else:
                break
        for form in forms:
            for k in range(1, min(len(form), _HEAD) + 1):
                for start, name in by_head.get(form[:k], ()):
                    if name not in found and form.startswith(start):
                        found.add(name)
        for inside, name in self.inside:
            if name not in found and inside in word:
                found.add(name)
        return frozenset(found)


_HEAD = 3
# Words whose families are remembered, per index (emptied when full).
_WORD_MEMO = 50_000


def compile_unindexed(
    phrases: Iterable[CompiledPhrase], at_start: bool = False
) -> tuple[re.Pattern[str], ...]:
    """``compile_family`` of the phrases ``FamilyIndex`` cannot index (no known beginning, no
    known letters inside).
    Where no indexed phrase of a family can match a text (``FamilyIndex.indexed``), these
    match exactly where the whole family's pattern does: the others match nowhere in it."""
    return compile_family(
        (p.source for p in phrases if p.starts is None and p.contains is None), at_start
    )


def compile_family(sources: Iterable[str], at_start: bool = False) -> tuple[re.Pattern[str], ...]:
    """One alternation of whole-word matches per family: a message is searched once per
    family, not once per phrase. Empty when the family has no phrase. ``at_start``: the
    phrases match only at the start of the text."""
    alternatives = "|".join(f"(?:{s})" for s in sources)
    if not alternatives:
        return ()
    edge = "^" if at_start else r"(?<!\w)"
    return (re.compile(rf"{edge}(?:{alternatives})(?!\w)"),)


# ---------------------------------------------------------------------------------- files


@dataclass(frozen=True)
class PhraseFile:
    path: Path
    language: str
    prefixes: tuple[str, ...]
    clitics: tuple[str, ...]
    families: dict[str, tuple[CompiledPhrase, ...]]
    examples: dict[str, tuple[str, ...]]
    data: Mapping[str, object]  # the whole file, for a module's own keys
    tables: dict[str, tuple[str, ...]]  # table → its families, in the file's order


def _line_of(text: str, phrase: str) -> int:
    needle = phrase.replace("\\", "\\\\").replace('"', '\\"')
    for number, line in enumerate(text.splitlines(), 1):
        if needle in line or phrase in line:
            return number
    return 0


def _strings(value: object, what: str, where: str) -> tuple[str, ...]:
    if not isinstance(value, list) or not all(isinstance(v, str) for v in value):
        raise PhraseError(str(value)[:60], f"{what} must be a list of strings", where)
    return tuple(value)


def load_phrase_file(path: Path, tables: Sequence[str] = ("families",)) -> PhraseFile:
    """A phrase file (``locales/<lang>/<name>.toml``): ``prefixes`` and ``clitics`` at the
    top, tables (``[families]``, say) of family → phrases and ``[examples]`` of family →
    example texts (every family named there must exist).
    Raises ``PhraseError`` naming the file and line of the first phrase that is wrong."""
    text = path.read_text(encoding="utf-8")
    data = tomllib.loads(text)
    where = str(path)
    prefixes = _strings(data.get("prefixes", []), "prefixes", where)
    clitics = _strings(data.get("clitics", []), "clitics", where)
    families: dict[str, tuple[CompiledPhrase, ...]] = {}
    table_families: dict[str, tuple[str, ...]] = {}
    for table in tables:
        raw_families = data.get(table, {})
        if not isinstance(raw_families, dict):
            raise PhraseError(table, f"[{table}] must be a table", where)
        table_families[table] = tuple(raw_families)
        for family, phrases in raw_families.items():
            compiled = []
            for phrase in _strings(phrases, f"[{table}] {family}", where):
                try:
                    compiled.append(compile_phrase(phrase, prefixes, clitics))
                except PhraseError as exc:
                    line = _line_of(text, phrase)
                    at = f"{where}:{line}" if line else where
                    raise PhraseError(phrase, exc.reason, f"{at} ({family})") from None
            families[family] = tuple(compiled)
    raw_examples = data.get("examples", {})
    if not isinstance(raw_examples, dict):
        raise PhraseError("examples", "[examples] must be a table", where)
    examples = {
        family: _strings(texts, f"[examples] {family}", where)
        for family, texts in raw_examples.items()
    }
    for family in examples:
        if family not in families:
            raise PhraseError(family, "examples for a family the file does not have", where)
    return PhraseFile(
        path, path.parent.name, prefixes, clitics, families, examples, data, table_families
    )
