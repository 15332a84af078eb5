"""Presenters for admins: /invite (the organisation, the link), /staff (list, remove) and the
notice that someone joined."""

from __future__ import annotations

from collections.abc import Sequence

from bot.domain.records import Org, StaffMember
from bot.domain.roles import INVITE_PREFIX
from bot.i18n import Translator
from bot.render import Button, Screen
from bot.render.callbacks import InviteAction, InvitePress, StaffAction, StaffPress

LABEL_CHARS = 60


def staff_joined(tr: Translator, name: str, org: Org) -> Screen:
    """To admins: someone joined through an invite (a link can be forwarded)."""
    text = tr.gettext("{name} joined as staff ({org}) through an invite. See /staff.")
    return Screen(text.format(name=name, org=org_label(tr, org.value)))


def org_label(tr: Translator, org: str) -> str:
    _ = tr.gettext
    return {
        "police": _("Police"),
        "municipality": _("Municipality"),
        "other": _("Other organisation"),
    }.get(org, org)


def invite_link(bot_username: str, code: str) -> str:
    return f"https://t.me/{bot_username}?start={INVITE_PREFIX}{code}"


def invite_orgs(tr: Translator) -> Screen:
    rows = [[Button(org_label(tr, o.value), InvitePress(InviteAction.NEW, o.value))] for o in Org]
    return Screen(tr.gettext("Which organisation is the new staff member from?"), rows)


def invite(tr: Translator, org: Org, link: str) -> Screen:
    return Screen(
        tr.gettext(
            "Invite for {org}. Send this link to the new staff member. It works once and "
            "for 72 hours:\n\n{link}"
        ).format(org=org_label(tr, org.value), link=link)
    )


def staff_list(tr: Translator, members: Sequence[StaffMember]) -> Screen:
    _ = tr.gettext
    if not members:
        return Screen(_("No staff yet. Invite someone with /invite."))
    lines = [_("Staff ({n}):").format(n=len(members))]
    rows = []
    for m in members:
        lines.append(f"• {m.name} – {org_label(tr, m.org.value)}")
        label = _("Remove {name}").format(name=m.name)[:LABEL_CHARS]
        rows.append([Button(label, StaffPress(StaffAction.ASK, m.user_id))])
    return Screen("\n".join(lines), rows)


def remove_staff_question(tr: Translator, member: StaffMember) -> Screen:
    _ = tr.gettext
    return Screen(
        _("Remove {name} from staff? They keep their reports but can no longer report.").format(
            name=member.name
        ),
        [
            [
                Button(_("Yes, remove"), StaffPress(StaffAction.YES, member.user_id)),
                Button(_("No"), StaffPress(StaffAction.NO, member.user_id)),
            ]
        ],
    )


def nobody_removed(tr: Translator) -> str:
    return tr.gettext("OK, nobody was removed.")


def not_staff_any_more(tr: Translator) -> str:
    """The person was removed (by another admin, or before) since the list was shown."""
    return tr.gettext("That person is not staff any more.")


def staff_removed(tr: Translator, name: str) -> str:
    return tr.gettext("{name} is no longer staff.").format(name=name)
