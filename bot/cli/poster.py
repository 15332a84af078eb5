"""``poster EVENT_ID --out FILE``: the printable poster of a planned dialogue or theme
meeting, with the deep link whose suggestions are tied to the event."""

from __future__ import annotations

import argparse
import asyncio
import sys

from bot.cli.bot_api import bot_username
from bot.cli.common import open_services
from bot.render.poster import poster, poster_link
from bot.services.wiring import build_features
from bot.settings import Settings


def poster_command(args: argparse.Namespace, settings: Settings) -> int:
    async def go() -> tuple[str, str] | None:
        async with open_services(settings) as services:
            event = await build_features(services).suggestions.event_for(args.event_id)
            if event is None:
                return None
            username = (args.bot_username or "").strip().removeprefix("@") or await bot_username(
                settings
            )
            link = poster_link(username, event.id)
            return link, poster(services.promise, event, link)

    made = asyncio.run(go())
    if made is None:
        print(
            f"Event {args.event_id} is not a planned public event; see export-events.",
            file=sys.stderr,
        )
        return 1
    link, html = made
    if args.out is None:
        sys.stdout.write(html)
    else:
        args.out.write_text(html, encoding="utf-8")
        print(f"Poster written to {args.out} (link {link}). Print it on A4.")
    return 0
