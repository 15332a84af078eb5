"""CLI for IT staff and admins: check-promise, backup, invite, user-ids."""

from __future__ import annotations

import argparse
import asyncio
import sys

from bot.cli.bot_api import bot_username, recent_senders
from bot.cli.common import open_services
from bot.cli.promise_check import check_promise, check_promises
from bot.clock import make_clock
from bot.domain.records import Org
from bot.render.admin import invite_link
from bot.services.wiring import build_features
from bot.settings import Settings, UsageError
from storage.db import Database, SchemaTooNewError


def check_promise_command(args: argparse.Namespace, settings: Settings) -> int:
    today = make_clock(settings.now, settings.tz).today()
    if args.file is None and settings.promises:
        code, text = check_promises(settings.promises, today)
    else:
        code, text = check_promise(args.file or settings.promise_file, today)
    print(text, file=sys.stdout if code == 0 else sys.stderr)
    return code


def backup_command(args: argparse.Namespace, settings: Settings) -> int:
    async def go() -> None:
        async with Database(settings.db_path) as db:
            await db.backup(args.path)

    try:
        asyncio.run(go())
    except SchemaTooNewError as exc:
        print(str(exc), file=sys.stderr)
        return 3
    print(f"Backup written to {args.path}")
    return 0


def invite_command(args: argparse.Namespace, settings: Settings) -> int:
    async def go() -> str:
        username = (args.bot_username or "").strip().removeprefix("@") or await bot_username(
            settings
        )
        municipality = getattr(args, "municipality", None)
        async with open_services(settings) as services:
            if municipality is not None and municipality not in services.promises.municipalities:
                known = ", ".join(services.promises.municipalities)
                raise UsageError(f"no promise is for '{municipality}' (the kommuner: {known})")
            code = await build_features(services).people.create_invite(
                None, Org(args.org), municipality
            )
        return invite_link(username, code)

    link = asyncio.run(go())
    print("Single-use staff invite, valid 72 hours. Send it to the new staff member:")
    print(link)
    return 0


def user_ids_command(args: argparse.Namespace, settings: Settings) -> int:
    """Who has written to the bot, with their Telegram user ids: how an operator finds the
    numbers for TRYGGHETSBOT_ADMIN_IDS without a third-party bot."""
    username, senders = asyncio.run(recent_senders(settings))
    if not senders:
        print(
            f"Nobody has written to @{username} in the last 24 hours, or the bot has read the "
            "messages already. Ask each coordinator to open "
            f"https://t.me/{username} and send /start, then run this again (with the bot "
            "stopped: a running bot reads the messages itself)."
        )
        return 0
    print(f"Telegram users who wrote to @{username} (user id, name, username):")
    for sender in senders:
        handle = f"@{sender.username}" if sender.username else "-"
        print(f"{sender.user_id}\t{sender.name}\t{handle}")
    print("Put the coordinators' user ids in TRYGGHETSBOT_ADMIN_IDS, comma-separated.")
    return 0
