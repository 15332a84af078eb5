"""``trygghetsbot report``: the published follow-up as HTML, Markdown, CSV or JSON, or with
``--site DIR`` as a folder (index.html plus the open data it links to) for the website."""

from __future__ import annotations

import argparse
import asyncio
import sys
from pathlib import Path

from bot.cli.common import EXIT_DATABASE, configured_promises, open_services
from bot.domain.followup_view import PeriodFilter, Report
from bot.domain.promise_set import phase
from bot.render.followup import Published, promise_site_files, render, site_files
from bot.services.followup import build
from bot.settings import Settings


def write_site(report: Report, directory: Path) -> list[Path]:
    """``index.html`` plus the open data it links to, ready to copy to a website."""
    return write_files(site_files(report), directory)


def write_files(files: dict[str, str], directory: Path) -> list[Path]:
    written = []
    for name, text in files.items():
        path = directory / name
        path.parent.mkdir(parents=True, exist_ok=True)
        # Written beside, then renamed over the old file: a reader (the web server, every
        # hour) gets the old page or the new one, never half of one.
        partial = path.with_name(f".{path.name}.partial")
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

    site = getattr(args, "site", None)
    if site is not None and args.promise is None and len(configured_promises(settings)) > 1:
        return write_promise_site(args, settings, period, site)

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


def write_promise_site(
    args: argparse.Namespace, settings: Settings, period: PeriodFilter, site: Path
) -> int:
    """Several promises: an index of them all (in force first, then coming ones, then the
    earlier ones with their final result) and each promise's page and data in its folder.
    A draft is published only when its file says so (``show_draft``)."""
    locale = args.locale or settings.locale

    async def go() -> tuple[list[Published], Report]:
        async with open_services(settings, args.today) as root:
            today = root.clock.now().date()
            published = []
            for promise in root.promises:
                if promise.draft and not promise.show_draft:
                    continue
                report = await build(
                    root.scoped(promise), locale, period, args.internal, args.today
                )
                published.append(Published(report, promise.id, phase(promise, today)))
            return published, published[0].report

    published, first = asyncio.run(go())
    files = promise_site_files(published, first.tr, first.generated_at)
    for path in write_files(files, site):
        print(f"Wrote {path}")
    return 0
