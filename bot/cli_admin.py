"""CLI for IT staff and admins: check-promise, backup, invite."""

from __future__ import annotations

import argparse
import asyncio
import sys

from telegram import Bot

from bot.cli_common import UsageError, open_services
from bot.logging_setup import quiet_telegram
from bot.promise_check import check_promise
from bot.services.people import PeopleService
from bot.settings import Settings
from handlers.admin import invite_link
from storage.db import Database, SchemaTooNewError
from storage.records import Org


def check_promise_command(args: argparse.Namespace, settings: Settings) -> int:
    code, text = check_promise(args.file or settings.promise_file)
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


async def _bot_username(settings: Settings) -> str:
    if settings.bot_token is None:
        raise UsageError("give --bot-username, or set TELEGRAM_BOT_TOKEN so I can ask Telegram")
    with quiet_telegram():  # a failure is reported by bot.cli in one line
        async with Bot(
            settings.bot_token.get_secret_value(), base_url=settings.api_base_url
        ) as bot:
            return bot.username


def invite_command(args: argparse.Namespace, settings: Settings) -> int:
    async def go() -> str:
        username = args.bot_username or await _bot_username(settings)
        async with open_services(settings) as services:
            code = await PeopleService(services).create_invite(None, Org(args.org))
        return invite_link(username, code)

    link = asyncio.run(go())
    print("Single-use staff invite, valid 72 hours. Send it to the new staff member:")
    print(link)
    return 0
