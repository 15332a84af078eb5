"""``trygghetsbot report``: the published follow-up as HTML, Markdown, CSV or JSON, or with
``--site DIR`` as a folder (index.html plus the open data it links to) for the website."""

from __future__ import annotations

import argparse
import asyncio
import sys

from bot.cli_common import open_services
from bot.followup import PeriodFilter, Report, build, render, write_site
from bot.settings import Settings


def report_command(args: argparse.Namespace, settings: Settings) -> int:
    try:
        period = PeriodFilter.parse(args.period)
    except ValueError as exc:
        print(str(exc), file=sys.stderr)
        return 2

    async def go() -> Report:
        async with open_services(settings) as services:
            return await build(
                services, args.locale or settings.locale, period, args.internal, args.today
            )

    report = asyncio.run(go())
    site = getattr(args, "site", None)
    if site is not None:
        for path in write_site(report, site):
            print(f"Wrote {path}")
        return 0
    text = render(report, args.format)
    if args.out:
        args.out.write_text(text, encoding="utf-8")
        print(f"Wrote {args.out}")
    else:
        sys.stdout.write(text)
    return 0
