"""The safety pulse: how safe residents feel, asked in chat beside the activities the promise
counts, and the official survey figures it is published with.

The question is Brå's (the national crime survey, NTU): how safe or unsafe one would feel out
alone late in the evening in one's own area, four answers plus "don't know". It is sent as a
native anonymous Telegram poll, so the bot learns only how many chose each answer, per area
(chosen by a tap) and quarter. A figure is the share who feel unsafe (fairly or very), of
those who answered anything but "don't know", with its 95 % Wilson interval; it is published
only from ``Pulse.min_answers`` answers. Answers are self-selected: the page says so.
"""

from __future__ import annotations

import csv
import enum
import io
import math
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from datetime import date, timedelta

from bot.domain.promise import Promise


class Feeling(enum.IntEnum):
    """The poll's answers, in the order they are shown (their index is the poll's)."""

    VERY_SAFE = 0
    FAIRLY_SAFE = 1
    FAIRLY_UNSAFE = 2
    VERY_UNSAFE = 3
    DONT_KNOW = 4


UNSAFE = (Feeling.FAIRLY_UNSAFE, Feeling.VERY_UNSAFE)
Z95 = 1.959963984540054  # the normal quantile of a two-sided 95 % interval
WHOLE_KOMMUN = ""  # an official figure for the whole kommun, not one area


def quarter_of(day: date) -> str:
    """'2025Q1' for any day of January–March 2025."""
    return f"{day.year}Q{(day.month - 1) // 3 + 1}"


def quarter_start(quarter: str) -> date:
    year, q = quarter.split("Q")
    return date(int(year), 3 * (int(q) - 1) + 1, 1)


def quarter_end(quarter: str) -> date:
    start = quarter_start(quarter)
    if start.month == 10:
        return date(start.year, 12, 31)
    return date(start.year, start.month + 3, 1) - timedelta(days=1)


def wilson(unsafe: int, answers: int, z: float = Z95) -> tuple[float, float]:
    """The Wilson score interval of ``unsafe`` out of ``answers`` (both bounds in 0–1)."""
    if answers <= 0:
        return (0.0, 1.0)
    p = unsafe / answers
    denominator = 1 + z * z / answers
    centre = (p + z * z / (2 * answers)) / denominator
    half = z * math.sqrt(p * (1 - p) / answers + z * z / (4 * answers * answers)) / denominator
    return (max(0.0, centre - half), min(1.0, centre + half))


@dataclass(frozen=True)
class PulseFigure:
    """One area's answers in one quarter. ``answers`` leaves out "don't know"."""

    area: str
    quarter: str
    answers: int
    unsafe: int
    dont_know: int
    min_answers: int

    @property
    def shown(self) -> bool:
        return self.answers >= self.min_answers

    @property
    def share(self) -> float:
        return self.unsafe / self.answers if self.answers else 0.0

    @property
    def interval(self) -> tuple[float, float]:
        return wilson(self.unsafe, self.answers)


def tally(counts: Iterable[Sequence[int]]) -> tuple[int, int, int]:
    """(answers but "don't know", unsafe, don't know) summed over polls' voter counts."""
    answers = unsafe = dont_know = 0
    for poll in counts:
        if len(poll) != len(Feeling):
            continue  # not one of ours (a different number of answers): never counted
        unsafe += sum(poll[f] for f in UNSAFE)
        dont_know += poll[Feeling.DONT_KNOW]
        answers += sum(poll[f] for f in Feeling if f is not Feeling.DONT_KNOW)
    return answers, unsafe, dont_know


def worsened(before: PulseFigure, after: PulseFigure) -> bool:
    """Whether the share who feel unsafe rose beyond both figures' uncertainty: both shown,
    and the later interval lies wholly above the earlier one."""
    if not (before.shown and after.shown):
        return False
    return after.interval[0] > before.interval[1]


@dataclass(frozen=True)
class OfficialFigure:
    """A published survey figure (the police's safety survey, the kommun's own)."""

    area: str  # an area id of the promise, or WHOLE_KOMMUN
    period_start: date
    period_end: date
    source: str
    respondents: int
    unsafe_share: float  # 0–1


OFFICIAL_COLUMNS = ("area", "period_start", "period_end", "source", "respondents", "unsafe_share")


class OfficialRowError(ValueError):
    """A row of an official-figures CSV that cannot be taken; ``line`` is its line number."""

    def __init__(self, line: int, reason: str) -> None:
        super().__init__(f"line {line}: {reason}")
        self.line = line
        self.reason = reason


def area_id(promise: Promise, written: str) -> str | None:
    """The promise's area a CSV cell names (its id or any of its names, any case), the whole
    kommun for an empty cell or the kommun's name, else None."""
    wanted = written.strip().casefold()
    if wanted in ("", promise.municipality.casefold(), "hela kommunen", "whole kommun"):
        return WHOLE_KOMMUN
    for area in promise.areas:
        names = {
            area.id.casefold(),
            *(str(n).casefold() for n in area.name.model_dump().values() if n),
        }
        if wanted in names:
            return area.id
    return None


def _share(text: str) -> float:
    """'31 %', '31', '0.31' or '0,31' → 0.31: a value above 1 (or with %) is a percentage."""
    cleaned = text.strip().replace(",", ".")
    percent = cleaned.endswith("%")
    value = float(cleaned.rstrip("%").strip())
    if percent or value > 1:
        value /= 100
    if not 0 <= value <= 1:
        raise ValueError(text)
    return value


def parse_official(text: str, promise: Promise) -> list[OfficialFigure]:
    """Every row of an official-figures CSV, or :class:`OfficialRowError` for the first bad
    one (nothing is taken from a file with a bad row)."""
    reader = csv.DictReader(io.StringIO(text.lstrip("\ufeff")))
    missing = [c for c in OFFICIAL_COLUMNS if c not in (reader.fieldnames or [])]
    if missing:
        raise OfficialRowError(1, "missing column(s): " + ", ".join(missing))
    figures: list[OfficialFigure] = []
    for row in reader:
        line = reader.line_num
        cells = {k: (row.get(k) or "").strip() for k in OFFICIAL_COLUMNS}
        area = area_id(promise, cells["area"])
        if area is None:
            known = ", ".join(a.id for a in promise.areas) or "none"
            raise OfficialRowError(line, f"unknown area {cells['area']!r} (areas: {known})")
        try:
            start = date.fromisoformat(cells["period_start"])
            end = date.fromisoformat(cells["period_end"])
        except ValueError:
            raise OfficialRowError(line, "period_start and period_end are YYYY-MM-DD") from None
        if end < start:
            raise OfficialRowError(line, "period_end is before period_start")
        if not cells["source"]:
            raise OfficialRowError(line, "source is empty: the page names it")
        try:
            respondents = int(cells["respondents"])
        except ValueError:
            raise OfficialRowError(line, "respondents is a whole number") from None
        if respondents <= 0:
            raise OfficialRowError(line, "respondents must be above 0")
        try:
            share = _share(cells["unsafe_share"])
        except ValueError:
            raise OfficialRowError(
                line, "unsafe_share is a share (0.31) or a percentage (31 %)"
            ) from None
        figures.append(OfficialFigure(area, start, end, cells["source"], respondents, share))
    return figures


@dataclass(frozen=True)
class AreaSafety:
    """One area's figures for the page: the pulse per quarter (oldest first), the official
    figures, and the days the marked commitments' activities were held there."""

    area: str  # area id, or WHOLE_KOMMUN
    pulse: tuple[PulseFigure, ...]
    official: tuple[OfficialFigure, ...]
    efforts: tuple[tuple[date, str], ...]  # (day, commitment id)

    @property
    def latest(self) -> PulseFigure | None:
        shown = [f for f in self.pulse if f.shown]
        return shown[-1] if shown else None

    @property
    def trend(self) -> tuple[PulseFigure, PulseFigure] | None:
        """The two latest published quarters (earlier, later), when there are two."""
        shown = [f for f in self.pulse if f.shown]
        return (shown[-2], shown[-1]) if len(shown) >= 2 else None


@dataclass(frozen=True)
class SafetySummary:
    areas: tuple[AreaSafety, ...]
    min_answers: int

    @property
    def empty(self) -> bool:
        return not any(a.pulse or a.official for a in self.areas)

    def area(self, area_id: str) -> AreaSafety | None:
        return next((a for a in self.areas if a.area == area_id), None)
