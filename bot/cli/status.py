"""``trygghetsbot status``: where each commitment stands, for people and for other tools."""

from __future__ import annotations

import argparse
import asyncio
import json

from bot.cli.common import open_services
from bot.domain.periods import period_label
from bot.render.status import condition_lines, status_line
from bot.services.wiring import build_features
from bot.settings import Settings


def status_command(args: argparse.Namespace, settings: Settings) -> int:
    tr_locale = args.locale or settings.locale

    async def go() -> str:
        async with open_services(settings, None, args.promise) as services:
            rows = await build_features(services).pace.current(args.today)
        promise = services.promise
        tr = services.translator(tr_locale)
        if args.json:
            out = []
            for row in rows:
                data = row.to_json()
                period = data["period"]
                assert isinstance(period, dict)
                data["period"] = {"label": period_label(row.period, tr), **period}
                out.append(data)
            return json.dumps(out, ensure_ascii=False, indent=2)
        lines = []
        for r in rows:
            lines += [
                status_line(tr, promise.commitment(r.commitment_id), r),
                *condition_lines(tr, r),
            ]
        return "\n".join(lines)

    print(asyncio.run(go()))
    return 0
