"""Staff reports as one conversation: the card after a one-liner, the guided /report, edits
from /myreports, the event follow-up's counts, and milestones.

Every step accepts a button *and* typed text; typed text is read by the same parser as a
one-liner, so "i förrgår", "ca 25" or "Brogård" fix the draft wherever they are typed.
Nothing typed during a report is lost or becomes another report; nothing counts until Save;
/cancel (/avbryt) ends it. The draft is typed scratch in ``user_data.report``.
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from dataclasses import replace
from datetime import timedelta
from enum import IntEnum
from typing import Any

from telegram import Update
from telegram.ext import (
    BaseHandler,
    CommandHandler,
    ConversationHandler,
    MessageHandler,
    filters,
)

from bot.domain.errors import UserFacingError
from bot.domain.periods import period_containing, period_label
from bot.domain.views import COUNT_MAX, Draft
from bot.language.report_fix import DAYS_BACK_MAX, Field, Fix, looks_like_question, parse_fix
from bot.render import milestones
from bot.render import reporting as present
from bot.render.callbacks import (
    Card,
    CardAction,
    FollowupCount,
    FollowupOther,
    MilestoneAction,
    MilestoneChoice,
)
from bot.services.reporting import ReportingService, ReportScratch, redacted
from handlers.common import (
    BotContext,
    Handler,
    admin_only,
    button,
    conversation_handler,
    pressed,
    reply,
    show,
    show_error,
    staff_only,
    stale_answer,
)
from handlers.tips import on_alert_translation


class Step(IntEnum):
    """Conversation states: what the last message asked for."""

    KIND = 1
    DATE = 2
    COUNT = 3
    PLACE = 4
    NOTE = 5
    CARD = 6


STEP_FOR: dict[Field | None, Step] = {
    Field.KIND: Step.KIND,
    Field.DATE: Step.DATE,
    Field.COUNT: Step.COUNT,
    Field.PLACE: Step.PLACE,
    Field.NOTE: Step.NOTE,
    None: Step.CARD,
}
GUIDED_STEPS = [Field.DATE, Field.COUNT, Field.PLACE, Field.NOTE]
FREE_TEXT = (Field.PLACE, Field.NOTE)  # anything typed is the answer
END = ConversationHandler.END


def service(context: BotContext) -> ReportingService:
    return context.features.reporting


def scratch(context: BotContext) -> ReportScratch | None:
    return context.user_data.report if context.user_data is not None else None


def forget(context: BotContext) -> None:
    """Drop the report being written (cancel, save, or another flow took over)."""
    if context.user_data is not None:
        context.user_data.report = None


def begin(context: BotContext, draft: Draft, steps: list[Field] | None = None) -> ReportScratch:
    state = ReportScratch(draft, list(steps or []))
    if context.user_data is not None:
        context.user_data.report = state
    return state


# --- showing the next thing -------------------------------------------------------------------


async def ask(update: Update, context: BotContext, state: ReportScratch, edit: bool) -> int:
    """The guided /report asks one thing at a time; otherwise (and at the end) the card."""
    reporting = service(context)
    if reporting.is_milestone(state.draft.commitment):
        state.answered(Field.COUNT)  # a milestone has no head count
    if not state.steps:
        return await show_card(update, context, state, edit)
    field = state.steps.pop(0)
    state.awaiting = field
    tr = context.actor.tr
    screens = {
        Field.DATE: lambda: present.ask_date(tr, context.services.clock.today(), guided=True),
        Field.COUNT: lambda: present.ask_count(tr),
        Field.PLACE: lambda: present.ask_place(tr, guided=True),
        Field.NOTE: lambda: present.ask_note(tr, guided=True),
        Field.KIND: lambda: present.ask_kind(tr, context.services.promise),
    }
    await show(update, screens[field](), edit=edit)
    return STEP_FOR[field]


async def show_card(update: Update, context: BotContext, state: ReportScratch, edit: bool) -> int:
    state.awaiting = None
    state.steps = []
    reporting = service(context)
    draft = state.draft
    screen = present.card(
        context.actor.tr,
        context.services.promise,
        draft,
        reporting.problems(draft),
        await reporting.duplicates(context.actor, draft),
        reporting.is_milestone(draft.commitment),
        context.services.clock.today(),
    )
    await show(update, screen, edit=edit)
    return Step.CARD


# --- entry points -----------------------------------------------------------------------------


async def on_staff_text(update: Update, context: BotContext) -> int | None:
    """Offer a staff member's free text to reporting; the state when it became a card."""
    message = update.message
    if message is None or not message.text:
        return None
    reporting = service(context)
    draft = reporting.draft_from_text(message.text) or reporting.report_like(message.text)
    if draft is None:
        return None
    return await show_card(update, context, begin(context, draft), edit=False)


@staff_only("report")
async def start_report(update: Update, context: BotContext) -> int:
    state = begin(context, service(context).blank(), GUIDED_STEPS)
    state.awaiting = Field.KIND
    await show(update, present.ask_kind(context.actor.tr, context.services.promise))
    return Step.KIND


@staff_only("report")
@pressed(Card)
async def start_from_button(update: Update, context: BotContext, card: Card) -> int | None:
    """rep:new:<commitment> (weekly digest) and rep:edit:<id> (/myreports)."""
    reporting = service(context)
    if card.action is CardAction.NEW:
        if context.services.promise.get(card.arg) is None:
            await stale(update, context)
            return None
        draft = replace(reporting.blank(), commitment=card.arg)
        return await show_card(update, context, begin(context, draft), edit=False)
    if card.action is CardAction.EDIT and card.arg.isdigit():
        draft = await reporting.for_edit(context.actor, int(card.arg))
        return await show_card(update, context, begin(context, draft), edit=True)
    await stale(update, context)
    return None


@staff_only("report.edit")
@pressed(FollowupOther)
async def start_other_count(
    update: Update, context: BotContext, choice: FollowupOther
) -> int | None:
    """ "Another number" after an event: the saved report on a card, asking for the count."""
    state = begin(context, await service(context).for_edit(context.actor, choice.activity))
    state.awaiting = Field.COUNT
    await show(update, present.type_count(context.actor.tr), edit=True)
    return Step.COUNT


stale = stale_answer


# --- typed answers ----------------------------------------------------------------------------


def apply(draft: Draft, fix: Fix) -> Draft:
    changes: dict[str, Any] = {
        name: value
        for name, value in (
            ("commitment", fix.commitment),
            ("date", fix.date),
            ("count", fix.count),
            ("place", fix.place),
            ("note", fix.note),
        )
        if value is not None
    }
    if fix.date is not None:
        changes["date_choices"] = ()  # the day is said: no range to choose from
    return replace(draft, **changes)


def given(fix: Fix) -> list[Field]:
    pairs = (
        (Field.KIND, fix.commitment),
        (Field.DATE, fix.date),
        (Field.COUNT, fix.count),
        (Field.PLACE, fix.place),
        (Field.NOTE, fix.note),
    )
    return [name for name, value in pairs if value is not None]


def typed_answer(route_text: Handler) -> Handler:
    """Typed text during a report fixes the draft; it never becomes a new report."""

    async def answer(update: Update, context: BotContext) -> int:
        state = scratch(context)
        message = update.message
        if state is None or not context.actor.is_staff or message is None:
            # Another flow took over (or the role is gone): this is ordinary text again.
            forget(context)
            step = await route_text(update, context)
            return step if isinstance(step, Step) else END
        expecting = state.awaiting
        if message.forward_origin is not None:
            await route_text(update, context)  # a forwarded message is checked for fraud
            return STEP_FOR[expecting]
        if await on_alert_translation(update, context):  # asked for by a button since
            return STEP_FOR[expecting]
        if looks_like_question(message.text or "") and expecting not in FREE_TEXT:
            # A question is not a fix: it must not change the kind or the date by accident.
            await reply(update, present.in_the_middle(context.actor.tr))
            return STEP_FOR[expecting]
        today = context.services.clock.today()
        fix = parse_fix(message.text or "", context.services.promise, today, expecting)
        fields = given(fix)
        implausible = expecting is Field.COUNT and (fix.count or 0) > COUNT_MAX
        if not fields or (expecting is not None and expecting not in fields) or implausible:
            await reply(update, present.not_understood(context.actor.tr, expecting))
            return STEP_FOR[expecting]
        state.draft = apply(state.draft, fix)
        state.answered(*fields)
        return await ask(update, context, state, edit=False)

    return answer


# --- buttons ----------------------------------------------------------------------------------

Action = Callable[[Update, BotContext, ReportScratch, str], Awaitable[int]]


async def save(update: Update, context: BotContext, state: ReportScratch, force: bool) -> int:
    actor = context.actor
    tr = actor.tr
    reporting = service(context)
    draft = state.draft
    duplicates = [] if force else await reporting.duplicates(actor, draft)
    if reporting.problems(draft) or (duplicates and draft.activity_id is None):
        return await show_card(update, context, state, edit=True)  # shows why, with the fix
    try:
        activity = await reporting.save(actor, draft)
    except UserFacingError as error:
        await show_error(update, context, error)
        return Step.CARD
    forget(context)
    commitment = context.services.promise.commitment(activity.commitment)
    period = period_containing(commitment, context.services.promise, activity.date)
    screen = present.saved(
        tr,
        commitment.short.get(tr.locale),
        period_label(period, tr),
        activity,
        reporting.is_milestone(commitment.id),
    )
    await show(update, screen, edit=True)
    return END


async def do_save(update: Update, context: BotContext, state: ReportScratch, arg: str) -> int:
    return await save(update, context, state, force=False)


async def do_save_anyway(
    update: Update, context: BotContext, state: ReportScratch, arg: str
) -> int:
    return await save(update, context, state, force=True)


async def do_drop(update: Update, context: BotContext, state: ReportScratch, arg: str) -> int:
    forget(context)
    await reply(update, present.dropped(context.actor.tr), edit=True)
    return END


async def do_kind(update: Update, context: BotContext, state: ReportScratch, arg: str) -> int:
    state.awaiting = Field.KIND
    await show(update, present.ask_kind(context.actor.tr, context.services.promise), edit=True)
    return Step.KIND


async def do_set_kind(update: Update, context: BotContext, state: ReportScratch, arg: str) -> int:
    if context.services.promise.get(arg) is None:
        await stale(update, context)
        return STEP_FOR[state.awaiting]
    state.draft = replace(state.draft, commitment=arg)
    state.answered(Field.KIND)
    return await ask(update, context, state, edit=True)


async def do_date(update: Update, context: BotContext, state: ReportScratch, arg: str) -> int:
    state.awaiting = Field.DATE
    today = context.services.clock.today()
    await show(update, present.ask_date(context.actor.tr, today, guided=False), edit=True)
    return Step.DATE


async def do_set_date(update: Update, context: BotContext, state: ReportScratch, arg: str) -> int:
    if not arg.isdigit() or int(arg) > DAYS_BACK_MAX:
        await stale(update, context)
        return STEP_FOR[state.awaiting]
    day = context.services.clock.today() - timedelta(days=int(arg))
    state.draft = replace(state.draft, date=day, date_choices=())
    state.answered(Field.DATE)
    return await ask(update, context, state, edit=True)


async def do_count(update: Update, context: BotContext, state: ReportScratch, arg: str) -> int:
    state.awaiting = Field.COUNT
    await show(update, present.ask_count(context.actor.tr), edit=True)
    return Step.COUNT


async def do_set_count(update: Update, context: BotContext, state: ReportScratch, arg: str) -> int:
    if arg != "x" and not (arg.isdigit() and int(arg) in present.COUNT_CHOICES):
        await stale(update, context)
        return STEP_FOR[state.awaiting]
    state.draft = replace(state.draft, count=None if arg == "x" else int(arg))
    state.answered(Field.COUNT)
    return await ask(update, context, state, edit=True)


def prompt_for(field: Field) -> Action:
    """Buttons that ask for typed text: the number, the place or a note."""

    async def prompt(update: Update, context: BotContext, state: ReportScratch, arg: str) -> int:
        tr = context.actor.tr
        screens = {
            Field.COUNT: present.type_count(tr),
            Field.PLACE: present.ask_place(tr, guided=False),
            Field.NOTE: present.ask_note(tr, guided=False),
        }
        state.awaiting = field
        await show(update, screens[field])
        return STEP_FOR[field]

    return prompt


async def do_skip(update: Update, context: BotContext, state: ReportScratch, arg: str) -> int:
    if state.awaiting is not None:
        state.answered(state.awaiting)
    return await ask(update, context, state, edit=True)


async def do_redact(update: Update, context: BotContext, state: ReportScratch, arg: str) -> int:
    state.draft = redacted(state.draft)
    return await show_card(update, context, state, edit=True)


async def do_undo(update: Update, context: BotContext, state: ReportScratch, arg: str) -> int:
    await retract(update, context, arg)
    return STEP_FOR[state.awaiting]


async def do_plan(update: Update, context: BotContext, state: ReportScratch, arg: str) -> int:
    # Normally taken by /plan's conversation first (see handlers/__init__.py); this only
    # runs if it was not, so say how to go on rather than do nothing.
    forget(context)
    await reply(update, present.plan_instead(context.actor.tr), edit=True)
    return END


async def do_restart(update: Update, context: BotContext, state: ReportScratch, arg: str) -> int:
    result = await start_from_button(update, context)
    return result if result is not None else STEP_FOR[state.awaiting]


CARD_ACTIONS: dict[CardAction, Action] = {
    CardAction.SAVE: do_save,
    CardAction.SAVE_ANYWAY: do_save_anyway,
    CardAction.DROP: do_drop,
    CardAction.KIND: do_kind,
    CardAction.SET_KIND: do_set_kind,
    CardAction.DATE: do_date,
    CardAction.SET_DATE: do_set_date,
    CardAction.COUNT: do_count,
    CardAction.SET_COUNT: do_set_count,
    CardAction.TYPE_COUNT: prompt_for(Field.COUNT),
    CardAction.PLACE: prompt_for(Field.PLACE),
    CardAction.NOTE: prompt_for(Field.NOTE),
    CardAction.SKIP: do_skip,
    CardAction.REDACT: do_redact,
    CardAction.UNDO: do_undo,
    CardAction.PLAN: do_plan,
    CardAction.EDIT: do_restart,
    CardAction.NEW: do_restart,
}


@staff_only("report")
@pressed(Card)
async def press_card(update: Update, context: BotContext, card: Card) -> int | None:
    """A card button during a report; the role is re-checked (decorator) on every press."""
    state = scratch(context)
    if state is None:
        return await press_outside(update, context, card)
    return await CARD_ACTIONS[card.action](update, context, state, card.arg)


@staff_only("report")
@pressed(Card)
async def press_card_outside(update: Update, context: BotContext, card: Card) -> None:
    """A card button with no report being written: Undo still works, the rest is stale."""
    await press_outside(update, context, card)


async def press_outside(update: Update, context: BotContext, card: Card) -> int:
    if card.action is CardAction.UNDO:
        await retract(update, context, card.arg)
        return END
    await reply(update, present.report_gone(context.actor.tr))
    return END


async def retract(update: Update, context: BotContext, arg: str) -> None:
    if not arg.isdigit():
        await stale(update, context)
        return
    await service(context).retract(context.actor, int(arg))
    await reply(update, present.retracted(context.actor.tr), edit=True)


async def cancel(update: Update, context: BotContext) -> int:
    forget(context)
    await reply(update, present.dropped(context.actor.tr))
    return END


# --- outside the conversation -----------------------------------------------------------------


@staff_only("report.edit")
@pressed(FollowupCount)
async def press_followup_count(update: Update, context: BotContext, choice: FollowupCount) -> None:
    """evc:<activity>:<n>: how many came to an event that happened."""
    if not 0 <= choice.count <= 10_000:
        await stale(update, context)
        return
    await service(context).set_count(context.actor, choice.activity, choice.count)
    await reply(update, present.count_noted(context.actor.tr, choice.count), edit=True)


@staff_only("myreports")
async def show_my_reports(update: Update, context: BotContext) -> None:
    reports = await service(context).mine(context.actor)
    await show(update, present.my_reports(context.actor.tr, context.services.promise, reports))


@staff_only("milestone")
@pressed(MilestoneChoice)
async def press_milestone_request(
    update: Update, context: BotContext, choice: MilestoneChoice
) -> None:
    if choice.action is not MilestoneAction.REQUEST:
        await stale(update, context)
        return
    confirmed = await service(context).request_milestone(context.actor, choice.commitment)
    await reply(update, milestones.requested(context.actor.tr, confirmed), edit=True)


@admin_only("milestone.confirm")
@pressed(MilestoneChoice)
async def press_milestone_decision(
    update: Update, context: BotContext, choice: MilestoneChoice
) -> None:
    """ms:ok:<id> approves, ms:no:<id> rejects; only an admin, checked here."""
    if choice.action is MilestoneAction.REQUEST:
        await stale(update, context)
        return
    reporting = service(context)
    tr = context.actor.tr
    if choice.action is MilestoneAction.REJECT:
        await reporting.reject_milestone(context.actor, choice.commitment)
        await reply(update, milestones.decided(tr, confirmed=False), edit=True)
        return
    await reporting.confirm_milestone(context.actor, choice.commitment)
    await reply(update, milestones.decided(tr, confirmed=True), edit=True)


# --- wiring -----------------------------------------------------------------------------------


def conversation(
    route_text: Handler, cancel_names: list[str], report_names: list[str]
) -> ConversationHandler[BotContext]:
    """The whole reporting flow as one ConversationHandler. ``route_text`` handles free text
    that is not (or no longer) part of a report, so nothing typed falls on the floor."""
    typed = filters.TEXT & ~filters.COMMAND

    async def enter(update: Update, context: BotContext) -> int:
        # END rather than None when the text was not a report: PTB then keeps no state and
        # schedules no timeout job for every resident's question.
        step = await route_text(update, context)
        return step if isinstance(step, Step) else END

    in_report: list[BaseHandler[Update, BotContext, Any]] = [
        button(Card, press_card),
        MessageHandler(typed, typed_answer(route_text)),
    ]
    restart: list[BaseHandler[Update, BotContext, Any]] = [
        CommandHandler(report_names, start_report),
        button(Card, start_from_button, CardAction.NEW),
        button(Card, start_from_button, CardAction.EDIT),
        button(FollowupOther, start_other_count),
    ]
    return conversation_handler(
        entry_points=[*restart, MessageHandler(filters.UpdateType.MESSAGE & typed, enter)],
        states={step: in_report for step in Step},
        fallbacks=[CommandHandler(cancel_names, cancel), *restart],
        name="report",
        conversation_timeout=60 * 60,
    )


def outside_handlers() -> list[BaseHandler[Update, BotContext, Any]]:
    return [
        button(Card, press_card_outside),
        button(FollowupCount, press_followup_count),
        button(MilestoneChoice, press_milestone_request, MilestoneAction.REQUEST),
        button(MilestoneChoice, press_milestone_decision),
    ]
