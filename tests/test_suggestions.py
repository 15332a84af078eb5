"""Residents' suggestions and unsafe places, end to end through the real application: the
card, the privacy rules, danger first, the coordinators' /forslag, the one message back in
each resident's language, the follow-up page and its open data, /delete_me."""

from __future__ import annotations

import json
from datetime import datetime, timedelta

import pytest

from bot.clock import STOCKHOLM
from bot.domain.followup_view import PeriodFilter
from bot.domain.records import Event, GroupStatus
from bot.domain.voice import PUBLISH_FROM
from bot.render.poster import poster, poster_link
from bot.services.followup import render_report
from bot.services.wiring import build_features
from handlers.delivery import delivery_service, telegram_send
from storage.events import NewEvent
from tests.conftest import ADMIN_ID, Harness

ARABIC = 8101
SWEDE = 8102
SWEDE_2 = 8103
QUIET = 8104  # suggests without asking to be told


async def meeting(h: Harness) -> Event:
    start = datetime(2024, 4, 12, 18, 0, tzinfo=STOCKHOLM)
    event: Event = await h.services.events.add(
        NewEvent(
            "theme_meeting",
            "Tematräff om trafik och mopeder",
            start,
            start + timedelta(hours=2),
            "public",
            place="Trygghetscenter",
        ),
        h.clock.now(),
    )
    return event


async def suggest(h: Harness, user_id: int, text: str, lang: str, follow: bool = True) -> str:
    await h.say(user_id, text, lang=lang)
    card = h.tg.last(user_id)
    assert "voice:send:0" in [d for _l, d in card.buttons], card.text
    await h.press(user_id, "voice:follow" if follow else "voice:send", lang=lang)
    return card.text


async def rows(h: Harness, table: str) -> list[dict[str, object]]:
    return [dict(r) for r in await h.services.db.fetchall(f"SELECT * FROM {table}")]


async def drain(h: Harness) -> None:
    await delivery_service(h.app).drain(telegram_send(h.app.bot))


async def test_the_done_when_story(harness: Harness) -> None:
    h = harness
    event = await meeting(h)
    # A resident scans the poster of the theme meeting and writes in Arabic.
    await h.say(ARABIC, f"/start s_{event.id}", lang="ar")
    assert "Tematräff om trafik och mopeder" in h.tg.last(ARABIC).text
    card = await suggest(h, ARABIC, "نريد لقاء عن الدراجات النارية والسرعة", lang="ar")
    assert "للدراجات النارية" in card  # the theme named in Arabic
    assert "30" in card  # how long her id is kept, said before she chooses
    # Two Swedes suggest the same theme in their own words.
    await suggest(h, SWEDE, "ni borde ha en tematräff om mopedbuskörning", lang="sv")
    await suggest(h, SWEDE_2, "kan ni ta upp mopeder som kör på gångvägen på nästa träff", "sv")

    # The coordinator sees them together, as one group.
    await h.say(ADMIN_ID, "/forslag")
    listing = h.tg.last(ADMIN_ID)
    assert "mopedbuskörning: 3" in listing.text
    assert ("mopedbuskörning (3)", "vg:show:theme.moped:0") in listing.buttons
    await h.press(ADMIN_ID, "vg:show:theme.moped")
    detail = h.tg.last(ADMIN_ID).text
    assert "نريد لقاء" in detail and "mopedbuskörning" in detail  # texts: coordinators only
    assert f"via affischen för evenemang {event.id}" in detail
    await h.press(ADMIN_ID, "vg:events:theme.moped")
    assert f"vg:link:theme.moped:{event.id}" in [d for _l, d in h.tg.last(ADMIN_ID).buttons]
    h.tg.clear()
    await h.press(ADMIN_ID, f"vg:link:theme.moped:{event.id}")
    assert any("3 invånare får besked" in c.text for c in h.tg.sent(ADMIN_ID))

    # Each of the three is told once, in her language, through the outbox.
    await drain(h)
    arabic = [c.text for c in h.tg.sent(ARABIC)]
    assert len(arabic) == 1 and "اقتراحك" in arabic[0]
    assert "Tematräff om trafik och mopeder" in arabic[0]
    for swede in (SWEDE, SWEDE_2):
        told = [c.text for c in h.tg.sent(swede)]
        assert len(told) == 1
        assert told[0].startswith("Ditt förslag om mopedbuskörning blir av: Tematräffar")
    await drain(h)  # nobody is told twice
    assert len(h.tg.sent(ARABIC)) == 1

    # The one through the poster is tied to the event; no suggestion names a person.
    stored = await rows(h, "suggestions")
    assert [s["event_id"] for s in stored if s["locale"] == "ar"] == [event.id]
    assert not any(str(ARABIC) in json.dumps(s) for s in stored)

    # The page and the open data: planned, with its count, no text, no person.
    page = await render_report(h.services, "html", "sv", PeriodFilter.parse(None))
    assert "Ni sa – vi gjorde" in page
    assert "mopedbuskörning" in page and "planerat" in page
    data = json.loads(await render_report(h.services, "json", "sv", PeriodFilter.parse(None)))
    voice = data["voice"]
    assert voice["groups"] == [
        {
            "by": "theme",
            "id": "moped",
            "title": "mopedbuskörning",
            "count": 3,
            "status": "planned",
            "reason": None,
            "event": {"title": "Tematräff om trafik och mopeder", "date": "2024-04-12"},
        }
    ]
    published = page + json.dumps(data, ensure_ascii=False)
    for private in ("نريد", "gångvägen", "ni borde", str(ARABIC), str(SWEDE)):
        assert private not in published

    # /delete_me removes her link to it; the suggestion stays, without her.
    await h.press(ARABIC, "me:delete:yes", lang="ar")
    followers = await rows(h, "suggestion_followers")
    assert ARABIC not in [f["chat_id"] for f in followers]
    assert len(followers) == 2
    assert len(await rows(h, "suggestions")) == 3


async def test_no_chat_id_unless_asked_and_no_personal_data(harness: Harness) -> None:
    h = harness
    await suggest(
        h, QUIET, "ni borde ha mer belysning i tibble, ring mig 070-123 45 67", "sv", follow=False
    )
    assert "Skickat, utan ditt namn" in h.tg.last(QUIET).text
    stored = await rows(h, "suggestions")
    assert len(stored) == 1
    assert "070" not in str(stored[0]["text"]) and "123 45" not in str(stored[0]["text"])
    assert stored[0]["grp"] == "theme.lighting" and stored[0]["area"] == "kungsangen_tibble"
    assert await rows(h, "suggestion_followers") == []


async def test_danger_still_gets_112_first(harness: Harness) -> None:
    h = harness
    await h.say(SWEDE, "det känns otryggt vid stationen, en kille har en kniv och hotar folk nu")
    reply = h.tg.last(SWEDE)
    assert reply.text.startswith("112")
    assert not any(d.startswith("voice:") for _l, d in reply.buttons)
    assert await rows(h, "suggestions") == []


async def test_an_unsafe_place_in_a_few_taps(harness: Harness) -> None:
    h = harness
    await h.say(SWEDE, "det känns otryggt vid gångtunneln vid Bro station på kvällarna")
    card = h.tg.last(SWEDE)
    assert "en plats i Bro som känns otrygg" in card.text
    assert ("✓ Kväll", "voice:when:evening") in card.buttons  # read from "på kvällarna"
    await h.press(SWEDE, "voice:why:dark")
    assert ("✓ Mörkt", "voice:why:dark") in h.tg.last(SWEDE).buttons
    await h.press(SWEDE, "voice:why:bogus")  # untrusted: a stale button, nothing changes
    await h.press(SWEDE, "voice:send")
    (stored,) = await rows(h, "suggestions")
    assert stored["kind"] == "unsafe_place" and stored["grp"] == "area.bro"
    assert stored["time_of_day"] == "evening" and "dark" in str(stored["reasons"])


async def test_a_shared_location_is_an_area(harness: Harness) -> None:
    h = harness
    await h.say(SWEDE, "", location={"latitude": 59.479, "longitude": 17.75})
    assert "Kungsängen–Tibble" in h.tg.last(SWEDE).text
    await h.press(SWEDE, "voice:send")
    (stored,) = await rows(h, "suggestions")
    assert stored["grp"] == "area.kungsangen_tibble"


async def test_a_worry_offers_to_include_it(harness: Harness) -> None:
    h = harness
    await h.say(SWEDE, "ungdomar hänger vid stationen varje kväll och det är stökigt")
    reply = h.tg.last(SWEDE)
    assert ("Vill du att vi tar med det här?", "voice:offer:0") in reply.buttons
    await h.press(SWEDE, "voice:offer")
    assert "voice:send:0" in [d for _l, d in h.tg.last(SWEDE).buttons]


async def test_only_coordinators_read_suggestions(harness: Harness) -> None:
    h = harness
    await suggest(h, SWEDE, "ni borde ha en tematräff om mopedbuskörning", "sv")
    h.tg.clear()
    await h.say(QUIET, "/forslag")
    await h.press(QUIET, "vg:show:theme.moped")
    await h.press(QUIET, "vg:no:theme.moped")
    assert all("mopedbuskörning" not in c.text for c in h.tg.sent(QUIET))
    refused = [r for r in await rows(h, "audit_log") if r["action"] == "refused"]
    assert len(refused) >= 2
    # A made-up group or event from a coordinator is refused, nothing changes.
    await h.press(ADMIN_ID, "vg:link:theme.moped:999")
    group = await build_features(h.services).suggestions.repo.group("theme.moped")
    assert group is not None and group.status is GroupStatus.NEW


async def test_declined_with_a_reason_in_each_language(harness: Harness) -> None:
    h = harness
    await suggest(h, SWEDE, "ni borde sätta upp kameror i brunna", "sv")
    await suggest(h, ARABIC, "نقترح كاميرات في برونا", "ar")
    await h.press(ADMIN_ID, "vg:no:theme.presence")
    await h.press(ADMIN_ID, "vg:why:theme.presence:others")
    await drain(h)
    assert "inte nu. Någon annan ansvarar för det" in h.tg.last(SWEDE).text
    assert "ليس الآن" in h.tg.last(ARABIC).text


async def test_small_groups_are_not_published(harness: Harness) -> None:
    h = harness
    for user_id in range(PUBLISH_FROM - 1):
        await suggest(h, 8200 + user_id, "ni borde ha mer belysning i bro", "sv", follow=False)
    data = json.loads(await render_report(h.services, "json", "sv", PeriodFilter.parse(None)))
    assert data["voice"]["groups"] == []
    assert data["voice"]["not_shown"] == PUBLISH_FROM - 1


async def test_answer_intents(harness: Harness) -> None:
    answers = build_features(harness.services).answers
    suggestion = await answers.answer("you should have a meeting about scooters", "en")
    assert suggestion.intent == "suggestion"
    place = await answers.answer("det känns otryggt i tibble på natten", "sv")
    assert place.intent == "unsafe_place"
    question = await answers.answer("när är nästa tematräff", "sv")
    assert question.intent == "next_event"
    assert (await answers.answer("min granne säljer knark", "sv")).intent == "tip_off"


async def test_digest_line(harness: Harness) -> None:
    from bot.render.suggestions_staff import digest_line

    tr = harness.services.translator("sv")
    line = digest_line(tr, harness.services.promise, [("theme.lighting", 5), ("area.bro", 3)])
    assert line == "8 nya förslag: belysning (5), otrygga platser i Bro (3) (/forslag)"


async def test_poster(harness: Harness) -> None:
    event = await meeting(harness)
    link = poster_link("TrygghetsBot", event.id)
    assert link == f"https://t.me/TrygghetsBot?start=s_{event.id}"
    page = poster(harness.services.promise, event, link)
    assert "<svg" in page and link in page
    assert "Vad vill du att vi tar upp?" in page
    assert "ماذا تريد أن نطرح؟" in page and "Co chcesz, żebyśmy poruszyli?" in page


async def test_the_monday_digest_adds_one_line(harness: Harness) -> None:
    from bot.domain.records import Org
    from bot.services.reminders import ReminderService
    from storage.deliveries import OutgoingMessage

    h = harness
    now = h.clock.now()
    await h.services.staff.upsert(7001, Org.MUNICIPALITY, "Kim Kommun", now, None)
    h.clock.set(datetime(2024, 4, 15, 8, 0, tzinfo=STOCKHOLM))  # a Monday in April
    for user_id in (8301, 8302):
        await suggest(h, user_id, "ni borde ha mer belysning i bro", "sv", follow=False)
    await suggest(h, 8303, "det känns otryggt vid bro station", "sv", follow=False)
    h.clock.set(datetime(2024, 4, 15, 8, 30, tzinfo=STOCKHOLM))
    assert await ReminderService(h.services).digest_tick() == 2  # the staff member, the admin
    rows = await h.services.db.fetchall(
        "SELECT chat_id, payload FROM deliveries WHERE kind = 'digest' ORDER BY chat_id"
    )
    texts = {r["chat_id"]: OutgoingMessage.from_json(r["payload"]).text for r in rows}
    line = "3 nya förslag: belysning (2), otrygga platser i Bro (1) (/forslag)"
    assert "Tematräffar" in texts[7001]  # staff: the line without a command they cannot use
    assert texts[7001].endswith(
        "3 nya förslag från invånare: belysning (2), otrygga platser i Bro (1)"
    )
    assert texts[ADMIN_ID] == line  # a coordinator without a digest of her own


@pytest.mark.parametrize("lang", ["sv", "en", "fi", "ar", "fa", "so", "pl"])
async def test_every_resident_screen_in_each_language(harness: Harness, lang: str) -> None:
    """The card, the thanks and both messages back: translated, filled in, buttons that fit."""
    from bot.domain.records import SuggestionKind
    from bot.domain.voice import Reading, TimeOfDay, Why
    from bot.render import suggestions as render

    event = await meeting(harness)
    tr = harness.services.translator(lang)
    promise = harness.services.promise
    place = Reading(SuggestionKind.UNSAFE_PLACE, None, None, None, TimeOfDay.NIGHT, (Why.DARK,))
    screens = [
        render.card(tr, promise, place, event),
        render.card(tr, promise, Reading(SuggestionKind.THEME, "moped"), event),
        render.told_planned(tr, promise, "theme.moped", event),
        render.told_declined(tr, promise, "area.bro", "later"),
    ]
    english = render.what_happens(harness.services.translator("en"))
    for screen in screens:
        assert "{" not in screen.text and len(screen.text) < 4096
        if lang != "en":
            assert english not in screen.text
        for row in screen.rows:
            assert all(len(b.label) <= 40 for b in row)
            assert sum(len(b.label) for b in row) <= 48, [b.label for b in row]
    assert render.sent(tr, True) != render.sent(harness.services.translator("en"), True) or (
        lang == "en"
    )


async def test_planning_a_public_event_gives_its_suggestion_link(harness: Harness) -> None:
    from tests.test_events import STAFF, make_staff

    h = harness
    await make_staff(h)
    await h.press(STAFF, "plan:kind:theme_meeting")  # outside /plan: stale, nothing happens
    await h.say(STAFF, "/planera")
    await h.press(STAFF, "plan:kind:theme_meeting")
    await h.say(STAFF, "Tematräff om mopeder")
    await h.say(STAFF, "20/3 18-20")
    await h.say(STAFF, "Trygghetscenter")
    await h.say(STAFF, "-")
    await h.press(STAFF, "plan:vis:public")
    await h.press(STAFF, "plan:save:0")
    (event,) = await h.services.events.by_organiser(STAFF, h.clock.now())
    saved = h.tg.last(STAFF).text
    assert f"?start=s_{event.id}" in saved and f"trygghetsbot poster {event.id}" in saved


async def test_told_residents_are_forgotten_after_30_days(harness: Harness) -> None:
    h = harness
    event = await meeting(h)
    await suggest(h, SWEDE, "ni borde ha en tematräff om mopedbuskörning", "sv")
    await h.say(SWEDE, "/integritet")
    assert "1 förslag som du vill höra om" in h.tg.last(SWEDE).text
    await h.press(ADMIN_ID, f"vg:link:theme.moped:{event.id}")
    service = build_features(h.services).suggestions
    h.clock.advance(timedelta(days=29))
    assert await service.purge() == 0
    h.clock.advance(timedelta(days=2))
    assert await service.purge() == 1
    assert await rows(h, "suggestion_followers") == []
    assert len(await rows(h, "suggestions")) == 1  # the suggestion stays, without her
