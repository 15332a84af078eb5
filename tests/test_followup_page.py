"""The published follow-up as a resident, a journalist and a screen reader meet it: a status
during the promise, a final result after it, the same numbers in the page, the JSON and the
CSV, and an accessibility read of the HTML."""

from __future__ import annotations

import asyncio
import csv
import io
import itertools
import json
import re
import shutil
import subprocess
from datetime import date, datetime
from html.parser import HTMLParser
from pathlib import Path

import numpy as np
import pytest

from bot.cli.followup import write_site
from bot.cli.main import build_parser, resolve
from bot.clock import STOCKHOLM
from bot.domain.followup_view import PeriodFilter
from bot.domain.records import Org
from bot.render.followup import CSV_NAME, JSON_NAME, render
from bot.services.followup import build
from bot.settings import Settings
from storage.activities import NewActivity
from tests.conftest import ADMIN_ID, Harness

RESIDENT = 5200
DURING = date(2023, 12, 31)
AFTER = date(2025, 2, 3)

DATASET = [
    ("theme_meeting", date(2022, 9, 15), "Trygghetscenter", 18, "chat"),
    ("theme_meeting", date(2023, 3, 2), "Trygghetscenter <b>", 30, "chat"),
    ("mobile_dialogue", date(2023, 5, 20), "Kungsängen", 35, "chat"),
    ("visibility_effort", date(2024, 2, 3), "Bro centrum", None, "chat"),
    ("parent_lecture", date(2024, 10, 21), "Upplands-Bro gymnasium", 60, "chat"),
    ("narcotics_operation", date(2023, 6, 12), "HEMLIG-PLATS", None, "chat"),
    ("narcotics_operation", date(2024, 10, 3), "HEMLIG-PLATS", None, "chat"),
    ("senior_fraud_info", date(2023, 4, 4), "SPF Bro", 22, "chat"),
    ("senior_fraud_info", date(2023, 5, 2), None, 40, "tips"),
    ("senior_fraud_info", date(2023, 5, 16), None, 41, "tips"),
    ("senior_fraud_info", date(2023, 9, 1), None, 45, "alert"),
]


async def _load(harness: Harness) -> None:
    now = harness.clock.now()
    await harness.services.activities.add_many(
        [NewActivity(c, d, place=p, count=n, source=s) for c, d, p, n, s in DATASET], now
    )
    # GVI is due 2023-12-31 and reached later: done, but late.
    await harness.services.milestones.confirm("gvi", date(2024, 3, 1), ADMIN_ID, now)


async def _page(harness: Harness, day: date, fmt: str = "html", locale: str = "sv") -> str:
    harness.clock.set(datetime.combine(day, datetime.min.time(), STOCKHOLM).replace(hour=12))
    report = await build(harness.services, locale, PeriodFilter(), today=day)
    return render(report, fmt)


class Page(HTMLParser):
    """Just enough of the page's structure for an accessibility read."""

    def __init__(self, text: str) -> None:
        super().__init__()
        self.starts: list[tuple[str, dict[str, str]]] = []
        self.headings: list[tuple[int, str]] = []
        self.tables: list[dict[str, object]] = []
        self._heading: int | None = None
        self._text: list[str] = []
        self._cell: str | None = None
        self._row: list[str] = []
        self.feed(text)

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        self.starts.append((tag, {k: v or "" for k, v in attrs}))
        if re.fullmatch(r"h[1-6]", tag):
            self._heading, self._text = int(tag[1]), []
        elif tag == "table":
            self.tables.append({"caption": "", "rows": []})
        elif tag in ("caption", "th", "td"):
            self._cell, self._text = tag, []
        elif tag == "tr":
            self._row = []

    def handle_endtag(self, tag: str) -> None:
        text = " ".join("".join(self._text).split())
        if self._heading is not None and tag == f"h{self._heading}":
            self.headings.append((self._heading, text))
            self._heading = None
        elif tag == "caption":
            self.tables[-1]["caption"] = text
            self._cell = None
        elif tag in ("th", "td"):
            self._row.append(text)
            self._cell = None
        elif tag == "tr":
            rows = self.tables[-1]["rows"]
            assert isinstance(rows, list)
            rows.append(self._row)

    def handle_data(self, data: str) -> None:
        if self._heading is not None or self._cell is not None:
            self._text.append(data)

    def all(self, tag: str) -> list[dict[str, str]]:
        return [attrs for t, attrs in self.starts if t == tag]


def _luminance(hex_colour: str) -> float:
    channels = [int(hex_colour[i : i + 2], 16) / 255 for i in (1, 3, 5)]
    linear = [c / 12.92 if c <= 0.03928 else ((c + 0.055) / 1.055) ** 2.4 for c in channels]
    return 0.2126 * linear[0] + 0.7152 * linear[1] + 0.0722 * linear[2]


def _contrast(a: str, b: str) -> float:
    high, low = sorted((_luminance(a), _luminance(b)), reverse=True)
    return (high + 0.05) / (low + 0.05)


def accessibility_problems(text: str) -> list[str]:
    page = Page(text)
    problems = []
    if page.all("html")[0].get("lang") not in ("sv", "en"):
        problems.append("no lang")
    levels = [level for level, _ in page.headings]
    if levels.count(1) != 1 or levels[0] != 1:
        problems.append("one h1, first")
    for before, after in itertools.pairwise(levels):
        if after > before + 1:
            problems.append(f"heading jumps h{before} → h{after}")
    for attrs in page.all("th"):
        if attrs.get("scope") not in ("col", "row"):
            problems.append("th without scope")
    for table in page.tables:
        if not table["caption"]:
            problems.append("table without caption")
    captions = [t["caption"] for t in page.tables]
    titles = {h for _, h in page.headings}
    if any(c in titles for c in captions):
        problems.append("a caption repeats a heading")
    for attrs in page.all("img"):
        if not attrs.get("alt"):
            problems.append("img without alt")
    for attrs in page.all("svg"):
        labelled = attrs.get("aria-labelledby") or attrs.get("aria-label")
        if attrs.get("role") != "img" or not labelled or "viewbox" not in attrs:
            problems.append("svg chart without role, name or viewBox")
    if page.all("svg") and not page.all("figcaption"):
        problems.append("chart without text alternative")
    for tag, attrs in page.starts:  # nothing loaded from elsewhere
        if re.match(r"^(https?:)?//", attrs.get("src", "")):
            problems.append(f"external resource in <{tag}>")
        href = attrs.get("href", "")
        if tag != "a" and href:
            problems.append(f"external resource in <{tag}>")
    style = re.search(r"<style>(.*?)</style>", text, re.S)
    assert style is not None
    colours = set(re.findall(r"(?<![-\w])color:(#[0-9a-fA-F]{6})", style.group(1)))
    backgrounds = {"#ffffff", *re.findall(r"background:(#[0-9a-fA-F]{6})", style.group(1))}
    for fg in colours:
        for bg in backgrounds:
            if _contrast(fg, bg) < 4.5:
                problems.append(f"contrast {fg} on {bg}: {_contrast(fg, bg):.2f}")
    if "<script" in text or "@import" in text:
        problems.append("scripts or imports")
    return problems


OVERVIEW_CAPTION = "Alla åtaganden, vart och ett i sin egen period"


def _overview(page: Page) -> list[list[str]]:
    """The overview table's rows, without its header row."""
    [table] = [t for t in page.tables if t["caption"] == OVERVIEW_CAPTION]
    rows = table["rows"]
    assert isinstance(rows, list)
    return rows[1:]


def _rows(page: Page) -> dict[str, list[list[str]]]:
    """Table rows (without the header row) per section heading."""
    out: dict[str, list[list[str]]] = {}
    headings = [h for level, h in page.headings if level == 2]
    tables = iter(t for t in page.tables if t["caption"] != OVERVIEW_CAPTION)
    for heading in headings:
        out[heading] = []
    # Tables appear in the order of the commitments' sections (the overview's is left out).
    commitments = [h for h in headings if h not in ("Slutresultat", "Översikt")]
    for heading, table in zip(commitments, tables, strict=False):
        rows = table["rows"]
        assert isinstance(rows, list)
        out[heading] = rows[1:]
    return out


async def test_during_the_promise_the_page_is_a_status(harness: Harness) -> None:
    await _load(harness)
    text = await _page(harness, DURING)
    assert accessibility_problems(text) == []
    page = Page(text)
    assert page.headings[0] == (1, "Uppföljning av medborgarlöftet")
    assert "Läget den 31 december 2023. Löftet gäller från 1 juli 2022" in text
    assert "Slutresultat" not in text and "avslutat" not in text
    assert "Uppgifterna hämtades söndag 31 december 2023 kl. 12:00 (svensk tid)." in text
    h2 = [h for level, h in page.headings if level == 2]
    assert h2[0] == "Översikt" and h2[-3:] == ["Så räknar vi", "Antaganden", "Om sidan"]
    # The chart of a running promise: each commitment in the period running now for it.
    assert "Utlovat och gjort, läget den 31 december 2023" in text
    assert "Tematräffar (HT 2023) 0 av 2" in text and "Synlighetsinsatser (2023) 0 av 6" in text


async def test_after_the_end_the_page_is_the_final_result(harness: Harness) -> None:
    await _load(harness)
    text = await _page(harness, AFTER)
    assert accessibility_problems(text) == []
    page = Page(text)
    assert page.headings[0] == (1, "Uppföljning av medborgarlöftet – slutresultat")
    assert "Löftet gällde från 1 juli 2022 till 31 december 2024 och är avslutat." in text
    assert "nuvarande period" not in text and "Läget den" not in text
    assert "Slutresultat 2022–2024: utlovat och gjort" in text
    # The whole promise in one sentence per commitment.
    assert "<li>Tematräffar: 2 av 10 gjorda; målet nåddes i 0 av 5 perioder</li>" in text
    assert "<li>GVI: klart, försenat</li>" in text
    assert "<li>Bedrägeriinfo till seniorer: 4 insatser, 148 personer nådda</li>" in text
    rows = _rows(page)
    # Only periods inside the window; the school year cut by the end is prorated and says so.
    lectures = rows["Föreläsning för föräldrar om narkotika, unga och brott"]
    assert [r[0] for r in lectures] == [
        "läsår 2022/23",
        "läsår 2023/24",
        "läsår 2024/25 (bara 1 juli–31 dec. 2024)",
    ]
    assert lectures[-1][1:] == ["1", "1", "klart"]
    themes = rows["Tematräffar på Trygghetscenter i Bro"]
    assert themes[-1][0] == "hösttermin 2024" and themes[-1][3] == "missat"
    assert all("2025" not in r[0] for table in rows.values() for r in table)
    # A milestone reached after its date is done, and late.
    assert rows["Införa GVI tillsammans med Kriminalvården"] == [
        ["31 december 2023", "klart, försenat"]
    ]


async def test_page_json_and_csv_carry_the_same_numbers(harness: Harness) -> None:
    await _load(harness)
    text = await _page(harness, AFTER)
    data = json.loads(await _page(harness, AFTER, "json"))
    table = list(csv.DictReader(io.StringIO(await _page(harness, AFTER, "csv"))))
    rows = _rows(Page(text))
    assert data["promise"]["ended"] is True and data["promise"]["window"]["start"] == "2022-07-01"
    assert data["generated_at"].startswith("2025-02-03T12:00:00+01:00")
    words = {
        "done": "klart",
        "missed": "missat",
        "on_track": "i fas",
        "behind": "efter",
        "open": "pågår",
        "tracked": "räknas",
    }
    assert len(table) == sum(len(c["periods"]) for c in data["commitments"])
    for commitment in data["commitments"]:
        assert set(commitment) >= {"id", "title", "cadence", "target", "periods"}
        shown = rows[commitment["title"]]
        assert len(shown) == len(commitment["periods"])
        for period, cells in zip(commitment["periods"], shown, strict=True):
            assert set(period) >= {"label", "start", "end", "target", "done", "state", "late"}
            assert cells[0] == period["label"]
            if commitment["cadence"] == "milestone":
                word = "klart, försenat" if period["late"] else words[period["state"]]
                assert cells[1] == word
            elif commitment["cadence"] == "tracked":
                detail = period["done_detail"]
                keys = ("tip_rounds", "alerts", "meetings", "people_reached")
                assert cells[1:] == [str(detail[k]) for k in keys]
            else:
                assert cells[1:] == [
                    str(period["target"]),
                    str(period["done"]),
                    words[period["state"]],
                ]
    by_id = {c["id"]: c for c in data["commitments"]}
    assert by_id["gvi"]["periods"][0]["late"] is True
    assert by_id["gvi"]["periods"][0]["state"] == "done"
    # Count-only: counts and states only, nothing about when it was last touched.
    narcotics = by_id["narcotics_operation"]
    assert "last_updated" not in narcotics and narcotics["periods"][0]["done"] == 2
    assert by_id["theme_meeting"]["last_updated"] == "2024-03-12T10:00:00+01:00"  # reported
    csv_gvi = [r for r in table if r["commitment"] == "gvi"]
    assert csv_gvi[0]["late"] == "true" and csv_gvi[0]["state"] == "done"


async def test_fraud_information_shows_what_was_done(harness: Harness) -> None:
    await _load(harness)
    rows = _rows(Page(await _page(harness, AFTER)))
    fraud = rows["Information till seniorer om bedrägerier"]
    # period, tip rounds, alerts, meetings, people reached
    assert ["2023", "2", "1", "1", str(22 + 40 + 41 + 45)] in fraud
    assert "räknas" not in [cell for row in fraud for cell in row]


async def test_public_page_and_data_hide_count_only_details_and_escape_staff_text(
    harness: Harness,
) -> None:
    await _load(harness)
    for fmt in ("html", "md", "csv", "json"):
        text = await _page(harness, AFTER, fmt)
        assert "HEMLIG" not in text, fmt
        assert "12 juni 2023" not in text and "2023-06-12" not in text, fmt
    html_text = await _page(harness, AFTER)
    assert "Trygghetscenter &lt;b&gt;" in html_text and "Trygghetscenter <b>" not in html_text
    assert "Trygghetscenter \\<b\\>" in await _page(harness, AFTER, "md")


async def test_bot_and_page_agree_on_count_only(harness: Harness) -> None:
    """Residents see a count-only commitment the same way in /progress and on the page."""
    await _load(harness)
    text = await _page(harness, date(2024, 11, 20))
    narcotics = _rows(Page(text))["Planerade narkotikainsatser med Härnevimottagningen"]
    assert narcotics == [["hela löftet 2022–2024", "4", "2", "efter"]]
    await harness.say(RESIDENT, "/hurgardet")
    assert (
        "Narkotikainsatser: 2 av 4 under hela löftet – 🔴 efter" in harness.tg.last(RESIDENT).text
    )


async def test_staff_status_uses_the_same_state_words(harness: Harness) -> None:
    """Staff /status and the page say the same: a late milestone is "klart, försenat"."""
    await _load(harness)
    now = harness.clock.now()
    await harness.services.staff.upsert(7001, Org.POLICE, "Pia Polis", now, None)
    harness.clock.set(datetime(2024, 3, 12, 10, 0, tzinfo=STOCKHOLM))
    await harness.say(7001, "/status")
    text = harness.tg.last(7001).text
    assert "GVI · klart senast 31 dec. 2023: ✅ klart, försenat" in text
    page = Page(await _page(harness, date(2024, 3, 12)))
    assert _rows(page)["Införa GVI tillsammans med Kriminalvården"][0][1] == "klart, försenat"


async def test_site_folder_has_the_page_and_linked_open_data(
    harness: Harness, tmp_path: Path
) -> None:
    await _load(harness)
    harness.clock.set(datetime(2025, 2, 3, 12, 0, tzinfo=STOCKHOLM))
    report = await build(harness.services, "sv", PeriodFilter())
    written = write_site(report, tmp_path / "site")
    assert sorted(p.name for p in written) == sorted(["index.html", JSON_NAME, CSV_NAME])
    index = (tmp_path / "site" / "index.html").read_text(encoding="utf-8")
    links = {a.get("href") for a in Page(index).all("a")}
    assert {JSON_NAME, CSV_NAME} <= links
    assert any(str(h).startswith("https://polisen.se/") for h in links)  # the promise itself
    assert json.loads((tmp_path / "site" / JSON_NAME).read_text(encoding="utf-8"))
    # As a single file (/publish) the data travels inside the page.
    single = render(report, "html")
    assert 'download="uppfoljning.json"' in single and 'href="data:application/json' in single


async def test_page_is_honest_about_who_and_how(harness: Harness) -> None:
    text = await _page(harness, DURING)
    assert "Publiceras av Upplands-Bro kommun och Lokalpolisområde Järfälla/Upplands-Bro." in text
    assert "08-581 690 00" in text
    assert "Vi räknar från 1 juli 2022." in text  # the assumed start date
    assert "VT betyder vårtermin" in text and "läsår" in text
    assert "aldrig datum, platser eller planer" in text  # what count-only means and why
    english = await _page(harness, DURING, locale="en")
    assert "How we count" in english and "We count from 1 July 2022." in english


CHROMIUM = shutil.which("chromium") or "/usr/bin/chromium"


@pytest.mark.slow
@pytest.mark.skipif(not Path(CHROMIUM).exists(), reason="needs Debian's chromium")
async def test_screenshots_at_phone_and_desktop_width(harness: Harness, tmp_path: Path) -> None:
    """Screenshots for a person to look at (in the test's tmp folder, or ``out/`` when it
    exists): the status and the final page at 390 px and 1,000 px, each checked for what it
    shows: the page fits the width with a margin on both sides (centred on the desktop), it
    has text, and every bar of the chart is filled as far as its caption's "done of
    promised" says."""
    await _load(harness)
    target = _output_dir(tmp_path)
    for name, day in (("status", DURING), ("final", AFTER)):
        page = tmp_path / f"{name}.html"
        html = await _page(harness, day)
        page.write_text(html, encoding="utf-8")
        [caption] = re.findall(r"<figcaption>(.*?)</figcaption>", html, re.S)
        shown = [
            min(int(done) / int(of), 1.0) for done, of in re.findall(r"(\d+) av (\d+)", caption)
        ]
        assert len(shown) >= 3, caption
        for width in (390, 1000):
            shot = target / f"followup-{name}-{width}.png"
            await asyncio.to_thread(_screenshot, page, shot, width)
            _check_screenshot(shot, width, shown)


# The colours the shot is read by: the page's background and text (page.css.j2), a bar's
# promised track and its done part (bot/render/chart.py).
WHITE, INK = (255, 255, 255), (26, 26, 26)
PROMISED, DONE = (0xC9, 0xD7, 0xE8), (0x0B, 0x53, 0x94)


def _check_screenshot(shot: Path, width: int, fractions: list[float]) -> None:
    from PIL import Image, ImageChops  # matplotlib's dependency; only this test reads images

    with Image.open(shot) as opened:
        image = opened.convert("RGB")
    assert image.size == (width, 2400), image.size  # the window, not an error page's size
    left, top, right, _bottom = ImageChops.difference(
        image, Image.new("RGB", image.size, WHITE)
    ).getbbox() or (0, 0, 0, 0)
    # Nothing runs off either edge (a table too wide for a phone would touch the right one),
    # and on the desktop the column stands in the middle.
    assert left >= 8 and width - right >= 8, (shot.name, left, right)
    if width == 1000:
        assert abs(left - (width - right)) <= 4, (shot.name, left, right)
    assert top < 60, (shot.name, top)  # the heading at the top, not a blank page
    pixels = np.asarray(image)

    def per_row(colour: tuple[int, int, int]) -> list[int]:
        return [int(n) for n in (pixels == colour).all(axis=2).sum(axis=1)]

    ink = sum(per_row(INK))
    assert ink > width * 2400 * 0.005, (shot.name, ink)  # text, not just boxes
    # The chart's bars: the rows where the promised track and the done part span more than a
    # legend's swatch, in groups of rows close together, one group a bar, top down.
    bars: list[tuple[int, int]] = []
    previous = -5
    for y, (done, promised) in enumerate(zip(per_row(DONE), per_row(PROMISED), strict=True)):
        if done + promised < 0.4 * min(width, 416) or promised == 0:
            continue  # not a bar (a heading's rule is the done colour alone)
        if y <= previous + 4:  # the same bar (the done part's softened edge breaks a row)
            # The done part is a thinner bar inside the track: read the row through it.
            bars[-1] = max(bars[-1], (done, promised))
        else:
            bars.append((done, promised))
        previous = y
    filled = [done / (done + promised) for done, promised in bars]
    assert len(filled) == len(fractions), (shot.name, filled, fractions)
    for got, expected in zip(filled, fractions, strict=True):
        assert abs(got - expected) < 0.03, (shot.name, filled, fractions)


def _output_dir(tmp_path: Path) -> Path:
    return Path("out") if Path("out").is_dir() else tmp_path


def _screenshot(page: Path, shot: Path, width: int) -> None:
    subprocess.run(
        [
            CHROMIUM,
            "--headless",
            "--no-sandbox",
            "--disable-gpu",
            "--disable-background-networking",
            "--disable-component-update",
            "--disable-sync",
            "--no-first-run",
            "--hide-scrollbars",
            f"--window-size={width},2400",
            f"--screenshot={shot}",
            page.as_uri(),
        ],
        check=True,
        capture_output=True,
        timeout=60,
    )


async def test_demo_data_stays_marked_on_the_page(harness: Harness) -> None:
    now = harness.clock.now()
    await harness.services.activities.add(
        NewActivity(
            "theme_meeting",
            date(2024, 3, 1),
            "Trygghetscenter",
            20,
            "[DEMO] Exempelrapport.",
            source="chat",
        ),
        now,
    )
    for fmt in ("html", "md"):
        text = await _page(harness, date(2024, 3, 12), fmt)
        assert "[DEMO] Sidan innehåller exempeldata" in text
        assert "[DEMO] 1 mars 2024 – Trygghetscenter" in text


def _report_cli(settings: Settings, *argv: str) -> int:
    args = build_parser().parse_args(["report", *argv])
    return resolve(args.command)(args, settings)


def test_report_command_writes_json_and_a_site(
    settings: Settings, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    data_file = tmp_path / "a.csv"
    data_file.write_text(
        "commitment,date,place,count,description\ntheme_meeting,2023-03-02,Trygghetscenter,9,\n",
        "utf-8",
    )
    assert (
        resolve("import-activities")(
            build_parser().parse_args(["import-activities", str(data_file)]), settings
        )
        == 0
    )
    capsys.readouterr()
    assert _report_cli(settings, "--format", "json", "--today", "2025-01-15") == 0
    data = json.loads(capsys.readouterr().out)
    assert set(data) == {"promise", "generated_at", "commitments", "voice"}
    assert data["voice"]["total"] == 0 and data["voice"]["groups"] == []
    assert data["promise"]["ended"] is True and data["promise"]["no_reports_yet"] is False
    assert [c["id"] for c in data["commitments"]][:2] == ["gvi", "mobile_dialogue"]
    assert _report_cli(settings, "--site", str(tmp_path / "site"), "--today", "2024-03-12") == 0
    assert sorted(p.name for p in (tmp_path / "site").iterdir()) == sorted(
        ["index.html", JSON_NAME, CSV_NAME]
    )


def test_report_without_a_database_says_where_it_looked(
    settings: Settings, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    """Run from the wrong folder, or with TRYGGHETSBOT_DB unset: no page from a new database."""
    assert _report_cli(settings, "--site", str(tmp_path / "site")) == 3
    err = capsys.readouterr().err
    assert f"No database at {settings.db_path}" in err and "TRYGGHETSBOT_DB" in err
    assert not settings.db_path.exists() and not (tmp_path / "site").exists()


@pytest.mark.parametrize("today", ["2024-03-12", "2025-01-15"])
def test_an_empty_database_publishes_no_verdict(
    settings: Settings, tmp_path: Path, capsys: pytest.CaptureFixture[str], today: str
) -> None:
    """A fresh install, during the promise or after it: the page says plainly that nothing is
    registered yet; no "missat", no chart of zeros, no "slutresultat"."""
    from storage.db import Database

    async def create() -> None:
        async with Database(settings.db_path):
            pass

    asyncio.run(create())
    site = tmp_path / "site"
    assert _report_cli(settings, "--site", str(site), "--today", today) == 0
    assert "No reports are registered" in capsys.readouterr().err
    page = (site / "index.html").read_text("utf-8")
    assert "Inga rapporter är registrerade ännu, så sidan visar inga resultat." in page
    assert accessibility_problems(page) == []
    # No state anywhere but in "Så räknar vi", which explains the words.
    results = page[: page.index('<section aria-labelledby="how">')]
    for verdict in ("missat", "efter", "i fas", "klart", "Slutresultat", "slutresultat", "<svg"):
        assert verdict not in results, verdict
    assert "slutresultat" not in page
    # Every commitment is still named, with what was promised.
    assert "Tematräffar på Trygghetscenter i Bro" in page and "Införa GVI" in page
    data = json.loads((site / JSON_NAME).read_text("utf-8"))
    assert data["promise"]["no_reports_yet"] is True
    assert all(c["periods"] == [] for c in data["commitments"])
    assert (site / CSV_NAME).read_text("utf-8").count("\n") == 1  # the header only
    assert _report_cli(settings, "--format", "md", "--today", today) == 0
    md = capsys.readouterr().out
    assert "**Inga rapporter är registrerade ännu" in md
    assert "missat" not in md[: md.index("## Så räknar vi")]


async def test_the_overview_gives_every_commitment_in_its_own_period(harness: Harness) -> None:
    """Mid-promise: every commitment, the two milestones included, with its state word and its
    own period (a term, a year, a school year, the whole promise, a milestone's date)."""
    await _load(harness)
    page = Page(await _page(harness, date(2024, 3, 12)))
    assert _overview(page) == [
        ["GVI", "senast 31 dec. 2023", "–", "klart, försenat"],
        ["Mobila dialoger", "VT 2024", "0 av 1", "i fas"],
        ["Tematräffar", "VT 2024", "0 av 2", "i fas"],
        ["Modell för ungas tillit", "senast 31 dec. 2022", "–", "missat"],
        ["Narkotikainsatser", "2022–2024", "1 av 4", "efter"],
        ["Föräldraföreläsningar", "läsår 23/24", "0 av 1", "i fas"],
        ["Synlighetsinsatser", "2024", "1 av 6", "i fas"],
        ["Bedrägeriinfo till seniorer", "2024", "0", "räknas"],
    ]


def _bar_widths(svg: str, colour: str) -> list[float]:
    """Widths of the chart's bars of one colour, top to bottom."""
    widths = []
    for d in re.findall(rf'<path d="([^"]+)"[^>]*style="fill: {colour}"', svg):
        xs = [float(x) for x in re.findall(r"([\d.]+) [\d.]+", d)]
        widths.append(max(xs) - min(xs))
    return widths


def test_bars_show_the_share_of_the_target_not_the_count() -> None:
    """A finished 1 of 1 is as long as a finished 6 of 6; a half-done 3 of 6 is half."""
    from bot.render.chart import DONE_COLOUR, TARGET_COLOUR, Bar, render_chart

    bars = [Bar("a", 1, 1), Bar("b", 3, 6), Bar("c", 6, 6), Bar("d", 9, 6)]
    svg = render_chart(bars, "t", "Gjort", "Utlovat", "svg").decode("utf-8")
    targets = _bar_widths(svg, TARGET_COLOUR)[:4]  # the fifth is the legend's
    done = _bar_widths(svg, DONE_COLOUR)[:4]
    assert len(set(targets)) == 1
    full = targets[0]
    assert done == pytest.approx([full, full / 2, full, full])


async def test_progress_in_chat_after_the_end_is_the_final_result(harness: Harness) -> None:
    await _load(harness)
    harness.clock.set(datetime(2025, 2, 3, 12, 0, tzinfo=STOCKHOLM))
    await harness.say(RESIDENT, "/hurgardet")
    photo = [c for c in harness.tg.calls if c.method == "sendPhoto"][-1]
    assert photo.params["caption"].startswith("Slutresultat 2022–2024: utlovat och gjort:")
    assert "Tematräffar 2 av 10" in photo.params["caption"]
    text = harness.tg.last(RESIDENT).text
    assert text.startswith("Löftet tog slut 31 december 2024. Slutresultat:")
    assert "GVI: ✅ klart, försenat" in text


async def test_staff_text_is_escaped_on_the_page(harness: Harness) -> None:
    """A place or description typed by staff is text, never markup: the HTML template's
    autoescape escapes it, the Markdown page escapes it with backslashes."""
    now = harness.clock.now()
    await harness.services.activities.add(
        NewActivity(
            "theme_meeting",
            date(2024, 3, 1),
            "<script>alert(1)</script> & Bro",
            20,
            "<script>alert(2)</script> & more",
            source="chat",
        ),
        now,
    )
    text = await _page(harness, date(2024, 3, 12))
    assert "1 mars 2024 – &lt;script&gt;alert(1)&lt;/script&gt; &amp; Bro</li>" in text
    assert "<script" not in text and "alert(2)" not in text  # the description is not shown
    assert accessibility_problems(text) == []
    md = await _page(harness, date(2024, 3, 12), "md")
    assert "- 1 mars 2024 – \\<script\\>alert(1)\\</script\\> & Bro\n" in md


@pytest.mark.parametrize("locale", ["fi", "ar", "fa", "so", "pl"])
async def test_the_page_in_a_residents_language(harness: Harness, locale: str) -> None:
    """The page speaks the reader's language through the same catalogue as the bot, with
    the language and its direction on the root element (right to left for Arabic and
    Persian), and keeps its structure: one h1, scoped header cells, captions, the chart's
    caption."""
    await _load(harness)
    text = await _page(harness, DURING, locale=locale)
    tr = harness.services.translator(locale)
    page = Page(text)
    root = page.all("html")[0]
    assert root["lang"] == locale
    assert root["dir"] == ("rtl" if locale in ("ar", "fa") else "ltr")
    title = tr.gettext("Follow-up of the citizen promise")
    assert title != "Follow-up of the citizen promise"
    assert page.headings[0] == (1, " ".join(title.split()))
    h2 = [h for level, h in page.headings if level == 2]
    assert " ".join(tr.gettext("How we count").split()) in h2
    assert all(attrs.get("scope") in ("col", "row") for attrs in page.all("th"))
    assert page.tables and all(t["caption"] for t in page.tables)
    assert page.all("figcaption")
    assert not re.search(r"\{[a-z_]+\}", text)  # no placeholder left unformatted


def test_the_presenter_only_renders() -> None:
    """bot/render/followup.py imports neither services nor storage (the follow-up service
    builds the data), and builds no HTML in Python strings (the templates do)."""
    import ast

    import bot.render.followup as presenter

    tree = ast.parse(Path(presenter.__file__).read_text("utf-8"))
    imported = [
        node.module for node in ast.walk(tree) if isinstance(node, ast.ImportFrom) and node.module
    ] + [a.name for node in ast.walk(tree) if isinstance(node, ast.Import) for a in node.names]
    assert not [m for m in imported if m.startswith(("bot.services", "storage"))]
    strings = [
        node.value
        for node in ast.walk(tree)
        if isinstance(node, ast.Constant) and isinstance(node.value, str)
    ]
    assert not [s for s in strings if re.search(r"</?[a-zA-Z]", s)]
