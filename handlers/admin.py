"""Admin commands: invite staff, list and remove them."""

from __future__ import annotations

from telegram import Update

from bot.roles import Actor
from bot.services.people import INVITE_PREFIX
from handlers.common import BotContext, admin_only, cb, int_arg, keyboard, reply, split_cb
from storage.records import Org


def org_label(actor: Actor, org: str) -> str:
    _ = actor.tr.gettext
    return {
        "police": _("Police"),
        "municipality": _("Municipality"),
        "other": _("Other organisation"),
    }.get(org, org)


def invite_link(bot_username: str, code: str) -> str:
    return f"https://t.me/{bot_username}?start={INVITE_PREFIX}{code}"


@admin_only("invite")
async def start_invite(update: Update, context: BotContext) -> None:
    actor = context.actor
    _ = actor.tr.gettext
    arg = (context.args[0].lower() if context.args else "").strip()
    if arg in {o.value for o in Org}:
        await send_invite(update, context, Org(arg))
        return
    rows = [[(org_label(actor, o.value), cb("invite", "new", o.value))] for o in Org]
    await reply(update, _("Which organisation is the new staff member from?"), keyboard(rows))


@admin_only("invite")
async def press_invite(update: Update, context: BotContext) -> None:
    parts = split_cb(update.callback_query.data if update.callback_query else None, 3)
    if parts is None or parts[2] not in {o.value for o in Org}:
        await reply(update, context.actor.tr.gettext("That button is no longer valid."))
        return
    await send_invite(update, context, Org(parts[2]))


async def send_invite(update: Update, context: BotContext, org: Org) -> None:
    actor = context.actor
    _ = actor.tr.gettext
    code = await context.people.create_invite(actor, org)
    await reply(
        update,
        _(
            "Invite for {org}. Send this link to the new staff member. It works once and "
            "for 72 hours:\n\n{link}"
        ).format(org=org_label(actor, org.value), link=invite_link(context.bot.username, code)),
        edit=update.callback_query is not None,
    )


@admin_only("staff.list")
async def list_staff(update: Update, context: BotContext) -> None:
    actor = context.actor
    _ = actor.tr.gettext
    members = await context.people.list_staff(actor)
    if not members:
        await reply(update, _("No staff yet. Invite someone with /invite."))
        return
    lines = [_("Staff ({n}):").format(n=len(members))]
    rows = []
    for m in members:
        lines.append(f"• {m.name} – {org_label(actor, m.org.value)}")
        rows.append([(_("Remove {name}").format(name=m.name)[:60], cb("staff", "ask", m.user_id))])
    await reply(update, "\n".join(lines), keyboard(rows))


@admin_only("staff.revoke")
async def press_staff(update: Update, context: BotContext) -> None:
    actor = context.actor
    _ = actor.tr.gettext
    parts = split_cb(update.callback_query.data if update.callback_query else None, 3)
    user_id = int_arg(parts[2]) if parts else None
    if parts is None or user_id is None or parts[1] not in ("ask", "yes", "no"):
        await reply(update, _("That button is no longer valid."))
        return
    if parts[1] == "no":
        await reply(update, _("OK, nobody was removed."), edit=True)
        return
    member = await context.services.staff.active(user_id)
    if member is None:
        await reply(update, _("That person is not staff any more."), edit=True)
        return
    if parts[1] == "ask":
        await reply(
            update,
            _("Remove {name} from staff? They keep their reports but can no longer report.").format(
                name=member.name
            ),
            keyboard(
                [
                    [
                        (_("Yes, remove"), cb("staff", "yes", user_id)),
                        (_("No"), cb("staff", "no", user_id)),
                    ]
                ]
            ),
            edit=True,
        )
        return
    await context.people.revoke_staff(actor, user_id)
    await reply(update, _("{name} is no longer staff.").format(name=member.name), edit=True)
