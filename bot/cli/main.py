"""The ``trygghetsbot`` command line (also ``python -m bot``).

Subcommand names, flags and JSON shapes are a contract (docs/product.md): add, don't rename.
Each subcommand's work lives next to the feature it belongs to; this module only parses
arguments and dispatches, importing the feature lazily so ``--help`` stays fast.
"""

from __future__ import annotations

import argparse
import importlib
import sys
from collections.abc import Callable, Sequence
from datetime import date, datetime
from pathlib import Path

from pydantic import ValidationError

from bot.settings import SUPPORTED_LOCALES, Settings

Runner = Callable[[argparse.Namespace, Settings], int]

# subcommand → "module:function"; the function takes (args, settings) and returns an exit code.
DISPATCH: dict[str, str] = {
    "run": "bot.runner:run_command",
    "sandbox": "bot.sandbox.terminal:sandbox_command",
    "check-promise": "bot.cli.admin:check_promise_command",
    "backup": "bot.cli.admin:backup_command",
    "invite": "bot.cli.admin:invite_command",
    "user-ids": "bot.cli.admin:user_ids_command",
    "parse-report": "bot.cli.reporting:parse_report_command",
    "import-activities": "bot.cli.reporting:import_activities_command",
    "export-activities": "bot.cli.reporting:export_activities_command",
    "answer": "bot.cli.residents:answer_command",
    "import-events": "bot.cli.residents:import_events_command",
    "export-events": "bot.cli.residents:export_events_command",
    "import-safety": "bot.cli.safety:import_safety_command",
    "status": "bot.cli.status:status_command",
    "report": "bot.cli.followup:report_command",
    "doctor": "bot.cli.doctor:doctor_command",
    "poster": "bot.cli.poster:poster_command",
}


def _date(text: str) -> date:
    try:
        return date.fromisoformat(text)
    except ValueError as exc:
        raise argparse.ArgumentTypeError(f"not a date (YYYY-MM-DD): {text!r}") from exc


def _datetime(text: str) -> datetime:
    try:
        return datetime.fromisoformat(text)
    except ValueError as exc:
        raise argparse.ArgumentTypeError(f"not an ISO date-time: {text!r}") from exc


PROMISE_HELP = "which promise (its id); needed when there are several (TRYGGHETSBOT_PROMISES)"


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="trygghetsbot", description="Telegram bot for a Swedish medborgarlöfte."
    )
    sub = parser.add_subparsers(dest="command", required=True, metavar="COMMAND")

    run = sub.add_parser("run", help="run the real bot (long polling, or webhook)")
    run.add_argument("--webhook-url", help="public HTTPS URL Telegram posts updates to")
    run.add_argument("--webhook-listen", default="127.0.0.1", help="address to listen on")
    run.add_argument("--webhook-port", type=int, default=8443)
    run.add_argument(
        "--webhook-secret",
        help="secret token Telegram sends in a header (default: TRYGGHETSBOT_WEBHOOK_SECRET)",
    )

    sandbox = sub.add_parser("sandbox", help="local Bot API emulator + this bot + a terminal chat")
    sandbox.add_argument("--db", type=Path, help="keep the sandbox database in this file")
    sandbox.add_argument("--now", type=_datetime, help="start the clock at this local time")
    sandbox.add_argument(
        "--as",
        dest="persona",
        default="resident",
        choices=("resident", "staff", "admin", "senior"),
        help="persona to start as",
    )
    sandbox.add_argument(
        "--lang", choices=SUPPORTED_LOCALES, default="sv", help="personas' language"
    )
    sandbox.add_argument(
        "--promises",
        choices=("demo",),
        help="demo: several promises (2022–2024 ended, made-up 2025–2027 ones for "
        "Upplands-Bro and Järfälla, marked [DEMO]), the clock in March 2025",
    )

    check = sub.add_parser("check-promise", help="validate a promise file, or a folder of them")
    check.add_argument("file", nargs="?", type=Path, help="default: the configured promise")

    parse = sub.add_parser("parse-report", help="how a staff one-liner is understood")
    parse.add_argument("text")
    parse.add_argument("--today", type=_date)
    parse.add_argument("--json", action="store_true")

    answer = sub.add_parser("answer", help="how a resident question is answered")
    answer.add_argument("text")
    answer.add_argument("--locale", choices=SUPPORTED_LOCALES)
    answer.add_argument("--today", type=_date)
    answer.add_argument("--json", action="store_true")

    status = sub.add_parser("status", help="where each commitment stands")
    status.add_argument("--promise", metavar="ID", help=PROMISE_HELP)
    status.add_argument("--today", type=_date)
    status.add_argument("--json", action="store_true")
    status.add_argument("--locale", choices=("sv", "en"))

    imp = sub.add_parser(
        "import-activities",
        help="import activities from CSV",
        description=(
            "Columns: commitment,date,place,count,description, then optional condition "
            "columns condition_<id> (check-promise lists the ids, e.g. condition_civil_society, "
            "condition_planned): met, not_met or empty. A missing column or an empty cell is "
            "unknown, never met; a row with a condition not met is kept but does not count."
        ),
    )
    imp.add_argument("--promise", metavar="ID", help=PROMISE_HELP)
    imp.add_argument("file", type=Path)
    exp = sub.add_parser(
        "export-activities",
        help="export activities as CSV (with condition_<id> columns at the end)",
    )
    exp.add_argument("--promise", metavar="ID", help=PROMISE_HELP)
    exp.add_argument("--out", type=Path)

    impe = sub.add_parser("import-events", help="import planned events from CSV")
    impe.add_argument("--promise", metavar="ID", help=PROMISE_HELP)
    impe.add_argument("file", type=Path)
    imps = sub.add_parser(
        "import-safety",
        help="import published safety-survey figures from CSV "
        "(area,period_start,period_end,source,respondents,unsafe_share)",
    )
    imps.add_argument("--promise", metavar="ID", help=PROMISE_HELP)
    imps.add_argument("file", type=Path)
    expe = sub.add_parser("export-events", help="export public events (.ics calendar feed)")
    expe.add_argument("--promise", metavar="ID", help=PROMISE_HELP)
    expe.add_argument("--ics", action="store_true", help="iCalendar format (the default)")
    expe.add_argument("--out", type=Path)
    expe.add_argument("--locale", choices=("sv", "en"))

    report = sub.add_parser("report", help="draft the published follow-up")
    report.add_argument("--promise", metavar="ID", help=PROMISE_HELP)
    report.add_argument("--format", choices=("html", "md", "csv", "json"), default="html")
    report.add_argument(
        "--site",
        type=Path,
        metavar="DIR",
        help="write index.html and the open data (JSON, CSV) into DIR",
    )
    report.add_argument("--out", type=Path)
    report.add_argument("--period", help="a year (2023), term (2023-VT) or 'all'")
    report.add_argument("--locale", choices=SUPPORTED_LOCALES)
    report.add_argument("--today", type=_date)
    report.add_argument("--internal", action="store_true", help="include internal data (admins)")

    backup = sub.add_parser("backup", help="consistent online copy of the database")
    backup.add_argument("path", type=Path)

    invite = sub.add_parser("invite", help="make a single-use staff invite link")
    invite.add_argument("--org", required=True, choices=("police", "municipality", "other"))
    invite.add_argument(
        "--municipality",
        metavar="KOMMUN",
        help="several promises: the kommun the new staff member works for, as its promise "
        "file names it (default: every kommun of the police area)",
    )
    invite.add_argument(
        "--bot-username",
        help="the bot's username, without @ (default: asked from Telegram with the token)",
    )

    sub.add_parser(
        "user-ids",
        help="who has written to the bot, with their Telegram user ids (for admin ids)",
    )

    poster = sub.add_parser(
        "poster", help="printable A4 poster of a planned dialogue or theme meeting (QR code)"
    )
    poster.add_argument("event_id", type=int)
    poster.add_argument("--out", type=Path)
    poster.add_argument(
        "--bot-username",
        help="the bot's username, without @ (default: asked from Telegram with the token)",
    )

    doctor = sub.add_parser("doctor", help="check the configuration; exit 0 when ready")
    doctor.add_argument("--webhook-url", help="also check this webhook URL (as given to run)")
    doctor.add_argument("--online", action="store_true", help="also ask Telegram (getMe)")
    return parser


def load_settings() -> Settings:
    try:
        return Settings()
    except ValidationError as exc:
        # One line: the variable names and what is wrong, never the values (a token may be
        # among them).
        lines = [
            f"{'.'.join(map(str, e['loc'])) or 'settings'}: "
            + e["msg"].removeprefix("Value error, ")
            for e in exc.errors()
        ]
        print("trygghetsbot: invalid settings: " + "; ".join(lines), file=sys.stderr)
        raise SystemExit(2) from None


def resolve(command: str) -> Runner:
    module_name, _, func_name = DISPATCH[command].partition(":")
    module = importlib.import_module(module_name)
    runner: Runner = getattr(module, func_name)
    return runner


def main(argv: Sequence[str] | None = None) -> int:
    args = build_parser().parse_args(argv)
    settings = load_settings()
    try:
        return resolve(args.command)(args, settings)
    except KeyboardInterrupt:
        return 130
    except Exception as exc:
        # Every failure is one line on stderr and an exit code, never a traceback.
        from bot.cli.bot_api import explain_failure

        line, code = explain_failure(exc, settings)
        print(f"trygghetsbot {args.command}: {line}", file=sys.stderr)
        return code


if __name__ == "__main__":  # pragma: no cover
    sys.exit(main())
