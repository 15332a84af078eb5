"""``trygghetsbot status``: where each commitment stands, for people and for other tools."""

from __future__ import annotations

import argparse
import asyncio
import json

from bot.clock import make_clock
from bot.periods import period_label
from bot.promise import load_promise
from bot.services import Services
from bot.services.pace import PaceService
from bot.settings import Settings
from handlers.status import status_line
from storage.db import Database


def status_command(args: argparse.Namespace, settings: Settings) -> int:
    tr_locale = args.locale or settings.locale

    async def go() -> str:
        promise = load_promise(settings.promise_file)
        async with Database(settings.db_path) as db:
            services = Services(settings, make_clock(settings.now, settings.tz), promise, db)
            rows = await PaceService(services).current(args.today)
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
        return "\n".join(status_line(tr, promise.commitment(r.commitment_id), r) for r in rows)

    print(asyncio.run(go()))
    return 0
