"""One normaliser in front of the personnummer / phone / e-mail checks (issue 15)."""

from __future__ import annotations

from datetime import timedelta
from pathlib import Path

import pytest
from hypothesis import given
from hypothesis import strategies as st

from bot.language.pii import REDACTED, find_pii, normalise, pii_kinds, redact
from bot.settings import Settings
from storage.events import NewEvent
from tests.conftest import Harness
from tests.test_cli_data import run
from tests.test_tips import make_staff

PNR = "811218-9876"  # a valid check digit


@pytest.mark.parametrize(
    ("text", "kind"),
    [
        (PNR.replace("-", "\u2013"), "personnummer"),  # en dash
        (PNR.replace("-", "\u2011"), "personnummer"),  # non-breaking hyphen
        (PNR.replace("-", "\u2212"), "personnummer"),  # minus sign
        ("".join(chr(ord(c) + 0xFEE0) if c.isdigit() else c for c in PNR), "personnummer"),
        ("ring ０７０１２３４５６７", "phone"),
        ("ring 070.123.45.67", "phone"),
        ("ring 070/1234567", "phone"),
        ("ring 070\u00a0123\u00a045\u00a067", "phone"),
        ("ring 070\u2009123\u200b45 67", "phone"),
        ("mejla a.b (at) example.se", "email"),
        ("mejla a.b [at] example [dot] se", "email"),
        ("mejla a.b at example.se", "email"),
        ("mejla a.b＠example.se", "email"),
    ],
)
def test_disguised_personal_data_is_found(text: str, kind: str) -> None:
    assert pii_kinds(f"tematräff igår, {text} sa hon") == [kind]
    assert REDACTED in redact(text) and not pii_kinds(redact(text))


@pytest.mark.parametrize(
    "text",
    [
        "tematräff 2024-03-12 kl 18.30, 23 pers",
        "datum 2024/03/12",
        "möte at Bro centrum",
        "ip 10.0.0.1",
        "ring 112 eller 114 14",
        "rond 2–3 timmar",
    ],
)
def test_ordinary_text_is_left_alone(text: str) -> None:
    assert pii_kinds(text) == []


@given(st.text(alphabet=st.sampled_from("0712 -–.\u00a0/(at)xé＠１"), max_size=40))
def test_hits_point_into_the_original(text: str) -> None:
    norm = normalise(text)
    assert len(norm.text) == len(norm.starts) == len(norm.ends)
    assert list(norm.starts) == sorted(norm.starts)
    for hit in find_pii(text):
        assert 0 <= hit.start < hit.end <= len(text)


@pytest.mark.parametrize(
    ("command", "csv_text"),
    [
        (
            "import-events",
            "commitment,starts_at,ends_at,place,title,visibility\n"
            "theme_meeting,2024-04-10T18:00,2024-04-10T20:00,Bro,Tematräff ring 070/1234567,\n",
        ),
        (
            "import-activities",
            "commitment,date,place,count,description\n"
            f"theme_meeting,2024-03-01,Bro,12,kontakt {PNR.replace('-', chr(0x2011))}\n",
        ),
    ],
)
def test_csv_imports_refuse_disguised_personal_data(
    settings: Settings,
    tmp_path: Path,
    capsys: pytest.CaptureFixture[str],
    command: str,
    csv_text: str,
) -> None:
    (tmp_path / "in.csv").write_text(csv_text, "utf-8")
    assert run([command, str(tmp_path / "in.csv")], settings) == 1
    assert "line 2" in capsys.readouterr().err


async def test_plan_in_chat_refuses_disguised_personal_data(harness: Harness) -> None:
    h, staff = harness, 7301
    await make_staff(h, staff)
    await h.say(staff, "/plan", lang="en")
    await h.press(staff, "plan:kind:theme_meeting", lang="en")
    await h.say(staff, "Trygg i Bro", lang="en")
    await h.say(staff, "20/3 18-20", lang="en")
    await h.say(staff, "Trygghetscentret", lang="en")
    await h.say(staff, "Frågor till anna (at) example.se", lang="en")
    await h.press(staff, "plan:vis:public", lang="en")
    assert "e-mail address" in h.tg.last(staff).text
    assert await h.services.events.by_organiser(staff, h.clock.now()) == []


async def test_events_saved_earlier_are_redacted_for_residents(harness: Harness) -> None:
    h = harness
    start = h.clock.now() + timedelta(days=2)
    await h.services.events.add_many(
        [
            NewEvent(
                "theme_meeting",
                f"Tematräff, anmälan {PNR}",
                start,
                start + timedelta(hours=2),
                "public",
                place="ring 070.123.45.67",
            )
        ],
        h.clock.now(),
    )
    await h.say(7401, "/events", lang="en")
    listing = h.tg.last(7401)
    assert PNR not in listing.text and "070.123" not in listing.text and REDACTED in listing.text
    assert not any(PNR in label for label, _ in listing.buttons)
    [(_, show)] = [b for b in listing.buttons if b[1].startswith("ev:show:")]
    await h.press(7401, show, lang="en")
    assert PNR not in h.tg.last(7401).text and "070.123" not in h.tg.last(7401).text
