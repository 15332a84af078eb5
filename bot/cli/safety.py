"""``import-safety``: published survey figures (the police's safety survey, the kommun's own)
beside the safety pulse on the follow-up page."""

from __future__ import annotations

import argparse
import asyncio
import sys

from bot.cli.common import open_services
from bot.domain.pulse import OfficialRowError, parse_official
from bot.render.pulse import area_name
from bot.services.wiring import build_features
from bot.settings import Settings


def import_safety_command(args: argparse.Namespace, settings: Settings) -> int:
    """Takes every row or none: a bad row is refused with its line number."""

    async def go() -> list[str]:
        async with open_services(settings, None, args.promise, required=True) as services:
            figures = parse_official(args.file.read_text(encoding="utf-8-sig"), services.promise)
            await build_features(services).pulse.import_official(figures)
            await services.audit.record(
                services.clock.now(), None, "safety.import", str(args.file.name), rows=len(figures)
            )
            tr = services.translator("sv")
            return [
                f"- {area_name(tr, services.promise, f.area)} {f.period_start}–{f.period_end}: "
                f"{f.unsafe_share:.0%} of {f.respondents} ({f.source})"
                for f in figures
            ]

    try:
        lines = asyncio.run(go())
    except OSError as exc:
        print(f"{args.file}: {exc.strerror}", file=sys.stderr)
        return 1
    except OfficialRowError as exc:
        print(f"{args.file}: {exc}. Nothing was imported.", file=sys.stderr)
        return 1
    print(f"Imported {len(lines)} survey figure(s):")
    print("\n".join(lines))
    return 0
