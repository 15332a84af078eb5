"""In a group the bot answers only when addressed: an @mention (found by Telegram's UTF-16
offsets, so after an emoji too, in a text or a photo's caption), a command without another
bot's name, or a reply to the bot. Everything else is left alone."""

from __future__ import annotations

from typing import Any

import pytest

from tests.conftest import Harness
from tests.fakes import BOT_USER, BOT_USERNAME, message_update, to_update, user

MEMBER = 5101
GROUP = {"id": -100123, "type": "supergroup", "title": "Grannsamverkan"}


def utf16_len(text: str) -> int:
    return len(text.encode("utf-16-le")) // 2


def mention(text_before: str, name: str = BOT_USERNAME) -> tuple[str, dict[str, Any]]:
    text = f"{text_before}@{name} hur går det?"
    entity = {"type": "mention", "offset": utf16_len(text_before), "length": len(name) + 1}
    return text, entity


async def send(h: Harness, text: str, **extra: Any) -> None:
    data = message_update(user(MEMBER, "sv"), text, chat=GROUP, **extra)
    await h.app.process_update(to_update(data, h.app.bot))


def answered(h: Harness) -> bool:
    return any(int(c.params.get("chat_id", 0)) == GROUP["id"] for c in h.tg.calls)


@pytest.mark.parametrize("before", ["", "Hej ", "👋🏽 Hej ", "🚓🚓 "])
async def test_a_mention_is_answered_after_emoji_too(harness: Harness, before: str) -> None:
    text, entity = mention(before)
    await send(harness, text, entities=[entity])
    assert answered(harness)


async def test_a_mention_in_a_photo_caption_is_answered(harness: Harness) -> None:
    caption, entity = mention("👋 ")
    data = message_update(user(MEMBER, "sv"), "", chat=GROUP)
    message = data["message"]
    del message["text"]
    message |= {
        "caption": caption,
        "caption_entities": [entity],
        "photo": [{"file_id": "p", "file_unique_id": "u", "width": 9, "height": 9}],
    }
    await harness.app.process_update(to_update(data, harness.app.bot))
    assert answered(harness)


async def test_chatter_and_other_bots_are_left_alone(harness: Harness) -> None:
    await send(harness, "hur går det?")
    text, entity = mention("👋 ", name="some_other_bot")
    await send(harness, text, entities=[entity])
    await send(harness, "/start@some_other_bot")
    assert not answered(harness)


async def test_a_reply_to_the_bot_is_answered(harness: Harness) -> None:
    earlier = {
        "message_id": 1,
        "date": 1_700_000_000,
        "chat": GROUP,
        "from": BOT_USER,
        "text": "Hej!",
    }
    await send(harness, "hur går det?", reply_to_message=earlier)
    assert answered(harness)
