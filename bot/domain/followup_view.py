"""What the published follow-up shows, as data: the follow-up service
(``bot.services.followup``) builds a ``Report`` and the presenter (``bot.render.followup``)
turns it into HTML, Markdown, CSV and JSON. Every format reads the same ``Report``, so the
page, the JSON and the CSV can never disagree.

Here are periods, states and counts, never words: the presenter's templates say them in the
reader's language.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, field
from datetime import date, datetime

from bot.domain.pace import PaceRow, State
from bot.domain.promise import Cadence, Commitment, Condition, Promise
from bot.domain.pulse import SafetySummary
from bot.domain.voice import VoiceSummary
from bot.i18n import Translator

# Example data (``trygghetsbot demo``) starts its description with this; the page says so.
DEMO_MARK = "[DEMO]"


@dataclass(frozen=True)
class PeriodFilter:
    """A year ("2023"), a term ("2023-VT"/"2023-HT"), a school year ("2023/24") or all."""

    start: date | None = None
    end: date | None = None
    label: str = ""

    @classmethod
    def parse(cls, text: str | None) -> PeriodFilter:
        if not text or text == "all":
            return cls()
        text = text.strip().upper()
        if len(text) == 4 and text.isdigit():
            year = int(text)
            return cls(date(year, 1, 1), date(year, 12, 31), text)
        if len(text) == 7 and text[:4].isdigit() and text[4:] in ("-VT", "-HT"):
            year = int(text[:4])
            label = f"{text[5:]} {year}"
            if text.endswith("VT"):
                return cls(date(year, 1, 1), date(year, 6, 30), label)
            return cls(date(year, 7, 1), date(year, 12, 31), label)
        if len(text) == 7 and text[4] == "/" and text[:4].isdigit():
            year = int(text[:4])
            return cls(date(year, 7, 1), date(year + 1, 6, 30), text)
        raise ValueError(f"unknown period {text!r}: use a year, 2023-VT, 2023-HT, 2023/24 or all")

    @property
    def is_all(self) -> bool:
        return self.start is None or self.end is None

    def keeps_row(self, row: PaceRow) -> bool:
        if self.start is None or self.end is None:
            return True
        return row.period.start <= self.end and row.period.end >= self.start

    def keeps_day(self, day: date) -> bool:
        if self.start is None or self.end is None:
            return True
        return self.start <= day <= self.end


@dataclass(frozen=True)
class InfoDone:
    """What was done for a tracked commitment in one period (the fraud information to
    seniors): tip rounds and alerts sent by the bot, meetings reported by staff, and how many
    people they reached (recipients plus participants)."""

    tip_rounds: int = 0
    alerts: int = 0
    meetings: int = 0
    reached: int = 0

    @property
    def activities(self) -> int:
        return self.tip_rounds + self.alerts + self.meetings

    @property
    def cells(self) -> tuple[int, int, int, int]:
        """The columns of the tracked table, in order."""
        return self.tip_rounds, self.alerts, self.meetings, self.reached

    @classmethod
    def total(cls, parts: Iterable[InfoDone]) -> InfoDone:
        items = list(parts)
        return cls(
            sum(p.tip_rounds for p in items),
            sum(p.alerts for p in items),
            sum(p.meetings for p in items),
            sum(p.reached for p in items),
        )


@dataclass(frozen=True)
class Line:
    """One period of one commitment, exactly as every format shows it."""

    row: PaceRow
    info: InfoDone | None = None  # tracked commitments only


@dataclass(frozen=True)
class Listed:
    """An activity residents may see in a commitment's list: its day and its place (text a
    staff member typed, so every format escapes it)."""

    day: date
    place: str
    demo: bool = False
    # The promise's conditions it did not meet: it is shown, but does not count.
    not_met: tuple[Condition, ...] = ()


@dataclass(frozen=True)
class Section:
    commitment: Commitment
    lines: list[Line]  # the report's periods
    # The overview's lines: during the promise the period running now, else the chosen ones.
    overview: list[Line]
    listed: list[Listed]
    counts_only: bool
    last_updated: datetime | None

    @property
    def in_final_result(self) -> bool:
        return bool(self.lines) or self.commitment.cadence is Cadence.TRACKED

    @property
    def last(self) -> PaceRow:
        """The last period (a milestone has one)."""
        return self.lines[-1].row

    @property
    def info_total(self) -> InfoDone:
        return InfoDone.total(line.info for line in self.lines if line.info)

    @property
    def done(self) -> int:
        return sum(line.row.done for line in self.lines)

    @property
    def promised(self) -> int:
        return sum(line.row.target or 0 for line in self.lines)

    @property
    def met(self) -> int:
        """How many of the periods reached their number."""
        return sum(1 for line in self.lines if line.row.state is State.DONE)


@dataclass(frozen=True)
class Report:
    promise: Promise
    tr: Translator
    today: date
    generated_at: datetime
    sections: list[Section]
    chart_svg: bytes
    chart_alt: str
    internal: bool
    period: PeriodFilter
    demo: bool
    # Nothing registered at all (no activity, no milestone): there are no results to show.
    empty: bool = False
    assumptions: list[str] = field(default_factory=list)
    # Residents' suggestions ("Ni sa – vi gjorde"): counts only, None when not gathered.
    voice: VoiceSummary | None = None
    # How safe residents feel: the pulse and the official figures, counts only.
    safety: SafetySummary | None = None
    # Promise after promise: the kommun's previous promise's report (its final result), and
    # which of its commitments each commitment here carries on (this id → that id).
    earlier: Report | None = None
    continued: dict[str, str] = field(default_factory=dict)

    @property
    def all_sections(self) -> list[tuple[bool, Section]]:
        """(from the previous promise?, section): this report's, then the earlier one's."""
        earlier = [] if self.earlier is None else self.earlier.sections
        return [(False, s) for s in self.sections] + [(True, s) for s in earlier]

    def earlier_section(self, commitment_id: str) -> Section | None:
        """The previous promise's section the commitment ``commitment_id`` carries on."""
        was = self.continued.get(commitment_id)
        if self.earlier is None or was is None:
            return None
        return next((s for s in self.earlier.sections if s.commitment.id == was), None)

    @property
    def final(self) -> bool:
        """Generated after the promise ended: the page is its final result."""
        return self.today > self.promise.window.end
