"""``parse-report``, ``import-activities`` and ``export-activities``.

``parse-report`` uses the very parser the chat uses. The CSV columns are the contract in
docs/product.md: ``commitment,date,place,count,description``; an import is all or nothing and a
bad row is named by its line number.

A row for a milestone (a commitment with ``cadence = "milestone"``, GVI say) records the
milestone as reached on its date, as an admin's tap in the chat does: running the import is
an admin's act. The page then says "klart" or, after the due date, "klart, försenat". A
milestone already recorded is left as it is and said so; two rows for one milestone are
refused. The import ends with what it counted, per commitment.

Optional condition columns follow the five, one per condition of the promise file, named
``condition_<id>`` (``condition_civil_society``, ``condition_planned`` …; ``check-promise``
lists the ids): ``met`` (also yes/ja/true/1/x), ``not_met`` (no/nej/false/0) or empty for
unknown. A missing column is unknown for every row, never met. A report with a condition
not met is imported and kept, but does not count (docs/product.md, "What counts");
``export-activities`` writes the same columns at the end."""

from __future__ import annotations

import argparse
import asyncio
import csv
import io
import json
import sys
from dataclasses import dataclass, field
from datetime import date

from bot.cli.common import configured_promises, open_services, read_import
from bot.clock import make_clock
from bot.domain.conditions import Status, verdict
from bot.domain.promise import Cadence, Promise
from bot.language.pii import pii_kinds
from bot.language.report_parser import parse_report
from bot.render.exports import SafeCsvWriter, restore_cell
from bot.settings import Settings
from storage.activities import NewActivity

COLUMNS = ["commitment", "date", "place", "count", "description"]
CONDITION_PREFIX = "condition_"
_MET = frozenset({"met", "yes", "ja", "true", "1", "x", "y", "j"})
_NOT_MET = frozenset({"not_met", "not met", "no", "nej", "false", "0", "n"})
_UNKNOWN = frozenset({"", "unknown", "?", "okänt", "vet ej"})


def condition_columns(promise: Promise) -> list[str]:
    """``condition_<id>`` for every condition id in the promise file, in its order."""
    ids: dict[str, None] = {}
    for c in promise.commitments:
        for condition in c.conditions:
            ids.setdefault(condition.id)
    return [CONDITION_PREFIX + i for i in ids]


def _status(raw: str) -> Status | None:
    value = raw.strip().casefold()
    if value in _MET:
        return Status.MET
    if value in _NOT_MET:
        return Status.NOT_MET
    if value in _UNKNOWN:
        return Status.UNKNOWN
    return None


CLI_ACTOR = 0  # who confirmed a milestone imported from the command line (no Telegram user)


def parse_report_command(args: argparse.Namespace, settings: Settings) -> int:
    today = args.today or make_clock(settings.now, settings.tz).today()
    promise = configured_promises(settings).home_promise(today)
    parsed = parse_report(args.text, promise, today)
    if args.json:
        print(json.dumps(parsed.to_json(), ensure_ascii=False))
    else:
        for key, value in parsed.to_json().items():
            if isinstance(value, dict):
                value = ", ".join(f"{k}={v}" for k, v in value.items())
            print(f"{key:>10}: {value if value not in (None, [], '') else '-'}")
    return 0


class CsvError(ValueError):
    pass


@dataclass(frozen=True)
class ReachedMilestone:
    commitment: str
    day: date
    line: int


@dataclass
class ImportPlan:
    activities: list[NewActivity] = field(default_factory=list)
    milestones: list[ReachedMilestone] = field(default_factory=list)


def parse_activities_csv(text: str, promise: Promise) -> ImportPlan:
    reader = csv.DictReader(io.StringIO(text))
    header = [f.strip() for f in reader.fieldnames or []]
    if header[: len(COLUMNS)] != COLUMNS:
        raise CsvError(
            f"line 1: the header must be {','.join(COLUMNS)}, then any condition columns"
        )
    known = condition_columns(promise)
    extra = header[len(COLUMNS) :]
    for name in extra:
        if name not in known:
            allowed = ", ".join(known) or "none in this promise file"
            raise CsvError(f"line 1: unknown column {name!r} (condition columns: {allowed})")
    if len(set(extra)) != len(extra):
        raise CsvError("line 1: a condition column is there twice")
    reader.fieldnames = header
    plan = ImportPlan()
    rows = plan.activities
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
        if promise.commitment(commitment).cadence is Cadence.MILESTONE:
            twice = next((m for m in plan.milestones if m.commitment == commitment), None)
            if twice is not None:
                raise CsvError(
                    f"{where}: the milestone {commitment!r} is already on line {twice.line}; "
                    "a milestone is reached once"
                )
            plan.milestones.append(ReachedMilestone(commitment, day, number))
            continue
        conditions: dict[str, Status] = {}
        own = promise.commitment(commitment)
        for name in extra:
            status = _status(row.get(name) or "")
            if status is None:
                raise CsvError(f"{where}: {name} must be met, not_met or empty (unknown)")
            if status is Status.UNKNOWN:
                continue
            condition_id = name.removeprefix(CONDITION_PREFIX)
            if own.condition(condition_id) is None:
                raise CsvError(f"{where}: {commitment} has no condition {condition_id!r}")
            conditions[condition_id] = status
        rows.append(
            NewActivity(
                commitment,
                day,
                place,
                int(raw_count) if raw_count else None,
                description,
                source="import",
                conditions=conditions,
            )
        )
    return plan


def counted_lines(plan: ImportPlan, promise: Promise) -> list[str]:
    """Per commitment: how many rows, how many count, how many met every condition, how
    many have a condition not stated, and those that do not count with the reason."""
    lines = []
    for commitment_id in sorted({a.commitment for a in plan.activities}):
        own = [a for a in plan.activities if a.commitment == commitment_id]
        k = len(own)
        line = f"{commitment_id}: {k} activit{'y' if k == 1 else 'ies'}"
        c = promise.commitment(commitment_id)
        if c.conditions:
            verdicts = [verdict(c, a.conditions) for a in own]
            counting = sum(v.counts for v in verdicts)
            all_met = sum(v.all_met for v in verdicts)
            line += (
                f", {counting} count ({all_met} met every condition, "
                f"{counting - all_met} with a condition not stated)"
            )
            failed = [v for v in verdicts if not v.counts]
            if failed:
                why = sorted({cond.not_met.en for v in failed for cond in v.not_met})
                line += f", {len(failed)} do not count ({'; '.join(why)})"
        lines.append(line)
    return lines


def import_activities_command(args: argparse.Namespace, settings: Settings) -> int:
    read = read_import(settings, args.promise, args.file, parse_activities_csv, CsvError)
    if read is None:
        return 1
    promise, plan = read

    async def go() -> list[str]:
        async with open_services(settings, None, promise.id) as services:
            now = services.clock.now()
            known = await services.milestones.all()
            said: list[str] = []
            async with services.db.transaction():
                n = await services.activities.add_many(plan.activities, now)
                for m in plan.milestones:
                    before = known.get(m.commitment)
                    if before is not None:
                        said.append(
                            f"line {m.line}: the milestone {m.commitment} was already recorded "
                            f"as reached on {before.reached_on.isoformat()}; left as it is"
                        )
                        continue
                    note = f"imported from {args.file.name}"
                    await services.milestones.confirm(m.commitment, m.day, CLI_ACTOR, now, note)
                    await services.audit.record(
                        now, None, "milestone.import", m.commitment, reached_on=m.day.isoformat()
                    )
                    due = promise.commitment(m.commitment).due
                    late = " (after its due date: late)" if due and m.day > due else ""
                    said.append(f"{m.commitment}: milestone reached on {m.day.isoformat()}{late}")
                await services.audit.record(
                    now, None, "activity.import", str(args.file.name), rows=n
                )
        return [f"Imported {n} activities.", *counted_lines(plan, promise), *said]

    for line in asyncio.run(go()):
        print(line)
    return 0


def export_activities_command(args: argparse.Namespace, settings: Settings) -> int:
    async def go() -> str:
        async with open_services(settings, None, args.promise) as services:
            activities = await services.activities.all_counted()
            extra = condition_columns(services.promise)
        out = io.StringIO()
        writer = SafeCsvWriter(out)  # no cell a spreadsheet would run as a formula
        writer.writerow(COLUMNS + extra)
        for a in activities:
            answers = [a.conditions.get(name.removeprefix(CONDITION_PREFIX)) for name in extra]
            writer.writerow(
                [
                    a.commitment,
                    a.date.isoformat(),
                    a.place or "",
                    "" if a.count is None else a.count,
                    a.description,
                    *("" if status is None else status.value for status in answers),
                ]
            )
        return out.getvalue()

    text = asyncio.run(go())
    if args.out:
        args.out.write_text(text, encoding="utf-8")
    else:
        sys.stdout.write(text)
    return 0
