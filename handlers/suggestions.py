"""Residents' suggestions and unsafe places: the card a text opens (what it was read as,
when and why in a few taps, Send), a poster's deep link, the "Do you want us to include
this?" under a worry; and the coordinators' /forslag (/suggestions). Thin glue: the
service decides, the presenters write."""

from __future__ import annotations

from dataclasses import replace

from telegram import Update

from bot.domain.records import GroupStatus, SuggestionKind
from bot.domain.voice import POSTER_PREFIX, DeclineReason, Reading, TimeOfDay, Why
from bot.language.suggestions import area_at, for_poster
from bot.render import Screen
from bot.render import pulse as render_pulse
from bot.render import suggestions as render
from bot.render import suggestions_staff as staff
from bot.render.callbacks import GroupAction, GroupPress, VoiceAction, VoicePress
from bot.services.answers import Understood
from bot.services.suggestions import VoiceDraft, with_reasons
from bot.settings import SUPPORTED_LOCALES
from handlers.common import BotContext, admin_only, pressed, reply, show, stale_answer, user_data


def in_language(context: BotContext, locale: str) -> None:
    """Answer a card's taps in the language its text was written in (residents only)."""
    actor = context.actor
    if not actor.is_staff and locale != actor.locale and locale in SUPPORTED_LOCALES:
        context.actor = replace(actor, locale=locale, tr=context.services.translator(locale))


def poster_event(payload: str) -> int | None:
    """The event id of a poster's /start payload (``s_<id>``), if it is one."""
    if not payload.startswith(POSTER_PREFIX):
        return None
    number = payload.removeprefix(POSTER_PREFIX)
    return int(number) if number.isascii() and number.isdigit() and len(number) < 12 else None


async def start_from_poster(update: Update, context: BotContext, event_id: int) -> None:
    """/start s_<id>: the resident scanned a dialogue's poster; her next text is tied to it."""
    tr = context.actor.tr
    event = await context.features.suggestions.event_for(event_id)
    user_data(context).voice_event = event.id if event is not None else None
    text = render.poster_prompt(tr, event) if event else render.poster_prompt_gone(tr)
    pulse = context.features.pulse
    if event is not None and await pulse.may_ask(context.actor) is None:
        # Through the same link, the safety question (one tap away, anonymous).
        button = render_pulse.poster_button(tr, pulse.promise_index())
        await show(update, Screen(text, [[button]]))
        return
    await reply(update, text)


def through_poster(context: BotContext, understood: Understood) -> Understood:
    """After a poster's link, the next text is a theme for its event (danger still first:
    ``bot.language.suggestions.for_poster``)."""
    if user_data(context).voice_event is None or understood.tapped:
        return understood
    return replace(understood, match=for_poster(understood.match))


async def open_card(update: Update, context: BotContext, understood: Understood) -> None:
    """A theme, wish or unsafe place: the card that says what was understood; nothing is kept
    until Send. The text is redacted before it is kept even in the card."""
    scratch = user_data(context)
    message = update.message
    reading = understood.match.suggestion
    if message is None or reading is None:  # a tap carries no text to send
        await give_answer(update, context, understood)
        return
    event_id, scratch.voice_event = scratch.voice_event, None
    draft = context.features.suggestions.draft(
        message.text or "", reading, context.actor.locale, event_id
    )
    scratch.voice = draft
    await show_card(update, context, draft, unsure=understood.match.danger is not None)


async def answer_with_offer(update: Update, context: BotContext, understood: Understood) -> None:
    """A worry: its calm answer, and "Do you want us to include this?" under it (the text
    becomes a suggestion only if she taps it, then Send)."""
    answer = await context.features.answers.respond(
        replace(understood, locale=context.actor.locale)
    )
    message = update.message
    offered = understood.match.suggestion
    rows = list(answer.buttons)
    if message is not None and offered is not None and not understood.tapped:
        user_data(context).voice_offer = context.features.suggestions.draft(
            message.text or "", offered, context.actor.locale
        )
        rows.append(render.offer_row(context.actor.tr))
    await show(update, Screen(answer.text, rows))


async def give_answer(update: Update, context: BotContext, understood: Understood) -> None:
    answer = await context.features.answers.respond(
        replace(understood, locale=context.actor.locale)
    )
    await show(update, Screen(answer.text, answer.buttons))


async def show_card(
    update: Update,
    context: BotContext,
    draft: VoiceDraft,
    *,
    edit: bool = False,
    unsure: bool = False,
) -> None:
    voice = context.features.suggestions
    event = await voice.event_for(draft.event_id)
    promise = context.services.promise
    screen = render.card(context.actor.tr, promise, draft.reading, event, unsure)
    await show(update, screen, edit=edit)


@pressed(VoicePress)
async def press_voice(update: Update, context: BotContext, press: VoicePress) -> None:
    """A tap on a suggestion card. Its argument is untrusted: an unknown time of day,
    reason or area is a stale button."""
    scratch = user_data(context)
    pending = scratch.voice or scratch.voice_offer
    if pending is not None:
        in_language(context, pending.locale)  # the card's language: the text's
    tr = context.actor.tr
    voice = context.features.suggestions
    if press.action is VoiceAction.OFFER:
        if scratch.voice_offer is None:
            await stale_answer(update, context)
            return
        scratch.voice, scratch.voice_offer = scratch.voice_offer, None
        await show_card(update, context, scratch.voice)
        return
    draft = scratch.voice
    if draft is None:
        await stale_answer(update, context)
        return
    if press.action is VoiceAction.DROP:
        scratch.voice = None
        await reply(update, render.dropped(tr), edit=True)
        return
    if press.action in (VoiceAction.SEND, VoiceAction.FOLLOW):
        follow = press.action is VoiceAction.FOLLOW
        scratch.voice = None
        await voice.submit(draft, context.actor.chat_id if follow else None)
        await reply(update, render.sent(tr, follow), edit=True)
        return
    if press.action is VoiceAction.WHEN and press.arg in set(TimeOfDay):
        draft.time_of_day = TimeOfDay(press.arg)
    elif press.action is VoiceAction.WHY and press.arg in set(Why):
        scratch.voice = draft = with_reasons(draft, Why(press.arg))
    elif not (press.action is VoiceAction.AREA and voice.set_area(draft, press.arg)):
        await stale_answer(update, context)
        return
    await show_card(update, context, draft, edit=True)


# --- coordinators ----------------------------------------------------------------------------


@admin_only("suggestions")
async def show_groups(update: Update, context: BotContext) -> None:
    """/forslag: what came in, grouped by theme and by area, newest first."""
    groups = await context.features.suggestions.groups()
    await show(update, staff.groups_screen(context.actor.tr, context.services.promise, groups))


@admin_only("suggestions")
@pressed(GroupPress)
async def press_group(update: Update, context: BotContext, press: GroupPress) -> None:
    """Every tap re-checked as a coordinator's (above); the group key and the event id are
    untrusted and looked up by the service, which refuses what does not exist."""
    actor = context.actor
    tr = actor.tr
    promise = context.services.promise
    voice = context.features.suggestions
    key = press.group
    if press.action is GroupAction.LIST:
        await show(update, staff.groups_screen(tr, promise, await voice.groups()), edit=True)
        return
    if press.action is GroupAction.EVENTS:
        await voice.group(key)
        events = await voice.linkable_events()
        await show(update, staff.events_screen(tr, promise, key, events), edit=True)
        return
    if press.action is GroupAction.LINK:
        event_id = int(press.arg) if press.arg.isascii() and press.arg.isdigit() else 0
        told = await voice.link(key, event_id, actor.user_id)
        event = await voice.event_for(event_id)
        await reply(update, staff.linked(tr, promise, key, event, told))
    elif press.action is GroupAction.DECLINE:
        await voice.group(key)
        await show(update, staff.reasons_screen(tr, promise, key), edit=True)
        return
    elif press.action is GroupAction.REASON:
        if press.arg not in set(DeclineReason):
            await stale_answer(update, context)
            return
        told = await voice.decline(key, DeclineReason(press.arg), actor.user_id)
        await reply(update, staff.declined(tr, promise, key, told))
    elif press.action is GroupAction.DONE:
        await voice.set_status(key, GroupStatus.DONE, actor.user_id)
    elif press.action is GroupAction.REOPEN:
        await voice.set_status(key, GroupStatus.NEW, actor.user_id)
    group, items, event = await voice.group(key)
    await show(update, staff.group_screen(tr, promise, group, items, event), edit=True)


async def on_location(update: Update, context: BotContext) -> None:
    """A shared location: an unsafe place in the area whose centre is nearest (the location
    itself is not kept, only the area)."""
    message = update.message
    if message is None or message.location is None:
        return
    promise = context.services.promise
    area = area_at(promise, message.location.latitude, message.location.longitude)
    scratch = user_data(context)
    reading = Reading(SuggestionKind.UNSAFE_PLACE, area=area)
    scratch.voice = context.features.suggestions.draft("", reading, context.actor.locale)
    await show_card(update, context, scratch.voice)
