"""Several promises in chat (issue 25): a staff report counts for the kommun its place names
and the promise of its date, the card says which and offers the others, a late report counts
for the ended promise marked as registered late; a resident is answered from her kommun's
promise (read from a place she names, and remembered until /delete_me), and asks how the
last promise went; the earlier-promise questions measured per language."""

from __future__ import annotations

import json
import shutil
import sqlite3
import tomllib
from collections.abc import AsyncIterator
from datetime import date, datetime
from pathlib import Path

import pytest

from bot.app import SANDBOX_TOKEN, build_application, serving
from bot.clock import STOCKHOLM, FrozenClock
from bot.domain.followup_view import PeriodFilter
from bot.domain.promise_set import demo_promise_set
from bot.domain.records import Org
from bot.language.questions import match_question
from bot.render.followup import render_json
from bot.services.followup import build
from bot.settings import Settings
from tests.conftest import Harness
from tests.fakes import FakeTelegram, callback_update, user, without_card

POLICE = 6501
COORDINATOR = 6502
RESIDENT = 6503
JF, UB = "jarfalla-2025-2027-demo", "upplands-bro-2025-2027-demo"
OLD = "upplands-bro-2022-2024"
DATA = Path(__file__).parent / "data" / "promise_questions.toml"


@pytest.fixture
async def several(
    settings: Settings, _migrated_database: Path
) -> AsyncIterator[Harness]:  # fmt: skip
    """The bot with the three demo promises, on Wednesday 12 March 2025."""
    shutil.copyfile(_migrated_database, settings.db_path)
    clock = FrozenClock(datetime(2025, 3, 12, 10, 0, tzinfo=STOCKHOLM))
    tg = FakeTelegram()
    app = build_application(
        settings,
        clock=clock,
        promises=demo_promise_set(),
        request=tg.request(),
        updates_request=tg.request(),
        rate_limit=False,
        token=SANDBOX_TOKEN,
    )
    async with serving(app):
        now = clock.now()
        await app.bot_data.services.staff.upsert(POLICE, Org.POLICE, "Pia", now, None)
        await app.bot_data.services.staff.upsert(COORDINATOR, Org.MUNICIPALITY, "Kim", now, None)
        tg.clear()
        yield Harness(app, tg, clock)


def _rows(settings: Settings) -> list[tuple[str, str, str, str | None]]:
    with sqlite3.connect(settings.db_path) as conn:
        rows = conn.execute(
            "SELECT promise_id, commitment, date, place FROM activities ORDER BY id"
        ).fetchall()
    conn.close()
    return [tuple(r) for r in rows]


async def test_a_report_counts_for_the_kommun_its_place_names(
    several: Harness, settings: Settings
) -> None:
    h = several
    await h.say(POLICE, "synlighetsinsats Jakobsberg igår")
    card = h.tg.last(POLICE).text
    assert "Räknas för: [DEMO] Medborgarlöfte Järfälla 2025–2027" in card
    # The place names one kommun: nothing else is offered.
    assert not any(d.startswith("rep:prom:") for d in map(without_card, _data(h)))
    await h.press(POLICE, "rep:save:0")
    assert "Sparad" in h.tg.last(POLICE).text

    await h.say(POLICE, "tematräff Bro igår ca 20 pers")
    assert "Räknas för: [DEMO] Medborgarlöfte Upplands-Bro 2025–2027" in h.tg.last(POLICE).text
    await h.press(POLICE, "rep:save:0")
    assert _rows(settings) == [
        (JF, "visibility_effort", "2025-03-11", "Jakobsberg"),
        (UB, "theme_meeting", "2025-03-11", "Bro"),
    ]


async def test_without_a_place_the_card_offers_the_other_kommun(
    several: Harness, settings: Settings
) -> None:
    h = several
    await h.say(POLICE, "synlighetsinsats igår 12 pers")
    assert "Räknas för: [DEMO] Medborgarlöfte Upplands-Bro 2025–2027" in h.tg.last(POLICE).text
    assert "rep:prom:0" in map(without_card, _data(h))
    await h.press(POLICE, "rep:prom:0")
    card = h.tg.last(POLICE).text
    assert "Räknas för: [DEMO] Medborgarlöfte Järfälla 2025–2027" in card
    assert "Synlighetsinsatser" in card and "12" in card
    await h.press(POLICE, "rep:save:0")
    assert _rows(settings) == [(JF, "visibility_effort", "2025-03-11", None)]
    # A forged index is stale, never another promise.
    await h.say(POLICE, "synlighetsinsats igår 3 pers")
    await h.press(POLICE, "rep:prom:0")
    before = _rows(settings)
    card_id = _data(h)[0].rsplit(":", 1)[1]
    await h.raw(callback_update(user(POLICE, "sv"), f"rep:prom:7:{card_id}"))
    assert _rows(settings) == before


async def test_a_kind_only_one_promise_has_picks_that_promise(
    several: Harness, settings: Settings
) -> None:
    h = several
    await h.say(COORDINATOR, "föräldraträff igår 30 pers")  # only Järfälla promises them
    assert "Järfälla 2025–2027" in h.tg.last(COORDINATOR).text
    await h.press(COORDINATOR, "rep:save:0")
    assert _rows(settings) == [(JF, "parent_meeting", "2025-03-11", None)]


async def test_a_late_report_counts_for_the_ended_promise(
    several: Harness, settings: Settings
) -> None:
    h = several
    await h.say(POLICE, "tematräff i trygghetscentret 10 december 2024 ca 15 pers")
    card = h.tg.last(POLICE).text
    assert "Räknas för: Medborgarlöfte Upplands-Bro 2022–2024" in card
    assert "Registreras i efterhand: löftet slutade 31 december 2024." in card
    await h.press(POLICE, "rep:save:0")
    assert _rows(settings) == [(OLD, "theme_meeting", "2024-12-10", "Trygghetscentret")]
    # /myreports lists the reports of every promise.
    await h.say(POLICE, "synlighetsinsats Jakobsberg igår")
    await h.press(POLICE, "rep:save:0")
    await h.say(POLICE, "/minarapporter")
    listing = h.tg.last(POLICE).text
    assert "Tematräffar" in listing and "[DEMO] Synlighetsinsatser" in listing


async def test_a_resident_is_answered_from_her_kommun_and_it_is_forgotten(
    several: Harness, settings: Settings
) -> None:
    h = several
    await h.say(RESIDENT, "vad lovar ni nu?")
    assert "[DEMO] Medborgarlöfte Upplands-Bro 2025–2027" in h.tg.last(RESIDENT).text
    await h.say(RESIDENT, "när är nästa träff i Jakobsberg?")
    await h.say(RESIDENT, "vad lovar ni?")
    assert "Järfälla" in h.tg.last(RESIDENT).text  # remembered from the place she named
    await h.say(RESIDENT, "hur gick det med förra löftet?")
    # Järfälla had no promise before this one.
    assert "inget tidigare löfte" in h.tg.last(RESIDENT).text
    with sqlite3.connect(settings.db_path) as conn:
        (kommun,) = conn.execute(
            "SELECT municipality FROM users WHERE user_id = ?", (RESIDENT,)
        ).fetchone()
    conn.close()
    assert kommun == "Järfälla kommun"
    await h.press(RESIDENT, "me:delete:yes")
    with sqlite3.connect(settings.db_path) as conn:
        left = conn.execute("SELECT COUNT(*) FROM users WHERE user_id = ?", (RESIDENT,))
        assert left.fetchone() == (0,)
    conn.close()


@pytest.mark.parametrize(
    ("lang", "text"),
    [
        ("sv", "hur gick det med förra löftet?"),
        ("en", "how did the last promise go?"),
        ("ar", "كيف كان الوعد السابق؟"),
        ("pl", "jak poszła poprzednia obietnica?"),
    ],
)
async def test_how_the_last_promise_went(several: Harness, lang: str, text: str) -> None:
    h = several
    await h.say(RESIDENT, text, lang)
    answer = h.tg.last(RESIDENT).text
    assert "2022–2024" in answer
    # Its final result, commitment by commitment (nothing was reported: 0 of the target).
    assert answer.count("•") == len(demo_promise_set().promises[0].commitments)
    assert "112" not in answer


def test_the_earlier_promise_questions_per_language() -> None:
    """The batch of 2 Dec 2026: measured once before tuning (dev 31/35, held-out 19/21),
    tuned on dev only. The known misses are named, so a new one fails."""
    promise = demo_promise_set().current("Upplands-Bro kommun", date(2025, 3, 12))
    data = tomllib.loads(DATA.read_text(encoding="utf-8"))
    misses: dict[str, list[str]] = {"dev": [], "held_out": []}
    for lang, parts in data.items():
        for part, rows in parts.items():
            for text, want in rows:
                if match_question(text, promise, lang).intent.value != want:
                    misses[part].append(text)
    # An old false alarm (danger) and one the Persian progress phrases miss; Arabic
    # "بالوعد القديم" (with the prefix) is the held-out miss of the new phrases.
    assert misses == {
        "dev": ["ماذا تعدون الآن"],
        "held_out": ["شو صار بالوعد القديم", "پیمان چطور پیش میرود"],
    }


def _data(h: Harness, user_id: int = POLICE) -> list[str]:
    return [data for _label, data in h.tg.last(user_id).buttons if data]


async def test_status_and_the_digest_go_per_promise(several: Harness) -> None:
    h = several
    # Police: every kommun's promise in force, one section each; the ended one is not there.
    await h.say(POLICE, "/lage")
    status = h.tg.last(POLICE).text
    assert status.startswith("Läget för löftena")
    assert "[DEMO] Medborgarlöfte Upplands-Bro 2025–2027" in status
    assert "[DEMO] Medborgarlöfte Järfälla 2025–2027" in status
    assert "2022–2024" not in status
    # The detail of Järfälla's visibility efforts, not Upplands-Bro's (same id).
    data = [d for _l, d in h.tg.last(POLICE).buttons if d.startswith("st:")]
    jf_index = [p.id for p in demo_promise_set()].index(JF)
    await h.press(POLICE, f"st:show:visibility_effort:{jf_index}")
    assert "Jakobsberg och Barkarby" in h.tg.last(POLICE).text, data
    # A municipal coordinator of Järfälla sees Järfälla's only.
    await h.services.staff.set_municipality(COORDINATOR, "Järfälla kommun")
    await h.say(COORDINATOR, "/lage")
    mine = h.tg.last(COORDINATOR).text
    assert "Järfälla" in mine and "Upplands-Bro 2025" not in mine

    # Monday 08:30: each promise's digest, to its own staff; nothing for the ended one.
    h.clock.set(datetime(2025, 3, 17, 9, 0, tzinfo=STOCKHOLM))
    for features in h.app.bot_data.in_force():
        await features.reminders.digest_tick()
    with sqlite3.connect(h.services.settings.db_path) as conn:
        keys = sorted(
            r[0] for r in conn.execute("SELECT dedupe_key FROM deliveries WHERE kind = 'digest'")
        )
    conn.close()
    assert keys == [
        f"digest:{JF}:2025-W12:{POLICE}",
        f"digest:{JF}:2025-W12:{COORDINATOR}",
        f"digest:{UB}:2025-W12:{POLICE}",
    ]  # the police officer gets both, the Järfälla coordinator Järfälla's, 2022–2024 none


async def test_an_invitation_gives_the_kommun(several: Harness) -> None:
    h = several
    people = h.app.bot_data.people
    code = await people.create_invite(None, Org.MUNICIPALITY, "Järfälla kommun")
    member = await people.redeem_invite(code, 6510, "Jo")
    assert member.municipality == "Järfälla kommun"
    with pytest.raises(ValueError, match="no promise is for"):
        await people.create_invite(None, Org.MUNICIPALITY, "Sigtuna kommun")
    police = await people.redeem_invite(
        await people.create_invite(None, Org.POLICE), 6511, "Po"
    )  # fmt: skip
    assert police.municipality is None  # the police area: every kommun, invited once


async def test_a_resident_chooses_her_kommun_once_and_may_follow_another(
    several: Harness, settings: Settings
) -> None:
    h = several
    resident = 5301
    ids = [p.id for p in demo_promise_set()]
    # Her kommun unknown: the answer is the home kommun's, with one button to say otherwise.
    await h.say(resident, "/hurgardet")
    assert ("Annan kommun?", "kom:ask:0") in h.tg.last(resident).buttons
    await h.press(resident, "kom:ask:0")
    chooser = h.tg.last(resident)
    assert [label for label, _d in chooser.buttons] == ["Upplands-Bro kommun", "Järfälla kommun"]
    await h.press(resident, "kom:set:1")
    assert "Klart. Jag svarar om Järfälla kommun" in h.tg.last(resident).text
    # From now on she is answered about Järfälla's promise, and not asked again.
    await h.say(resident, "/hurgardet")
    summary = h.tg.last(resident)
    assert "Synlighetsinsatser" in summary.text and "Tematräffar" not in summary.text
    assert ("Annan kommun?", "kom:ask:0") not in summary.buttons
    with sqlite3.connect(settings.db_path) as conn:
        kommun = conn.execute("SELECT municipality FROM users WHERE user_id = ?", (resident,))
        assert kommun.fetchone()[0] == "Järfälla kommun"
    conn.close()

    # She follows Upplands-Bro's theme meetings too, though she lives in Järfälla.
    await h.say(resident, "/folj")
    follow = h.tg.last(resident)
    assert follow.text.startswith("[DEMO] Medborgarlöfte Järfälla 2025–2027")
    await h.press(resident, "kom:askf:0")
    await h.press(resident, "kom:fol:0")
    other = h.tg.last(resident)
    assert other.text.startswith("[DEMO] Medborgarlöfte Upplands-Bro 2025–2027")
    press = f"fol:on:theme_meeting:{ids.index(UB)}"
    assert press in [d for _l, d in other.buttons]
    await h.press(resident, press)
    assert "Tematräffar" in h.tg.last(resident).text
    with sqlite3.connect(settings.db_path) as conn:
        follows = conn.execute(
            "SELECT promise_id, commitment FROM follows WHERE chat_id = ?", (resident,)
        ).fetchall()
    conn.close()
    assert follows == [(UB, "theme_meeting")]

    # A forged kommun is a stale button; staff get their kommun from the invitation.
    await h.press(resident, "kom:set:9")
    assert "Klart" not in h.tg.last(resident).text
    await h.say(POLICE, "/kommun")
    assert "inbjudan" in h.tg.last(POLICE).text


async def test_each_kommun_publishes_only_its_own_residents_suggestions(several: Harness) -> None:
    """ "Ni sa – vi gjorde" per kommun: three residents find Jakobsberg unsafe (Järfälla's
    page counts them), three want a theme meeting about mopeds in Bro (Upplands-Bro's)."""
    h = several
    for i in range(3):
        await h.say(5401 + i, "det känns otryggt vid Jakobsberg station på kvällarna")
        await h.press(5401 + i, "voice:send")
        await h.say(5411 + i, "ni borde ha en tematräff om mopedbuskörning i Bro")
        await h.press(5411 + i, "voice:send")
    promises = {p.id: p for p in demo_promise_set()}
    services = h.app.bot_data.services
    pages = {}
    for pid in (JF, UB):
        report = await build(services.scoped(promises[pid]), "sv", PeriodFilter())
        pages[pid] = json.loads(render_json(report)).get("voice", {})
    jf = {g["id"]: g["count"] for g in pages[JF].get("groups", [])}
    ub = {g["id"]: g["count"] for g in pages[UB].get("groups", [])}
    assert pages[JF]["total"] == 3 and pages[UB]["total"] == 3, (pages[JF], pages[UB])
    assert jf and ub and not set(jf) & set(ub)
