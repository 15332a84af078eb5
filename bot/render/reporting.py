"""Presenters for staff reporting: the report card, the guided /report's questions, the
"saved" answer, what is said to typed text the card cannot use, /myreports and the event
follow-up's count question."""

from __future__ import annotations

from dataclasses import replace
from datetime import date, timedelta

from bot.domain.conditions import Verdict
from bot.domain.promise import Commitment, Promise
from bot.domain.promise_set import PromiseSet
from bot.domain.records import Activity
from bot.domain.views import COUNT_MAX, KIND_LABEL, Draft, Problem
from bot.i18n import Translator
from bot.language.pii import pii_kinds
from bot.language.report_fix import PLACE_MAX, Field
from bot.render import Button, Screen
from bot.render.callbacks import (
    Card,
    CardAction,
    FollowupCount,
    FollowupOther,
    MilestoneAction,
    MilestoneChoice,
)
from bot.render.conditions import condition_labels

COUNT_CHOICES = (5, 10, 20, 30, 50)


def _b(label: str, action: CardAction, arg: object = 0, card: int = 0) -> Button:
    return Button(label, Card(action, str(arg), card))


def on_card(screen: Screen, card_id: int | None) -> Screen:
    """Every card button of ``screen`` acts on this card (the row the card is kept in)."""
    if not card_id:
        return screen
    rows = [
        [
            replace(b, data=replace(b.data, card=card_id)) if isinstance(b.data, Card) else b
            for b in row
        ]
        for row in screen.rows
    ]
    return Screen(screen.text, rows)


def card_label(tr: Translator, promise: Promise, draft: Draft, short: bool = False) -> str:
    """A card in a few words: "Tematräffar, fredag 15 mars 2024" (``short``, for a button:
    "Tematräffar, fre 15 mars")."""
    commitment = promise.get(draft.commitment or "")
    kind = commitment.short.get(tr.locale) if commitment else tr.gettext("(not chosen)")
    if draft.date_choices:
        return kind
    day = (
        tr.date(draft.date, "EEE d MMM").replace(".", "") if short else tr.weekday_date(draft.date)
    )
    return f"{kind}, {day}"


def card(
    tr: Translator,
    promise: Promise,
    draft: Draft,
    problems: list[Problem],
    duplicates: list[Activity],
    milestone: bool,
    today: date,
    others: int = 0,
    kept: Draft | None = None,
    verdict: Verdict | None = None,
    promises: PromiseSet | None = None,
) -> Screen:
    """The draft as it would be saved, what stops it from being saved, and one button for
    each fix. Save is offered only when nothing stops it. ``kept``: the card that was open
    when this one's text came, kept unchanged; ``others``: how many more cards wait.
    ``promises``: several promises; the card says which one it counts for (``promise``),
    marks a report for an ended promise as registered late, and offers the others it could
    count for."""
    _ = tr.gettext
    commitment = promise.get(draft.commitment or "")
    kind = commitment.short.get(tr.locale) if commitment else _("(not chosen)")
    lines = []
    if kept is not None:
        lines += [
            _("A new card. The one you had open is kept as it was: {card}.").format(
                card=card_label(tr, promise, kept)
            ),
            "",
        ]
    lines += [
        _("Is this right?") if draft.activity_id is None else _("Edit report:"),
        _("What: {kind}").format(kind=kind),
        _("Date: {date}").format(date=tr.weekday_date(draft.date))
        if not draft.date_choices
        else _("Date: which day, {first} – {last}?").format(
            first=tr.weekday_date(draft.date_choices[0]),
            last=tr.weekday_date(draft.date_choices[-1]),
        ),
    ]
    if not milestone:
        count = draft.count if draft.count is not None else "–"
        lines.append(_("People: {count}").format(count=count))
    lines.append(_("Place: {place}").format(place=draft.place or "–"))
    several = promises is not None and len(promises) > 1
    if several:
        lines.append(_("Counts for: {promise}").format(promise=promise.name.get(tr.locale)))
        if today > promise.window.end:
            lines.append(
                _("Registered late: the promise ended on {date}.").format(
                    date=tr.date(promise.window.end, "d MMMM yyyy")
                )
            )
    labels = condition_labels(tr, commitment, draft.answers) if commitment else []
    if labels and verdict is not None:
        lines.append(_("Conditions: {marks}").format(marks=tr.join(label for _c, label in labels)))
    if Problem.PERSONAL_DATA in problems:
        kinds = tr.join(_(KIND_LABEL[k]) for k in pii_kinds(draft.free_text))
        lines += [
            "",
            _("⚠ The text contains personal data ({kinds}). It is not saved as it is.").format(
                kinds=kinds
            ),
        ]
        fixes = [
            [_b(_("Remove it automatically"), CardAction.REDACT)],
            [_b(_("Cancel, I will write it again"), CardAction.DROP)],
        ]
        return Screen("\n".join(lines), fixes)
    warnings = [problem_line(tr, promise, draft, p) for p in problems]
    if commitment is not None and verdict is not None and not verdict.counts:
        reasons = tr.join(c.not_met.get(tr.locale) for c in verdict.not_met)
        warnings.append(
            _("⚠ It will be saved, but it does not count towards the target: {reasons}.").format(
                reasons=reasons
            )
        )
    if duplicates:
        first = duplicates[0]
        warnings.append(
            _("⚠ You may have reported this already: #{id}, {date}, {count} people.").format(
                id=first.id,
                date=tr.date(first.date, "d MMM"),
                count=first.count if first.count is not None else "–",
            )
        )
    if warnings:
        lines += ["", *warnings]
    else:
        lines.append(_("Nothing is counted until you save."))
    rows: list[list[Button]] = []
    if Problem.WHICH_DAY in problems:
        rows += day_choices(tr, draft.date_choices, today)
    if Problem.FUTURE in problems:
        rows.append([_b(_("Plan it instead?"), CardAction.PLAN)])
    if not problems:
        if duplicates:
            rows.append([_b(_("Save anyway"), CardAction.SAVE_ANYWAY)])
        else:
            rows.append([_b(_("Save ✔"), CardAction.SAVE)])
    rows += condition_buttons(tr, commitment, draft)
    if several and promises is not None:
        for index, other_id in enumerate(draft.other_promises):
            other = promises.get(other_id)
            if other is not None:
                label = _("Count it for {promise}").format(promise=other.name.get(tr.locale))
                rows.append([_b(label, CardAction.PROMISE, index)])
    rows.append([_b(_("Change kind"), CardAction.KIND), _b(_("Change date"), CardAction.DATE)])
    second = [_b(_("Place"), CardAction.PLACE)]
    if not milestone:
        second.insert(0, _b(_("Number of people"), CardAction.COUNT))
    rows.append(second)
    rows.append([_b(_("Add a note"), CardAction.NOTE), _b(_("Cancel"), CardAction.DROP)])
    if others:
        label = tr.ngettext("{n} more card not saved", "{n} more cards not saved", others)
        rows.append([_b(label.format(n=others), CardAction.CARDS)])
    lines.append(_('You can also type a fix, for example "yesterday" or "25 people".'))
    return Screen("\n".join(lines), rows)


def condition_buttons(
    tr: Translator, commitment: Commitment | None, draft: Draft
) -> list[list[Button]]:
    """One tap per condition the text did not settle, two to a row: ☐ → ✔ → ✖ → ☐."""
    labels = condition_labels(tr, commitment, draft.answers) if commitment else []
    buttons = [_b(label, CardAction.CONDITION, c.id) for c, label in labels if c.id in draft.asked]
    return [buttons[i : i + 2] for i in range(0, len(buttons), 2)]


def which_card(
    tr: Translator, promise: Promise, open_draft: Draft, open_id: int, new_id: int
) -> Screen:
    """A text about the same kind of activity as the open card: a fix, or a report of its
    own? Asked, never guessed; the text is kept as a card either way."""
    _ = tr.gettext
    text = _(
        "Is this a change to the card you have open ({card}), or a new report? "
        "Nothing is saved until you save."
    ).format(card=card_label(tr, promise, open_draft))
    rows = [
        [_b(_("Change the open card"), CardAction.FIX, new_id, open_id)],
        [_b(_("A new report"), CardAction.OPEN, 0, new_id)],
    ]
    return Screen(text, rows)


def cards_list(tr: Translator, promise: Promise, drafts: list[tuple[int, Draft]]) -> Screen:
    """The person's cards not saved yet, each with a button that opens it."""
    _ = tr.gettext
    if not drafts:
        return Screen(_("You have no cards waiting. Write what you did in one message."))
    lines = [_("Not saved yet:")]
    rows = []
    for card_id, draft in drafts:
        lines.append(f"• {card_label(tr, promise, draft)}")
        label = _("Open: {card}").format(card=card_label(tr, promise, draft, short=True))
        rows.append([_b(label, CardAction.OPEN, 0, card_id)])
    return Screen("\n".join(lines), rows)


def which_card_for_fix(tr: Translator, promise: Promise, drafts: list[tuple[int, Draft]]) -> Screen:
    """A change typed when no card is open: open the card it is for, then type it again."""
    listing = cards_list(tr, promise, drafts)
    intro = tr.gettext("Which card is that for? Open it, then write the change again.")
    return Screen(intro + "\n\n" + listing.text, listing.rows)


def waiting(tr: Translator, promise: Promise, draft: Draft, card_id: int) -> Screen:
    """A card untouched for a day: it is not saved, and is dropped in a day."""
    _ = tr.gettext
    text = _(
        "You have a report that is not saved: {card}. It does not count until you save it. "
        "If you do nothing, it is removed in 24 hours."
    ).format(card=card_label(tr, promise, draft))
    rows = [
        [_b(_("Open it"), CardAction.OPEN, 0, card_id)],
        [_b(_("Remove it"), CardAction.DROP, 0, card_id)],
    ]
    return Screen(text, rows)


def day_choices(tr: Translator, days: tuple[date, ...], today: date) -> list[list[Button]]:
    """One button a day, two to a row, most recent first: the day the report was."""
    buttons = [
        _b(tr.weekday_date(day), CardAction.SET_DATE, (today - day).days) for day in reversed(days)
    ]
    return [buttons[i : i + 2] for i in range(0, len(buttons), 2)]


def problem_line(tr: Translator, promise: Promise, draft: Draft, problem: Problem) -> str:
    _ = tr.gettext
    if problem is Problem.WHICH_DAY:
        return _("⚠ Which day was it? Tap it, or write it.")
    if problem is Problem.FUTURE:
        when = tr.date(draft.date, "d MMM")
        future = _("⚠ {date} is in the future. A report is for something that has happened.")
        return future.format(date=when) + "\n" + _("Plan it instead? Tap the button, or use /plan.")
    if problem is Problem.OUTSIDE_WINDOW:
        return _("⚠ The date is outside the promise period ({start} – {end}).").format(
            start=tr.date(promise.window.start, "d MMM yyyy"),
            end=tr.date(promise.window.end, "d MMM yyyy"),
        )
    if problem is Problem.COUNT:
        return _("⚠ {count} people is not plausible (at most {max}).").format(
            count=draft.count, max=COUNT_MAX
        )
    if problem is Problem.PLACE_TOO_LONG:
        return _("⚠ The place is too long (at most {max} characters).").format(max=PLACE_MAX)
    return _("⚠ Choose what kind of activity it was.")


def ask_kind(tr: Translator, promise: Promise) -> Screen:
    rows = [[_b(c.short.get(tr.locale), CardAction.SET_KIND, c.id)] for c in promise.commitments]
    rows.append([_b(tr.gettext("Cancel"), CardAction.DROP)])
    return Screen(tr.gettext("What did you do? Tap it, or write it."), rows)


def ask_date(tr: Translator, today: date, guided: bool) -> Screen:
    _ = tr.gettext
    text = _('Which day? Tap it, or write it ("yesterday", "last Friday", "15/3").')
    if guided:
        rows = [
            [_b(_("Today"), CardAction.SET_DATE, 0), _b(_("Yesterday"), CardAction.SET_DATE, 1)],
            [_b(_("Another day"), CardAction.DATE)],
        ]
        return Screen(text, rows)
    days = [
        [_b(tr.weekday_date(today - timedelta(days=n)), CardAction.SET_DATE, n)] for n in range(7)
    ]
    return Screen(text, days)


def ask_count(tr: Translator) -> Screen:
    _ = tr.gettext
    rows = [
        [_b(str(n), CardAction.SET_COUNT, n) for n in COUNT_CHOICES],
        [_b(_("Other number"), CardAction.TYPE_COUNT), _b(_("Unknown"), CardAction.SET_COUNT, "x")],
    ]
    return Screen(_("How many people? Tap or write a number."), rows)


def ask_place(tr: Translator, guided: bool) -> Screen:
    _ = tr.gettext
    if guided:
        return Screen(_("Where was it? Write the place."), [[_b(_("Skip"), CardAction.SKIP)]])
    return Screen(_("Write the place."))


def ask_note(tr: Translator, guided: bool) -> Screen:
    _ = tr.gettext
    if guided:
        return Screen(_("A short note? Write it, or skip."), [[_b(_("Skip"), CardAction.SKIP)]])
    return Screen(_("Write a short note."))


def type_count(tr: Translator) -> Screen:
    return Screen(tr.gettext("Write the number of people."))


def saved(
    tr: Translator,
    name: str,
    period: str,
    activity: Activity,
    milestone: bool,
    verdict: Verdict | None = None,
) -> Screen:
    _ = tr.gettext
    rows = [[_b(_("Undo"), CardAction.UNDO, activity.id)]]
    if milestone:
        text = _("Saved ✔ as a progress note for {name}.").format(name=name)
        choice = MilestoneChoice(MilestoneAction.REQUEST, activity.commitment)
        rows.append([Button(_("The milestone is reached"), choice)])
        return Screen(text, rows)
    if verdict is not None and not verdict.counts:
        reasons = tr.join(c.not_met.get(tr.locale) for c in verdict.not_met)
        text = _("Saved ✔ It does not count for {name}: {reasons}.").format(
            name=name, reasons=reasons
        )
        return Screen(text, rows)
    return Screen(
        _("Saved ✔ It counts for {name}, {period}.").format(name=name, period=period), rows
    )


def not_understood(tr: Translator, expecting: Field | None) -> str:
    """Typed text during a report that fixes nothing: what the card is waiting for
    (``expecting``), or (``None``) what a fix to the card can be."""
    _ = tr.gettext
    hints = {
        Field.KIND: _('Tap what you did, or write it, for example "theme meeting".'),
        Field.DATE: _(
            "I did not understand the day. Tap one, or write for example "
            '"yesterday", "last Friday" or "15/3".'
        ),
        Field.COUNT: _("Please write a number, like 25."),
        Field.PLACE: _("Write the place."),
        Field.NOTE: _("Write a short note."),
        None: _(
            "I did not find a day, a number or a place in that. Tap a button on the card "
            "to change something, or /cancel."
        ),
    }
    return hints[expecting]


def dropped(tr: Translator) -> str:
    """The report was thrown away (the card's button, or /cancel)."""
    return tr.gettext("OK, cancelled. Nothing was saved.")


def plan_instead(tr: Translator) -> str:
    """ "Plan it instead?" when /plan did not take the button."""
    return tr.gettext("OK, not saved. Plan it with /plan.")


def report_gone(tr: Translator) -> str:
    """A card button with no report being written."""
    return tr.gettext("That report is gone. Write it again, or start /report.")


def retracted(tr: Translator) -> str:
    return tr.gettext("Retracted. It no longer counts.")


def count_noted(tr: Translator, count: int) -> str:
    """How many came to an event, tapped after it happened."""
    return tr.gettext("Thanks! Noted {n} people.").format(n=count)


def followup_counts(tr: Translator, activity_id: int) -> Screen:
    """After "it happened": how many came, one tap or typed."""
    _ = tr.gettext
    rows = [
        [Button(str(n), FollowupCount(activity_id, n)) for n in COUNT_CHOICES],
        [Button(_("Another number"), FollowupOther(activity_id))],
    ]
    return Screen(_("Saved and counted. How many came? Tap a number, or leave it."), rows)


def my_reports(
    tr: Translator,
    promise: Promise,
    reports: list[Activity],
    drafts: list[tuple[int, Draft]] | None = None,
    promises: PromiseSet | None = None,
) -> Screen:
    """/myreports: the cards not saved yet (each opens with a tap), then the latest saved
    (of every promise: each named in its own promise's words)."""
    _ = tr.gettext
    waiting_cards = cards_list(tr, promise, drafts) if drafts else Screen("")
    if not reports:
        if drafts:
            return waiting_cards
        return Screen(_("You have no reports yet. Write what you did in one message."))
    lines = [waiting_cards.text, ""] if drafts else []
    rows = list(waiting_cards.rows)
    lines.append(_("Your latest reports:"))
    for a in reports:
        own = (promises.get(a.promise_id) if promises is not None else None) or promise
        found = own.get(a.commitment)
        name = found.short.get(tr.locale) if found is not None else a.commitment
        count = f", {a.count}" if a.count is not None else ""
        lines.append(f"#{a.id} {tr.date(a.date, 'd MMM')} – {name}{count}")
        rows.append(
            [
                _b(_("Edit #{id}").format(id=a.id), CardAction.EDIT, a.id),
                _b(_("Retract #{id}").format(id=a.id), CardAction.UNDO, a.id),
            ]
        )
    return Screen("\n".join(lines), rows)
