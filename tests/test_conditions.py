"""The promise's conditions, counted honestly (issue 21, items 3 and 4): the conditions are
data in the promise file, a one-liner says them, a report that does not meet them is saved
and shown as not counting (with the reason) on /status, /progress, the page and in the open
data; unknown counts and is shown as unknown; imports take condition columns."""

from __future__ import annotations

import json
import sqlite3
import tomllib
from datetime import date, datetime, timedelta
from pathlib import Path

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from bot.cli.main import build_parser, resolve
from bot.cli.promise_check import check_promise
from bot.clock import STOCKHOLM
from bot.domain.conditions import (
    Status,
    combine,
    decode,
    encode,
    from_reporter,
    planned_from_event,
    still_unknown,
    tally,
    verdict,
)
from bot.domain.followup_view import PeriodFilter
from bot.domain.promise import Promise, PromiseError, load_promise, parse_promise
from bot.domain.records import Org
from bot.domain.views import Draft
from bot.i18n import translator
from bot.language.report_parser import parse_report, read_conditions
from bot.render.conditions import condition_labels, verdict_lines
from bot.services.followup import render_report
from bot.settings import Settings as BotSettings
from storage.activities import NewActivity
from storage.db import Database, bundled_migrations
from tests.conftest import Harness

POLICE = 7101
MUNI = 7102
RESIDENT = 5101
TODAY = date(2024, 3, 12)
MET, NOT_MET, UNKNOWN = Status.MET, Status.NOT_MET, Status.UNKNOWN


@pytest.fixture(scope="module")
def bundled() -> Promise:
    return load_promise()


# --- the promise file ------------------------------------------------------------------------


def test_the_bundled_promise_gives_the_seeds_conditions(bundled: Promise) -> None:
    def ids(cid: str) -> list[str]:
        return [c.id for c in bundled.commitment(cid).conditions]

    assert ids("visibility_effort") == ["planned", "police", "municipality", "civil_society"]
    assert ids("narcotics_operation") == ["planned", "police", "harnevi"]
    assert ids("theme_meeting") == ["trygghetscenter"]
    assert ids("parent_lecture") == ["parents", "focus"]
    assert ids("mobile_dialogue") == [] and ids("senior_fraud_info") == []
    civil = bundled.commitment("visibility_effort").condition("civil_society")
    assert civil is not None and civil.seed is not None and "civilsamhället" in civil.seed


def test_the_template_documents_conditions_and_is_valid() -> None:
    text = (Path(__file__).parent.parent / "bot" / "promises" / "template.toml").read_text(
        encoding="utf-8"
    )
    template = parse_promise(text, "template.toml")
    assert any(c.conditions for c in template.commitments)
    assert "[[commitments.conditions]]" in text and "not_met" in text


# A small valid promise with one counted commitment, to which a test adds a condition.
_BASE = """
id = "t"
municipality = "K"
police_area = "P"
name = { sv = "T", en = "T" }
summary = { sv = "T", en = "T" }
window = { start = 2025-01-01, end = 2025-12-31 }
[[commitments]]
id = "walk"
cadence = "year"
target = 2
owner = "both"
visibility = "public"
title = { sv = "W", en = "W" }
short = { sv = "W", en = "W" }
description = { sv = "W", en = "W" }
"""
_CONDITION = """
[[commitments.conditions]]
id = "partner"
label = { sv = "Partner", en = "Partner" }
met = { sv = "med partnern", en = "with the partner" }
not_met = { sv = "partnern var inte med", en = "the partner was not there" }
"""


def test_a_small_promise_with_a_condition_is_valid() -> None:
    promise = parse_promise(_BASE + _CONDITION + 'kind = "with"\nwords = { sv = ["partner*"] }\n')
    [condition] = promise.commitment("walk").conditions
    assert condition.words.sv == ("partner*",)


@pytest.mark.parametrize(
    ("bad", "says"),
    [
        ('kind = "somewhere"', "kind"),
        ('kind = "with"', "needs `words`"),
        ('kind = "with"\nwords = { sv = ["x"] }\nid2 = "x"', "id2"),
        ('kind = "with"\norg = "church"', "org"),
    ],
)
def test_check_promise_refuses_a_bad_condition(tmp_path: Path, bad: str, says: str) -> None:
    path = tmp_path / "p.toml"
    path.write_text(_BASE + _CONDITION + bad + "\n", encoding="utf-8")
    code, text = check_promise(path)
    assert code == 1
    assert says in text
    assert "commitments['walk']" in text  # names the commitment


def test_check_promise_refuses_twice_the_same_condition_and_one_on_a_milestone(
    tmp_path: Path,
) -> None:
    block = _CONDITION + 'kind = "planned"\n'
    path = tmp_path / "twice.toml"
    path.write_text(_BASE + block + block, encoding="utf-8")
    code, text = check_promise(path)
    assert code == 1 and "duplicate condition id 'partner'" in text
    milestone = _BASE.replace(
        'cadence = "year"\ntarget = 2', 'cadence = "milestone"\ndue = 2025-06-30'
    )
    path.write_text(milestone + block, encoding="utf-8")
    code, text = check_promise(path)
    assert code == 1 and "milestone has no reports" in text
    with pytest.raises(PromiseError):
        parse_promise(milestone + block)


def test_check_promise_lists_the_conditions_and_their_import_columns() -> None:
    code, text = check_promise(None)
    assert code == 0
    assert "condition civil_society (with): Civil society" in text
    assert "condition_civil_society" in text


# --- the rule --------------------------------------------------------------------------------


def test_not_met_does_not_count_unknown_does(bundled: Promise) -> None:
    vis = bundled.commitment("visibility_effort")
    assert verdict(vis, {}).counts and not verdict(vis, {}).all_met
    everything = {c.id: MET for c in vis.conditions}
    assert verdict(vis, everything).all_met
    without = {**everything, "civil_society": NOT_MET}
    v = verdict(vis, without)
    assert not v.counts and [c.id for c in v.not_met] == ["civil_society"]
    assert [c.id for c in still_unknown(vis, {"police": MET})] == [
        "planned",
        "municipality",
        "civil_society",
    ]
    tr = translator("sv")
    assert verdict_lines(tr, vis, v) == [
        "Sparad, men den räknas inte mot målet: civilsamhället var inte på plats."
    ]


def test_the_cards_labels_mark_each_condition(bundled: Promise) -> None:
    vis = bundled.commitment("visibility_effort")
    labels = condition_labels(
        translator("sv"), vis, {"police": MET, "municipality": MET, "civil_society": NOT_MET}
    )
    assert [text for _c, text in labels] == [
        "Planerad i förväg ☐",
        "Polisen ✔",
        "Kommunen ✔",
        "Civilsamhället ✖",
    ]
    assert all(len(text) <= 40 for _c, text in labels)


def test_answers_from_the_reporter_an_event_and_storage(bundled: Promise) -> None:
    vis = bundled.commitment("visibility_effort")
    assert from_reporter(vis, "police") == {"police": MET}
    assert from_reporter(vis, "other") == {}
    assert planned_from_event(vis, date(2024, 3, 1), date(2024, 3, 8)) == {"planned": MET}
    assert planned_from_event(vis, date(2024, 3, 8), date(2024, 3, 8)) == {}  # same day
    # A later answer wins, unknown never overwrites.
    assert combine({"police": MET}, {"police": NOT_MET}, {"police": UNKNOWN}) == {"police": NOT_MET}
    assert decode(encode({"police": MET, "planned": UNKNOWN})) == {"police": MET}
    assert encode({}) == "{}"
    assert decode("not json") == {} and decode('{"x": "maybe"}') == {}


def test_tally_counts_met_unknown_and_not_counted(bundled: Promise) -> None:
    vis = bundled.commitment("visibility_effort")
    full = {c.id: MET for c in vis.conditions}
    answered = [(full, 1), ({**full, "civil_society": NOT_MET}, 1), ({"police": MET}, 1)]
    # 4 count: the full one, the police-only one and 2 without answers; 1 does not count.
    t = tally(vis, 4, answered)
    assert t is not None
    assert (t.counted, t.all_met, t.not_counted, t.unknown) == (4, 1, 1, 3)
    by_id = {c.condition.id: c for c in t.per_condition}
    assert (by_id["police"].met, by_id["police"].unknown) == (2, 2)
    assert by_id["civil_society"].not_met == 1
    assert tally(bundled.commitment("mobile_dialogue"), 3, []) is None


# --- what a one-liner says -------------------------------------------------------------------


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("synlighetsinsats med civilsamhället", {"civil_society": MET}),
        (
            "synlighet tillsammans med kommunen och föreningar",
            {"municipality": MET, "civil_society": MET},
        ),
        ("visibility patrol with the church", {"civil_society": MET}),
        ("synlighetsinsats, planerad, med polis", {"planned": MET, "police": MET}),
        ("synlighetsinsats utan civilsamhället", {"civil_society": NOT_MET}),
        (
            "synlighet polis och kommun var med men inte föreningarna",
            {"police": MET, "municipality": MET, "civil_society": NOT_MET},
        ),
        ("synlighetsinsats, oplanerad", {"planned": NOT_MET}),
        (
            "visibility effort without civil society, unplanned",
            {"civil_society": NOT_MET, "planned": NOT_MET},
        ),
        ("synlighetsinsats bro centrum fre 18-21, ca 40 personer", {}),
        ("narkotikainsats, Härnevi var med", {"harnevi": MET}),
        ("narkotikainsats, härnevi var inte med", {"harnevi": NOT_MET}),
        ("narkotikainsats i förväg planerad med polisen", {"planned": MET, "police": MET}),
        ("tematräff på Trygghetscentret", {"trygghetscenter": MET}),
        ("föräldraföreläsning om narkotika och gäng", {"parents": MET, "focus": MET}),
    ],
)
def test_a_one_liner_says_its_conditions(
    bundled: Promise, text: str, expected: dict[str, Status]
) -> None:
    parsed = parse_report(text, bundled, TODAY)
    assert parsed.commitment is not None
    assert dict(parsed.conditions) == expected
    assert parsed.to_json()["conditions"] == {k: v.value for k, v in expected.items()}
    # The same reading for a kind chosen later on the card.
    assert read_conditions(text, bundled.commitment(parsed.commitment)) == expected


# --- storage ---------------------------------------------------------------------------------


async def test_reports_saved_before_the_migration_are_unknown(tmp_path: Path) -> None:
    path = tmp_path / "old.sqlite3"
    before = [m for m in bundled_migrations() if m.version < 8]
    async with Database(path, before) as db:
        await db.execute(
            "INSERT INTO activities (commitment, date, description, created_at, updated_at) "
            "VALUES ('visibility_effort', '2024-03-01', 'old', '2024-03-01T10:00:00+00:00', "
            "'2024-03-01T10:00:00+00:00')"
        )
    async with Database(path) as db:
        from storage.activities import ActivityRepo

        repo = ActivityRepo(db)
        [old] = await repo.all_counted()
        assert old.conditions == {}  # unknown, never met
        assert await repo.answered() == {}
        assert await repo.counted_dates() == {"visibility_effort": [date(2024, 3, 1)]}
        now = datetime(2024, 3, 12, 9, tzinfo=STOCKHOLM)
        assert await repo.set_conditions(old.id, {"civil_society": NOT_MET}, now)
        again = await repo.get(old.id)
        assert again is not None and again.conditions == {"civil_society": NOT_MET}
    raw = sqlite3.connect(path)
    assert raw.execute("SELECT conditions FROM activities").fetchone()[0] == (
        '{"civil_society":"not_met"}'
    )
    raw.close()


# --- a visibility effort without civil society, through the service -------------------------


async def _staff(h: Harness) -> None:
    now = h.clock.now()
    await h.services.staff.upsert(POLICE, Org.POLICE, "Pia Polis", now, None)
    await h.services.staff.upsert(MUNI, Org.MUNICIPALITY, "Kim Kommun", now, None)


async def test_a_visibility_effort_without_civil_society_is_saved_and_does_not_count(
    harness: Harness,
) -> None:
    h = harness
    await _staff(h)
    features = h.app.bot_data.features
    actor = await features.people.actor(POLICE, POLICE, "sv")
    text = "synlighetsinsats bro centrum igår med polis och kommun, utan civilsamhället"
    draft = features.reporting.read(text)
    assert draft is not None and draft.commitment == "visibility_effort"
    saved = await features.reporting.save(actor, draft)
    answers = features.conditions.read("visibility_effort", text, actor.org)
    assert answers == {"police": MET, "municipality": MET, "civil_society": NOT_MET}
    saved = await features.conditions.answer(actor, saved.id, answers)
    assert saved.conditions == answers
    v = features.conditions.verdict(saved)
    assert v is not None and not v.counts
    # A second one with every condition met, and an old-style one nobody answered.
    other = await features.reporting.save(
        actor, Draft("visibility_effort", TODAY - timedelta(days=3), place="Bro centrum")
    )
    await features.conditions.answer(
        actor,
        other.id,
        {"planned": MET, "police": MET, "municipality": MET, "civil_society": MET},
    )
    await h.services.activities.add(
        NewActivity("visibility_effort", TODAY - timedelta(days=5)), h.clock.now()
    )

    # /status (/lage): 2 count, not 3; the reason is given.
    await h.say(POLICE, "/lage")
    status = h.tg.last(POLICE).text
    assert "Synlighetsinsatser · 2024: 2+0 av 6" in status
    assert "varav 1 uppfyllde alla villkor" in status
    assert "1 med civilsamhället på plats" in status
    assert "1 med ett villkor som inte är angivet" in status
    assert "1 rapport räknas inte: civilsamhället var inte på plats" in status
    await h.press(POLICE, "st:show:visibility_effort")
    detail = h.tg.last(POLICE).text
    assert "11 mars 2024 – Bro centrum – räknas inte: civilsamhället var inte på plats" in detail

    # /progress for a resident says the same.
    await h.say(RESIDENT, "/progress")
    progress = h.tg.last(RESIDENT).text
    assert "Synlighetsinsatser: 2 av 6 i år" in progress
    assert "1 rapport räknas inte: civilsamhället var inte på plats" in progress

    # The page says plainly that it does not count; the JSON carries the counts.
    page = await render_report(h.services, "html", "sv", PeriodFilter.parse("2024"))
    assert "Villkor i löftet: Planerad i förväg, Polisen, Kommunen, Civilsamhället" in page
    assert "2024: 2 av 6 räknas" in page
    assert "1 rapport räknas inte: civilsamhället var inte på plats." in page
    # ... and next to the report itself in the list of what was done.
    assert "11 mars 2024 – Bro centrum (räknas inte: civilsamhället var inte på plats)" in page
    data = json.loads(await render_report(h.services, "json", "sv", PeriodFilter.parse("2024")))
    [vis] = [c for c in data["commitments"] if c["id"] == "visibility_effort"]
    [period] = vis["periods"]
    assert period["done"] == 2
    conditions = period["conditions"]
    assert (conditions["counted"], conditions["met_every_condition"]) == (2, 1)
    assert (conditions["some_unknown"], conditions["not_counted"]) == (1, 1)
    civil = next(c for c in conditions["per_condition"] if c["id"] == "civil_society")
    assert (civil["met"], civil["unknown"], civil["not_met"]) == (1, 1, 1)
    assert [c["id"] for c in vis["conditions"]] == [
        "planned",
        "police",
        "municipality",
        "civil_society",
    ]
    # status --json carries the tally too (an added key).
    rows = await features.pace.current()
    [row] = [r for r in rows if r.commitment_id == "visibility_effort"]
    assert row.to_json()["conditions"] == conditions


async def test_a_count_only_commitment_shows_residents_no_breakdown(harness: Harness) -> None:
    h = harness
    await h.services.activities.add(
        NewActivity(
            "narcotics_operation", TODAY - timedelta(days=2), conditions={"harnevi": NOT_MET}
        ),
        h.clock.now(),
    )
    await h.services.activities.add(
        NewActivity("narcotics_operation", TODAY - timedelta(days=1)), h.clock.now()
    )
    data = json.loads(await render_report(h.services, "json", "sv", PeriodFilter()))
    [nar] = [c for c in data["commitments"] if c["id"] == "narcotics_operation"]
    assert "conditions" not in nar
    assert all("conditions" not in p for p in nar["periods"])
    assert sum(p["done"] for p in nar["periods"]) == 1  # the one without Härnevi: not counted
    page = await render_report(h.services, "html", "sv", PeriodFilter())
    assert "Härnevimottagningen var inte med" not in page
    internal = await render_report(h.services, "html", "sv", PeriodFilter(), internal=True)
    assert "Härnevimottagningen var inte med" in internal


async def test_an_event_planned_days_before_was_planned_in_advance(harness: Harness) -> None:
    h = harness
    await _staff(h)
    features = h.app.bot_data.features
    actor = await features.people.actor(MUNI, MUNI, "sv")
    from storage.events import NewEvent

    starts = datetime(2024, 3, 15, 18, 0, tzinfo=STOCKHOLM)
    event = await h.services.events.add(
        NewEvent(
            "visibility_effort",
            "Trygghetsvandring med föreningarna",
            starts,
            starts + timedelta(hours=2),
            "public",
            place="Bro centrum",
            organiser_id=MUNI,
        ),
        h.clock.now(),
    )
    h.clock.set(datetime(2024, 3, 16, 9, 0, tzinfo=STOCKHOLM))
    activity_id = await features.events.record_outcome(actor, event.id, "done")
    assert activity_id is not None
    activity = await h.services.activities.get(activity_id)
    assert activity is not None
    assert activity.conditions == {"planned": MET, "municipality": MET, "civil_society": MET}


# --- import and export -----------------------------------------------------------------------


def _run(argv: list[str], settings: BotSettings) -> int:
    args = build_parser().parse_args(argv)
    return int(resolve(args.command)(args, settings))


def test_an_imported_row_with_condition_columns_counts_like_chat(
    settings: BotSettings, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    data = tmp_path / "vis.csv"
    data.write_text(
        "commitment,date,place,count,description,condition_planned,condition_police,"
        "condition_municipality,condition_civil_society\n"
        "visibility_effort,2024-02-02,Bro centrum,,Kväll,ja,ja,ja,ja\n"
        "visibility_effort,2024-02-09,Bro centrum,,Kväll,met,met,met,not_met\n"
        "visibility_effort,2024-02-16,Bro centrum,,Kväll,yes,,,\n"
        "theme_meeting,2024-02-14,Trygghetscenter,24,,,,,\n",
        encoding="utf-8",
    )
    assert _run(["import-activities", str(data)], settings) == 0
    out = capsys.readouterr().out.splitlines()
    assert out == [
        "Imported 4 activities.",
        "theme_meeting: 1 activity, 1 count (0 met every condition, 1 with a condition not stated)",
        "visibility_effort: 3 activities, 2 count (1 met every condition, "
        "1 with a condition not stated), 1 do not count (civil society was not there)",
    ]
    assert _run(["report", "--format", "json", "--today", "2024-03-12"], settings) == 0
    report = json.loads(capsys.readouterr().out)
    [vis] = [c for c in report["commitments"] if c["id"] == "visibility_effort"]
    period = next(p for p in vis["periods"] if p["start"] == "2024-01-01")
    assert period["done"] == 2
    assert period["conditions"]["met_every_condition"] == 1
    assert period["conditions"]["not_counted"] == 1
    # The export carries the same columns at the end, and reads back.
    out_file = tmp_path / "out.csv"
    assert _run(["export-activities", "--out", str(out_file)], settings) == 0
    lines = out_file.read_text(encoding="utf-8").splitlines()
    header = lines[0].split(",")
    assert header[:5] == ["commitment", "date", "place", "count", "description"]
    civil = header.index("condition_civil_society")
    rows = [line.split(",") for line in lines[1:]]
    assert [r[civil] for r in rows if r[0] == "visibility_effort"] == ["met", "not_met", ""]
    assert [r[header.index("condition_harnevi")] for r in rows] == ["", "", "", ""]


@pytest.mark.parametrize(
    ("header", "row", "says"),
    [
        ("condition_civil_society", "visibility_effort,2024-02-02,,,,kanske", "line 3"),
        ("condition_harnevi", "visibility_effort,2024-02-02,,,,ja", "no condition 'harnevi'"),
        ("condition_weather", "visibility_effort,2024-02-02,,,,ja", "unknown column"),
    ],
)
def test_a_bad_condition_column_is_refused_and_nothing_is_imported(
    settings: BotSettings,
    tmp_path: Path,
    capsys: pytest.CaptureFixture[str],
    header: str,
    row: str,
    says: str,
) -> None:
    data = tmp_path / "bad.csv"
    data.write_text(
        f"commitment,date,place,count,description,{header}\n"
        "theme_meeting,2024-02-14,Trygghetscenter,24,,\n"
        f"{row}\n",
        encoding="utf-8",
    )
    assert _run(["import-activities", str(data)], settings) == 1
    err = capsys.readouterr().err
    assert says in err and "Nothing was imported" in err
    assert _run(["export-activities"], settings) == 0
    assert len(capsys.readouterr().out.strip().splitlines()) == 1  # the header only


@given(st.text(max_size=200))
@settings(max_examples=150, deadline=None)
def test_reading_conditions_never_raises_and_names_only_the_commitments_own(text: str) -> None:
    promise = load_promise()
    for cid in ("visibility_effort", "narcotics_operation", "theme_meeting", "parent_lecture"):
        commitment = promise.commitment(cid)
        found = read_conditions(text, commitment)
        assert set(found) <= {c.id for c in commitment.conditions}
        assert all(status in (MET, NOT_MET) for status in found.values())


def test_no_labelled_report_example_reads_as_not_meeting_a_condition(bundled: Promise) -> None:
    """The labelled one-liners (tests/data/report_examples.toml) never deny a condition:
    a denial needs "utan", "inte", "oplanerad" …, so an ordinary report is never counted
    out by a misreading; and many name one ("med föreningarna", "m härnevi")."""
    examples = tomllib.loads(
        (Path(__file__).parent / "data" / "report_examples.toml").read_text(encoding="utf-8")
    )["example"]
    named = 0
    for example in examples:
        parsed = parse_report(example["text"], bundled, example.get("today", TODAY))
        assert NOT_MET not in dict(parsed.conditions).values(), example["text"]
        named += bool(parsed.conditions)
    assert named >= 20
