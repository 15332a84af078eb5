"""The safety pulse (issue 24): Brå's question as an anonymous poll after a theme meeting,
counted per area and quarter, published from 20 answers with its interval, the official
figures beside it, and no table that says who answered what."""

from __future__ import annotations

import json
import sqlite3
from datetime import date, datetime, timedelta

import pytest

from bot.clock import STOCKHOLM
from bot.domain.followup_view import PeriodFilter
from bot.domain.pulse import (
    Feeling,
    OfficialRowError,
    PulseFigure,
    parse_official,
    quarter_end,
    quarter_of,
    wilson,
    worsened,
)
from bot.domain.records import Org
from bot.i18n import translator
from bot.render.callbacks import PulseAction, PulsePress
from bot.render.followup import render_json, render_markdown
from bot.render.pulse import poll
from bot.sandbox.emulator.entities import poll_object
from bot.services.delivery import DeliveryService
from bot.services.followup import build
from handlers.delivery import telegram_send
from storage.activities import NewActivity
from storage.events import EventReminderRepo, NewEvent
from tests.conftest import Harness
from tests.fakes import poll_update

STAFF = 8801


def spaces(text: str) -> str:
    """Babel writes "32 %" with a no-break space: read as a person does."""
    return text.replace("\xa0", " ").replace("\u202f", " ")


def test_wilson_and_quarters() -> None:
    low, high = wilson(8, 25)
    assert round(low, 3) == 0.172 and round(high, 3) == 0.516
    assert wilson(0, 20)[0] == 0.0 and wilson(20, 20)[1] == 1.0
    assert quarter_of(date(2025, 3, 31)) == "2025Q1" and quarter_of(date(2025, 4, 1)) == "2025Q2"
    assert quarter_end("2025Q1") == date(2025, 3, 31) and quarter_end("2025Q4") == date(
        2025, 12, 31
    )


def test_worse_only_beyond_both_intervals() -> None:
    before = PulseFigure("bro", "2025Q1", 40, 8, 0, 20)  # 20 %
    slightly = PulseFigure("bro", "2025Q2", 40, 12, 0, 20)  # 30 %: within the uncertainty
    much = PulseFigure("bro", "2025Q2", 40, 28, 0, 20)  # 70 %
    few = PulseFigure("bro", "2025Q2", 10, 9, 0, 20)  # not published
    assert not worsened(before, slightly)
    assert worsened(before, much)
    assert not worsened(before, few)


def test_official_csv_takes_every_row_or_none(harness: Harness) -> None:
    promise = harness.services.promise
    good = (
        "area,period_start,period_end,source,respondents,unsafe_share\n"
        "Upplands-Bro kommun,2020-01-01,2020-12-31,Polisens trygghetsmätning,900,36 %\n"
        "Kungsängen–Tibble,2023-01-01,2023-12-31,Polisens trygghetsmätning,400,0.28\n"
        "bro,2023-01-01,2023-12-31,Polisens trygghetsmätning,300,34\n"
    )
    rows = parse_official(good, promise)
    assert [(r.area, r.unsafe_share) for r in rows] == [
        ("", 0.36),
        ("kungsangen_tibble", 0.28),
        ("bro", 0.34),
    ]
    for bad, line, words in [
        (good + "Mars,2023-01-01,2023-12-31,x,3,0.3\n", 5, "unknown area"),
        (good.replace("2020-12-31", "2019-12-31"), 2, "before"),
        (good.replace(",900,", ",-3,"), 2, "above 0"),
        (good.replace("36 %", "136 %"), 2, "unsafe_share"),
        (good.replace("Polisens trygghetsmätning,900", ",900"), 2, "source"),
    ]:
        with pytest.raises(OfficialRowError) as caught:
            parse_official(bad, promise)
        assert caught.value.line == line and words in caught.value.reason


async def _theme_meeting(h: Harness, residents: list[int]) -> int:
    now = h.clock.now()
    event = await h.services.events.add(
        NewEvent(
            "theme_meeting",
            "Tematräff: trygg i Bro",
            now + timedelta(hours=1),
            now + timedelta(hours=3),
            "public",
            place="Trygghetscenter, Bro",
        ),
        now,
    )
    reminders = EventReminderRepo(h.services.db)
    for chat in residents:
        await reminders.add(event.id, chat, now)
    return event.id


async def _deliver(h: Harness) -> None:
    sender: DeliveryService = h.app.bot_data.features.delivery
    await sender.run_once(telegram_send(h.app.bot))


async def _vote(h: Harness, chat: int, feeling: Feeling) -> None:
    """The resident answers the poll sent to her: Telegram sends the bot the poll's counts,
    and nothing about her."""
    call = h.tg.polls_to(chat)[-1]
    poll_id = next(pid for pid, c in h.tg.polls.items() if c == chat)
    raw = call.params["options"]
    options = json.loads(raw) if isinstance(raw, str) else raw
    counts = [0] * len(options)
    counts[feeling] = 1
    texts = [o["text"] if isinstance(o, dict) else o for o in options]
    await h.raw(poll_update(poll_object(poll_id, call.params["question"], texts, counts)))


async def test_after_a_theme_meeting_residents_answer_anonymously(harness: Harness) -> None:
    h = harness
    pulse = h.app.bot_data.features.pulse
    bro_people = list(range(7001, 7026))  # 25
    kungsangen = list(range(7101, 7111))  # 10
    await h.services.staff.upsert(STAFF, Org.POLICE, "Pia", h.clock.now(), None)
    event_id = await _theme_meeting(h, [*bro_people, *kungsangen, STAFF])

    # Before it ends nobody is asked; half an hour after its end, every resident with a
    # reminder is invited, once (staff never).
    assert await pulse.after_events_tick() == 0
    h.clock.set(h.clock.now() + timedelta(hours=3, minutes=31))
    assert await pulse.after_events_tick() == 35
    assert await pulse.after_events_tick() == 0
    await _deliver(h)
    invitation = h.tg.last(7001)
    assert "Var bor du?" in invitation.text
    assert [label for label, _d in invitation.buttons][:3] == ["Bro", "Kungsängen–Tibble", "Brunna"]
    assert not h.tg.sent(STAFF)

    # A tap on the area, then the poll: anonymous, Brå's question, five answers.
    for chat in bro_people:
        await h.press(chat, PulsePress(PulseAction.AREA, 0).encode())
    for chat in kungsangen:
        await h.press(chat, PulsePress(PulseAction.AREA, 1).encode())
    # The tapped area is repeated in no message to her (the outbox could hold it).
    assert not [c for c in h.tg.sent(7001) if "✔ Bro" in c.text]
    poll = h.tg.polls_to(7001)[-1].params
    assert poll["question"].startswith("Hur trygg eller otrygg skulle du känna dig")
    assert poll["is_anonymous"] in (True, "true", "True")
    # 8 of 25 in Bro feel unsafe; 10 in Kungsängen, all unsafe (too few to publish).
    for i, chat in enumerate(bro_people):
        await _vote(h, chat, Feeling.FAIRLY_UNSAFE if i < 8 else Feeling.FAIRLY_SAFE)
    for chat in kungsangen:
        await _vote(h, chat, Feeling.VERY_UNSAFE)

    # A second tap the same quarter gets no second poll.
    await h.press(7001, PulsePress(PulseAction.AREA, 0).encode())
    assert len(h.tg.polls_to(7001)) == 1
    assert "redan fått frågan" in h.tg.last(7001).text

    # The page: Bro 32 % with its interval and 25 answers; Kungsängen–Tibble not shown.
    report = await build(h.services, "sv", PeriodFilter())
    page = spaces(render_markdown(report))
    assert "## Hur trygga känner sig invånarna?" in page
    assert "| 32 % (17 %–52 %) | 25 |" in page
    assert "Kungsängen–Tibble" in page and "| visas inte | färre än 20 |" in page
    assert "självvalda" in page and "bevisar inte" in page
    data = json.loads(render_json(report))["safety"]
    by_area = {a["id"]: a for a in data["areas"]}
    assert by_area["bro"]["pulse"] == [
        {
            "quarter": "2024Q1",
            "shown": True,
            "answers": 25,
            "unsafe": 8,
            "dont_know": 0,
            "unsafe_share": 0.32,
            "interval_95": [0.1721, 0.5159],
        }
    ]
    assert by_area["kungsangen_tibble"]["pulse"] == [{"quarter": "2024Q1", "shown": False}]

    # No table says who answered what: the polls have no chat, users only the quarter asked.
    db = sqlite3.connect(h.services.settings.db_path)
    poll_columns = [r[1] for r in db.execute("PRAGMA table_info(pulse_polls)")]
    assert poll_columns == ["poll_id", "promise_id", "area", "quarter", "counts"]
    assert db.execute("SELECT COUNT(*) FROM pulse_polls").fetchone()[0] == 35
    user_columns = {r[1] for r in db.execute("PRAGMA table_info(users)")}
    assert not {"area", "answer", "poll_id"} & user_columns
    db.close()
    assert event_id


async def test_staff_are_never_asked_and_the_opt_in_is_asked_once(harness: Harness) -> None:
    h = harness
    await h.services.staff.upsert(STAFF, Org.POLICE, "Pia", h.clock.now(), None)
    await h.say(STAFF, "/trygghet")
    assert "till invånare" in h.tg.last(STAFF).text
    await h.press(STAFF, PulsePress(PulseAction.AREA, 0).encode())
    assert not h.tg.polls_to(STAFF)

    resident = 7201
    await h.say(resident, "/hurgardet", "en")
    assert "once a quarter" in h.tg.last(resident).text
    await h.press(resident, PulsePress(PulseAction.NO).encode(), "en")
    assert "not ask you again" in h.tg.last(resident).text
    await h.say(resident, "/progress", "en")
    assert "once a quarter" not in h.tg.last(resident).text

    # Another says yes: invited once this quarter, in the day, in her language.
    other = 7202
    await h.say(other, "/progress", "fi")
    await h.press(other, PulsePress(PulseAction.YES).encode(), "fi")
    pulse = h.app.bot_data.features.pulse
    h.clock.set(datetime(2024, 4, 2, 23, 0, tzinfo=STOCKHOLM))
    assert await pulse.quarterly_tick() == 0  # not at night
    h.clock.set(datetime(2024, 4, 3, 10, 0, tzinfo=STOCKHOLM))
    assert await pulse.quarterly_tick() == 1
    assert await pulse.quarterly_tick() == 0
    await _deliver(h)
    assert "Missä asut?" in h.tg.last(other).text


async def test_poster_link_and_import_show_on_page_with_source(harness: Harness) -> None:
    h = harness
    event_id = await _theme_meeting(h, [])
    await h.say(7301, f"/start s_{event_id}", "ar")
    labels = [label for label, _d in h.tg.last(7301).buttons]
    assert labels == ["ما مدى شعورك بالأمان هنا؟"]
    await h.press(7301, PulsePress(PulseAction.ASK).encode(), "ar")
    assert "أين تسكن؟" in h.tg.last(7301).text

    figures = parse_official(
        "area,period_start,period_end,source,respondents,unsafe_share\n"
        "Upplands-Bro kommun,2023-01-01,2023-12-31,Polisens trygghetsmätning,850,31 %\n",
        h.services.promise,
    )
    await h.app.bot_data.features.pulse.import_official(figures)
    report = await build(h.services, "sv", PeriodFilter())
    page = spaces(render_markdown(report))
    assert "### Hela kommunen" in page
    assert "| Polisens trygghetsmätning | 31 % | 850 |" in page
    data = json.loads(render_json(report))["safety"]["areas"][0]
    assert data["official"][0]["source"] == "Polisens trygghetsmätning"
    assert data["official"][0]["unsafe_share"] == 0.31


async def _answers(h: Harness, area: str, quarter: str, unsafe: int, safe: int) -> None:
    """``unsafe + safe`` answered polls of ``area`` in ``quarter`` (as Telegram reported)."""
    repo = h.app.bot_data.features.pulse.repo
    for i in range(unsafe + safe):
        poll_id = f"{area}-{quarter}-{i}"
        await repo.add_poll(poll_id, area, quarter)
        counts = [0, 0, 1, 0, 0] if i < unsafe else [0, 1, 0, 0, 0]
        await repo.record(poll_id, counts)


async def test_staff_see_the_area_in_status_and_a_worse_quarter_in_the_digest(
    harness: Harness,
) -> None:
    h = harness
    await h.services.staff.upsert(STAFF, Org.POLICE, "Pia", h.clock.now(), None)
    await h.services.activities.add(
        NewActivity("visibility_effort", date(2024, 3, 8), "Bro centrum", 40), h.clock.now()
    )
    await _answers(h, "bro", "2023Q4", unsafe=4, safe=36)  # 10 %
    await _answers(h, "bro", "2024Q1", unsafe=24, safe=16)  # 60 %
    await h.press(STAFF, "st:show:visibility_effort")
    detail = spaces(h.tg.last(STAFF).text)
    assert "Trygghet i Bro: 60 % känner sig otrygga (45 %–74 %, 40 svar, jan.–mars 2024)" in detail
    assert "Sämre än kvartalet innan" in detail

    h.clock.set(datetime(2024, 4, 15, 8, 30, tzinfo=STOCKHOLM))
    assert await h.app.bot_data.features.reminders.digest_tick() >= 1
    await _deliver(h)
    digest = h.tg.last(STAFF).text
    assert "Trygghetsfrågan: fler invånare känner sig otrygga i Bro än kvartalet innan." in digest


async def test_a_poll_telegram_refuses_can_be_asked_again(harness: Harness) -> None:
    h = harness
    resident = 7401
    await h.say(resident, "/trygghet")
    h.tg.fail_next(resident, 502, "Bad Gateway")
    await h.press(resident, PulsePress(PulseAction.AREA, 0).encode())
    assert "kunde inte skickas" in h.tg.last(resident).text
    await h.press(resident, PulsePress(PulseAction.AREA, 0).encode())
    assert len(h.tg.polls_to(resident)) == 1
    # /delete_me: nothing about her asking is left; the anonymous answer stays counted.
    await h.say(resident, "/radera_mig")
    await h.press(resident, "me:delete:yes")
    db = sqlite3.connect(h.services.settings.db_path)
    left = db.execute("SELECT COUNT(*) FROM users WHERE user_id = ?", (resident,)).fetchone()
    assert left[0] == 0
    assert db.execute("SELECT COUNT(*) FROM pulse_polls").fetchone()[0] == 1
    db.close()


async def test_bad_taps_are_refused_kindly(harness: Harness) -> None:
    h = harness
    await h.press(7501, PulsePress(PulseAction.AREA, 99).encode())
    assert "inga områden" in h.tg.last(7501).text
    await h.press(7501, "pu:a:x:0")
    assert not h.tg.polls_to(7501)
    await h.press(7501, PulsePress(PulseAction.AREA, 0, 42).encode())
    assert len(h.tg.polls_to(7501)) == 1  # an unknown promise index: the home promise's


async def test_privacy_says_what_is_kept_about_the_question(harness: Harness) -> None:
    h = harness
    resident = 7601
    await h.say(resident, "/progress")
    await h.press(resident, PulsePress(PulseAction.YES).encode())
    await h.press(resident, PulsePress(PulseAction.AREA, 0).encode())
    await h.say(resident, "/integritet")
    shown = h.tg.last(resident).text
    assert "trygghetsfrågan en gång i kvartalet" in shown
    assert "(jan.–mars 2024), inte ditt svar" in shown


async def test_progress_shows_how_safe_residents_feel_beside_what_was_done(
    harness: Harness,
) -> None:
    h = harness
    await _answers(h, "bro", "2024Q1", unsafe=8, safe=17)
    await _answers(h, "brunna", "2024Q1", unsafe=3, safe=3)  # too few: not shown
    await h.say(7701, "/progress", "en")
    text = spaces(h.tg.last(7701).text)
    assert "How safe do residents feel?\n• Bro: 32% feel unsafe (17%–52%, 25 answers" in text
    assert "Brunna" not in text


async def test_a_poll_whose_answer_was_lost_is_not_sent_twice(harness: Harness) -> None:
    """Telegram took the poll but its answer was lost (a read timeout): the quarter stays
    taken, so a second tap gets no second poll and nobody can answer twice."""
    h = harness
    resident = 7801
    h.tg.lose_answers = 1
    await h.press(resident, PulsePress(PulseAction.AREA, 0).encode())
    assert len(h.tg.polls_to(resident)) == 1
    await h.press(resident, PulsePress(PulseAction.AREA, 0).encode())
    assert len(h.tg.polls_to(resident)) == 1
    assert "redan fått frågan" in h.tg.last(resident).text


@pytest.mark.parametrize("lang", ["sv", "en", "fi", "ar", "fa", "so", "pl"])
def test_the_question_fits_a_telegram_poll_in_every_language(lang: str) -> None:
    """Telegram allows 300 characters for a poll's question and 100 for an answer: every
    language's wording fits whole (render.poll would otherwise cut it)."""
    tr = translator(lang)
    question, answers = poll(tr)
    assert question == tr.gettext(
        "How safe or unsafe would you feel if you went out alone late one evening in the "
        "area where you live?"
    )
    assert len(question) <= 300 and len(answers) == len(Feeling)
    assert all(0 < len(a) <= 100 for a in answers)
    assert len(set(answers)) == len(answers)
    if lang != "en":
        assert question.count("?") + question.count("؟") >= 1
