from __future__ import annotations

import os
from datetime import date, datetime, timedelta
from pathlib import Path

import pytest

from bot.clock import STOCKHOLM
from bot.domain.followup_view import PeriodFilter
from bot.services.followup import render_report
from bot.services.progress import ProgressService
from storage.activities import NewActivity
from storage.deliveries import OutgoingMessage
from tests.conftest import ADMIN_ID, Harness
from tests.test_followup_page import accessibility_problems

GOLDEN = Path(__file__).parent / "data" / "golden"
RESIDENT = 5100
TODAY = date(2023, 12, 31)

DATASET = [
    ("theme_meeting", date(2022, 9, 15), "Trygghetscenter", 18),
    ("theme_meeting", date(2022, 11, 10), "Trygghetscenter", 25),
    ("theme_meeting", date(2023, 3, 2), "Trygghetscenter", 30),
    ("mobile_dialogue", date(2022, 10, 1), "Brogård", 40),
    ("mobile_dialogue", date(2023, 5, 20), "Kungsängen", 35),
    ("mobile_dialogue", date(2023, 9, 9), "Bro centrum", 50),
    ("visibility_effort", date(2023, 2, 3), "Bro centrum", None),
    ("visibility_effort", date(2023, 4, 14), "Bro centrum", None),
    ("visibility_effort", date(2023, 8, 25), "Tibble", None),
    ("parent_lecture", date(2023, 3, 21), "Upplands-Bro gymnasium", 60),
    ("narcotics_operation", date(2023, 6, 12), "Härnevi hemlig plats", None),
    ("narcotics_operation", date(2023, 10, 3), "Bro station hemlig", None),
    ("senior_fraud_info", date(2023, 4, 4), "SPF Bro", 22),
]


async def _load_dataset(harness: Harness) -> None:
    now = harness.clock.now()
    await harness.services.activities.add_many(
        [NewActivity(c, d, place=p, count=n, source="import") for c, d, p, n in DATASET], now
    )
    await harness.services.milestones.confirm("youth_trust_model", date(2022, 12, 1), ADMIN_ID, now)


async def _report(
    harness: Harness,
    fmt: str,
    locale: str = "sv",
    period: str | None = None,
    internal: bool = False,
) -> str:
    harness.clock.set(datetime(2023, 12, 31, 12, 0, tzinfo=STOCKHOLM))
    return await render_report(
        harness.services, fmt, locale, PeriodFilter.parse(period), internal, TODAY
    )


def _golden(name: str, text: str) -> None:
    """Compare with a reviewed file. ``TRYGGHETSBOT_REGENERATE_GOLDEN=1`` rewrites it (review
    the diff before committing); a missing file is a failure, never a silent pass."""
    path = GOLDEN / name
    if os.environ.get("TRYGGHETSBOT_REGENERATE_GOLDEN") == "1":
        path.write_text(text, encoding="utf-8")
    assert path.exists(), f"{path} is missing; run with TRYGGHETSBOT_REGENERATE_GOLDEN=1"
    assert text == path.read_text(encoding="utf-8")


async def test_markdown_report_golden(harness: Harness) -> None:
    await _load_dataset(harness)
    _golden("followup_2023_sv.md", await _report(harness, "md", period="2023"))


async def test_csv_report_golden(harness: Harness) -> None:
    await _load_dataset(harness)
    _golden("followup_all_en.csv", await _report(harness, "csv", locale="en"))


async def test_html_report_for_a_year_is_accessible_and_its_chart_agrees(
    harness: Harness,
) -> None:
    await _load_dataset(harness)
    page = await _report(harness, "html", period="2023")
    assert accessibility_problems(page) == []
    assert "Uppföljning av medborgarlöftet" in page
    # The chart covers the report's own period, not "now", so it agrees with the tables.
    assert '<title id="chart-title">Utlovat och gjort, 2023:' in page


async def test_public_report_hides_internal_details(harness: Harness) -> None:
    await _load_dataset(harness)
    for fmt in ("md", "csv", "html"):
        text = await _report(harness, fmt)
        assert "hemlig" not in text  # places of narcotics operations
        assert "12 juni 2023" not in text  # their dates
    md = await _report(harness, "md")
    assert "Planerade narkotikainsatser" in md  # counts are public
    internal = await _report(harness, "md", internal=True)
    assert "Härnevi hemlig plats" in internal and "INTERNT" in internal


async def test_progress_in_chat_has_chart_and_counts_only_for_internal(harness: Harness) -> None:
    await _load_dataset(harness)
    harness.clock.set(datetime(2023, 11, 20, 10, 0, tzinfo=STOCKHOLM))
    await harness.say(RESIDENT, "/hurgardet")
    photo = [c for c in harness.tg.calls if c.method == "sendPhoto"]
    assert len(photo) == 1
    png = photo[0].params["photo"]
    assert isinstance(png, bytes) and png.startswith(b"\x89PNG") and len(png) < 200_000
    # Each bar names its own period: a term, a year, the whole promise.
    caption = photo[0].params["caption"]
    assert "Tematräffar (HT 2023) 0 av 2" in caption
    assert "Narkotikainsatser (2022–2024) 2 av 4" in caption
    assert "Synlighetsinsatser (2023) 3 av 6" in caption
    text = harness.tg.last(RESIDENT).text
    assert "Tematräffar: 0 av 2 den här terminen" in text
    assert "Modell för ungas tillit: ✅ klart" in text
    # Count-only: the count, the promised number and the state, as on the published page.
    assert "Narkotikainsatser: 2 av 4 under hela löftet – 🟢 i fas" in text
    assert "hemlig" not in text and "Härnevi" not in text


async def test_follow_sends_at_most_one_news_a_day(harness: Harness) -> None:
    harness.clock.set(datetime(2024, 3, 12, 9, 0, tzinfo=STOCKHOLM))
    await harness.say(RESIDENT, "/folj")
    buttons = harness.tg.last(RESIDENT).buttons
    assert ("➕ Tematräffar", "fol:on:theme_meeting") in buttons
    assert not any("narcotics" in data or "gvi" in data for _, data in buttons)
    await harness.press(RESIDENT, "fol:on:theme_meeting")
    await harness.press(RESIDENT, "fol:on:narcotics_operation")
    assert "gäller inte längre" in harness.tg.last(RESIDENT).text
    service = ProgressService(harness.services)
    now = harness.clock.now()
    await harness.services.activities.add(NewActivity("theme_meeting", date(2024, 3, 12)), now)
    await harness.services.activities.add(
        NewActivity("narcotics_operation", date(2024, 3, 12)), now
    )
    assert await service.follow_tick() == 0  # before 17:00
    harness.clock.set(datetime(2024, 3, 12, 17, 1, tzinfo=STOCKHOLM))
    assert await service.follow_tick() == 1
    harness.clock.advance(timedelta(hours=1))
    later = harness.clock.now()
    await harness.services.activities.add(NewActivity("theme_meeting", date(2024, 3, 12)), later)
    assert await service.follow_tick() == 0  # one a day
    rows = await harness.services.db.fetchall("SELECT payload FROM deliveries WHERE kind='follow'")
    text = OutgoingMessage.from_json(rows[0][0]).text
    assert "Tematräffar: 1 av 2 den här terminen" in text and "Narkotika" not in text
    harness.clock.set(datetime(2024, 3, 13, 17, 5, tzinfo=STOCKHOLM))
    assert await service.follow_tick() == 1  # the second meeting is news the next day


@pytest.mark.parametrize("user_id", [RESIDENT, 7777])
async def test_publish_is_admin_only(harness: Harness, user_id: int) -> None:
    await harness.say(user_id, "/publicera")
    assert not [c for c in harness.tg.calls if c.method == "sendDocument"]
    assert "bara för personal" in harness.tg.last(user_id).text


async def test_admin_gets_the_report_as_a_document(harness: Harness) -> None:
    await harness.say(ADMIN_ID, "/publish")
    documents = [c for c in harness.tg.calls if c.method == "sendDocument"]
    assert len(documents) == 1
    assert b"<h1>Uppf" in documents[0].params["document"]
