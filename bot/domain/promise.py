"""The promise (medborgarlöfte) as data: pydantic models loaded from TOML.

The promise file is the only place that knows which commitments exist, their targets,
cadences, owners and how visible they are to residents. Everything else reads it from here.
"""

from __future__ import annotations

import contextlib
import datetime as dt
import itertools
import tomllib
from collections.abc import Callable, Iterator
from datetime import date
from enum import StrEnum
from functools import lru_cache
from importlib import resources
from pathlib import Path
from typing import Annotated, Literal, Self, TypeVar

from pydantic import BaseModel, ConfigDict, Field, ValidationError, model_validator


class Cadence(StrEnum):
    TERM = "term"
    SCHOOL_YEAR = "school_year"
    YEAR = "year"
    PERIOD = "period"  # once over the whole promise window
    MILESTONE = "milestone"
    TRACKED = "tracked"  # no number in the promise: counted, never judged


class Owner(StrEnum):
    POLICE = "police"
    MUNICIPALITY = "municipality"
    BOTH = "both"

    def includes(self, org: str | None) -> bool:
        """Whether staff of organisation ``org`` share responsibility for this commitment."""
        if org is None:
            return False
        if self is Owner.BOTH:
            return org in (Owner.POLICE.value, Owner.MUNICIPALITY.value)
        return org == self.value


class Visibility(StrEnum):
    """How much residents may see. Ordered from most to least visible."""

    PUBLIC = "public"
    AFTER = "after"
    COUNT_ONLY = "count_only"

    @property
    def rank(self) -> int:
        return _VISIBILITY_RANK[self]

    def at_most(self, other: Visibility) -> Visibility:
        """The less visible of the two: an event may hide more than its commitment, never less."""
        return self if self.rank >= other.rank else other


_VISIBILITY_RANK = {Visibility.PUBLIC: 0, Visibility.AFTER: 1, Visibility.COUNT_ONLY: 2}

_Strict = ConfigDict(extra="forbid", frozen=True)


class Text(BaseModel):
    """A text in Swedish and English, and optionally in the residents' other languages.

    A language the file does not give reads Swedish, the municipality's own language (the
    same fallback the message catalogues use), so a kommun's file with only sv and en works.
    """

    model_config = _Strict
    sv: Annotated[str, Field(min_length=1)]
    en: Annotated[str, Field(min_length=1)]
    fi: Annotated[str, Field(min_length=1)] | None = None
    ar: Annotated[str, Field(min_length=1)] | None = None
    fa: Annotated[str, Field(min_length=1)] | None = None
    so: Annotated[str, Field(min_length=1)] | None = None
    pl: Annotated[str, Field(min_length=1)] | None = None

    def get(self, locale: str) -> str:
        if locale == "en":
            return self.en
        if locale in _OTHER_LANGUAGES:
            text: str | None = getattr(self, locale)
            if text is not None:
                return text
        return self.sv


_OTHER_LANGUAGES = frozenset({"fi", "ar", "fa", "so", "pl"})


class Keywords(BaseModel):
    """Words staff and residents use for a commitment, per language (for matching text).
    Residents' other languages are optional (the matcher reads those it has phrases for)."""

    model_config = _Strict
    sv: tuple[str, ...] = ()
    en: tuple[str, ...] = ()
    fi: tuple[str, ...] = ()
    ar: tuple[str, ...] = ()
    fa: tuple[str, ...] = ()
    so: tuple[str, ...] = ()
    pl: tuple[str, ...] = ()

    def all(self) -> tuple[str, ...]:
        return self.sv + self.en + self.fi + self.ar + self.fa + self.so + self.pl


class DateRange(BaseModel):
    model_config = _Strict
    start: date
    end: date

    @model_validator(mode="after")
    def _ordered(self) -> Self:
        if self.end < self.start:
            raise ValueError(f"end {self.end} is before start {self.start}")
        return self

    def __contains__(self, day: object) -> bool:
        return isinstance(day, date) and self.start <= day <= self.end

    @property
    def days(self) -> int:
        return (self.end - self.start).days + 1


class ExplicitTerm(DateRange):
    """A real school term from the school calendar, overriding the default half years."""

    label: Annotated[str, Field(min_length=1)]


class ConditionKind(StrEnum):
    """What a condition of a commitment asks (the promise text's own conditions)."""

    WITH = "with"  # who must take part ("polis, kommunal verksamhet och civilsamhället")
    WHERE = "where"  # where it happens ("i Trygghetscenter i Bro")
    PLANNED = "planned"  # planned in advance: an event planned before the day, or staff say so
    AUDIENCE = "audience"  # who it is for ("föräldrar", with a focus)


class Condition(BaseModel):
    """One condition a report must meet to count towards its commitment's target.

    A saved report records, per condition, met / not met / unknown (``bot.domain.conditions``).
    ``words`` say it was met in a staff text ("med civilsamhället", "with the church"; a
    trailing ``*`` matches any ending); ``not_words`` say it was not ("oplanerad"); a word
    right after "utan" / "without" / "inga", or followed by "inte" / "not", reads as not met.
    ``org``: staff of this organisation reporting it means they took part (police reporting a
    visibility effort were there). A ``planned`` condition is also met by an activity reported
    from an event planned before its day."""

    model_config = _Strict
    id: Annotated[str, Field(pattern=r"^[a-z][a-z0-9_]*$", max_length=30)]
    kind: ConditionKind
    # A few words for a button or a list: "Civilsamhället".
    label: Text
    # What "N of M ..." says when it was met: "med civilsamhället på plats".
    met: Text
    # Why a report that fails it does not count: "civilsamhället var inte på plats".
    not_met: Text
    # The promise text's own words for it, for readers and for whoever checks the file.
    seed: str | None = None
    words: Keywords = Keywords()
    not_words: Keywords = Keywords()
    org: Literal["police", "municipality"] | None = None

    @model_validator(mode="after")
    def _can_be_told(self) -> Self:
        if self.kind is not ConditionKind.PLANNED and not self.words.all() and self.org is None:
            raise ValueError(
                f"condition '{self.id}' needs `words` staff use to say it (or an `org`)"
            )
        return self


class Commitment(BaseModel):
    model_config = _Strict

    id: Annotated[str, Field(pattern=r"^[a-z][a-z0-9_]*$", max_length=40)]
    title: Text
    short: Text  # a few words, for lists and progress bars
    description: Text
    cadence: Cadence
    target: Annotated[int, Field(ge=0)] | None = None
    due: date | None = None
    owner: Owner
    visibility: Visibility
    # Period key → explicit target, e.g. {"2022-HT" = 1}; wins over prorating.
    period_targets: dict[str, Annotated[int, Field(ge=0)]] = Field(default_factory=dict)
    keywords: Keywords = Keywords()
    # Extra words residents use when they ask about it (the question matcher only) and staff
    # use when they report it (the report parser only).
    question_words: Keywords = Keywords()
    report_words: Keywords = Keywords()
    # What a resident may be told to look forward to: True for kinds that hold public events.
    resident_events: bool = False
    # A short plain explanation for a resident who asks "what is this?". For a count_only
    # commitment it is the only thing ever said about it, so it must hold no dates, places or
    # plans; without it such a commitment is not explained at all.
    explain: Text | None = None
    # What a report must meet to count (the promise text's conditions); none: every report
    # of this kind counts. See bot.domain.conditions for how they are counted.
    conditions: tuple[Condition, ...] = ()

    @model_validator(mode="after")
    def _cadence_fits(self) -> Self:
        if self.cadence is Cadence.MILESTONE:
            if self.due is None:
                raise ValueError("a milestone needs a due date ('due')")
        elif self.cadence is Cadence.TRACKED:
            if self.target is not None:
                raise ValueError("a tracked-only commitment has no target")
        elif self.target is None:
            raise ValueError(f"cadence '{self.cadence}' needs a target")
        elif self.target == 0:
            raise ValueError("target must be at least 1")
        if self.conditions and self.cadence is Cadence.MILESTONE:
            raise ValueError("a milestone has no reports, so it cannot have conditions")
        seen: set[str] = set()
        for condition in self.conditions:
            if condition.id in seen:
                raise ValueError(f"duplicate condition id '{condition.id}'")
            seen.add(condition.id)
        return self

    def condition(self, condition_id: str) -> Condition | None:
        return next((c for c in self.conditions if c.id == condition_id), None)

    @property
    def is_counted(self) -> bool:
        return self.cadence not in (Cadence.MILESTONE, Cadence.TRACKED)

    @property
    def is_public(self) -> bool:
        return self.visibility is not Visibility.COUNT_ONLY


class Place(BaseModel):
    model_config = _Strict
    name: Annotated[str, Field(min_length=1)]
    address: Annotated[str, Field(min_length=1)]
    opening_hours: Text
    about: Text


class Contacts(BaseModel):
    model_config = _Strict
    emergency: str = "112"
    police_non_urgent: str = "114 14"
    police_web: str = "polisen.se"
    municipality_phone: str | None = None
    municipality_web: str | None = None
    # National lines the safety answers give (Mind's suicide line, healthcare advice, the
    # line for women subjected to violence); a file may override them.
    suicide_line: str = "90101"
    healthcare: str = "1177"
    violence_line: str = "020-50 50 50"
    # Giftinformationscentralen, for questions about a poisoning that is not acute.
    poison_info: str = "010-456 67 00"


class WorryTopic(StrEnum):
    """What a resident's worry is about (a worry is not an emergency: see
    bot.language.questions)."""

    BULLYING = "bullying"
    YOUTH = "youth"  # young people at risk, hanging out at night
    DRUGS = "drugs"
    RECRUITMENT = "recruitment"  # children drawn into crime
    VANDALISM = "vandalism"
    UNSAFE_PLACE = "unsafe_place"
    OTHER = "other"


class LocalHelp(BaseModel):
    """Where the kommun and the police send a resident with a worry: one line of the worry
    answer. Contacts the promise text does not give are marked ``assumption`` until the kommun
    confirms them (``check-promise`` lists them)."""

    model_config = _Strict
    topics: Annotated[tuple[WorryTopic, ...], Field(min_length=1)]
    text: Text
    assumption: bool = False
    # A commitment whose next public event is named under this line (the parents' lecture
    # for a worry about drugs).
    commitment: str | None = None


class Publisher(BaseModel):
    """Who publishes the follow-up and how a reader reaches them (shown on the page)."""

    model_config = _Strict
    name: Text
    phone: str | None = None
    email: str | None = None
    web: Annotated[str, Field(pattern=r"^https://")] | None = None


class Reminders(BaseModel):
    """When the weekly digest to staff goes out (local time)."""

    model_config = _Strict
    weekday: Annotated[int, Field(ge=0, le=6)] = 0  # Monday
    time: dt.time = dt.time(8, 30)
    days_left_warning: Annotated[int, Field(ge=1, le=365)] = 30


class Area(BaseModel):
    """An area of the kommun residents' unsafe places are grouped by (the police survey's
    areas): its names, the places in it as residents write them (phrase syntax of
    ``bot.language.phrases``), and an approximate centre for a shared location."""

    model_config = _Strict
    id: Annotated[str, Field(pattern=r"^[a-z][a-z0-9_]*$", max_length=24)]
    name: Text
    places: tuple[str, ...] = ()
    # (latitude, longitude): a shared Telegram location belongs to the nearest centre.
    center: tuple[float, float] | None = None


class Pulse(BaseModel):
    """The safety pulse (``bot.domain.pulse``): after an event of which commitments the
    residents who had a reminder for it are asked the safety question, and from how many
    answers an area's figure is published."""

    model_config = _Strict
    after: tuple[str, ...] = ()
    # Whose activities are marked on the page's time line beside the figures (else ``after``).
    marks: tuple[str, ...] = ()
    min_answers: Annotated[int, Field(ge=10, le=1000)] = 20

    @property
    def marked(self) -> tuple[str, ...]:
        return self.marks or self.after


class Promise(BaseModel):
    model_config = _Strict

    id: Annotated[str, Field(pattern=r"^[a-z0-9][a-z0-9_-]*$")]
    name: Text
    municipality: Annotated[str, Field(min_length=1)]
    police_area: Annotated[str, Field(min_length=1)]
    summary: Text
    window: DateRange
    # Free text stating which parts of the window are assumptions (e.g. the decision date).
    window_assumption: str | None = None
    # Everything the file assumes that the published text does not say, for readers.
    assumptions: tuple[Text, ...] = ()
    publisher: Publisher | None = None
    # Where the promise itself is published (linked from the follow-up page).
    source_url: Annotated[str, Field(pattern=r"^https://")] | None = None
    terms: tuple[ExplicitTerm, ...] = ()
    after_delay_days: Annotated[int, Field(ge=0, le=90)] = 2
    reminders: Reminders = Reminders()
    trygghetscenter: Place | None = None
    contacts: Contacts = Contacts()
    # The worry answer's local lines, in order (see LocalHelp).
    local_help: tuple[LocalHelp, ...] = ()
    commitments: Annotated[tuple[Commitment, ...], Field(min_length=1)]
    # Residents' suggestions ("Ni sa – vi gjorde"): the kommun's areas and their places.
    areas: tuple[Area, ...] = ()
    pulse: Pulse = Pulse()
    # Promise after promise (bot.domain.promise_set): a draft is not in force yet and is
    # shown to residents only when ``show_draft`` says so; ``demo`` marks made-up promises
    # (the sandbox's), whose every text says [DEMO]. ``continues`` maps a commitment of this
    # promise to the one of the kommun's earlier promise it carries on (the same id carries
    # on without a mapping).
    draft: bool = False
    show_draft: bool = False
    demo: bool = False
    continues: dict[str, str] = Field(default_factory=dict)

    @model_validator(mode="after")
    def _consistent(self) -> Self:
        seen: set[str] = set()
        for c in self.commitments:
            if c.id in seen:
                raise ValueError(f"duplicate commitment id '{c.id}'")
            seen.add(c.id)
        for help_ in self.local_help:
            if help_.commitment is not None and help_.commitment not in seen:
                raise ValueError(f"local_help names an unknown commitment '{help_.commitment}'")
        for named in (*self.pulse.after, *self.pulse.marks):
            if named not in seen:
                raise ValueError(f"pulse names an unknown commitment '{named}'")
        for mine in self.continues:
            if mine not in seen:
                raise ValueError(f"continues names an unknown commitment '{mine}'")
        ordered = sorted(self.terms, key=lambda t: t.start)
        for before, after in itertools.pairwise(ordered):
            if after.start <= before.end:
                raise ValueError(f"terms '{before.label}' and '{after.label}' overlap")
        return self

    def commitment(self, commitment_id: str) -> Commitment:
        for c in self.commitments:
            if c.id == commitment_id:
                return c
        raise KeyError(commitment_id)

    def get(self, commitment_id: str) -> Commitment | None:
        return next((c for c in self.commitments if c.id == commitment_id), None)

    def public_commitments(self) -> Iterator[Commitment]:
        return (c for c in self.commitments if c.is_public)

    @property
    def ids(self) -> tuple[str, ...]:
        return tuple(c.id for c in self.commitments)


_Built = TypeVar("_Built")


def per_promise(build: Callable[[Promise], _Built]) -> Callable[[Promise], _Built]:
    """``build(promise)`` once per promise object (the tables the matchers read from it).
    Identity-checked, since a Promise with its dict fields is not hashable; a process sees
    only a few promises, so the memo is simply emptied past 16."""
    memo: dict[int, tuple[Promise, _Built]] = {}

    def built_for(promise: Promise) -> _Built:
        cached = memo.get(id(promise))
        if cached is not None and cached[0] is promise:
            return cached[1]
        value = build(promise)
        if len(memo) > 16:
            memo.clear()
        memo[id(promise)] = (promise, value)
        return value

    return built_for


class PromiseError(Exception):
    """A promise file that cannot be used; ``problems`` name each bad field and why."""

    def __init__(self, source: str, problems: list[str]) -> None:
        self.source = source
        self.problems = problems
        super().__init__(f"{source}: " + "; ".join(problems))


def _location(loc: tuple[int | str, ...], data: object) -> str:
    """Turn a pydantic error location into a readable path, naming commitments by id."""
    parts: list[str] = []
    node: object = data
    for step in loc:
        if isinstance(node, dict):
            node = node.get(step) if isinstance(step, str) else None
            parts.append(str(step))
        elif isinstance(node, list) and isinstance(step, int):
            item = node[step] if step < len(node) else None
            ident = item.get("id") if isinstance(item, dict) else None
            parts[-1:] = [f"{parts[-1]}[{ident!r}]" if ident else f"{parts[-1]}[{step}]"]
            node = item
        else:
            parts.append(str(step))
            node = None
    return ".".join(parts) or "(file)"


@lru_cache(maxsize=8)
def _valid_promise(text: str) -> Promise:
    return Promise.model_validate(tomllib.loads(text))


def parse_promise(text: str, source: str = "<promise>") -> Promise:
    """The promise in ``text``. The same text gives the same (frozen) object, so what is
    derived from a promise (the matcher's index, the report keywords) is built once."""
    with contextlib.suppress(tomllib.TOMLDecodeError, ValidationError):
        return _valid_promise(text)
    # Invalid: read it again to say where and why.
    try:
        data = tomllib.loads(text)
    except tomllib.TOMLDecodeError as exc:
        raise PromiseError(source, [f"not valid TOML: {exc}"]) from exc
    try:
        return Promise.model_validate(data)
    except ValidationError as exc:
        problems = []
        for err in exc.errors():
            where = _location(tuple(err["loc"]), data)
            message = err["msg"].removeprefix("Value error, ")
            problems.append(f"{where}: {message}")
        raise PromiseError(source, problems) from exc


def load_promise(path: Path | None = None) -> Promise:
    """Load ``path``, or the bundled default promise when ``path`` is None."""
    if path is None:
        ref = resources.files("bot") / "promises" / "upplands-bro-2022-2024.toml"
        return parse_promise(ref.read_text(encoding="utf-8"), "upplands-bro-2022-2024.toml")
    try:
        text = path.read_text(encoding="utf-8")
    except OSError as exc:
        raise PromiseError(str(path), [f"cannot read the file: {exc.strerror}"]) from exc
    return parse_promise(text, str(path))
