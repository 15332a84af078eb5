"""``trygghetsbot report``: draft the published follow-up as HTML, Markdown or CSV."""

from __future__ import annotations

import argparse
import asyncio
import sys

from bot.cli_common import open_services
from bot.followup import PeriodFilter, render_report
from bot.settings import Settings


def report_command(args: argparse.Namespace, settings: Settings) -> int:
    try:
        period = PeriodFilter.parse(args.period)
    except ValueError as exc:
        print(str(exc), file=sys.stderr)
        return 2

    async def go() -> str:
        async with open_services(settings) as services:
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
