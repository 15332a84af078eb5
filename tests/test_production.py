"""Issue 15, production: packaging, deployment files and clean start-up failures."""

from __future__ import annotations

import asyncio
import io
import json
import logging
import os
import re
import shlex
import shutil
import socket
import sqlite3
import subprocess
import sys
import threading
import tomllib
from collections.abc import Iterator
from pathlib import Path

import pytest

from bot.app import SANDBOX_TOKEN, build_application
from bot.cli.common import EXIT_DATABASE, EXIT_NETWORK, EXIT_TELEGRAM
from bot.cli.main import build_parser, main
from bot.clock import FrozenClock
from bot.i18n import locales_dir, translator
from bot.logging_setup import TokenMaskFilter, install_token_filter
from bot.runner import STOP_BOUND, webhook_options
from bot.sandbox.emulator import Emulator
from bot.sandbox.terminal import running_sandbox, sandbox_settings
from bot.settings import Settings, UsageError
from bot.transport.update_guard import skip_unreadable
from bot.webhook import serve_webhook

ROOT = Path(__file__).resolve().parent.parent
SORRY = "Sorry, something went wrong on my side. Please try again in a while."


def test_swedish_without_compiled_catalogues(tmp_path: Path) -> None:
    """A wheel or ``pip install .`` ships the .po only: the bot must still speak Swedish."""
    shutil.copytree(locales_dir(), tmp_path / "locales", ignore=shutil.ignore_patterns("*.mo"))
    sv = translator("sv", tmp_path / "locales")
    assert sv.gettext(SORRY).startswith("Förlåt")
    assert translator("en", tmp_path / "locales").gettext(SORRY) == SORRY


def test_stale_compiled_catalogue_is_not_used(tmp_path: Path) -> None:
    folder = tmp_path / "locales" / "sv" / "LC_MESSAGES"
    shutil.copytree(locales_dir(), tmp_path / "locales", ignore=shutil.ignore_patterns("*.mo"))
    (folder / "messages.mo").write_bytes(b"not a catalogue")
    newer = (folder / "messages.mo").stat().st_mtime + 10

    os.utime(folder / "messages.po", (newer, newer))
    assert translator("sv", tmp_path / "locales").gettext(SORRY).startswith("Förlåt")


def test_package_metadata_is_declared() -> None:
    project = tomllib.loads((ROOT / "pyproject.toml").read_text("utf-8"))
    assert project["project"]["license"] == "MIT"  # SPDX expression, not the deprecated table
    data = project["tool"]["setuptools"]["package-data"]
    # Every language by pattern: catalogues, phrase and safety files, labelled examples.
    assert {"*/LC_MESSAGES/*.po", "*/*.toml", "*/examples/*.toml"} <= set(data["locales"])
    # A .mo in the build tree may be stale: the wheel never carries one.
    assert project["tool"]["setuptools"]["exclude-package-data"]["*"] == ["*.mo"]
    assert data["bot.promises"] == ["*.toml", "demo/*.toml"]
    assert data["storage.migrations"] == ["*.sql"]
    # Every page template ships with the package its loader reads it from.
    templates = ROOT / "bot" / "render" / "templates"
    shipped = {p for pattern in data["bot.render"] for p in templates.parent.glob(pattern)}
    assert set(templates.rglob("*.j2")) == shipped and shipped
    po = (ROOT / "locales" / "sv" / "LC_MESSAGES" / "messages.po").read_text("utf-8")
    header = po.split("\n\n", 1)[0]  # the header entry, up to the first message
    for placeholder in ("fuzzy", "PROJECT", "FIRST AUTHOR"):
        assert placeholder not in header


# --- a poison update is skipped by its id -------------------------------------------------

PERSONNUMMER = "811218-9876"


async def test_unreadable_update_is_skipped_and_never_logged(
    settings: Settings, clock: FrozenClock
) -> None:
    stream = io.StringIO()
    handler = logging.StreamHandler(stream)
    root = logging.getLogger()
    root.addHandler(handler)
    install_token_filter()
    telegram_log = logging.getLogger("telegram")
    old_level = telegram_log.level
    telegram_log.setLevel(logging.DEBUG)  # PTB logs whole updates at DEBUG: must be scrubbed
    try:
        async with running_sandbox(settings, clock, seed=False) as (emu, _app):
            poison = await emu.raw_update(
                {
                    "message": {
                        "message_id": 1,
                        "date": "not a number",
                        "chat": {"id": 4711, "type": "private"},
                        "from": {"id": 4711, "is_bot": False, "first_name": "Hemliga Helga"},
                        "text": f"mitt personnummer är {PERSONNUMMER}",
                    }
                }
            )
            await emu.user_sends(4712, "/start", first_name="Synlige Sven")
            replies = await emu.wait_for_reply(4712, 0)
            assert replies and not emu.pending_updates
    finally:
        root.removeHandler(handler)
        telegram_log.setLevel(old_level)
    text = stream.getvalue()
    assert f"skipped update {poison['update_id']}" in text
    for secret in (PERSONNUMMER, "Hemliga", "Synlige", "/start"):
        assert secret not in text, secret


def test_skip_unreadable_keeps_good_updates() -> None:
    good = {
        "update_id": 7,
        "message": {"message_id": 1, "date": 0, "chat": {"id": 1, "type": "private"}},
    }
    payload = json.dumps({"ok": True, "result": [{"update_id": 6, "message": 3}, good]}).encode()
    assert json.loads(skip_unreadable(payload))["result"] == [{"update_id": 6}, good]
    same = json.dumps({"ok": True, "result": [good]}).encode()
    assert skip_unreadable(same) is same


@pytest.mark.parametrize(
    "template",
    [
        "Error while parsing updates! Received data was %r",  # getUpdates, CRITICAL
        "Something went wrong processing the data received from Telegram. "
        "Received data was *not* processed! Received data was: %r",  # webhook, CRITICAL
        "Webhook received data: %s",  # DEBUG
        "Processing update %s",  # DEBUG
    ],
)
def test_ptb_content_records_keep_only_ids(template: str) -> None:
    update = {"update_id": 41, "message": {"text": PERSONNUMMER}}
    try:
        raise TypeError(f"bad value {PERSONNUMMER}")
    except TypeError:
        exc_info = sys.exc_info()
    record = logging.LogRecord(
        "telegram.ext.Updater", logging.CRITICAL, __file__, 1, template, ([update],), exc_info
    )
    TokenMaskFilter().filter(record)
    assert PERSONNUMMER not in record.getMessage() + str(record.exc_text)
    assert "41" in record.getMessage()


# --- start-up failures: one line, an exit code, never the token ----------------------------

TOKEN = "7712345678:AAH-fakeFAKEfake_fakeFAKE1234567890ab"


@pytest.fixture
def emulator_thread() -> Iterator[Emulator]:
    """The emulator on its own event loop in a thread, so ``run`` can block this one."""
    emu = Emulator()
    loop = asyncio.new_event_loop()
    ready = threading.Event()

    def serve() -> None:
        asyncio.set_event_loop(loop)
        loop.run_until_complete(emu.start())
        ready.set()
        loop.run_forever()
        loop.run_until_complete(emu.stop())
        loop.close()

    thread = threading.Thread(target=serve, daemon=True)
    thread.start()
    assert ready.wait(10)
    yield emu
    loop.call_soon_threadsafe(loop.stop)
    thread.join(10)


def _cli(
    monkeypatch: pytest.MonkeyPatch,
    capsys: pytest.CaptureFixture[str],
    tmp_path: Path,
    argv: list[str],
    **env: str,
) -> tuple[int, str]:
    monkeypatch.chdir(tmp_path)  # no .env from the developer's checkout
    monkeypatch.setenv("TRYGGHETSBOT_DB", str(tmp_path / "bot.sqlite3"))
    for name, value in env.items():
        monkeypatch.setenv(name, value)
    try:
        code = main(argv)
    except SystemExit as exc:
        code = int(exc.code or 0)
    captured = capsys.readouterr()
    err = captured.err.strip()
    assert "Traceback" not in err and len(err.splitlines()) == 1, err
    assert TOKEN not in captured.out + captured.err
    return code, err


@pytest.mark.parametrize("command", ["run", "invite"])
@pytest.mark.parametrize(
    ("where", "expected"),
    [
        ("revoked", "rejected the bot token"),
        ("path", "rejected the bot token"),
        ("down", "Cannot reach"),
    ],
)
def test_run_fails_in_one_line(
    emulator_thread: Emulator,
    monkeypatch: pytest.MonkeyPatch,
    capsys: pytest.CaptureFixture[str],
    tmp_path: Path,
    where: str,
    expected: str,
    command: str,
) -> None:
    emulator_thread.revoked_tokens.add(TOKEN)
    base = {
        "revoked": emulator_thread.base_url,
        "path": emulator_thread.base_url.replace("/bot", "/wrong/bot"),
        "down": "http://127.0.0.1:9/bot",
    }[where]
    argv = [command, "--org", "police"] if command == "invite" else [command]
    code, err = _cli(
        monkeypatch,
        capsys,
        tmp_path,
        argv,
        TELEGRAM_BOT_TOKEN=TOKEN,
        TELEGRAM_API_BASE_URL=base,
    )
    assert expected in err and code in (EXIT_TELEGRAM, EXIT_NETWORK)


@pytest.mark.parametrize(
    ("env", "argv", "expected"),
    [
        ({"TRYGGHETSBOT_TIMEZONE": "Mars/Olympus"}, ["status"], "unknown time zone"),
        ({"TRYGGHETSBOT_PROMISE_FILE": "missing.toml"}, ["status"], "cannot read the file"),
        ({"TRYGGHETSBOT_PROMISE_FILE": "broken.toml"}, ["status"], "not valid TOML"),
        ({"TRYGGHETSBOT_PROMISE_FILE": "partial.toml"}, ["status"], "Field required"),
        ({}, ["invite", "--org", "police"], "--bot-username"),
    ],
)
def test_configuration_errors_are_one_line(
    monkeypatch: pytest.MonkeyPatch,
    capsys: pytest.CaptureFixture[str],
    tmp_path: Path,
    env: dict[str, str],
    argv: list[str],
    expected: str,
) -> None:
    (tmp_path / "broken.toml").write_text("id = [", "utf-8")
    (tmp_path / "partial.toml").write_text('id = "x"\n', "utf-8")
    monkeypatch.delenv("TELEGRAM_BOT_TOKEN", raising=False)
    code, err = _cli(monkeypatch, capsys, tmp_path, argv, **env)
    assert code != 0 and expected in err


def test_schema_too_new_is_one_line(
    monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str], tmp_path: Path
) -> None:
    with sqlite3.connect(tmp_path / "bot.sqlite3") as conn:
        conn.execute("PRAGMA user_version = 999")
    conn.close()
    code, err = _cli(monkeypatch, capsys, tmp_path, ["status"])
    assert code == EXIT_DATABASE and "schema version 999" in err


# --- webhook: a URL with a path, the secret from the environment ---------------------------


def _free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


async def test_webhook_with_a_path_and_secret_from_env(
    settings: Settings, clock: FrozenClock, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("TRYGGHETSBOT_WEBHOOK_SECRET", "from-the-environment_1")
    port = _free_port()
    env_settings = Settings(_env_file=None, db_path=settings.db_path)  # type: ignore[call-arg]
    args = build_parser().parse_args(
        ["run", "--webhook-url", f"http://127.0.0.1:{port}/tg/hook", "--webhook-port", str(port)]
    )
    options = webhook_options(args, env_settings)
    assert options is not None
    assert options.url_path == "tg/hook" and options.secret == "from-the-environment_1"
    async with Emulator() as emu:
        app = build_application(
            sandbox_settings(env_settings, emu), clock=clock, rate_limit=False, token=SANDBOX_TOKEN
        )
        stop = asyncio.Event()
        serving_task = asyncio.create_task(serve_webhook(app, options, stop))
        try:
            while emu.webhook_url is None:
                assert not serving_task.done()
                await asyncio.sleep(0.01)
            assert emu.webhook_url == f"http://127.0.0.1:{port}/tg/hook"
            await emu.user_sends(4713, "/start")
            replies = await emu.wait_for_reply(4713, 0)
            assert "112" in replies[0].text
            assert [status for _, status in emu.webhook_deliveries] == [200]
        finally:
            stop.set()
            await serving_task


def test_webhook_flag_wins_and_secret_is_required(
    monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> None:
    monkeypatch.setenv("TRYGGHETSBOT_WEBHOOK_SECRET", "env-secret")
    settings = Settings(_env_file=None)  # type: ignore[call-arg]
    url = ["run", "--webhook-url", "https://bot.example.se/tg/hook"]
    options = webhook_options(
        build_parser().parse_args([*url, "--webhook-secret", "flag"]), settings
    )
    assert options is not None and options.secret == "flag"
    monkeypatch.delenv("TRYGGHETSBOT_WEBHOOK_SECRET")
    with pytest.raises(UsageError, match="TRYGGHETSBOT_WEBHOOK_SECRET"):
        webhook_options(build_parser().parse_args(url), Settings(_env_file=None))  # type: ignore[call-arg]
    (tmp_path / ".env").write_text("TRYGGHETSBOT_WEBHOOK_SECRET=from-dotenv\n", "utf-8")
    from_file = Settings(_env_file=tmp_path / ".env")  # type: ignore[call-arg]
    options = webhook_options(build_parser().parse_args(url), from_file)
    assert options is not None and options.secret == "from-dotenv"


# --- deployment files and doctor -----------------------------------------------------------

DEPLOY = ROOT / "deploy"


def _unit(path: Path) -> dict[str, dict[str, list[str]]]:
    """A systemd unit as section → key → values (keys may repeat)."""
    sections: dict[str, dict[str, list[str]]] = {}
    current: dict[str, list[str]] = {}
    for raw in path.read_text("utf-8").splitlines():
        line = raw.strip()
        if not line or line.startswith(("#", ";")):
            continue
        if line.startswith("[") and line.endswith("]"):
            current = sections.setdefault(line[1:-1], {})
            continue
        key, sep, value = line.partition("=")
        assert sep, f"{path.name}: not a key=value line: {raw!r}"
        current.setdefault(key.strip(), []).append(value.strip())
    return sections


def _expand(command: str) -> list[str]:
    """The unit's command line as argv, with ${VAR} as systemd would pass an empty value."""
    return [re.sub(r"\$\{\w+\}", "", word) for word in shlex.split(command)][1:]


def test_service_unit_runs_doctor_then_the_bot() -> None:
    unit = _unit(DEPLOY / "trygghetsbot.service")
    service = unit["Service"]
    assert service["EnvironmentFile"] == ["/etc/trygghetsbot/trygghetsbot.env"]
    assert "TELEGRAM_BOT_TOKEN" not in (DEPLOY / "trygghetsbot.service").read_text("utf-8")
    assert unit["Install"]["WantedBy"] == ["multi-user.target"]
    doctor = build_parser().parse_args(_expand(service["ExecStartPre"][0]))
    run_args = build_parser().parse_args(_expand(service["ExecStart"][0]))
    assert doctor.command == "doctor" and run_args.command == "run"
    assert run_args.webhook_listen == "127.0.0.1" and not run_args.webhook_secret
    assert set(service["RestartPreventExitStatus"][0].split()) == {"2", "3", "4"}
    # systemd waits a little longer than the bot's own stop takes, and no longer.
    stop_sec = float(service["TimeoutStopSec"][0].removesuffix("s"))
    assert STOP_BOUND < stop_sec <= STOP_BOUND + 5
    backup = _unit(DEPLOY / "trygghetsbot-backup.service")["Service"]
    assert "trygghetsbot backup" in backup["ExecStart"][0]
    assert _unit(DEPLOY / "trygghetsbot-backup.timer")["Timer"]["Persistent"] == ["true"]
    env = (DEPLOY / "trygghetsbot.env.example").read_text("utf-8")
    for name in ("TELEGRAM_BOT_TOKEN=", "TRYGGHETSBOT_DB=", "TRYGGHETSBOT_WEBHOOK_SECRET="):
        assert f"\n{name}" in env


@pytest.mark.skipif(shutil.which("systemd-analyze") is None, reason="systemd not installed")
def test_units_pass_systemd_analyze_verify(tmp_path: Path) -> None:
    # The units name /opt/trygghetsbot/venv; point them at this environment's script.
    script = Path(sys.executable).with_name("trygghetsbot")
    for unit in [*DEPLOY.glob("*.service"), *DEPLOY.glob("*.timer")]:
        text = unit.read_text("utf-8").replace(
            "/opt/trygghetsbot/venv/bin/trygghetsbot", str(script)
        )
        (tmp_path / unit.name).write_text(text, "utf-8")
    result = subprocess.run(
        ["systemd-analyze", "verify", *sorted(str(p) for p in tmp_path.iterdir())],
        capture_output=True,
        text=True,
        timeout=60,
        check=False,
    )
    assert result.returncode == 0, result.stderr


def test_doctor_says_what_to_fix_and_never_the_token(
    monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str], tmp_path: Path
) -> None:
    monkeypatch.delenv("TELEGRAM_BOT_TOKEN", raising=False)
    monkeypatch.chdir(tmp_path)
    monkeypatch.setenv("TRYGGHETSBOT_DB", str(tmp_path / "bot.sqlite3"))
    assert main(["doctor"]) == 1
    assert "FAIL  token: TELEGRAM_BOT_TOKEN is not set" in capsys.readouterr().out
    monkeypatch.setenv("TELEGRAM_BOT_TOKEN", TOKEN)
    monkeypatch.setenv("TRYGGHETSBOT_WEBHOOK_SECRET", "s3cret")
    monkeypatch.setenv("TRYGGHETSBOT_ADMIN_IDS", "42")
    assert main(["doctor", "--webhook-url", "https://trygghetsbot.upplands-bro.se/tg/hook"]) == 0
    out = capsys.readouterr().out
    assert "listens on path tg/hook" in out and TOKEN not in out
    # Not "Ready." until Telegram has been asked (doctor --online, tests/test_deploy_guide.py).
    assert "The bot can start; add --online" in out and "Ready." not in out
    with sqlite3.connect(tmp_path / "bot.sqlite3") as conn:
        conn.execute("PRAGMA user_version = 999")
    conn.close()
    assert main(["doctor", "--webhook-url", "http://bot.example.se/"]) == 1
    out = capsys.readouterr().out
    assert "FAIL  database" in out and "FAIL  webhook" in out and "https://" in out
