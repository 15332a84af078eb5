"""Residents in their own words: stopping tips by saying so or with /stop inside the menu,
unknown commands, the kommunpolis, tip-offs, the police car, and "what is GVI?"."""

from __future__ import annotations

import pytest

from storage.subscriptions import SubscriptionRepo
from tests.conftest import Harness
from tests.test_tips import subscribe

SENIOR = 5101
RESIDENT = 8201


async def active(h: Harness, chat: int) -> bool:
    sub = await SubscriptionRepo(h.services.db).get(chat)
    return sub is not None and sub.active


@pytest.mark.parametrize(("text", "lang"), [("sluta skicka tips", "sv"), ("no more tips", "en")])
async def test_stopping_tips_in_own_words(harness: Harness, text: str, lang: str) -> None:
    await subscribe(harness, SENIOR, lang)
    assert await active(harness, SENIOR)
    await harness.say(SENIOR, text, lang=lang)
    assert not await active(harness, SENIOR)
    assert "/tips" in harness.tg.last(SENIOR).text


async def test_stop_inside_the_tips_menu_stops_the_tips(harness: Harness) -> None:
    h = harness
    await subscribe(h, SENIOR, "sv")
    await h.say(SENIOR, "/tips")
    await h.say(SENIOR, "/stop")
    assert not await active(h, SENIOR)
    assert "inga fler tips" in h.tg.last(SENIOR).text


async def test_subscribing_to_warnings_is_not_being_scammed(harness: Harness) -> None:
    await harness.say(RESIDENT, "jag vill ha varningar om bedrägerier")
    reply = harness.tg.last(RESIDENT).text
    assert "/tips" in reply and "spärra" not in reply


@pytest.mark.parametrize("command", ["/hjälp", "/meny", "/stopp", "/xyz"])
async def test_unknown_commands_get_the_menu(harness: Harness, command: str) -> None:
    await harness.say(RESIDENT, command)
    reply = harness.tg.last(RESIDENT)
    assert reply.text.endswith("Är någon i fara? Ring 112.")
    assert "ev:list:0" in [data for _label, data in reply.buttons]


async def test_unknown_command_suggests_the_nearest(harness: Harness) -> None:
    await harness.say(RESIDENT, "/stopp", lang="en")
    assert "Did you mean /stop?" in harness.tg.last(RESIDENT).text


async def test_kommunpolisen_is_contact(harness: Harness) -> None:
    await harness.say(RESIDENT, "hur når jag kommunpolisen")
    assert "114 14" in harness.tg.last(RESIDENT).text


@pytest.mark.parametrize(
    ("text", "lang", "expect"),
    [
        ("min granne säljer knark", "sv", "Tipsa polisen"),
        ("det langas vid skolan", "sv", "utan att säga vem du är"),
        ("someone is dealing drugs behind the school", "en", "do not have to give your name"),
    ],
)
async def test_tip_offs_say_how_to_tip_the_police(
    harness: Harness, text: str, lang: str, expect: str
) -> None:
    await harness.say(RESIDENT, text, lang=lang)
    reply = harness.tg.last(RESIDENT).text
    assert expect in reply and "polisen.se" in reply and "112" in reply


async def test_police_car_question_is_about_mobile_dialogues(harness: Harness) -> None:
    await harness.say(RESIDENT, "när kommer polisbilen till kungsängen")
    reply = harness.tg.last(RESIDENT).text
    assert "mobila dialoger" in reply.lower() or "Nästa tillfälle" in reply


@pytest.mark.parametrize(("text", "lang"), [("vad är GVI", "sv"), ("what is gvi", "en")])
async def test_gvi_is_explained_without_dates_or_places(
    harness: Harness, text: str, lang: str
) -> None:
    await harness.say(RESIDENT, text, lang=lang)
    reply = harness.tg.last(RESIDENT).text
    assert "Group Violence Intervention" in reply
    assert not any(ch.isdigit() for ch in reply), "no dates or numbers about internal work"


async def test_youth_trust_model_is_explained(harness: Harness) -> None:
    await harness.say(RESIDENT, "what is the youth trust model", lang="en")
    assert "young people" in harness.tg.last(RESIDENT).text
