"""Issue "Every answer arrives", item 6: untrusted input is refused at the edge.

Updates Telegram could never have sent are dropped in stage one with one line (the update's
id and the field's name, never content): no handler runs and no reply is sent. A failed
actor load stops its update after one apology. The webhook server answers a broken body
with 400 and refuses a body over the limit before reading it.
"""

from __future__ import annotations

import logging
from typing import Any

import pytest

from tests.conftest import Harness
from tests.fakes import callback_update, message_update, to_update, user

RESIDENT = 8201
SECRET_TEXT = "mitt personnummer är 811218-9876"


def _message(**changes: Any) -> dict[str, Any]:
    data = message_update(user(RESIDENT, "sv", first_name="Hemliga"), SECRET_TEXT)
    data["message"].update(changes)
    return data


def _with_user_id(user_id: object) -> dict[str, Any]:
    data = _message()
    data["message"]["from"]["id"] = user_id
    data["message"]["chat"]["id"] = user_id
    return data


IMPOSSIBLE = {
    "text is a number": lambda: _message(text=12345),
    "text is a list": lambda: _message(text=["a", "b"]),
    "caption is a number": lambda: _message(caption=7),
    "user id 2**64": lambda: _with_user_id(2**64),
    "user id negative": lambda: _with_user_id(-5),
    "user id zero": lambda: _with_user_id(0),
    "user id a string": lambda: _with_user_id("8201"),
    "user id a list": lambda: _with_user_id([8201]),
    "user id true": lambda: _with_user_id(True),
    "chat id beyond 2**53": lambda: _message(chat={"id": -(2**60), "type": "group"}),
    "first name a number": lambda: _message(**{"from": {**user(RESIDENT), "first_name": 3}}),
    "language a dict": lambda: _message(**{"from": {**user(RESIDENT), "language_code": {}}}),
    "entity offset a string": lambda: _message(
        entities=[{"type": "bot_command", "offset": "0", "length": 6}]
    ),
    "replied-to user 2**64": lambda: _message(
        reply_to_message={
            "message_id": 1,
            "date": 1_700_000_000,
            "chat": {"id": RESIDENT, "type": "private"},
            "from": {"id": 2**64, "is_bot": True, "first_name": "X"},
            "text": "hi",
        }
    ),
}


@pytest.mark.parametrize("make", IMPOSSIBLE.values(), ids=IMPOSSIBLE.keys())
async def test_impossible_update_is_dropped_quietly(
    harness: Harness, caplog: pytest.LogCaptureFixture, make: Any
) -> None:
    data = make()
    with caplog.at_level(logging.DEBUG, logger="trygghetsbot"):
        await harness.raw(data)
    assert harness.tg.calls == []  # no reply, no apology, no other Bot API call
    lines = [r for r in caplog.records if r.name.startswith("trygghetsbot")]
    assert [r.levelno for r in lines] == [logging.WARNING]
    assert lines[0].getMessage().startswith(f"dropped update {data['update_id']}: impossible ")
    assert "Hemliga" not in caplog.text and "811218" not in caplog.text
    assert await harness.services.users.locale(RESIDENT) is None


async def test_callback_data_of_the_wrong_type_is_dropped(harness: Harness) -> None:
    await harness.press(RESIDENT, "status:list")
    harness.tg.clear()
    data = callback_update(user(RESIDENT), "x")
    data["callback_query"]["data"] = {"a": 1}
    await harness.app.process_update(to_update(data, harness.app.bot))
    assert harness.tg.calls == []


async def test_possible_extremes_still_get_answers(harness: Harness) -> None:
    """The limits are Telegram's, not tighter: the largest user id and a channel-sized
    group id are answered as usual."""
    big = 2**53 - 1
    data = message_update(user(big, "en"), "/start")
    await harness.raw(data)
    assert "112" in harness.tg.last(big).text
    group = {"id": -1_009_999_999_999, "type": "supergroup", "title": "Kvarteret"}
    await harness.raw(message_update(user(RESIDENT, "en"), "/start", chat=group))
    assert harness.tg.sent(group["id"])


@pytest.mark.logs_errors
async def test_failed_actor_load_stops_the_update_after_one_apology(
    harness: Harness, monkeypatch: pytest.MonkeyPatch, caplog: pytest.LogCaptureFixture
) -> None:
    async def broken(*args: Any, **kwargs: Any) -> Any:
        raise OverflowError("Python int too large to convert to SQLite INTEGER")

    monkeypatch.setattr(harness.app.bot_data.features.people, "actor", broken)
    group = {"id": -100_555, "type": "supergroup", "title": "Kvarteret"}
    await harness.raw(message_update(user(RESIDENT, "en"), "/start", chat=group))
    sent = harness.tg.sent(group["id"])
    assert [c.text for c in sent] == [
        "Sorry, something went wrong on my side. Please try again in a while."
    ]
    errors = [r for r in caplog.records if r.levelno >= logging.ERROR]
    assert len(errors) == 1 and "OverflowError" in errors[0].getMessage()
    assert "actor not loaded" not in caplog.text and "RuntimeError" not in caplog.text
