"""The published follow-up, "Uppföljning av medborgarlöftet", as Markdown, CSV or one
self-contained HTML page (inline chart, no external resources) a web editor can paste in.

Only resident-visible data goes in unless ``internal`` is set: count-only commitments show
counts and milestone state, never dates, places or plans.
"""

from __future__ import annotations

import base64
import html
import io
from dataclasses import dataclass
from datetime import date

from bot.chart import Bar
from bot.exports import SafeCsvWriter
from bot.exports import md_escape as md
from bot.i18n import Translator
from bot.pace import PaceRow
from bot.periods import period_label
from bot.promise import Cadence, Promise, Visibility
from bot.services import Services
from bot.services.progress import (
    CommitmentProgress,
    Progress,
    ProgressService,
    chart_with_alt,
    resident_state,
)
from storage.records import Activity


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

    def keeps_row(self, row: PaceRow) -> bool:
        if self.start is None or self.end is None:
            return True
        return row.period.start <= self.end and row.period.end >= self.start

    def keeps_day(self, day: date) -> bool:
        if self.start is None or self.end is None:
            return True
        return self.start <= day <= self.end


@dataclass(frozen=True)
class Section:
    item: CommitmentProgress
    rows: list[PaceRow]
    activities: list[Activity]
    counts_only: bool


@dataclass(frozen=True)
class Report:
    promise: Promise
    tr: Translator
    today: date
    sections: list[Section]
    chart_png: bytes
    chart_alt: str
    internal: bool

    @property
    def title(self) -> str:
        return self.tr.gettext("Follow-up of the citizen promise")


def build_report(
    promise: Promise,
    progress: Progress,
    tr: Translator,
    chart: tuple[bytes, str],
    period: PeriodFilter,
    internal: bool = False,
) -> Report:
    sections = []
    for item in progress.items:
        counts_only = item.commitment.visibility is Visibility.COUNT_ONLY and not internal
        rows = [r for r in item.history if period.keeps_row(r)]
        activities = (
            []
            if counts_only
            else sorted(
                (
                    a
                    for a in progress.activities
                    if a.commitment == item.commitment.id and period.keeps_day(a.date)
                ),
                key=lambda a: (a.date, a.id),
            )
        )
        sections.append(Section(item, rows, activities, counts_only))
    return Report(promise, tr, progress.today, sections, chart[0], chart[1], internal)


def _state(tr: Translator, row: PaceRow, cadence: Cadence) -> str:
    if cadence is Cadence.TRACKED:
        return tr.gettext("counted")
    return resident_state(tr, row.state) or "–"


def _target(row: PaceRow) -> str:
    return "–" if row.target is None else str(row.target)


def render_markdown(report: Report) -> str:
    tr = report.tr
    _ = tr.gettext
    p = report.promise
    out = [
        f"# {report.title}",
        "",
        f"**{md(p.name.get(tr.locale))}** – {md(p.municipality)}, {md(p.police_area)}",
        "",
        _("Status on {date}.").format(date=tr.date(report.today)),
        "",
        md(p.summary.get(tr.locale)),
        "",
    ]
    if report.internal:
        out += [_("INTERNAL: includes data that is not public."), ""]
    for section in report.sections:
        c = section.item.commitment
        out += [f"## {md(c.title.get(tr.locale))}", "", md(c.description.get(tr.locale)), ""]
        if section.rows:
            out += [
                "| " + " | ".join([_("Period"), _("Promised"), _("Done"), _("State")]) + " |",
                "|---|---:|---:|---|",
            ]
            for row in section.rows:
                cells = [period_label(row.period, tr), _target(row), str(row.done),
                         _state(tr, row, c.cadence)]  # fmt: skip
                out.append("| " + " | ".join(cells) + " |")
            out.append("")
        if section.activities:
            out += [_("Activities") + ":", ""]
            for a in section.activities:
                place = f" – {md(a.place)}" if a.place else ""
                out.append(f"- {tr.date(a.date, 'd MMMM yyyy')}{place}")
            out.append("")
    return "\n".join(out).rstrip() + "\n"


CSV_COLUMNS = ("commitment", "title", "period", "period_start", "period_end", "target", "done",
               "state")  # fmt: skip


def render_csv(report: Report) -> str:
    tr = report.tr
    buffer = io.StringIO()
    writer = SafeCsvWriter(buffer)
    writer.writerow(CSV_COLUMNS)
    for section in report.sections:
        c = section.item.commitment
        for row in section.rows:
            writer.writerow([
                c.id, c.title.get(tr.locale), period_label(row.period, tr),
                row.period.start.isoformat(), row.period.end.isoformat(),
                "" if row.target is None else row.target, row.done, row.state.value,
            ])  # fmt: skip
    return buffer.getvalue()


_CSS = """
body{font-family:system-ui,-apple-system,"Segoe UI",Roboto,sans-serif;color:#1a1a1a;
background:#fff;max-width:52rem;margin:1.5rem auto;padding:0 1rem;line-height:1.5}
h1{font-size:1.8rem}h2{font-size:1.3rem;margin-top:2rem;border-bottom:2px solid #0b5394}
table{border-collapse:collapse;margin:.5rem 0 1rem;min-width:min(100%,30rem)}
caption{text-align:left;font-weight:600;
padding:.25rem 0}th,td{border:1px solid #6b6b6b;padding:.3rem .6rem}th{background:#e8eef6}
td.num{text-align:right}img{max-width:100%;height:auto}.note{color:#3d3d3d}
"""


def render_html(report: Report) -> str:
    tr = report.tr
    _ = tr.gettext
    p = report.promise
    e = html.escape
    chart = base64.b64encode(report.chart_png).decode("ascii")
    parts = [
        "<!DOCTYPE html>",
        f'<html lang="{tr.locale}">',
        "<head>",
        '<meta charset="utf-8">',
        '<meta name="viewport" content="width=device-width, initial-scale=1">',
        f"<title>{e(report.title)} – {e(p.name.get(tr.locale))}</title>",
        f"<style>{_CSS}</style>",
        "</head>",
        "<body>",
        "<main>",
        f"<h1>{e(report.title)}</h1>",
        f"<p><strong>{e(p.name.get(tr.locale))}</strong> – {e(p.municipality)}, "
        f"{e(p.police_area)}</p>",
        f'<p class="note">{e(_("Status on {date}.").format(date=tr.date(report.today)))}</p>',
        f"<p>{e(p.summary.get(tr.locale))}</p>",
    ]
    if report.internal:
        parts.append(
            "<p><strong>" + e(_("INTERNAL: includes data that is not public.")) + "</strong></p>"
        )
    parts.append(
        f'<figure><img src="data:image/png;base64,{chart}" alt="{e(report.chart_alt)}">'
        f"<figcaption>{e(report.chart_alt)}</figcaption></figure>"
    )
    for section in report.sections:
        c = section.item.commitment
        title = c.title.get(tr.locale)
        parts += [
            "<section>",
            f"<h2>{e(title)}</h2>",
            f"<p>{e(c.description.get(tr.locale))}</p>",
        ]
        if section.rows:
            parts += [
                "<table>",
                "<caption>"
                + e(_("Promised and done per period: {title}").format(title=title))
                + "</caption>",
                "<thead><tr>"
                + "".join(
                    f'<th scope="col">{e(h)}</th>'
                    for h in (_("Period"), _("Promised"), _("Done"), _("State"))
                )
                + "</tr></thead><tbody>",
            ]
            for row in section.rows:
                parts.append(
                    f'<tr><th scope="row">{e(period_label(row.period, tr))}</th>'
                    f'<td class="num">{e(_target(row))}</td><td class="num">{row.done}</td>'
                    f"<td>{e(_state(tr, row, c.cadence))}</td></tr>"
                )
            parts.append("</tbody></table>")
        if section.activities:
            parts.append("<h3>" + e(_("Activities")) + "</h3><ul>")
            for a in section.activities:
                place = f" – {e(a.place)}" if a.place else ""
                parts.append(f"<li>{e(tr.date(a.date, 'd MMMM yyyy'))}{place}</li>")
            parts.append("</ul>")
        parts.append("</section>")
    parts += ["</main>", "</body>", "</html>"]
    return "\n".join(parts) + "\n"


def period_chart(progress: Progress, tr: Translator, period: PeriodFilter) -> tuple[bytes, str]:
    """Promised and done summed over the periods the report covers (not "now"), so the
    chart of a 2023 follow-up agrees with its 2023 tables."""
    bars = []
    for item in progress.items:
        c = item.commitment
        if not c.is_counted or c.visibility is Visibility.COUNT_ONLY:
            continue
        rows = [r for r in item.history if period.keeps_row(r)]
        if rows:
            target = sum(r.target or 0 for r in rows)
            bars.append(Bar(c.short.get(tr.locale), sum(r.done for r in rows), target))
    title = tr.gettext("Promised and done, {period}").format(period=period.label)
    return chart_with_alt(bars, title, tr)


RENDERERS = {"md": render_markdown, "csv": render_csv, "html": render_html}


async def render_report(
    services: Services,
    fmt: str,
    locale: str,
    period: PeriodFilter,
    internal: bool = False,
    today: date | None = None,
) -> str:
    progress_service = ProgressService(services)
    tr = services.translator(locale)
    progress = await progress_service.progress(today, internal=internal)
    if period.start is None:
        chart = progress_service.chart(progress, tr)
    else:
        chart = period_chart(progress, tr, period)
    report = build_report(services.promise, progress, tr, chart, period, internal)
    return RENDERERS[fmt](report)
