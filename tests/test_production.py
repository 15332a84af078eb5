"""Issue 15, production: packaging, deployment files and clean start-up failures."""

from __future__ import annotations

import os
import shutil
import tomllib
from pathlib import Path

from bot.i18n import locales_dir, translator

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
    assert "*.po" in data["locales.sv.LC_MESSAGES"]
    assert data["bot.promises"] == ["*.toml"] and data["storage.migrations"] == ["*.sql"]
    po = (ROOT / "locales" / "sv" / "LC_MESSAGES" / "messages.po").read_text("utf-8")
    header = po.split("\n\n", 1)[0]  # the header entry, up to the first message
    for placeholder in ("fuzzy", "PROJECT", "FIRST AUTHOR"):
        assert placeholder not in header
