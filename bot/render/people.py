"""Presenters for people: the language choice, /delete_me's question, admins' /invite and
/staff."""

from __future__ import annotations

from collections.abc import Mapping, Sequence

from bot.i18n import Translator
from bot.render import Button, Screen
from bot.render.callbacks import (
    Answer,
    DeleteMePress,
    InviteAction,
    InvitePress,
    LanguageAction,
    LanguagePress,
    MeAction,
    StaffAction,
    StaffPress,
)
from bot.roles import INVITE_PREFIX
from storage.records import Org, StaffMember

LABEL_CHARS = 60


def language_choice(tr: Translator, names: Mapping[str, str], per_row: int = 2) -> Screen:
    """One button per language, each named in its own language, ``per_row`` to a row."""
    buttons = [
        Button(name, LanguagePress(LanguageAction.SET, code)) for code, name in names.items()
    ]
    rows = [buttons[i : i + per_row] for i in range(0, len(buttons), per_row)]
    return Screen(tr.gettext("Choose your language:"), rows)


def delete_me_question(tr: Translator, is_staff: bool) -> Screen:
    _ = tr.gettext
    question = _(
        "Do you want me to delete everything I store about you? "
        "Your subscriptions and reminders stop."
    )
    if is_staff:
        question = _(
            "Do you want me to delete your language, tips, reminders and follows? You stay "
            "staff and your reports stay, because they are part of the follow-up of the "
            "promise. An admin can remove you as staff."
        )
    return Screen(
        question,
        [
            [
                Button(_("Yes, delete"), DeleteMePress(MeAction.DELETE, Answer.YES)),
                Button(_("No, keep"), DeleteMePress(MeAction.DELETE, Answer.NO)),
            ]
        ],
    )


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
