"""Presenters for residents' progress: /progress (the summary and the chart, also the answer
to "Hur går det?" typed or tapped), /follow and the daily news to followers; and the caption
of the follow-up page admins get with /publish."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import date
from typing import Literal

from bot.domain.pace import state_badge
from bot.domain.periods import Period, period_label
from bot.domain.promise import Cadence, Commitment, Promise
from bot.domain.views import CommitmentProgress, Progress
from bot.i18n import Translator
from bot.render import Button, Screen
from bot.render.callbacks import FollowAction, FollowPress
from bot.render.chart import Bar, render_chart
from bot.render.conditions import not_counted_text, tally_text


def chart_with_alt(
    bars: list[Bar], title: str, tr: Translator, fmt: Literal["png", "svg"] = "png"
) -> tuple[bytes, str]:
    """A chart and the same facts as text, for captions and alt text."""
    _ = tr.gettext
    image = render_chart(bars, title, _("Done"), _("Promised"), fmt)
    facts = "; ".join(
        _("{name} {done} of {target}").format(name=b.label, done=b.done, target=b.target)
        for b in bars
    )
    return image, f"{title}: {facts}"


def summary(tr: Translator, promise: Promise, progress: Progress) -> str:
    _ = tr.gettext
    window = promise.window
    if progress.today > window.end:
        heading = _("The promise ended on {date}. Final result:").format(date=tr.date(window.end))
    else:
        heading = _("How the promise is going ({date}):").format(date=tr.date(progress.today))
    lines = [heading, ""]
    for item in progress.items:
        lines.append(line(tr, item, progress.today))
        found = (
            tally_text(tr, item.current.conditions),
            not_counted_text(tr, item.current.conditions),
        )
        lines += ["   " + text for text in found if text]
    shown = progress.activities[:5]
    if shown:
        lines += ["", _("Recently:")]
        for activity in shown:
            commitment = promise.commitment(activity.commitment)
            where = tr.comma + activity.place if activity.place else ""
            lines.append(
                f"• {commitment.short.get(tr.locale)}{where} – "
                f"{tr.date(activity.date, 'EEEE d MMMM')}"
            )
    lines += ["", _("Follow a commitment with /follow to get news when it moves.")]
    return "\n".join(lines)


def final_result(tr: Translator, promise: Promise, progress: Progress) -> str:
    """An ended promise's final result, commitment by commitment over its whole window (a
    resident's "how did the last promise go?")."""
    _ = tr.gettext
    heading = _("The previous promise, {name} ({start} – {end}). Final result:").format(
        name=promise.name.get(tr.locale),
        start=tr.date(promise.window.start),
        end=tr.date(promise.window.end),
    )
    lines = [heading, ""]
    for item in progress.items:
        c = item.commitment
        if c.cadence is Cadence.MILESTONE:
            state = state_badge(tr, item.current.state, item.current.late)
        elif item.promised_total is None:
            state = str(item.done_total)
        else:
            state = _("{done} of {target}").format(done=item.done_total, target=item.promised_total)
        lines.append("• " + _("{name}: {state}").format(name=c.short.get(tr.locale), state=state))
    return "\n".join(lines)


def no_earlier_promise(tr: Translator, promise: Promise) -> str:
    return tr.gettext("There is no earlier promise here yet. The one now is: {name}.").format(
        name=promise.name.get(tr.locale)
    )


def line(tr: Translator, item: CommitmentProgress, today: date) -> str:
    _ = tr.gettext
    c, row = item.commitment, item.current
    name = c.short.get(tr.locale)
    if c.cadence is Cadence.MILESTONE:
        return _("{name}: {state}").format(name=name, state=state_badge(tr, row.state, row.late))
    if c.cadence is Cadence.TRACKED:
        return tr.ngettext("{name}: {n} so far", "{name}: {n} so far", item.done_total).format(
            name=name, n=item.done_total
        )
    # Count-only commitments are shown exactly like the others: the count, the promised
    # number (it is in the published promise) and a state that ignores plans.
    return _("{name}: {done} of {target} {period} – {state}").format(
        name=name,
        done=row.done,
        target=row.target,
        period=period_phrase(tr, row.period, today),
        state=state_badge(tr, row.state),
    )


def period_phrase(tr: Translator, period: Period, today: date) -> str:
    _ = tr.gettext
    if period.start <= today <= period.end:
        return {
            "term": _("this term"),
            "school_year": _("this school year"),
            "year": _("this year"),
            "window": _("over the whole promise"),
        }.get(period.kind.value, period_label(period, tr))
    return _("in {period}").format(period=period_label(period, tr))


def chart(
    tr: Translator, promise: Promise, progress: Progress, fmt: Literal["png", "svg"] = "png"
) -> tuple[bytes, str]:
    """The image and its text alternative (for the caption and the HTML alt text): each
    counted commitment in the period running now for it, or once the promise has ended its
    final result. Bars show the share of the target (bot.render.chart)."""
    counted = [i for i in progress.items if i.commitment.is_counted]
    window = promise.window
    if progress.today > window.end:
        bars = [
            Bar(
                i.commitment.short.get(tr.locale),
                sum(r.done for r in i.history),
                sum(r.target or 0 for r in i.history),
            )
            for i in counted
        ]
        title = tr.gettext("Final result {start}–{end}: promised and done").format(
            start=window.start.year, end=window.end.year
        )
    else:
        # Terms, years and the whole promise side by side: each bar names its own period.
        bars = [
            Bar(
                tr.gettext("{name} ({period})").format(
                    name=i.commitment.short.get(tr.locale),
                    period=period_label(i.current.period, tr),
                ),
                i.current.done,
                i.current.target or 0,
            )
            for i in counted
        ]
        title = tr.gettext("Promised and done, as of {date}").format(
            date=tr.date(progress.today, "d MMMM yyyy")
        )
    return chart_with_alt(bars, title, tr, fmt)


def news(tr: Translator, items: Sequence[CommitmentProgress], today: date) -> Screen:
    """The daily message to a follower: the commitments that moved."""
    _ = tr.gettext
    lines = [_("News about the promise you follow:")]
    lines += ["• " + line(tr, item, today) for item in items]
    lines += ["", _("See everything with /progress.")]
    return Screen("\n".join(lines))


def follow_buttons(
    tr: Translator, followable: Sequence[Commitment], following: set[str], promise_index: int = 0
) -> list[list[Button]]:
    """A button per commitment: ✅ followed (tap to stop), ➕ not followed (tap to follow)."""
    rows = []
    for commitment in followable:
        on = commitment.id in following
        mark = "✅ " if on else "➕ "
        action = FollowAction.OFF if on else FollowAction.ON
        press = FollowPress(action, commitment.id, promise_index)
        rows.append([Button(mark + commitment.short.get(tr.locale), press)])
    return rows


def follow_choice(
    tr: Translator,
    followable: Sequence[Commitment],
    following: set[str],
    promise_index: int = 0,
    heading: str | None = None,
) -> Screen:
    """``heading``: whose promise it is, when the deployment has several kommuner."""
    text = tr.gettext(
        "Choose what to follow. You get at most one short message a day when something "
        "moves. Tap again to stop."
    )
    if heading:
        text = f"{heading}\n\n{text}"
    return Screen(text, follow_buttons(tr, followable, following, promise_index))


def following_now(
    tr: Translator, followable: Sequence[Commitment], following: set[str], promise_index: int = 0
) -> Screen:
    names = tr.join(c.short.get(tr.locale) for c in followable if c.id in following)
    text = tr.gettext("You follow: {names}").format(names=names or tr.gettext("nothing"))
    return Screen(text, follow_buttons(tr, followable, following, promise_index))


def published_caption(tr: Translator) -> str:
    """/publish: the caption of the follow-up page sent as a file."""
    return tr.gettext(
        "The follow-up of the promise as a web page, with public data only. "
        "Open it in a browser or paste it into the website."
    )
