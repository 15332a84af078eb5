"""The data protection document (docs/dataskydd.md, docs/data-protection.md) stays true to the
code: every table that can hold a person's data is named in both languages, the retention
periods are the ones the code and the backup unit use, and the commands it tells residents
to use exist under the names it gives."""

from __future__ import annotations

import re
from pathlib import Path

import pytest

from bot.services.delivery import KEEP_DAYS
from handlers.menus import DELETE_ME, FOLLOW, LANGUAGE, PRIVACY, STOP
from storage.db import bundled_migrations

ROOT = Path(__file__).resolve().parent.parent
DOCS = {"sv": ROOT / "docs" / "dataskydd.md", "en": ROOT / "docs" / "data-protection.md"}
# Tables that never hold anything about a person: the once-per-key proofs of scheduled jobs,
# and update ids a stopping bot had handled.
NO_PERSON = {"job_runs", "handled_updates"}
DAYS = {"sv": "{n} dagar", "en": "{n} days"}


def tables() -> set[str]:
    found: set[str] = set()
    for migration in bundled_migrations():
        found |= set(re.findall(r"CREATE TABLE (\w+) \(", migration.sql))
        for old, new in re.findall(r"ALTER TABLE (\w+) RENAME TO (\w+)", migration.sql):
            found.discard(old)
            found.add(new)
    return {t for t in found if not t.endswith("_new")}


@pytest.mark.parametrize("lang", ["sv", "en"])
def test_every_table_with_personal_data_is_described(lang: str) -> None:
    text = DOCS[lang].read_text("utf-8")
    missing = [t for t in sorted(tables() - NO_PERSON) if f"`{t}`" not in text]
    assert missing == [], f"{DOCS[lang].name} does not describe {missing}"


@pytest.mark.parametrize("lang", ["sv", "en"])
def test_retention_periods_are_the_codes(lang: str) -> None:
    text = DOCS[lang].read_text("utf-8")
    unit = (ROOT / "deploy" / "trygghetsbot-backup.service").read_text("utf-8")
    [backup_days] = re.findall(r"-mtime \+(\d+)", unit)
    for days in (KEEP_DAYS, int(backup_days)):
        assert DAYS[lang].format(n=days) in text
    assert "03:15" in text and "03:15" in (ROOT / "deploy" / "trygghetsbot-backup.timer").read_text(
        "utf-8"
    )


@pytest.mark.parametrize("lang", ["sv", "en"])
def test_the_commands_it_names_exist(lang: str) -> None:
    text = DOCS[lang].read_text("utf-8")
    for command in (PRIVACY, DELETE_ME, STOP, LANGUAGE, FOLLOW):
        for name in command.names:
            assert f"/{name}" in text, (lang, name)
    assert "6.1 e" in text and "IMY" in text
