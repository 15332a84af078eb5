"""``answer``, ``import-events`` and ``export-events``: the residents' side from the command
line, through the same services the chat uses."""

from __future__ import annotations

import argparse
import asyncio
import json
import sys

from bot.cli.common import open_services
from bot.services.events import RowError
from bot.services.wiring import build_features
from bot.settings import Settings


def answer_command(args: argparse.Namespace, settings: Settings) -> int:
    locale = args.locale or settings.locale

    async def go() -> dict[str, object]:
        async with open_services(settings, args.today) as services:
            return (await build_features(services).answers.answer(args.text, locale)).to_json()

    result = asyncio.run(go())
    if args.json:
        print(json.dumps(result, ensure_ascii=False))
    else:
        print(result["text"])
    return 0


def import_events_command(args: argparse.Namespace, settings: Settings) -> int:
    async def go() -> int:
        async with open_services(settings, None, args.promise, required=True) as services:
            rows = build_features(services).events.parse_csv(
                args.file.read_text(encoding="utf-8-sig")
            )
            n = await services.events.add_many(rows, services.clock.now())
            await services.audit.record(
                services.clock.now(), None, "event.import", str(args.file.name), rows=n
            )
            return n

    try:
        n = asyncio.run(go())
    except OSError as exc:
        print(f"{args.file}: {exc.strerror}", file=sys.stderr)
        return 1
    except RowError as exc:
        print(f"{args.file}: {exc}. Nothing was imported.", file=sys.stderr)
        return 1
    print(f"Imported {n} events.")
    return 0


def export_events_command(args: argparse.Namespace, settings: Settings) -> int:
    """The public calendar feed: only events residents may see."""
    locale = args.locale or settings.locale

    async def go() -> bytes:
        async with open_services(settings, None, args.promise) as services:
            events = build_features(services).events
            return events.ics(await services.events.all_public(), locale)

    data = asyncio.run(go())
    if args.out:
        args.out.write_bytes(data)
    else:
        sys.stdout.write(data.decode("utf-8"))
    return 0
