"""``import-safety``: published survey figures (the police's safety survey, the kommun's own)
beside the safety pulse on the follow-up page."""

from __future__ import annotations

import argparse
import asyncio

from bot.cli.common import open_services, read_import
from bot.domain.pulse import OfficialRowError, parse_official
from bot.i18n import translator
from bot.render.pulse import area_name
from bot.services.wiring import build_features
from bot.settings import Settings


def import_safety_command(args: argparse.Namespace, settings: Settings) -> int:
    """Takes every row or none: a bad row is refused with its line number."""
    read = read_import(settings, args.promise, args.file, parse_official, OfficialRowError)
    if read is None:
        return 1
    promise, figures = read

    async def go() -> None:
        async with open_services(settings, None, promise.id) as services:
            await build_features(services).pulse.import_official(figures)
            await services.audit.record(
                services.clock.now(), None, "safety.import", str(args.file.name), rows=len(figures)
            )

    asyncio.run(go())
    tr = translator(settings.locale)
    print(f"Imported {len(figures)} survey figure(s):")
    for f in figures:
        print(
            f"- {area_name(tr, promise, f.area)} {f.period_start}–{f.period_end}: "
            f"{f.unsafe_share:.0%} of {f.respondents} ({f.source})"
        )
    return 0
