"""Events: residents' /events and /next with "remind me" and "add to calendar"; staff's
/plan (step by step), /myevents (move, cancel) and the one-tap answer to "did it happen?"."""

from __future__ import annotations

from datetime import datetime, time, timedelta
from enum import IntEnum
from typing import Any

from telegram import InputFile, Update
from telegram.ext import ConversationHandler

from bot.domain.promise import Visibility
from bot.language.when import DEFAULT_LENGTH, parse_when
from bot.render import events as render
from bot.render import notices
from bot.render.callbacks import (
    Card,
    EventAction,
    EventPress,
    MyEvent,
    MyEventAction,
    PlanAction,
    PlanPress,
)
from bot.render.poster import poster_link
from bot.render.reporting import followup_counts
from bot.render.suggestions_staff import poster_line
from bot.services.events import EventService, PlanScratch
from handlers.common import (
    BotContext,
    every,
    pressed,
    reply,
    show,
    staff_only,
    stale_answer,
    user_data,
)


class PlanStep(IntEnum):
    TITLE = 1
    WHEN = 2
    PLACE = 3
    DESCRIPTION = 4
    MOVE_WHEN = 5


def service(context: BotContext) -> EventService:
    return context.features.events


# --- residents ------------------------------------------------------------------------------


async def show_events(
    update: Update, context: BotContext, page: int = 0, *, edit: bool = False
) -> None:
    events = await service(context).upcoming()
    screen = render.event_list(context.actor.tr, context.services.promise, events, page)
    await show(update, screen, edit=edit and bool(events))


async def show_next(update: Update, context: BotContext) -> None:
    first = await service(context).next_by_kind()
    await show(update, render.next_events(context.actor.tr, context.services.promise, first))


@pressed(EventPress)
async def press_event(update: Update, context: BotContext, press: EventPress) -> None:
    """ev:<action>:<id> from anyone; the id is untrusted and checked by the service."""
    actor = context.actor
    events = service(context)
    arg = press.arg
    match press.action:
        case EventAction.LIST:
            await show_events(update, context, arg)
        case EventAction.PAGE:
            await show_events(update, context, arg, edit=True)
        case EventAction.SHOW:
            event = await events.public_event(arg)
            await show(update, render.event_card(actor.tr, context.services.promise, event))
        case EventAction.REMIND:
            await events.remind(actor.chat_id, actor.locale, arg)
            await show(update, render.reminder_set(actor.tr, arg))
        case EventAction.UNREMIND:
            await events.unremind(actor.chat_id, arg)
            await reply(update, render.reminder_stopped(actor.tr))
        case EventAction.CALENDAR:
            await send_calendar(update, context, arg)
        case EventAction.DONE | EventAction.CANCELLED | EventAction.MOVED:
            await event_outcome(update, context, press.action, arg)


async def send_calendar(update: Update, context: BotContext, event_id: int) -> None:
    actor = context.actor
    events = service(context)
    event = await events.public_event(event_id)
    data = events.ics([event], actor.locale)
    if update.callback_query is not None:
        await update.callback_query.answer()
    chat = update.effective_chat
    if chat is not None:
        await chat.send_document(
            InputFile(data, filename=f"event-{event.id}.ics"),
            caption=render.calendar_caption(actor.tr, event),
        )


async def event_outcome(
    update: Update, context: BotContext, outcome: EventAction, event_id: int
) -> None:
    actor = context.actor
    if not actor.is_staff:
        await reply(update, (await context.people.refuse(actor, "event.outcome")).render(actor.tr))
        return
    activity_id = await service(context).record_outcome(actor, event_id, outcome.value)
    if activity_id is not None:
        await show(update, followup_counts(actor.tr, activity_id), edit=True)
    else:
        moved = outcome is EventAction.MOVED
        await reply(update, render.not_counted(actor.tr, moved), edit=True)


# --- staff: /plan -----------------------------------------------------------------------------


@staff_only("plan")
async def start_plan(update: Update, context: BotContext) -> int:
    kinds = [
        c
        for c in context.services.promise.commitments
        if c.is_counted or c.cadence.value == "tracked"
    ]
    await show(update, render.plan_kinds(context.actor.tr, kinds))
    return PlanStep.TITLE


async def cancelled(update: Update, context: BotContext) -> int:
    user_data(context).plan = None
    await reply(update, notices.nothing_changed(context.actor.tr), edit=True)
    return ConversationHandler.END


@pressed(PlanPress, stale=ConversationHandler.END)
async def plan_kind(update: Update, context: BotContext, press: PlanPress) -> int:
    actor = context.actor
    if not actor.is_staff:
        return ConversationHandler.END
    if press.action is PlanAction.STOP:
        return await cancelled(update, context)
    commitment = context.services.promise.get(press.arg)
    if press.action not in (PlanAction.KIND, PlanAction.NEW) or commitment is None:
        await stale_answer(update, context)
        return ConversationHandler.END
    user_data(context).plan = PlanScratch(commitment.id)
    await reply(
        update,
        render.ask_title(actor.tr, commitment.short.get(actor.locale)),
        edit=press.action is not PlanAction.NEW,
    )
    return PlanStep.TITLE


@staff_only("plan")
async def plan_from_digest(update: Update, context: BotContext) -> int:
    """plan:new:<commitment> from the weekly digest starts /plan with the kind chosen."""
    step: int = await plan_kind(update, context)
    return step


@staff_only("plan")
@pressed(Card)
async def plan_from_report(update: Update, context: BotContext, card: Card) -> int | None:
    """ "Plan it instead?" on a report card with a future date: /plan with the kind and the
    day taken from the card; the card is dropped (it was never saved)."""
    reporting = context.features.reporting
    state = await reporting.card(context.actor, card.card)
    if state is not None:
        await reporting.discard(context.actor, state.id)
    commitment = context.services.promise.get(state.draft.commitment or "") if state else None
    if state is None or commitment is None:
        await stale_answer(update, context)
        return ConversationHandler.END
    user_data(context).plan = PlanScratch(commitment.id, day=state.draft.date)
    actor = context.actor
    name = commitment.short.get(actor.locale)
    await reply(update, render.ask_title_for_day(actor.tr, state.draft.date, name), edit=True)
    return PlanStep.TITLE


async def plan_title(update: Update, context: BotContext) -> int:
    tr = context.actor.tr
    draft = user_data(context).plan
    text = (update.message.text or "").strip() if update.message else ""
    if draft is None:
        await reply(update, render.choose_kind_first(tr))
        return PlanStep.TITLE
    if not text or len(text) > 120:
        await reply(update, render.title_too_long(tr))
        return PlanStep.TITLE
    draft.title = text
    await show(update, render.quick_times(context.actor.tr, quick_times(context, draft)))
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


def planned_day(context: BotContext, draft: PlanScratch | None) -> datetime | None:
    """The day carried over from a report card ("Plan it instead?"), at 18:00."""
    if draft is None or draft.day is None:
        return None
    start = datetime.combine(draft.day, time(18, 0), context.services.clock.tz)
    return start if start > context.services.clock.now() else None


def quick_times(context: BotContext, draft: PlanScratch) -> list[tuple[int, datetime, datetime]]:
    """(choice, start, end) for the "When?" buttons; the carried-over day first."""
    starts = []
    carried = planned_day(context, draft)
    if carried is not None:
        starts.append((len(QUICK_TIMES), carried))
    starts += [(index, quick_start(context, index)) for index in range(len(QUICK_TIMES))]
    return [(choice, start, start + DEFAULT_LENGTH) for choice, start in starts]


@pressed(PlanPress, stale=PlanStep.WHEN)
async def plan_when_button(update: Update, context: BotContext, press: PlanPress) -> int:
    """plan:when:<n>: one of the quick choices (n is checked, the data is untrusted)."""
    draft = user_data(context).plan
    choices = (
        {choice: start for choice, start, _end in quick_times(context, draft)} if draft else {}
    )
    start = choices.get(int(press.arg)) if press.arg.isdigit() and len(press.arg) < 3 else None
    if not context.actor.is_staff or draft is None or start is None:
        await stale_answer(update, context)
        return PlanStep.WHEN
    draft.starts_at, draft.ends_at = start, start + DEFAULT_LENGTH
    await reply(update, render.ask_place(context.actor.tr), edit=True)
    return PlanStep.PLACE


async def plan_when(update: Update, context: BotContext) -> int:
    tr = context.actor.tr
    draft = user_data(context).plan
    text = update.message.text or "" if update.message else ""
    when = parse_when(text, context.services.clock.now(), context.services.clock.tz)
    if draft is None:
        return ConversationHandler.END
    if when is None:
        await reply(update, render.time_not_understood(tr))
        return PlanStep.WHEN
    draft.starts_at, draft.ends_at = when
    await reply(update, render.ask_place(tr))
    return PlanStep.PLACE


async def plan_place(update: Update, context: BotContext) -> int:
    tr = context.actor.tr
    draft = user_data(context).plan
    text = (update.message.text or "").strip() if update.message else ""
    if draft is None:
        return ConversationHandler.END
    if not text or len(text) > 120:
        await reply(update, render.place_too_long(tr))
        return PlanStep.PLACE
    draft.place = text
    await reply(update, render.ask_description(tr))
    return PlanStep.DESCRIPTION


async def plan_description(update: Update, context: BotContext) -> int:
    draft = user_data(context).plan
    text = (update.message.text or "").strip() if update.message else ""
    if draft is None:
        return ConversationHandler.END
    draft.description = "" if text in ("-", "–") else text[:600]
    commitment = context.services.promise.commitment(draft.commitment)
    options = [v for v in Visibility if v.rank >= commitment.visibility.rank]
    await show(update, render.visibility_choice(context.actor.tr, options))
    return PlanStep.DESCRIPTION


@pressed(PlanPress, stale=ConversationHandler.END)
async def plan_visibility(update: Update, context: BotContext, press: PlanPress) -> int:
    actor = context.actor
    tr = actor.tr
    draft = user_data(context).plan
    if draft is None or draft.starts_at is None:
        await stale_answer(update, context)
        return ConversationHandler.END
    if press.action is PlanAction.STOP:
        return await cancelled(update, context)
    events = service(context)
    if press.action is PlanAction.VISIBILITY:
        event_draft = draft.draft(press.arg)
        assert event_draft is not None
        # Checked now, so the preview never shows something that cannot be saved.
        new = events.validate(event_draft, context.services.clock.now())
        draft.visibility = new.visibility
        commitment = context.services.promise.commitment(new.commitment)
        preview = render.plan_preview(
            tr,
            commitment,
            new.title,
            new.starts_at,
            new.ends_at,
            new.place,
            new.description,
            Visibility(new.visibility),
        )
        await show(update, preview, edit=True)
        return PlanStep.DESCRIPTION
    event_draft = draft.draft(draft.visibility)
    if press.action is not PlanAction.SAVE or draft.visibility is None or event_draft is None:
        await stale_answer(update, context)
        return PlanStep.DESCRIPTION
    event = await events.plan(actor, event_draft)
    user_data(context).plan = None
    text = render.planned(tr, context.services.promise, event)
    if events.is_public(event):
        # Its deep link for residents' suggestions, and the poster (handlers.suggestions).
        text += "\n\n" + poster_line(tr, poster_link(context.bot.username, event.id), event.id)
    await reply(update, text, edit=True)
    return ConversationHandler.END


async def cancel_plan(update: Update, context: BotContext) -> int:
    user_data(context).plan = None
    user_data(context).move = None
    await reply(update, notices.nothing_changed(context.actor.tr))
    return ConversationHandler.END


# --- staff: /myevents ---------------------------------------------------------------------


@staff_only("myevents")
async def show_my_events(update: Update, context: BotContext) -> None:
    events = await service(context).mine(context.actor)
    await show(update, render.my_events(context.actor.tr, events))


@staff_only("myevents")
@pressed(MyEvent)
async def press_my_event(update: Update, context: BotContext, choice: MyEvent) -> int | None:
    """my:<action>:<event> from /myevents; the role is checked here, the ownership by the
    service. Cancelling asks first: residents are told only after the confirmation."""
    actor = context.actor
    events = service(context)
    user_data(context).move = None  # another button: any open move question is over
    if choice.action is MyEventAction.CANCEL:
        event = await events.mine_one(actor, choice.event)
        await show(update, render.confirm_cancel(actor.tr, event), edit=True)
        return ConversationHandler.END
    if choice.action is MyEventAction.CONFIRM_CANCEL:
        event = await events.cancel(actor, choice.event)
        await reply(update, render.event_cancelled(actor.tr, event.title), edit=True)
        return ConversationHandler.END
    if choice.action is MyEventAction.KEEP:
        await reply(update, render.event_kept(actor.tr), edit=True)
        return ConversationHandler.END
    user_data(context).move = choice.event
    await reply(update, render.ask_new_time(actor.tr))
    return PlanStep.MOVE_WHEN


async def move_when(update: Update, context: BotContext) -> int:
    actor = context.actor
    event_id = user_data(context).move
    text = update.message.text or "" if update.message else ""
    when = parse_when(text, context.services.clock.now(), context.services.clock.tz)
    if event_id is None:
        return ConversationHandler.END
    if when is None:
        await reply(update, render.time_not_understood(actor.tr))
        return PlanStep.MOVE_WHEN
    event = await service(context).move(actor, event_id, when[0])
    user_data(context).move = None
    await reply(update, render.moved(actor.tr, context.services.promise, event))
    return ConversationHandler.END


FOLLOWUP_JOB = "events:followup"


async def run_followups(context: BotContext) -> None:
    for features in context.bot_data.each():
        await features.events.followup_tick()


async def schedule_followups(app: Any) -> None:
    """Every five minutes: organisers of events that just ended are asked how it went."""
    every(app, FOLLOWUP_JOB, run_followups, 300, first=30)
