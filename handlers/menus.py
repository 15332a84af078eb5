"""Command names (English and Swedish alias) and the command menus Telegram shows.

Residents see the resident menu in their language; staff and admins get a chat-scoped menu
with their extra commands. Both names of every command always work. What each command is
for, as the menu says it, is written in ``bot.render.menu``.
"""

from __future__ import annotations

import logging
from dataclasses import dataclass

from rapidfuzz import fuzz, process
from telegram import Bot, BotCommand, BotCommandScopeChat, BotCommandScopeDefault
from telegram.error import TelegramError

from bot.domain.roles import Actor, Role
from bot.i18n import translator
from bot.language.textkit import fold
from bot.render.menu import command_description
from bot.settings import SUPPORTED_LOCALES

log = logging.getLogger(__name__)


@dataclass(frozen=True)
class Command:
    en: str
    sv: str
    audience: Role = Role.RESIDENT
    in_menu: bool = True

    @property
    def names(self) -> tuple[str, ...]:
        return (self.en,) if self.en == self.sv else (self.en, self.sv)

    def name(self, locale: str) -> str:
        return self.sv if locale == "sv" else self.en


START = Command("start", "start")
HELP = Command("help", "hjalp")
EVENTS = Command("events", "evenemang")
NEXT = Command("next", "nasta")
PROGRESS = Command("progress", "hurgardet")
FOLLOW = Command("follow", "folj")
SAFETY = Command("safety", "trygghet")
# Only where one bot holds several kommuner's promises; named in the texts that need it.
KOMMUN = Command("municipality", "kommun", in_menu=False)
TIPS = Command("tips", "tips")
STOP = Command("stop", "sluta")
LANGUAGE = Command("language", "sprak")
PRIVACY = Command("privacy", "integritet")
DELETE_ME = Command("delete_me", "radera_mig")
CANCEL = Command("cancel", "avbryt")
REPORT = Command("report", "rapport", Role.STAFF)
MY_REPORTS = Command("myreports", "minarapporter", Role.STAFF)
STATUS = Command("status", "lage", Role.STAFF)
PLAN = Command("plan", "planera", Role.STAFF)
MY_EVENTS = Command("myevents", "minaevenemang", Role.STAFF)
ALERT = Command("alert", "larm", Role.STAFF)
PAUSE = Command("pause", "paus", Role.STAFF)
INVITE = Command("invite", "bjudin", Role.ADMIN)
STAFF = Command("staff", "personal", Role.ADMIN)
RECIPIENTS = Command("recipients", "mottagare", Role.ADMIN)
PUBLISH = Command("publish", "publicera", Role.ADMIN)
# Coordinators (admins) read residents' suggestions.
SUGGESTIONS = Command("suggestions", "forslag", Role.ADMIN)

# Menu order: what each group needs most comes first.
ALL_COMMANDS: tuple[Command, ...] = (
    START,
    EVENTS,
    NEXT,
    PROGRESS,
    FOLLOW,
    SAFETY,
    KOMMUN,
    TIPS,
    STOP,
    LANGUAGE,
    PRIVACY,
    DELETE_ME,
    HELP,
    CANCEL,
    REPORT,
    MY_REPORTS,
    STATUS,
    PLAN,
    MY_EVENTS,
    ALERT,
    PAUSE,
    INVITE,
    STAFF,
    RECIPIENTS,
    PUBLISH,
    SUGGESTIONS,
)

_RANK = {Role.RESIDENT: 0, Role.STAFF: 1, Role.ADMIN: 2}

# Commands whose handlers are registered; menus list only these, so a menu never offers a
# command nobody answers. Filled by ``handlers.register``.
_registered: set[str] = set()


def mark_registered(command: Command) -> None:
    _registered.add(command.en)


def closest_command(typed: str, locale: str) -> str | None:
    """The resident command nearest to what was typed ("/stopp" → "stop"), in the chat's
    language, or None when nothing is close."""
    word = fold(typed.lstrip("/").split("@", 1)[0])
    residents = [c for c in ALL_COMMANDS if c.audience is Role.RESIDENT and c.en in _registered]
    names = {name: c for c in residents for name in c.names}
    if not word:
        return None
    found = process.extractOne(word, list(names), scorer=fuzz.ratio, score_cutoff=75)
    if found is None:
        return None
    return names[str(found[0])].name(locale)


def menu_for(role: Role, locale: str) -> list[BotCommand]:
    tr = translator(locale)
    staff_first = role is not Role.RESIDENT
    chosen = [
        c
        for c in ALL_COMMANDS
        if c.in_menu and c.en in _registered and _RANK[c.audience] <= _RANK[role]
    ]
    if staff_first:
        chosen.sort(key=lambda c: -_RANK[c.audience])
    return [BotCommand(c.name(locale), command_description(tr, c.en)) for c in chosen]


async def publish_default_menus(bot: Bot, default_locale: str) -> None:
    await bot.set_my_commands(menu_for(Role.RESIDENT, default_locale), BotCommandScopeDefault())
    for locale in SUPPORTED_LOCALES:
        await bot.set_my_commands(
            menu_for(Role.RESIDENT, locale), BotCommandScopeDefault(), language_code=locale
        )


async def refresh_commands_for(bot: Bot, actor: Actor) -> None:
    """Chat-scoped menu matching the actor's role and chosen language."""
    try:
        await bot.set_my_commands(
            menu_for(actor.role, actor.locale), BotCommandScopeChat(actor.chat_id)
        )
    except TelegramError as exc:
        # A menu is a convenience; failing to set it must not break joining or /language.
        log.warning("could not set chat menu: %s", type(exc).__name__)
