"""Presenters for what a person reads first: /start for each role, /help, and joining as
staff through an invite; each ends with the note that nobody watches the bot."""

from __future__ import annotations

from bot.domain.roles import Role
from bot.i18n import Translator
from bot.render import Screen
from bot.render.menu import menu_buttons


def safety_note(tr: Translator) -> str:
    return tr.gettext(
        "I am not monitored around the clock. In an emergency, call 112. To report a crime "
        "or reach the police otherwise, call 114 14 or use polisen.se."
    )


def start_text(tr: Translator, role: Role, name: str, promise_name: str) -> str:
    _ = tr.gettext
    if role is Role.ADMIN:
        intro = _(
            "Hi {name}! You are an admin of the citizen promise bot.\n\n"
            "Report what you did in one message, see /status, plan events with /plan, "
            "invite staff with /invite and manage them with /staff."
        ).format(name=name or _("there"))
    elif role is Role.STAFF:
        intro = _(
            "Hi {name}! You are registered as staff.\n\n"
            "Write what you did in one message, for example "
            '"theme meeting yesterday, 23 people", and I will count it for the promise. '
            "See where we stand with /status and plan events with /plan."
        ).format(name=name or _("there"))
    else:
        intro = _(
            'Hi! I am the bot for "{promise}", the promise from the police and the '
            "municipality to make our municipality safer.\n\n"
            'Ask me in your own words, for example "when is the next theme meeting?". '
            "See upcoming events with /events, how the promise is going with /progress, "
            "and get fraud tips with /tips."
        ).format(promise=promise_name)
    return intro + "\n\n" + safety_note(tr)


def start(tr: Translator, role: Role, name: str, promise_name: str) -> Screen:
    """/start: residents also get the one-tap menu the question answers offer."""
    buttons = [] if role.is_staff else menu_buttons(tr)
    return Screen(start_text(tr, role, name, promise_name), buttons)


def help_text(tr: Translator, role: Role) -> str:
    _ = tr.gettext
    lines = [
        _("What I can do:"),
        _("/events – upcoming theme meetings, dialogues and visibility efforts"),
        _("/next – the next event of each kind"),
        _("/progress – how the promise is going"),
        _(
            "/tips – fraud-prevention tips for seniors (relatives can subscribe too and "
            "pass the tips on)"
        ),
        _("/language – change language"),
        _("/privacy – what I store about you; /delete_me removes it"),
        _("You can also just write a question."),
    ]
    if role.is_staff:
        lines += [
            "",
            _("For staff:"),
            _('Write a one-line report, e.g. "tematräff igår 23 pers", or use /report'),
            _("/myreports – your recent reports"),
            _("/status – where each commitment stands"),
            _("/plan – plan an event"),
            _("/myevents – move or cancel your events"),
            _("/pause – pause your reminders, for example during leave"),
            _("/alert – send an urgent fraud alert to seniors"),
        ]
    if role is Role.ADMIN:
        lines += [
            "",
            _("For admins:"),
            _("/invite – invite a staff member"),
            _("/staff – list and remove staff"),
            _("/suggestions – residents' suggestions and unsafe places"),
        ]
    return "\n".join(lines) + "\n\n" + safety_note(tr)


def already_staff(tr: Translator) -> str:
    return tr.gettext("You are already registered as staff.")


def joined(tr: Translator, name: str, org: str, staff_help: str) -> str:
    """Joined as staff for ``org`` (police, municipality, other), then ``staff_help``: /help
    as the new staff member reads it."""
    _ = tr.gettext
    org_names = {
        "police": _("the police"),
        "municipality": _("the municipality"),
        "other": _("a partner organisation"),
    }
    welcome = _("Welcome, {name}! You are now registered as staff for {org}.")
    return welcome.format(name=name, org=org_names[org]) + "\n\n" + staff_help
