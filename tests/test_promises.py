"""Promise after promise, kommun beside kommun (bot.domain.promise_set): the set's rules, an
existing one-promise database migrated with every row kept, the data commands' --promise,
check-promise on a folder, and the published site with an index and a page per promise."""

from __future__ import annotations

import asyncio
import json
import re
import shutil
from datetime import date, datetime
from pathlib import Path

import pytest

from bot.cli.main import build_parser, resolve
from bot.clock import STOCKHOLM
from bot.domain.promise import PromiseError, load_promise
from bot.domain.promise_set import (
    PromiseSet,
    demo_promise_set,
    load_promise_set,
    phase,
)
from bot.settings import Settings
from storage.db import Database, bundled_migrations

BUNDLED = Path(__file__).parent.parent / "bot" / "promises"
OLD = BUNDLED / "upplands-bro-2022-2024.toml"
NEXT = BUNDLED / "demo" / "upplands-bro-2025-2027.toml"
JARFALLA = BUNDLED / "demo" / "jarfalla-2025-2027.toml"
ALL = f"{OLD},{NEXT},{JARFALLA}"
UB, JF = "Upplands-Bro kommun", "Järfälla kommun"


def _variant(tmp_path: Path, source: Path, name: str, **changes: str) -> Path:
    """A copy of ``source`` with top-level lines replaced (key = "value")."""
    text = source.read_text(encoding="utf-8")
    for key, value in changes.items():
        text, n = re.subn(rf"(?m)^{key} = .*$", f"{key} = {value}", text, count=1)
        if n == 0:  # not in the file: add it at the top
            text = f"{key} = {value}\n" + text
    path = tmp_path / name
    path.write_text(text, encoding="utf-8")
    return path


# --- the set's rules ------------------------------------------------------------------------


def test_which_promise_is_current_previous_and_carried_on() -> None:
    promises = demo_promise_set()
    assert promises.home == UB and promises.municipalities == (UB, JF)
    old, new, jf = (promises.get(i) for i in ("upplands-bro-2022-2024",
                                               "upplands-bro-2025-2027-demo",
                                               "jarfalla-2025-2027-demo"))  # fmt: skip
    assert old is not None and new is not None and jf is not None
    in_2024, in_2025 = date(2024, 3, 12), date(2025, 3, 12)
    assert promises.current(UB, in_2024) is old and promises.current(UB, in_2025) is new
    # Järfälla in 2024: nothing in force or ended, so the coming promise.
    assert promises.current(JF, in_2024) is jf and phase(jf, in_2024) == "upcoming"
    assert phase(old, in_2025) == "ended" and promises.previous(new) is old
    assert promises.previous(jf) is None and promises.previous(old) is None
    # The same id carries on; the file's mapping names another one.
    theme = promises.earlier_commitment(new, "theme_meeting")
    walk = promises.earlier_commitment(new, "safety_walk")
    assert theme is not None and theme.id == "theme_meeting"
    assert walk is not None and walk.id == "mobile_dialogue"
    assert promises.earlier_commitment(jf, "visibility_effort") is None
    assert promises.for_day(UB, date(2024, 12, 31)) is old
    assert promises.for_day(UB, date(2025, 1, 1)) is new
    assert promises.for_day(JF, date(2024, 6, 1)) is None
    # An unknown kommun reads the home kommun's promise.
    assert promises.current("Sigtuna kommun", in_2025) is new


def test_a_draft_is_never_in_force_and_is_shown_only_when_its_file_says(tmp_path: Path) -> None:
    draft = _variant(tmp_path, NEXT, "draft.toml", id='"ub-2028-draft"', draft="true")
    text = draft.read_text(encoding="utf-8")
    draft.write_text(
        text.replace("start = 2025-01-01", "start = 2028-01-01").replace(
            "end = 2027-12-31", "end = 2030-12-31"
        ),
        encoding="utf-8",
    )
    promises = load_promise_set(f"{OLD},{NEXT},{draft}")
    found = promises.get("ub-2028-draft")
    assert found is not None and phase(found, date(2029, 1, 1)) == "draft"
    assert promises.for_day(UB, date(2029, 1, 1)) is None
    assert promises.next_draft(UB) is None  # show_draft not set
    shown = _variant(tmp_path, draft, "shown.toml", show_draft="true")
    draft.unlink()
    assert load_promise_set(f"{OLD},{NEXT},{shown}").next_draft(UB) is not None


def test_two_promises_of_one_kommun_may_not_overlap_nor_share_an_id(tmp_path: Path) -> None:
    overlap = _variant(tmp_path, NEXT, "overlap.toml", id='"ub-overlap"')
    overlap.write_text(
        overlap.read_text(encoding="utf-8").replace("start = 2025-01-01", "start = 2024-06-01"),
        encoding="utf-8",
    )
    with pytest.raises(PromiseError) as caught:
        load_promise_set(f"{OLD},{overlap}")
    assert "overlap" in str(caught.value) and "ub-overlap" in str(caught.value)
    with pytest.raises(PromiseError, match="used by two"):
        PromiseSet((load_promise(OLD), load_promise(OLD)))
    # Side by side is fine: the same window in two kommuner.
    assert len(load_promise_set(f"{NEXT},{JARFALLA}")) == 2


def test_a_folder_is_read_without_its_template_and_the_home_kommun_can_be_named(
    tmp_path: Path,
) -> None:
    folder = tmp_path / "promises"
    folder.mkdir()
    for path in (OLD, NEXT, JARFALLA, BUNDLED / "template.toml"):
        shutil.copy(path, folder / path.name)
    by_name = load_promise_set(str(folder))
    assert len(by_name) == 3 and by_name.home == JF  # jarfalla-… is first by name
    assert load_promise_set(str(folder), home=UB).home == UB
    with pytest.raises(PromiseError, match="no promise is for"):
        load_promise_set(str(folder), home="Sigtuna kommun")
    empty = tmp_path / "empty"
    empty.mkdir()
    with pytest.raises(PromiseError, match="no promise files"):
        load_promise_set(str(empty))
    with pytest.raises(PromiseError, match="cannot read"):
        load_promise_set(str(tmp_path / "none.toml"))


# --- an existing database -------------------------------------------------------------------


async def _one_promise_database(path: Path) -> None:
    """A database as the bot left it before several promises (schema 9), with a row in
    every table that now belongs to a promise."""
    before = [m for m in bundled_migrations() if m.version <= 9]
    async with Database(path, before) as db:
        stamp = "2023-05-01T10:00:00+00:00"
        for day, commitment in (("2023-02-10", "theme_meeting"), ("2024-11-01", "gvi")):
            await db.execute(
                "INSERT INTO activities (commitment, date, count, created_at, updated_at) "
                "VALUES (?, ?, 9, ?, ?)",
                (commitment, day, stamp, stamp),
            )
        await db.execute(
            "INSERT INTO events (commitment, title, starts_at, ends_at, visibility, "
            "created_at, updated_at) VALUES ('theme_meeting', 'Träff', ?, ?, 'public', ?, ?)",
            ("2024-03-15T17:00:00+00:00", "2024-03-15T19:00:00+00:00", stamp, stamp),
        )
        await db.execute(
            "INSERT INTO milestones (commitment, reached_on, confirmed_by, confirmed_at) "
            "VALUES ('gvi', '2023-10-01', 1, ?)",
            (stamp,),
        )
        await db.execute(
            "INSERT INTO follows (chat_id, commitment, created_at) VALUES (7, 'gvi', ?)",
            (stamp,),
        )
        await db.execute(
            "INSERT INTO suggestions (kind, grp, text, locale, created_at) "
            "VALUES ('wish', 'theme.x', 'mer ljus', 'sv', ?)",
            (stamp,),
        )


def _run(settings: Settings, *argv: str) -> int:
    args = build_parser().parse_args(list(argv))
    return resolve(args.command)(args, settings)


def test_an_existing_one_promise_database_keeps_every_row(
    settings: Settings, capsys: pytest.CaptureFixture[str]
) -> None:
    asyncio.run(_one_promise_database(settings.db_path))
    in_2025 = datetime(2025, 3, 12, 12, 0, tzinfo=STOCKHOLM)
    several = settings.model_copy(update={"promises": ALL, "now": in_2025})
    assert _run(several, "export-activities", "--promise", "upplands-bro-2022-2024") == 0
    exported = capsys.readouterr().out
    assert "theme_meeting,2023-02-10" in exported and "gvi,2024-11-01" in exported

    async def owners() -> dict[str, list[str]]:
        async with Database(settings.db_path) as db:
            return {
                table: [row[0] for row in await db.fetchall(f"SELECT promise_id FROM {table}")]
                for table in ("activities", "events", "milestones", "follows", "suggestions")
            }

    # Every row kept, each given to the 2022–2024 promise (all dated inside its window).
    assert asyncio.run(owners()) == {
        "activities": ["upplands-bro-2022-2024"] * 2,
        "events": ["upplands-bro-2022-2024"],
        "milestones": ["upplands-bro-2022-2024"],
        "follows": ["upplands-bro-2022-2024"],
        "suggestions": ["upplands-bro-2022-2024"],
    }
    # The new promise starts empty; its export has the header only.
    assert _run(several, "export-activities", "--promise", "upplands-bro-2025-2027-demo") == 0
    assert len(capsys.readouterr().out.strip().splitlines()) == 1


# --- the data commands, check-promise and the site ----------------------------------------------


def test_writing_commands_need_the_promise_when_there_are_several(
    settings: Settings, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    several = settings.model_copy(update={"promises": ALL})
    rows = tmp_path / "rows.csv"
    rows.write_text("commitment,date,place,count,description\nsafety_walk,2025-02-20,Bro,12,\n")
    from bot.cli.main import main

    monkey_env = {"TRYGGHETSBOT_PROMISES": ALL, "TRYGGHETSBOT_DB": str(settings.db_path)}
    with pytest.MonkeyPatch.context() as mp:
        for key, value in monkey_env.items():
            mp.setenv(key, value)
        assert main(["import-activities", str(rows)]) == 2
        said = capsys.readouterr().err
        assert "--promise" in said and "jarfalla-2025-2027-demo" in said
        assert main(["import-activities", "--promise", "nope", str(rows)]) == 2
        assert "no promise 'nope'" in capsys.readouterr().err
    assert _run(several, "import-activities", "--promise", "upplands-bro-2025-2027-demo",
                str(rows)) == 0  # fmt: skip
    assert "Imported 1" in capsys.readouterr().out
    # A commitment the chosen promise does not have is refused with its line.
    assert _run(several, "import-activities", "--promise", "jarfalla-2025-2027-demo",
                str(rows)) == 1  # fmt: skip
    assert "safety_walk" in capsys.readouterr().err


def test_check_promise_validates_a_folder(
    settings: Settings, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    folder = tmp_path / "promises"
    folder.mkdir()
    for path in (OLD, NEXT, JARFALLA):
        shutil.copy(path, folder / path.name)
    today = settings.model_copy(update={"now": datetime(2025, 3, 12, 12, 0, tzinfo=STOCKHOLM)})
    assert _run(today, "check-promise", str(folder)) == 0
    out = capsys.readouterr().out
    assert "OK: 3 promises, 2 kommuner" in out
    assert re.search(r"upplands-bro-2022-2024 .* ended", out)
    assert "safety_walk <- mobile_dialogue" in out
    bad = _variant(folder, NEXT, "zz.toml", id='"ub-overlap"')
    bad.write_text(
        bad.read_text(encoding="utf-8").replace("start = 2025-01-01", "start = 2024-12-01"),
        encoding="utf-8",
    )
    assert _run(today, "check-promise", str(folder)) == 1
    assert "windows overlap" in capsys.readouterr().err


def test_the_site_has_an_index_and_a_page_and_data_per_promise(
    settings: Settings, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    several = settings.model_copy(update={"promises": ALL})
    old_rows = tmp_path / "old.csv"
    old_rows.write_text(
        "commitment,date,place,count,description\n"
        "theme_meeting,2023-02-10,Trygghetscenter,20,\ntheme_meeting,2023-03-10,Trygghetscenter,15,\n"
        "mobile_dialogue,2024-05-01,Kungsängen,,\n"
    )
    new_rows = tmp_path / "new.csv"
    new_rows.write_text("commitment,date,place,count,description\ntheme_meeting,2025-02-10,,,\n")
    jf_rows = tmp_path / "jf.csv"
    jf_rows.write_text(
        "commitment,date,place,count,description\nvisibility_effort,2025-03-01,Jakobsberg,,\n"
    )
    for promise, rows in (("upplands-bro-2022-2024", old_rows),
                          ("upplands-bro-2025-2027-demo", new_rows),
                          ("jarfalla-2025-2027-demo", jf_rows)):  # fmt: skip
        assert _run(several, "import-activities", "--promise", promise, str(rows)) == 0
    site = tmp_path / "site"
    assert _run(several, "report", "--site", str(site), "--today", "2025-03-12") == 0
    capsys.readouterr()
    written = sorted(str(p.relative_to(site)) for p in site.rglob("*") if p.is_file())
    folders = ("jarfalla-2025-2027-demo", "upplands-bro-2022-2024", "upplands-bro-2025-2027-demo")
    assert written == ["index.html"] + [
        f"{f}/{name}"
        for f in folders
        for name in ("index.html", "uppfoljning.csv", "uppfoljning.json")
    ]
    index = (site / "index.html").read_text(encoding="utf-8")
    # In force first, then the earlier promise with its final result.
    now_at, earlier_at = index.index("Gäller nu"), index.index("Tidigare löften")
    assert now_at < index.index("[DEMO] Medborgarlöfte Järfälla 2025–2027") < earlier_at
    assert index.index("Medborgarlöfte Upplands-Bro 2022–2024") > earlier_at
    assert "Tematräffar: 2 av 10 gjorda" in index
    assert 'href="upplands-bro-2022-2024/index.html"' in index
    # The next promise's page shows the earlier result beside what carries on.
    page = (site / "upplands-bro-2025-2027-demo" / "index.html").read_text(encoding="utf-8")
    assert "I förra löftet (Medborgarlöfte Upplands-Bro 2022–2024): Tematräffar: 2 av 10" in page
    assert "Mobila dialoger: 1 av 5 gjorda" in page  # safety_walk carries on mobile_dialogue
    assert '<a href="../index.html">Alla löften, även de tidigare</a>' in page
    data = json.loads((site / "upplands-bro-2025-2027-demo" / "uppfoljning.json").read_text())
    by_id = {c["id"]: c for c in data["commitments"]}
    assert by_id["theme_meeting"]["earlier"] == {
        "promise": "upplands-bro-2022-2024", "commitment": "theme_meeting",
        "done": 2, "promised": 10,
    }  # fmt: skip
    assert by_id["safety_walk"]["earlier"]["commitment"] == "mobile_dialogue"
    jf = json.loads((site / "jarfalla-2025-2027-demo" / "uppfoljning.json").read_text())
    assert jf["promise"]["municipality"] == JF
    assert [
        c["periods"][0]["done"] for c in jf["commitments"] if c["id"] == "visibility_effort"
    ] == [1]
    assert all("earlier" not in c for c in jf["commitments"])
    # One promise asked for: the page as before, in the folder itself.
    single = tmp_path / "single"
    assert _run(several, "report", "--site", str(single), "--promise",
                "jarfalla-2025-2027-demo", "--today", "2025-03-12") == 0  # fmt: skip
    assert sorted(p.name for p in single.iterdir()) == [
        "index.html", "uppfoljning.csv", "uppfoljning.json"
    ]  # fmt: skip


def test_the_sandbox_shows_several_promises(
    monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str], settings: Settings,
    tmp_path: Path,
) -> None:  # fmt: skip
    import argparse
    import io
    import sqlite3

    from bot.sandbox.terminal import sandbox_command

    db = tmp_path / "sandbox.sqlite3"
    args = argparse.Namespace(db=db, now=None, persona="staff", lang="sv", promises="demo")
    monkeypatch.setattr("sys.stdin", io.StringIO("/lage\n:quit\n"))
    assert sandbox_command(args, settings) == 0
    out = capsys.readouterr().out
    assert "12 mars 2025" in out and "[DEMO] Trygghetsvandringar" in out
    with sqlite3.connect(db) as conn:
        per_promise = dict(
            conn.execute("SELECT promise_id, COUNT(*) FROM activities GROUP BY promise_id")
        )
        events = dict(conn.execute("SELECT promise_id, COUNT(*) FROM events GROUP BY promise_id"))
    conn.close()
    # The ended promise has its reports (its final result), each 2025 promise its own.
    assert set(per_promise) == {
        "upplands-bro-2022-2024", "upplands-bro-2025-2027-demo", "jarfalla-2025-2027-demo"
    }  # fmt: skip
    assert set(events) == {"upplands-bro-2025-2027-demo", "jarfalla-2025-2027-demo"}
