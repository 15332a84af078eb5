"""Admin commands: invite staff, list and remove them."""

from __future__ import annotations

from telegram import Update

from bot.domain.records import Org
from bot.render import admin as render
from bot.render import notices
from bot.render.callbacks import InvitePress, StaffAction, StaffPress
from handlers.common import BotContext, admin_only, pressed, reply, show


@admin_only("invite")
async def start_invite(update: Update, context: BotContext) -> None:
    arg = (context.args[0].lower() if context.args else "").strip()
    if arg in {o.value for o in Org}:
        await send_invite(update, context, Org(arg))
        return
    await show(update, render.invite_orgs(context.actor.tr))


@admin_only("invite")
@pressed(InvitePress)
async def press_invite(update: Update, context: BotContext, press: InvitePress) -> None:
    if press.org not in {o.value for o in Org}:
        await reply(update, notices.stale_button(context.actor.tr))
        return
    await send_invite(update, context, Org(press.org))


async def send_invite(update: Update, context: BotContext, org: Org) -> None:
    actor = context.actor
    code = await context.people.create_invite(actor, org)
    link = render.invite_link(context.bot.username, code)
    await show(update, render.invite(actor.tr, org, link), edit=update.callback_query is not None)


@admin_only("staff.list")
async def list_staff(update: Update, context: BotContext) -> None:
    members = await context.people.list_staff(context.actor)
    await show(update, render.staff_list(context.actor.tr, members))


@admin_only("staff.revoke")
@pressed(StaffPress)
async def press_staff(update: Update, context: BotContext, press: StaffPress) -> None:
    actor = context.actor
    if press.action is StaffAction.NO:
        await reply(update, render.nobody_removed(actor.tr), edit=True)
        return
    member = await context.people.active_staff(press.user)
    if member is None:
        await reply(update, render.not_staff_any_more(actor.tr), edit=True)
        return
    if press.action is StaffAction.ASK:
        await show(update, render.remove_staff_question(actor.tr, member), edit=True)
        return
    await context.people.revoke_staff(actor, press.user)
    await reply(update, render.staff_removed(actor.tr, member.name), edit=True)
