"""One intent, one answer: the menu's "How is it going?" button and the typed question give
exactly what /progress gives, the chart (with its facts as the caption) and the summary."""

from __future__ import annotations

from tests.conftest import Harness

RESIDENT = 8301


async def answer_to(h: Harness, ask: str) -> list[tuple[str, str]]:
    h.tg.clear()
    if ask.startswith("ask:"):
        await h.press(RESIDENT, ask)
    else:
        await h.say(RESIDENT, ask)
    return [
        (c.method, str(c.params.get("caption") or c.params.get("text") or ""))
        for c in h.tg.sent(RESIDENT)
    ]


async def test_button_typed_question_and_command_give_the_same_answer(harness: Harness) -> None:
    # The first time only, the summary also asks whether to be asked about safety once a
    # quarter (bot.services.pulse); never again, whatever she taps.
    first = await answer_to(harness, "/progress")
    assert "once a quarter" in first[-1][1] or "en gång i kvartalet" in first[-1][1]
    command = await answer_to(harness, "/progress")
    assert "en gång i kvartalet" not in command[-1][1]
    typed = await answer_to(harness, "hur går det?")
    tapped = await answer_to(harness, "ask:progress:0")
    assert [method for method, _text in command] == ["sendPhoto", "sendMessage"]
    assert typed == command
    assert tapped == command
    assert "answerCallbackQuery" in harness.tg.methods()  # the tap's spinner stops
