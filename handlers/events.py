"""Events: residents' /events and /next with "remind me" and "add to calendar"; staff's
/plan (step by step), /myevents (move, cancel) and the one-tap answer to "did it happen?"."""

from __future__ import annotations

from datetime import date, datetime, time, timedelta
from enum import IntEnum
from typing import Any

from telegram import InputFile, Update
from telegram.ext import ConversationHandler

from bot.i18n import Translator
from bot.pii import redact
from bot.promise import Visibility
from bot.render.callbacks import MyEvent, MyEventAction
from bot.render.reporting import followup_counts
from bot.services.events import EventDraft, EventService
from bot.when import DEFAULT_LENGTH, parse_when
from handlers.common import (
    BotContext,
    cb,
    every,
    guarded,
    int_arg,
    keyboard,
    reply,
    show,
    split_cb,
    staff_only,
    user_data,
)
from handlers.reporting import forget, scratch


class PlanStep(IntEnum):
    TITLE = 1
    WHEN = 2
    PLACE = 3
    DESCRIPTION = 4
    MOVE_WHEN = 5


def service(context: BotContext) -> EventService:
    return EventService(context.services)


# --- residents ------------------------------------------------------------------------------


# One page of /events: every event on it has its own button, and the text stays well under
# Telegram's 4,096 characters whatever the titles and places are.
PAGE_EVENTS = 8
PAGE_CHARS = 3500
LINE_CHARS = 400


def event_pages(events: list[Any], line: Any) -> list[list[tuple[Any, str]]]:
    """Split ``events`` into pages of (event, its list line), at most PAGE_EVENTS each and
    PAGE_CHARS of lines (week headings included)."""
    pages: list[list[tuple[Any, str]]] = [[]]
    size = 0
    for event in events:
        text = line(event)
        if len(text) > LINE_CHARS:
            text = text[: LINE_CHARS - 1] + "…"
        cost = len(text) + 16  # the line plus room for a week heading
        if pages[-1] and (len(pages[-1]) >= PAGE_EVENTS or size + cost > PAGE_CHARS):
            pages.append([])
            size = 0
        pages[-1].append((event, text))
        size += cost
    return pages


async def show_events(
    update: Update, context: BotContext, page: int = 0, *, edit: bool = False
) -> None:
    tr = context.actor.tr
    _ = tr.gettext
    events = await service(context).upcoming()
    if not events:
        await reply(update, _("Nothing is planned for the next 60 days yet. Ask again later."))
        return
    tz = context.services.clock.tz
    pages = event_pages(events, lambda event: service(context).list_line(event, tr))
    page = min(max(page, 0), len(pages) - 1)
    lines = [_("Coming up in the next 60 days:")]
    if len(pages) > 1:
        lines[0] += " " + _("(page {page} of {pages})").format(page=page + 1, pages=len(pages))
    buttons: list[list[tuple[str, str]]] = []
    week = None
    for event, text in pages[page]:
        start = event.starts_at.astimezone(tz)
        if start.isocalendar().week != week:
            week = start.isocalendar().week
            lines += ["", _("Week {week}").format(week=week)]
        lines.append(text)
        buttons.append([(f"{tr.short_datetime(start)} {redact(event.title)}"[:60],
                         cb("ev", "show", event.id))])  # fmt: skip
    nav = []
    if page > 0:
        nav.append((_("‹ Earlier"), cb("ev", "page", page - 1)))
    if page < len(pages) - 1:
        nav.append((_("Later ›"), cb("ev", "page", page + 1)))
    if nav:
        buttons.append(nav)
    await reply(update, "\n".join(lines), keyboard(buttons), edit=edit)


async def show_next(update: Update, context: BotContext) -> None:
    tr = context.actor.tr
    _ = tr.gettext
    first = await service(context).next_by_kind()
    lines = [_("The next event of each kind:")]
    buttons = []
    kinds = [c for c in context.services.promise.public_commitments() if c.resident_events]
    # Soonest first; kinds with nothing planned last.
    kinds.sort(key=lambda c: (c.id not in first, first[c.id].starts_at if c.id in first else 0))
    for commitment in kinds:
        event = first.get(commitment.id)
        name = commitment.short.get(tr.locale)
        if event is None:
            lines.append(_("• {name}: nothing planned yet").format(name=name))
            continue
        start = event.starts_at.astimezone(context.services.clock.tz)
        lines.append(f"• {name}: {tr.short_datetime(start)}, {redact(event.place or event.title)}")
        buttons.append([(name, cb("ev", "show", event.id))])
    await reply(update, "\n".join(lines), keyboard(buttons) if buttons else None)


def event_buttons(context: BotContext, event_id: int) -> list[list[tuple[str, str]]]:
    _ = context.actor.tr.gettext
    return [[(_("Remind me"), cb("ev", "rem", event_id)),
             (_("Add to calendar"), cb("ev", "ics", event_id))]]  # fmt: skip


@guarded
async def press_event(update: Update, context: BotContext) -> None:
    """ev:<verb>:<id> from anyone; ids and verbs are untrusted and checked by the service."""
    query = update.callback_query
    parts = split_cb(query.data if query else None, 3)
    if parts is None:
        await reply(update, context.actor.tr.gettext("That button is no longer valid."))
        return
    verb, arg = parts[1], int_arg(parts[2])
    actor = context.actor
    _ = actor.tr.gettext
    events = service(context)
    if arg is None:
        return
    if verb == "list":
        await show_events(update, context, arg)
    elif verb == "page":
        await show_events(update, context, arg, edit=True)
    elif verb == "show":
        event = await events.public_event(arg)
        await reply(update, events.describe(event, actor.tr), keyboard(event_buttons(context, arg)))
    elif verb == "rem":
        await events.remind(actor.chat_id, actor.locale, arg)
        await reply(update, _("I will remind you the evening before at 18:00 and one hour "
                              "before it starts."),
                    keyboard([[(_("Stop this reminder"), cb("ev", "unrem", arg))]]))  # fmt: skip
    elif verb == "unrem":
        await events.unremind(actor.chat_id, arg)
        await reply(update, _("OK, no reminder for that event."))
    elif verb == "ics":
        event = await events.public_event(arg)
        data = events.ics([event], actor.locale)
        if query is not None:
            await query.answer()
        chat = update.effective_chat
        if chat is not None:
            await chat.send_document(
                InputFile(data, filename=f"event-{event.id}.ics"),
                caption=_("Open the file to add {title} to your calendar.").format(
                    title=redact(event.title)
                ),
            )
    elif verb in ("done", "cancelled", "moved"):
        await event_outcome(update, context, verb, arg)


async def event_outcome(update: Update, context: BotContext, verb: str, event_id: int) -> None:
    actor = context.actor
    _ = actor.tr.gettext
    if not actor.is_staff:
        await reply(update, (await context.people.refuse(actor, "event.outcome")).render(actor.tr))
        return
    activity_id = await service(context).record_outcome(actor, event_id, verb)
    if activity_id is not None:
        await show(update, followup_counts(actor.tr, activity_id), edit=True)
    elif verb == "moved":
        await reply(update, _("OK, not counted. Plan the new date with /plan."), edit=True)
    else:
        await reply(update, _("OK, noted as cancelled. It is not counted."), edit=True)


# --- staff: /plan -----------------------------------------------------------------------------


@staff_only("plan")
async def start_plan(update: Update, context: BotContext) -> int:
    tr = context.actor.tr
    rows = [
        [(c.short.get(tr.locale), cb("plan", "kind", c.id))]
        for c in context.services.promise.commitments
        if c.is_counted or c.cadence.value == "tracked"
    ]
    rows.append([(tr.gettext("Cancel"), cb("plan", "stop", 0))])
    await reply(update, tr.gettext("What kind of event?"), keyboard(rows))
    return PlanStep.TITLE


async def plan_kind(update: Update, context: BotContext) -> int:
    actor = context.actor
    _ = actor.tr.gettext
    parts = split_cb(update.callback_query.data if update.callback_query else None, 3)
    if not actor.is_staff or parts is None:
        return ConversationHandler.END
    if parts[1] == "stop":
        context.user_data.pop("plan", None)  # type: ignore[union-attr]
        await reply(update, _("OK, cancelled. Nothing was changed."), edit=True)
        return ConversationHandler.END
    commitment = context.services.promise.get(parts[2])
    if commitment is None:
        await reply(update, _("That button is no longer valid."))
        return ConversationHandler.END
    context.user_data["plan"] = {"commitment": commitment.id}  # type: ignore[index]
    await reply(update, _("{name}. Write a short title, for example \"Theme meeting: safe "
                          "at night\".").format(name=commitment.short.get(actor.locale)),
                edit=parts[1] != "new")  # fmt: skip
    return PlanStep.TITLE


@staff_only("plan")
async def plan_from_digest(update: Update, context: BotContext) -> int:
    """plan:new:<commitment> from the weekly digest starts /plan with the kind chosen."""
    return await plan_kind(update, context)


@staff_only("plan")
async def plan_from_report(update: Update, context: BotContext) -> int | None:
    """ "Plan it instead?" on a report card with a future date: /plan with the kind and the
    day taken from the card; the report draft is dropped (it was never saved)."""
    state = scratch(context)
    forget(context)
    commitment = context.services.promise.get(state.draft.commitment or "") if state else None
    if state is None or commitment is None:
        await reply(update, context.actor.tr.gettext("That button is no longer valid."))
        return ConversationHandler.END
    user_data(context)["plan"] = {"commitment": commitment.id, "day": state.draft.date.isoformat()}
    _ = context.actor.tr.gettext
    await reply(
        update,
        _(
            "Plan it for {date}. {name}: write a short title, for example "
            '"Theme meeting: safe at night".'
        ).format(
            date=context.actor.tr.weekday_date(state.draft.date),
            name=commitment.short.get(context.actor.locale),
        ),
        edit=True,
    )
    return PlanStep.TITLE


def _draft(context: BotContext) -> dict[str, Any] | None:
    data = user_data(context)
    draft = data.get("plan")
    return draft if isinstance(draft, dict) else None


async def plan_title(update: Update, context: BotContext) -> int:
    _ = context.actor.tr.gettext
    draft = _draft(context)
    text = (update.message.text or "").strip() if update.message else ""
    if draft is None or "commitment" not in draft:
        await reply(update, _("Tap a kind of event first, or /cancel."))
        return PlanStep.TITLE
    if not text or len(text) > 120:
        await reply(update, _("Please write a title of at most 120 characters."))
        return PlanStep.TITLE
    draft["title"] = text
    await reply(update, _("When? Tap a choice, or write for example \"20/3 18-20\", "
                          "\"tomorrow 18:00\" or \"2024-03-20 18:00\"."),
                keyboard(quick_times(context)))  # fmt: skip
    return PlanStep.WHEN


# Quick choices for a start time: (days from today, or -1 for the coming Saturday; hour).
QUICK_TIMES = ((1, 18), (2, 18), (-1, 12))


def quick_start(context: BotContext, choice: int) -> datetime:
    days, hour = QUICK_TIMES[choice]
    today = context.services.clock.today()
    if days < 0:
        days = (5 - today.weekday()) % 7 or 7
    day = today + timedelta(days=days)
    return datetime.combine(day, time(hour, 0), tzinfo=context.services.clock.tz)


def planned_day(context: BotContext) -> datetime | None:
    """The day carried over from a report card ("Plan it instead?"), at 18:00."""
    draft = _draft(context)
    day = draft.get("day") if draft else None
    if not isinstance(day, str):
        return None
    start = datetime.combine(date.fromisoformat(day), time(18, 0), context.services.clock.tz)
    return start if start > context.services.clock.now() else None


def quick_times(context: BotContext) -> list[list[tuple[str, str]]]:
    tr = context.actor.tr
    rows = []
    carried = planned_day(context)
    if carried is not None:
        label = f"{tr.short_datetime(carried)}–{tr.time(carried + DEFAULT_LENGTH)}"
        rows.append([(label, cb("plan", "when", len(QUICK_TIMES)))])
    for index in range(len(QUICK_TIMES)):
        start = quick_start(context, index)
        label = f"{tr.short_datetime(start)}–{tr.time(start + DEFAULT_LENGTH)}"
        rows.append([(label, cb("plan", "when", index))])
    return rows


async def plan_when_button(update: Update, context: BotContext) -> int:
    """plan:when:<n>: one of the quick choices (n is checked, the data is untrusted)."""
    _ = context.actor.tr.gettext
    parts = split_cb(update.callback_query.data if update.callback_query else None, 3)
    draft = _draft(context)
    choice = int_arg(parts[2]) if parts else None
    carried = planned_day(context)
    if carried is not None and choice == len(QUICK_TIMES):
        start = carried
    elif (
        not context.actor.is_staff or draft is None or choice is None or choice >= len(QUICK_TIMES)
    ):
        await reply(update, _("That button is no longer valid."))
        return PlanStep.WHEN
    else:
        start = quick_start(context, choice)
    if not context.actor.is_staff or draft is None:
        return PlanStep.WHEN
    draft["when"] = (start.isoformat(), (start + DEFAULT_LENGTH).isoformat())
    await reply(update, _('Where? Write the place, for example "Bro centrum".'), edit=True)
    return PlanStep.PLACE


async def plan_when(update: Update, context: BotContext) -> int:
    _ = context.actor.tr.gettext
    draft = _draft(context)
    text = update.message.text or "" if update.message else ""
    when = parse_when(text, context.services.clock.now(), context.services.clock.tz)
    if draft is None:
        return ConversationHandler.END
    if when is None:
        await reply(update, _("I did not understand the time. Try \"20/3 18-20\" or "
                              "\"tomorrow 18:00\"."))  # fmt: skip
        return PlanStep.WHEN
    draft["when"] = (when[0].isoformat(), when[1].isoformat())
    await reply(update, _('Where? Write the place, for example "Bro centrum".'))
    return PlanStep.PLACE


async def plan_place(update: Update, context: BotContext) -> int:
    _ = context.actor.tr.gettext
    draft = _draft(context)
    text = (update.message.text or "").strip() if update.message else ""
    if draft is None:
        return ConversationHandler.END
    if not text or len(text) > 120:
        await reply(update, _("Please write the place in at most 120 characters."))
        return PlanStep.PLACE
    draft["place"] = text
    await reply(update, _('A short description for residents? Write it, or "-" to skip.'))
    return PlanStep.DESCRIPTION


async def plan_description(update: Update, context: BotContext) -> int:
    actor = context.actor
    tr = actor.tr
    _ = tr.gettext
    draft = _draft(context)
    text = (update.message.text or "").strip() if update.message else ""
    if draft is None:
        return ConversationHandler.END
    draft["description"] = "" if text in ("-", "–") else text[:600]
    commitment = context.services.promise.commitment(draft["commitment"])
    options = [v for v in Visibility if v.rank >= commitment.visibility.rank]
    names = visibility_names(tr)
    rows = [[(names[v], cb("plan", "vis", v.value))] for v in options]
    rows.append([(_("Cancel"), cb("plan", "stop", 0))])
    await reply(update, _("Who may see it?"), keyboard(rows))
    return PlanStep.DESCRIPTION


@guarded
async def plan_visibility(update: Update, context: BotContext) -> int:
    actor = context.actor
    tr = actor.tr
    _ = tr.gettext
    parts = split_cb(update.callback_query.data if update.callback_query else None, 3)
    draft = _draft(context)
    if parts is None or draft is None or "when" not in draft:
        await reply(update, _("That button is no longer valid."))
        return ConversationHandler.END
    if parts[1] == "stop":
        context.user_data.pop("plan", None)  # type: ignore[union-attr]
        await reply(update, _("OK, cancelled. Nothing was changed."), edit=True)
        return ConversationHandler.END
    events = service(context)
    if parts[1] == "vis":
        event_draft = _event_draft(draft, parts[2])
        # Checked now, so the preview never shows something that cannot be saved.
        new = events.validate(event_draft, context.services.clock.now())
        draft["visibility"] = new.visibility
        start = new.starts_at.astimezone(context.services.clock.tz)
        end = new.ends_at.astimezone(context.services.clock.tz)
        commitment = context.services.promise.commitment(new.commitment)
        lines = [
            _("Check and save:"),
            f"{commitment.short.get(tr.locale)}: {new.title}",
            _("When: {when}–{end}").format(when=tr.datetime(start), end=tr.time(end)),
            _("Where: {place}").format(place=new.place),
        ]
        if new.description:
            lines.append(new.description)
        lines.append(visibility_names(tr)[Visibility(new.visibility)])
        rows = [[(_("Save ✔"), cb("plan", "save", 0)), (_("Cancel"), cb("plan", "stop", 0))]]
        await reply(update, "\n".join(lines), keyboard(rows), edit=True)
        return PlanStep.DESCRIPTION
    if parts[1] != "save" or "visibility" not in draft:
        await reply(update, _("That button is no longer valid."))
        return PlanStep.DESCRIPTION
    event = await events.plan(actor, _event_draft(draft, str(draft["visibility"])))
    context.user_data.pop("plan", None)  # type: ignore[union-attr]
    await reply(update, _("Planned:") + "\n" + events.describe(event, tr), edit=True)
    return ConversationHandler.END


def _event_draft(draft: dict[str, Any], visibility: str) -> EventDraft:
    return EventDraft(
        commitment=draft["commitment"],
        title=draft["title"],
        starts_at=datetime.fromisoformat(draft["when"][0]),
        ends_at=datetime.fromisoformat(draft["when"][1]),
        place=draft["place"],
        description=str(draft.get("description", "")),
        visibility=visibility,
    )


def visibility_names(tr: Translator) -> dict[Visibility, str]:
    _ = tr.gettext
    return {
        Visibility.PUBLIC: _("Public: residents see it in advance"),
        Visibility.AFTER: _("Shown only after it happened"),
        Visibility.COUNT_ONLY: _("Internal: only counted"),
    }


async def cancel_plan(update: Update, context: BotContext) -> int:
    user_data(context).pop("plan", None)
    user_data(context).pop("move", None)
    await reply(update, context.actor.tr.gettext("OK, cancelled. Nothing was changed."))
    return ConversationHandler.END


# --- staff: /myevents ---------------------------------------------------------------------


@staff_only("myevents")
async def show_my_events(update: Update, context: BotContext) -> None:
    tr = context.actor.tr
    events = await service(context).mine(context.actor)
    if not events:
        await reply(update, tr.gettext("You have no planned events. Plan one with /plan."))
        return
    lines = [tr.gettext("Your planned events:")]
    rows = []
    for event in events:
        start = event.starts_at.astimezone(context.services.clock.tz)
        lines.append(f"• {tr.short_datetime(start)} {event.title}")
        move = MyEvent(MyEventAction.MOVE, event.id).encode()
        cancel = MyEvent(MyEventAction.CANCEL, event.id).encode()
        label = tr.gettext("Move: {title}").format(title=event.title)[:60]
        rows.append([(label, move), (tr.gettext("Cancel it"), cancel)])
    await reply(update, "\n".join(lines), keyboard(rows))


@staff_only("myevents")
async def press_my_event(update: Update, context: BotContext) -> int | None:
    """my:<action>:<event> from /myevents; the role is checked here, the ownership by the
    service. Cancelling asks first: residents are told only after the confirmation."""
    actor = context.actor
    _ = actor.tr.gettext
    choice = MyEvent.parse(update.callback_query.data if update.callback_query else None)
    if choice is None:
        await reply(update, _("That button is no longer valid."))
        return None
    events = service(context)
    user_data(context).pop("move", None)  # another button: any open move question is over
    if choice.action is MyEventAction.CANCEL:
        event = await events.mine_one(actor, choice.event)
        really = MyEvent(MyEventAction.CONFIRM_CANCEL, event.id).encode()
        keep = MyEvent(MyEventAction.KEEP, event.id).encode()
        rows = [[(_("Yes, cancel it"), really), (_("No, keep it"), keep)]]
        question = _("Cancel {title}? Anyone who asked for a reminder will be told.")
        await reply(update, question.format(title=event.title), keyboard(rows), edit=True)
        return ConversationHandler.END
    if choice.action is MyEventAction.CONFIRM_CANCEL:
        event = await events.cancel(actor, choice.event)
        await reply(update, _("Cancelled: {title}. Anyone who asked for a reminder is told.")
                    .format(title=event.title), edit=True)  # fmt: skip
        return ConversationHandler.END
    if choice.action is MyEventAction.KEEP:
        await reply(update, _("OK, it stays planned. Nothing was changed."), edit=True)
        return ConversationHandler.END
    user_data(context)["move"] = choice.event
    await reply(update, _('New time? For example "20/3 18-20" or "tomorrow 18:00".'))
    return PlanStep.MOVE_WHEN


@guarded
async def move_when(update: Update, context: BotContext) -> int:
    actor = context.actor
    _ = actor.tr.gettext
    event_id = user_data(context).get("move")
    text = update.message.text or "" if update.message else ""
    when = parse_when(text, context.services.clock.now(), context.services.clock.tz)
    if not isinstance(event_id, int):
        return ConversationHandler.END
    if when is None:
        await reply(update, _("I did not understand the time. Try \"20/3 18-20\" or "
                              "\"tomorrow 18:00\"."))  # fmt: skip
        return PlanStep.MOVE_WHEN
    event = await service(context).move(actor, event_id, when[0])
    context.user_data.pop("move", None)  # type: ignore[union-attr]
    await reply(update, _("Moved:") + "\n" + service(context).describe(event, actor.tr))
    return ConversationHandler.END


FOLLOWUP_JOB = "events:followup"


async def run_followups(context: BotContext) -> None:
    await EventService(context.bot_data.services).followup_tick()


async def schedule_followups(app: Any) -> None:
    """Every five minutes: organisers of events that just ended are asked how it went."""
    every(app, FOLLOWUP_JOB, run_followups, 300, first=30)
