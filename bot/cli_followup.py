"""``trygghetsbot report``: draft the published follow-up as HTML, Markdown or CSV."""

from __future__ import annotations

import argparse
import asyncio
import sys

from bot.clock import make_clock
from bot.followup import PeriodFilter, render_report
from bot.promise import load_promise
from bot.services import Services
from bot.settings import Settings
from storage.db import Database


def report_command(args: argparse.Namespace, settings: Settings) -> int:
    try:
        period = PeriodFilter.parse(args.period)
    except ValueError as exc:
        print(str(exc), file=sys.stderr)
        return 2

    async def go() -> str:
        async with Database(settings.db_path) as db:
            clock = make_clock(settings.now, settings.tz)
            services = Services(settings, clock, load_promise(settings.promise_file), db)
            return await render_report(
                services, args.format, args.locale or settings.locale, period, args.internal,
                args.today,
            )  # fmt: skip

    text = asyncio.run(go())
    if args.out:
        args.out.write_text(text, encoding="utf-8")
        print(f"Wrote {args.out}")
    else:
        sys.stdout.write(text)
    return 0
