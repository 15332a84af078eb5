"""Safe output (issue 15): CSV cells, Markdown, paged /events, the error reply's language and
who may read an alert's delivery report."""

from __future__ import annotations

import csv
import io
from datetime import timedelta
from pathlib import Path

import pytest

from bot.render.exports import neutralise_cell, restore_cell
from bot.settings import Settings
from storage.events import NewEvent
from tests.conftest import ADMIN_ID, Harness
from tests.test_cli_data import run
from tests.test_tips import make_staff

WRITTEN = "boom: they wrote 811218-9876"
DANGEROUS = ['=HYPERLINK("http://x")', "+1+1", "-2+3", "@SUM(A1)", "\tx", "\rx"]


def test_cells_are_neutralised_and_restored() -> None:
    for cell in DANGEROUS:
        safe = neutralise_cell(cell)
        assert safe.startswith("'") and restore_cell(safe) == cell
    assert neutralise_cell(-3) == -3 and neutralise_cell("Bro") == "Bro"


def test_export_activities_is_safe_and_round_trips(
    settings: Settings, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    source = tmp_path / "in.csv"
    out = io.StringIO()
    writer = csv.writer(out, lineterminator="\n")
    writer.writerow(["commitment", "date", "place", "count", "description"])
    in_file = DANGEROUS[:-1]  # a bare CR inside a cell is a line break to the CSV reader
    for number, cell in enumerate(in_file, start=1):
        writer.writerow(["theme_meeting", f"2023-03-{number:02d}", cell, 5, cell])
    source.write_text(out.getvalue(), "utf-8")
    assert run(["import-activities", str(source)], settings) == 0
    exported = tmp_path / "out.csv"
    assert run(["export-activities", "--out", str(exported)], settings) == 0
    rows = list(csv.reader(io.StringIO(exported.read_text("utf-8"))))[1:]
    assert len(rows) == len(in_file)
    for row in rows:
        assert not any(cell.startswith(("=", "+", "-", "@", "\t", "\r")) for cell in row), row
    # Importing our own export gives the same text back, not apostrophes.
    settings2 = settings.model_copy(update={"db_path": tmp_path / "second.sqlite3"})
    assert run(["import-activities", str(exported)], settings2) == 0
    again = tmp_path / "again.csv"
    assert run(["export-activities", "--out", str(again)], settings2) == 0
    assert again.read_text("utf-8") == exported.read_text("utf-8")
    capsys.readouterr()


def test_markdown_escapes_markup_and_html(
    settings: Settings, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    source = tmp_path / "in.csv"
    source.write_text(
        "commitment,date,place,count,description\n"
        "theme_meeting,2023-03-02,<script>alert(1)</script> **Bro**,5,\n",
        "utf-8",
    )
    assert run(["import-activities", str(source)], settings) == 0
    capsys.readouterr()
    assert (
        run(["report", "--format", "md", "--period", "2023", "--today", "2023-12-31"], settings)
        == 0
    )
    text = capsys.readouterr().out
    assert "<script>" not in text and r"\*\*Bro\*\*" in text


async def test_events_are_paged_under_the_limit(harness: Harness) -> None:
    h = harness
    start = h.clock.now() + timedelta(days=1)
    await h.services.events.add_many(
        [
            NewEvent(
                "theme_meeting",
                f"Tematräff {n} " + "lång rubrik " * 9,
                start + timedelta(hours=8 * n),
                start + timedelta(hours=8 * n + 1),
                "public",
                place="Trygghetscenter i Bro " * 5,
            )
            for n in range(40)
        ],
        h.clock.now(),
    )
    await h.say(7001, "/events", lang="en")
    first = h.tg.last(7001)
    assert len(first.text) < 4096 and "(page 1 of" in first.text
    assert ("Later ›", "ev:page:1") in first.buttons
    seen = [data for _, data in first.buttons if data.startswith("ev:show:")]
    await h.press(7001, "ev:page:1", lang="en")
    second = h.tg.calls[-1]
    assert second.method == "editMessageText" and len(second.text) < 4096
    assert ("‹ Earlier", "ev:page:0") in second.buttons
    assert not set(seen) & {data for _, data in second.buttons}


@pytest.mark.logs_errors
async def test_error_reply_speaks_the_users_language(
    harness: Harness, monkeypatch: pytest.MonkeyPatch, caplog: pytest.LogCaptureFixture
) -> None:
    async def broken(*_args: object, **_kwargs: object) -> None:
        raise RuntimeError(WRITTEN)

    monkeypatch.setattr("bot.services.answers.AnswerService.respond", broken)
    await harness.say(7002, "when is the next theme meeting?", lang="en")
    assert "something went wrong" in harness.tg.last(7002).text
    await harness.say(7003, "när är nästa tematräff?", lang="sv")
    assert "något gick fel" in harness.tg.last(7003).text
    # The log says what failed and where, never the exception's words.
    assert WRITTEN not in caplog.text and "handler failed: RuntimeError" in caplog.text


async def test_alert_report_only_for_its_author_and_admins(harness: Harness) -> None:
    h = harness
    author, colleague = 7101, 7102
    await make_staff(h, author)
    await make_staff(h, colleague)
    alert_id = await h.services.db.insert(
        "INSERT INTO alerts (text_sv, text_en, created_by, created_at, status) "
        "VALUES ('Varning', 'Warning', ?, ?, 'sent')",
        (author, h.clock.now().isoformat()),
    )
    await h.press(colleague, f"alert:rep:{alert_id}", lang="en")
    assert "Delivery report" not in h.tg.last(colleague).text
    assert "could not find" in h.tg.last(colleague).text
    for reader in (author, ADMIN_ID):
        await h.press(reader, f"alert:rep:{alert_id}", lang="en")
        assert "Delivery report" in h.tg.last(reader).text
