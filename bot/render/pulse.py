"""Presenters for the safety pulse: the invitation with its area taps, the anonymous poll's
question and answers (Brå's NTU wording), the opt-in asked once, the short answers around
them, the page's "How safe do residents feel?" section with its chart, and the lines staff
read in /status and the Monday digest."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date

from bot.domain.promise import Promise
from bot.domain.pulse import (
    WHOLE_KOMMUN,
    AreaSafety,
    Feeling,
    OfficialFigure,
    PulseFigure,
    SafetySummary,
    quarter_end,
    quarter_start,
)
from bot.i18n import Translator
from bot.render import Button, Screen
from bot.render.callbacks import PulseAction, PulsePress

POLL_QUESTION_MAX = 300  # Telegram's limits on a poll
POLL_OPTION_MAX = 100


def area_name(tr: Translator, promise: Promise, area_id: str) -> str:
    if area_id == WHOLE_KOMMUN:
        return tr.gettext("The whole kommun")
    area = next((a for a in promise.areas if a.id == area_id), None)
    return area.name.get(tr.locale) if area is not None else area_id


# --- in chat -------------------------------------------------------------------------------


def invitation(tr: Translator, promise: Promise, promise_index: int = 0) -> Screen:
    """The question's first step: which area (a tap, never a street), then the poll."""
    _ = tr.gettext
    text = "\n\n".join(
        [
            _("A short question about safety, for the follow-up of the promise."),
            _(
                "Where do you live? Tap your area, and you get one question you answer "
                "anonymously: we only see how many chose each answer, never who."
            ),
        ]
    )
    rows = [
        [Button(a.name.get(tr.locale), PulsePress(PulseAction.AREA, i, promise_index))]
        for i, a in enumerate(promise.areas)
    ]
    rows.append([Button(_("Not now"), PulsePress(PulseAction.LATER, 0, promise_index))])
    return Screen(text, rows)


def area_chosen(tr: Translator, promise: Promise) -> Screen:
    """The invitation once an area is tapped (its buttons gone), before the poll. It does not
    repeat the area: a message that waits in the outbox would link her chat to it."""
    text = invitation(tr, promise).text
    return Screen(f"{text}\n\n✔ {tr.gettext('Thank you. The question comes below.')}")


def poll(tr: Translator) -> tuple[str, list[str]]:
    """The anonymous poll: Brå's question and its answers, in ``Feeling``'s order."""
    _ = tr.gettext
    # TRANSLATORS: Brå's national crime survey (NTU) question, sent as a Telegram poll (at
    # most 300 characters; each answer at most 100). Where the survey or the police's safety
    # survey has an official wording in your language, use it, so the figures compare.
    question = _(
        "How safe or unsafe would you feel if you went out alone late one evening in the "
        "area where you live?"
    )
    answers = {
        Feeling.VERY_SAFE: _("Very safe"),
        Feeling.FAIRLY_SAFE: _("Fairly safe"),
        Feeling.FAIRLY_UNSAFE: _("Fairly unsafe"),
        Feeling.VERY_UNSAFE: _("Very unsafe"),
        Feeling.DONT_KNOW: _("Don't know / never go out alone late"),
    }
    return question[:POLL_QUESTION_MAX], [answers[f][:POLL_OPTION_MAX] for f in Feeling]


def not_now(tr: Translator) -> str:
    return tr.gettext("Fine. You can answer later with /trygghet.")


def already_answered(tr: Translator) -> str:
    return tr.gettext(
        "You have already had the question this quarter. Thank you! The answers are shown "
        "on the follow-up page."
    )


def residents_only(tr: Translator) -> str:
    return tr.gettext(
        "The safety question is for residents. Staff are not asked, so that the figures are "
        "residents' own."
    )


def no_areas(tr: Translator) -> str:
    return tr.gettext("This promise has no areas to ask about yet.")


def send_failed(tr: Translator) -> str:
    return tr.gettext("The question could not be sent just now. Tap your area again in a while.")


def opt_in_question(tr: Translator, promise_index: int = 0) -> Screen:
    """Asked once, after /progress: a "no" is never asked again."""
    _ = tr.gettext
    text = _(
        "Do you want one short question about how safe you feel, once a quarter? "
        "It is anonymous, and you can stop with /trygghet."
    )
    return Screen(
        text,
        [
            [
                Button(_("Yes, once a quarter"), PulsePress(PulseAction.YES, 0, promise_index)),
                Button(_("No, thanks"), PulsePress(PulseAction.NO, 0, promise_index)),
            ]
        ],
    )


def opted(tr: Translator, yes: bool) -> str:
    if yes:
        return tr.gettext("Thank you! You get the question once a quarter. Stop with /trygghet.")
    return tr.gettext("Fine, we will not ask you again.")


def command_screen(tr: Translator, opted_in: bool, promise_index: int = 0) -> Screen:
    """/trygghet: answer now, and be asked once a quarter or not."""
    _ = tr.gettext
    text = _("How safe do you feel? One anonymous question for the follow-up of the promise.")
    toggle = (
        Button(_("Stop asking me each quarter"), PulsePress(PulseAction.NO, 0, promise_index))
        if opted_in
        else Button(_("Ask me once a quarter"), PulsePress(PulseAction.YES, 0, promise_index))
    )
    return Screen(
        text,
        [[Button(_("Answer now"), PulsePress(PulseAction.ASK, 0, promise_index))], [toggle]],
    )


def poster_button(tr: Translator, promise_index: int = 0) -> Button:
    """Beside a poster's welcome: the question, for whoever came through the link."""
    return Button(
        tr.gettext("How safe do you feel here?"), PulsePress(PulseAction.ASK, 0, promise_index)
    )


def progress_lines(tr: Translator, promise: Promise, summary: SafetySummary) -> list[str]:
    """/progress: how safe residents feel beside what was done, where residents follow the
    promise: each area's latest published pulse figure, and the kommun's latest official one."""
    lines: list[str] = []
    for area in summary.areas:
        name = area_name(tr, promise, area.area)
        if area.latest is not None:
            lines.append(f"• {name}: {figure_text(tr, area.latest)}")
        if area.official:
            lines.append(f"• {name}: {official_text(tr, area.official[-1])}")
    if not lines:
        return []
    return [tr.gettext("How safe do residents feel?"), *lines]


# --- for staff -----------------------------------------------------------------------------


def figure_text(tr: Translator, figure: PulseFigure) -> str:
    low, high = figure.interval
    return tr.gettext("{share} feel unsafe ({low}–{high}, {n} answers, {quarter})").format(
        share=tr.percent(figure.share),
        low=tr.percent(low),
        high=tr.percent(high),
        n=figure.answers,
        quarter=quarter_label(tr, figure.quarter),
    )


def status_lines(tr: Translator, promise: Promise, areas: list[AreaSafety]) -> list[str]:
    """/status detail: each area the commitment's activities were held in (each with at
    least one quarter of answers), its latest published pulse figure and its trend."""
    lines = []
    for area in areas:
        name = area_name(tr, promise, area.area)
        latest = area.latest
        if latest is None:
            lines.append(
                tr.gettext("Safety in {area}: fewer than {n} answers yet.").format(
                    area=name, n=area.pulse[-1].min_answers
                )
            )
            continue
        line = tr.gettext("Safety in {area}: {figure}").format(
            area=name, figure=figure_text(tr, latest)
        )
        trend = area.trend
        if trend is not None:
            line += " " + trend_text(tr, *trend)
        lines.append(line)
    return lines


def trend_text(tr: Translator, before: PulseFigure, after: PulseFigure) -> str:
    low_b, high_b = before.interval
    low_a, high_a = after.interval
    if low_a > high_b:
        return tr.gettext("Worse than the quarter before, beyond the uncertainty.")
    if high_a < low_b:
        return tr.gettext("Better than the quarter before, beyond the uncertainty.")
    return tr.gettext("No clear change from the quarter before.")


def digest_line(tr: Translator, promise: Promise, worse: list[AreaSafety]) -> str | None:
    """The Monday digest: areas whose pulse worsened beyond its uncertainty."""
    if not worse:
        return None
    names = tr.join(area_name(tr, promise, a.area) for a in worse)
    return tr.gettext(
        "Safety pulse: more residents feel unsafe in {areas} than the quarter before."
    ).format(areas=names)


# --- the follow-up page ----------------------------------------------------------------------


def quarter_label(tr: Translator, quarter: str) -> str:
    start, end = quarter_start(quarter), quarter_end(quarter)
    return f"{tr.date(start, 'MMM')}–{tr.date(end, 'MMM yyyy')}"


@dataclass(frozen=True)
class Mark:
    x: float
    y: float
    low: float = 0.0
    high: float = 0.0
    label: str = ""


@dataclass(frozen=True)
class AreaChart:
    """One area's chart, laid out for the SVG template (user units; y grows downwards)."""

    width: int
    height: int
    left: int
    top: int
    plot_width: int
    plot_height: int
    gridlines: list[tuple[float, str]]  # (y, "25 %")
    ticks: list[tuple[float, str]]  # (x, year)
    pulse: list[Mark]  # point with its interval
    official: list[Mark]  # a segment over the survey's period: x..low is the span
    efforts: list[Mark]
    title: str
    description: str


WIDTH, HEIGHT, LEFT, TOP, RIGHT, BOTTOM = 400, 220, 44, 12, 10, 40  # fits a phone unscaled


def _chart(tr: Translator, promise: Promise, area: AreaSafety, start: date, end: date) -> AreaChart:
    plot_w, plot_h = WIDTH - LEFT - RIGHT, HEIGHT - TOP - BOTTOM
    span = max(1, (end - start).days)

    def x(day: date) -> float:
        return round(LEFT + plot_w * min(max((day - start).days, 0), span) / span, 1)

    top_share = 0.6
    for o in area.official:
        top_share = max(top_share, o.unsafe_share)
    for p in area.pulse:
        if p.shown:
            top_share = max(top_share, p.interval[1])
    top_share = min(1.0, (int(top_share * 4) + 1) / 4)

    def y(share: float) -> float:
        return round(TOP + plot_h * (1 - share / top_share), 1)

    grid = [(y(s / 4), tr.percent(s / 4)) for s in range(int(top_share * 4) + 1)]
    ticks = [(x(date(year, 1, 1)), str(year)) for year in range(start.year + 1, end.year + 1)]
    pulse = []
    for fig in area.pulse:
        if not fig.shown:
            continue
        first, last = quarter_start(fig.quarter), quarter_end(fig.quarter)
        middle = first + (last - first) / 2
        low, high = fig.interval
        pulse.append(Mark(x(middle), y(fig.share), y(low), y(high), figure_text(tr, fig)))
    official = [
        Mark(x(f.period_start), y(f.unsafe_share), x(f.period_end), 0.0, official_text(tr, f))
        for f in area.official
    ]
    efforts = [
        Mark(
            x(day),
            TOP + plot_h,
            label=f"{tr.date(day, 'd MMM yyyy')}: {commitment_name(tr, promise, c)}",
        )
        for day, c in area.efforts
        if start <= day <= end
    ]
    name = area_name(tr, promise, area.area)
    return AreaChart(
        WIDTH,
        HEIGHT,
        LEFT,
        TOP,
        plot_w,
        plot_h,
        grid,
        ticks,
        pulse,
        official,
        efforts,
        tr.gettext("Share who feel unsafe in {area}").format(area=name),
        tr.gettext(
            "Dots with lines: the pulse per quarter with its uncertainty. Bars: official "
            "survey figures. Marks at the bottom: the days efforts were made in the area."
        ),
    )


def _effort(tr: Translator, promise: Promise, day: date, commitment_id: str) -> str:
    return f"{tr.date(day, 'd MMM yyyy')}: {commitment_name(tr, promise, commitment_id)}"


def commitment_name(tr: Translator, promise: Promise, commitment_id: str) -> str:
    c = promise.get(commitment_id)
    return c.short.get(tr.locale) if c is not None else commitment_id


def official_text(tr: Translator, f: OfficialFigure) -> str:
    return tr.gettext("{share} feel unsafe ({source}, {start}–{end}, {n} respondents)").format(
        share=tr.percent(f.unsafe_share),
        source=f.source,
        start=tr.date(f.period_start, "MMM yyyy"),
        end=tr.date(f.period_end, "MMM yyyy"),
        n=f.respondents,
    )


def safety_view(
    tr: Translator, promise: Promise, summary: SafetySummary, today: date
) -> dict[str, object] | None:
    """The page's section: its sentences and, per area, the chart and the table rows."""
    if summary.empty:
        return None
    _ = tr.gettext
    days = [promise.window.start, min(today, promise.window.end)]
    for a in summary.areas:
        days += [f.period_start for f in a.official]
        days += [quarter_start(p.quarter) for p in a.pulse]
    start = date(min(days).year, 1, 1)
    end = max(max(days), today if today <= promise.window.end else promise.window.end)
    areas = []
    for a in summary.areas:
        rows: list[tuple[str, str, str, str]] = []  # when, source, figure, answers
        for f in a.official:
            rows.append(
                (
                    f"{tr.date(f.period_start, 'MMM yyyy')}–{tr.date(f.period_end, 'MMM yyyy')}",
                    f.source,
                    tr.percent(f.unsafe_share),
                    str(f.respondents),
                )
            )
        for p in a.pulse:
            if p.shown:
                low, high = p.interval
                figure = f"{tr.percent(p.share)} ({tr.percent(low)}–{tr.percent(high)})"
                answers = str(p.answers)
            else:
                figure = _("not shown")
                answers = _("fewer than {n}").format(n=summary.min_answers)
            rows.append((quarter_label(tr, p.quarter), _("The bot's question"), figure, answers))
        areas.append(
            {
                "id": a.area,
                "name": area_name(tr, promise, a.area),
                "chart": _chart(tr, promise, a, start, end),
                "rows": rows,
            }
        )
    return {
        "heading": _("How safe do residents feel?"),
        "intro": _(
            "The share who would feel fairly or very unsafe out alone late one evening in "
            "their own area, the question of Brå's national crime survey: from the official "
            "surveys, and from the bot's anonymous question to residents."
        ),
        "caveat": _(
            "The bot's answers are self-selected: residents who use the bot and chose to "
            "answer, not a survey of all residents. A quarter is shown only from {n} "
            "answers, with its 95 % interval (Wilson)."
        ).format(n=summary.min_answers),
        "cause": _(
            "The figures moved while the efforts were made; they do not prove that the "
            "efforts made the difference."
        ),
        "head": (_("When"), _("Source"), _("Feel unsafe"), _("Answers")),
        "caption": _("Share who feel unsafe, per source and period"),
        "areas": areas,
    }
