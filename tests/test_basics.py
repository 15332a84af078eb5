from __future__ import annotations

from tests.conftest import Harness

RESIDENT = 5001


async def test_start_in_swedish_for_swedish_user(harness: Harness) -> None:
    await harness.say(RESIDENT, "/start", lang="sv")
    text = harness.tg.last(RESIDENT).text
    assert "112" in text
    assert "tematräff" in text.lower()


async def test_start_in_english_for_english_user(harness: Harness) -> None:
    await harness.say(RESIDENT, "/start", lang="en")
    text = harness.tg.last(RESIDENT).text
    assert "theme meeting" in text
    assert "112" in text
