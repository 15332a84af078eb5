"""The data subcommands other tools rely on: JSON shapes and CSV contracts (docs/product.md)."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from bot.cli.main import build_parser, resolve
from bot.settings import Settings


def run(argv: list[str], settings: Settings) -> int:
    args = build_parser().parse_args(argv)
    return resolve(args.command)(args, settings)


def test_parse_report_json_contract(settings: Settings, capsys: pytest.CaptureFixture[str]) -> None:
    code = run(
        [
            "parse-report",
            "Tematräff på Trygghetscentret igår, 23 deltagare",
            "--today",
            "2024-03-14",
            "--json",
        ],
        settings,
    )
    assert code == 0
    data = json.loads(capsys.readouterr().out)
    assert data == {
        "commitment": "theme_meeting",
        "date": "2024-03-13",
        "count": 23,
        "place": "Trygghetscentret",
        "pii": [],
        "conditions": {"trygghetscenter": "met"},
    }


def test_parse_report_reports_pii(settings: Settings, capsys: pytest.CaptureFixture[str]) -> None:
    run(["parse-report", "dialog med bussen, ring 070-123 45 67", "--json"], settings)
    assert json.loads(capsys.readouterr().out)["pii"] == ["phone"]


def test_answer_json_emergency_and_secrecy(
    settings: Settings, capsys: pytest.CaptureFixture[str]
) -> None:
    run(["answer", "det brinner i trapphuset", "--json", "--today", "2024-03-12"], settings)
    data = json.loads(capsys.readouterr().out)
    assert data["intent"] == "emergency" and "112" in data["text"]
    run(["answer", "när är nästa narkotikainsats", "--json", "--locale", "en"], settings)
    data = json.loads(capsys.readouterr().out)
    assert data["kind"] is None and data["intent"] != "next_event"
    assert "narcotics operation on" not in data["text"].lower()


def test_activities_round_trip_and_all_or_nothing(
    settings: Settings, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    good = tmp_path / "a.csv"
    good.write_text(
        "commitment,date,place,count,description\n"
        "theme_meeting,2023-03-02,Trygghetscenter,25,Tema: trygg i Bro\n"
        "visibility_effort,2023-05-12,Bro centrum,,Kvällsinsats\n",
        encoding="utf-8",
    )
    assert run(["import-activities", str(good)], settings) == 0
    bad = tmp_path / "b.csv"
    bad.write_text(
        "commitment,date,place,count,description\n"
        "theme_meeting,2023-09-02,Bro,10,ok\n"
        "secret_thing,2023-09-03,Bro,10,unknown kind\n",
        encoding="utf-8",
    )
    assert run(["import-activities", str(bad)], settings) == 1
    assert "line 3" in capsys.readouterr().err
    out = tmp_path / "out.csv"
    assert run(["export-activities", "--out", str(out)], settings) == 0
    lines = out.read_text(encoding="utf-8").splitlines()
    # The five columns, then one per condition of the promise file (additive, at the end).
    assert lines[0].startswith("commitment,date,place,count,description,condition_")
    assert len(lines) == 3  # the bad file added nothing
    assert any(
        line.startswith("theme_meeting,2023-03-02,Trygghetscenter,25,Tema: trygg i Bro,")
        for line in lines
    )


def test_events_import_and_public_feed(
    settings: Settings, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    plan = tmp_path / "e.csv"
    plan.write_text(
        "commitment,starts_at,ends_at,place,title,visibility\n"
        "theme_meeting,2024-04-10T18:00,2024-04-10T20:00,Trygghetscenter,Tema: grannsamverkan,\n"
        "narcotics_operation,2024-04-11T20:00,2024-04-11T23:00,X,Hemlig insats,public\n",
        encoding="utf-8",
    )
    assert run(["import-events", str(plan)], settings) == 0
    bad = tmp_path / "bad.csv"
    bad.write_text(
        "commitment,starts_at,ends_at,place,title,visibility\n"
        "theme_meeting,2024-04-10T18:00,2024-04-10T17:00,X,Backwards,\n",
        encoding="utf-8",
    )
    assert run(["import-events", str(bad)], settings) == 1
    assert "line 2" in capsys.readouterr().err
    feed = tmp_path / "feed.ics"
    assert run(["export-events", "--ics", "--out", str(feed)], settings) == 0
    text = feed.read_text(encoding="utf-8")
    assert "BEGIN:VCALENDAR" in text and "Tema: grannsamverkan" in text
    assert "TZID=Europe/Stockholm" in text
    # The narcotics operation was clamped to count_only and never appears in the feed.
    assert "Hemlig insats" not in text and "Backwards" not in text


def test_status_json_on_imported_csv_matches_a_hand_count(
    settings: Settings, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    data = tmp_path / "2023.csv"
    data.write_text(
        "commitment,date,place,count,description\n"
        "theme_meeting,2023-02-14,Trygghetscenter,24,\n"
        "theme_meeting,2023-04-18,Trygghetscenter,31,\n"
        "visibility_effort,2023-03-10,Bro centrum,,\n"
        "mobile_dialogue,2023-05-06,Brogård,40,\n",
        encoding="utf-8",
    )
    assert run(["import-activities", str(data)], settings) == 0
    capsys.readouterr()
    assert run(["status", "--today", "2023-05-02", "--json"], settings) == 0
    rows = {r["commitment"]: r for r in json.loads(capsys.readouterr().out)}
    theme = rows["theme_meeting"]
    assert theme["period"]["label"] == "VT 2023"
    assert (theme["target"], theme["done"], theme["state"]) == (2, 2, "done")
    # 6 a year; 122 of 365 days gone → 2.01 expected, 1 done, nothing planned: behind.
    visibility = rows["visibility_effort"]
    assert (visibility["done"], visibility["expected_by_now"], visibility["state"]) == (
        1,
        2.01,
        "behind",
    )
    # The dialogue on 6 May has not happened yet on 2 May.
    assert rows["mobile_dialogue"]["done"] == 0
    assert set(rows["gvi"]) == {
        "commitment",
        "period",
        "target",
        "done",
        "planned",
        "expected_by_now",
        "state",
    }


def test_an_imported_milestone_counts_like_an_admins_tap(
    settings: Settings, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    """A GVI row (due 31 December 2023) dated 20 February 2024 records the milestone as
    reached, late: the page says "klart, försenat" and the JSON ``late``; the import says
    what it counted; importing it again changes nothing and says so."""
    data = tmp_path / "gvi.csv"
    data.write_text(
        "commitment,date,place,count,description\n"
        "gvi,2024-02-20,,,GVI infört med Kriminalvården\n"
        "theme_meeting,2024-02-14,Trygghetscenter,24,\n"
        "theme_meeting,2024-03-05,Trygghetscenter,31,\n",
        encoding="utf-8",
    )
    assert run(["import-activities", str(data)], settings) == 0
    out = capsys.readouterr().out.splitlines()
    assert out == [
        "Imported 2 activities.",
        "theme_meeting: 2 activities, 2 count (0 met every condition, "
        "2 with a condition not stated)",
        "gvi: milestone reached on 2024-02-20 (after its due date: late)",
    ]
    assert run(["report", "--format", "md"], settings) == 0
    assert "- GVI: klart, försenat" in capsys.readouterr().out
    assert run(["report", "--format", "json"], settings) == 0
    [gvi] = [c for c in json.loads(capsys.readouterr().out)["commitments"] if c["id"] == "gvi"]
    assert [(p["state"], p["late"]) for p in gvi["periods"]] == [("done", True)]
    assert run(["import-activities", str(data)], settings) == 0
    again = capsys.readouterr().out
    assert "already recorded as reached on 2024-02-20; left as it is" in again


def test_a_milestone_twice_in_one_file_is_refused_with_its_line(
    settings: Settings, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    data = tmp_path / "twice.csv"
    data.write_text(
        "commitment,date,place,count,description\n"
        "gvi,2023-11-20,,,\n"
        "theme_meeting,2023-11-21,Trygghetscenter,20,\n"
        "gvi,2023-12-01,,,\n",
        encoding="utf-8",
    )
    assert run(["import-activities", str(data)], settings) == 1
    err = capsys.readouterr().err
    assert "line 4" in err and "already on line 2" in err and "Nothing was imported" in err
