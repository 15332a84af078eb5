"""``trygghetsbot report``: the published follow-up as HTML, Markdown, CSV or JSON, or with
``--site DIR`` as a folder (index.html plus the open data it links to) for the website."""

from __future__ import annotations

import argparse
import asyncio
import sys
from pathlib import Path

from bot.cli.common import EXIT_DATABASE, open_services
from bot.domain.followup_view import PeriodFilter, Report
from bot.render.followup import render, site_files
from bot.services.followup import build
from bot.settings import Settings


def write_site(report: Report, directory: Path) -> list[Path]:
    """``index.html`` plus the open data it links to, ready to copy to a website."""
    directory.mkdir(parents=True, exist_ok=True)
    written = []
    for name, text in site_files(report).items():
        path = directory / name
        # Written beside, then renamed over the old file: a reader (the web server, every
        # hour) gets the old page or the new one, never half of one.
        partial = directory / f".{name}.partial"
        partial.write_text(text, encoding="utf-8")
        partial.replace(path)
        written.append(path)
    return written


def report_command(args: argparse.Namespace, settings: Settings) -> int:
    try:
        period = PeriodFilter.parse(args.period)
    except ValueError as exc:
        print(str(exc), file=sys.stderr)
        return 2

    if not settings.db_path.exists():
        # A report from a database that is not there would be made from a new, empty one (and
        # leave that file behind): say where it looked instead.
        print(
            f"No database at {settings.db_path}: set TRYGGHETSBOT_DB to the bot's database "
            "(as in its environment file), or run the report where the bot keeps it.",
            file=sys.stderr,
        )
        return EXIT_DATABASE

    async def go() -> Report:
        async with open_services(settings, None, args.promise) as services:
            return await build(
                services, args.locale or settings.locale, period, args.internal, args.today
            )

    report = asyncio.run(go())
    if report.empty:
        print(
            f"No reports are registered in {settings.db_path} yet: the follow-up says so and "
            "shows no results. Staff report in the bot; older activities can be imported with "
            "trygghetsbot import-activities FILE.csv.",
            file=sys.stderr,
        )
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
