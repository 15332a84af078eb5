from __future__ import annotations

import io
import logging

import httpx

from bot.logging_setup import configure_logging, install_token_filter, mask_tokens

FAKE_TOKEN = "7712345678:AAH-fakeFAKEfake_fakeFAKE1234567890ab"


def test_mask_tokens_in_text() -> None:
    url = f"https://api.telegram.org/bot{FAKE_TOKEN}/getMe"
    assert FAKE_TOKEN not in mask_tokens(url)
    assert "bot<token>" in mask_tokens(url)


async def test_token_never_reaches_logs_through_httpx() -> None:
    configure_logging(logging.DEBUG)
    stream = io.StringIO()
    root = logging.getLogger()
    handler = logging.StreamHandler(stream)
    root.addHandler(handler)
    install_token_filter()
    # Force httpx to log requests, as a misconfiguration could; the mask must still hold.
    logging.getLogger("httpx").setLevel(logging.DEBUG)
    try:

        def answer(request: httpx.Request) -> httpx.Response:
            return httpx.Response(500, json={"ok": False})

        async with httpx.AsyncClient(transport=httpx.MockTransport(answer)) as client:
            response = await client.post(f"https://api.telegram.org/bot{FAKE_TOKEN}/getMe")
        try:
            response.raise_for_status()
        except httpx.HTTPStatusError:
            logging.getLogger("trygghetsbot").exception("request failed")
        logging.getLogger("trygghetsbot").info("calling %s", f"/bot{FAKE_TOKEN}/sendMessage")
    finally:
        root.removeHandler(handler)
        logging.getLogger("httpx").setLevel(logging.WARNING)
    text = stream.getvalue()
    assert "getMe" in text and "sendMessage" in text and "HTTPStatusError" in text
    assert FAKE_TOKEN not in text
    assert FAKE_TOKEN.split(":")[1] not in text


def test_httpx_is_quiet_by_default() -> None:
    configure_logging()
    assert logging.getLogger("httpx").level == logging.WARNING
    assert logging.getLogger("httpcore").level == logging.WARNING
