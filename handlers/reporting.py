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
from typing import Any

from telegram import Update
from telegram.ext import (
    BaseHandler,
)

from bot.domain.errors import UserFacingError
from bot.domain.periods import period_containing, period_label
from bot.domain.views import COUNT_MAX, Draft
from bot.language.report_fix import DAYS_BACK_MAX, Field, Fix, looks_like_question, parse_fix
from bot.render import Screen, milestones
from bot.render import reporting as present
from bot.render.callbacks import (
    Card,
    CardAction,
    FollowupCount,
    FollowupOther,
    MilestoneAction,
    MilestoneChoice,
)
from bot.services.reporting import (
    CARDS_JOB_SECONDS,
    ReportingService,
    ReportScratch,
    redacted,
)
from handlers.common import (
    BotContext,
    admin_only,
    button,
    every,
    pressed,
    reply,
    show,
    show_error,
    staff_only,
    stale_answer,
)

GUIDED_STEPS = [Field.DATE, Field.COUNT, Field.PLACE, Field.NOTE]
FREE_TEXT = (Field.PLACE, Field.NOTE)  # anything typed is the answer


def service(context: BotContext) -> ReportingService:
    return context.features.reporting


def use_card_promise(context: BotContext, draft: Draft) -> None:
    """The rest of this update works for the promise the card counts for (several
    promises); a card of a promise no longer configured falls back to the home one."""
    if draft.promise_id:
        context.use_promise(context.bot_data.services.promises.get(draft.promise_id))


# --- showing the next thing -------------------------------------------------------------------


async def ask(update: Update, context: BotContext, state: ReportScratch, edit: bool) -> None:
    """The guided /report asks one thing at a time; otherwise (and at the end) the card."""
    reporting = service(context)
    if reporting.is_milestone(state.draft.commitment):
        state.answered(Field.COUNT)  # a milestone has no head count
    if not state.steps:
        await show_card(update, context, state, edit)
        return
    field = state.steps.pop(0)
    state.awaiting = field
    await reporting.keep(context.actor, state)
    tr = context.actor.tr
    screens = {
        Field.DATE: lambda: present.ask_date(tr, context.services.clock.today(), guided=True),
        Field.COUNT: lambda: present.ask_count(tr),
        Field.PLACE: lambda: present.ask_place(tr, guided=True),
        Field.NOTE: lambda: present.ask_note(tr, guided=True),
        Field.KIND: lambda: present.ask_kind(tr, context.services.promise),
    }
    await show(update, present.on_card(screens[field](), state.id), edit=edit)


async def show_card(
    update: Update,
    context: BotContext,
    state: ReportScratch,
    edit: bool,
    kept: Draft | None = None,
) -> None:
    """Keep the card (it becomes the open one) and show it, with its own buttons."""
    state.awaiting = None
    state.steps = []
    reporting = service(context)
    await reporting.keep(context.actor, state)
    others = await reporting.count_cards(context.actor) - 1
    draft = state.draft
    screen = present.card(
        context.actor.tr,
        context.services.promise,
        draft,
        reporting.problems(draft),
        await reporting.duplicates(context.actor, draft),
        reporting.is_milestone(draft.commitment),
        context.services.clock.today(),
        others=others,
        kept=kept,
        verdict=reporting.verdict(draft),
        promises=context.services.promises,
    )
    await show(update, present.on_card(screen, state.id), edit=edit)


async def prompt_field(
    update: Update, context: BotContext, state: ReportScratch, field: Field, screen: Screen
) -> None:
    state.awaiting = field
    await service(context).keep(context.actor, state)
    await show(update, present.on_card(screen, state.id), edit=True)


# --- the way in: a staff member's text --------------------------------------------------------


def _empty(state: ReportScratch) -> bool:
    """The guided /report's card before anything was said: a text fills it."""
    d = state.draft
    return not state.source and d.commitment is None and d.count is None and not d.place


async def on_staff_text(update: Update, context: BotContext) -> bool:
    """A staff member's text, read once: a new report opens its own card (the open one is
    kept as it was), a fix goes to the open card, and when it could be either the person is
    asked. False when it is neither, and the text is answered like anyone's question."""
    message = update.message
    if message is None or not message.text:
        return False
    text = message.text
    actor = context.actor
    reporting = service(context)
    open_card = await reporting.open_card(actor)
    # Several promises: the one this text counts for, from the place it names and its date.
    choice = reporting.choose_promise(text, actor.municipality)
    new = context.bot_data.features_for(choice.promise).reporting.read(text, actor.org)
    if new is not None and len(context.services.promises) > 1:
        new = replace(new, promise_id=choice.promise.id, other_promises=choice.others)
    if open_card is None:
        if new is None:
            return await fix_for_a_waiting_card(update, context, text)
        use_card_promise(context, new)
        await show_card(update, context, ReportScratch(new, source=text), edit=False)
        return True
    expecting = open_card.awaiting
    if new is None:
        use_card_promise(context, open_card.draft)
        return await typed_answer(update, context, open_card)
    use_card_promise(context, open_card.draft)
    fix = parse_fix(text, context.services.promise, context.services.clock.today(), expecting)
    # A fix says no kind ("igår 25 pers"), or only the kind ("det var en tematräff"); a
    # report of its own names the kind and more ("synlighet bro centrum igår"). What is typed
    # when the card asked for the place or a note is that answer.
    answers_it = (
        expecting in FREE_TEXT
        or new.commitment is None
        or set(given(fix)) <= {Field.KIND}
        or _empty(open_card)
    )
    if answers_it:
        return await typed_answer(update, context, open_card)
    kept = open_card.draft
    if new.commitment is not None and (
        kept.commitment not in (None, new.commitment) or kept.promise_id != new.promise_id
    ):
        # Another kind of activity, or for another promise: a report of its own.
        use_card_promise(context, new)
        await show_card(update, context, ReportScratch(new, source=text), edit=False, kept=kept)
        return True
    # The same kind (or the open card has none yet): a change, or another report? Ask; the
    # text is kept as a card of its own meanwhile, and the open card stays the open one.
    pending = await reporting.keep(actor, ReportScratch(new, source=text))
    await reporting.keep(actor, open_card)
    assert open_card.id is not None and pending.id is not None
    tr = actor.tr
    await show(
        update, present.which_card(tr, context.services.promise, kept, open_card.id, pending.id)
    )
    return True


async def fix_for_a_waiting_card(update: Update, context: BotContext, text: str) -> bool:
    """A fix ("ca 25") when no card has been touched for an hour, but some wait: which one?
    (A fix is never applied to a card the person may have forgotten.)"""
    if looks_like_question(text):
        return False
    fix = parse_fix(text, context.services.promise, context.services.clock.today(), None)
    if not given(fix):
        return False
    cards = await service(context).listed(context.actor)
    if not cards:
        return False
    screen = present.which_card_for_fix(context.actor.tr, context.services.promise, cards)
    await show(update, screen)
    return True


@staff_only("report")
async def start_report(update: Update, context: BotContext) -> None:
    state = ReportScratch(service(context).blank(), list(GUIDED_STEPS))
    await prompt_field(
        update,
        context,
        state,
        Field.KIND,
        present.ask_kind(context.actor.tr, context.services.promise),
    )


async def start_from(update: Update, context: BotContext, card: Card) -> None:
    """rep:new:<commitment> (weekly digest) and rep:edit:<id> (/myreports)."""
    reporting = service(context)
    if card.action is CardAction.NEW:
        if context.services.promise.get(card.arg) is None:
            await stale(update, context)
            return
        draft = replace(reporting.blank(), commitment=card.arg)
        draft = reporting.settle_conditions(draft, "", context.actor.org)
        await show_card(update, context, ReportScratch(draft), edit=False)
        return
    if card.action is CardAction.EDIT and card.arg.isdigit():
        draft = await reporting.for_edit(context.actor, int(card.arg))
        use_card_promise(context, draft)
        await show_card(update, context, ReportScratch(draft), edit=True)
        return
    await stale(update, context)


@staff_only("report.edit")
@pressed(FollowupOther)
async def start_other_count(update: Update, context: BotContext, choice: FollowupOther) -> None:
    """ "Another number" after an event: the saved report on a card, asking for the count."""
    state = ReportScratch(await service(context).for_edit(context.actor, choice.activity))
    await prompt_field(update, context, state, Field.COUNT, present.type_count(context.actor.tr))


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


async def typed_answer(update: Update, context: BotContext, state: ReportScratch) -> bool:
    """Typed text to the open card fixes it ("i förrgår", "ca 25", "Brogård"). A question is
    not a fix: it is answered like anyone's (False), and the card waits."""
    message = update.message
    if message is None:
        return False
    text = message.text or ""
    expecting = state.awaiting
    if looks_like_question(text) and expecting not in FREE_TEXT:
        return False
    today = context.services.clock.today()
    fix = parse_fix(text, context.services.promise, today, expecting)
    fields = given(fix)
    implausible = expecting is Field.COUNT and (fix.count or 0) > COUNT_MAX
    if not fields or (expecting is not None and expecting not in fields) or implausible:
        await reply(update, present.not_understood(context.actor.tr, expecting))
        return True
    state.draft = apply(state.draft, fix)
    if fix.commitment is not None:
        state.draft = service(context).settle_conditions(
            state.draft, state.source, context.actor.org
        )
    state.answered(*fields)
    await ask(update, context, state, edit=False)
    return True


# --- buttons ----------------------------------------------------------------------------------

Action = Callable[[Update, BotContext, ReportScratch, str], Awaitable[None]]


async def save(update: Update, context: BotContext, state: ReportScratch, force: bool) -> None:
    actor = context.actor
    tr = actor.tr
    reporting = service(context)
    draft = state.draft
    duplicates = [] if force else await reporting.duplicates(actor, draft)
    if reporting.problems(draft) or (duplicates and draft.activity_id is None):
        await show_card(update, context, state, edit=True)  # shows why, with the fix
        return
    try:
        activity = await reporting.save(actor, draft, card_id=state.id)
    except UserFacingError as error:
        await show_error(update, context, error)
        return
    commitment = context.services.promise.commitment(activity.commitment)
    period = period_containing(commitment, context.services.promise, activity.date)
    screen = present.saved(
        tr,
        commitment.short.get(tr.locale),
        period_label(period, tr),
        activity,
        reporting.is_milestone(commitment.id),
        reporting.verdict(draft),
    )
    await show(update, screen, edit=True)


async def do_save(update: Update, context: BotContext, state: ReportScratch, arg: str) -> None:
    await save(update, context, state, force=False)


async def do_save_anyway(
    update: Update, context: BotContext, state: ReportScratch, arg: str
) -> None:
    await save(update, context, state, force=True)


async def do_drop(update: Update, context: BotContext, state: ReportScratch, arg: str) -> None:
    await service(context).discard(context.actor, state.id)
    await reply(update, present.dropped(context.actor.tr), edit=True)


async def do_kind(update: Update, context: BotContext, state: ReportScratch, arg: str) -> None:
    screen = present.ask_kind(context.actor.tr, context.services.promise)
    await prompt_field(update, context, state, Field.KIND, screen)


async def do_set_kind(update: Update, context: BotContext, state: ReportScratch, arg: str) -> None:
    if context.services.promise.get(arg) is None:
        await stale(update, context)
        return
    state.draft = service(context).settle_conditions(
        replace(state.draft, commitment=arg), state.source, context.actor.org
    )
    state.answered(Field.KIND)
    await ask(update, context, state, edit=True)


async def do_date(update: Update, context: BotContext, state: ReportScratch, arg: str) -> None:
    today = context.services.clock.today()
    screen = present.ask_date(context.actor.tr, today, guided=False)
    await prompt_field(update, context, state, Field.DATE, screen)


async def do_set_date(update: Update, context: BotContext, state: ReportScratch, arg: str) -> None:
    if not arg.isdigit() or int(arg) > DAYS_BACK_MAX:
        await stale(update, context)
        return
    day = context.services.clock.today() - timedelta(days=int(arg))
    state.draft = replace(state.draft, date=day, date_choices=())
    state.answered(Field.DATE)
    await ask(update, context, state, edit=True)


async def do_count(update: Update, context: BotContext, state: ReportScratch, arg: str) -> None:
    await prompt_field(update, context, state, Field.COUNT, present.ask_count(context.actor.tr))


async def do_set_count(update: Update, context: BotContext, state: ReportScratch, arg: str) -> None:
    if arg != "x" and not (arg.isdigit() and int(arg) in present.COUNT_CHOICES):
        await stale(update, context)
        return
    state.draft = replace(state.draft, count=None if arg == "x" else int(arg))
    state.answered(Field.COUNT)
    await ask(update, context, state, edit=True)


def prompt_for(field: Field) -> Action:
    """Buttons that ask for typed text: the number, the place or a note."""

    async def prompt(update: Update, context: BotContext, state: ReportScratch, arg: str) -> None:
        tr = context.actor.tr
        screens = {
            Field.COUNT: present.type_count(tr),
            Field.PLACE: present.ask_place(tr, guided=False),
            Field.NOTE: present.ask_note(tr, guided=False),
        }
        state.awaiting = field
        await service(context).keep(context.actor, state)
        await show(update, present.on_card(screens[field], state.id))

    return prompt


async def do_skip(update: Update, context: BotContext, state: ReportScratch, arg: str) -> None:
    if state.awaiting is not None:
        state.answered(state.awaiting)
    await ask(update, context, state, edit=True)


async def do_redact(update: Update, context: BotContext, state: ReportScratch, arg: str) -> None:
    state.draft = redacted(state.draft)
    await show_card(update, context, state, edit=True)


async def do_plan(update: Update, context: BotContext, state: ReportScratch, arg: str) -> None:
    # Normally taken by /plan's conversation first (see handlers/__init__.py); this only
    # runs if it was not, so say how to go on rather than do nothing.
    await service(context).discard(context.actor, state.id)
    await reply(update, present.plan_instead(context.actor.tr), edit=True)


async def do_open(update: Update, context: BotContext, state: ReportScratch, arg: str) -> None:
    await show_card(update, context, state, edit=False)


async def do_fix(update: Update, context: BotContext, state: ReportScratch, arg: str) -> None:
    """ "Change the open card": the text that opened card ``arg`` fixes this card instead,
    and that card is dropped."""
    reporting = service(context)
    pending = await reporting.card(context.actor, int(arg)) if arg.isdigit() else None
    if pending is None:
        await stale(update, context)
        return
    today = context.services.clock.today()
    fix = parse_fix(pending.source, context.services.promise, today, None)
    state.draft = apply(state.draft, fix)
    state.source = f"{state.source}\n{pending.source}".strip()
    state.draft = reporting.settle_conditions(state.draft, state.source, context.actor.org)
    await reporting.discard(context.actor, pending.id)
    await show_card(update, context, state, edit=True)


async def do_condition(update: Update, context: BotContext, state: ReportScratch, arg: str) -> None:
    """A condition's tap: ☐ → ✔ → ✖ → ☐ (only those the card asks about)."""
    tapped = service(context).tap_condition(state.draft, arg)
    if tapped is None:
        await stale(update, context)
        return
    state.draft = tapped
    await show_card(update, context, state, edit=True)


async def do_promise(update: Update, context: BotContext, state: ReportScratch, arg: str) -> None:
    """ "Count it for …": the card counts for another of the promises it could (the
    button's index into the card's own list; anything else is stale). The text is read
    again in that promise's words."""
    others = state.draft.other_promises
    promises = context.bot_data.services.promises
    index = int(arg) if arg.isdigit() else -1
    target = promises.get(others[index]) if 0 <= index < len(others) else None
    if target is None:
        await stale(update, context)
        return
    rest = tuple(p for p in (state.draft.promise_id, *others) if p and p != target.id)
    context.use_promise(target)
    reporting = service(context)
    draft = replace(state.draft, promise_id=target.id, other_promises=rest)
    if reporting.s.promise.get(draft.commitment or "") is None:
        reread = reporting.read(state.source, context.actor.org) if state.source else None
        draft = replace(
            draft, commitment=reread.commitment if reread else None, conditions=(), asked=()
        )
    state.draft = reporting.settle_conditions(draft, state.source, context.actor.org)
    await show_card(update, context, state, edit=True)


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
    CardAction.PLAN: do_plan,
    CardAction.OPEN: do_open,
    CardAction.FIX: do_fix,
    CardAction.CONDITION: do_condition,
    CardAction.PROMISE: do_promise,
}


@staff_only("report")
@pressed(Card)
async def press_card(update: Update, context: BotContext, card: Card) -> None:
    """Any report card button; the role is re-checked (decorator) on every press. The
    button names its card, so a tap on an older card acts on that card."""
    if card.action in (CardAction.NEW, CardAction.EDIT):
        await start_from(update, context, card)
        return
    if card.action is CardAction.UNDO:
        await retract(update, context, card.arg)
        return
    if card.action is CardAction.CARDS:
        await show_cards(update, context)
        return
    reporting = service(context)
    # A button from before cards were kept names none: it means the open card.
    state = await (
        reporting.card(context.actor, card.card)
        if card.card
        else reporting.open_card(context.actor)
    )
    if state is None:
        await reply(update, present.report_gone(context.actor.tr))
        return
    use_card_promise(context, state.draft)
    await CARD_ACTIONS[card.action](update, context, state, card.arg)


async def show_cards(update: Update, context: BotContext) -> None:
    listed = await service(context).listed(context.actor)
    await show(update, present.cards_list(context.actor.tr, context.services.promise, listed))


async def retract(update: Update, context: BotContext, arg: str) -> None:
    if not arg.isdigit():
        await stale(update, context)
        return
    await service(context).retract(context.actor, int(arg))
    await reply(update, present.retracted(context.actor.tr), edit=True)


async def cancel(update: Update, context: BotContext) -> bool:
    """/cancel: drop the open card. False when there is none (the general /cancel answers)."""
    if not context.actor.is_staff:
        return False
    reporting = service(context)
    open_card = await reporting.open_card(context.actor)
    if open_card is None:
        return False
    await reporting.discard(context.actor, open_card.id)
    await reply(update, present.dropped(context.actor.tr))
    return True


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
    """The cards not saved yet, then the latest saved reports."""
    reporting = service(context)
    reports = await reporting.mine(context.actor)
    cards = await reporting.listed(context.actor)
    screen = present.my_reports(
        context.actor.tr, context.services.promise, reports, cards, context.services.promises
    )
    await show(update, screen)


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


async def run_cards_tick(context: BotContext) -> None:
    await service(context).cards_tick()


async def schedule_cards(app: Any) -> None:
    """The cards not saved: their owners told after a day, dropped a day after that."""
    every(app, "report:cards", run_cards_tick, CARDS_JOB_SECONDS, first=20)


# --- wiring -----------------------------------------------------------------------------------


def button_handlers() -> list[BaseHandler[Update, BotContext, Any]]:
    """Reporting's buttons. Its other ways in are its commands (registered with the rest in
    ``handlers/__init__.py``) and a staff member's text, through the one free-text router
    (``handlers.text``)."""
    return [
        button(Card, press_card),
        button(FollowupOther, start_other_count),
        button(FollowupCount, press_followup_count),
        button(MilestoneChoice, press_milestone_request, MilestoneAction.REQUEST),
        button(MilestoneChoice, press_milestone_decision),
    ]
