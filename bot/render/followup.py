"""The published follow-up, "Uppföljning av medborgarlöftet": one self-contained HTML page
(inline SVG chart, no external resources), Markdown, CSV and JSON open data.

Every format is rendered from the same ``Report`` so the page, the JSON and the CSV can never
disagree. Only resident-visible data goes in unless ``internal`` is set: count-only
commitments show counts and state, never dates, places or plans (docs/product.md).

Generated during the promise the page reads as a status ("Läget den …"); generated after the
promise window it reads as the final result ("Slutresultat"). Its overview gives every
commitment, milestones included, in its own period with its state word. With nothing
registered at all (a fresh install) the page says so and shows no results, never a "missat"
that only means nobody has reported yet.
"""

from __future__ import annotations

import csv
import html
import io
import json
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import date, datetime
from pathlib import Path
from urllib.parse import quote

from bot.chart import Bar, inline_svg
from bot.exports import neutralise_cell as _cell  # no cell a spreadsheet runs as a formula
from bot.i18n import Translator, plain
from bot.pace import PaceRow, State, state_word
from bot.periods import Period, PeriodKind, period_label
from bot.promise import Cadence, Commitment, Promise, Visibility
from bot.render.progress import chart_with_alt
from bot.services.progress import CommitmentProgress, Progress
from storage.records import Activity

DEMO_MARK = "[DEMO]"
# Where ``report --site`` puts the open data, next to index.html; the page links to these.
JSON_NAME = "uppfoljning.json"
CSV_NAME = "uppfoljning.csv"
# Sources of ``senior_fraud_info`` activities written by the tip service (tips_service.py).
TIP_SOURCE = "tips"
ALERT_SOURCE = "alert"


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


def info_done(activities: Iterable[Activity]) -> InfoDone:
    tips = alerts = meetings = reached = 0
    for a in activities:
        if a.source == TIP_SOURCE:
            tips += 1
        elif a.source == ALERT_SOURCE:
            alerts += 1
        else:
            meetings += 1
        reached += a.count or 0
    return InfoDone(tips, alerts, meetings, reached)


@dataclass(frozen=True)
class Line:
    """One period of one commitment, exactly as every format shows it."""

    row: PaceRow
    label: str
    info: InfoDone | None  # tracked commitments only


@dataclass(frozen=True)
class Section:
    item: CommitmentProgress
    lines: list[Line]
    activities: list[Activity]
    counts_only: bool
    last_updated: datetime | None

    @property
    def commitment(self) -> Commitment:
        return self.item.commitment


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

    @property
    def final(self) -> bool:
        """Generated after the promise ended: the page is its final result."""
        return self.today > self.promise.window.end

    @property
    def title(self) -> str:
        _ = self.tr.gettext
        if self.final and not self.empty:
            return _("Follow-up of the citizen promise – final result")
        return _("Follow-up of the citizen promise")


def long_period_label(period: Period, tr: Translator) -> str:
    """Plain words for a period: ``hösttermin 2023``, ``läsår 2023/24``, and the dates
    actually covered when the promise window cuts the period."""
    _ = tr.gettext
    if period.kind is PeriodKind.TERM and not period.label_hint:
        year, half = period.key.split("-")
        text = (_("spring term {year}") if half == "VT" else _("autumn term {year}")).format(
            year=year
        )
    elif period.kind is PeriodKind.SCHOOL_YEAR:
        first, second = period.key.split("/")
        text = _("school year {start}/{end}").format(start=first, end=second)
    elif period.kind is PeriodKind.MILESTONE:
        text = tr.date(period.end, "d MMMM yyyy")
    elif period.kind is PeriodKind.WINDOW:
        text = _("the whole promise {start}–{end}").format(
            start=period.full_start.year, end=period.full_end.year
        )
    else:
        text = period_label(period, tr)
    if period.is_cut and period.kind not in (PeriodKind.MILESTONE, PeriodKind.WINDOW):
        same_year = period.start.year == period.end.year
        covered = _("only {start} to {end}").format(
            start=tr.date(period.start, "d MMM" if same_year else "d MMM yyyy"),
            end=tr.date(period.end, "d MMM yyyy"),
        )
        text = f"{text} ({covered})"
    return text


def _last_updated(
    activities: list[Activity], milestone_confirmed: datetime | None
) -> datetime | None:
    moments = [a.updated_at for a in activities]
    if milestone_confirmed is not None:
        moments.append(milestone_confirmed)
    return max(moments, default=None)


def build_report(
    promise: Promise,
    progress: Progress,
    tr: Translator,
    chart: tuple[bytes, str],
    period: PeriodFilter,
    *,
    all_activities: list[Activity],
    milestones_confirmed: dict[str, datetime],
    generated_at: datetime,
    internal: bool = False,
    empty: bool = False,
) -> Report:
    """``all_activities``: every counted activity up to the report's day (for "last updated"
    and the breakdown of tracked commitments); ``progress.activities``: the ones residents
    may see in a list. ``empty``: nothing at all is registered, on any day."""
    sections = []
    for item in progress.items:
        c = item.commitment
        counts_only = c.visibility is Visibility.COUNT_ONLY and not internal
        own = [a for a in all_activities if a.commitment == c.id]
        lines = []
        for row in item.history:
            if not period.keeps_row(row):
                continue
            info = None
            if c.cadence is Cadence.TRACKED:
                info = info_done(a for a in own if a.date in row.period)
            lines.append(Line(row, long_period_label(row.period, tr), info))
        listed = (
            []
            if counts_only
            else sorted(
                (
                    a
                    for a in progress.activities
                    if a.commitment == c.id and period.keeps_day(a.date)
                ),
                key=lambda a: (a.date, a.id),
            )
        )
        # When a count-only commitment was last updated would tell when it last happened.
        updated = None if counts_only else _last_updated(own, milestones_confirmed.get(c.id))
        sections.append(Section(item, lines, listed, counts_only, updated))
    demo = any(a.description.startswith(DEMO_MARK) for a in all_activities)
    return Report(
        promise,
        tr,
        progress.today,
        generated_at,
        sections,
        chart[0],
        chart[1],
        internal,
        period,
        demo,
        empty,
    )


@dataclass(frozen=True)
class OverviewRow:
    """One line of the overview: a commitment in one period, named, with its state word."""

    name: str
    period: str
    done: str  # "1 av 2", or a count for a commitment without a number, "–" for a milestone
    state: str


def overview(report: Report) -> list[OverviewRow]:
    """Every commitment, milestones and counted-only ones included: during the promise in the
    period running now for it (a term, a year, the whole promise, a milestone's date); for a
    chosen period each of its periods within it. Each row names its own period."""
    tr = report.tr
    _ = tr.gettext
    out = []
    for section in report.sections:
        c = section.commitment
        if report.period.is_all:
            current = section.item.current
            lines = [line for line in section.lines if line.row.period == current.period]
            lines = lines or [Line(current, "", None)]
        else:
            lines = section.lines
        for line in lines:
            row = line.row
            if c.cadence is Cadence.MILESTONE:
                done = "–"
            elif row.target is None:
                done = str(row.done)
            else:
                done = _("{done} of {target}").format(done=row.done, target=row.target)
            out.append(
                OverviewRow(
                    c.short.get(tr.locale), period_label(row.period, tr), done, state_text(tr, line)
                )
            )
    return out


def _overview_head(tr: Translator) -> list[str]:
    _ = tr.gettext
    return [_("Commitment"), _("Period"), _("Done of promised"), _("State")]


def _nothing_yet(report: Report) -> str:
    return report.tr.gettext(
        "No reports are registered yet, so this page shows no results. It fills in as the "
        "police and the municipality report what they have done."
    )


# --- shared wording ------------------------------------------------------------------------


def state_text(tr: Translator, line: Line) -> str:
    return state_word(tr, line.row.state, line.row.late)


def _target(row: PaceRow) -> str:
    return "–" if row.target is None else str(row.target)


def _cadence_caption(tr: Translator, cadence: Cadence) -> str:
    _ = tr.gettext
    return {
        Cadence.TERM: _("Promised and done per term"),
        Cadence.SCHOOL_YEAR: _("Promised and done per school year"),
        Cadence.YEAR: _("Promised and done per calendar year"),
        Cadence.PERIOD: _("Promised and done over the whole promise"),
        Cadence.MILESTONE: _("State of the milestone"),
        Cadence.TRACKED: _("What was done, per calendar year"),
    }[cadence]


def _status_sentence(report: Report) -> str:
    tr = report.tr
    _ = tr.gettext
    w = report.promise.window
    start, end = tr.date(w.start, "d MMMM yyyy"), tr.date(w.end, "d MMMM yyyy")
    if report.final and report.empty:
        return _("The promise ran from {start} to {end} and has ended.").format(
            start=start, end=end
        )
    if report.final:
        return _(
            "The promise ran from {start} to {end} and has ended. This is its final result."
        ).format(start=start, end=end)
    return _("Status on {date}. The promise runs from {start} to {end}.").format(
        date=tr.date(report.today, "d MMMM yyyy"), start=start, end=end
    )


def _data_states(report: Report) -> str:
    """How the state codes in the open data read in words."""
    tr = report.tr
    codes = tr.join(f"{state.value} = {state_word(tr, state)}" for state in State)
    return tr.gettext(
        "In the data, state is one of {codes}; late is true for a milestone reached after its date."
    ).format(codes=codes)


def _data_time(report: Report) -> str:
    tr = report.tr
    return tr.gettext("Data retrieved {datetime} (Swedish time).").format(
        datetime=tr.datetime(report.generated_at)
    )


def _how_we_count(report: Report) -> list[tuple[str, list[str], bool]]:
    """The "Så räknar vi" section: (sub-heading, paragraphs, shown as a list)."""
    _ = report.tr.gettext
    tr = report.tr
    states = [
        _("{state}: the promised number has been reached.").format(
            state=state_word(tr, State.DONE)
        ),
        _("{state}: on pace to reach the number before the period ends.").format(
            state=state_word(tr, State.ON_TRACK)
        ),
        _("{state}: fewer done than expected by now.").format(state=state_word(tr, State.BEHIND)),
        _("{state}: the period is over and the number was not reached.").format(
            state=state_word(tr, State.MISSED)
        ),
        _("{state}: a milestone whose date has not come yet.").format(
            state=state_word(tr, State.OPEN)
        ),
        _("{state}: a milestone reached after its date.").format(
            state=state_word(tr, State.DONE, late=True)
        ),
        _("{state}: the promise gives no number, so we show what was done.").format(
            state=state_word(tr, State.TRACKED)
        ),
    ]
    return [
        (
            _("What counts"),
            [
                _(
                    "An activity counts when the police or the municipality has reported it as "
                    "done. Planned activities do not count until they have happened."
                ),
                _(
                    "For the information to seniors, every round of fraud tips and every fraud "
                    "alert the bot sends counts, as do information meetings, for example at a "
                    "pensioners' association."
                ),
            ],
            False,
        ),
        (
            _("Periods"),
            [
                _(
                    "VT means spring term (vårtermin), 1 January to 30 June. HT means autumn "
                    "term (hösttermin), 1 July to 31 December. A school year (läsår) runs from "
                    "1 July to 30 June. A year is a calendar year."
                ),
                _(
                    "When the promise starts or ends in the middle of a period, only the part "
                    "inside the promise counts, and the promised number is reduced in "
                    "proportion (rounded, at least 1). Such periods show the dates they cover."
                ),
            ],
            False,
        ),
        (_("States"), states, True),
        (
            _("Why some activities are only counted"),
            [
                _(
                    "Some work, like narcotics operations and GVI, would not work if it were "
                    "announced. For it we only show how many were done and the state, never "
                    "dates, places or plans. Its state does not take planned activities into "
                    "account."
                ),
            ],
            False,
        ),
    ]


@dataclass(frozen=True)
class Headings:
    """Headings shared by the Markdown and HTML pages (translated once, outside f-strings so
    the catalogue extractor sees them)."""

    how: str
    assumptions: str
    about: str
    source: str
    open_data: str
    done: str
    final: str
    overview: str

    @classmethod
    def of(cls, tr: Translator) -> Headings:
        _ = tr.gettext
        return cls(
            how=_("How we count"),
            assumptions=_("Assumptions"),
            about=_("About this page"),
            source=_("The promise as published"),
            open_data=_("Open data"),
            done=_("Done"),
            final=_("Final result"),
            overview=_("Overview"),
        )


def final_result(report: Report) -> list[str]:
    """One sentence per commitment summing up the whole promise (the final page)."""
    tr = report.tr
    _ = tr.gettext
    out = []
    for section in report.sections:
        c, lines = section.commitment, section.lines
        name = c.short.get(tr.locale)
        if c.cadence is Cadence.MILESTONE and lines:
            last = lines[-1].row
            out.append(
                _("{name}: {state}").format(name=name, state=state_word(tr, last.state, last.late))
            )
        elif c.cadence is Cadence.TRACKED:
            total = InfoDone(
                sum(line.info.tip_rounds for line in lines if line.info),
                sum(line.info.alerts for line in lines if line.info),
                sum(line.info.meetings for line in lines if line.info),
                sum(line.info.reached for line in lines if line.info),
            )
            n = total.tip_rounds + total.alerts + total.meetings
            out.append(
                tr.ngettext(
                    "{name}: {n} activity, {people} people reached",
                    "{name}: {n} activities, {people} people reached",
                    n,
                ).format(name=name, n=n, people=total.reached)
            )
        elif lines:
            done = sum(line.row.done for line in lines)
            promised = sum(line.row.target or 0 for line in lines)
            met = sum(1 for line in lines if line.row.state is State.DONE)
            out.append(
                tr.ngettext(
                    "{name}: {done} of {promised} done; the target was met in {met} of {n} period",
                    "{name}: {done} of {promised} done; the target was met in {met} of {n} periods",
                    len(lines),
                ).format(name=name, done=done, promised=promised, met=met, n=len(lines))
            )
    return out


def _assumptions(report: Report) -> list[str]:
    p = report.promise
    texts = [a.get(report.tr.locale) for a in p.assumptions]
    if not texts and p.window_assumption:
        texts.append(p.window_assumption)
    return texts


def _publisher(report: Report) -> list[str]:
    """Sentences on who publishes and how to reach them."""
    tr = report.tr
    _ = tr.gettext
    p = report.promise
    name = (
        p.publisher.name.get(tr.locale) if p.publisher else tr.join((p.municipality, p.police_area))
    )
    out = [_("Published by {name}.").format(name=name)]
    phone = p.publisher.phone if p.publisher else p.contacts.municipality_phone
    if phone:
        out.append(_("Phone: {phone}").format(phone=phone))
    if p.publisher and p.publisher.email:
        out.append(_("E-mail: {email}").format(email=p.publisher.email))
    return out


# --- JSON and CSV --------------------------------------------------------------------------


def _period_data(line: Line, counts_only: bool) -> dict[str, object]:
    row = line.row
    out: dict[str, object] = {
        "label": line.label,
        "start": row.period.start.isoformat(),
        "end": row.period.end.isoformat(),
        "target": row.target,
        "done": row.done,
        "state": row.state.value,
        "late": row.late,
    }
    if line.info is not None and not counts_only:
        out["done_detail"] = {
            "tip_rounds": line.info.tip_rounds,
            "alerts": line.info.alerts,
            "meetings": line.info.meetings,
            "people_reached": line.info.reached,
        }
    return out


def _publisher_data(report: Report) -> dict[str, str | None]:
    p = report.promise
    if p.publisher is None:
        return {
            "name": f"{p.municipality}, {p.police_area}",
            "phone": p.contacts.municipality_phone,
            "email": None,
            "web": None,
        }
    return {
        "name": p.publisher.name.get(report.tr.locale),
        "phone": p.publisher.phone,
        "email": p.publisher.email,
        "web": p.publisher.web,
    }


def report_data(report: Report) -> dict[str, object]:
    """The ``report --format json`` contract (docs/product.md)."""
    tr = report.tr
    p = report.promise
    commitments = []
    for section in report.sections:
        c = section.commitment
        entry: dict[str, object] = {
            "id": c.id,
            "title": c.title.get(tr.locale),
            "cadence": c.cadence.value,
            "target": c.target,
            "periods": []
            if report.empty
            else [_period_data(line, section.counts_only) for line in section.lines],
        }
        if not section.counts_only:  # count-only: counts and states only
            entry["last_updated"] = (
                section.last_updated.astimezone(report.generated_at.tzinfo).isoformat()
                if section.last_updated
                else None
            )
        commitments.append(entry)
    return {
        "promise": {
            "id": p.id,
            "name": p.name.get(tr.locale),
            "municipality": p.municipality,
            "police_area": p.police_area,
            "window": {"start": p.window.start.isoformat(), "end": p.window.end.isoformat()},
            "assumptions": _assumptions(report),
            "source_url": p.source_url,
            "publisher": _publisher_data(report),
            "ended": report.final,
            "as_of": report.today.isoformat(),
            # Nothing registered yet: no periods and no states, rather than every one "missed".
            "no_reports_yet": report.empty,
        },
        "generated_at": report.generated_at.isoformat(timespec="seconds"),
        "commitments": commitments,
    }


def render_json(report: Report) -> str:
    # Open data is read by programs: no invisible right-to-left marks in its values.
    return plain(json.dumps(report_data(report), ensure_ascii=False, indent=2)) + "\n"


CSV_COLUMNS = (
    "commitment",
    "title",
    "period",
    "period_start",
    "period_end",
    "target",
    "done",
    "state",
    "late",
)


def render_csv(report: Report) -> str:
    tr = report.tr
    buffer = io.StringIO()
    writer = csv.writer(buffer, lineterminator="\n")
    writer.writerow(CSV_COLUMNS)
    for section in [] if report.empty else report.sections:
        c = section.commitment
        for line in section.lines:
            row = line.row
            writer.writerow(
                [
                    _cell(v)
                    for v in (
                        c.id,
                        c.title.get(tr.locale),
                        line.label,
                        row.period.start.isoformat(),
                        row.period.end.isoformat(),
                        "" if row.target is None else row.target,
                        row.done,
                        row.state.value,
                        "true" if row.late else "false",
                    )
                ]
            )
    return plain(buffer.getvalue())


# --- Markdown ------------------------------------------------------------------------------

_MD_SPECIAL = "\\`*_[]<>|~"


def md_escape(text: str) -> str:
    """Staff text in Markdown: every character that could be markup is escaped."""
    return "".join("\\" + ch if ch in _MD_SPECIAL else ch for ch in text)


def _activity_text(report: Report, a: Activity) -> tuple[str, str]:
    """(date, place) of a listed activity; the place may come from staff (escape it)."""
    demo = DEMO_MARK + " " if a.description.startswith(DEMO_MARK) else ""
    return demo + report.tr.date(a.date, "d MMMM yyyy"), a.place or ""


def render_markdown(report: Report) -> str:
    tr = report.tr
    _ = tr.gettext
    h = Headings.of(tr)
    p = report.promise
    out = [
        f"# {report.title}",
        "",
        f"**{p.name.get(tr.locale)}** – {tr.join((p.municipality, p.police_area))}",
        "",
        _status_sentence(report) + " " + _data_time(report),
        "",
        p.summary.get(tr.locale),
        "",
    ]
    if report.demo:
        out += [_("{mark} This page contains example data.").format(mark=DEMO_MARK), ""]
    if report.internal:
        out += [_("INTERNAL: includes data that is not public."), ""]
    if report.empty:
        out += [f"**{_nothing_yet(report)}**", ""]
    elif report.final:
        out += [f"## {h.final}", ""] + [f"- {t}" for t in final_result(report)] + [""]
    else:
        out += [f"## {h.overview}", "", "| " + " | ".join(_overview_head(tr)) + " |"]
        out.append("|---|---|---:|---|")
        out += [f"| {r.name} | {r.period} | {r.done} | {r.state} |" for r in overview(report)]
        out.append("")
    for section in report.sections:
        c = section.commitment
        out += [f"## {c.title.get(tr.locale)}", "", c.description.get(tr.locale), ""]
        if report.empty:
            continue
        if section.last_updated:
            out += [_last_updated_text(report, section.last_updated), ""]
        if section.lines:
            out += [f"*{_cadence_caption(tr, c.cadence)}*", ""]
            out += _md_table(report, section)
            out.append("")
        if section.activities:
            out += [h.done + ":", ""]
            for a in section.activities:
                day, place = _activity_text(report, a)
                out.append(f"- {day}" + (f" – {md_escape(place)}" if place else ""))
            out.append("")
    out += [f"## {h.how}", ""]
    for heading, paragraphs, as_list in _how_we_count(report):
        out += [f"### {heading}", ""]
        out += [f"- {t}" for t in paragraphs] + [""] if as_list else [f"{t}\n" for t in paragraphs]
    assumptions = _assumptions(report)
    if assumptions:
        out += [f"## {h.assumptions}", ""] + [f"- {t}" for t in assumptions] + [""]
    out += [f"## {h.about}", "", " ".join(_publisher(report)), ""]
    if p.source_url:
        out += [f"[{h.source}]({p.source_url})", ""]
    return "\n".join(out).rstrip() + "\n"


def _md_table(report: Report, section: Section) -> list[str]:
    tr = report.tr
    _ = tr.gettext
    c = section.commitment
    if c.cadence is Cadence.MILESTONE:
        head, align = [_("Due"), _("State")], "|---|---|"
        rows = [[line.label, state_text(tr, line)] for line in section.lines]
    elif c.cadence is Cadence.TRACKED:
        head = [_("Period"), _("Tip rounds"), _("Alerts"), _("Meetings"), _("People reached")]
        align = "|---|---:|---:|---:|---:|"
        rows = [[line.label, *map(str, _info_cells(line))] for line in section.lines if line.info]
    else:
        head, align = [_("Period"), _("Promised"), _("Done"), _("State")], "|---|---:|---:|---|"
        rows = [
            [line.label, _target(line.row), str(line.row.done), state_text(tr, line)]
            for line in section.lines
        ]
    # Soft hyphens help narrow HTML tables; in plain text they are only noise.
    head = [h.replace("\u00ad", "") for h in head]
    return ["| " + " | ".join(head) + " |", align] + ["| " + " | ".join(r) + " |" for r in rows]


def _info_cells(line: Line) -> tuple[int, int, int, int]:
    info = line.info or InfoDone()
    return info.tip_rounds, info.alerts, info.meetings, info.reached


def _last_updated_text(report: Report, moment: datetime) -> str:
    tr = report.tr
    local = moment.astimezone(report.generated_at.tzinfo)
    return tr.gettext("Last updated {date}.").format(date=tr.date(local.date(), "d MMMM yyyy"))


# --- HTML ----------------------------------------------------------------------------------

# Colours, each at least 4.5:1 against white and against the table heading background.
TEXT = "#1a1a1a"
MUTED = "#3d3d3d"
LINK = "#0b4a85"
ACCENT = "#0b5394"
HEAD_BG = "#e8eef6"
NOTE_BG = "#fff4d6"

_CSS = f"""
*{{box-sizing:border-box}}
body{{font-family:system-ui,-apple-system,"Segoe UI",Roboto,sans-serif;color:{TEXT};
background:#fff;max-width:52rem;margin:1.5rem auto;padding:0 1rem;line-height:1.5;
font-size:1.0625rem}}
h1{{font-size:1.75rem;line-height:1.25}}
h2{{font-size:1.3rem;margin-top:2.2rem;border-bottom:2px solid {ACCENT}}}
h3{{font-size:1.1rem;margin-bottom:.25rem}}
a{{color:{LINK}}}
table{{border-collapse:collapse;margin:.5rem 0 1rem;width:100%;max-width:36rem}}
caption{{text-align:start;font-weight:600;padding:.25rem 0}}
th,td{{border:1px solid #6b6b6b;padding:.3rem .5rem;vertical-align:top}}
thead th{{background:{HEAD_BG}}}
tbody th{{font-weight:400;text-align:start}}
td.num{{text-align:right;font-variant-numeric:tabular-nums}}
.note{{color:{MUTED}}}
.demo{{background:{NOTE_BG};border-inline-start:4px solid #8a6100;padding:.5rem .75rem}}
figure{{margin:1rem 0}}
.chart svg{{display:block;width:100%;max-width:26rem;height:auto}}
.chart svg text{{font-family:system-ui,-apple-system,"Segoe UI",Roboto,sans-serif!important}}
figcaption{{color:{MUTED};font-size:.95rem}}
dl dt{{font-weight:600}}
.table-scroll{{overflow-x:auto}}
@media (max-width:30rem){{body{{margin:1rem auto;padding:0 .75rem}}h1{{font-size:1.5rem}}
table{{font-size:.92rem}}th,td{{padding:.25rem .3rem}}}}
@media print{{body{{max-width:none;margin:0;padding:0;font-size:11pt}}
table,figure,li{{break-inside:avoid}}h2,h3,caption{{break-after:avoid}}
.table-scroll{{overflow:visible}}
a[href^="http"]::after{{content:" (" attr(href) ")";font-size:.9em}}
.chart svg{{max-width:11cm}}}}
"""


def _html_table(report: Report, section: Section) -> list[str]:
    tr = report.tr
    _ = tr.gettext
    e = html.escape
    c = section.commitment
    caption = f"<caption>{e(_cadence_caption(tr, c.cadence))}</caption>"
    if c.cadence is Cadence.MILESTONE:
        head = [_("Due"), _("State")]
        body = [
            f'<tr><th scope="row">{e(line.label)}</th><td>{e(state_text(tr, line))}</td></tr>'
            for line in section.lines
        ]
    elif c.cadence is Cadence.TRACKED:
        head = [_("Period"), _("Tip rounds"), _("Alerts"), _("Meetings"), _("People reached")]
        body = [
            f'<tr><th scope="row">{e(line.label)}</th>'
            + "".join(f'<td class="num">{n}</td>' for n in _info_cells(line))
            + "</tr>"
            for line in section.lines
        ]
    else:
        head = [_("Period"), _("Promised"), _("Done"), _("State")]
        body = [
            f'<tr><th scope="row">{e(line.label)}</th>'
            f'<td class="num">{e(_target(line.row))}</td>'
            f'<td class="num">{line.row.done}</td><td>{e(state_text(tr, line))}</td></tr>'
            for line in section.lines
        ]
    thead = "".join(f'<th scope="col">{e(h)}</th>' for h in head)
    # A wide table scrolls by itself on a narrow phone instead of widening the page; the
    # region is focusable so it can be scrolled from the keyboard too.
    region = e(_cadence_caption(tr, c.cadence))
    return [
        f'<div class="table-scroll" role="region" aria-label="{region}" tabindex="0">',
        "<table>",
        caption,
        f"<thead><tr>{thead}</tr></thead>",
        "<tbody>",
        *body,
        "</tbody></table>",
        "</div>",
    ]


def _html_overview(report: Report) -> list[str]:
    """The overview as a table: every commitment, its period, done of promised, its state."""
    tr = report.tr
    e = html.escape
    caption = tr.gettext("Every commitment, each in its own period")
    thead = "".join(f'<th scope="col">{e(h)}</th>' for h in _overview_head(tr))
    body = [
        f'<tr><th scope="row">{e(r.name)}</th><td>{e(r.period)}</td>'
        f'<td class="num">{e(r.done)}</td><td>{e(r.state)}</td></tr>'
        for r in overview(report)
    ]
    return [
        f'<div class="table-scroll" role="region" aria-label="{e(caption)}" tabindex="0">',
        "<table>",
        f"<caption>{e(caption)}</caption>",
        f"<thead><tr>{thead}</tr></thead>",
        "<tbody>",
        *body,
        "</tbody></table>",
        "</div>",
    ]


def _data_link(label: str, name: str, text: str, site: bool) -> str:
    """A link to the open data: next to the page on the website, or inside the page itself
    (a ``data:`` link) when the page is handed over as a single file."""
    if site:
        href = name
    else:
        mime = "application/json" if name.endswith(".json") else "text/csv"
        href = f"data:{mime};charset=utf-8,{quote(text)}"
    return f'<a href="{html.escape(href)}" download="{html.escape(name)}">{html.escape(label)}</a>'


def render_html(report: Report, site: bool = False) -> str:
    tr = report.tr
    _ = tr.gettext
    h = Headings.of(tr)
    p = report.promise
    e = html.escape
    parts = [
        "<!DOCTYPE html>",
        f'<html lang="{e(tr.locale)}" dir="{"rtl" if tr.rtl else "ltr"}">',
        "<head>",
        '<meta charset="utf-8">',
        '<meta name="viewport" content="width=device-width, initial-scale=1">',
        f"<title>{e(report.title)} – {e(p.name.get(tr.locale))}</title>",
        f"<style>{_CSS}</style>",
        "</head>",
        "<body>",
        "<main>",
        f"<h1>{e(report.title)}</h1>",
        f"<p><strong>{e(p.name.get(tr.locale))}</strong> – "
        f"{e(tr.join((p.municipality, p.police_area)))}</p>",
        f"<p>{e(_status_sentence(report))}</p>",
        f'<p class="note">{e(_data_time(report))}</p>',
    ]
    if report.demo:
        parts.append(
            '<p class="demo">'
            + e(_("{mark} This page contains example data.").format(mark=DEMO_MARK))
            + "</p>"
        )
    if report.internal:
        parts.append(
            "<p><strong>" + e(_("INTERNAL: includes data that is not public.")) + "</strong></p>"
        )
    parts.append(f"<p>{e(p.summary.get(tr.locale))}</p>")
    heading = h.final if report.final and not report.empty else h.overview
    parts += [
        '<section aria-labelledby="overview">',
        f'<h2 id="overview">{e(heading)}</h2>',
    ]
    if report.empty:
        parts.append(f'<p class="demo"><strong>{e(_nothing_yet(report))}</strong></p>')
    else:
        parts += [
            '<figure class="chart">',
            inline_svg(report.chart_svg, report.chart_alt, "chart-title"),
            f"<figcaption>{e(report.chart_alt)}</figcaption>",
            "</figure>",
        ]
        if report.final:
            final = "".join(f"<li>{e(t)}</li>" for t in final_result(report))
            parts.append(f"<ul>{final}</ul>")
        else:
            parts += _html_overview(report)
    parts.append("</section>")
    for section in report.sections:
        c = section.commitment
        heading_id = f"c-{e(c.id)}"
        parts += [
            f'<section aria-labelledby="{heading_id}">',
            f'<h2 id="{heading_id}">{e(c.title.get(tr.locale))}</h2>',
            f"<p>{e(c.description.get(tr.locale))}</p>",
        ]
        if report.empty:
            parts.append("</section>")
            continue
        if section.counts_only:
            parts.append(
                '<p class="note">'
                + e(_("Only counted: dates, places and plans are not published."))
                + "</p>"
            )
        if section.last_updated:
            parts.append(
                f'<p class="note">{e(_last_updated_text(report, section.last_updated))}</p>'
            )
        if section.lines:
            parts += _html_table(report, section)
        if section.activities:
            parts.append(f"<h3>{e(h.done)}</h3><ul>")
            for a in section.activities:
                day, place = _activity_text(report, a)
                parts.append(f"<li>{e(day)}" + (f" – {e(place)}" if place else "") + "</li>")
            parts.append("</ul>")
        parts.append("</section>")
    parts += ['<section aria-labelledby="how">', f'<h2 id="how">{e(h.how)}</h2>']
    for heading, paragraphs, as_list in _how_we_count(report):
        parts.append(f"<h3>{e(heading)}</h3>")
        if as_list:
            parts.append("<ul>" + "".join(f"<li>{e(t)}</li>" for t in paragraphs) + "</ul>")
        else:
            parts += [f"<p>{e(t)}</p>" for t in paragraphs]
    parts.append("</section>")
    assumptions = _assumptions(report)
    if assumptions:
        parts += [
            '<section aria-labelledby="assumptions">',
            f'<h2 id="assumptions">{e(h.assumptions)}</h2>',
            "<ul>" + "".join(f"<li>{e(t)}</li>" for t in assumptions) + "</ul>",
            "</section>",
        ]
    parts += [
        '<section aria-labelledby="about">',
        f'<h2 id="about">{e(h.about)}</h2>',
        "<p>" + e(" ".join(_publisher(report))) + "</p>",
    ]
    links = []
    if p.publisher and p.publisher.web:
        links.append(
            f'<a href="{e(p.publisher.web)}">{e(p.publisher.web.removeprefix("https://"))}</a>'
        )
    if p.source_url:
        links.append(f'<a href="{e(p.source_url)}">{e(h.source)}</a>')
    if links:
        parts.append("<ul>" + "".join(f"<li>{link}</li>" for link in links) + "</ul>")
    parts += [
        f"<h3>{e(h.open_data)}</h3>",
        "<p>"
        + e(_("The same numbers as on this page, for spreadsheets and open-data portals:"))
        + "</p>",
        "<ul>",
        "<li>"
        + _data_link(
            _("JSON, for open-data portals ({name})").format(name=JSON_NAME),
            JSON_NAME,
            render_json(report),
            site,
        )
        + "</li>",
        "<li>"
        + _data_link(
            _("CSV, for spreadsheets ({name})").format(name=CSV_NAME),
            CSV_NAME,
            render_csv(report),
            site,
        )
        + "</li>",
        "</ul>",
        "<p>" + e(_data_states(report)) + "</p>",
        f'<p class="note">{e(_data_time(report))}</p>',
        "</section>",
    ]
    parts += ["</main>", "</body>", "</html>"]
    return "\n".join(parts) + "\n"


def period_chart(progress: Progress, tr: Translator, period: PeriodFilter) -> tuple[bytes, str]:
    """Promised and done summed over the periods the report covers (not "now"), so the
    chart of a 2023 follow-up agrees with its 2023 tables."""
    bars = []
    for item in progress.items:
        c = item.commitment
        if not c.is_counted:
            continue
        rows = [r for r in item.history if period.keeps_row(r)]
        if rows:
            target = sum(r.target or 0 for r in rows)
            bars.append(Bar(c.short.get(tr.locale), sum(r.done for r in rows), target))
    title = tr.gettext("Promised and done, {period}").format(period=period.label)
    return chart_with_alt(bars, title, tr, "svg")


FORMATS = ("html", "md", "csv", "json")


def render(report: Report, fmt: str) -> str:
    if fmt == "md":
        return render_markdown(report)
    if fmt == "csv":
        return render_csv(report)
    if fmt == "json":
        return render_json(report)
    return render_html(report)


def write_site(report: Report, directory: Path) -> list[Path]:
    """``index.html`` plus the open data it links to, ready to copy to a website."""
    directory.mkdir(parents=True, exist_ok=True)
    files = {
        "index.html": render_html(report, site=True),
        JSON_NAME: render_json(report),
        CSV_NAME: render_csv(report),
    }
    written = []
    for name, text in files.items():
        path = directory / name
        # Written beside, then renamed over the old file: a reader (the web server, every
        # hour) gets the old page or the new one, never half of one.
        partial = directory / f".{name}.partial"
        partial.write_text(text, encoding="utf-8")
        partial.replace(path)
        written.append(path)
    return written
