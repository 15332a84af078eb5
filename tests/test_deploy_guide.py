"""deploy/README.md followed as a kommun's IT would, as far as a test can without root,
systemd or the network: the example environment file as shipped, filled in step by step,
read the way the guide reads it (``set -a; . FILE``) and checked with ``doctor`` in a process
of its own. doctor fails, naming the line to fix, until every step is done, and says "Ready."
only at the end, once Telegram (the loopback emulator) has accepted the token. Then the
site is published to a folder as the timer does, and an empty database publishes no verdict.

By default the commands run this source tree (``python -m bot``). With
``TRYGGHETSBOT_GUIDE_BIN`` set to a virtual environment's ``bin`` folder they run the
``trygghetsbot`` installed there instead: .ci/run does that with the wheel it installs into a
clean virtual environment, away from the source tree, as step 4 does. The systemd units are
checked by ``systemd-analyze verify`` in tests/test_production.py."""

from __future__ import annotations

import asyncio
import os
import re
import shlex
import sys
from pathlib import Path

import pytest

from bot.sandbox.emulator import Emulator

ROOT = Path(__file__).resolve().parent.parent
DEPLOY = ROOT / "deploy"
TOKEN = "123456:ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghi"  # well-formed, only the emulator knows it


def set_line(env: Path, name: str, value: str) -> None:
    """What the guide asks for with an editor: the line ``NAME=...`` gets this value."""
    text = env.read_text("utf-8")
    text, n = re.subn(rf"(?m)^#?{name}=.*$", f"{name}={value}", text)
    assert n == 1, f"{name} is not in the example file exactly once"
    env.write_text(text, "utf-8")


def program() -> str:
    """The installed command when .ci/run gives one, else this source tree."""
    installed = os.environ.get("TRYGGHETSBOT_GUIDE_BIN")
    if installed:
        return shlex.quote(str(Path(installed) / "trygghetsbot"))
    return f"{shlex.quote(sys.executable)} -m bot"


def guide_tb(env: Path, work: Path) -> str:
    """The guide's own ``tb()`` shell function (step 4), pointed at this test's files: the
    environment file, a working folder, and ``program()`` instead of
    /opt/trygghetsbot/venv/bin/trygghetsbot; ``runuser`` left out (the test is not root)."""
    guide = (DEPLOY / "README.md").read_text("utf-8")
    [line] = [line for line in guide.splitlines() if line.startswith("tb() {")]
    replaced = (
        line.replace("runuser -u trygghetsbot -- ", "")
        .replace("/etc/trygghetsbot/trygghetsbot.env", str(env))
        .replace("cd /var/lib/trygghetsbot", f"cd {work}")
        .replace("/opt/trygghetsbot/venv/bin/trygghetsbot", program())
    )
    assert not re.search(r"runuser|/opt/trygghetsbot|/etc/trygghetsbot|/var/lib", replaced)
    return replaced


async def trygghetsbot(env: Path, *args: str, api: str = "") -> tuple[int, str]:
    """``tb ARGS`` exactly as the guide defines and runs it, in a shell of its own."""
    clean = {k: v for k, v in os.environ.items() if not k.startswith(("TELEGRAM_", "TRYGGHET"))}
    if api:
        clean["TELEGRAM_API_BASE_URL"] = api
    work = env.parent.parent / "work"
    work.mkdir(exist_ok=True)
    command = guide_tb(env, work) + "\ntb " + " ".join(shlex.quote(a) for a in args)
    proc = await asyncio.create_subprocess_exec(
        "bash",
        "-c",
        command,
        env=clean
        if os.environ.get("TRYGGHETSBOT_GUIDE_BIN")
        else {**clean, "PYTHONPATH": str(ROOT)},
        stdout=asyncio.subprocess.PIPE,
        stderr=asyncio.subprocess.STDOUT,
    )
    out, _ = await proc.communicate()
    assert proc.returncode is not None
    return proc.returncode, out.decode("utf-8")


def site_command(www: Path) -> list[str]:
    """The site unit's command line, after the program, with its folder moved to ``www``."""
    unit = (DEPLOY / "trygghetsbot-site.service").read_text("utf-8")
    [line] = [line for line in unit.splitlines() if line.startswith("ExecStart=")]
    argv = shlex.split(line.removeprefix("ExecStart="))
    assert argv[0] == "/opt/trygghetsbot/venv/bin/trygghetsbot"
    return [str(www) if a == "/var/www/trygghetsbot" else a for a in argv[1:]]


async def first_start(db: Path) -> None:
    """What the bot's first start does to the database: create it, migrations applied."""
    from storage.db import Database

    async with Database(db):
        pass


def line_of(out: str, what: str) -> str:
    [found] = [line for line in out.splitlines() if re.match(rf"(ok|warn|FAIL)\s+{what}:", line)]
    return found


# End to end: every step runs `trygghetsbot` as a process of its own through the shell (nine).
@pytest.mark.slow
async def test_the_guide_from_the_example_file_to_ready(tmp_path: Path) -> None:
    etc = tmp_path / "config"
    etc.mkdir()
    env = etc / "trygghetsbot.env"
    env.write_text((DEPLOY / "trygghetsbot.env.example").read_text("utf-8"), "utf-8")
    state = tmp_path / "var-lib-trygghetsbot"
    set_line(env, "TRYGGHETSBOT_DB", str(state / "trygghetsbot.sqlite3"))

    # As shipped: nothing filled in. Not a settings error, but doctor's checklist.
    code, out = await trygghetsbot(env, "doctor")
    assert code == 1, out
    assert line_of(out, "token").startswith("FAIL")
    database = line_of(out, "database")
    assert database.startswith("FAIL") and "does not exist yet" in database
    assert "StateDirectory=trygghetsbot" in database and "install -d" in database
    assert line_of(out, "webhook").startswith("ok")  # long polling until a URL is given
    assert line_of(out, "admins").startswith("warn")
    assert out.rstrip().endswith("to fix before the bot can run.")

    # The token filled in, the folder made as step 4 makes it; the admins' ids found with
    # user-ids after the coordinator has sent /start.
    set_line(env, "TELEGRAM_BOT_TOKEN", TOKEN)
    state.mkdir(mode=0o750)
    async with Emulator() as emu:
        await emu.user_sends(123456789, "/start", first_name="Samordnare Sara")
        code, out = await trygghetsbot(env, "user-ids", api=emu.base_url)
        assert code == 0 and "123456789\tSamordnare Sara" in out
    set_line(env, "TRYGGHETSBOT_ADMIN_IDS", "123456789")

    # Webhook mode with the hostname copied from an example, and no secret yet.
    set_line(env, "TRYGGHETSBOT_WEBHOOK_URL", "https://bot.example.se/tg/hook")
    code, out = await trygghetsbot(env, "doctor")
    webhook = line_of(out, "webhook")
    assert code == 1 and webhook.startswith("FAIL") and "example name" in webhook
    assert "TRYGGHETSBOT_WEBHOOK_URL=https://bot.example.se/tg/hook" in webhook
    set_line(env, "TRYGGHETSBOT_WEBHOOK_URL", "https://trygghetsbot.upplands-bro.se/tg/hook")
    code, out = await trygghetsbot(env, "doctor")
    webhook = line_of(out, "webhook")
    assert code == 1 and webhook.startswith("FAIL")
    assert "TRYGGHETSBOT_WEBHOOK_SECRET=" in webhook and "openssl rand -hex 32" in webhook
    set_line(env, "TRYGGHETSBOT_WEBHOOK_SECRET", "a" * 64)

    # Everything filled in: the bot can start, but "Ready." waits for Telegram's word.
    code, out = await trygghetsbot(env, "doctor")
    assert code == 0, out
    assert "FAIL" not in out and "warn" not in out and "Ready." not in out
    assert "--online" in out.splitlines()[-1]
    assert TOKEN not in out

    async with Emulator() as emu:
        code, out = await trygghetsbot(env, "doctor", "--online", api=emu.base_url)
        assert code == 0, out
        assert line_of(out, "telegram").startswith("ok")
        assert out.splitlines()[-1] == "Ready."
        # Step 6: an invite link made from the bot's own username.
        code, out = await trygghetsbot(env, "invite", "--org", "police", api=emu.base_url)
        assert code == 0 and "https://t.me/trygghetsbot_sandbox_bot?start=inv_" in out
        emu.revoked_tokens.add(TOKEN)
        code, out = await trygghetsbot(env, "doctor", "--online", api=emu.base_url)
        assert code == 1 and line_of(out, "telegram").startswith("FAIL")
        assert "Ready." not in out and TOKEN not in out

    await first_start(state / "trygghetsbot.sqlite3")

    # Step 7: the site, as trygghetsbot-site.service publishes it, into the folder nginx
    # serves. Fresh, nothing reported yet: the page says so.
    www = tmp_path / "var-www-trygghetsbot"
    argv = site_command(www)
    code, out = await trygghetsbot(env, *argv)
    assert code == 0, out
    assert "No reports are registered" in out
    page = (www / "index.html").read_text("utf-8")
    assert "Inga rapporter är registrerade ännu" in page
    assert sorted(p.name for p in www.iterdir()) == [
        "index.html",
        "uppfoljning.csv",
        "uppfoljning.json",
    ]


def test_the_guide_names_its_files_and_steps() -> None:
    guide = (DEPLOY / "README.md").read_text("utf-8")
    # The wheel is built before the step that installs it.
    assert guide.index("pip wheel") < guide.index("pip install /tmp/trygghetsbot-")
    # The data folder exists before doctor first looks for it.
    assert guide.index("install -d -m 0750 -o trygghetsbot") < guide.index("doctor")
    for name in (
        "trygghetsbot.env.example",
        "trygghetsbot.service",
        "trygghetsbot-backup.timer",
        "trygghetsbot-site.timer",
        "@BotFather",
        "/setprivacy",
        "TRYGGHETSBOT_ADMIN_IDS",
        "python3.11",
    ):
        assert name in guide, name
    assert "sudo " not in guide  # not on a clean Debian; the guide uses runuser


def test_nginx_serves_the_folder_the_site_unit_writes() -> None:
    nginx = (DEPLOY / "nginx-trygghetsbot.conf").read_text("utf-8")
    [folder] = re.findall(r"alias (\S+);", nginx)
    assert site_command(Path("/x"))[-1] == "/x"  # the unit writes exactly one folder
    unit = (DEPLOY / "trygghetsbot-site.service").read_text("utf-8")
    assert f"--site {folder.rstrip('/')}" in unit
    assert f"ReadWritePaths=-{folder.rstrip('/')}" in unit
    timer = (DEPLOY / "trygghetsbot-site.timer").read_text("utf-8")
    assert "OnCalendar=" in timer and "Persistent=true" in timer
