"""Staff reports: the confirmation card for a one-line report, the guided /report, the
event follow-up's count buttons, /myreports with edit and retract, and milestones.

The draft lives in ``user_data`` (conversation scratch only); the record is written by the
service when "Save" is pressed, after the role, the date and personal data are checked."""

from __future__ import annotations

from dataclasses import replace
from datetime import timedelta

from telegram import Update

from bot.errors import UserFacingError
from bot.periods import period_containing, period_label
from bot.services.reporting import COUNT_MAX, KIND_LABEL, Draft, PersonalData, ReportingService
from handlers.common import (
    BotContext,
    admin_only,
    cb,
    int_arg,
    keyboard,
    reply,
    show_error,
    split_cb,
    staff_only,
)

DRAFT = "report"
AWAIT = "report_await"  # "place", "note" or "count" while waiting for typed text
GUIDED = "report_steps"  # the guided /report's remaining steps; empty or absent: the card
STEPS = ["date", "count", "place", "note"]


def service(context: BotContext) -> ReportingService:
    return ReportingService(context.services)


def _draft(context: BotContext) -> Draft | None:
    return Draft.from_data((context.user_data or {}).get(DRAFT))


def _store(context: BotContext, draft: Draft) -> None:
    context.user_data[DRAFT] = draft.to_data()  # type: ignore[index]


def card(context: BotContext, draft: Draft) -> tuple[str, list[list[tuple[str, str]]]]:
    tr = context.actor.tr
    _ = tr.gettext
    promise = context.services.promise
    commitment = promise.get(draft.commitment or "")
    kind = commitment.short.get(tr.locale) if commitment else _("(not chosen)")
    lines = [
        _("Is this right?") if draft.activity_id is None else _("Edit report:"),
        _("What: {kind}").format(kind=kind),
        _("Date: {date}").format(date=tr.weekday_date(draft.date)),
        _("People: {count}").format(count=draft.count if draft.count is not None else "–"),
        _("Place: {place}").format(place=draft.place or "–"),
    ]
    if draft.pii:
        kinds = ", ".join(_(KIND_LABEL[k]) for k in draft.pii)
        lines += ["", _("⚠ The text contains personal data ({kinds}). It is not saved as it is.")
                  .format(kinds=kinds)]  # fmt: skip
        rows = [
            [(_("Remove it automatically"), cb("rep", "redact", 0))],
            [(_("Cancel, I will write it again"), cb("rep", "drop", 0))],
        ]
        return "\n".join(lines), rows
    lines.append(_("Nothing is counted until you save."))
    rows = [
        [(_("Save ✔"), cb("rep", "save", 0))],
        [(_("Change kind"), cb("rep", "kind", 0)), (_("Change date"), cb("rep", "date", 0))],
        [(_("Number of people"), cb("rep", "count", 0)), (_("Place"), cb("rep", "place", 0))],
        [(_("Add a note"), cb("rep", "note", 0)), (_("Cancel"), cb("rep", "drop", 0))],
    ]
    return "\n".join(lines), rows


async def show_card(update: Update, context: BotContext, draft: Draft, edit: bool) -> None:
    _store(context, draft)
    text, rows = card(context, draft)
    await reply(update, text, keyboard(rows), edit=edit)


def answered(context: BotContext, step: str) -> None:
    """A value given out of order (a button on an earlier message) is not asked again."""
    steps = (context.user_data or {}).get(GUIDED)
    if isinstance(steps, list) and step in steps:
        steps.remove(step)


async def advance(update: Update, context: BotContext, draft: Draft, edit: bool) -> None:
    """The guided /report asks one thing at a time; otherwise (and at the end) the card."""
    _store(context, draft)
    steps = (context.user_data or {}).get(GUIDED) or []
    if not steps:
        await show_card(update, context, draft, edit)
        return
    step = steps.pop(0)
    _ = context.actor.tr.gettext
    skip = [(_("Skip"), cb("rep", "skip", 0))]
    if step == "date":
        rows = [[(_("Today"), cb("rep", "setd", 0)), (_("Yesterday"), cb("rep", "setd", 1))],
                [(_("Another day"), cb("rep", "date", 0))]]  # fmt: skip
        await reply(update, _("Which day?"), keyboard(rows), edit=edit)
    elif step == "count":
        await reply(update, _("How many people?"), keyboard(count_rows(context)), edit=edit)
    else:
        context.user_data[AWAIT] = step  # type: ignore[index]
        prompt = (
            _("Where was it? Write the place.")
            if step == "place"
            else _("A short note? Write it, or skip.")
        )
        await reply(update, prompt, keyboard([skip]), edit=edit)


def count_rows(context: BotContext) -> list[list[tuple[str, str]]]:
    _ = context.actor.tr.gettext
    other = [(_("Other number"), cb("rep", "typec", 0)), (_("Unknown"), cb("rep", "setc", "x"))]
    return [[(str(n), cb("rep", "setc", n)) for n in (5, 10, 20, 30, 50)], other]


async def on_staff_text(update: Update, context: BotContext) -> bool:
    """Offer the text to reporting; True when it was taken (a report or a typed field)."""
    message = update.message
    if message is None or not message.text:
        return False
    waiting = (context.user_data or {}).pop(AWAIT, None)
    draft = _draft(context)
    if waiting in ("place", "note") and draft is not None:
        text = message.text.strip()[:500]
        answered(context, waiting)
        if waiting == "place":
            draft = replace(draft, place=text[:120])
        else:
            draft = replace(draft, note=text)
        await advance(update, context, draft, edit=False)
        return True
    if waiting == "count" and draft is not None:
        count = int_arg(message.text.strip())
        if count is None or count > COUNT_MAX:
            context.user_data[AWAIT] = "count"  # type: ignore[index]
            await reply(update, context.actor.tr.gettext("Please write a number, like 25."))
            return True
        answered(context, "count")
        await advance(update, context, replace(draft, count=count), False)
        return True
    found = service(context).draft_from_text(message.text)
    if found is None:
        return False
    (context.user_data or {}).pop(GUIDED, None)  # a one-liner replaces a guided report
    await show_card(update, context, found, edit=False)
    return True


@staff_only("report")
async def start_report(update: Update, context: BotContext) -> None:
    draft = service(context).blank()
    _store(context, draft)
    context.user_data[GUIDED] = list(STEPS)  # type: ignore[index]
    await ask_kind(update, context, edit=False)


async def ask_kind(update: Update, context: BotContext, edit: bool) -> None:
    tr = context.actor.tr
    rows = [
        [(c.short.get(tr.locale), cb("rep", "setk", c.id))]
        for c in context.services.promise.commitments
    ]
    rows.append([(tr.gettext("Cancel"), cb("rep", "drop", 0))])
    await reply(update, tr.gettext("What did you do?"), keyboard(rows), edit=edit)


@staff_only("report")
async def press_report(update: Update, context: BotContext) -> None:
    """rep:<verb>:<arg>[:<n>] — every press re-checks the role (decorator) and the draft."""
    actor = context.actor
    tr = actor.tr
    _ = tr.gettext
    data = update.callback_query.data if update.callback_query else None
    parts = split_cb(data, 3) or split_cb(data, 4)
    if parts is None:
        await reply(update, _("That button is no longer valid."))
        return
    verb = parts[1]
    reporting = service(context)
    if verb == "count" and len(parts) == 4:  # rep:count:<activity>:<n> after an event
        activity_id, count = int_arg(parts[2]), int_arg(parts[3])
        if activity_id is None or count is None:
            return
        await reporting.set_count(actor, activity_id, count)
        await reply(update, _("Thanks! Noted {n} people.").format(n=count), edit=True)
        return
    if verb == "undo":
        activity_id = int_arg(parts[2])
        if activity_id is not None:
            await reporting.retract(actor, activity_id)
            await reply(update, _("Retracted. It no longer counts."), edit=True)
        return
    if verb == "edit":
        activity_id = int_arg(parts[2])
        if activity_id is not None:
            await show_card(update, context, await reporting.for_edit(actor, activity_id), True)
        return
    if verb == "new":  # rep:new:<commitment> from the weekly digest
        if context.services.promise.get(parts[2]) is None:
            await reply(update, _("That button is no longer valid."))
            return
        fresh = replace(reporting.blank(), commitment=parts[2])
        await show_card(update, context, fresh, edit=False)
        return
    draft = _draft(context)
    if draft is None:
        await reply(update, _("That report is gone. Write it again, or start /report."))
        return
    if verb == "drop":
        (context.user_data or {}).pop(DRAFT, None)
        (context.user_data or {}).pop(GUIDED, None)
        await reply(update, _("OK, cancelled. Nothing was saved."), edit=True)
    elif verb == "kind":
        await ask_kind(update, context, edit=True)
    elif verb == "setk":
        if context.services.promise.get(parts[2]) is None:
            return
        await advance(update, context, replace(draft, commitment=parts[2]),
                      edit=True)  # fmt: skip
    elif verb == "date":
        today = context.services.clock.today()
        rows = [[(tr.weekday_date(today - timedelta(days=n)), cb("rep", "setd", n))]
                for n in range(7)]  # fmt: skip
        await reply(update, _("Which day?"), keyboard(rows), edit=True)
    elif verb == "setd":
        back = int_arg(parts[2])
        if back is None or back > 31:
            return
        day = context.services.clock.today() - timedelta(days=back)
        answered(context, "date")
        await advance(update, context, replace(draft, date=day), edit=True)
    elif verb == "count":
        await reply(update, _("How many people?"), keyboard(count_rows(context)), edit=True)
    elif verb == "setc":
        count = int_arg(parts[2])
        answered(context, "count")
        await advance(update, context, replace(draft, count=count), edit=True)
    elif verb == "skip":
        (context.user_data or {}).pop(AWAIT, None)
        await advance(update, context, draft, edit=True)
    elif verb in ("place", "note", "typec"):
        context.user_data[AWAIT] = "count" if verb == "typec" else verb  # type: ignore[index]
        prompt = {"place": _("Write the place."), "note": _("Write a short note."),
                  "typec": _("Write the number of people.")}[verb]  # fmt: skip
        await reply(update, prompt)
    elif verb == "redact":
        await show_card(update, context, draft.redacted(), edit=True)
    elif verb == "save":
        await save(update, context, draft)


async def save(update: Update, context: BotContext, draft: Draft) -> None:
    actor = context.actor
    tr = actor.tr
    _ = tr.gettext
    reporting = service(context)
    try:
        activity = await reporting.save(actor, draft)
    except PersonalData:
        await show_card(update, context, draft, edit=True)
        return
    except UserFacingError as error:
        await show_error(update, context, error)
        return
    (context.user_data or {}).pop(DRAFT, None)
    (context.user_data or {}).pop(GUIDED, None)
    commitment = context.services.promise.commitment(activity.commitment)
    period = period_containing(commitment, context.services.promise, activity.date)
    text = _("Saved ✔ It counts for {name}, {period}.").format(
        name=commitment.short.get(tr.locale), period=period_label(period, tr)
    )
    rows = [[(_("Undo"), cb("rep", "undo", activity.id))]]
    if reporting.is_milestone(commitment.id):
        text = _("Saved ✔ as a progress note for {name}.").format(
            name=commitment.short.get(tr.locale)
        )
        rows.append([(_("The milestone is reached"), cb("ms", "req", commitment.id))])
    await reply(update, text, keyboard(rows), edit=True)


@staff_only("myreports")
async def show_my_reports(update: Update, context: BotContext) -> None:
    tr = context.actor.tr
    _ = tr.gettext
    reports = await service(context).mine(context.actor)
    if not reports:
        await reply(update, _("You have no reports yet. Write what you did in one message."))
        return
    lines = [_("Your latest reports:")]
    rows = []
    for a in reports:
        name = context.services.promise.commitment(a.commitment).short.get(tr.locale)
        count = f", {a.count}" if a.count is not None else ""
        lines.append(f"#{a.id} {tr.date(a.date, 'd MMM')} – {name}{count}")
        rows.append([(_("Edit #{id}").format(id=a.id), cb("rep", "edit", a.id)),
                     (_("Retract #{id}").format(id=a.id), cb("rep", "undo", a.id))])  # fmt: skip
    await reply(update, "\n".join(lines), keyboard(rows))


@staff_only("milestone")
async def press_milestone_request(update: Update, context: BotContext) -> None:
    parts = split_cb(update.callback_query.data if update.callback_query else None, 3)
    if parts is None:
        return
    _ = context.actor.tr.gettext
    confirmed = await service(context).request_milestone(context.actor, parts[2])
    await reply(update, _("Milestone confirmed ✔") if confirmed else
                _("Sent to the admins to confirm."), edit=True)  # fmt: skip


@admin_only("milestone.confirm")
async def press_milestone_confirm(update: Update, context: BotContext) -> None:
    parts = split_cb(update.callback_query.data if update.callback_query else None, 3)
    if parts is None:
        return
    await service(context).confirm_milestone(context.actor, parts[2])
    await reply(update, context.actor.tr.gettext("Milestone confirmed ✔"), edit=True)
