"""Typed callback data: one small dataclass per button namespace.

Callback data is untrusted input (any client can send any string), so decoding is strict:
the prefix must match, the number of fields must match, every field must convert to its
declared type (``int``, ``str`` or a ``StrEnum``), and anything else is refused with
:class:`MalformedCallback`. Encoding refuses to exceed Telegram's 64-byte limit, so a button
that could never be pressed is caught where it is built.

Usage::

    @dataclass(frozen=True)
    class Card(CallbackData, prefix="rep"):
        action: CardAction
        arg: str = "0"

    data = Card(CardAction.SAVE).encode()      # "rep:save:0"
    card = Card.decode(query.data)             # Card(action=CardAction.SAVE, arg="0")

Handlers receive the decoded object; a callback string never appears outside its codec.
"""

from __future__ import annotations

import dataclasses
import enum
import re
import typing
from typing import Any, ClassVar, Self

CALLBACK_MAX = 64  # Telegram's limit on callback_data, in bytes
SEPARATOR = ":"


class MalformedCallback(ValueError):
    """The callback data does not belong to this namespace or does not have its shape."""


class CallbackData:
    """Base for a namespace's callback data; subclasses are frozen dataclasses."""

    prefix: ClassVar[str]
    _registry: ClassVar[dict[str, type[CallbackData]]] = {}
    # How many trailing fields were added after buttons with this prefix were already sent:
    # left out of the data while they hold their default, and taken as the default when a
    # button from before is tapped (so old messages keep working, new data stays short).
    added_fields: ClassVar[int] = 0

    def __init_subclass__(cls, prefix: str, **kwargs: Any) -> None:
        super().__init_subclass__(**kwargs)
        if not prefix or SEPARATOR in prefix:
            raise ValueError(f"bad callback prefix {prefix!r}")
        if prefix in CallbackData._registry:
            raise ValueError(f"callback prefix {prefix!r} is already used")
        CallbackData._registry[prefix] = cls
        cls.prefix = prefix

    @classmethod
    def pattern(cls, *leading: object) -> str:
        """A regex for PTB's CallbackQueryHandler: this namespace, optionally narrowed to
        the given leading field values (``Card.pattern(CardAction.PLAN)``)."""
        values = [v.value if isinstance(v, enum.Enum) else str(v) for v in leading]
        return "^" + re.escape(SEPARATOR.join([cls.prefix, *values])) + f"(?:{SEPARATOR}|$)"

    @classmethod
    def _types(cls) -> list[tuple[str, Any]]:
        hints = typing.get_type_hints(cls)
        return [(f.name, hints[f.name]) for f in dataclasses.fields(cls)]  # type: ignore[arg-type]

    def encode(self) -> str:
        parts = [self.prefix]
        types = self._types()
        fields = dataclasses.fields(self)  # type: ignore[arg-type]
        keep = len(types)
        while keep > len(types) - self.added_fields and (
            getattr(self, fields[keep - 1].name) == fields[keep - 1].default
        ):
            keep -= 1
        for name, _kind in types[:keep]:
            value = getattr(self, name)
            text = value.value if isinstance(value, enum.Enum) else str(value)
            if SEPARATOR in text:
                raise ValueError(f"{SEPARATOR!r} inside callback field {name}")
            parts.append(text)
        data = SEPARATOR.join(parts)
        if len(data.encode("utf-8")) > CALLBACK_MAX:
            raise ValueError(f"callback data longer than {CALLBACK_MAX} bytes: {data!r}")
        return data

    @classmethod
    def decode(cls, data: str | None) -> Self:
        if not data or len(data.encode("utf-8")) > CALLBACK_MAX:
            raise MalformedCallback("empty or too long")
        prefix, *raw = data.split(SEPARATOR)
        types = cls._types()
        if prefix != cls.prefix or not len(types) - cls.added_fields <= len(raw) <= len(types):
            raise MalformedCallback("wrong namespace or shape")
        values: dict[str, Any] = {}
        for (name, kind), text in zip(types[: len(raw)], raw, strict=True):
            values[name] = _convert(kind, text)
        return cls(**values)

    @classmethod
    def parse(cls, data: str | None) -> Self | None:
        """Like :meth:`decode`, but None for anything malformed."""
        try:
            return cls.decode(data)
        except MalformedCallback:
            return None


def _convert(kind: Any, text: str) -> Any:
    if kind is int:
        # Digits only (an optional minus), short: no "1e9", no "٣", no 5000-digit numbers.
        body = text[1:] if text.startswith("-") else text
        if not body.isascii() or not body.isdigit() or len(body) > 18:
            raise MalformedCallback("not an integer")
        return int(text)
    if kind is str:
        if not text or not text.isprintable():
            raise MalformedCallback("empty or unprintable text")
        return text
    if isinstance(kind, type) and issubclass(kind, enum.Enum):
        try:
            return kind(text)
        except ValueError:
            raise MalformedCallback("unknown choice") from None
    raise TypeError(f"unsupported callback field type {kind!r}")  # pragma: no cover


# --- reporting -------------------------------------------------------------------------------


class CardAction(enum.StrEnum):
    """What a button on the report card (or a guided /report step) does."""

    SAVE = "save"
    SAVE_ANYWAY = "force"  # save although it looks like a duplicate
    KIND = "kind"  # ask for the kind
    SET_KIND = "setk"  # arg: commitment id
    DATE = "date"  # ask for the day
    SET_DATE = "setd"  # arg: days before today
    COUNT = "count"  # ask for the number of people
    SET_COUNT = "setc"  # arg: a number, or "x" for unknown
    TYPE_COUNT = "typec"
    PLACE = "place"
    NOTE = "note"
    SKIP = "skip"
    DROP = "drop"
    REDACT = "redact"
    PLAN = "plan"  # a future date: plan it instead
    UNDO = "undo"  # arg: activity id
    EDIT = "edit"  # arg: activity id
    NEW = "new"  # arg: commitment id (from the weekly digest)
    OPEN = "open"  # show this card again (from /myreports or the "not saved" message)
    CARDS = "cards"  # list the person's other cards
    FIX = "fix"  # arg: the card a text opened; that text is a fix to this card after all
    CONDITION = "cond"  # arg: a condition id; a tap moves it unknown → met → not met → unknown
    PROMISE = "prom"  # arg: which of the card's other promises it counts for instead


@dataclasses.dataclass(frozen=True)
class Card(CallbackData, prefix="rep"):
    """A report card's button. ``card`` is the card's row (0: none yet), so a tap on an
    older card acts on that card, never on the one open now."""

    added_fields = 1  # ``card``

    action: CardAction
    arg: str = "0"
    card: int = 0


@dataclasses.dataclass(frozen=True)
class FollowupCount(CallbackData, prefix="evc"):
    """How many came to an event that happened (the activity is already saved)."""

    activity: int
    count: int


@dataclasses.dataclass(frozen=True)
class FollowupOther(CallbackData, prefix="evo"):
    """ "Another number": the organiser types how many came."""

    activity: int


class MilestoneAction(enum.StrEnum):
    REQUEST = "req"  # staff: the milestone is reached
    APPROVE = "ok"  # admin
    REJECT = "no"  # admin


@dataclasses.dataclass(frozen=True)
class MilestoneChoice(CallbackData, prefix="ms"):
    action: MilestoneAction
    commitment: str


# --- /myevents -------------------------------------------------------------------------------


class MyEventAction(enum.StrEnum):
    MOVE = "move"
    CANCEL = "cancel"  # asks first
    CONFIRM_CANCEL = "really"  # residents are told only now
    KEEP = "keep"


@dataclasses.dataclass(frozen=True)
class MyEvent(CallbackData, prefix="my"):
    action: MyEventAction
    event: int


# --- events: /events, /next, reminders, "did it happen?" ------------------------------------


class EventAction(enum.StrEnum):
    LIST = "list"  # arg: the page, sent as a new message
    PAGE = "page"  # arg: the page, edits the list in place
    SHOW = "show"  # arg: event id
    REMIND = "rem"
    UNREMIND = "unrem"
    CALENDAR = "ics"
    # The organiser's answer to "did it happen?"
    DONE = "done"
    CANCELLED = "cancelled"
    MOVED = "moved"


@dataclasses.dataclass(frozen=True)
class EventPress(CallbackData, prefix="ev"):
    action: EventAction
    arg: int = 0


# --- /plan ------------------------------------------------------------------------------------


class PlanAction(enum.StrEnum):
    KIND = "kind"  # arg: commitment id
    NEW = "new"  # arg: commitment id (from the weekly digest: starts /plan)
    STOP = "stop"
    WHEN = "when"  # arg: index of a quick time
    VISIBILITY = "vis"  # arg: a visibility value
    SAVE = "save"


@dataclasses.dataclass(frozen=True)
class PlanPress(CallbackData, prefix="plan"):
    action: PlanAction
    arg: str = "0"


# --- /status and /pause -----------------------------------------------------------------------


class StatusAction(enum.StrEnum):
    SHOW = "show"  # commitment: its id
    LIST = "list"  # commitment: "-"


@dataclasses.dataclass(frozen=True)
class StatusPress(CallbackData, prefix="st"):
    """``promise``: which of the deployment's promises (its place in the list; several
    promises), so a commitment id two promises share is shown for the right one."""

    added_fields = 1  # ``promise``

    action: StatusAction
    commitment: str = "-"
    promise: int = 0


class PauseAction(enum.StrEnum):
    SET = "set"  # days
    OFF = "off"


@dataclasses.dataclass(frozen=True)
class PausePress(CallbackData, prefix="pause"):
    action: PauseAction
    days: int = 0


# --- /follow ----------------------------------------------------------------------------------


class FollowAction(enum.StrEnum):
    ON = "on"
    OFF = "off"


@dataclasses.dataclass(frozen=True)
class FollowPress(CallbackData, prefix="fol"):
    """``promise``: the place in the deployment's list of the promise followed (several
    promises: a resident may follow another kommun's)."""

    added_fields = 1  # ``promise``

    action: FollowAction
    commitment: str
    promise: int = 0


class KommunAction(enum.StrEnum):
    ASK = "ask"  # which kommun do you live in?
    SET = "set"  # index: the kommun's place in the deployment's list of kommuner
    ASK_FOLLOW = "askf"  # whose promise to follow?
    FOLLOW = "fol"  # index: that kommun


@dataclasses.dataclass(frozen=True)
class KommunPress(CallbackData, prefix="kom"):
    action: KommunAction
    index: int = 0


# --- basics: /language, /delete_me -----------------------------------------------------------


class LanguageAction(enum.StrEnum):
    SET = "set"


@dataclasses.dataclass(frozen=True)
class LanguagePress(CallbackData, prefix="lang"):
    action: LanguageAction
    code: str


class MeAction(enum.StrEnum):
    DELETE = "delete"


class Answer(enum.StrEnum):
    YES = "yes"
    NO = "no"


@dataclasses.dataclass(frozen=True)
class DeleteMePress(CallbackData, prefix="me"):
    action: MeAction
    answer: Answer


# --- admin: /invite, /staff -------------------------------------------------------------------


class InviteAction(enum.StrEnum):
    NEW = "new"


@dataclasses.dataclass(frozen=True)
class InvitePress(CallbackData, prefix="invite"):
    action: InviteAction
    org: str


class StaffAction(enum.StrEnum):
    ASK = "ask"  # remove this person? (asks first)
    YES = "yes"
    NO = "no"


@dataclasses.dataclass(frozen=True)
class StaffPress(CallbackData, prefix="staff"):
    action: StaffAction
    user: int


# --- questions, tips and alerts ---------------------------------------------------------------


class AskTopic(enum.StrEnum):
    PROGRESS = "progress"  # "Hur går det?": the chart and the summary, like /progress
    ABOUT = "about"  # the promise
    TIPS = "tips"  # fraud tips
    SCAM = "scam"  # "Is this a scam?": the next text is checked


@dataclasses.dataclass(frozen=True)
class AskPress(CallbackData, prefix="ask"):
    """A menu button that asks one of the common questions."""

    topic: AskTopic
    arg: str = "0"


class Meant(enum.StrEnum):
    """An answer a "Did you mean …?" button offers (bot.language.questions' intents that can be
    asked
    for by a tap)."""

    EMERGENCY = "emergency"
    WORRY = "worry"
    NEXT_EVENT = "next_event"
    EVENTS_LIST = "events_list"
    ABOUT_PROMISE = "about_promise"
    PROGRESS = "progress"
    CONTACT_POLICE = "contact_police"
    PAST_CRIME = "past_crime"
    FRAUD_HELP = "fraud_help"
    SCAM_CHECK = "scam_check"
    SUBSCRIBE_TIPS = "subscribe_tips"
    STOP_TIPS = "stop_tips"
    TRYGGHETSCENTER = "trygghetscenter"
    TIP_OFF = "tip_off"
    POISON_QUESTION = "poison_question"


@dataclasses.dataclass(frozen=True)
class MeantPress(CallbackData, prefix="mean"):
    """ "Did you mean …?": the answer to give, in the language the text was written in (``lang``,
    checked against the bot's languages when pressed), with its event kind or worry topic."""

    meant: Meant
    lang: str = "sv"
    arg: str = "0"


class TipsAction(enum.StrEnum):
    STOP = "stop"


@dataclasses.dataclass(frozen=True)
class TipsPress(CallbackData, prefix="tips"):
    action: TipsAction


class AlertAction(enum.StrEnum):
    SUBMIT = "submit"  # arg: 1 for urgent
    OTHER = "other"  # the other language's text
    DROP = "drop"
    REPORT = "rep"  # arg: alert id
    APPROVE = "ok"  # arg: alert id
    REJECT = "no"  # arg: alert id


@dataclasses.dataclass(frozen=True)
class AlertPress(CallbackData, prefix="alert"):
    action: AlertAction
    arg: int = 0


class VoiceAction(enum.StrEnum):
    """A resident's suggestion card (``voice:``): the taps before it is passed on."""

    SEND = "send"  # pass it on, anonymously
    FOLLOW = "follow"  # pass it on, and tell me what happens
    DROP = "drop"
    WHEN = "when"  # arg: bot.domain.voice.TimeOfDay
    WHY = "why"  # arg: bot.domain.voice.Why (toggles)
    AREA = "area"  # arg: an area id of the promise file
    OFFER = "offer"  # "Do you want us to include this?" under a worry answer


@dataclasses.dataclass(frozen=True)
class VoicePress(CallbackData, prefix="voice"):
    action: VoiceAction
    arg: str = "0"


class GroupAction(enum.StrEnum):
    """/forslag (coordinators): a group of suggestions and what is done about it."""

    LIST = "list"
    SHOW = "show"
    EVENTS = "events"  # which planned event answers it
    LINK = "link"  # arg: the event id
    DONE = "done"
    DECLINE = "no"  # which reason
    REASON = "why"  # arg: bot.domain.voice.DeclineReason
    REOPEN = "new"


@dataclasses.dataclass(frozen=True)
class GroupPress(CallbackData, prefix="vg"):
    action: GroupAction
    group: str = "0"  # the group key ("theme.moped", "area.bro")
    arg: str = "0"


# --- the safety pulse ------------------------------------------------------------------------


class PulseAction(enum.StrEnum):
    AREA = "a"  # arg: the area's place in the promise's list of areas
    LATER = "later"
    ASK = "ask"  # the question now (a poster's link, /trygghet)
    YES = "yes"  # asked once a quarter
    NO = "no"  # never asked again


@dataclasses.dataclass(frozen=True)
class PulsePress(CallbackData, prefix="pu"):
    """``promise``: the place in the deployment's list of the promise whose areas are shown."""

    action: PulseAction
    arg: int = 0
    promise: int = 0
