"""``parse-report``, ``import-activities`` and ``export-activities``.

``parse-report`` uses the very parser the chat uses. The CSV columns are the contract in
docs/product.md: ``commitment,date,place,count,description``; an import is all or nothing and a
bad row is named by its line number."""

from __future__ import annotations

import argparse
import asyncio
import csv
import io
import json
import sys
from datetime import date

from bot.cli_common import open_services
from bot.clock import make_clock
from bot.exports import SafeCsvWriter, restore_cell
from bot.pii import pii_kinds
from bot.promise import Promise, load_promise
from bot.report_parser import parse_report
from bot.settings import Settings
from storage.activities import NewActivity

COLUMNS = ["commitment", "date", "place", "count", "description"]


def parse_report_command(args: argparse.Namespace, settings: Settings) -> int:
    promise = load_promise(settings.promise_file)
    today = args.today or make_clock(settings.now, settings.tz).today()
    parsed = parse_report(args.text, promise, today)
    if args.json:
        print(json.dumps(parsed.to_json(), ensure_ascii=False))
    else:
        for key, value in parsed.to_json().items():
            print(f"{key:>10}: {value if value not in (None, []) else '-'}")
    return 0


class CsvError(ValueError):
    pass


def parse_activities_csv(text: str, promise: Promise) -> list[NewActivity]:
    reader = csv.DictReader(io.StringIO(text))
    if reader.fieldnames is None or [f.strip() for f in reader.fieldnames] != COLUMNS:
        raise CsvError(f"line 1: the header must be {','.join(COLUMNS)}")
    rows: list[NewActivity] = []
    for number, row in enumerate(reader, start=2):
        where = f"line {number}"
        commitment = (row.get("commitment") or "").strip()
        if promise.get(commitment) is None:
            raise CsvError(f"{where}: unknown commitment {commitment!r}")
        try:
            day = date.fromisoformat((row.get("date") or "").strip())
        except ValueError:
            raise CsvError(f"{where}: date must be YYYY-MM-DD") from None
        raw_count = (row.get("count") or "").strip()
        if raw_count and not (raw_count.isdigit() and int(raw_count) <= 100_000):
            raise CsvError(f"{where}: count must be a whole number 0-100000")
        # A file we exported carries apostrophes against formulas; they are not data.
        place = restore_cell((row.get("place") or "").strip()) or None
        description = restore_cell((row.get("description") or "").strip())
        found = pii_kinds(f"{place or ''} {description}")
        if found:
            raise CsvError(f"{where}: contains personal data ({', '.join(found)})")
        rows.append(
            NewActivity(
                commitment,
                day,
                place,
                int(raw_count) if raw_count else None,
                description,
                source="import",
            )
        )
    return rows


def import_activities_command(args: argparse.Namespace, settings: Settings) -> int:
    promise = load_promise(settings.promise_file)
    try:
        rows = parse_activities_csv(args.file.read_text(encoding="utf-8-sig"), promise)
    except OSError as exc:
        print(f"{args.file}: {exc.strerror}", file=sys.stderr)
        return 1
    except CsvError as exc:
        print(f"{args.file}: {exc}. Nothing was imported.", file=sys.stderr)
        return 1

    async def go() -> int:
        async with open_services(settings) as services:
            n = await services.activities.add_many(rows, services.clock.now())
            await services.audit.record(
                services.clock.now(), None, "activity.import", str(args.file.name), rows=n
            )
            return n

    print(f"Imported {asyncio.run(go())} activities.")
    return 0


def export_activities_command(args: argparse.Namespace, settings: Settings) -> int:
    async def go() -> str:
        async with open_services(settings) as services:
            activities = await services.activities.all_counted()
        out = io.StringIO()
        writer = SafeCsvWriter(out)  # no cell a spreadsheet would run as a formula
        writer.writerow(COLUMNS)
        for a in activities:
            writer.writerow(
                [
                    a.commitment,
                    a.date.isoformat(),
                    a.place or "",
                    "" if a.count is None else a.count,
                    a.description,
                ]
            )
        return out.getvalue()

    text = asyncio.run(go())
    if args.out:
        args.out.write_text(text, encoding="utf-8")
    else:
        sys.stdout.write(text)
    return 0
