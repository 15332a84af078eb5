"""``trygghetsbot doctor``: is this installation ready to run? Each check prints one line
(``ok``, ``warn`` or ``FAIL``) and, when something is wrong, what to do about it. Exit 0 when
nothing failed. The token is checked for its shape only and never printed; ``--online`` also
asks Telegram who the bot is."""

from __future__ import annotations

import argparse
import asyncio
import os
import re
import sqlite3
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from urllib.parse import urlsplit

from bot.cli.bot_api import explain_failure
from bot.domain.promise import PromiseError, load_promise
from bot.domain.promise_set import load_promise_set
from bot.i18n import locales_dir, translator
from bot.settings import SUPPORTED_LOCALES, Settings, webhook_secret_ok
from storage.db import bundled_migrations

TOKEN_SHAPE = re.compile(r"\d{5,}:[A-Za-z0-9_-]{30,}")
PROBE = "Sorry, something went wrong on my side. Please try again in a while."


@dataclass(frozen=True)
class Finding:
    level: str  # "ok", "warn" or "FAIL"
    what: str
    detail: str

    def line(self) -> str:
        return f"{self.level:<4}  {self.what}: {self.detail}"


def check_token(settings: Settings) -> Finding:
    if settings.bot_token is None or not settings.bot_token.get_secret_value().strip():
        return Finding(
            "FAIL", "token", "TELEGRAM_BOT_TOKEN is not set; put it in the environment file"
        )
    if not TOKEN_SHAPE.fullmatch(settings.bot_token.get_secret_value().strip()):
        return Finding(
            "FAIL",
            "token",
            "TELEGRAM_BOT_TOKEN does not look like a bot token (digits, a colon, 30+ "
            "letters); copy it again from @BotFather",
        )
    return Finding("ok", "token", "set and shaped like a bot token (not shown)")


def check_database(settings: Settings) -> Finding:
    path = Path(settings.db_path)
    folder = path.resolve().parent
    latest = bundled_migrations()[-1].version
    if not folder.is_dir():
        return Finding(
            "FAIL",
            "database",
            f"folder {folder} (from TRYGGHETSBOT_DB) does not exist yet. The service creates "
            "it at its first start (StateDirectory=trygghetsbot in trygghetsbot.service); "
            "to check before that, create it owned by the user the bot runs as: "
            f"install -d -m 0750 -o trygghetsbot -g trygghetsbot {folder}",
        )
    if not os.access(folder, os.W_OK | os.X_OK):
        # SQLite's WAL and journal files live next to the database.
        return Finding("FAIL", "database", f"folder {folder} is not writable for this user")
    if not path.exists():
        return Finding("ok", "database", f"{path} will be created at the first start")
    if not os.access(path, os.R_OK | os.W_OK):
        return Finding("FAIL", "database", f"{path} is not readable and writable for this user")
    try:
        conn = sqlite3.connect(f"file:{path}?mode=ro", uri=True)
        try:
            version = int(conn.execute("PRAGMA user_version").fetchone()[0])
            conn.execute("SELECT count(*) FROM sqlite_master").fetchone()
        finally:
            conn.close()
    except sqlite3.Error as exc:
        return Finding("FAIL", "database", f"{path} cannot be read: {exc}")
    if version > latest:
        return Finding(
            "FAIL",
            "database",
            f"{path} has schema {version}, newer than this version knows ({latest}); "
            "upgrade Trygghetsbot or restore a backup",
        )
    if version < latest:
        return Finding(
            "warn",
            "database",
            f"{path} has schema {version}; it is migrated to {latest} at the next start "
            "(make a backup first: trygghetsbot backup PATH)",
        )
    return Finding("ok", "database", f"{path} writable, schema {version} (current)")


def check_promise(settings: Settings) -> Finding:
    try:
        if settings.promises:
            promises = load_promise_set(
                settings.promises, settings.promise_file, settings.municipality
            )
            ids = ", ".join(p.id for p in promises)
            return Finding("ok", "promise", f"{len(promises)} promises: {ids}")
        promise = load_promise(settings.promise_file)
    except PromiseError as exc:
        line, _code = explain_failure(exc, settings)
        return Finding("FAIL", "promise", line)
    source = settings.promise_file or "the bundled promise"
    return Finding(
        "ok", "promise", f"{source}: {promise.id}, {len(promise.commitments)} commitments"
    )


def check_catalogues(settings: Settings) -> Finding:
    """Every language the bot offers, with everything it needs to serve it: a catalogue that
    translates, and the language files that keep residents safe (danger words), answer their
    questions and train the classifier. A wheel that lost a language fails here."""
    folder = locales_dir()
    problems: list[str] = []
    for lang in SUPPORTED_LOCALES:
        where = folder / lang
        if (
            not (where / "LC_MESSAGES" / "messages.po").is_file()
            and not (where / "LC_MESSAGES" / "messages.mo").is_file()
        ):
            problems.append(f"{lang}: no catalogue")
            continue
        if lang != "en" and translator(lang).gettext(PROBE) == PROBE:
            problems.append(f"{lang}: the catalogue has no translations")
        missing = [name for name in LANGUAGE_FILES if not (where / name).is_file()]
        if not any(where.glob("examples/*.toml")):
            missing.append("examples/")
        if missing:
            problems.append(f"{lang}: no {', '.join(missing)}")
    if problems:
        return Finding("FAIL", "translations", f"in {folder}: " + "; ".join(problems))
    return Finding("ok", "translations", f"{', '.join(SUPPORTED_LOCALES)}: all found in {folder}")


# What each language needs besides its catalogue (see docs/languages.md).
LANGUAGE_FILES = ("questions.toml", "safety.toml")


# Names reserved for examples and tests (RFC 2606, RFC 6761): a webhook there never
# reaches this bot. "example.se" and the like are caught by the "example" label.
RESERVED_TLDS = ("example", "test", "invalid", "localhost", "local")
RESERVED_LABELS = ("example",)

URL_LINE = "TRYGGHETSBOT_WEBHOOK_URL"
SECRET_LINE = "TRYGGHETSBOT_WEBHOOK_SECRET"


def example_host(host: str) -> bool:
    labels = host.lower().rstrip(".").split(".")
    return labels[-1] in RESERVED_TLDS or any(label in RESERVED_LABELS for label in labels[:-1])


def check_webhook(settings: Settings, url: str | None) -> Finding:
    secret = settings.webhook_secret
    if not url:
        detail = f"long polling ({URL_LINE} is empty; set it for webhook mode)"
        if secret is not None:
            detail += f"; {SECRET_LINE} is set and would be used"
        return Finding("ok", "webhook", detail)
    parts = urlsplit(url)
    fix_url = (
        f"fix the line {URL_LINE}={url} in the environment file: your own https:// address, "
        "or leave it empty for long polling"
    )
    if parts.scheme != "https" or not parts.hostname:
        return Finding(
            "FAIL", "webhook", f"{url} must be an https:// URL (Telegram's rule); {fix_url}"
        )
    if example_host(parts.hostname):
        return Finding(
            "FAIL",
            "webhook",
            f"{parts.hostname} is an example name that never reaches this bot; {fix_url}",
        )
    if secret is None:
        return Finding(
            "FAIL",
            "webhook",
            f"the line {SECRET_LINE}= in the environment file is empty; put a secret there, "
            "for example the output of: openssl rand -hex 32",
        )
    if not webhook_secret_ok(secret.get_secret_value()):
        return Finding("FAIL", "webhook", "the secret may only hold A-Z, a-z, 0-9, _ and -")
    path = parts.path.strip("/") or "(none)"
    return Finding("ok", "webhook", f"{url}: the bot listens on path {path}; secret set")


def check_admins(settings: Settings) -> Finding:
    if not settings.admin_ids:
        return Finding("warn", "admins", "TRYGGHETSBOT_ADMIN_IDS is empty: nobody can invite staff")
    return Finding("ok", "admins", f"{len(settings.admin_ids)} admin(s)")


def check_online(settings: Settings) -> Finding:
    from bot.runner import preflight

    assert settings.bot_token is not None
    try:
        asyncio.run(preflight(settings, settings.bot_token.get_secret_value()))
    except Exception as exc:
        line, _code = explain_failure(exc, settings)
        return Finding("FAIL", "telegram", line)
    return Finding("ok", "telegram", "getMe answered: the token is accepted")


def doctor_command(args: argparse.Namespace, settings: Settings) -> int:
    # The flag as the unit passes it; otherwise the environment file's line.
    url = args.webhook_url if args.webhook_url is not None else os.environ.get(URL_LINE, "")
    checks: list[Callable[[], Finding]] = [
        lambda: check_token(settings),
        lambda: check_database(settings),
        lambda: check_promise(settings),
        lambda: check_catalogues(settings),
        lambda: check_webhook(settings, url.strip()),
        lambda: check_admins(settings),
    ]
    findings = [check() for check in checks]
    if args.online and findings[0].level == "ok":
        findings.append(check_online(settings))
    for finding in findings:
        print(finding.line())
    print(verdict(findings, online=args.online))
    return 1 if any(f.level == "FAIL" for f in findings) else 0


def verdict(findings: list[Finding], *, online: bool) -> str:
    """The last line: "Ready." only when nothing failed, nothing warned and Telegram was
    asked; otherwise what stands between this and ready."""
    failed = sum(f.level == "FAIL" for f in findings)
    if failed:
        return f"Not ready: {failed} problem(s) marked FAIL to fix before the bot can run."
    warned = sum(f.level == "warn" for f in findings)
    if warned:
        return f"The bot can start, with {warned} warning(s) above to look at."
    if not online:
        return "The bot can start; add --online to also ask Telegram whether it takes the token."
    return "Ready."
