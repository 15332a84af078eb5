"""The published follow-up, "Uppföljning av medborgarlöftet": one self-contained HTML page
(inline SVG chart, no external resources), Markdown, CSV and JSON open data.

Every format is rendered from the same ``Report`` (``bot.domain.followup_view``, built by the
follow-up service), so the page, the JSON and the CSV can never disagree. The pages come
from Jinja2 templates in ``templates/followup/``: the HTML one autoescaped, both speaking
through the catalogue with Jinja2's i18n extension (the same messages as the rest of the
bot). Here are the few words the open data needs too, and the formats read by programs.

Generated during the promise the page reads as a status ("Läget den …"); generated after the
promise window it reads as the final result ("Slutresultat"). Its overview gives every
commitment, milestones included, in its own period with its state word.
"""

from __future__ import annotations

import csv
import io
import json
from dataclasses import dataclass
from datetime import datetime
from typing import Any, cast
from urllib.parse import quote

from jinja2 import Environment, PackageLoader, StrictUndefined, pass_context, select_autoescape
from jinja2.runtime import Context
from markupsafe import Markup

from bot.domain.followup_view import (
    DEMO_MARK,
    InfoDone,
    Line,
    Report,
)
from bot.domain.pace import State, state_word
from bot.domain.periods import Period, PeriodKind, period_label
from bot.domain.promise import Cadence
from bot.domain.promise_set import Phase
from bot.domain.voice import PUBLISH_FROM, split_key
from bot.i18n import Translator, plain
from bot.render.chart import inline_svg
from bot.render.conditions import (
    conditions_text,
    counted_text,
    not_counted_text,
    not_met_text,
    tally_text,
)
from bot.render.exports import neutralise_cell as _cell  # no cell a spreadsheet runs as a formula
from bot.render.pulse import area_name, safety_view
from bot.render.suggestions import reason_text, topic, voice_rows, voice_words

__all__ = [
    "CSV_NAME",
    "FORMATS",
    "JSON_NAME",
    "Report",
    "long_period_label",
    "md_escape",
    "render",
    "render_csv",
    "render_html",
    "render_json",
    "render_markdown",
    "report_data",
    "site_files",
]

# Where ``report --site`` puts the open data, next to index.html; the page links to these.
JSON_NAME = "uppfoljning.json"
CSV_NAME = "uppfoljning.csv"
CHART_ID = "chart-title"
FORMATS = ("html", "md", "csv", "json")


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


def state_codes(tr: Translator) -> str:
    """How the state codes in the open data read in words: ``done = klart, …``."""
    return tr.join(f"{state.value} = {state_word(tr, state)}" for state in State)


_MD_SPECIAL = "\\`*_[]<>|~"


def md_escape(text: str) -> str:
    """Staff text in Markdown: every character that could be markup is escaped."""
    return "".join("\\" + ch if ch in _MD_SPECIAL else ch for ch in text)


# --- the templates -------------------------------------------------------------------------


@pass_context
def _gettext(context: Context, message: str) -> str:
    """gettext for the templates: the translator of the report being rendered (``tr`` in the
    template's context), so one environment serves every language at once."""
    return cast(Translator, context["tr"]).gettext(message)


@pass_context
def _ngettext(context: Context, singular: str, plural: str, n: int) -> str:
    return cast(Translator, context["tr"]).ngettext(singular, plural, n)


def _environment() -> Environment:
    env = Environment(
        loader=PackageLoader("bot.render", "templates"),
        # HTML is escaped as it is printed; Markdown escapes staff text with |md.
        autoescape=select_autoescape(enabled_extensions=("html.j2",), default=False),
        extensions=["jinja2.ext.i18n"],
        undefined=StrictUndefined,
        trim_blocks=True,
        lstrip_blocks=True,
        keep_trailing_newline=True,
    )
    # Old-style gettext: ``_()`` returns the translation and ``str.format`` fills it, as in
    # the Python code, so msgids keep their ``{name}`` placeholders.
    env.install_gettext_callables(  # type: ignore[attr-defined]
        cast(Any, _gettext), cast(Any, _ngettext), newstyle=False
    )
    env.filters["md"] = md_escape
    # Soft hyphens help narrow HTML tables; in plain text they are only noise.
    env.filters["unhyphenated"] = lambda text: str(text).replace("\u00ad", "")
    env.globals.update(
        Cadence=Cadence,
        State=State,
        DEMO_MARK=DEMO_MARK,
        JSON_NAME=JSON_NAME,
        CSV_NAME=CSV_NAME,
        no_info=InfoDone(),
        state_word=state_word,
        state_codes=state_codes,
        period_label=period_label,
        long_period_label=long_period_label,
        conditions_text=conditions_text,
        counted_text=counted_text,
        not_met_text=not_met_text,
        tally_text=tally_text,
        not_counted_text=not_counted_text,
    )
    return env


_ENV = _environment()


def _data_href(name: str, text: str, site: bool) -> str:
    """A link to the open data: next to the page on the website, or inside the page itself
    (a ``data:`` link) when the page is handed over as a single file."""
    if site:
        return name
    mime = "application/json" if name.endswith(".json") else "text/csv"
    return f"data:{mime};charset=utf-8,{quote(text)}"


def render_html(report: Report, site: bool = False, index_href: str | None = None) -> str:
    """``index_href``: the site's index of every promise (several promises), linked from the
    top of the page."""
    chart = None
    if not report.empty:
        svg = inline_svg(report.chart_svg, CHART_ID)
        # The drawing is matplotlib's SVG (its texts escaped by its writer); its name is
        # printed by the template, escaped there.
        chart = {"start": Markup(svg.start), "rest": Markup(svg.rest), "element_id": CHART_ID}
    return _ENV.get_template("followup/page.html.j2").render(
        report=report,
        tr=report.tr,
        chart=chart,
        voice=_voice(report),
        safety=_safety(report),
        index_href=index_href,
        json_href=_data_href(JSON_NAME, render_json(report), site),
        csv_href=_data_href(CSV_NAME, render_csv(report), site),
    )


def render_markdown(report: Report) -> str:
    text = _ENV.get_template("followup/page.md.j2").render(
        report=report, tr=report.tr, voice=_voice(report), safety=_safety(report)
    )
    return text.rstrip() + "\n"


# --- JSON and CSV --------------------------------------------------------------------------


def _period_data(line: Line, tr: Translator, counts_only: bool) -> dict[str, object]:
    row = line.row
    out: dict[str, object] = {
        "label": long_period_label(row.period, tr),
        "start": row.period.start.isoformat(),
        "end": row.period.end.isoformat(),
        "target": row.target,
        "done": row.done,
        "state": row.state.value,
        "late": row.late,
    }
    if row.conditions is not None and not counts_only:
        # How the period's reports stand against the promise's conditions (counts only).
        out["conditions"] = row.conditions.to_json()
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
            else [_period_data(line, tr, section.counts_only) for line in section.lines],
        }
        if c.conditions and not section.counts_only:
            # What a report must meet to count, in the promise's own words.
            entry["conditions"] = [
                {"id": k.id, "kind": k.kind.value, "label": k.label.get(tr.locale), "seed": k.seed}
                for k in c.conditions
            ]
        before = report.earlier_section(c.id)
        if before is not None and report.earlier is not None:
            # Promise after promise: the previous promise's final result for what this
            # commitment carries on.
            entry["earlier"] = {
                "promise": report.earlier.promise.id,
                "commitment": before.commitment.id,
                "done": None if report.earlier.empty else before.done,
                "promised": None if before.commitment.target is None else before.promised,
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
            "assumptions": report.assumptions,
            "source_url": p.source_url,
            "publisher": _publisher_data(report),
            "ended": report.final,
            "as_of": report.today.isoformat(),
            # Nothing registered yet: no periods and no states, rather than every one "missed".
            "no_reports_yet": report.empty,
        },
        "generated_at": report.generated_at.isoformat(timespec="seconds"),
        "commitments": commitments,
        **({"voice": voice} if (voice := voice_data(report)) is not None else {}),
        **({"safety": safety} if (safety := safety_data(report)) is not None else {}),
    }


def _voice(report: Report) -> dict[str, object] | None:
    """The "Ni sa – vi gjorde" section's words and rows, or None (not gathered)."""
    if report.voice is None or not report.voice.total:
        return None  # nothing raised yet: no section (the open data still says so)
    return {
        "words": voice_words(report.tr, report.voice),
        "rows": voice_rows(report.tr, report.promise, report.voice),
    }


def voice_data(report: Report) -> dict[str, object] | None:
    """``voice`` in ``report --format json``: per theme and area from PUBLISH_FROM people, the
    count and what became of it; never a text or a person."""
    voice = report.voice
    if voice is None:
        return None
    groups = []
    for group in voice.groups:
        by, name = split_key(group.key)
        groups.append(
            {
                "by": by,
                "id": name,
                "title": topic(report.tr, report.promise, group.key),
                "count": group.count,
                "status": group.status.value,
                "reason": reason_text(report.tr, group.reason) or None,
                "event": {"title": group.event_title, "date": group.event_day}
                if group.event_title
                else None,
            }
        )
    return {
        "published_from": PUBLISH_FROM,
        "total": voice.total,
        "not_shown": voice.hidden,
        "groups": groups,
    }


def _safety(report: Report) -> dict[str, object] | None:
    """The "How safe do residents feel?" section, or None (nothing asked or imported)."""
    if report.safety is None:
        return None
    return safety_view(report.tr, report.promise, report.safety, report.today)


def safety_data(report: Report) -> dict[str, object] | None:
    """``safety`` in ``report --format json``: per area the official figures and the pulse
    per quarter as on the page (a quarter under the minimum without its figures), and the
    days efforts were made there; counts only, never a person."""
    summary = report.safety
    if summary is None or summary.empty:
        return None
    areas = []
    for area in summary.areas:
        pulse: list[dict[str, object]] = []
        for f in area.pulse:
            entry: dict[str, object] = {"quarter": f.quarter, "shown": f.shown}
            if f.shown:
                low, high = f.interval
                entry.update(
                    answers=f.answers,
                    unsafe=f.unsafe,
                    dont_know=f.dont_know,
                    unsafe_share=round(f.share, 4),
                    interval_95=[round(low, 4), round(high, 4)],
                )
            pulse.append(entry)
        areas.append(
            {
                "id": area.area or None,
                "name": area_name(report.tr, report.promise, area.area),
                "official": [
                    {
                        "period_start": o.period_start.isoformat(),
                        "period_end": o.period_end.isoformat(),
                        "source": o.source,
                        "respondents": o.respondents,
                        "unsafe_share": round(o.unsafe_share, 4),
                    }
                    for o in area.official
                ],
                "pulse": pulse,
                "efforts": [{"date": d.isoformat(), "commitment": c} for d, c in area.efforts],
            }
        )
    return {
        "question": "NTU: out alone late in the evening in one's own area",
        "published_from": summary.min_answers,
        "self_selected": True,
        "areas": areas,
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
    # The promise's conditions (empty for a commitment without them, or count-only).
    "met_every_condition",
    "some_unknown",
    "not_counted",
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
            tally = None if section.counts_only else row.conditions
            conditions = (
                ("", "", "") if tally is None else (tally.all_met, tally.unknown, tally.not_counted)
            )
            writer.writerow(
                [
                    _cell(v)
                    for v in (
                        c.id,
                        c.title.get(tr.locale),
                        long_period_label(row.period, tr),
                        row.period.start.isoformat(),
                        row.period.end.isoformat(),
                        "" if row.target is None else row.target,
                        row.done,
                        row.state.value,
                        "true" if row.late else "false",
                        *conditions,
                    )
                ]
            )
    return plain(buffer.getvalue())


# --- every format --------------------------------------------------------------------------


def render(report: Report, fmt: str) -> str:
    if fmt == "md":
        return render_markdown(report)
    if fmt == "csv":
        return render_csv(report)
    if fmt == "json":
        return render_json(report)
    return render_html(report)


def site_files(report: Report, index_href: str | None = None) -> dict[str, str]:
    """``index.html`` plus the open data it links to, by file name, ready for a website
    (``trygghetsbot report --site`` writes them)."""
    return {
        "index.html": render_html(report, site=True, index_href=index_href),
        JSON_NAME: render_json(report),
        CSV_NAME: render_csv(report),
    }


# --- several promises: the site's index -------------------------------------------------


@dataclass(frozen=True)
class Published:
    """One promise on the site: its report, where its page is, and where it stands."""

    report: Report
    folder: str  # the promise's folder on the site (its id)
    phase: Phase


def _words(report: Report) -> Any:
    return _ENV.get_template("followup/words.j2").make_module({"report": report, "tr": report.tr})


def render_index(promises: list[Published], tr: Translator, generated_at: datetime) -> str:
    """The index page: in force, then coming, then earlier promises with their final
    result, each linking to the index.html in the promise's folder."""

    def entry(item: Published) -> dict[str, object]:
        r = item.report
        p = r.promise
        window = tr.gettext("{start} – {end}").format(
            start=tr.date(p.window.start, "d MMMM yyyy"), end=tr.date(p.window.end, "d MMMM yyyy")
        )
        return {
            "href": f"{item.folder}/index.html",
            "name": p.name.get(tr.locale),
            "municipality": p.municipality,
            "window": window,
            "demo": _words(r).demo if r.demo else "",
            "draft": tr.gettext("A draft: not decided yet.") if item.phase == "draft" else "",
            "final": list(_words(r).final_result) if item.phase == "ended" and not r.empty else [],
        }

    def pick(*phases: str) -> list[dict[str, object]]:
        return [entry(item) for item in promises if item.phase in phases]

    ended = [item for item in promises if item.phase == "ended"]
    ended.sort(key=lambda item: item.report.promise.window.end, reverse=True)
    groups = [
        (tr.gettext("In force now"), pick("in_force")),
        (tr.gettext("Coming"), pick("upcoming", "draft")),
        (tr.gettext("Earlier promises"), [entry(item) for item in ended]),
    ]
    stamp = tr.gettext("Made {date}.").format(date=tr.date(generated_at.date(), "d MMMM yyyy"))
    police = promises[0].report.promise.police_area if promises else ""
    return _ENV.get_template("followup/index.html.j2").render(
        tr=tr, groups=groups, generated=stamp, police_area=police
    )


def promise_site_files(
    promises: list[Published], tr: Translator, generated_at: datetime
) -> dict[str, str]:
    """Several promises: ``index.html`` listing them, and each promise's page and open data
    in its own folder, named by the promise's id (index.html, uppfoljning.json, ...)."""
    files = {"index.html": render_index(promises, tr, generated_at)}
    for item in promises:
        for name, text in site_files(item.report, "../index.html").items():
            files[f"{item.folder}/{name}"] = text
    return files
